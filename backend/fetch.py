"""Safe outbound HTTP fetches of user-supplied URLs, and link-preview parsing of what comes back.

Worker jobs fetch pages whose URLs come from users (content previews now, social-network post
pages later). Anyone who can make us fetch a URL can try to make us reach internal services
(cloud metadata at 169.254.169.254, Redis, PostgreSQL, admin UIs), so every hop is checked:

* the URL is syntactically sane (`check_public_url`);
* the host is resolved once and refused if any address is not a public unicast address;
* the connection goes to the validated IP itself (the name is only sent as `Host` and as TLS
  SNI), so a second DNS answer cannot swap in an internal address (DNS rebinding);
* redirects are followed by hand so each target goes through the same checks;
* time and size are bounded, so a hostile server cannot tie up a worker or its memory.
"""

from __future__ import annotations

import asyncio
import codecs
import email.utils
import ipaddress
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import httpx
import idna

__all__ = [
    "FetchError",
    "FetchResult",
    "Preview",
    "SafeFetcher",
    "ascii_url",
    "check_public_url",
    "parse_preview",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2048
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Caller headers that carry credentials for one origin; they must not follow a redirect elsewhere.
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})

# Ranges refused on top of `not ip.is_global`: the stdlib's notion of "global" differs between
# Python patch releases and misses multicast and a few special-purpose ranges, so the ranges
# that matter are spelled out here as well.
_BLOCKED_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT (shared address space)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, including cloud metadata endpoints
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, including the broadcast address
        "::/96",  # unspecified, loopback and the deprecated IPv4-compatible addresses
        "::ffff:0:0/96",  # IPv4-mapped (the mapped address is checked too, see below)
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, including Teredo
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class FetchError(Exception):
    """A fetch that did not produce a usable page.

    `kind` is one of "invalid_url", "blocked", "timeout", "too_large", "http_status",
    "network" or "too_many_redirects"; `status` is set for "http_status", and `retry_after`
    (seconds) when the server said when to come back.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        """Whether retrying later may succeed: timeouts, network errors, HTTP 429 and 5xx."""
        if self.kind in ("timeout", "network"):
            return True
        if self.kind == "http_status" and self.status is not None:
            return self.status == 429 or self.status >= 500
        return False


@dataclass(frozen=True)
class FetchResult:
    """A successful (2xx) response; `body` holds at most the fetcher's `max_bytes`."""

    url: str
    status: int
    content_type: str
    body: bytes
    redirects: tuple[str, ...]


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
    if parts.scheme.lower() not in _DEFAULT_PORTS:
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


