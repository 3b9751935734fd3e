"""A challenge's title, description and share texts in other languages: each employee reads
their language's (their choice, else Accept-Language, else the organization's default) where
the challenge has it, else the base; the per-network length rules hold for each translation."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import msgspec
import pytest

from backend.challenges import service
from backend.challenges.schemas import ChallengeRead
from backend.challenges.tables import Challenge
from backend.core.identity import CurrentUser
from backend.core.wire import Page
from backend.orgs.tables import User
from backend.submissions.own_words import judge
from tests.helpers import (
    Account,
    add_member,
    assert_problem,
    bearer,
    challenge_body,
    create_challenge,
    signup,
)

GERMAN = {
    "title": "Teile unseren Launch-Beitrag",
    "description": "Wir sind live! Erzähl es deinem Netzwerk.",
    "shareText": {"linkedin": "Stolz auf das, was wir heute geliefert haben."},
}
SPANISH = {"title": "Comparte nuestro lanzamiento"}  # the description and texts: the base's
BASE = challenge_body()


async def _speak(client: Any, person: Account, language: str | None) -> None:
    resp = await client.patch("/api/v1/me", json={"language": language}, headers=bearer(person))
    assert resp.status_code == 200, resp.text


async def _translated(client: Any, admin: Account, **overrides: Any) -> dict[str, Any]:
    return await create_challenge(
        client, admin, translations={"de": GERMAN, "es": SPANISH}, **overrides
    )


async def _list(client: Any, person: Account, **headers: str) -> list[dict[str, Any]]:
    resp = await client.get("/api/v1/challenges", headers={**bearer(person), **headers})
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


async def _one(client: Any, person: Account, challenge_id: str, **headers: str) -> dict[str, Any]:
    resp = await client.get(
        f"/api/v1/challenges/{challenge_id}", headers={**bearer(person), **headers}
    )
    assert resp.status_code == 200, resp.text
    one: dict[str, Any] = resp.json()
    return one


def _assert_german(read: dict[str, Any]) -> None:
    assert read["title"] == GERMAN["title"]
    assert read["description"] == GERMAN["description"]
    assert read["shareText"]["linkedin"] == GERMAN["shareText"]["linkedin"]
    assert read["shareText"]["x"] == BASE["shareText"]["x"]  # not translated: the base's
    assert "translations" not in read  # an employee reads their language, not every one


def _assert_base(read: dict[str, Any]) -> None:
    assert read["title"] == BASE["title"]
    assert read["description"] == BASE["description"]
    assert read["shareText"]["linkedin"] == BASE["shareText"]["linkedin"]
    assert read["shareText"]["x"] == BASE["shareText"]["x"]


async def _database_list(account: Account, language: str | None) -> list[dict[str, Any]]:
    row = await User.select().where(User.id == UUID(account.user_id)).first()
    assert row is not None
    user = CurrentUser(
        id=row["id"],
        org_id=row["org"],
        role=row["role"],
        email=row["email"],
        display_name=row["display_name"],
        team_id=row["team"],
    )
    items = await service.list_open(user, language=language)
    page = Page[ChallengeRead](items=items, next_cursor=None)
    decoded: list[dict[str, Any]] = msgspec.json.decode(msgspec.json.encode(page))["items"]
    return decoded


async def _until_live(app: Any) -> Any:
    memory = app.state.open_challenges
    for _ in range(200):
        if memory.live:
            return memory
        await asyncio.sleep(0.05)
    pytest.fail("the app's pub/sub never subscribed: nothing would be served from memory")


async def test_the_admin_writes_translations_and_reads_them_back(client):
    admin = await signup(client)
    made = await _translated(client, admin, publish=False)
    assert made["title"] == BASE["title"]  # the base, with the translations as written
    assert made["translations"]["de"]["title"] == GERMAN["title"]
    assert made["translations"]["de"]["shareText"]["linkedin"] == GERMAN["shareText"]["linkedin"]
    assert made["translations"]["es"] == SPANISH
    again = (
        await client.get(f"/api/v1/admin/challenges/{made['id']}", headers=bearer(admin))
    ).json()
    assert again["translations"] == made["translations"]
    # a challenge without any has an empty map
    plain = await create_challenge(client, admin, title="Plain", publish=False)
    assert plain["translations"] == {}


async def test_each_employee_reads_their_language_or_the_base(client, app):
    memory = await _until_live(app)
    admin = await signup(client)
    greta, emma, france, nobody = [
        await add_member(client, admin, name=name) for name in ("Greta", "Emma", "Fran", "Nob")
    ]
    await _speak(client, greta, "de")
    await _speak(client, emma, "en")
    await _speak(client, france, "fr")  # there is no French translation
    made = await _translated(client, admin)

    for _ in range(3):  # the first read loads the organization's list; the next from memory
        (greta_item,) = await _list(client, greta)
        _assert_german(greta_item)
        (emma_item,) = await _list(client, emma)
        _assert_base(emma_item)
        (fran_item,) = await _list(client, france)
        _assert_base(fran_item)
        (accepted,) = await _list(client, nobody, **{"Accept-Language": "de-AT, en;q=0.5"})
        _assert_german(accepted)
        (spanish,) = await _list(client, nobody, **{"Accept-Language": "es"})
        assert spanish["title"] == SPANISH["title"]
        assert spanish["description"] == BASE["description"]
        assert spanish["shareText"] == emma_item["shareText"]
    # served from this process's memory: one entry per status and language shown
    org = memory._orgs[UUID(admin.org_id)]
    (item,) = org.items
    assert set(item.encoded) == {("todo", "de"), ("todo", None), ("todo", "es")}
    # what memory serves is what the database gives, in each language
    assert await _list(client, greta) == await _database_list(greta, "de")
    assert await _list(client, emma) == await _database_list(emma, "en")

    _assert_german(await _one(client, greta, made["id"]))
    _assert_base(await _one(client, emma, made["id"]))
    _assert_base(await _one(client, france, made["id"]))
    _assert_german(await _one(client, nobody, made["id"], **{"Accept-Language": "de"}))
    # the admin's own reads show the base and the translations as written
    edit = (
        await client.get(f"/api/v1/admin/challenges/{made['id']}", headers=bearer(admin))
    ).json()
    _assert_base(edit)
    assert set(edit["translations"]) == {"de", "es"}


async def test_a_reader_without_their_translation_reads_the_organizations_default(client, app):
    """Their language, else the organization's default language's translation, else the base."""
    await _until_live(app)
    admin = await signup(client)
    resp = await client.put(
        "/api/v1/admin/organization", json={"defaultLanguage": "es"}, headers=bearer(admin)
    )
    assert resp.status_code == 200
    fran, greta = [await add_member(client, admin, name=name) for name in ("Fran", "Greta")]
    await _speak(client, fran, "fr")  # no French translation: the Spanish one
    await _speak(client, greta, "de")
    made = await _translated(client, admin)
    for _ in range(2):  # from the database, then from memory
        (item,) = await _list(client, fran)
        assert item["title"] == SPANISH["title"]
        _assert_german((await _list(client, greta))[0])
    assert (await _one(client, fran, made["id"]))["title"] == SPANISH["title"]


async def test_an_edit_of_the_translations_reaches_the_list_in_memory(client, app):
    await _until_live(app)
    admin = await signup(client)
    greta = await add_member(client, admin, name="Greta")
    await _speak(client, greta, "de")
    made = await _translated(client, admin)  # published: translations may still change
    for _ in range(2):
        _assert_german((await _list(client, greta))[0])
    changed = {"de": {**GERMAN, "title": "Neuer Titel"}}
    resp = await client.patch(
        f"/api/v1/admin/challenges/{made['id']}",
        json={"translations": changed},
        headers=bearer(admin),
    )
    assert resp.status_code == 200, resp.text
    assert set(resp.json()["translations"]) == {"de"}  # a map replaces them all
    assert (await _list(client, greta))[0]["title"] == "Neuer Titel"
    # an edit that leaves them out leaves them be
    resp = await client.patch(
        f"/api/v1/admin/challenges/{made['id']}",
        json={"title": "Share the launch"},
        headers=bearer(admin),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["translations"]["de"]["title"] == "Neuer Titel"
    # and an empty map removes them
    resp = await client.patch(
        f"/api/v1/admin/challenges/{made['id']}", json={"translations": {}}, headers=bearer(admin)
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["translations"] == {}
    assert (await _list(client, greta))[0]["title"] == "Share the launch"


async def test_the_share_link_text_is_in_the_readers_language(client):
    admin = await signup(client)
    greta, emma = await add_member(client, admin, name="Greta"), await add_member(client, admin)
    await _speak(client, greta, "de")
    made = await _translated(client, admin)
    texts = {}
    for person in (greta, emma):
        resp = await client.post(
            f"/api/v1/challenges/{made['id']}/share-links",
            json={"network": "linkedin"},
            headers=bearer(person),
        )
        assert resp.status_code == 200, resp.text
        texts[person] = resp.json()["shareText"]
    assert texts[greta].startswith(GERMAN["shareText"]["linkedin"])
    assert texts[emma].startswith(BASE["shareText"]["linkedin"])


async def test_own_words_are_judged_against_every_translation(client):
    admin = await signup(client)
    made = await _translated(client, admin)
    rows = await Challenge.raw(
        "SELECT title, share_text, translations FROM challenge WHERE id = {}", made["id"]
    )
    suggestions = service.suggested_texts(rows[0], "linkedin")
    assert BASE["shareText"]["linkedin"] in suggestions
    assert GERMAN["shareText"]["linkedin"] in suggestions
    copied = judge(
        GERMAN["shareText"]["linkedin"], suggestions, [], threshold=0.5, drop=()
    )  # the German suggestion copied is not their own words
    assert not copied.own_words
    own = judge(
        "Ich habe heute mit meinem Team etwas Neues gebaut, schaut es euch an.",
        suggestions,
        [],
        threshold=0.5,
        drop=(),
    )
    assert own.own_words


X_WIDE = "x" * 260  # within the X text's own limit, not with the link and the hashtags


@pytest.mark.parametrize(
    ("translations", "status", "field"),
    [
        ({"it": {"title": "Condividi"}}, 422, "translations.it"),
        ({"pt": {"title": "Compartilhe"}}, 422, "translations.pt"),
        ({"de": {"shareText": {"x": X_WIDE}}}, 422, "translations.de.shareText.x"),
        ({"de": {"title": "Zeile\u202eumgedreht"}}, 422, "translations.de.title"),
        ({"de": {"shareText": {"x": "x" * 281}}}, 400, "shareText.x"),
        ({"de": {"title": ""}}, 400, "title"),
        ({"de": {"title": 7}}, 400, "title"),
        ({"de": "Teile es"}, 400, "translations"),
        ({"de": {"title": "T", "slogan": "nope"}}, 400, "slogan"),
        ([{"de": {"title": "T"}}], 400, "translations"),
        (
            {tag: {"title": "T"} for tag in ("en", "de", "fr", "es", "pt-BR", "it")},
            400,
            "translations",
        ),
    ],
)
async def test_bad_translations_are_refused_by_name_and_nothing_is_saved(
    client, translations, status, field
):
    admin = await signup(client)
    resp = await client.post(
        "/api/v1/admin/challenges",
        json=challenge_body(translations=translations),
        headers=bearer(admin),
    )
    problem = assert_problem(resp, status)
    fields = [e.get("field") or "" for e in problem.get("errors") or []]
    assert any(field in f for f in fields), problem
    assert await Challenge.count() == 0
    # the same through an edit: refused, the challenge as it was
    made = await _translated(client, admin, publish=False)
    resp = await client.patch(
        f"/api/v1/admin/challenges/{made['id']}",
        json={"translations": translations},
        headers=bearer(admin),
    )
    problem = assert_problem(resp, status)
    fields = [e.get("field") or "" for e in problem.get("errors") or []]
    assert any(field in f for f in fields), problem
    again = (
        await client.get(f"/api/v1/admin/challenges/{made['id']}", headers=bearer(admin))
    ).json()
    assert again["translations"] == made["translations"]


async def test_a_base_edit_that_makes_a_translations_x_post_too_long_is_refused(client):
    admin = await signup(client)
    made = await create_challenge(
        client, admin, publish=False, translations={"de": {"shareText": {"x": "y" * 240}}}
    )
    resp = await client.patch(
        f"/api/v1/admin/challenges/{made['id']}",
        json={"hashtags": ["averyveryverylonghashtag", "anotherlonghashtagtoo"]},
        headers=bearer(admin),
    )
    problem = assert_problem(resp, 422)
    assert [e["field"] for e in problem["errors"]] == ["translations.de.shareText.x"]
    again = (
        await client.get(f"/api/v1/admin/challenges/{made['id']}", headers=bearer(admin))
    ).json()
    assert again["hashtags"] == made["hashtags"]


async def test_an_x_error_in_a_translation_speaks_the_readers_language(client):
    admin = await signup(client)
    resp = await client.post(
        "/api/v1/admin/challenges",
        json=challenge_body(translations={"de": {"shareText": {"x": X_WIDE}}}),
        headers={**bearer(admin), "Accept-Language": "de"},
    )
    problem = assert_problem(resp, 422)
    assert problem["errors"][0]["field"] == "translations.de.shareText.x"
    assert "X" in problem["detail"] and "Zeichen" in problem["detail"]


async def test_another_organizations_challenge_and_an_employee_are_refused(client):
    admin, other = await signup(client), await signup(client, org="Other")
    employee = await add_member(client, admin)
    theirs = await _translated(client, other, publish=False)
    resp = await client.patch(
        f"/api/v1/admin/challenges/{theirs['id']}",
        json={"translations": {"de": {"title": "Gekapert"}}},
        headers=bearer(admin),
    )
    assert_problem(resp, 404)
    mine = await _translated(client, admin, publish=False)
    resp = await client.patch(
        f"/api/v1/admin/challenges/{mine['id']}",
        json={"translations": {"de": {"title": "Gekapert"}}},
        headers=bearer(employee),
    )
    assert_problem(resp, 403)
    resp = await client.post(
        "/api/v1/admin/challenges",
        json=challenge_body(translations={"de": GERMAN}),
        headers=bearer(employee),
    )
    assert_problem(resp, 403)
    for made, owner in ((theirs, other), (mine, admin)):
        again = (
            await client.get(f"/api/v1/admin/challenges/{made['id']}", headers=bearer(owner))
        ).json()
        assert again["translations"] == made["translations"]
    # and an employee reading another organization's challenge in any language: 404
    resp = await client.get(
        f"/api/v1/challenges/{theirs['id']}", headers={**bearer(employee), "Accept-Language": "de"}
    )
    assert_problem(resp, 404)


async def test_a_lesson_is_translated_without_share_texts(client):
    admin = await signup(client)
    greta = await add_member(client, admin, name="Greta")
    await _speak(client, greta, "de")
    body = challenge_body(
        kind="lesson",
        sections=[{"heading": "Start", "body": "Read this."}],
        quiz=[{"question": "Ready?", "options": ["yes", "no"], "answer": 0}],
        translations={"de": {"title": "Lektion", "shareText": {"linkedin": "nichts zu teilen"}}},
    )
    for shared in ("networks", "contentUrl", "shareText", "hashtags", "clickPoints"):
        body.pop(shared)
    resp = await client.post("/api/v1/admin/challenges", json=body, headers=bearer(admin))
    assert resp.status_code == 201, resp.text
    made = resp.json()
    assert made["translations"] == {"de": {"title": "Lektion"}}  # a lesson shares nothing
    published = await client.post(
        f"/api/v1/admin/challenges/{made['id']}/publish", headers=bearer(admin)
    )
    assert published.status_code == 200, published.text
    assert (await _one(client, greta, made["id"]))["title"] == "Lektion"
