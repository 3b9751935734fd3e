"""create_app(): routers, auth, middleware, lifespan resources, exception mapping, OpenAPI."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis, RedisSettings
from litestar import Litestar, MediaType, Response, get
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.security.jwt import JWTCookieAuth, Token
from redis import asyncio as aioredis

from backend import db, jobs, subscribers
from backend.analytics.controller import (
    AnalyticsController,
    TeamDashboardController,
    admin_overview,
    lead_overview,
)
from backend.apidocs import SelfHostedDocs
from backend.badges.controller import BadgesController, badge_icons
from backend.challenges import media as challenge_media
from backend.challenges.cache import OpenChallenges
from backend.challenges.controller import (
    AdminChallengeMediaController,
    AdminChallengesController,
    AdminPillarsController,
    ChallengeMediaController,
    ChallengesController,
    list_pillars,
)
from backend.community.controller import (
    CommunityAdminController,
    CommunityController,
    StoriesController,
)
from backend.community.imaging import photo_pool
from backend.community.pages import story_pages_middleware
from backend.core.identity import CurrentUser
from backend.core.networks import parse_networks
from backend.http.auth import (
    TokenIssuer,
    VerifiedTokenCache,
    build_auth,
    csrf_middleware,
    token_id,
    token_issued_us,
)
from backend.http.client import client_address
from backend.http.content_types import json_only_middleware
from backend.http.idempotency import idempotency_middleware
from backend.http.paths import PUBLIC_PATHS
from backend.http.problems import document_problems, exception_handlers
from backend.http.requests import StrictJSONRequest
from backend.http.same_origin import same_origin_sign_in_middleware
from backend.leaderboards import outbox
from backend.leaderboards import store as board_store
from backend.leaderboards.controller import LeaderboardsController, board_reads_middleware
from backend.leaderboards.service import Boards
from backend.live import LiveHub, live_events
from backend.logs import configure_logging, request_context_middleware
from backend.notifications.controller import InboxController, PushController
from backend.orgs import sessions as orgs_sessions
from backend.orgs.controller import (
    AccountController,
    AdminOrgController,
    AuthController,
    TeamsController,
)
from backend.points.controller import LevelsController
from backend.profile.controller import MeController
from backend.pwa import DEFAULT_DIST, pwa_middleware
from backend.rewards.controller import AdminRewardsController, RewardsController
from backend.scim.controller import ScimTokensController, scim_router
from backend.settings import Settings, get_settings
from backend.sharing.controller import (
    ClickStatsController,
    ShareLinksController,
    tracked_links_middleware,
)
from backend.sharing.redirect import Redirector
from backend.sharing.sharers import SharerAddresses
from backend.sso import service as sso_service
from backend.sso.controller import SsoAdminController, SsoSignInController
from backend.submissions.controller import AdminSubmissionsController, SubmissionsController
from backend.surveys.controller import AdminSurveysController, SurveysController
from backend.walls.controller import WallsAdminController, WallsController
from backend.walls.pages import wall_pages_middleware
from backend.walls.stream import WallHub

log = logging.getLogger("chorus.app")

READY_TIMEOUT_SECONDS = 2.0
READY_CACHE_SECONDS = 1.0
PLACEHOLDER = (Path(__file__).parent / "placeholder.html").read_text(encoding="utf-8")


# the same few ids parsed on every request of a signed-in person: parsed once
_uuid = functools.lru_cache(maxsize=100_000)(UUID)


async def retrieve_user(
    token: Token, connection: ASGIConnection[Any, Any, Any, Any]
) -> CurrentUser | None:
    try:
        user_id, org_id = _uuid(token.sub), _uuid(str(token.extras.get("org")))
    except ValueError:
        return None
    user = await orgs_sessions.user_of_token(
        user_id, org_id, issued_us=token_issued_us(token), token_id=token_id(token)
    )
    sharers: SharerAddresses | None = getattr(connection.app.state, "sharers", None)
    if user is not None and sharers is not None:
        # their own clicks from here on their own links will not count (sharing/sharers.py)
        settings: Settings = connection.app.state.settings
        await sharers.remember(org_id, user_id, client_address(connection.scope, settings))
    return user


def provide_redis(state: State) -> ArqRedis:
    redis: ArqRedis = state.redis
    return redis


def redis_settings(url: str) -> RedisSettings:
    return jobs.redis_settings(url)


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Pools are opened once here, in the loop that serves requests, and closed on shutdown."""
    settings: Settings = app.state.settings
    await db.open_pool()
    redis: ArqRedis = await jobs.create_job_pool(settings.redis_url)  # msgpack, never pickle
    app.state.redis = redis
    app.state.readiness = Readiness(settings.redis_url, settings.database_url)
    redirector = Redirector(
        redis,
        settings.key_for("tokens"),
        settings.click_flush_ms / 1000,
        settings.base_url,
        bot_ranges={
            network: parse_networks(settings.bot_ranges(network))
            for network in ("linkedin", "x", "facebook")
        },
    )
    redirector.recorder.start()
    app.state.redirector = redirector
    app.state.sharers = SharerAddresses(redis, redirector.salts)
    board_store.acquire(settings)  # the boards' own Redis (Cluster), when one is set
    app.state.boards = Boards(
        redis,
        min_team_size=settings.leaderboard_min_team_size,
        memory_max=settings.leaderboard_memory_max,
    )
    subscribers.install(redis)
    orgs_sessions.install(redis)  # the logout deny-list and "sessions ended" notices
    outbox.start(redis)  # awards reach the boards even when their event is lost
    hub = LiveHub(redis)
    hub.on_boards_changed.append(app.state.boards.mark_dirty)
    # the employee's challenge list, served from memory while pub/sub is subscribed
    open_challenges = OpenChallenges()
    hub.on_listening.append(open_challenges.listening)
    hub.on_paused.append(open_challenges.paused)
    hub.on_challenge_event.append(open_challenges.on_message)
    hub.on_notice.append(open_challenges.on_notice)
    app.state.open_challenges = open_challenges
    walls = WallHub()  # office walls: nudged by the same listener (backend/walls/stream.py)
    hub.on_boards_changed.append(walls.boards_changed)
    hub.on_notice.append(walls.notice)
    app.state.walls = walls
    hub.start()
    app.state.live = hub
    worker_task: asyncio.Task[Any] | None = None
    worker = None
    if settings.inprocess_worker:
        from workers.settings import build_worker

        # its own pool: arq's Worker closes the pool it is given when it stops
        worker = build_worker(await jobs.create_job_pool(settings.redis_url))
        worker_task = asyncio.create_task(worker.async_run(), name="chorus-inprocess-worker")
        log.info("in-process worker started")
    try:
        yield
    finally:
        if worker is not None and worker_task is not None:
            await worker.close()
            worker_task.cancel()
            await asyncio.gather(worker_task, return_exceptions=True)
        await outbox.stop()
        await board_store.release()
        subscribers.uninstall()
        orgs_sessions.uninstall(redis)
        await hub.stop()
        await redirector.recorder.stop()
        await app.state.readiness.close()
        await redis.aclose()
        await db.close_pool()
        photo_pool.shutdown()