def _is_blocked_ip(ip: IPAddress) -> bool:
    """True unless `ip` is a public unicast address we may connect to."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return True
        # Addresses that embed an IPv4 address reach that IPv4 host: judge the embedded one.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and _is_blocked_ip(embedded):
            return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or any(ip in net for net in _BLOCKED_NETWORKS if net.version == ip.version)
    )


def _literal_ip(host: str) -> IPAddress | None:
    """The address if `host` is a canonical IP literal, else None.

    Raises FetchError("blocked") for numeric hosts in non-canonical notation (`2130706433`,
    `0x7f.1`, `017700000001`, `127.1`): the C resolver turns those into addresses although
    `ipaddress` does not parse them, and no legitimate public URL is written that way.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
    except OSError:
        return None
    raise FetchError("blocked", f"Refusing the numeric host {host!r} in non-standard notation.")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class SafeFetcher:
    """An HTTP GET client for URLs we do not trust (see the module docstring).

    One instance holds one httpx.AsyncClient; share it across jobs and `aclose` it on shutdown.
    `allow_hosts` lists host names or IP literals (exact strings) exempt from the public-address
    check, meant for local fake servers in tests.
    """

    def __init__(
        self,
        *,
        allow_hosts: frozenset[str] = frozenset(),
        timeout: float = 5.0,
        max_bytes: int = 1_048_576,
        max_redirects: int = 3,
        user_agent: str = "ChorusBot/1.0 (+employee advocacy link preview)",
    ) -> None:
        self.allow_hosts = frozenset(host.lower().strip("[]") for host in allow_hosts)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.user_agent = user_agent
        self._client: httpx.AsyncClient | None = None

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(
                follow_redirects=False,  # followed by hand, so each hop is re-checked
                timeout=httpx.Timeout(self.timeout),
                # No connection reuse: connections are keyed by the pinned IP, so a pooled TLS
                # connection verified for one name could otherwise carry a request for another
                # name hosted on the same IP without that name's certificate being checked.
                limits=httpx.Limits(max_keepalive_connections=0),
                # No proxies or .netrc credentials from the environment: the guard decides
                # where we connect, and no stored secret should ever go to a user's URL.
                trust_env=False,
                headers={
                    "User-Agent": self.user_agent,
                    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
                    # Uncompressed bodies keep max_bytes honest: a small gzip body can inflate
                    # a thousandfold inside one decoded chunk.
                    "Accept-Encoding": "identity",
                },
            )
        return self._client

    async def aclose(self) -> None:
        """Close the shared HTTP client (a later `get` opens a new one)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        """GET `url` after the SSRF checks, following up to `max_redirects` checked redirects.

        Returns the final 2xx response; raises FetchError for anything else. The whole call,
        redirects included, is bounded by twice `timeout` on top of the per-read timeouts.
        """
        try:
            async with asyncio.timeout(self.timeout * 2):
                return await self._get(url, dict(headers or {}))
        except TimeoutError as exc:
            raise FetchError("timeout", f"Fetching {url} took too long.") from exc

    async def _get(self, url: str, headers: dict[str, str]) -> FetchResult:
        redirects: list[str] = []
        current = url
        while True:
            try:
                current = check_public_url(current)
            except ValueError as exc:
                raise FetchError("invalid_url", str(exc)) from exc
            try:
                target = httpx.URL(current)
            except httpx.InvalidURL as exc:
                raise FetchError("invalid_url", f"The URL is malformed: {exc}") from exc
            response = await self._send_pinned(target, headers)
            try:
                location = response.headers.get("location")
                if response.status_code in _REDIRECT_STATUSES and location:
                    if len(redirects) >= self.max_redirects:
                        raise FetchError(
                            "too_many_redirects",
                            f"More than {self.max_redirects} redirects starting at {url}.",
                        )
                    following = urljoin(current, location.strip())
                    if _origin(httpx.URL(current)) != _origin_of(following):
                        headers = {
                            k: v for k, v in headers.items() if k.lower() not in _CREDENTIAL_HEADERS
                        }
                    redirects.append(current)
                    current = following
                    continue
                if not 200 <= response.status_code < 300:
                    retry_after = None
                    if response.status_code in (429, 503):
                        retry_after = _retry_after(response.headers.get("retry-after"))
                    raise FetchError(
                        "http_status",
                        f"{current} answered HTTP {response.status_code}.",
                        status=response.status_code,
                        retry_after=retry_after,
                    )
                body = await self._read_capped(response, current)
                return FetchResult(
                    url=current,
                    status=response.status_code,
                    content_type=response.headers.get("content-type", ""),
                    body=body,
                    redirects=tuple(redirects),
                )
            finally:
                await response.aclose()

    async def _resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address `host` resolves to, in resolver order, without duplicates."""
        literal = _literal_ip(host)
        if literal is not None:
            return [literal]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except socket.gaierror as exc:
            # A name that does not exist will not start existing on retry; other resolver
            # failures (EAI_AGAIN, ...) may be passing.
            if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
                raise FetchError("invalid_url", f"The host {host!r} does not exist.") from exc
            raise FetchError("network", f"Could not resolve {host!r}: {exc}") from exc
        addresses: list[IPAddress] = []
        for family, _, _, _, sockaddr in infos:
            if family not in (socket.AF_INET, socket.AF_INET6):
                continue
            # The resolver may append a zone (fe80::1%eth0); ipaddress keeps it as scope_id.
            ip = ipaddress.ip_address(str(sockaddr[0]))
            if ip not in addresses:
                addresses.append(ip)
        if not addresses:
            raise FetchError("network", f"{host!r} has no IP address.")
        return addresses

    async def _send_pinned(self, target: httpx.URL, headers: dict[str, str]) -> httpx.Response:
        """Check `target`'s host and send the GET to one of its validated addresses."""
        host = target.raw_host.decode("ascii").lower()
        port = target.port or _DEFAULT_PORTS[target.scheme]
        addresses = await self._resolve(host, port)
        if host not in self.allow_hosts:
            for ip in addresses:
                if _is_blocked_ip(ip):
                    raise FetchError(
                        "blocked", f"Refusing to fetch {host!r}: it resolves to {ip}, not public."
                    )
        # The Host header (and SNI for https) keep the name; only the socket uses the IP.
        host_header = f"[{host}]" if ":" in host else host
        if target.port is not None:
            host_header = f"{host_header}:{target.port}"
        request_headers = {k: v for k, v in headers.items() if k.lower() != "host"}
        request_headers["Host"] = host_header
        extensions: dict[str, object] = {}
        if target.scheme == "https" and _literal_ip(host) is None:
            extensions["sni_hostname"] = host
        client = self._get_client()
        last_error: httpx.TransportError | None = None
        for ip in addresses:
            request = client.build_request(
                "GET",
                target.copy_with(host=str(ip)),
                headers=request_headers,
                extensions=extensions,
            )
            try:
                return await client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # Try the host's next address, as browsers do: a name commonly has an IPv6
                # address that this machine has no route to.
                last_error = exc
            except httpx.TimeoutException as exc:
                raise FetchError("timeout", f"{target} timed out: {exc!r}") from exc
            except httpx.TransportError as exc:
                raise FetchError("network", f"Fetching {target} failed: {exc!r}") from exc
        if isinstance(last_error, httpx.ConnectTimeout):
            raise FetchError("timeout", f"Connecting to {host!r} timed out.") from last_error
        raise FetchError("network", f"Could not connect to {host!r}: {last_error!r}")

    async def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        """The response body, refusing anything over `max_bytes` without reading all of it."""
        too_large = FetchError("too_large", f"{url} is larger than {self.max_bytes} bytes.")
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise too_large
                chunks.append(chunk)
        except httpx.TimeoutException as exc:
            raise FetchError("timeout", f"Reading {url} timed out.") from exc
        except httpx.TransportError as exc:
            raise FetchError("network", f"Reading {url} failed: {exc!r}") from exc
        except httpx.DecodingError as exc:
            raise FetchError("network", f"{url} sent an undecodable body: {exc}") from exc
        return b"".join(chunks)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def _origin_of(url: str) -> tuple[str, str, int | None] | None:
    try:
        return _origin(httpx.URL(url))
    except httpx.InvalidURL:
        return None  # the next hop's check_public_url / URL parse reports it


