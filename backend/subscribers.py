"""The subscribers every Chorus process puts on the domain events, in one place.

An API process and its in-process worker (or a test's app and its burst workers) each ask for
them; they are switched on by the first to ask and off by the last to stop, so every event is
handled once per process. The order matters: the leaderboard kick comes first (it applies the
award at once; the outbox relay is what guarantees it), so that the push trigger for "someone
passed you" reads a board that already has the award. Where a lower
domain must set off a higher one (new unique clicks verifying shares), the higher one's reaction
is registered here too.
"""

from __future__ import annotations

from redis.asyncio import Redis

from backend import events, live
from backend.badges import service as badges
from backend.challenges import cache as challenge_cache
from backend.challenges import quiz
from backend.community import feed
from backend.leaderboards import outbox as leaderboards
from backend.notifications import push
from backend.sharing import clicks
from backend.submissions import verification

_users = 0


def install(redis: Redis) -> None:
    global _users
    _users += 1
    if _users == 1:
        leaderboards.install(redis)
        badges.install()
        live.install(redis)
        push.install(redis)
        events.on_user_notice(feed.on_notice)  # badges and team goals in the community feed
        clicks.react_to_unique_clicks(verification.on_unique_clicks)  # sharing sits below
        challenge_cache.install(redis)  # announces challenge and status changes to every API
        quiz.react_to_unpaid_passes(badges.evaluate)  # a lesson without points: its badges


def uninstall() -> None:
    global _users
    _users = max(_users - 1, 0)
    if _users == 0:
        challenge_cache.uninstall()
        quiz.react_to_unpaid_passes(None)
        clicks.react_to_unique_clicks(None)
        events.remove_notice_subscriber(feed.on_notice)
        push.uninstall()
        live.uninstall()
        badges.uninstall()
        leaderboards.uninstall()
