"""Chorus as many API processes behind a real proxy: Debian's nginx (1.22.1, package
1.22.1-9+deb12u11 of Debian 12; `.ci/run` installs it) in front of two `chorus serve` processes
on ports of their own and one `chorus worker`, all real child processes on 127.0.0.1.

nginx runs from a configuration written here (`nginx_conf`): an upstream of both API ports,
X-Forwarded-For appended (`$proxy_add_x_forwarded_for`) and X-Forwarded-Proto set from the
connection, no buffering and hour-long timeouts for the live stream, a plain and a TLS listener
(a certificate made for 127.0.0.1) on free loopback ports; pid, logs and temp files in a temp
dir, so it needs no root and never touches /etc/nginx. The API processes trust 127.0.0.1 only
(CHORUS_TRUSTED_PROXIES), where nginx connects from; clients connect from other loopback
addresses (127.0.0.2 and up), so a client talking to an API process directly is not trusted.
This proxy (not Chorus) names the API process that answered in `X-Upstream`.

Proved here:
- the share flow (sign-up, invites, a challenge, tracked links, claims, verification by the
  worker) works through the proxy, with live streams held by BOTH API processes, and every
  person's decision reaches their stream on whichever process holds it (Redis pub/sub);
- the client address and scheme come through nginx: a click is attributed to the address nginx
  saw (the sharer's own click is `self`, a colleague's from another address is not, and an
  X-Forwarded-For the client wrote itself changes nothing); HSTS is sent for HTTPS at nginx,
  never for plain HTTP at nginx and never to a client that claims HTTPS to an API process
  directly;
- SIGKILL to one API process while claims are being posted loses none: every claim, retried by
  its client on 502/504 or a cut connection with the same Idempotency-Key, exists exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.embedded import free_port
from backend.points.tables import PointsLedger
from tests.fakes import Answer, FakeNetwork, linkedin_page
from tests.helpers import TMP_ROOT, Account, add_member, bearer, create_challenge, signup
from tests.stack import Stack

pytestmark = pytest.mark.slow

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"


def nginx_conf(root: Path, *, http_port: int, https_port: int, api_ports: list[int]) -> str:
    """nginx in front of the API processes, everything it writes under `root`."""
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in api_ports
    )
    # as root, nginx's workers switch to `nobody`: the temp dirs they write are theirs
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    return f"""
{user}
daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format chorus '$remote_addr "$request" $status upstream=$upstream_addr '
                      'upstream_status=$upstream_status';
    access_log {root}/access.log chorus;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    client_max_body_size 25m;

    upstream chorus {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{http_port};
        listen 127.0.0.1:{https_port} ssl;
        ssl_certificate {root}/cert.pem;
        ssl_certificate_key {root}/key.pem;

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        # appended, so the client's own entries stay on the left, where Chorus ignores them
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        # replaced: whatever the client sent, this is the scheme it used to reach nginx
        proxy_set_header X-Forwarded-Proto $scheme;
        # for this test only: which API process answered
        add_header X-Upstream $upstream_addr always;

        location / {{
            proxy_pass http://chorus;
        }}
        location = /api/v1/events {{
            proxy_pass http://chorus;
            proxy_buffering off;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
        }}
    }}
}}
"""


def self_signed(root: Path) -> Path:
    """A certificate for 127.0.0.1 (key.pem, cert.pem in root); returns the certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (root / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (root / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return root / "cert.pem"


@dataclass
class Proxied:
    apis: list[Stack]
    base_url: str  # nginx, plain HTTP
    https_url: str  # nginx, TLS
    tls: ssl.SSLContext
    root: Path

    def access_log(self) -> str:
        return (self.root / "access.log").read_text(errors="replace")

    def client(
        self, address: str, *, base_url: str | None = None, **kwargs: Any
    ) -> httpx.AsyncClient:
        """A client connecting from `address` (a loopback address other than nginx's)."""
        verify: Any = self.tls if (base_url or self.base_url).startswith("https") else True
        transport = httpx.AsyncHTTPTransport(local_address=address, verify=verify)
        return httpx.AsyncClient(
            transport=transport, base_url=base_url or self.base_url, timeout=60, **kwargs
        )


@pytest.fixture(scope="module")
def proxied() -> Iterator[Proxied]:
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (apt-get install nginx-light; .ci/run does)")
    root = TMP_ROOT / f"chorus-proxy-{secrets.token_hex(4)}"  # kept: logs, for a failure
    root.mkdir(parents=True)
    root.chmod(0o755)
    env = {**os.environ, "CHORUS_TRUSTED_PROXIES": "127.0.0.1", "CHORUS_LOG_LEVEL": "WARNING"}
    apis = [Stack(env, api_processes=1, log_dir=root / f"api-{n}") for n in range(2)]
    http_port, https_port = free_port(), free_port()
    cert = self_signed(root)
    (root / "nginx.conf").write_text(
        nginx_conf(
            root, http_port=http_port, https_port=https_port, api_ports=[a.port for a in apis]
        )
    )
    nginx: subprocess.Popen[bytes] | None = None
    try:
        for api in apis:
            api.start_api()
        apis[0].start_worker()
        with (root / "nginx.out").open("wb") as out:
            nginx = subprocess.Popen(
                [
                    NGINX,
                    "-c",
                    str(root / "nginx.conf"),
                    "-p",
                    str(root),
                    "-e",
                    str(root / "error.log"),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base_url = f"http://127.0.0.1:{http_port}"
        deadline = time.monotonic() + 30
        while True:
            assert nginx.poll() is None, (root / "nginx.out").read_text() + _tail(
                root / "error.log"
            )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base_url}/ready", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, _tail(root / "error.log")
            time.sleep(0.1)
        yield Proxied(
            apis,
            base_url,
            f"https://127.0.0.1:{https_port}",
            ssl.create_default_context(cafile=str(cert)),
            root,
        )
    finally:
        if nginx is not None and nginx.poll() is None:
            os.killpg(nginx.pid, signal.SIGQUIT)  # graceful: finish what is in hand
            try:
                nginx.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(nginx.pid, signal.SIGKILL)
                nginx.wait()
        for api in apis:
            api.stop()


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def _port(upstream: str) -> int:
    """The API port in nginx's $upstream_addr (the last one tried)."""
    return int(upstream.split(",")[-1].strip().rsplit(":", 1)[1])


@dataclass
class Stream:
    """One open `GET /api/v1/events` through nginx and the events it carried."""

    port: int = 0
    events: list[tuple[str, Any]] = field(default_factory=list)
    opened: asyncio.Event = field(default_factory=asyncio.Event)

    def submissions(self) -> list[dict[str, Any]]:
        return [data for event, data in self.events if event == "submission"]


async def _listen(http: httpx.AsyncClient, token: str, stream: Stream) -> None:
    async with http.stream("GET", "/api/v1/events", headers=bearer(token)) as resp:
        assert resp.status_code == 200, await resp.aread()
        stream.port = _port(resp.headers["x-upstream"])
        event = ""
        async for line in resp.aiter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                stream.events.append((event, json.loads(line.split(":", 1)[1])))
                if event == "ready":
                    stream.opened.set()


@contextlib.asynccontextmanager
async def streams(http: httpx.AsyncClient, tokens: list[str]) -> AsyncIterator[list[Stream]]:
    """A live stream per token, opened one after the other (nginx takes turns), all ready."""
    opened = [Stream() for _ in tokens]
    tasks = []
    for token, stream in zip(tokens, opened, strict=True):
        tasks.append(asyncio.create_task(_listen(http, token, stream)))
        await asyncio.wait_for(stream.opened.wait(), 30)
    try:
        yield opened
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _until(check: Any, what: str, seconds: float = 60.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        got = await check()
        if got:
            return got
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


async def _challenge(http: httpx.AsyncClient, admin: Account, network: FakeNetwork, n: int) -> str:
    page = f"/content/proxy-{n}"
    network.post_page(page, Answer(body=f"<html><head><title>Launch {n}</title></head></html>"))
    challenge = await create_challenge(
        http,
        admin,
        title=f"Launch {n}",
        contentUrl=f"{network.base}{page}?ref=proxy",
        networks=["linkedin"],
        shareText={"linkedin": f"Proud of launch {n}."},
    )
    return str(challenge["id"])


async def _share(
    http: httpx.AsyncClient, network: FakeNetwork, person: Account, challenge_id: str, tag: str
) -> tuple[str, dict[str, Any]]:
    """`person` takes a tracked link and posts it on (the fake) LinkedIn; returns the claim body
    and the link."""
    resp = await http.post(
        f"/api/v1/challenges/{challenge_id}/share-links",
        json={"network": "linkedin"},
        headers=bearer(person),
    )
    assert resp.status_code in (200, 201), resp.text
    link: dict[str, Any] = resp.json()
    activity = f"{int(uuid.uuid4().int % 10**19):019d}"
    path = f"/posts/{tag}-activity-{activity}-P{tag}"
    network.linkedin_post(path, linkedin_page(f"Proud {link['trackedUrl']}"))
    return f"https://www.linkedin.com{path}", link


async def test_the_share_flow_through_nginx_reaches_streams_on_both_processes(
    proxied: Proxied, network: FakeNetwork
) -> None:
    api_ports = {api.port for api in proxied.apis}
    async with proxied.client("127.0.0.2") as http:
        admin = await signup(http, org="Proxy Co")
        people = [await add_member(http, admin, name=f"Person {n}") for n in range(4)]
        challenge_id = await _challenge(http, admin, network, 0)
        # two streams each, opened in turn: nginx alternates, so each person has one on each
        tokens = [p.token for p in people for _ in range(2)]
        async with streams(http, tokens) as opened:
            assert {s.port for s in opened} == api_ports, [s.port for s in opened]
            for n, person in enumerate(people):
                post_url, _ = await _share(http, network, person, challenge_id, f"flow{n}")
                resp = await http.post(
                    f"/api/v1/challenges/{challenge_id}/submissions",
                    json={"network": "linkedin", "postUrl": post_url},
                    headers=bearer(person),
                )
                assert resp.status_code == 202, resp.text

            async def all_told() -> bool:
                return all(any(d["status"] == "verified" for d in s.submissions()) for s in opened)

            await _until(all_told, "every stream to carry its owner's verified share", 90)
            by_port = {port: [s for s in opened if s.port == port] for port in api_ports}
            assert all(by_port.values())  # decisions reached streams on both processes
            for index, stream in enumerate(opened):
                owner = people[index // 2]
                (told,) = stream.submissions()  # only the owner's own decision
                assert told["challengeId"] == challenge_id and told["pointsAwarded"] == 50
                ready = [d for e, d in stream.events if e == "ready"]
                assert ready == [{"userId": owner.user_id}]

        async def on_the_board() -> bool:
            resp = await http.get(
                "/api/v1/leaderboards/users?period=all&limit=10", headers=bearer(admin)
            )
            assert resp.status_code == 200, resp.text
            shown = {e["userId"]: e["points"] for e in resp.json()["entries"]}
            rows = await PointsLedger.raw(
                'SELECT "user", sum(delta) AS n FROM points_ledger WHERE org = {} GROUP BY "user"',
                uuid.UUID(admin.org_id),
            )
            ledger = {str(r["user"]): int(r["n"]) for r in rows}
            # the share's 50 points and whatever bonus came with it, as the ledger says
            return set(ledger) == {p.user_id for p in people} and shown == ledger

        # boards are served from snapshots a moment old
        await _until(on_the_board, "the board to show every verified share", 20)
    log = proxied.access_log()
    served = {int(port) for port in re.findall(r"upstream=127\.0\.0\.1:(\d+)", log)}
    assert served == api_ports  # ordinary requests were balanced over both too


async def _click_kinds(code: str, count: int) -> list[str]:
    async def clicks() -> list[str] | None:
        rows = await PointsLedger.raw(
            "SELECT c.kind FROM click c JOIN share_link l ON l.id = c.link "
            "WHERE l.code = {} ORDER BY c.at",
            code,
        )
        return [r["kind"] for r in rows] if len(rows) >= count else None

    kinds: list[str] = await _until(clicks, f"{count} clicks of {code} in PostgreSQL", 60)
    return kinds


async def test_client_addresses_and_https_come_through_nginx_only(
    proxied: Proxied, network: FakeNetwork
) -> None:
    api = proxied.apis[1].base_url  # one API process, asked directly (not through nginx)
    async with proxied.client("127.0.0.2") as admin_http:
        admin = await signup(admin_http, org="Forwarded Co")
        person = await add_member(admin_http, admin, name="Sharer")
        challenge_id = await _challenge(admin_http, admin, network, 1)
    # the sharer uses Chorus from 127.0.0.3: through nginx, that is the address Chorus notes
    async with proxied.client("127.0.0.3") as sharer:
        _, link = await _share(sharer, network, person, challenge_id, "fwd")
        assert (await sharer.get("/api/v1/me", headers=bearer(person))).status_code == 200
    code = link["trackedUrl"].rsplit("/", 1)[1]
    visits = [
        # the sharer's own click, through nginx: their own address, so `self`
        ("127.0.0.3", proxied.base_url, {}),
        # a colleague at 127.0.0.4 who writes the sharer's address into X-Forwarded-For:
        # nginx appends the real one, which Chorus takes: not `self`
        ("127.0.0.4", proxied.base_url, {"X-Forwarded-For": "127.0.0.3"}),
        # the same trick straight to an API process: 127.0.0.5 is no trusted proxy, so its
        # X-Forwarded-For is not read at all
        ("127.0.0.5", api, {"X-Forwarded-For": "127.0.0.3"}),
    ]
    for address, base_url, headers in visits:
        async with proxied.client(address, base_url=base_url) as visitor:
            resp = await visitor.get(f"/s/{code}", headers={"User-Agent": BROWSER, **headers})
            assert resp.status_code == 302, resp.text
    kinds = await _click_kinds(code, len(visits))
    assert kinds[0] == "self" and "self" not in kinds[1:], kinds

    hsts = "strict-transport-security"
    async with proxied.client("127.0.0.2", base_url=proxied.https_url) as https:
        resp = await https.get("/health")
        assert resp.status_code == 200 and resp.headers[hsts].startswith("max-age=")
    async with proxied.client("127.0.0.2") as plain:
        # nginx replaces the client's X-Forwarded-Proto with the scheme it really used
        resp = await plain.get("/health", headers={"X-Forwarded-Proto": "https"})
        assert resp.status_code == 200 and hsts not in resp.headers
    async with proxied.client("127.0.0.2", base_url=api) as direct:
        resp = await direct.get("/health", headers={"X-Forwarded-Proto": "https"})
        assert resp.status_code == 200 and hsts not in resp.headers


async def _submit_until_answered(
    http: httpx.AsyncClient,
    person: Account,
    challenge_id: str,
    post_url: str,
    tally: dict[str, int],
) -> int:
    """POST one claim through nginx until it is answered; every try with the same key."""
    key = str(uuid.uuid4())
    deadline = time.monotonic() + 180
    while True:
        try:
            resp = await http.post(
                f"/api/v1/challenges/{challenge_id}/submissions",
                json={"network": "linkedin", "postUrl": post_url},
                headers={**bearer(person), "Idempotency-Key": key},
            )
        except httpx.TransportError as exc:
            tally[type(exc).__name__] = tally.get(type(exc).__name__, 0) + 1
        else:
            if resp.status_code not in (502, 503, 504):
                tally[str(resp.status_code)] = tally.get(str(resp.status_code), 0) + 1
                return resp.status_code
            tally[str(resp.status_code)] = tally.get(str(resp.status_code), 0) + 1
        assert time.monotonic() < deadline, f"claim never answered: {tally}"
        await asyncio.sleep(0.3)


async def test_an_api_process_killed_mid_run_loses_no_claim(
    proxied: Proxied, network: FakeNetwork
) -> None:
    people_count, challenges_count = 6, 5
    async with proxied.client("127.0.0.2") as http:
        admin = await signup(http, org="Kill Co")
        people = [await add_member(http, admin, name=f"Person {n}") for n in range(people_count)]
        challenge_ids = [
            await _challenge(http, admin, network, 10 + n) for n in range(challenges_count)
        ]
        claims = []
        for c, challenge_id in enumerate(challenge_ids):
            for p, person in enumerate(people):
                post_url, _ = await _share(http, network, person, challenge_id, f"k{c}x{p}")
                claims.append((person, challenge_id, post_url))
        tally: dict[str, int] = {}
        gate = asyncio.Semaphore(6)

        async def claim(person: Account, challenge_id: str, post_url: str) -> int:
            async with gate:
                return await _submit_until_answered(http, person, challenge_id, post_url, tally)

        victim = proxied.apis[0]
        before = proxied.access_log()
        tasks = [asyncio.create_task(claim(*c)) for c in claims]
        # killed once a few claims are answered and the rest are in flight
        await _until(lambda: _answered(tally, 6), "the first claims to be answered", 120)
        await asyncio.to_thread(victim.kill_api)
        statuses = await asyncio.gather(*tasks)
        await asyncio.to_thread(victim.start_api)  # back for whatever runs after
    print(f"answers and errors seen by the clients: {tally}")
    assert set(statuses) <= {202, 409}, statuses  # 409: the killed process committed it first
    rows = await PointsLedger.raw(
        'SELECT "user", challenge, count(*) AS n FROM submission WHERE org = {} '
        'GROUP BY "user", challenge',
        uuid.UUID(admin.org_id),
    )
    counts = {(str(r["user"]), str(r["challenge"])): int(r["n"]) for r in rows}
    assert counts == {(p.user_id, c): 1 for p, c, _ in claims}  # each claim exactly once
    # the victim did serve claims of this run before it died
    log = proxied.access_log()[len(before) :]
    claims_served = re.findall(
        r'"POST /api/v1/challenges/[^ ]+/submissions[^"]*" (\d+) upstream=([^ ]+)', log
    )
    assert any(str(victim.port) in upstream for _, upstream in claims_served), log[-2000:]


async def _answered(tally: dict[str, int], count: int) -> bool:
    return tally.get("202", 0) >= count
