"""Redis memory per board member: what one more employee costs the Redis that holds the boards.

An organization of N people in teams of TEAM_SIZE, every one of them with points in the current
week, month and all-time boards and on one challenge's board, written to exactly the keys the
board writer uses (`boards_for`: the users board, the person's team-members board and the teams
board of each period, the challenge board). Then the sum of `MEMORY USAGE <key> SAMPLES 0`
(exact, every element counted) over those keys, and the growth of `INFO memory` used_memory,
each divided by N. The keys are a scratch organization's and are deleted after.

The baseline is the payload alone: a member id (a 36-character UUID) and its 8-byte score per
board entry. Run alone: `python -m bench.board_memory` (embedded Valkey, or CHORUS_REDIS_URL).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SIZES = (10_000, 100_000)
TEAM_SIZE = 50
PAYLOAD = 36 + 8  # a member id and its score


@dataclass
class BoardMemory:
    members: int
    entries: int  # board entries written (a person sits on several boards)
    keys: int
    memory_usage: int  # sum of MEMORY USAGE over the keys, bytes
    used_memory: int  # growth of INFO used_memory, bytes

    @property
    def per_member(self) -> float:
        return self.memory_usage / self.members

    @property
    def payload_per_member(self) -> float:
        return self.entries * PAYLOAD / self.members


def measure(redis_url: str, members: int) -> BoardMemory:
    import redis as redis_sync

    from backend.leaderboards import keys
    from backend.leaderboards.boards import boards_for

    client: Any = redis_sync.Redis.from_url(redis_url)
    org, challenge = uuid.uuid4(), uuid.uuid4()
    teams = [uuid.uuid4() for _ in range(max(1, members // TEAM_SIZE))]
    now = datetime.now(UTC)
    score = 0
    written: set[str] = set()
    entries = 0
    before = int(client.info("memory")["used_memory"])
    try:
        pipe = client.pipeline(transaction=False)
        for n in range(members):
            person = uuid.uuid4()
            score = keys.encode(n % 5000, now)
            for key, member, _ in boards_for(
                org, person, teams[n % len(teams)], challenge, now, "UTC"
            ):
                pipe.zincrby(key, score, member)
                written.add(key)
                entries += 1
            if n % 2000 == 1999:
                pipe.execute()
        pipe.execute()
        after = int(client.info("memory")["used_memory"])
        usage = sum(int(client.memory_usage(key, samples=0) or 0) for key in written)
        # zincrby on a team's board adds the team once per member: count distinct entries
        distinct = sum(int(client.zcard(key)) for key in written)
        return BoardMemory(members, distinct, len(written), usage, after - before)
    finally:
        for chunk in range(0, len(written), 500):
            client.unlink(*list(written)[chunk : chunk + 500])
        client.close()


def measure_all(redis_url: str) -> list[BoardMemory]:
    return [measure(redis_url, size) for size in SIZES]


def main() -> None:
    url = os.environ.get("CHORUS_REDIS_URL")
    stop = None
    if not url:
        from backend.embedded import EmbeddedRedis

        server = EmbeddedRedis(Path(tempfile.mkdtemp(prefix="chorus-board-memory-")), persist=False)
        url, stop = server.start(), server.stop
    try:
        for got in measure_all(url):
            print(
                f"{got.members:>9,} members, {got.keys:,} keys, {got.entries:,} entries: "
                f"MEMORY USAGE {got.memory_usage / 2**20:.1f} MiB = {got.per_member:.0f} B/member "
                f"(used_memory +{got.used_memory / 2**20:.1f} MiB = "
                f"{got.used_memory / got.members:.0f} B/member; "
                f"payload {got.payload_per_member:.0f} B/member)"
            )
    finally:
        if stop is not None:
            stop()


if __name__ == "__main__":
    main()
