"""The board outbox relay: every ledger row reaches every board it counts on, exactly once.

The statement that writes a ledger row also writes its `board_outbox` row (a trigger), so a
committed award waits there whatever fails next. Two writers put awards on the boards, both
through one Lua call per organization that records the ledger ids it applied:

- the kick: right after the commit, the awarding process applies its own award at once (the
  first `points_awarded` subscriber), so the board has it before the request returns; the same
  Lua call answers who the award passed on the week's board, which the "someone passed you"
  trigger then reads (`passed_by`) instead of asking Redis itself. Nice to have, never relied
  on (without that answer the trigger asks the board);
- the relay loop, in every API process and every worker: it reads unsent outbox rows in
  ledger-id order (`FOR UPDATE SKIP LOCKED`: concurrent relays never hold the same row), applies
  a batch per organization in one Lua call, and deletes the rows in the same transaction.

An award is applied once per ledger id: the Lua call skips ids at or below the rebuild mark
(the boards were rebuilt from a ledger that held them) and ids it recorded as applied, so a
kick after the relay, a relay after a kick, or a replay after a crash between the Lua call and
the delete's commit change nothing (backend/leaderboards/writer.py). The record is kept an hour
(RECORD_SECONDS); an outbox row older than TRUST_SECONDS that the record does not name may have
been applied before its record expired, so the boards are marked unbuilt and rebuilt from the
ledger instead of guessing. (A kick comes right after its own commit, well inside the hour.)
No mark: the rows stay until the organization's boards are rebuilt (a rebuild is asked for),
then apply.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass
from uuid import UUID

from redis.asyncio import Redis

from backend import events
from backend.db import DB
from backend.leaderboards.boards import remember_timezone
from backend.leaderboards.writer import BoardWriter
from backend.points.tables import BoardOutbox
from backend.settings import get_settings

log = logging.getLogger("chorus.leaderboards")

TRUST_SECONDS = 3000  # an outbox row younger than this is named by the record if it was applied
BATCH = 500  # outbox rows per relay pass
IDLE_SECONDS = 0.15  # how often an idle relay looks for rows no kick applied
RETRY_SECONDS = (0.1, 0.2, 0.5)  # after a failed pass (PostgreSQL or Redis away)
UNBUILT_RETRY_SECONDS = 0.25  # an organization whose boards are being rebuilt: look again then


class _Fault:
    """CHORUS_FAULT_BOARD_WRITE (tests only): fail at the n-th award this process is about to
    put on the boards, to show that nothing after the commit can lose it."""

    def __init__(self, kind: str, nth: int) -> None:
        self.kind, self.nth, self.seen = kind, nth, 0
        self.drop_pending = False

    def hit(self, awards: int) -> str | None:
        before, self.seen = self.seen, self.seen + awards
        return self.kind if before < self.nth <= self.seen else None


def _load_fault() -> _Fault | None:
    settings = get_settings()
    spec = settings.fault_board_write
    if not spec:
        return None
    if settings.env != "test":
        log.warning("CHORUS_FAULT_BOARD_WRITE is ignored outside CHORUS_ENV=test")
        return None
    kind, _, nth = spec.partition(":")
    if kind not in ("exit", "exit-after", "drop-db") or not nth.isdigit():
        raise ValueError(f"CHORUS_FAULT_BOARD_WRITE: {spec!r} is not exit|exit-after|drop-db:<n>")
    return _Fault(kind, int(nth))


_fault: _Fault | None = None


def _crash() -> None:
    log.warning("CHORUS_FAULT_BOARD_WRITE: exiting as a SIGKILL would")
    os._exit(137)


_CLAIM = """
SELECT o.ledger, o.org, l."user", l.team, l.challenge, l.submission, l.delta, l.reason,
       l.created_at, g.timezone, extract(epoch FROM now() - o.queued_at) AS age
