"""Safe outbound HTTP fetches of user-supplied URLs: `SafeFetcher`, the SSRF-guarded GET client.

Worker jobs fetch pages whose URLs come from users (content previews now, social-network post
pages later). Anyone who can make us fetch a URL can try to make us reach internal services
(cloud metadata at 169.254.169.254, Redis, PostgreSQL, admin UIs), so every hop is checked:

* the URL is syntactically sane (`check_public_url`);
* the host is resolved once and refused if any address is not a public unicast address;
* the connection goes to the validated IP itself (the name is only sent as `Host` and as TLS
  SNI), so a second DNS answer cannot swap in an internal address (DNS rebinding);
* redirects are followed by hand so each target goes through the same checks;
* time and size are bounded, so a hostile server cannot tie up a worker or its memory;
* connections are kept alive per host name only: each name has a client of its own, so a
  connection (and the certificate it verified) serves that name alone, and only ever to an
  address the checks just passed (the address is in the URL, so a new answer from DNS means
  a new connection).
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import socket
from collections import OrderedDict
from datetime import UTC, datetime
from urllib.parse import urljoin

import httpx

from backend.fetch.addresses import IPAddress, is_blocked_ip, literal_ip
from backend.fetch.results import FetchError, FetchResult
from backend.fetch.urls import DEFAULT_PORTS, check_public_url

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Caller headers that carry credentials for one origin; they must not follow a redirect elsewhere.
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
KEPT_HOSTS = 32  # host names with kept-alive connections, at most (least recently used go)
KEEPALIVE_PER_HOST = 8
KEEPALIVE_SECONDS = 30.0


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

    One instance holds one httpx.AsyncClient per host name it fetched from lately (kept-alive
    connections, see the module docstring); share it across jobs and `aclose` it on shutdown.
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
        # one client for every request when set (tests route requests through a mock this way)
        self._client: httpx.AsyncClient | None = None
        self._by_host: OrderedDict[str, httpx.AsyncClient] = OrderedDict()
        self._closing: set[asyncio.Task[None]] = set()

    def _get_client(self, host: str) -> httpx.AsyncClient:
        """The client whose connections serve `host` (a name, or an IP literal) and no other.

        httpx pools connections by scheme, address and port, and the address here is the
        pinned IP: a pool shared by several names could carry a request for one name over a
        TLS connection whose certificate was checked for another name on the same IP. A pool
        per name cannot.
        """
        if self._client is not None and not self._client.is_closed:
            return self._client
        client = self._by_host.get(host)
        if client is not None and not client.is_closed:
            self._by_host.move_to_end(host)
            return client
        client = httpx.AsyncClient(
            follow_redirects=False,  # followed by hand, so each hop is re-checked
            timeout=httpx.Timeout(self.timeout),
            limits=httpx.Limits(
                max_keepalive_connections=KEEPALIVE_PER_HOST, keepalive_expiry=KEEPALIVE_SECONDS
            ),
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
        self._by_host[host] = client
        while len(self._by_host) > KEPT_HOSTS:
            _, evicted = self._by_host.popitem(last=False)
            task = asyncio.get_running_loop().create_task(evicted.aclose())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        return client

    async def aclose(self) -> None:
        """Close the HTTP clients and their connections (a later `get` opens new ones)."""
        clients = list(self._by_host.values())
        self._by_host.clear()
        if self._client is not None:
            clients.append(self._client)
            self._client = None
        for client in clients:
            await client.aclose()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

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
        literal = literal_ip(host)
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
        port = target.port or DEFAULT_PORTS[target.scheme]
        addresses = await self._resolve(host, port)
        if host not in self.allow_hosts:
            for ip in addresses:
                if is_blocked_ip(ip):
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
        if target.scheme == "https" and literal_ip(host) is None:
            extensions["sni_hostname"] = host
        client = self._get_client(host)
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
