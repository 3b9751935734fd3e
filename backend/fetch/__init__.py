"""Outbound HTTP to URLs that users give us, and what is read from the answers.

`backend.fetch.urls` checks a URL's syntax and gives its ASCII form, wherever a user's URL is
stored; `backend.fetch.client` is the SSRF-guarded `SafeFetcher`, which asks
`backend.fetch.addresses` which hosts it may reach and answers with `backend.fetch.results`;
`backend.fetch.previews` reads a link card out of a fetched page. Nothing is re-exported here:
each name is imported from the module that holds it.
"""
