"""The URLs users give us: the syntax check every stored or fetched URL passes, and its ASCII form.

A URL that passes `check_public_url` reads the same to our fetcher, to httpx and to a browser.
Whether its host is public is decided only when it is fetched (`backend.fetch.client`).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

import idna

MAX_URL_LENGTH = 2048
DEFAULT_PORTS = {"http": 80, "https": 443}


def check_public_url(url: str) -> str:
    """Check the syntax of a URL someone gave us and return it stripped.

    Only http(s) URLs with a host, no userinfo, at most 2048 characters and no control
    characters or whitespace pass; anything else raises ValueError with a message fit to show
    the user. No DNS lookup happens here: whether the host is public is `SafeFetcher`'s job.
    """
    url = url.strip()
    if not url:
        raise ValueError("The URL is empty.")
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"The URL is too long (at most {MAX_URL_LENGTH} characters).")
    # Whitespace and control characters are silently dropped or reinterpreted differently by
    # different URL parsers; refusing them keeps our view of the URL the same as httpx's.
    if any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        raise ValueError("The URL must not contain spaces or control characters.")
    # A backslash is a path separator to browsers but not to urllib: another parser mismatch.
    if "\\" in url:
        raise ValueError("The URL must not contain backslashes.")
    try:
        parts = urlsplit(url)
        port = parts.port  # parsed lazily, and raises on a bad port
    except ValueError as exc:
        raise ValueError("The URL is malformed.") from exc
    if parts.scheme.lower() not in DEFAULT_PORTS:
        raise ValueError("Only http:// and https:// URLs are supported.")
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise ValueError("The URL must not contain a user name or password.")
    if not parts.hostname:
        raise ValueError("The URL has no host.")
    if port == 0:
        raise ValueError("The URL has an invalid port.")
    return url


# Printable ASCII: left as it is by `ascii_url` (`%` too, so escapes already there stay).
_PRINTABLE_ASCII = "".join(chr(code) for code in range(0x21, 0x7F))


def ascii_url(url: str) -> str:
    """A checked URL (`check_public_url`) as the ASCII a browser sends: an international host
    name in its punycode form (`xn--...`) and any other non-ASCII character percent-encoded.

    Stored and shown this way, a look-alike host (`example.com` spelt with a Cyrillic a)
    reads as what it is, `xn--exmple-4nf.com`; and the URL fits where only ASCII may go (the
    Location header of a tracked link). Raises ValueError for a host no IDNA name allows.
    """
    if url.isascii():
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        host = parts.hostname or ""
        try:
            ascii_host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise ValueError("The URL's host is not a valid international domain name.") from exc
        netloc = ascii_host if parts.port is None else f"{ascii_host}:{parts.port}"
    path, query, fragment = (
        quote(part, safe=_PRINTABLE_ASCII) for part in (parts.path, parts.query, parts.fragment)
    )
    return urlunsplit((parts.scheme, netloc, path, query, fragment))
