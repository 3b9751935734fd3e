"""Litestar adapters: authentication, CSRF, problem details, strict JSON requests."""
