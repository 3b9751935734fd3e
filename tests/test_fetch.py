"""backend.fetch: the SSRF-guarded fetcher against a local HTTP server, and link-preview parsing.

The server is a ThreadingHTTPServer on 127.0.0.1 in a daemon thread, so slow handlers never
block the test event loop. Name resolution for made-up public hosts is faked by patching the
running loop's getaddrinfo, and requests to them go to an httpx.MockTransport: nothing leaves
this machine.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from backend.fetch.client import SafeFetcher
from backend.fetch.previews import Preview, parse_preview
from backend.fetch.results import FetchError, FetchResult
from backend.fetch.urls import check_public_url

LOCAL = frozenset({"127.0.0.1"})
# How long the slow and trickling handlers take to answer: far beyond the short deadline tested.
SERVER_STALLS_SECONDS = 20
OG_PAGE = b"""<!doctype html><html><head>
<title>Plain title</title>
<meta property="og:title" content="OG &amp; title">
<meta property="og:description" content="OG description">
<meta property="og:image" content="/img/card.png">
</head><body>hello</body></html>"""


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, and a body without Content-Length ends at close.
    protocol_version = "HTTP/1.0"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, chunks: Iterator[bytes], delay: float = 0.0) -> None:
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
                if delay:
                    time.sleep(delay)
        except OSError:
            pass  # the client hung up, as it should

    def do_GET(self) -> None:
        self.server.seen.append((self.path, dict(self.headers.items())))
        port = self.server.server_address[1]
        path = self.path
        if path == "/page":
            self._send(200, OG_PAGE, {"Content-Type": "text/html; charset=utf-8"})
        elif path == "/echo":
            body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
            self._send(200, body, {"Content-Type": "application/json"})
        elif path == "/redirect-relative":
            self._send(302, headers={"Location": "/page"})
        elif path == "/redirect-absolute":
            self._send(301, headers={"Location": f"http://127.0.0.1:{port}/redirect-relative"})
        elif path == "/redirect-metadata":
            self._send(302, headers={"Location": "http://169.254.169.254/latest/meta-data"})
        elif path == "/redirect-localhost":
            self._send(307, headers={"Location": f"http://localhost:{port}/echo"})
        elif path == "/redirect-file":
            self._send(302, headers={"Location": "file:///etc/passwd"})
        elif path == "/loop":
            self._send(302, headers={"Location": "/loop"})
        elif path == "/slow":
            time.sleep(SERVER_STALLS_SECONDS)
            self._stream(iter([b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"]))
        elif path == "/trickle":
            # Each byte arrives well within the read timeout; only the overall deadline helps.
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self._stream((b"x" for _ in range(100)), delay=SERVER_STALLS_SECONDS / 100)
        elif path == "/huge-length":
            self.send_response(200)
            self.send_header("Content-Length", str(50_000_000))
            self.end_headers()
            self._stream(iter([b"x" * 1024]))
        elif path == "/huge-stream":
            self.send_response(200)
            self.end_headers()
            self._stream(b"x" * 65536 for _ in range(300))
        elif path.startswith("/exact/"):
            self._send(200, b"y" * int(path.removeprefix("/exact/")))
        elif path == "/500":
            self._send(500, b"boom")
        elif path == "/503":
            self._send(503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
        elif path == "/429":
            self._send(429, headers={"Retry-After": "7"})
        else:
            self._send(404, b"not found")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[tuple[str, dict[str, str]]]


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def base(server: _Server) -> str:
    server.seen.clear()
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
async def local() -> SafeFetcher:
    # a generous deadline: these tests are about what is fetched, not how fast, and a loaded
    # machine must not turn a redirect loop into a timeout
    fetcher = SafeFetcher(allow_hosts=LOCAL, timeout=10, max_bytes=100_000)
    yield fetcher  # type: ignore[misc]
    await fetcher.aclose()


@pytest.fixture
async def hurried() -> SafeFetcher:
    """A fetcher with a short deadline, for the tests of the deadline itself."""
    fetcher = SafeFetcher(allow_hosts=LOCAL, timeout=0.5, max_bytes=100_000)
    yield fetcher  # type: ignore[misc]
    await fetcher.aclose()


@pytest.fixture
async def strict() -> SafeFetcher:
    fetcher = SafeFetcher(timeout=10)
    yield fetcher  # type: ignore[misc]
    await fetcher.aclose()


async def _fails(fetcher: SafeFetcher, url: str, **kwargs: object) -> FetchError:
    with pytest.raises(FetchError) as info:
        await fetcher.get(url, **kwargs)  # type: ignore[arg-type]
    return info.value


# --- fetching from the local server -------------------------------------------------------


async def test_allowed_local_fetch_returns_the_page(local, base, server):
    result = await local.get(f"{base}/page")
    assert result == FetchResult(
        url=f"{base}/page",
        status=200,
        content_type="text/html; charset=utf-8",
        body=OG_PAGE,
        redirects=(),
    )
    assert server.seen[0][1]["User-Agent"] == "ChorusBot/1.0 (+employee advocacy link preview)"


async def test_caller_headers_are_sent_and_host_keeps_the_name(local, base):
    result = await local.get(f"{base}/echo", headers={"Accept-Language": "fr", "Host": "evil"})
    echoed = json.loads(result.body)
    assert echoed["accept-language"] == "fr"
    assert echoed["host"] == base.removeprefix("http://")


async def test_fetcher_can_be_reused_after_aclose(local, base):
    assert (await local.get(f"{base}/page")).status == 200
    await local.aclose()
    assert (await local.get(f"{base}/page")).status == 200


async def test_same_url_without_allow_list_is_blocked(strict, base, server):
    error = await _fails(strict, f"{base}/page")
    assert error.kind == "blocked"
    assert not error.transient
    assert server.seen == []


@pytest.mark.parametrize(
    "host",
    [
        "0x7f.1",
        "2130706433",
        "017700000001",
        "127.1",
        "0",
        "0.0.0.0",
        "[::1]",
        "[::]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[::127.0.0.1]",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
        "169.254.169.254",
        "[::ffff:169.254.169.254]",
        "0xa9.0xfe.0xa9.0xfe",
        "2852039166",
        "[fe80::1]",
        "[fd00::1]",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "224.0.0.1",
        "[ff02::1]",
        "255.255.255.255",
        "240.0.0.1",
    ],
)
async def test_internal_addresses_in_any_notation_are_blocked(strict, server, host):
    port = server.server_address[1]
    server.seen.clear()
    error = await _fails(strict, f"http://{host}:{port}/page")
    assert error.kind == "blocked", error
    assert server.seen == []


async def test_odd_notation_is_blocked_even_when_its_address_is_allowed(local, server):
    error = await _fails(local, f"http://2130706433:{server.server_address[1]}/page")
    assert error.kind == "blocked"


async def test_localhost_name_is_blocked_without_allow_list(strict, server):
    error = await _fails(strict, f"http://localhost:{server.server_address[1]}/page")
    assert error.kind == "blocked"


async def test_localhost_is_not_covered_by_allowing_127_0_0_1(local, server):
    error = await _fails(local, f"http://localhost:{server.server_address[1]}/page")
    assert error.kind == "blocked"


async def test_relative_and_absolute_redirects_are_followed(local, base):
    result = await local.get(f"{base}/redirect-absolute")
    assert result.url == f"{base}/page"
    assert result.body == OG_PAGE
    assert result.redirects == (f"{base}/redirect-absolute", f"{base}/redirect-relative")


async def test_redirect_to_metadata_is_blocked_even_with_local_allowed(local, base):
    error = await _fails(local, f"{base}/redirect-metadata")
    assert error.kind == "blocked"


async def test_redirect_to_a_name_not_allowed_is_blocked(local, base):
    error = await _fails(local, f"{base}/redirect-localhost")
    assert error.kind == "blocked"


async def test_redirect_to_non_http_scheme_is_refused(local, base):
    error = await _fails(local, f"{base}/redirect-file")
    assert error.kind == "invalid_url"


async def test_credentials_do_not_follow_a_cross_origin_redirect(base, server):
    fetcher = SafeFetcher(allow_hosts=frozenset({"127.0.0.1", "localhost"}), timeout=10)
    try:
        result = await fetcher.get(
            f"{base}/redirect-localhost",
            headers={"Authorization": "Bearer secret", "X-Trace": "1"},
        )
    finally:
        await fetcher.aclose()
    echoed = json.loads(result.body)
    assert "authorization" not in echoed
    assert echoed["x-trace"] == "1"
    assert echoed["host"] == f"localhost:{server.server_address[1]}"
    assert server.seen[0][1]["Authorization"] == "Bearer secret"


async def test_redirect_loop_ends_as_too_many_redirects(local, base, server):
    error = await _fails(local, f"{base}/loop")
    assert error.kind == "too_many_redirects"
    assert len(server.seen) == 4  # the first request and max_redirects=3 hops


async def test_slow_server_times_out(hurried, base):
    started = time.monotonic()
    error = await _fails(hurried, f"{base}/slow")
    assert error.kind == "timeout"
    assert error.transient
    # relative, not a budget: the fetcher gave up long before the server would have answered
    assert time.monotonic() - started < SERVER_STALLS_SECONDS / 2


async def test_trickling_server_hits_the_overall_deadline(hurried, base):
    started = time.monotonic()
    error = await _fails(hurried, f"{base}/trickle")
    assert error.kind == "timeout"
    assert time.monotonic() - started < SERVER_STALLS_SECONDS / 2


async def test_declared_huge_body_is_refused(local, base):
    error = await _fails(local, f"{base}/huge-length")
    assert error.kind == "too_large"
    assert not error.transient


async def test_streamed_huge_body_is_cut_off(local, base):
    error = await _fails(local, f"{base}/huge-stream")
    assert error.kind == "too_large"


async def test_body_of_exactly_max_bytes_is_accepted(base):
    fetcher = SafeFetcher(allow_hosts=LOCAL, max_bytes=5000)
    try:
        assert len((await fetcher.get(f"{base}/exact/5000")).body) == 5000
        assert (await _fails(fetcher, f"{base}/exact/5001")).kind == "too_large"
    finally:
        await fetcher.aclose()


async def test_server_error_is_transient(local, base):
    error = await _fails(local, f"{base}/500")
    assert (error.kind, error.status, error.transient) == ("http_status", 500, True)


async def test_429_carries_retry_after(local, base):
    error = await _fails(local, f"{base}/429")
    assert (error.kind, error.status, error.retry_after, error.transient) == (
        "http_status",
        429,
        7.0,
        True,
    )


async def test_503_retry_after_date_in_the_past_is_zero(local, base):
    error = await _fails(local, f"{base}/503")
    assert (error.status, error.retry_after, error.transient) == (503, 0.0, True)


async def test_404_is_not_transient(local, base):
    error = await _fails(local, f"{base}/missing")
    assert (error.kind, error.status, error.retry_after, error.transient) == (
        "http_status",
        404,
        None,
        False,
    )


async def test_connection_refused_is_a_transient_network_error():
    with socket.socket() as sock:  # a port nobody listens on once this socket is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fetcher = SafeFetcher(allow_hosts=LOCAL, timeout=10)
    try:
        error = await _fails(fetcher, f"http://127.0.0.1:{port}/")
    finally:
        await fetcher.aclose()
    assert (error.kind, error.transient) == ("network", True)


async def test_invalid_url_is_refused_before_any_lookup(strict):
    error = await _fails(strict, "javascript:alert(1)")
    assert (error.kind, error.transient) == ("invalid_url", False)


# --- pinning to the validated address (faked DNS, mock transport) --------------------------


def _fake_dns(monkeypatch, answers: dict[str, list[str]]) -> list[str]:
    """Make the running loop resolve names from `answers`; returns the names looked up."""
    calls: list[str] = []

    async def getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in ip else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (ip, port, 0, 0) if ":" in ip else (ip, port),
            )
            for ip in answers[host]
        ]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    return calls


def _mock_client(fetcher: SafeFetcher, handler) -> list[httpx.Request]:
    """Route the fetcher's requests to `handler`; returns the requests it received."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    fetcher._client = httpx.AsyncClient(transport=httpx.MockTransport(record))
    return sent