@get("/health", exclude_from_auth=True, tags=["operations"], sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


async def _check(probe: Any) -> str:
    try:
        await asyncio.wait_for(probe, READY_TIMEOUT_SECONDS)
    except Exception:  # any failure of a dependency means "not ready", never a 500
        return "down"
    return "ok"


class Readiness:
    """What `/ready` answers: checked at most once a second, whoever asks and however often.

    Probes arriving together share one check (a balancer's and an attacker's alike), and
    PostgreSQL and Redis are each asked on one connection of the check's own: requests
    holding every pooled connection, or a queue of commands in the shared Redis pool, mean busy,
    not down, and a storm of probes never opens connections.
    """

    def __init__(self, redis_url: str, database_url: str) -> None:
        self._redis = aioredis.Redis.from_url(
            redis_url,
            single_connection_client=True,
            socket_connect_timeout=READY_TIMEOUT_SECONDS,
        )
        self._database_url = database_url
        self._pool: asyncpg.Pool | None = None
        self._answer: dict[str, str] = {}
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()

    async def answer(self) -> dict[str, str]:
        loop = asyncio.get_running_loop()
        if loop.time() - self._checked_at < READY_CACHE_SECONDS:
            return self._answer
        async with self._lock:
            if loop.time() - self._checked_at >= READY_CACHE_SECONDS:
                postgres, redis = await asyncio.gather(
                    _check(self._select_one()), _check(self._redis.ping())
                )
                ok = postgres == redis == "ok"
                self._answer = {
                    "status": "ok" if ok else "unavailable",
                    "postgres": postgres,
                    "redis": redis,
                }
                self._checked_at = loop.time()
        return self._answer

    async def _select_one(self) -> None:
        if self._pool is None:
            self._pool = await asyncpg.create_pool(
                self._database_url, min_size=0, max_size=1, command_timeout=READY_TIMEOUT_SECONDS
            )
        await self._pool.fetchval("SELECT 1")

    async def close(self) -> None:
        await self._redis.aclose()
        if self._pool is not None:
            await self._pool.close()


@get("/ready", exclude_from_auth=True, tags=["operations"])
async def ready(state: State) -> Response[dict[str, str]]:
    answer = await state.readiness.answer()
    return Response(
        answer,
        status_code=200 if answer["status"] == "ok" else 503,
        headers={"Cache-Control": "no-store"},
    )


@get("/health/redis", exclude_from_auth=True, tags=["operations"])
async def health_redis(state: State) -> dict[str, str]:
    """One Redis round trip from this process (also the benchmarks' one-PING baseline)."""
    await state.redis.ping()
    return {"status": "ok"}


@get(
    "/",
    exclude_from_auth=True,
    include_in_schema=False,
    media_type=MediaType.HTML,
    sync_to_thread=False,
)
def home() -> str:
    return PLACEHOLDER


def pwa_dist(settings: Settings) -> Path:
    return Path(settings.pwa_dir) if settings.pwa_dir else DEFAULT_DIST


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    settings.check()
    configure_logging(settings.log_level, settings.log_format)
    auth: JWTCookieAuth[CurrentUser, Token] = build_auth(
        settings,
        retrieve_user,
        exclude=PUBLIC_PATHS,
    )
    tokens = TokenIssuer(auth)
    challenge_media.use_image_cleaner(photo_pool.clean)  # media images: in the photo processes
    state = State(
        {
            "settings": settings,
            # checks a password sign-in must pass too (orgs sits below the domains that add them)
            "password_sign_in_checks": [sso_service.refuse_password_sign_in],
        }
    )
    app = Litestar(
        route_handlers=[
            health,
            health_redis,
            ready,
            home,
            AuthController,
            MeController,
            AccountController,
            TeamsController,
            AdminOrgController,
            ChallengesController,
            AdminChallengesController,
            AdminPillarsController,
            AdminChallengeMediaController,
            ChallengeMediaController,
            list_pillars,
            ShareLinksController,
            ClickStatsController,
            SubmissionsController,
            AdminSubmissionsController,
            LeaderboardsController,
            live_events,
            BadgesController,
            LevelsController,
            PushController,
            InboxController,
            badge_icons,
            TeamDashboardController,
            AnalyticsController,
            admin_overview,
            lead_overview,
            AdminSurveysController,
            SurveysController,
            RewardsController,
            AdminRewardsController,
            StoriesController,
            CommunityController,
            CommunityAdminController,
            ScimTokensController,
            scim_router,
            SsoAdminController,
            SsoSignInController,
            WallsAdminController,
            WallsController,
        ],
        on_app_init=[auth.on_app_init],
        # after authentication (which on_app_init puts first), in this order: who may send,
        # what they may send, then whether it was already answered (backend/http/idempotency.py)
        middleware=[same_origin_sign_in_middleware, json_only_middleware, idempotency_middleware],
        logging_config=None,
        lifespan=[lifespan],
        state=state,
        dependencies={
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "tokens": Provide(lambda: tokens, sync_to_thread=False),
            "redis": Provide(provide_redis, sync_to_thread=False),
        },
        exception_handlers=exception_handlers,
        request_class=StrictJSONRequest,
        request_max_body_size=settings.max_body_bytes,
        # the reference and its document: on in dev and test, off in production unless asked
        openapi_config=OpenAPIConfig(
            title="Chorus API",
            version="1.0.0",
            description="Gamified employee advocacy: challenges, verified shares, points, "
            "badges and live leaderboards. See shared/API.md for the contract.",
            path="/schema",
            render_plugins=[SelfHostedDocs(pwa_dist(settings))],
        )
        if settings.api_docs_served
        else None,
        debug=False,
    )
    if settings.api_docs_served:
        document_problems(app)
    # Outside Litestar's own exception handling, so every answer (errors included, those of
    # the auth middleware too) carries the request id and the security headers.
    app.asgi_handler = request_context_middleware(
        tracked_links_middleware(
            csrf_middleware(
                story_pages_middleware(
                    wall_pages_middleware(
                        pwa_middleware(
                            board_reads_middleware(
                                app.asgi_handler, retrieve_user, VerifiedTokenCache.known
                            ),
                            pwa_dist(settings),
                        ),
                        pwa_dist(settings),
                    ),
                    settings.base_url,
                )
            )
        )
    )
    return app


def create_default_app() -> Litestar:
    """The ASGI factory servers load (`uvicorn --factory backend.app:create_default_app`)."""
    return create_app()


__all__ = ["create_app", "create_default_app"]