FROM board_outbox o
JOIN points_ledger l ON l.id = o.ledger
JOIN organization g ON g.id = o.org
WHERE NOT (o.org = ANY({}::uuid[]))
ORDER BY o.ledger
LIMIT {}
FOR UPDATE OF o SKIP LOCKED
"""


@dataclass(frozen=True, slots=True)
class RelayPass:
    claimed: int  # outbox rows this pass held
    applied: int  # of those, put on the boards now (the others were on them already)
    unbuilt: int  # kept: their organization's boards are being rebuilt


class Relay:
    """One process's relay loop (see the module docstring)."""

    def __init__(self, redis: Redis, *, batch: int = BATCH) -> None:
        self.writer = BoardWriter(redis)
        self.batch = batch
        self._unbuilt: dict[UUID, float] = {}  # organization → when to look again
        self._trusted: set[int] = set()  # claimed ledger ids young enough for the record
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="chorus-board-relay")

    async def close(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), 10)
            except TimeoutError:
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            self._wake.clear()
            try:
                done = await self.relay_once()
            except Exception as exc:  # PostgreSQL or Redis away: the rows wait, we try again
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                log.warning("board relay pass failed (%s: %s)", type(exc).__name__, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
                continue
            failures = 0
            if done.claimed - done.unbuilt >= self.batch // 2:
                continue  # more are waiting
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_SECONDS)

    async def relay_once(self) -> RelayPass:
        """Put one batch of unsent outbox rows on the boards, then delete them."""
        now = asyncio.get_running_loop().time()
        waiting = [org for org, until in self._unbuilt.items() if until > now]
        self._unbuilt = {org: self._unbuilt[org] for org in waiting}
        async with DB.transaction():
            rows = await self.claim(waiting)
            if not rows:
                return RelayPass(0, 0, 0)
            results = await self.apply(rows)
            await self.settle(rows, results)
        for org_id in {a.org_id for a, r in zip(rows, results, strict=True) if r == -1}:
            self._unbuilt[org_id] = now + UNBUILT_RETRY_SECONDS
        return RelayPass(len(rows), results.count(1), results.count(-1))

    async def claim(self, skip_orgs: list[UUID] | None = None) -> list[events.PointsAwarded]:
        """Lock up to a batch of unsent rows (in the caller's transaction), oldest first."""
        rows = await BoardOutbox.raw(_CLAIM, skip_orgs or [], self.batch)
        awards = []
        self._trusted = set()
        for row in rows:
            remember_timezone(row["org"], row["timezone"])
            if float(row["age"]) < TRUST_SECONDS:
                self._trusted.add(int(row["ledger"]))
            awards.append(
                events.PointsAwarded(
                    org_id=row["org"],
                    user_id=row["user"],
                    team_id=row["team"],
                    delta=int(row["delta"]),
                    reason=row["reason"],
                    challenge_id=row["challenge"],
                    submission_id=row["submission"],
                    ledger_id=int(row["ledger"]),
                    at=row["created_at"],
                )
            )
        return awards

    async def apply(self, awards: list[events.PointsAwarded]) -> list[int]:
        """The claimed rows on the boards (one Lua call per organization)."""
        fault = _fault.hit(len(awards)) if _fault is not None else None
        if fault == "exit":
            _crash()
        if fault == "drop-db" and _fault is not None:
            _fault.drop_pending = True
        results = await self.writer.apply_many(awards, trusted=self._trusted)
        if fault == "exit-after":
            _crash()
        if _fault is not None and _fault.drop_pending:
            _fault.drop_pending = False
            log.warning("CHORUS_FAULT_BOARD_WRITE: ending our PostgreSQL session mid-update")
            await BoardOutbox.raw("SELECT pg_terminate_backend(pg_backend_pid())")
        return results

    async def settle(self, awards: list[events.PointsAwarded], results: list[int]) -> None:
        """Delete the rows that are on the boards now (in the claim's transaction)."""
        done = [a.ledger_id for a, r in zip(awards, results, strict=True) if r != -1]
        if done:
            await BoardOutbox.raw("DELETE FROM board_outbox WHERE ledger = ANY({}::bigint[])", done)


# ---- one relay loop and one kick per process ----------------------------------------------

_relay: Relay | None = None
_relay_users = 0
_kicker: BoardWriter | None = None
PASSED_LIMIT = 1000  # kicks' answers waiting for the trigger of the same award
_passed: dict[int, list[str]] = {}  # ledger id → who its kick passed (see `passed_by`)


def start(redis: Redis) -> Relay:
    """Run this process's relay loop (the API lifespan and every worker ask; the first starts
    it, the last to stop ends it)."""
    global _relay, _relay_users, _fault
    _relay_users += 1
    if _relay is None:
        _fault = _fault or _load_fault()
        _relay = Relay(redis)
        _relay.start()
    return _relay


async def stop() -> None:
    global _relay, _relay_users
    _relay_users = max(_relay_users - 1, 0)
    if _relay_users == 0 and _relay is not None:
        relay, _relay = _relay, None
        await relay.close()


async def _on_award(event: events.PointsAwarded) -> None:
    """The kick: this process's own award, on the boards before anyone else reacts to it."""
    if _kicker is None:
        return
    fault = _fault.hit(1) if _fault is not None else None
    if fault == "exit":
        _crash()
    if fault == "drop-db":  # as if PostgreSQL went away while we looked up the time zone
        assert _fault is not None
        _fault.drop_pending = True
        if _relay is not None:
            _relay.wake()
        return
    try:
        _, passed = await _kicker.kick(event)
        if passed is not None:
            if len(_passed) >= PASSED_LIMIT:  # nobody asked for them: no reader in this process
                _passed.clear()
            _passed[event.ledger_id] = passed
    except Exception as exc:  # the outbox row is still there: the relay will apply it
        log.warning(
            "a leaderboard update failed (%s: %s); the relay will apply it",
            type(exc).__name__,
            exc,
            extra={"org": str(event.org_id)},
        )
        if _relay is not None:
            _relay.wake()
    if fault == "exit-after":
        _crash()


def passed_by(ledger_id: int) -> list[str] | None:
    """Who this process's kick of `ledger_id` just passed on the week's people board (member
    ids, lowest first, at most writer.OVERTAKEN_LIMIT), told once: the "someone passed you"
    trigger, a later subscriber of the same award, reads it instead of asking Redis. None:
    the kick did not tell (it failed, the boards were not built, or no kick ran here)."""
    return _passed.pop(ledger_id, None)


def install(redis: Redis) -> None:
    """Kick the boards on this process's awards (see backend/subscribers.py for when)."""
    global _kicker, _fault
    _fault = _fault or _load_fault()
    _kicker = BoardWriter(redis)
    events.on_points_awarded(_on_award)


def uninstall() -> None:
    global _kicker
    events.remove_subscriber(_on_award)
    _kicker = None
    _passed.clear()


def process_relay() -> Relay | None:
    """This process's running relay, if any."""
    return _relay
