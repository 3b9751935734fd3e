"""Local servers that behave like the social networks Chorus reads (STYLE rule 10).

One FakeNetwork per test process serves LinkedIn-like and Facebook-like post pages under
/linkedin/... and /facebook/..., and an X-like oEmbed endpoint at /x/oembed. Tests script what
each post answers: a page, a status, a slow answer, failures before success, a redirect.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    status: int = 200
    body: str = ""
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0
    fail_first: int = 0  # answer 500 this many times before the real answer
    location: str | None = None


class FakeNetwork:
    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.answers.clear()
            self.hits.clear()

    def post_page(self, path: str, answer: Answer) -> None:
        """What GET <network base><path> answers (path as on the real network)."""
        self.answers[path] = answer

    def linkedin_post(self, post_path: str, html: str = "", **kwargs: object) -> None:
        self.post_page(f"/linkedin{post_path}", Answer(body=html, **kwargs))  # type: ignore[arg-type]

    def x_post(self, post_url: str, html: str = "", **kwargs: object) -> None:
        body = json.dumps({"url": post_url, "author_name": "Someone", "html": html})
        self.post_page(
            f"/x/oembed?{post_url}",
            Answer(body=body, content_type="application/json", **kwargs),  # type: ignore[arg-type]
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                key = parts.path
                if parts.path == "/x/oembed":
                    key = f"/x/oembed?{parse_qs(parts.query).get('url', [''])[0]}"
                elif parts.query:
                    key = f"{parts.path}?{parts.query}"
                with fake._lock:
                    fake.hits[key] = fake.hits.get(key, 0) + 1
                    hits = fake.hits[key]
                    answer = fake.answers.get(key) or fake.answers.get(parts.path)
                if answer is None:
                    return self._send(404, b"not found", "text/plain")
                if answer.delay:
                    time.sleep(answer.delay)
                if hits <= answer.fail_first:
                    return self._send(500, b"oops", "text/plain")
                headers = {"Location": answer.location} if answer.location else {}
                self._send(answer.status, answer.body.encode(), answer.content_type, headers)

            def _send(
                self,
                status: int,
                body: bytes,
                content_type: str,
                headers: dict[str, str] | None = None,
            ) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def linkedin_page(text: str, reactions: int | None = None, comments: int | None = None) -> str:
    """A public post page; with counts, the bar the page shows them in (as of 2026,
    backend/submissions/engagement.py `parse_counts`)."""
    counts = ""
    if reactions is not None or comments is not None:
        shown = "".join(
            f' data-{name}="{value:,}"'
            for name, value in (("reactions", reactions), ("comments", comments))
            if value is not None
        )
        counts = f'<div class="social-counts"{shown}><span>{reactions or 0} reactions</span></div>'
    return f"""<!doctype html><html><head><title>LinkedIn</title>
<meta property="og:title" content="A post on LinkedIn"></head>
<body><main><article class="feed-shared-update"><p>{text}</p></article>{counts}</main>
</body></html>"""


class FakePushService:
    """A local push service that behaves like a real one: it checks the VAPID JWT (audience,
    expiry within 24 h, ES256 signature by the server's public key) and decrypts the aes128gcm
    body with the subscription's private key before answering 201. Tests can script 410, 429
    with Retry-After, or 500 answers per subscription."""

    def __init__(self, vapid_public: str) -> None:
        import base64
        import secrets as _secrets

        from cryptography.hazmat.primitives.asymmetric import ec

        self._ec = ec
        self._b64 = base64
        self._secrets = _secrets
        self.vapid_public = vapid_public
        self.keys: dict[str, tuple[Any, bytes]] = {}
        self.messages: list[dict[str, Any]] = []
        self.rejected: list[str] = []
        self.script: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.rejected.clear()
            self.script.clear()

    def _b64e(self, raw: bytes) -> str:
        return self._b64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _b64d(self, text: str) -> bytes:
        return self._b64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    def subscription(self) -> dict[str, Any]:
        """What a browser's pushManager.subscribe() would give the app."""
        from cryptography.hazmat.primitives import serialization

        key = self._ec.generate_private_key(self._ec.SECP256R1())
        auth = self._secrets.token_bytes(16)
        sub_id = self._secrets.token_hex(8)
        self.keys[sub_id] = (key, auth)
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.base}/push/{sub_id}",
            "expirationTime": None,
            "keys": {"p256dh": self._b64e(public), "auth": self._b64e(auth)},
        }

    def _verify(self, sub_id: str, headers: Any, body: bytes) -> dict[str, Any]:
        import http_ece
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

        auth_header = headers.get("Authorization", "")
        assert auth_header.startswith("vapid "), auth_header
        parts = dict(p.strip().split("=", 1) for p in auth_header[6:].split(","))
        token, k = parts["t"], parts["k"]
        assert k == self.vapid_public, "signed by another key"
        head, claims_b64, sig = token.split(".")
        public = self._ec.EllipticCurvePublicKey.from_encoded_point(
            self._ec.SECP256R1(), self._b64d(k)
        )
        raw = self._b64d(sig)
        public.verify(
            encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
            f"{head}.{claims_b64}".encode(),
            self._ec.ECDSA(hashes.SHA256()),
        )
        claims = json.loads(self._b64d(claims_b64))
        assert claims["aud"] == self.base, claims
        assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims
        assert claims["sub"].startswith("mailto:"), claims
        key, auth = self.keys[sub_id]
        plain = http_ece.decrypt(body, private_key=key, auth_secret=auth, version="aes128gcm")
        return {
            "subscription": sub_id,
            "payload": json.loads(plain),
            "ttl": headers.get("TTL"),
            "urgency": headers.get("Urgency"),
            "topic": headers.get("Topic"),
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                sub_id = self.path.rsplit("/", 1)[-1]
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with fake._lock:
                    scripted = fake.script.get(sub_id)
                    answer = scripted.pop(0) if scripted else None
                if answer is not None and answer[0] != 201:
                    return self._send(answer[0], answer[1])
                try:
                    message = fake._verify(sub_id, self.headers, body)
                except Exception as exc:  # a bad signature or body: what a real service says
                    with fake._lock:
                        fake.rejected.append(repr(exc))
                    return self._send(403, {})
                with fake._lock:
                    fake.messages.append(message)
                self._send(201, {})

            def _send(self, status: int, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler
