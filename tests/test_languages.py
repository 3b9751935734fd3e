"""The server speaks the reader's language: the person's choice, else the request's
Accept-Language, else the organization's default; pushes and inbox items in the recipient's."""

from __future__ import annotations

import pytest

from backend.core.i18n import LANGUAGES, Known, msg, msg_n, negotiate, pick
from backend.i18n_check import check_bypasses, check_catalogs, said_in_code
from tests.helpers import (
    add_member,
    assert_problem,
    at_noon,
    bearer,
    create_challenge,
    run_worker_burst,
    signup,
)
from tests.test_mail import html_of, mailbox, mailing_client
from tests.test_submissions import _setup

__all__ = ["mailbox"]  # the loopback SMTP server fixture, shared with tests/test_mail.py

MISSING = "/api/v1/notifications/00000000-0000-4000-8000-000000000000/read"


@pytest.fixture(autouse=True)
def midday(monkeypatch):
    return at_noon(monkeypatch)


async def _subscribe(client, person, push_service):
    sub = push_service.subscription()
    resp = await client.post("/api/v1/push/subscriptions", json=sub, headers=bearer(person))
    assert resp.status_code == 201, resp.text


async def _speak(client, person, language):
    resp = await client.patch("/api/v1/me", json={"language": language}, headers=bearer(person))
    assert resp.status_code == 200, resp.text
    assert resp.json()["language"] == language


async def test_a_german_employee_is_told_in_german_and_an_english_colleague_in_english(
    client, push_service
):
    admin, greta, challenge, _ = await _setup(client, verification="trust")
    emma = await add_member(client, admin, name="Emma")
    await _speak(client, greta, "de")
    await _speak(client, emma, "en")
    for person in (greta, emma):
        await _subscribe(client, person, push_service)
    for n, person in enumerate((greta, emma)):
        resp = await client.post(
            f"/api/v1/challenges/{challenge['id']}/submissions",
            json={
                "network": "linkedin",
                "postUrl": f"https://www.linkedin.com/feed/update/urn:li:activity:{7_300_000 + n}",
            },
            headers=bearer(person),
        )
        assert resp.status_code == 202, resp.text
    await run_worker_burst()

    told = {
        (m["payload"]["title"], m["payload"]["body"])
        for m in push_service.messages
        if m["payload"]["category"] == "verification"
    }
    assert told == {
        ("Bestätigt! +25", "Dein Beitrag zählt. Danke, dass du die Nachricht verbreitest."),
        ("Verified! +25", "Your share counts. Thank you for spreading the word."),
    }
    # the inbox says what the push said, each in its reader's language
    for person, title in ((greta, "Bestätigt! +25"), (emma, "Verified! +25")):
        inbox = (await client.get("/api/v1/notifications", headers=bearer(person))).json()
        assert title in [n["title"] for n in inbox["items"]]


async def test_a_new_challenge_is_announced_in_each_persons_language(client, push_service):
    admin = await signup(client)
    people = {lang: await add_member(client, admin) for lang in LANGUAGES}
    for lang, person in people.items():
        await _speak(client, person, lang)
        await _subscribe(client, person, push_service)
    await create_challenge(
        client,
        admin,
        title="Launch day",
        points=30,
        translations={"de": {"title": "Starttag"}},  # the others: the base title
    )
    await run_worker_burst()
    titles = sorted(
        m["payload"]["title"]
        for m in push_service.messages
        if m["payload"]["category"] == "challenge"
    )
    assert titles == sorted(
        [
            "New challenge: Launch day",
            "Neue Challenge: Starttag",
            "Nouveau défi : Launch day",
            "Nuevo reto: Launch day",
            "Novo desafio: Launch day",
        ]
    )


async def test_problem_details_follow_the_person_then_the_request_then_the_organization(client):
    admin = await signup(client)
    person = await add_member(client, admin)
    english = "No such notification of yours."
    # nobody chose: the request's language
    resp = await client.post(MISSING, headers={**bearer(person), "Accept-Language": "de-AT"})
    assert_problem(resp, 404, detail_contains="Diese Mitteilung gibt es bei dir nicht.")
    resp = await client.post(MISSING, headers=bearer(person))
    assert_problem(resp, 404, detail_contains=english)
    # the organization's default, when the request says nothing Chorus speaks
    resp = await client.put(
        "/api/v1/admin/organization", json={"defaultLanguage": "es"}, headers=bearer(admin)
    )
    assert resp.status_code == 200 and resp.json()["defaultLanguage"] == "es"
    resp = await client.post(MISSING, headers={**bearer(person), "Accept-Language": "ja"})
    assert_problem(resp, 404, detail_contains="No tienes esa notificación.")
    # the person's own choice beats both
    await _speak(client, person, "pt-BR")
    resp = await client.post(MISSING, headers={**bearer(person), "Accept-Language": "fr"})
    assert_problem(resp, 404, detail_contains="Você não tem essa notificação.")
    # signed out: the request's language
    resp = await client.get("/api/v1/me", headers={"Accept-Language": "fr;q=0.9, de;q=0.5"})
    assert_problem(resp, 401, detail_contains="Connectez-vous")


async def test_a_field_error_speaks_the_request_language_next_to_its_field(client):
    admin = await signup(client)
    resp = await client.put(
        "/api/v1/me/notification-preferences",
        json={"categories": {}, "quietStart": 22, "quietEnd": None},
        headers={**bearer(admin), "Accept-Language": "fr"},
    )
    problem = assert_problem(resp, 422)
    assert problem["errors"] == [
        {
            "field": "quietEnd",
            "message": "Indiquez le début et la fin des heures calmes (ou aucun des deux).",
        }
    ]
    assert problem["detail"] == problem["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"language": "pt"}, 422),  # Brazilian Portuguese is "pt-BR"
        ({"language": "it"}, 422),
        ({"language": "klingon"}, 422),
        ({"language": 7}, 400),  # not even a tag: the body's shape is wrong
        ({"language": ["de"]}, 400),
        ({"language": "de" * 200}, 400),
    ],
)
async def test_only_the_languages_chorus_speaks_can_be_chosen(client, body, status):
    admin = await signup(client)
    resp = await client.patch("/api/v1/me", json=body, headers=bearer(admin))
    problem = assert_problem(resp, status)
    assert problem["errors"][0]["field"] == "language"
    me = (await client.get("/api/v1/me", headers=bearer(admin))).json()
    assert me["language"] is None  # nothing changed


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"defaultLanguage": "pt"}, "defaultLanguage"),
        ({"defaultLanguage": None}, "defaultLanguage"),
        ({"defaultLanguage": 3}, "defaultLanguage"),
    ],
)
async def test_the_organizations_default_language_is_checked(client, body, field):
    admin = await signup(client)
    resp = await client.put("/api/v1/admin/organization", json=body, headers=bearer(admin))
    assert assert_problem(resp, 400)["errors"][0]["field"] == field
    got = await client.get("/api/v1/admin/organization", headers=bearer(admin))
    assert got.json()["defaultLanguage"] == "en"


async def test_only_admins_set_the_default_language_of_their_own_organization(client):
    admin = await signup(client)
    other = await signup(client)
    lead = await add_member(client, admin, role="lead")
    resp = await client.put(
        "/api/v1/admin/organization", json={"defaultLanguage": "de"}, headers=bearer(lead)
    )
    assert_problem(resp, 403)
    await client.put(
        "/api/v1/admin/organization", json={"defaultLanguage": "de"}, headers=bearer(other)
    )
    mine = await client.get("/api/v1/admin/organization", headers=bearer(admin))
    assert mine.json()["defaultLanguage"] == "en"  # the other admin changed only their own


def test_accept_language_is_negotiated_by_quality_then_order():
    assert negotiate("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5") == "fr"
    assert negotiate("ja, de;q=0.2, es;q=0.3") == "es"
    assert negotiate("pt-PT") == "pt-BR"
    assert negotiate("en-GB;q=0, de") == "de"
    assert negotiate("da, *") is None
    assert negotiate("de;q=abc, es") == "es"
    assert negotiate(",;;, " * 400) is None
    assert pick(None, None, None) == "en"
    assert pick("fr", "de", "es") == "fr"
    assert pick(None, "xx", "es") == "es"


def test_messages_render_plurals_and_nested_messages_per_language():
    missed = "{n} update you missed today", "{n} updates you missed today"
    assert msg_n(*missed, 1, n=1).render("de") == "1 Neuigkeit, die du heute verpasst hast"
    assert msg_n(*missed, 4, n=4).render("de") == "4 Neuigkeiten, die du heute verpasst hast"
    assert msg_n(*missed, 0, n=0).render("fr").startswith("0 nouvelle ")  # French: 0 is one
    assert msg_n(*missed, 2, n=2).render("en") == "2 updates you missed today"
    nested = msg("New challenge: {title}", title=msg("Level {level}!", level=2))
    assert nested.render("es") == "Nuevo reto: ¡Nivel 2!"
    assert str(nested) == "New challenge: Level 2!"
    assert msg("Not in any catalog {x}", x=1).render("de") == "Not in any catalog 1"


def test_the_server_catalogs_are_complete_and_nothing_bypasses_them():
    said = said_in_code()
    assert sum(len(m) for m in said.values()) > 20
    assert check_catalogs(said) == []
    assert check_bypasses() == []


async def test_an_invite_is_emailed_in_the_organizations_language(app, mailbox):
    async with mailing_client(app) as http:
        admin = await signup(http, org="Acme", name="Ann Admin")
        resp = await http.put(
            "/api/v1/admin/organization", json={"defaultLanguage": "de"}, headers=bearer(admin)
        )
        assert resp.status_code == 200
        resp = await http.post(
            "/api/v1/admin/invites", json={"email": "neu@example.com"}, headers=bearer(admin)
        )
        assert resp.status_code == 201, resp.text
        await run_worker_burst()
        (message,) = mailbox.to("neu@example.com")
        assert message["Subject"] == "Ann Admin hat dich zu Acme auf Chorus eingeladen"
        assert 'lang="de"' in html_of(message)


def test_the_server_check_finds_what_is_missing_and_what_bypasses_it(tmp_path, monkeypatch):
    """The checker itself, on a package of its own: an untranslated message, a sentence raised
    bare, a notification with a bare title, a placeholder a translation lost, a message the
    code no longer says — each is found; `--update` writes the .po files a translator fills."""
    from backend import i18n_check

    code = tmp_path / "backend"
    (code / "things").mkdir(parents=True)
    (code / "things" / "service.py").write_text(
        "from backend.core.errors import DomainError\n"
        "from backend.core.i18n import msg, msg_n\n"
        "class Mine(DomainError):\n"
        "    pass\n"
        "def f(n):\n"
        '    raise Mine(msg("Keep it to {n} characters.", n=n))\n'
        "def g():\n"
        '    raise Mine(f"No such {1} thing.")\n'
        "async def h(notify):\n"
        '    await notify(1, 2, "badge", "Bare title", msg("Fine."))\n'
        "def k(n):\n"
        '    return msg_n("{n} point", "{n} points", n, n=n)\n'
    )
    locales = tmp_path / "locales"
    monkeypatch.setattr(i18n_check, "ROOT", tmp_path)
    monkeypatch.setattr(i18n_check, "BACKEND", code)
    monkeypatch.setattr(i18n_check, "SOURCES", [code])
    monkeypatch.setattr(i18n_check, "LOCALES_DIR", locales)
    said = i18n_check.said_in_code()
    assert set(said["things"]) == {"Keep it to {n} characters.", "Fine.", "{n} point"}
    bypasses = i18n_check.check_bypasses()
    assert [line.split(": ", 1)[0] for line in bypasses] == [
        "backend/things/service.py:8",
        "backend/things/service.py:10",
    ]
    missing = i18n_check.check_catalogs(said)
    assert len(missing) == 3 * 4 and all("missing" in line for line in missing)

    assert i18n_check.main(["--update", "--domain=things"]) == 0
    german = locales / "de" / "LC_MESSAGES" / "things.po"
    assert 'msgid "Keep it to {n} characters."' in german.read_text()
    assert all("not translated" in line for line in i18n_check.check_catalogs(said))
    text = german.read_text()
    text = text.replace(
        'msgid "Keep it to {n} characters."\nmsgstr ""',
        'msgid "Keep it to {n} characters."\nmsgstr "Höchstens {m} Zeichen."',
    )
    german.write_text(text + '\nmsgid "Gone."\nmsgstr "Weg."\n')
    found = "\n".join(i18n_check.check_catalogs(said))
    assert "uses ['m'], English ['n']" in found
    assert "“Gone.” is no longer said" in found


async def test_a_reason_stored_in_english_reaches_a_german_employee_in_german(client, push_service):
    admin, greta, challenge, _ = await _setup(client, verification="review")
    await _speak(client, greta, "de")
    await _subscribe(client, greta, push_service)
    made = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={
            "network": "linkedin",
            "postUrl": "https://www.linkedin.com/feed/update/urn:li:activity:7300099",
        },
        headers=bearer(greta),
    )
    assert made.status_code == 202, made.text
    await run_worker_burst()
    page = await client.get(f"/api/v1/challenges/{challenge['id']}", headers=bearer(greta))
    waiting = page.json()["mySubmission"]["reason"]
    assert waiting == "Wartet auf die Prüfung durch einen Admin."
    resp = await client.post(
        f"/api/v1/admin/submissions/{made.json()['id']}/reject", json={}, headers=bearer(admin)
    )
    assert resp.status_code == 200
    assert resp.json()["reason"] == "Rejected by an admin."  # the admin reads English
    await run_worker_burst()
    told = [m for m in push_service.messages if m["payload"]["category"] == "verification"]
    assert [(m["payload"]["title"], m["payload"]["body"]) for m in told] == [
        ("Zu deinem Beitrag", "Von einem Admin abgelehnt.")
    ]
    page = await client.get(f"/api/v1/challenges/{challenge['id']}", headers=bearer(greta))
    assert page.json()["mySubmission"]["reason"] == "Von einem Admin abgelehnt."
    # a person's own words are never looked up: the admin's note stays as written
    assert Known("Not about us {x}").render("de") == "Not about us {x}"


async def test_the_default_badges_read_in_each_persons_language(client):
    admin = await signup(client)
    greta = await add_member(client, admin, name="Greta")
    await _speak(client, greta, "de")
    german = (await client.get("/api/v1/badges", headers=bearer(greta))).json()
    english = (await client.get("/api/v1/badges", headers=bearer(admin))).json()
    by_code = {b["code"]: b for b in german}
    assert by_code["first-share"]["name"] == "Erste Stimme"
    assert by_code["first-share"]["description"].startswith("Dein erster bestätigter Beitrag")
    assert {b["code"]: b["name"] for b in english}["first-share"] == "First voice"
    assert [b["code"] for b in german] == [b["code"] for b in english]
