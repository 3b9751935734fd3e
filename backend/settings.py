"""Typed settings from CHORUS_* environment variables (and an optional .env), loaded once.

Every variable is documented in README.md (Configuration). `load_settings()` reads the
environment; `get_settings()` caches the first result for the life of the process.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

import msgspec

from backend.core.networks import parse_networks
from backend.core.tokens import Purpose, derive_key

Env = Literal["dev", "test", "production"]

# A key any reader of this file knows is no key: refused outside dev.
KNOWN_BAD_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev", "chorus"})
MIN_SECRET_LENGTH = 32


class SettingsError(Exception):
    """The configuration cannot run Chorus; the message says what to set."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    env: Env = "production"
    secret_key: str = ""
    database_url: str = ""
    redis_url: str = ""
    # The leaderboards' Redis (backend/leaderboards/store.py): empty = CHORUS_REDIS_URL; with
    # boards_redis_cluster=true it is a Redis Cluster node's URL (redis-py's RedisCluster).
    boards_redis_url: str = ""
    boards_redis_cluster: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    # idle keep-alive connections are closed after this; longer than any proxy's or phone's own
    # idle timeout, so the client, not the server, lets a connection go (no request meets a
    # connection the server is closing: nginx's upstream keep-alive is 60 s)
    keepalive_seconds: int = 75
    data_dir: str = ".chorus"
    public_url: str = ""
    open_signup: bool | None = None
    access_token_ttl_seconds: int = 12 * 3600
    invite_ttl_hours: int = 7 * 24
    max_body_bytes: int = 1_048_576
    login_max_attempts_per_email: int = 10
    login_max_attempts_per_ip: int = 50
    login_window_seconds: int = 900
    signup_max_per_ip: int = 10  # new organizations one address may sign up an hour
    token_failures_per_ip: int = 20  # wrong invite or reset tokens one address may try an hour
    reset_emails_per_hour: int = 3  # password reset emails one address receives an hour
    # Email (backend/mail/): smtp://user:pass@host:port[?starttls=true] or smtps://user:pass@
    # host:465; empty: Chorus sends no email. The sender: "Chorus <chorus@example.com>".
    smtp_url: str = ""
    mail_from: str = ""
    cookie_secure: bool | None = None
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    db_pool_min: int = 1
    db_pool_max: int = 10
    inprocess_worker: bool = False
    trust_forwarded_for: bool = False  # older spelling of CHORUS_TRUSTED_PROXIES=127.0.0.1,::1
    # Proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For / -Proto are believed:
    # the client is the rightmost X-Forwarded-For hop that is not one of them.
    trusted_proxies: str = ""
    # Strict-Transport-Security max-age on answers served over HTTPS; 0 sends none.
    hsts_seconds: int = 31_536_000
    # The API reference at /schema (and its OpenAPI document): on in dev and test, off in
    # production unless set to true.
    api_docs: bool | None = None
    fetch_timeout_seconds: float = 5.0
    fetch_max_bytes: int = 1_048_576
    # Hosts that outbound fetches may reach although they resolve to private addresses.
    # Only for tests and local fakes of social networks; never set in production.
    fetch_allow_hosts: str = ""
    click_flush_ms: int = 100
    trust_points_percent: int = 50
    verify_max_tries: int = 4
    verify_retry_seconds: float = 5.0
    sweep_pending_after_seconds: int = 120
    # A verified post whose word-shingle Jaccard similarity to the suggested text or to a
    # colleague's verified post for the same challenge reaches this is not "in their own words".
    own_words_max_similarity: float = 0.5
    linkedin_base_url: str = "https://www.linkedin.com"
    x_oembed_url: str = "https://publish.twitter.com/oembed"
    facebook_base_url: str = "https://www.facebook.com"
    vapid_private_key: str = ""  # base64url raw P-256 key (chorus vapid-keys), or:
    vapid_private_key_file: str = ""
    vapid_subject: str = "mailto:advocacy@chorus.invalid"
    push_retry_seconds: float = 30.0  # when a push service says "later" without Retry-After
    # Push services the worker may POST to (browsers' own); "*." matches any subdomain.
    push_hosts: str = (
        "fcm.googleapis.com,updates.push.services.mozilla.com,*.push.apple.com,*.notify.windows.com"
    )
    leaderboard_min_team_size: int = 3
    leaderboard_memory_max: int = 50_000
    # Tests only (ignored unless CHORUS_ENV=test): "<fault>:<n>" makes this process fail at the
    # n-th award it is about to put on the boards: "exit" (os._exit(137) before writing),
    # "exit-after" (after the board write, before the outbox row is deleted), "drop-db" (its
    # PostgreSQL session is ended inside the board update). See backend/leaderboards/outbox.py.
    fault_board_write: str = ""
    level_thresholds: str = "0,100,250,500,1000,2000,3500,5500,8000,12000"
    feature_bonus_points: int = 25  # a story featured as "story of the week"
    kudos_per_day: int = 3  # kudos each person may give a day
    kudos_points: int = 5  # for the one who receives them
    kudos_received_points_per_day: int = 15  # points one person may receive from kudos a day
    kudos_per_colleague_per_day: int = 1  # kudos one person may give the same colleague a day
    # clicks one address may make on tracked links a minute before the rest count as repeats
    clicks_per_address_per_minute: int = 20
    # The networks' published address ranges (CIDRs, comma-separated): a preview bot's fetch of
    # a tracked link is evidence of a post only from these. Defaults: the networks' own
    # autonomous systems as routed in 2026 (LinkedIn AS14413, X AS13414, Meta AS32934);
    # refresh them from the networks' documentation. WhatsApp previews are fetched by phones.
    linkedin_bot_ranges: str = "108.174.0.0/20,144.2.0.0/19,185.63.144.0/22,2620:109:c000::/40"
    x_bot_ranges: str = "199.16.156.0/22,199.59.148.0/22,192.133.76.0/22,104.244.40.0/21"
    facebook_bot_ranges: str = (
        "31.13.24.0/21,31.13.64.0/18,66.220.144.0/20,69.63.176.0/20,69.171.224.0/19,"
        "173.252.64.0/18,157.240.0.0/16,2a03:2880::/32"
    )
    comments_per_minute: int = 10
    # The built employee app (`npm run build` in pwa/); empty: pwa/dist beside the backend package.
    pwa_dir: str = ""
    # Where challenge media live (backend/storage.py): "local" files under media_dir (empty:
    # <data_dir>/media) or "s3": a bucket of any S3-compatible service (s3_endpoint empty: AWS);
    # its credentials come from the standard AWS_* variables, never from CHORUS_* settings.
    media_store: Literal["local", "s3"] = "local"
    media_dir: str = ""
    s3_endpoint: str = ""
    s3_bucket: str = ""
    s3_region: str = ""

    @property
    def levels(self) -> list[int]:
        """Points needed for level 1, 2, 3, ...: ascending, starting at 0."""
        values = sorted({int(v) for v in self.level_thresholds.split(",") if v.strip()} | {0})
        return values

    @property
    def fetch_allow_list(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.fetch_allow_hosts.split(",") if h.strip())

    @property
    def trusted_proxy_spec(self) -> str:
        """CHORUS_TRUSTED_PROXIES, with the loopback proxy the older flag meant."""
        return self.trusted_proxies + (",127.0.0.1,::1" if self.trust_forwarded_for else "")

    def bot_ranges(self, network: str) -> str:
        """The published address ranges of `network`'s preview bot ("" when it has none)."""
        return {
            "linkedin": self.linkedin_bot_ranges,
            "x": self.x_bot_ranges,
            "facebook": self.facebook_bot_ranges,
        }.get(network, "")

    @property
    def email_configured(self) -> bool:
        return bool(self.smtp_url)

    @property
    def mail_sender(self) -> str:
        return self.mail_from or "Chorus <chorus@localhost>"

    @property
    def is_dev(self) -> bool:
        return self.env == "dev"

    @property
    def signup_open(self) -> bool:
        if self.open_signup is not None:
            return self.open_signup
        return self.env in ("dev", "test")

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.env == "production"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def api_docs_served(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.env != "production"

    def key_for(self, purpose: Purpose) -> str:
        """The key for one use of the secret (derived by HKDF; never the secret itself)."""
        return derive_key(self.secret_key, purpose)

    def check(self) -> None:
        """Refuse settings that cannot run safely: missing URLs, or a weak key outside dev."""
        if not self.database_url:
            raise SettingsError(
                "CHORUS_DATABASE_URL is not set (chorus dev starts an embedded one)"
            )
        if not self.redis_url:
            raise SettingsError("CHORUS_REDIS_URL is not set (chorus dev starts an embedded one)")
        if self.boards_redis_cluster and not self.boards_redis_url:
            raise SettingsError(
                "CHORUS_BOARDS_REDIS_CLUSTER=true needs CHORUS_BOARDS_REDIS_URL (a cluster node)"
            )
        for name in (
            "trusted_proxies",
            "linkedin_bot_ranges",
            "x_bot_ranges",
            "facebook_bot_ranges",
        ):
            try:
                parse_networks(getattr(self, name))
            except ValueError as exc:
                raise SettingsError(f"CHORUS_{name.upper()}: {exc}") from exc
        if self.media_store == "s3" and not self.s3_bucket:
            raise SettingsError("CHORUS_MEDIA_STORE=s3 needs CHORUS_S3_BUCKET")
        if self.smtp_url and not self.smtp_url.startswith(("smtp://", "smtps://")):
            raise SettingsError("CHORUS_SMTP_URL must start with smtp:// or smtps://")
        if self.is_dev:
            return
        if self.secret_key in KNOWN_BAD_SECRETS or len(self.secret_key) < MIN_SECRET_LENGTH:
            raise SettingsError(
                "CHORUS_SECRET_KEY is missing, a default, or shorter than "
                f"{MIN_SECRET_LENGTH} characters; generate one with "
                '`python -c "import secrets; print(secrets.token_urlsafe(48))"`'
            )


def _read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and # comments skipped; quotes around a value removed."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build Settings from CHORUS_* variables; a .env file fills what the environment lacks."""
    source = dict(os.environ if environ is None else environ)
    dotenv = _read_dotenv(Path(source.get("CHORUS_DOTENV", ".env")))
    merged = {**dotenv, **source}
    raw = {
        key.removeprefix("CHORUS_").lower(): value
        for key, value in merged.items()
        if key.startswith("CHORUS_") and not key.startswith(("CHORUS_TEST_", "CHORUS_DOTENV"))
    }
    known = set(Settings.__struct_fields__)
    try:
        return msgspec.convert({k: v for k, v in raw.items() if k in known}, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"invalid CHORUS_* setting: {exc}") from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def dev_secret_key(data_dir: Path) -> str:
    """The dev secret key: generated once into the data directory, never committed."""
    path = data_dir / "secret_key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key + "\n", encoding="utf-8")
    path.chmod(0o600)
    return key
