"""HTTP for Web Push subscriptions, notification preferences and the inbox."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.core.errors import Unavailable
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.core.wire import Page
from backend.notifications import service
from backend.notifications.schemas import (
    NotificationRead,
    PreferencesBody,
    PublicKeyRead,
    SubscriptionCreate,
)
from backend.notifications.vapid import private_key, public_of
from backend.settings import Settings

Cursor = Annotated[str | None, QueryParameter(max_length=512)]


class PushController(Controller):
    path = "/api/v1/push"
    tags = ["notifications"]

    @get("/public-key", exclude_from_auth=True)
    async def public_key(self, settings: NamedDependency[Settings]) -> PublicKeyRead:
        key = private_key(settings)
        if key is None:
            raise Unavailable(msg("Push notifications are not set up on this server."))
        return PublicKeyRead(public_key=public_of(key))

    @post("/subscriptions", status_code=201)
    async def subscribe(
        self,
        request: Request[CurrentUser, Any, Any],
        data: JSONBody[SubscriptionCreate],
        settings: NamedDependency[Settings],
    ) -> Response[None]:
        created = await service.subscribe(request.user, data, settings)
        return Response(None, status_code=201 if created else 200)

    @delete("/subscriptions", status_code=204)
    async def unsubscribe(
        self,
        request: Request[CurrentUser, Any, Any],
        endpoint: Annotated[str, QueryParameter(min_length=10, max_length=2048)],
    ) -> None:
        await service.unsubscribe(request.user, endpoint)


class InboxController(Controller):
    tags = ["notifications"]

    @get("/api/v1/me/notification-preferences")
    async def get_preferences(self, request: Request[CurrentUser, Any, Any]) -> PreferencesBody:
        return await service.preferences(request.user.id)

    @put("/api/v1/me/notification-preferences")
    async def set_preferences(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[PreferencesBody]
    ) -> PreferencesBody:
        return await service.set_preferences(request.user, data)

    @get("/api/v1/notifications")
    async def inbox(
        self,
        request: Request[CurrentUser, Any, Any],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 30,
        cursor: Cursor = None,
    ) -> Page[NotificationRead]:
        return await service.inbox(request.user, limit=limit, cursor=cursor)

    @post("/api/v1/notifications/read-all", status_code=204)
    async def mark_all_read(self, request: Request[CurrentUser, Any, Any]) -> None:
        """Every unread notice of the caller is marked read."""
        await service.mark_all_read(request.user)

    @post("/api/v1/notifications/{notification_id:uuid}/read", status_code=204)
    async def mark_read(
        self, request: Request[CurrentUser, Any, Any], notification_id: FromPath[UUID]
    ) -> None:
        await service.mark_read(request.user, notification_id)