async def test_https_request_goes_to_the_ip_with_host_header_and_sni(monkeypatch, strict):
    calls = _fake_dns(monkeypatch, {"news.example": ["93.184.216.34"]})
    sent = _mock_client(strict, lambda _: httpx.Response(200, content=OG_PAGE))
    result = await strict.get("https://news.example/story?id=1")
    assert result.url == "https://news.example/story?id=1"
    assert calls == ["news.example"]
    (request,) = sent
    assert str(request.url) == "https://93.184.216.34/story?id=1"
    assert request.headers["host"] == "news.example"
    assert request.extensions["sni_hostname"] == "news.example"


async def test_name_with_any_private_address_is_blocked(monkeypatch, strict):
    _fake_dns(monkeypatch, {"mixed.example": ["93.184.216.34", "10.0.0.5"]})
    sent = _mock_client(strict, lambda _: httpx.Response(200))
    error = await _fails(strict, "https://mixed.example/")
    assert error.kind == "blocked"
    assert sent == []


async def test_unreachable_ipv6_address_falls_back_to_ipv4(monkeypatch, strict):
    _fake_dns(monkeypatch, {"dual.example": ["2606:2800:220:1::1", "93.184.216.34"]})

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "2606:2800:220:1::1":
            raise httpx.ConnectError("Network is unreachable", request=request)
        return httpx.Response(200, text="v4")

    sent = _mock_client(strict, handler)
    result = await strict.get("http://dual.example:8080/")
    assert result.body == b"v4"
    assert [str(r.url) for r in sent] == [
        "http://[2606:2800:220:1::1]:8080/",
        "http://93.184.216.34:8080/",
    ]
    assert {r.headers["host"] for r in sent} == {"dual.example:8080"}
    assert "sni_hostname" not in sent[0].extensions