# --- link previews -------------------------------------------------------------------------

MAX_PREVIEW_INPUT = 512 * 1024
MAX_TITLE = 300
MAX_DESCRIPTION = 1000
_CHARSET_RE = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
# Preference order of the tags each field is read from (lowercased property/name values).
_TITLE_KEYS = ("og:title", "twitter:title")
_DESCRIPTION_KEYS = ("og:description", "twitter:description", "description")
_IMAGE_KEYS = (
    "og:image",
    "og:image:secure_url",
    "og:image:url",
    "twitter:image",
    "twitter:image:src",
)


@dataclass(frozen=True)
class Preview:
    """What a link card shows: each field is None when the page does not provide it."""

    title: str | None
    description: str | None
    image_url: str | None


class _PreviewParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive already unescaped
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.in_title = False
        self.title_done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = {name: value for name, value in attrs if value is not None}
            content = values.get("content")
            if content is None:
                return
            for attr in ("property", "name"):
                key = values.get(attr, "").strip().lower()
                if key:
                    self.meta.setdefault(key, content)  # the first occurrence wins
        elif tag == "title" and not self.title_done:
            self.in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.in_title:
            self.in_title = False
            self.title_done = True

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)


def _decode_html(html: bytes) -> str:
    """Decode with the BOM or the page's meta charset, else UTF-8, never failing."""
    if html.startswith(codecs.BOM_UTF8):
        return html[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    encoding = "utf-8"
    match = _CHARSET_RE.search(html[:4096])
    if match:
        label = match.group(1).decode("ascii", errors="replace").lower()
        try:
            name = codecs.lookup(label).name
        except LookupError:
            name = "utf-8"
        if name in ("latin-1", "iso8859-1", "ascii"):
            # As browsers do (WHATWG Encoding): these labels mean windows-1252.
            name = "cp1252"
        elif name.startswith(("utf-16", "utf-32")):
            # A page that could be read to find this declaration is ASCII-compatible.
            name = "utf-8"
        encoding = name
    return html.decode(encoding, errors="replace")


def _clean(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _first(meta: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = meta.get(key, "").strip()
        if value:
            return value
    return None


def parse_preview(html: bytes, base_url: str) -> Preview:
    """Extract a link preview (title, description, image) from the start of an HTML page.

    Open Graph tags win over Twitter card tags, which win over <title> and the description
    meta tag. Only the first 512 KiB are read; text is unescaped, whitespace-collapsed and
    capped (title 300, description 1000 characters); the image URL is made absolute against
    `base_url` and dropped unless it is a plain http(s) URL.
    """
    parser = _PreviewParser()
    text = _decode_html(html[:MAX_PREVIEW_INPUT])
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # noqa: S110
        # Hostile markup can still trip corners of html.parser; keep what it found so far.
        pass
    title = _first(parser.meta, _TITLE_KEYS)
    if title is None and parser.title_parts:
        title = "".join(parser.title_parts)
    image_url: str | None = None
    image = _first(parser.meta, _IMAGE_KEYS)
    if image is not None:
        try:
            image_url = check_public_url(urljoin(base_url, image))
        except ValueError:
            image_url = None
    return Preview(
        title=_clean(title, MAX_TITLE),
        description=_clean(_first(parser.meta, _DESCRIPTION_KEYS), MAX_DESCRIPTION),
        image_url=image_url,
    )
