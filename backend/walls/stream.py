"""What reaches an open wall live: a nudge to read its data again, never the data itself.

The API process's one pub/sub listener (backend/live.py) hands every wall hub the changes it
hears: a board of an organization changed (coalesced here to one `leaderboard` nudge a second
per organization, like the app's) and a person's submission was decided (a `share` nudge at
once, so a verified share is on the wall within the time of one read). No new Redis
connection, no personal data on the stream: the wall reads its data through its own endpoint,
which applies the privacy rules.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from uuid import UUID

COALESCE_SECONDS = 1.0
QUEUE_LIMIT = 20
RECHECK = "__recheck__"  # queued to a stream (never sent): check now that the wall is live


class WallStream:
    def __init__(self, org_id: str, wall_id: UUID) -> None:
        self.org_id = org_id
        self.wall_id = wall_id
        self.queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_LIMIT)

    def offer(self, event: str) -> None:
        # a wall that fell behind needs one nudge, not a backlog: it reads everything anew
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(event)


class WallHub:
    """One per API process: the walls' streams it serves, fed by the live listener."""

    def __init__(self) -> None:
        self._streams: dict[str, set[WallStream]] = defaultdict(set)
        self._boards_due: set[str] = set()

    def connect(self, org_id: UUID, wall_id: UUID) -> WallStream:
        stream = WallStream(str(org_id), wall_id)
        self._streams[stream.org_id].add(stream)
        return stream

    def disconnect(self, stream: WallStream) -> None:
        streams = self._streams.get(stream.org_id)
        if streams is not None:
            streams.discard(stream)
            if not streams:
                del self._streams[stream.org_id]

    def open_streams(self) -> int:
        return sum(len(streams) for streams in self._streams.values())

    def boards_changed(self, org_id: str) -> None:
        """A board of the organization changed (a pub/sub callback, in the event loop)."""
        if org_id not in self._streams or org_id in self._boards_due:
            return
        self._boards_due.add(org_id)
        asyncio.get_running_loop().call_later(COALESCE_SECONDS, self._flush_boards, org_id)

    def _flush_boards(self, org_id: str) -> None:
        self._boards_due.discard(org_id)
        for stream in self._streams.get(org_id, ()):
            stream.offer("leaderboard")

    def notice(self, org_id: str, user_id: str, kind: str) -> None:
        """Someone's live notice: a decided submission may be a new verified share."""
        if kind != "submission":
            return
        for stream in self._streams.get(org_id, ()):
            stream.offer("share")

    def revoked(self, wall_id: UUID) -> None:
        """A wall was revoked through this process: its streams here check at once."""
        for streams in self._streams.values():
            for stream in streams:
                if stream.wall_id == wall_id:
                    stream.offer(RECHECK)
