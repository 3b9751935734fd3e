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


def linkedin_page(text: str) -> str:
    return f"""<!doctype html><html><head><title>LinkedIn</title>
<meta property="og:title" content="A post on LinkedIn"></head>
<body><main><article class="feed-shared-update"><p>{text}</p></article></main></body></html>"""