async def test_each_redirect_hop_is_resolved_and_checked(monkeypatch, strict):
    calls = _fake_dns(
        monkeypatch, {"a.example": ["93.184.216.34"], "rebind.example": ["127.0.0.1"]}
    )
    _mock_client(
        strict,
        lambda _: httpx.Response(302, headers={"Location": "https://rebind.example/x"}),
    )
    error = await _fails(strict, "https://a.example/")
    assert error.kind == "blocked"
    assert calls == ["a.example", "rebind.example"]


async def test_unknown_host_is_an_invalid_url_not_worth_retrying(monkeypatch, strict):
    _fake_dns(monkeypatch, {})
    error = await _fails(strict, "https://no-such-host.example/")
    assert (error.kind, error.transient) == ("invalid_url", False)


# --- check_public_url --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://example.com/file",
        "data:text/html,<script>alert(1)</script>",
        "gopher://example.com/",
        "http://user:pass@example.com/",
        "http://user@example.com/",
        "http://",
        "http:///path",
        "https://:443/",
        "",
        "   ",
        "https://example.com/" + "a" * 2048,
        "https://example.com/a b",
        "https://exa mple.com/",
        "https://example.com/a\nb",
        "https://example.com/a\rb",
        "https://example.com/a\tb",
        "https://example.com/\x00",
        "https://example.com\\@evil.com/",
        "https://example.com:99999/",
        "example.com",
    ],
)
def test_check_public_url_rejects(url):
    with pytest.raises(ValueError, match=r"\S"):
        check_public_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "https://www.example.com/path/to/post?utm_source=x&b=%20#frag",
        "http://example.com:8080/",
        "HTTPS://Example.COM/Upper",
        "https://bücher.de/straße",
    ],
)
def test_check_public_url_accepts(url):
    assert check_public_url(url) == url


def test_check_public_url_strips_surrounding_whitespace():
    assert check_public_url("  https://example.com/x \n") == "https://example.com/x"


# --- parse_preview -----------------------------------------------------------------------


def test_preview_prefers_open_graph_and_resolves_relative_image():
    preview = parse_preview(OG_PAGE, "https://site.example/articles/1")
    assert preview == Preview(
        title="OG & title",
        description="OG description",
        image_url="https://site.example/img/card.png",
    )


def test_preview_falls_back_to_twitter_tags_with_name_or_property():
    html = b"""<head><title>Plain</title>
    <meta name="twitter:title" content="Tweet title">
    <meta property="twitter:description" content="Tweet description">
    <meta name="description" content="Plain description">
    <meta name="twitter:image" content="https://cdn.example/t.jpg"></head>"""
    assert parse_preview(html, "https://site.example/") == Preview(
        title="Tweet title",
        description="Tweet description",
        image_url="https://cdn.example/t.jpg",
    )


def test_preview_falls_back_to_title_and_meta_description():
    html = b"""<html><head><TITLE>  My
      page &mdash; &quot;news&quot;  </TITLE>
    <META NAME="Description" CONTENT="  A   plain
    description &amp; more ">
    </head><body><title>not this</title></body></html>"""
    assert parse_preview(html, "https://site.example/") == Preview(
        title='My page \u2014 "news"',
        description="A plain description & more",
        image_url=None,
    )


