"""HTTP for pulse surveys: admins create, edit, close and (once closed) read results; everyone
answers once."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, JSONBody

from backend.core.identity import CurrentUser
from backend.http.auth import require_role
from backend.surveys import service
from backend.surveys.schemas import (
    MySurvey,
    ResponseCreate,
    ResponseRead,
    SurveyCreate,
    SurveyDetail,
    SurveyRead,
    SurveyResults,
)


class AdminSurveysController(Controller):
    path = "/api/v1/admin/surveys"
    tags = ["surveys"]
    guards = [require_role("admin")]

    @post("", status_code=201)
    async def create(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[SurveyCreate]
    ) -> SurveyRead:
        return await service.create_survey(request.user, data)

    @get("")
    async def list_surveys(self, request: Request[CurrentUser, Any, Any]) -> list[SurveyRead]:
        return await service.list_for_admin(request.user.org_id)

    @get("/{survey_id:uuid}")
    async def detail(
        self, request: Request[CurrentUser, Any, Any], survey_id: FromPath[UUID]
    ) -> SurveyDetail:
        return await service.get_detail(request.user.org_id, survey_id)

    @put("/{survey_id:uuid}")
    async def edit(
        self,
        request: Request[CurrentUser, Any, Any],
        survey_id: FromPath[UUID],
        data: JSONBody[SurveyCreate],
    ) -> SurveyDetail:
        """The whole survey as creation takes it (`opensAt` left out: unchanged); once anyone
        answered only a later end (409 otherwise), and never once it closed (409)."""
        return await service.update_survey(request.user, survey_id, data)

    @get("/{survey_id:uuid}/results")
    async def results(
        self, request: Request[CurrentUser, Any, Any], survey_id: FromPath[UUID]
    ) -> SurveyResults:
        return await service.results(request.user.org_id, survey_id)

    @post("/{survey_id:uuid}/close", status_code=200)
    async def close(
        self, request: Request[CurrentUser, Any, Any], survey_id: FromPath[UUID]
    ) -> SurveyRead:
        """Close now and pay everyone who answered; closing a closed survey answers the same."""
        return await service.close_survey(request.user.org_id, survey_id)

    @delete("/{survey_id:uuid}", status_code=204)
    async def remove(
        self, request: Request[CurrentUser, Any, Any], survey_id: FromPath[UUID]
    ) -> None:
        """Only while nobody answered (409 otherwise)."""
        await service.delete_survey(request.user.org_id, survey_id)


class SurveysController(Controller):
    path = "/api/v1/surveys"
    tags = ["surveys"]

    @get("")
    async def open_surveys(self, request: Request[CurrentUser, Any, Any]) -> list[MySurvey]:
        return await service.list_open(request.user)

    @post("/{survey_id:uuid}/responses", status_code=201)
    async def respond(
        self,
        request: Request[CurrentUser, Any, Any],
        survey_id: FromPath[UUID],
        data: JSONBody[ResponseCreate],
    ) -> ResponseRead:
        points = await service.respond(request.user, survey_id, data)
        return ResponseRead(points_awarded=0, points_when_closed=points)
