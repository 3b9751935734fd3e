"""SCIM 2.0 provisioning (RFC 7643/7644): an identity provider manages people and teams."""
