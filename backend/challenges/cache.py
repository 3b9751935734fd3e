"""The open challenges of each organization and each person's statuses on them, held in every
API process, so that the employee's list is answered without a database round trip.

The invariant: the list served from memory is the list the database gives, give or take the
time one pub/sub message takes. Every write that changes it announces itself on
CHALLENGE_EVENTS (challenges published, edited, archived, previews stored: `announce_org`;
claims and revocations: `announce_person`) or already does on the live notices (decisions, from
any process); each process drops what it held for that organization or person and reloads it
at the next read. A load that overlaps a drop is not kept (generations), so a drop can never be
undone by a read that started before it. While the pub/sub connection is down, and until it is
subscribed again, nothing is served from memory; on re-subscription everything is dropped, as
events may have been missed. Entries are also reloaded after MAX_AGE_SECONDS: the last net for a
message lost anyway. Opening and closing by the clock need no event: entries keep every
published challenge not yet ended, and each read keeps those open at that moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend import events
from backend.challenges.schemas import MyStatus

log = logging.getLogger("chorus.challenges")

CHALLENGE_EVENTS = "chorus:challenge-events"
MAX_AGE_SECONDS = 30.0
# After someone acts on a challenge (asks for its share link, claims it) their statuses are read
# from the database for this long: the claim commits in that time, and its decision follows.
UNSETTLED_SECONDS = 10.0
MAX_ORGS = 1_000
MAX_ITEMS = 20_000  # challenges held over all organizations (each about 1-5 kB encoded)
MAX_PEOPLE = 20_000
MAX_OPEN = 500  # more published, not yet ended challenges than this: read from the database

T = TypeVar("T")


@dataclass(slots=True)
class Item:
    """One published challenge not yet ended, and its answer encoded once per shown status and
    language: (status, language of one of its translations, or None for the base). At most
    4 statuses times (1 + its translations) entries: languages are the few Chorus speaks."""

    id: UUID
    starts_at: datetime
    ends_at: datetime
    audience: frozenset[UUID]
    row: dict[str, Any]
    encoded: dict[tuple[str, str | None], bytes] = field(default_factory=dict)


@dataclass(slots=True)
class OrgEntry:
    loaded_at: float
    items: list[Item]  # ending soonest first, as the list is shown


@dataclass(slots=True)
class PersonEntry:
    loaded_at: float
    statuses: dict[UUID, MyStatus]


class OpenChallenges:
    """One per API process (app.state.open_challenges): bounded LRU maps of organizations and
    people, dropped by events, trusted only while the pub/sub connection is subscribed."""

    def __init__(
        self,
        *,
        max_orgs: int = MAX_ORGS,
        max_items: int = MAX_ITEMS,
        max_people: int = MAX_PEOPLE,
        max_age: float = MAX_AGE_SECONDS,
    ) -> None:
        self.live = False  # set by the pub/sub listener once subscribed
        self.max_orgs = max_orgs
        self.max_items = max_items
        self._items = 0
        self.max_people = max_people
        self.max_age = max_age
        self._orgs: OrderedDict[UUID, OrgEntry] = OrderedDict()
        self._people: OrderedDict[UUID, PersonEntry] = OrderedDict()
        self._unsettled: dict[UUID, float] = {}
        self._too_many: dict[UUID, float] = {}
        # bumped by each drop: a load that began under another generation is not kept
        self._epoch = 0
        self._generations: dict[UUID, int] = {}
        self._loading: dict[tuple[str, UUID], asyncio.Future[Any]] = {}
        _local.add(self)

    # -- what the pub/sub listener calls ------------------------------------------------

    def listening(self) -> None:
        """Subscribed (again): whatever was held may have missed events."""
        self.reset()
        self.live = True

    def paused(self) -> None:
        self.live = False
        self.reset()

    def reset(self) -> None:
        self._items = 0
        self._orgs.clear()
        self._people.clear()
        self._too_many.clear()
        self._generations.clear()
        self._epoch += 1

    def drop_org(self, org_id: UUID) -> None:
        dropped = self._orgs.pop(org_id, None)
        if dropped is not None:
            self._items -= len(dropped.items)
        self._too_many.pop(org_id, None)
        self._bump(org_id)

    def drop_person(self, user_id: UUID, *, unsettled: bool = False) -> None:
        self._people.pop(user_id, None)
        self._bump(user_id)
        if unsettled:
            self._unsettled[user_id] = time.monotonic() + UNSETTLED_SECONDS
            if len(self._unsettled) > self.max_people:
                now = time.monotonic()
                self._unsettled = {k: v for k, v in self._unsettled.items() if v > now}

    def on_message(self, text: str) -> None:
        """`org <org id>` or `person|unsettled <org id> <user id>`."""
        kind, _, rest = text.partition(" ")
        try:
            ids = [UUID(part) for part in rest.split(" ")]
        except ValueError:
            return
        if kind == "org":
            self.drop_org(ids[0])
        elif kind in ("person", "unsettled") and len(ids) == 2:
            self.drop_person(ids[1], unsettled=kind == "unsettled")

    def on_notice(self, org_id: str, user_id: str, kind: str) -> None:
        """A live notice from any process (backend/live.py): a decision changes a status."""
        if kind == "submission":
            with contextlib.suppress(ValueError):
                self.drop_person(UUID(user_id))

    def _bump(self, key: UUID) -> None:
        self._generations[key] = self._generations.get(key, 0) + 1
        if len(self._generations) > 4 * (self.max_orgs + self.max_people):
            self.reset()

    def _stamp(self, key: UUID) -> tuple[int, int]:
        return self._epoch, self._generations.get(key, 0)

    # -- reads ------------------------------------------------------------------------

    async def org(self, org_id: UUID, load: Callable[[], Awaitable[list[Item]]]) -> OrgEntry | None:
        """The organization's entry, loaded once however many readers wait; None when it has
        too many open challenges to hold (read those from the database)."""
        now = time.monotonic()
        entry = self._orgs.get(org_id)
        if entry is not None and now - entry.loaded_at < self.max_age:
            self._orgs.move_to_end(org_id)
            return entry
        if now - self._too_many.get(org_id, -self.max_age) < self.max_age:
            return None
        stamp = self._stamp(org_id)
        items = await self._single(("org", org_id), load)
        if len(items) > MAX_OPEN:
            self._too_many[org_id] = now
            return None
        entry = OrgEntry(now, items)
        if self.live and self._stamp(org_id) == stamp:
            previous = self._orgs.pop(org_id, None)
            if previous is not None:
                self._items -= len(previous.items)
            self._orgs[org_id] = entry
            self._items += len(items)
            while len(self._orgs) > self.max_orgs or self._items > self.max_items:
                _, evicted = self._orgs.popitem(last=False)
                self._items -= len(evicted.items)
        return entry

    async def statuses(
        self, user_id: UUID, load: Callable[[], Awaitable[dict[UUID, MyStatus]]]
    ) -> dict[UUID, MyStatus]:
        now = time.monotonic()
        entry = self._people.get(user_id)
        if entry is not None and now - entry.loaded_at < self.max_age:
            self._people.move_to_end(user_id)
            return entry.statuses
        unsettled = self._unsettled.get(user_id)
        if unsettled is not None and now >= unsettled:
            del self._unsettled[user_id]
            unsettled = None
        stamp = self._stamp(user_id)
        statuses = await self._single(("person", user_id), load)
        if self.live and unsettled is None and self._stamp(user_id) == stamp:
            self._people[user_id] = PersonEntry(now, statuses)
            self._people.move_to_end(user_id)
            while len(self._people) > self.max_people:
                self._people.popitem(last=False)
        return statuses

    async def _single(self, key: tuple[str, UUID], load: Callable[[], Awaitable[T]]) -> T:
        pending = self._loading.get(key)
        if pending is not None:
            result: T = await asyncio.shield(pending)
            return result
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            loaded = await load()
            future.set_result(loaded)
            return loaded
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters get it, nobody logs it as lost
            raise
        finally:
            del self._loading[key]


# -- announcing changes -------------------------------------------------------------------

_local: weakref.WeakSet[OpenChallenges] = weakref.WeakSet()
_redis: Redis | None = None
_background: set[asyncio.Task[None]] = set()


def install(redis: Redis) -> None:
    """Announce this process's changes on `redis` (see backend/subscribers.py)."""
    global _redis
    _redis = redis
    events.on_points_awarded(on_points_awarded)
    events.on_user_notice(on_user_notice)


