"""The OpenID Connect relying party: what Chorus asks of an organization's identity provider.

An ID token is accepted only when its signature verifies with a key from the issuer's JWKS
and its `iss`, `aud` (and `azp` when there are several audiences), `exp` (60 s of clock skew
allowed), `iat` and `nonce` are right; the JOSE work is joserfc's (Authlib's JOSE library),
never hand-rolled. Discovery documents and key sets are cached per process for an hour; a
token signed with a key id the cached set lacks fetches the set once more (key rotation).

Outbound HTTP reaches only public addresses (hosts in CHORUS_FETCH_ALLOW_HOSTS excepted, for
local test providers): an admin-typed issuer must not become a way into the internal network.
GETs go through the SSRF-guarded `SafeFetcher`; the one POST (the code exchange) checks its
host the same way and goes out with httpx, without redirects, proxies or .netrc credentials.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
import msgspec
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)
from joserfc.jwk import KeySet

from backend.fetch.addresses import IPAddress, is_blocked_ip, literal_ip
from backend.fetch.client import SafeFetcher
from backend.fetch.results import FetchError
from backend.fetch.urls import check_public_url

CACHE_SECONDS = 3600.0
CLOCK_SKEW_SECONDS = 60
SCOPES = "openid email profile"
USER_AGENT = "Chorus single sign-on (OpenID Connect relying party)"
# Asymmetric algorithms only: "none" and the HMAC ones (keyed with the client secret) are refused.
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]


class SignInFailed(Exception):
    """Single sign-on did not produce a person; `reason` is what `/signin?error=` shows."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


@dataclass(frozen=True)
class Outbound:
    """How this process may reach identity providers (from the settings)."""

    allow_hosts: frozenset[str]
    timeout_seconds: float


_discovery: dict[str, tuple[float, dict[str, Any]]] = {}
_key_sets: dict[str, tuple[float, KeySet]] = {}


def pkce_pair(verifier: str) -> str:
    """The S256 code challenge of a code verifier (RFC 7636)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


async def _get_json(url: str, outbound: Outbound) -> dict[str, Any]:
    fetcher = SafeFetcher(
        allow_hosts=outbound.allow_hosts,
        timeout=outbound.timeout_seconds,
        max_bytes=262_144,
        max_redirects=0,
        user_agent=USER_AGENT,
    )
    try:
        result = await fetcher.get(url, headers={"Accept": "application/json"})
    except FetchError as exc:
        raise SignInFailed("provider", f"GET {url}: {exc}") from exc
    finally:
        await fetcher.aclose()
    try:
        body = msgspec.json.decode(result.body)
    except msgspec.DecodeError as exc:
        raise SignInFailed("provider", f"{url} did not answer JSON") from exc
    if not isinstance(body, dict):
        raise SignInFailed("provider", f"{url} did not answer a JSON object")
    return body


def _same_issuer(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


async def discover(issuer: str, outbound: Outbound) -> dict[str, Any]:
    """The issuer's discovery document (OpenID Connect Discovery 1.0), cached for an hour."""
    cached = _discovery.get(issuer)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    document = await _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration", outbound)
    stated = document.get("issuer")
    if not isinstance(stated, str) or not _same_issuer(stated, issuer):
        raise SignInFailed("provider", f"the discovery document names issuer {stated!r}")
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(field), str):
            raise SignInFailed("provider", f"the discovery document has no {field}")
    _discovery[issuer] = (time.monotonic() + CACHE_SECONDS, document)
    return document


async def _key_set(jwks_uri: str, outbound: Outbound, *, fresh: bool = False) -> KeySet:
    cached = _key_sets.get(jwks_uri)
    if not fresh and cached is not None and cached[0] > time.monotonic():
        return cached[1]
    body = await _get_json(jwks_uri, outbound)
    try:
        keys = KeySet.import_key_set(body)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise SignInFailed("provider", f"{jwks_uri} is not a usable JWK set") from exc
    _key_sets[jwks_uri] = (time.monotonic() + CACHE_SECONDS, keys)
    return keys


