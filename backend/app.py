"""create_app(): routers, auth, middleware, lifespan resources, exception mapping, OpenAPI."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from litestar import Litestar, MediaType, Response, get
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.security.jwt import JWTCookieAuth, Token

from backend import db, subscribers
from backend.analytics.controller import AnalyticsController, TeamDashboardController
from backend.badges.controller import BadgesController, badge_icons
from backend.challenges.controller import (
    AdminChallengesController,
    AdminPillarsController,
    ChallengesController,
    list_pillars,
)
from backend.community.controller import (
    CommunityAdminController,
    CommunityController,
    StoriesController,
)
from backend.community.pages import story_pages_middleware
from backend.core.identity import CurrentUser
from backend.core.networks import parse_networks
from backend.http.auth import TokenIssuer, build_auth, csrf_middleware
from backend.http.client import client_address
from backend.http.content_types import json_only_middleware
from backend.http.idempotency import idempotency_middleware
from backend.http.paths import PUBLIC_PATHS
from backend.http.problems import exception_handlers
from backend.http.requests import StrictJSONRequest
from backend.http.same_origin import same_origin_sign_in_middleware
from backend.leaderboards import outbox
from backend.leaderboards.controller import LeaderboardsController
from backend.leaderboards.service import Boards
from backend.live import LiveHub, live_events
from backend.logs import configure_logging, request_context_middleware
from backend.notifications.controller import InboxController, PushController
from backend.orgs import service as orgs_service
from backend.orgs.controller import (
    AdminOrgController,
    AuthController,
    TeamsController,
)
from backend.points.controller import LevelsController
from backend.profile.controller import MeController
from backend.pwa import DEFAULT_DIST, pwa_middleware
from backend.settings import Settings, get_settings
from backend.sharing.controller import ClickStatsController, ShareLinksController, follow_link
from backend.sharing.redirect import Redirector
from backend.sharing.sharers import SharerAddresses
from backend.submissions.controller import AdminSubmissionsController, SubmissionsController
from backend.surveys.controller import AdminSurveysController, SurveysController

log = logging.getLogger("chorus.app")

READY_TIMEOUT_SECONDS = 2.0
PLACEHOLDER = (Path(__file__).parent / "placeholder.html").read_text(encoding="utf-8")


async def retrieve_user(
    token: Token, connection: ASGIConnection[Any, Any, Any, Any]
) -> CurrentUser | None:
    try:
        user_id, org_id = UUID(token.sub), UUID(str(token.extras.get("org")))
    except ValueError:
        return None
    user = await orgs_service.load_current_user(user_id, org_id)
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
    return RedisSettings.from_dsn(url)


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Pools are opened once here, in the loop that serves requests, and closed on shutdown."""
    settings: Settings = app.state.settings
    await db.open_pool()
    redis: ArqRedis = await create_pool(redis_settings(settings.redis_url))
    app.state.redis = redis
    redirector = Redirector(
        redis,
        settings.secret_key,
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
    app.state.boards = Boards(
        redis,
        min_team_size=settings.leaderboard_min_team_size,
        memory_max=settings.leaderboard_memory_max,
    )
    subscribers.install(redis)
    outbox.start(redis)  # awards reach the boards even when their event is lost
    hub = LiveHub(redis)
    hub.on_boards_changed.append(app.state.boards.mark_dirty)
    hub.start()
    app.state.live = hub
    worker_task: asyncio.Task[Any] | None = None
    worker = None
    if settings.inprocess_worker:
        from workers.settings import build_worker

        # its own pool: arq's Worker closes the pool it is given when it stops
        worker = build_worker(await create_pool(redis_settings(settings.redis_url)))
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
        subscribers.uninstall()
        await hub.stop()
        await redirector.recorder.stop()
        await redis.aclose()
        await db.close_pool()


@get("/health", exclude_from_auth=True, tags=["operations"], sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


async def _check(probe: Any) -> str:
    try:
        await asyncio.wait_for(probe, READY_TIMEOUT_SECONDS)
    except Exception:  # any failure of a dependency means "not ready", never a 500
        return "down"
    return "ok"


@get("/ready", exclude_from_auth=True, tags=["operations"])
async def ready(state: State) -> Response[dict[str, str]]:
    postgres, redis = await asyncio.gather(
        # on a connection of its own: requests holding every pooled connection for a while
        # mean busy, not down (a balancer would otherwise drop every process at once)
        _check(db.DB.run_ddl("SELECT 1", in_pool=False)),
        _check(state.redis.ping()),
    )
    ok = postgres == redis == "ok"
    return Response(
        {"status": "ok" if ok else "unavailable", "postgres": postgres, "redis": redis},
        status_code=200 if ok else 503,
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
    state = State({"settings": settings})
    app = Litestar(
        route_handlers=[
            health,
            health_redis,
            ready,
            home,
            AuthController,
            MeController,
            TeamsController,
            AdminOrgController,
            ChallengesController,
            AdminChallengesController,
            AdminPillarsController,
            list_pillars,
            ShareLinksController,
            ClickStatsController,
            follow_link,
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
            AdminSurveysController,
            SurveysController,
            StoriesController,
            CommunityController,
            CommunityAdminController,
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
        openapi_config=OpenAPIConfig(
            title="Chorus API",
            version="1.0.0",
            description="Gamified employee advocacy: challenges, verified shares, points, "
            "badges and live leaderboards. See shared/API.md for the contract.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
        ),
        debug=False,
    )
    # Outside Litestar's own exception handling, so every answer (errors included, those of
    # the auth middleware too) carries the request id and the security headers.
    app.asgi_handler = request_context_middleware(
        csrf_middleware(
            story_pages_middleware(
                pwa_middleware(app.asgi_handler, pwa_dist(settings)), settings.base_url
            )
        )
    )
    return app


def create_default_app() -> Litestar:
    """The ASGI factory servers load (`uvicorn --factory backend.app:create_default_app`)."""
    return create_app()


__all__ = ["create_app", "create_default_app"]