def uninstall() -> None:
    global _redis
    _redis = None
    events.remove_subscriber(on_points_awarded)
    events.remove_notice_subscriber(on_user_notice)


async def _publish(message: str) -> None:
    if _redis is None:
        return
    try:
        await _redis.publish(CHALLENGE_EVENTS, message)
    except (RedisError, OSError) as exc:  # the other processes reload within MAX_AGE_SECONDS
        log.warning("challenge change not announced (%s): %s", exc, message)


async def announce_org(org_id: UUID) -> None:
    """After the commit: the organization's challenges changed (published, edited, ...)."""
    for cache in list(_local):
        cache.drop_org(org_id)
    await _publish(f"org {org_id}")


async def announce_person(org_id: UUID, user_id: UUID) -> None:
    """After the commit: one person's statuses changed."""
    for cache in list(_local):
        cache.drop_person(user_id)
    await _publish(f"person {org_id} {user_id}")


def person_acting(org_id: UUID, user_id: UUID) -> None:
    """Someone is about to act on a challenge (claim it, say) and their status may change in
    the next moments: read it from the database for a while, here and in every API process.
    Without delay for the caller: the message goes out in the background."""
    if not _local:
        return  # no API process here (a worker): nothing reads the list in this process
    for cache in list(_local):
        cache.drop_person(user_id, unsettled=True)
    if _redis is not None:
        task = asyncio.get_running_loop().create_task(_publish(f"unsettled {org_id} {user_id}"))
        _background.add(task)
        task.add_done_callback(_background.discard)


async def on_points_awarded(event: events.PointsAwarded) -> None:
    # a revocation changes a status and sends no notice (decisions do: on_user_notice)
    if event.reason == "revoked" and event.challenge_id is not None:
        await announce_person(event.org_id, event.user_id)


async def on_user_notice(notice: events.UserNotice) -> None:
    # this process's own decisions, before any other read here; other processes are told by
    # the notice itself on the live channel (backend/live.py)
    if notice.kind == "submission":
        for cache in list(_local):
            cache.drop_person(notice.user_id)
