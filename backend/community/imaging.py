"""Photo work off the event loop: every photo is checked, decoded, shrunk and re-encoded
(backend/community/photos.py) in a small pool of processes of its own, so that a burst of
uploads never holds up the requests of everyone else.

Per API process, at most `workers` photos are in work at once and at most `waiting` more wait
for a turn; any more are refused at once (503 with Retry-After) instead of piling up memory
and latency. A photo's turn ends when its process is done with it, even if its request has
gone. The pool starts with the first photo and is shut down by the app's lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from backend.community.photos import MAX_INPUT_BYTES, MAX_SIDE, CleanPhoto, clean_photo
from backend.core.errors import Unavailable
from backend.core.i18n import Text, msg

WORKERS = max(1, min(2, os.cpu_count() or 1))
WAITING = 8
RETRY_AFTER_SECONDS = 5
# a fresh process now and then: whatever a decoder left behind in memory goes with the old one
PHOTOS_PER_PROCESS = 200


@dataclass
class _Gate:
    """The turns of one event loop (asyncio primitives belong to the loop that made them)."""

    loop: asyncio.AbstractEventLoop
    turns: asyncio.Semaphore
    admitted: int = 0  # in work or waiting for a turn


class PhotoPool:
    """The photo processes of this API process, and the line in front of them."""

    def __init__(self, workers: int = WORKERS, waiting: int = WAITING) -> None:
        self.workers = workers
        self.waiting = waiting
        self._executor: ProcessPoolExecutor | None = None
        self._gate: _Gate | None = None

    @property
    def admitted(self) -> int:
        """Photos in work or waiting for a turn, in this event loop."""
        return self._gate.admitted if self._gate is not None else 0

    async def clean(
        self, raw: bytes, max_side: int = MAX_SIDE, max_bytes: int = MAX_INPUT_BYTES
    ) -> CleanPhoto:
        """The photo as Chorus stores it, made in a photo process; 503 when the line is full.
        (Challenge media images come through here too, with their own limits.)"""
        gate = self._current_gate()
        if gate.admitted >= self.workers + self.waiting:
            raise _busy(
                msg("Chorus is busy with other photos right now; please try again shortly.")
            )
        gate.admitted += 1
        executor = None
        try:
            await gate.turns.acquire()
            try:
                executor = self._pool()
                job = executor.submit(clean_photo, raw, max_side, max_bytes)
            except BaseException:
                gate.turns.release()
                raise
            job.add_done_callback(_give_back(gate))
            return await asyncio.wrap_future(job)
        except BrokenProcessPool as exc:
            # a process died (killed, out of memory): the next photo gets new ones
            self._discard(executor)
            raise _busy(
                msg("Chorus could not process this photo just now; please try again.")
            ) from exc
        finally:
            gate.admitted -= 1

    def shutdown(self) -> None:
        """Stop the photo processes (they finish the photo in hand); the next photo starts new
        ones."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _current_gate(self) -> _Gate:
        loop = asyncio.get_running_loop()
        if self._gate is None or self._gate.loop is not loop:
            self._gate = _Gate(loop, asyncio.Semaphore(self.workers))
        return self._gate

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                # spawned, not forked: a fork of a process with threads (the server's) may
                # inherit a lock some thread held; a spawned process imports only photos.py
                mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=PHOTOS_PER_PROCESS,
            )
        return self._executor

    def _discard(self, broken: ProcessPoolExecutor | None) -> None:
        if broken is not None and broken is self._executor:  # not a newer one
            self._executor = None
            broken.shutdown(wait=False, cancel_futures=True)


def _give_back(gate: _Gate) -> Callable[[Future[CleanPhoto]], None]:
    def done(_: Future[CleanPhoto]) -> None:
        # called in the pool's thread; a loop already closed has no turns left to give
        with contextlib.suppress(RuntimeError):
            gate.loop.call_soon_threadsafe(gate.turns.release)

    return done


def _busy(detail: Text) -> Unavailable:
    return Unavailable(detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


photo_pool = PhotoPool()