def authorization_url(
    document: dict[str, Any],
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    nonce: str,
    code_verifier: str,
    login_hint: str,
) -> str:
    """Where the browser goes to sign in: the authorization code flow with PKCE (S256)."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
        "state": state,
        "nonce": nonce,
        "code_challenge": pkce_pair(code_verifier),
        "code_challenge_method": "S256",
        "login_hint": login_hint,
    }
    endpoint: str = document["authorization_endpoint"]
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params, quote_via=quote)


async def _check_host(url: str, outbound: Outbound) -> None:
    """Refuse a URL whose host is not public (the allow-listed test hosts excepted)."""
    try:
        check_public_url(url)
    except ValueError as exc:
        raise SignInFailed("provider", f"{url}: {exc}") from exc
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in outbound.allow_hosts:
        return
    try:
        literal = literal_ip(host)
    except FetchError as exc:
        raise SignInFailed("provider", str(exc)) from exc
    addresses: list[IPAddress | None]
    if literal is not None:
        addresses = [literal]
    else:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise SignInFailed("provider", f"cannot resolve {host!r}") from exc
        addresses = [literal_ip(str(info[4][0])) for info in infos]
    if any(ip is None or is_blocked_ip(ip) for ip in addresses):
        raise SignInFailed("provider", f"{host!r} is not a public address")


async def exchange_code(
    document: dict[str, Any],
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    outbound: Outbound,
) -> str:
    """Trade the authorization code for tokens at the token endpoint; the ID token."""
    endpoint: str = document["token_endpoint"]
    await _check_host(endpoint, outbound)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" in methods:
        # RFC 6749 §2.3.1: each part form-urlencoded before the base64
        pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    else:
        form |= {"client_id": client_id, "client_secret": client_secret}
    try:
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(outbound.timeout_seconds),
            follow_redirects=False,
            trust_env=False,
        ) as http:
            response = await http.post(endpoint, data=form, headers=headers)
    except httpx.HTTPError as exc:
        raise SignInFailed("provider", f"the token endpoint failed: {exc!r}") from exc
    if response.status_code != 200 or len(response.content) > 262_144:
        raise SignInFailed("provider", f"the token endpoint answered {response.status_code}")
    try:
        body = msgspec.json.decode(response.content)
    except msgspec.DecodeError as exc:
        raise SignInFailed("provider", "the token endpoint did not answer JSON") from exc
    id_token = body.get("id_token") if isinstance(body, dict) else None
    if not isinstance(id_token, str) or not id_token:
        raise SignInFailed("provider", "the token endpoint gave no ID token")
    return id_token


_CLAIM_REASONS = {"iss": "issuer", "aud": "audience", "nonce": "nonce", "exp": "expired"}


async def verify_id_token(
    id_token: str,
    document: dict[str, Any],
    *,
    client_id: str,
    nonce: str,
    outbound: Outbound,
) -> dict[str, Any]:
    """The ID token's claims once its signature and `iss`/`aud`/`azp`/`exp`/`iat`/`nonce`
    check out (OpenID Connect Core §3.1.3.7); SignInFailed with the reason otherwise."""
    jwks_uri: str = document["jwks_uri"]
    keys = await _key_set(jwks_uri, outbound)
    try:
        try:
            token = jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGORITHMS)
        except InvalidKeyIdError:
            # a key id we have not seen: the provider may have rotated its keys since we looked
            keys = await _key_set(jwks_uri, outbound, fresh=True)
            token = jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGORITHMS)
    except (BadSignatureError, InvalidKeyIdError) as exc:
        raise SignInFailed("signature", "the ID token's signature does not verify") from exc
    except JoseError as exc:
        raise SignInFailed("token", f"the ID token is unreadable: {exc}") from exc
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_SKEW_SECONDS,
        iss={"essential": True, "value": document["issuer"]},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise SignInFailed("expired", "the ID token has expired") from exc
    except ClaimError as exc:
        reason = _CLAIM_REASONS.get(exc.claim, "token")
        raise SignInFailed(reason, f"the ID token's {exc.claim} is wrong") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise SignInFailed("audience", "the ID token was issued to another party (azp)")
    return claims


def verified_email(claims: dict[str, Any]) -> str | None:
    """The ID token's email if the provider vouches for it, lower-cased; else None.

    `email_verified` is the standard claim (Google, Okta, Keycloak...). Microsoft Entra ID does
    not send it; there, its optional claim `xms_edov` ("email domain owner verified") vouches.
    """
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        return None
    vouched = claims.get("email_verified")
    if vouched is None:
        vouched = claims.get("xms_edov")
    if vouched is True or (isinstance(vouched, str) and vouched.lower() == "true"):
        return email.strip().lower()
    return None
