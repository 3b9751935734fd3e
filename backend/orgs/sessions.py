"""Sessions that end: a token works only while nothing has ended it.

The invariant: once `end_sessions` or `end_token` returns, the token(s) it ended answer 401 in
this process at once and in every other API process within SESSION_CACHE_SECONDS (at once
when the Redis notice on SESSION_ENDS arrives, which backend/live.py listens for).

- Every token carries its issue time in microseconds (`t`) and an id (`jti`), see
  backend/http/auth.py. `app_user.sessions_ended_at` ends every token issued before it, but
  the one named by `app_user.kept_token` (the caller's own, on a password change).
- One token ended alone (a logout) goes on a per-person deny-list in Redis, a sorted set of
  token ids scored by their expiry, read with the person's row when the cache is cold.

Who a token names is remembered per process for SESSION_CACHE_SECONDS, so a warm
authenticated request costs no database query and no Redis round trip.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from redis.asyncio import Redis

from backend.core.identity import CurrentUser
from backend.orgs.tables import User
from backend.settings import get_settings

log = logging.getLogger("chorus.sessions")

SESSION_CACHE_SECONDS = 5.0
# Pub/sub channel: the id of a person whose sessions just ended (every API process forgets them)
SESSION_ENDS = "chorus:session-ends"
MAX_CACHED = 100_000


def _ended_tokens_key(user_id: UUID) -> str:
    return f"chorus:ended-tokens:{user_id}"


@dataclass(frozen=True, slots=True)
class _Session:
    user: CurrentUser | None
    ended_before_us: int | None  # tokens issued at or before this (µs since epoch) are ended
    kept_token: str | None
    ended_tokens: frozenset[str]


_cache: dict[tuple[UUID, UUID], tuple[float, _Session]] = {}
_redis: Redis | None = None
_installed: list[Redis] = []  # one per running app of this process (tests run several)


def install(redis: Redis) -> None:
    """Use this Redis for the deny-list and the SESSION_ENDS notices (the app's lifespan)."""
    global _redis
    _installed.append(redis)
    _redis = redis


def uninstall(redis: Redis | None = None) -> None:
    """Stop using `redis` (the last installed one when None)."""
    global _redis
    if redis is None and _installed:
        redis = _installed[-1]
    if redis in _installed:
        _installed.remove(redis)
    _redis = _installed[-1] if _installed else None


def forget(user_id: UUID) -> None:
    """Forget what this process remembers of a person's sessions (read again on next use)."""
    for key in [k for k in _cache if k[0] == user_id]:
        _cache.pop(key, None)


def forget_organization(org_id: UUID) -> None:
    """Forget what this process remembers of an organization's people (its default language
    changed); other processes read them again within SESSION_CACHE_SECONDS."""
    for key in [k for k in _cache if k[1] == org_id]:
        _cache.pop(key, None)


def now_us() -> int:
    return time.time_ns() // 1000


async def user_of_token(
    user_id: UUID, org_id: UUID, *, issued_us: int | None, token_id: str | None
) -> CurrentUser | None:
    """The signed-in person behind a token, or None when the token was ended, or the person
    is gone, deactivated or moved to another organization."""
    session = await _session(user_id, org_id)
    if session.user is None:
        return None
    if token_id is not None and token_id in session.ended_tokens:
        return None
    issued_before_end = session.ended_before_us is not None and (
        issued_us is None or issued_us <= session.ended_before_us
    )
    if issued_before_end and (token_id is None or token_id != session.kept_token):
        return None
    return session.user


async def current_user(user_id: UUID, org_id: UUID) -> CurrentUser | None:
    """The active person (whatever token): what `load_current_user` always answered."""
    return (await _session(user_id, org_id)).user


async def end_sessions(user_id: UUID, *, except_token_id: str | None = None) -> None:
    """Every token of this person stops working (but `except_token_id`'s, when given)."""
    await User.update(
        {User.sessions_ended_at: datetime.now(UTC), User.kept_token: except_token_id}
    ).where(User.id == user_id)
    forget(user_id)
    await _announce(user_id)


async def refresh(user_id: UUID) -> None:
    """Every process reads this person again on their next request (a new role or team), and
    their tokens keep working: who someone is never rides in the token, only their id does."""
    forget(user_id)
    await _announce(user_id)


async def end_token(user_id: UUID, token_id: str, expires_at: datetime) -> None:
    """One token stops working (a logout); the person's other tokens keep working."""
    if _redis is None:
        # no deny-list here (a process without Redis): ending more is the safe side
        await end_sessions(user_id)
        return
    key = _ended_tokens_key(user_id)
    async with _redis.pipeline(transaction=True) as pipe:
        pipe.zadd(key, {token_id: expires_at.timestamp()})
        # every token alive now expires within one token lifetime
        pipe.expire(key, get_settings().access_token_ttl_seconds + 60)
        await pipe.execute()
    forget(user_id)
    await _announce(user_id)


async def _announce(user_id: UUID) -> None:
    if _redis is None:
        return
    try:
        await _redis.publish(SESSION_ENDS, str(user_id))
    except Exception as exc:  # other processes still see it within SESSION_CACHE_SECONDS
        log.warning("could not announce ended sessions: %s", exc)


async def _session(user_id: UUID, org_id: UUID) -> _Session:
    now = time.monotonic()
    cached = _cache.get((user_id, org_id))
    if cached is not None and now - cached[0] < SESSION_CACHE_SECONDS:
        return cached[1]
    session = await _load(user_id, org_id)
    if len(_cache) > MAX_CACHED:
        _cache.clear()
    _cache[(user_id, org_id)] = (now, session)
    return session


async def _load(user_id: UUID, org_id: UUID) -> _Session:
    row = (
        await User.select(
            User.id,
            User.org,
            User.role,
            User.email,
            User.display_name,
            User.team,
            User.language,
            User.org.default_language.as_alias("org_language"),
            User.sessions_ended_at,
            User.kept_token,
        )
        .where((User.id == user_id) & (User.org == org_id) & (User.active == True))  # noqa: E712
        .first()
    )
    if row is None:
        return _Session(None, None, None, frozenset())
    ended_tokens: frozenset[str] = frozenset()
    if _redis is not None:
        key = _ended_tokens_key(user_id)
        async with _redis.pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(key, "-inf", time.time())
            pipe.zrange(key, 0, -1)
            _, members = await pipe.execute()
        ended_tokens = frozenset(m.decode() if isinstance(m, bytes) else m for m in members)
    ended_at: datetime | None = row["sessions_ended_at"]
    return _Session(
        user=CurrentUser(
            id=row["id"],
            org_id=row["org"],
            role=row["role"],
            email=row["email"],
            display_name=row["display_name"],
            team_id=row["team"],
            language=row["language"],
            org_language=row["org_language"],
        ),
        ended_before_us=None if ended_at is None else _us(ended_at),
        kept_token=row["kept_token"],
        ended_tokens=ended_tokens,
    )


def _us(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
