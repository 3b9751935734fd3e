"""Password hashing: argon2id, with one parameter profile per process chosen by the environment.

Production and dev hash with RFC 9106's low-memory profile (64 MiB, 3 passes, 4 lanes): about
140 ms a hash on purpose, so a stolen table is slow to guess. The test environment
(CHORUS_ENV=test) uses argon2's cheapest parameters, so the hundreds of sign-ups in a test run
cost nothing; `tests/test_auth.py` still hashes and verifies with the production profile. A hash
records its own parameters, so a password hashed under one profile verifies under the other.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY

from backend.settings import Env, get_settings

ARGON2_CONCURRENCY = max(os.cpu_count() or 1, 1)
_T = TypeVar("_T")
# one semaphore per event loop (tests run more than one loop in a process)
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


async def _bounded(work: Callable[[], _T]) -> _T:
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(ARGON2_CONCURRENCY)
    async with gate:
        return await asyncio.to_thread(work)


def hasher_for(env: Env) -> PasswordHasher:
    """The hasher new passwords get in `env`: production strength everywhere but tests."""
    return PasswordHasher.from_parameters(CHEAPEST if env == "test" else RFC_9106_LOW_MEMORY)


@lru_cache(maxsize=1)
def _hasher() -> tuple[PasswordHasher, str]:
    hasher = hasher_for(get_settings().env)
    # verified against when the account does not exist, so both paths cost the same
    return hasher, hasher.hash(secrets.token_urlsafe(16))


async def hash_password(password: str) -> str:
    hasher, _ = _hasher()
    return await _bounded(lambda: hasher.hash(password))


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (a dummy hash stands in)."""
    hasher, dummy = _hasher()

    def check() -> bool:
        try:
            return hasher.verify(password_hash or dummy, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await _bounded(check)