def test_preview_drops_non_http_images():
    for image in ("javascript:alert(1)", "data:image/png;base64,AAAA", "ftp://x.example/i.png"):
        html = f'<meta property="og:image" content="{image}"><title>t</title>'.encode()
        assert parse_preview(html, "https://site.example/").image_url is None


def test_preview_of_a_page_without_any_of_it_is_empty():
    assert parse_preview(b"<p>hi</p>", "https://site.example/") == Preview(None, None, None)
    assert parse_preview(b"", "https://site.example/") == Preview(None, None, None)
    assert parse_preview(b"<title>   </title>", "https://x.example/").title is None


def test_preview_honours_meta_charset():
    html = '<meta charset="iso-8859-1"><title>Caf\xe9 cr\xe8me</title>'.encode("iso-8859-1")
    assert parse_preview(html, "https://site.example/").title == "Café crème"
    legacy = (
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
        "<title>\u041f\u0440\u0438\u0432\u0435\u0442</title>"
    ).encode("cp1251")
    assert (
        parse_preview(legacy, "https://site.example/").title
        == "\u041f\u0440\u0438\u0432\u0435\u0442"
    )


def test_preview_defaults_to_utf8_and_survives_bad_bytes():
    html = "<title>Ünïcödé</title>".encode() + b"<meta name='description' content='a\xffb'>"
    preview = parse_preview(html, "https://site.example/")
    assert preview.title == "Ünïcödé"
    assert preview.description == "a\ufffdb"
    bogus = b'<meta charset="no-such-charset"><title>ok</title>'
    assert parse_preview(bogus, "https://site.example/").title == "ok"


def test_preview_caps_lengths():
    html = (
        f'<meta property="og:title" content="{"t" * 500}">'
        f'<meta property="og:description" content="{"d " * 2000}">'
    ).encode()
    preview = parse_preview(html, "https://site.example/")
    assert preview.title is not None and len(preview.title) == 300
    assert preview.description is not None and len(preview.description) <= 1000
    assert preview.title.endswith("…")


def test_preview_reads_only_the_first_512_kib():
    html = b"<html><body>" + b"x" * (512 * 1024) + b"<title>too late</title>"
    assert parse_preview(html, "https://site.example/").title is None


def test_preview_survives_hostile_markup():
    html = b"<title>ok</title><![if !IE]><!-- <meta property='og:title' content='no'> <a </"
    assert parse_preview(html, "https://site.example/").title == "ok"


async def test_kept_alive_connections_serve_one_host_name_each():
    """Connections are pooled by the pinned address: a pool shared by two names on one IP
    could send one name's request over a TLS connection checked for the other. Each name gets
    a client (a pool) of its own; the least recently used go beyond KEPT_HOSTS; aclose closes
    them all."""
    from backend.fetch import client as fetch_client

    fetcher = SafeFetcher()
    first = fetcher._get_client("a.example")
    assert fetcher._get_client("a.example") is first
    assert fetcher._get_client("b.example") is not first
    for n in range(fetch_client.KEPT_HOSTS):
        fetcher._get_client(f"host{n}.example")
    await asyncio.sleep(0)
    assert first.is_closed  # the least recently used went, its connections closed
    kept = list(fetcher._by_host.values())
    assert len(kept) == fetch_client.KEPT_HOSTS
    await fetcher.aclose()
    assert all(c.is_closed for c in kept)
    assert fetcher._get_client("a.example") is not first
    await fetcher.aclose()
