"""OpenID providers for the single sign-on tests, both on loopback.

`OidcProvider` runs the real thing: the pinned npm package `oidc-provider` (provider.mjs here),
installed with `npm ci` the first time, as the PWA's packages are. `TokenMint` is a provider
whose ID tokens the test writes itself (signed with its own keys, served from its own JWKS):
the cases a real provider never produces (a wrong nonce, audience or domain, an expired or
forged token, a rotated key) need one.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import selectors
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey

HERE = Path(__file__).resolve().parent
MODULES = HERE / "node_modules" / ".package-lock.json"


def install() -> None:
    """`npm ci` in tests/oidc when its node_modules are missing or older than the lock file."""
    lock = HERE / "package-lock.json"
    if MODULES.is_file() and MODULES.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        check=True,
        timeout=600,
    )
    MODULES.touch()


@contextlib.contextmanager
def oidc_provider(
    clients: list[dict[str, Any]], accounts: dict[str, dict[str, Any]]
) -> Iterator[str]:
    """Run provider.mjs with these clients and accounts; yields its issuer URL."""
    install()
    env = {**os.environ, "OIDC_CONFIG": json.dumps({"clients": clients, "accounts": accounts})}
    process = subprocess.Popen(
        ["node", "provider.mjs"],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        issuer = ""
        deadline = time.monotonic() + 30
        while not issuer and time.monotonic() < deadline:
            if selector.select(timeout=0.5):
                line = process.stdout.readline()
                if not line:
                    break
                if line.startswith("READY "):
                    issuer = line.split(" ", 1)[1].strip()
        assert issuer, "oidc-provider did not start (is Node installed?)"
        while True:  # answering its discovery document means ready
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "oidc-provider never answered its discovery"
            time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


@dataclass
class TokenMint:
    """A provider whose token endpoint answers, for each code, the ID token the test minted.

    It checks what a real one checks of Chorus: the client's credentials (HTTP Basic) and the
    PKCE verifier against the challenge of the authorization request the code stands for.
    """

    client_id: str = "chorus-mint"
    client_secret: str = "mint-secret"
    keys: list[RSAKey] = field(default_factory=lambda: [new_key("mint-1")])
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # code → (challenge, token)
    jwks_fetches: int = 0

    def __post_init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def mint(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        key = key or self.keys[0]
        header = {"alg": "RS256", "kid": key.kid}
        return jwt.encode(header, claims, key)

    def claims(self, nonce: str, email: str, /, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        base: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": hashlib.sha256(email.encode()).hexdigest()[:16],
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "email": email,
            "email_verified": True,
            "name": "Mina Minted",
        }
        base.update(overrides)
        return {k: v for k, v in base.items() if v is not None}

    def issue_code(self, authorization_url: str, id_token: str) -> str:
        """A code for the authorization request at `authorization_url` that yields `id_token`."""
        query = parse_qs(urlsplit(authorization_url).query)
        code = base64.urlsafe_b64encode(os.urandom(12)).decode()
        self.codes[code] = (query["code_challenge"][0], id_token)
        return code

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        mint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._json(200, mint.discovery())
                elif self.path == "/jwks":
                    mint.jwks_fetches += 1
                    self._json(200, {"keys": [k.as_dict(private=False) for k in mint.keys]})
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                expected = f"{mint.client_id}:{mint.client_secret}".encode()
                basic = "Basic " + base64.b64encode(expected).decode()
                if self.path != "/token" or self.headers.get("Authorization") != basic:
                    self._json(401, {"error": "invalid_client"})
                    return
                challenge, token = mint.codes.pop(form.get("code", ""), ("", ""))
                verifier = form.get("code_verifier", "")
                computed = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                    .decode()
                    .rstrip("=")
                )
                if not token or computed != challenge:
                    self._json(400, {"error": "invalid_grant"})
                    return
                self._json(200, {"access_token": "x", "token_type": "Bearer", "id_token": token})

        return Handler
