"""Hostile input, written by hand and sent everywhere it can go.

* Bodies: 10 MB (announced by its length, and streamed without one), JSON nested 100,000 deep
  and bytes that are not UTF-8, to every operation of the OpenAPI document that takes a body, as
  the role it needs and with its own organization's ids: a 413 or 400 problem detail, never a
  5xx, and not one byte of the database changed.
* Text: SQL, script and template injections, a right-to-left override, emoji and a line break in
  every free-text field people write (a test holds the table against the request schemas of the
  OpenAPI document, so a new text field has to join it): read back through the API exactly as
  written, or as the field's documented cleaning makes it, or refused with a 422 that names the
  field; every table still there; the public story page shows it escaped, and no HTML answer
  echoes what a request carried.
* URLs: `javascript:`, `file:`, `data:`, user names, look-alike hosts and IDN homographs in every
  URL field: refused with a 422 that names the field, or kept in punycode so that the homograph
  shows; `/s/<code>` redirects to the stored URL and nowhere else, whatever is added to it.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from html import escape
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx
import msgspec
import pytest

from backend.app import create_app
from backend.orgs.tables import Organization
from backend.settings import get_settings
from tests.helpers import (
    PASSWORD,
    Account,
    add_member,
    assert_problem,
    bearer,
    challenge_body,
    client_for,
    create_challenge,
    create_team,
    invite,
    ledger_award,
    signup,
    unique_email,
)

# -- what a hostile person types ------------------------------------------------------------

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


@dataclass(frozen=True)
class Hostile:
    label: str
    text: str

    @property
    def breaks_lines(self) -> bool:
        return "\n" in self.text

    @property
    def overrides_direction(self) -> bool:
        return any(ch in BIDI_CONTROLS for ch in self.text)


# At most 60 characters each: the shortest text field (a badge's name) takes them all.
HOSTILE_TEXTS = [
    Hostile("sql: closing quote, drop table", "'); DROP TABLE organization; --"),
    Hostile("sql: always-true condition", "' OR '1'='1"),
    Hostile("sql: stacked delete", "Robert'); DELETE FROM app_user WHERE ('1'='1"),
    Hostile("html: script tag", "<script>alert(1)</script>"),
    Hostile("html: image with onerror", "<img src=x onerror=alert(1)>"),
    Hostile("html: attribute break-out", '"><svg/onload=alert(document.cookie)>'),
    Hostile("template: jinja", "{{7*7}} {% debug %}"),
    Hostile("template: js, ruby, erb", "${7*7} #{7*7} <%= 7*7 %>"),
    Hostile("json: backslashes and quotes", 'C:\\temp\\new "quoted" \\u0041 \\n'),
    Hostile("emoji, skin tone, flag, joiner", "🎉 Launch 👍🏽 🇫🇷 👩🏽\u200d💻 ❤️\u200d🔥"),
    Hostile("look-alike letters (Cyrillic a)", "P\u0430yP\u0430l_Security_Team"),
    Hostile("right-to-left override", "invoice\u202egnp.exe"),
    Hostile("line break", "First line\nsecond line"),
]


class Cleaning(Enum):
    """What a field does to text before it keeps it (every field trims surrounding spaces)."""

    ONE_LINE = (
        "NFC; control characters, line breaks and bidi overrides refused (backend/core/text.py)"
    )
    PARAGRAPHS = "as ONE_LINE, but line breaks and tabs are kept"
    CASEFOLDED = "as ONE_LINE, then case-folded (blocked words match in any case)"
    AS_SENT = "kept as sent: admins' texts for challenges, badges, links and review notes"
    ONE_WORD = "a hashtag: letters, digits and _ (a pattern in the schema), anything else a 400"

    def expect(self, hostile: Hostile) -> str | None:
        """The text read back, or None when the field refuses it (`refusal`)."""
        text = hostile.text.strip()
        if self is Cleaning.AS_SENT:
            return text
        if self is Cleaning.ONE_WORD:
            return text if re.fullmatch(r"#?\w{1,50}", text) else None
        if hostile.overrides_direction or (
            hostile.breaks_lines and self is not Cleaning.PARAGRAPHS
        ):
            return None
        text = unicodedata.normalize("NFC", text)
        return text.casefold() if self is Cleaning.CASEFOLDED else text

    @property
    def refusal(self) -> tuple[int, str]:
        """The status and words of the problem detail that refuses a text."""
        if self is Cleaning.ONE_WORD:
            return 400, "hashtag"
        return 422, "control characters"


# -- a small world to write into ------------------------------------------------------------

SERIAL = itertools.count(1)


@dataclass
class World:
    http: httpx.AsyncClient
    admin: Account
    sam: Account  # an employee
    made: dict[str, Any] = field(default_factory=dict)  # things made once, on first use

    async def ok(self, method: str, path: str, who: Account | None, **kwargs: Any) -> Any:
        """A request that must succeed; its JSON answer (None for 204)."""
        headers = bearer(who) if who else {}
        resp = await self.http.request(method, path, headers=headers, **kwargs)
        self.http.cookies.clear()
        assert resp.status_code < 300, (method, path, resp.status_code, resp.text)
        return resp.json() if resp.content else None

    async def read(self, path: str, who: Account) -> Any:
        """A JSON answer, checked to be JSON: the text in it needs no HTML escaping."""
        resp = await self.http.get(path, headers=bearer(who))
        assert resp.status_code == 200, (path, resp.text)
        assert resp.headers["content-type"].startswith("application/json"), resp.headers
        assert "&lt;" not in resp.text and "&#" not in resp.text, resp.text  # never HTML-escaped
        return resp.json()

    async def story_challenge(self) -> str:
        if "story_challenge" not in self.made:
            self.made["story_challenge"] = await new_story_challenge(self, "review")
        return str(self.made["story_challenge"])

    async def feed_item(self) -> str:
        """A kudos in the feed, to comment on."""
        if "feed_item" not in self.made:
            await self.ok(
                "POST", "/api/v1/kudos", self.admin, json={"to": self.sam.user_id, "message": "Hi"}
            )
            feed = await self.read("/api/v1/feed", self.sam)
            self.made["feed_item"] = feed["items"][0]["id"]
        return str(self.made["feed_item"])

    async def crowd(self) -> list[Account]:
        """Five colleagues: survey answers show from five answers on."""
        if "crowd" not in self.made:
            self.made["crowd"] = [
                await add_member(self.http, self.admin, name=f"Voter {n}") for n in range(5)
            ]
        return list(self.made["crowd"])


async def new_world(http: httpx.AsyncClient) -> World:
    admin = await signup(http, org="Acme", name="Ann Admin")
    return World(http, admin, await add_member(http, admin, name="Sam Member"))


async def new_story_challenge(w: World, verification: str) -> str:
    now = datetime.now(UTC)
    made = await w.ok(
        "POST",
        "/api/v1/admin/challenges",
        w.admin,
        json={
            "kind": "story",
            "title": f"Tell us a story {next(SERIAL)}",
            "description": "A moment your work made a difference.",
            "points": 10,
            "startsAt": (now - timedelta(hours=1)).isoformat(),
            "endsAt": (now + timedelta(days=7)).isoformat(),
            "verification": verification,
        },
    )
    await w.ok("POST", f"/api/v1/admin/challenges/{made['id']}/publish", w.admin)
    return str(made["id"])


async def new_submission(w: World) -> str:
    challenge = await create_challenge(w.http, w.admin, title=f"Share {next(SERIAL)}")
    post = f"https://www.linkedin.com/feed/update/urn:li:activity:{7_200_000_000 + next(SERIAL)}"
    made = await w.ok(
        "POST",
        f"/api/v1/challenges/{challenge['id']}/submissions",
        w.sam,
        json={"network": "linkedin", "postUrl": post},
    )
    return str(made["id"])


@pytest.fixture(scope="module")
async def roomy() -> AsyncIterator[httpx.AsyncClient]:
    """The app with room in each person's allowances (kudos a day, comments a minute), so that
    every hostile text is its own request."""
    relaxed = msgspec.structs.replace(
        get_settings(),
        kudos_per_day=1000,
        kudos_per_colleague_per_day=1000,
        comments_per_minute=1000,
    )
    async with client_for(create_app(relaxed)) as http:
        yield http


# -- every free-text field, how it is written and where it shows ---------------------------

Written = tuple[httpx.Response, str]  # the answer to the write, and the id to read back by


def json_items(body: Any) -> list[dict[str, Any]]:
    return list(body["items"] if isinstance(body, dict) else body)


def by_id(body: Any, ref: str) -> dict[str, Any]:
    found = [item for item in json_items(body) if str(item.get("id")) == ref]
    assert len(found) == 1, (ref, body)
    return found[0]


async def post(w: World, path: str, who: Account | None, body: Any) -> httpx.Response:
    resp = await w.http.post(path, json=body, headers=bearer(who) if who else {})
    w.http.cookies.clear()
    return resp


def ref_of(resp: httpx.Response, key: str = "id") -> str:
    return str(resp.json()[key]) if resp.status_code < 300 and resp.content else ""


async def write_signup(w: World, key: str, text: str) -> Written:
    body = {"orgName": "Org", "email": unique_email(), "password": PASSWORD, "displayName": "Ola"}
    resp = await post(w, "/api/v1/auth/signup", None, {**body, key: text})
    return resp, ref_of(resp, "accessToken")


async def write_accepted_invite(w: World, text: str) -> Written:
    made = await invite(w.http, w.admin, unique_email())
    resp = await post(
        w,
        "/api/v1/auth/accept-invite",
        None,
        {"token": made["token"], "displayName": text, "password": PASSWORD},
    )
    return resp, ref_of(resp, "accessToken")


async def read_me(w: World, token: str, key: str) -> list[str]:
    return [(await w.read("/api/v1/me", Account(token, "", "", "")))[key]]


async def write_my_name(w: World, text: str) -> Written:
    resp = await w.http.patch("/api/v1/me", json={"displayName": text}, headers=bearer(w.sam))
    return resp, w.sam.token


async def write_team(w: World, text: str) -> Written:
    resp = await post(w, "/api/v1/admin/teams", w.admin, {"name": text})
    return resp, ref_of(resp)


async def read_team(w: World, ref: str) -> list[str]:
    return [by_id(await w.read("/api/v1/teams?limit=100", w.sam), ref)["name"]]


async def write_team_rename(w: World, text: str) -> Written:
    made = await post(w, "/api/v1/admin/teams", w.admin, {"name": f"Team {uuid.uuid4().hex}"})
    ref = ref_of(made)
    resp = await w.http.put(
        f"/api/v1/admin/teams/{ref}", json={"name": text}, headers=bearer(w.admin)
    )
    w.http.cookies.clear()
    return resp, ref


async def write_scim_token(w: World, text: str) -> Written:
    resp = await post(w, "/api/v1/admin/scim-tokens", w.admin, {"name": text})
    return resp, ref_of(resp)


async def read_scim_token(w: World, ref: str) -> list[str]:
    return [by_id(await w.read("/api/v1/admin/scim-tokens", w.admin), ref)["name"]]


async def write_challenge(w: World, key: str, text: str) -> Written:
    value: Any = [text] if key == "hashtags" else text
    extra: dict[str, Any] = {}
    if key == "shareText":
        value = dict.fromkeys(SHARE_NETWORKS, text)
        extra = {"networks": list(SHARE_NETWORKS)}
    resp = await post(
        w, "/api/v1/admin/challenges", w.admin, challenge_body(**{key: value}, **extra)
    )
    return resp, ref_of(resp)


async def write_challenge_edit(w: World, key: str, text: str) -> Written:
    draft = await w.ok(
        "POST", "/api/v1/admin/challenges", w.admin, json=challenge_body(networks=SHARE_NETWORKS)
    )
    value: Any = [text] if key == "hashtags" else text
    if key == "shareText":
        value = dict.fromkeys(SHARE_NETWORKS, text)
    resp = await w.http.patch(
        f"/api/v1/admin/challenges/{draft['id']}", json={key: value}, headers=bearer(w.admin)
    )
    return resp, str(draft["id"])


SHARE_NETWORKS = ("linkedin", "x", "facebook", "email", "whatsapp")


async def read_challenge(w: World, ref: str, key: str) -> list[str]:
    challenge = await w.read(f"/api/v1/admin/challenges/{ref}", w.admin)
    if key == "hashtags":
        return list(challenge["hashtags"])
    if key != "shareText":
        return [challenge[key]]
    shown = [challenge["shareText"][network] for network in SHARE_NETWORKS]
    # and in the post an employee is handed to share
    if challenge["status"] == "draft":
        await w.ok("POST", f"/api/v1/admin/challenges/{ref}/publish", w.admin)
    link = await w.ok(
        "POST", f"/api/v1/challenges/{ref}/share-links", w.sam, json={"network": "linkedin"}
    )
    tags = " ".join(f"#{tag}" for tag in challenge["hashtags"])
    suffix = f"\n\n{link['trackedUrl']}\n\n{tags}"
    assert link["shareText"].endswith(suffix), link["shareText"]
    return [*shown, link["shareText"].removesuffix(suffix)]


async def write_challenge_translation(w: World, key: str, text: str) -> Written:
    body = challenge_body(translations={"de": {key: text}})
    resp = await post(w, "/api/v1/admin/challenges", w.admin, body)
    return resp, ref_of(resp)


async def write_challenge_translation_edit(w: World, key: str, text: str) -> Written:
    draft = await w.ok("POST", "/api/v1/admin/challenges", w.admin, json=challenge_body())
    resp = await w.http.patch(
        f"/api/v1/admin/challenges/{draft['id']}",
        json={"translations": {"de": {key: text}}},
        headers=bearer(w.admin),
    )
    return resp, str(draft["id"])


async def read_challenge_translation(w: World, ref: str, key: str) -> list[str]:
    """As the admin wrote it, and as a German reader is shown it."""
    challenge = await w.read(f"/api/v1/admin/challenges/{ref}", w.admin)
    if challenge["status"] == "draft":
        await w.ok("POST", f"/api/v1/admin/challenges/{ref}/publish", w.admin)
    resp = await w.http.get(
        f"/api/v1/challenges/{ref}", headers={**bearer(w.sam), "Accept-Language": "de"}
    )
    assert resp.status_code == 200, resp.text
    assert "&lt;" not in resp.text and "&#" not in resp.text, resp.text
    return [challenge["translations"]["de"][key], resp.json()[key]]


async def write_pillar(w: World, key: str, text: str) -> Written:
    body = {"title": f"Pillar {next(SERIAL)}", "message": "Our message", key: text}
    resp = await post(w, "/api/v1/admin/pillars", w.admin, body)
    return resp, ref_of(resp)


async def write_pillar_edit(w: World, key: str, text: str) -> Written:
    made = await w.ok(
        "POST",
        "/api/v1/admin/pillars",
        w.admin,
        json={"title": f"Pillar {next(SERIAL)}", "message": "Our message"},
    )
    resp = await w.http.patch(
        f"/api/v1/admin/pillars/{made['id']}", json={key: text}, headers=bearer(w.admin)
    )
    return resp, str(made["id"])


async def read_pillar(w: World, ref: str, key: str) -> list[str]:
    return [by_id(await w.read("/api/v1/pillars", w.sam), ref)[key]]


async def write_badge(w: World, key: str, text: str) -> Written:
    body = {
        "code": f"hostile-{next(SERIAL)}",
        "name": "Badge",
        "icon": "star",
        "rule": {"type": "points", "threshold": 5},
        key: text,
    }
    resp = await post(w, "/api/v1/admin/badges", w.admin, body)
    return resp, ref_of(resp)


async def write_badge_edit(w: World, key: str, text: str) -> Written:
    made, _ = await write_badge(w, "name", "Badge")
    resp = await w.http.patch(
        f"/api/v1/admin/badges/{made.json()['id']}", json={key: text}, headers=bearer(w.admin)
    )
    return resp, str(made.json()["id"])


async def read_badge(w: World, ref: str, key: str) -> list[str]:
    return [by_id(await w.read("/api/v1/badges", w.sam), ref)[key]]


async def write_official_link(w: World, text: str) -> Written:
    body = {"label": text, "network": "linkedin", "url": "https://example.com/our-post"}
    resp = await post(w, "/api/v1/admin/official-links", w.admin, body)
    return resp, ref_of(resp)


async def read_official_link(w: World, ref: str) -> list[str]:
    return [by_id(await w.read("/api/v1/admin/official-links", w.admin), ref)["label"]]


def survey_body(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Pulse",
        "intro": "Two questions.",
        "questions": [{"text": "How is it going?", "kind": "text"}],
        "closesAt": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
        **overrides,
    }


async def write_survey(w: World, key: str, text: str) -> Written:
    await w.crowd()  # a survey asks at least five people
    value: Any = [{"text": text, "kind": "text"}] if key == "questions" else text
    resp = await post(w, "/api/v1/admin/surveys", w.admin, survey_body(**{key: value}))
    return resp, ref_of(resp)


async def read_survey(w: World, ref: str, key: str) -> list[str]:
    shown = []
    for body in (
        by_id(await w.read("/api/v1/surveys", w.sam), ref),
        by_id(await w.read("/api/v1/admin/surveys", w.admin), ref),
    ):
        shown.append(body["questions"][0]["text"] if key == "questions" else body[key])
    return shown


async def write_survey_answer(w: World, text: str) -> Written:
    """Five people give the same answer: text answers show from five answers on."""
    first, *others = await w.crowd()  # made before the survey, so that their answers count
    survey = await w.ok("POST", "/api/v1/admin/surveys", w.admin, json=survey_body())
    url = f"/api/v1/surveys/{survey['id']}/responses"
    resp = await post(w, url, first, {"answers": {"q1": text}})
    if resp.status_code < 300:
        for person in others:
            resp = await post(w, url, person, {"answers": {"q1": text}})
            assert resp.status_code == 201, resp.text
    return resp, str(survey["id"])


async def read_survey_answers(w: World, ref: str) -> list[str]:
    await w.ok("POST", f"/api/v1/admin/surveys/{ref}/close", w.admin)  # results show once closed
    results = await w.read(f"/api/v1/admin/surveys/{ref}/results", w.admin)
    assert results["shown"] and results["responses"] == 5, results
    return list(results["questions"][0]["comments"])


async def write_story(w: World, key: str, text: str) -> Written:
    challenge = await w.story_challenge()
    body = {"title": "A good day", "body": "It went well.", key: text}
    resp = await w.http.put(
        f"/api/v1/challenges/{challenge}/story", json=body, headers=bearer(w.sam)
    )
    return resp, challenge


async def read_story(w: World, challenge: str, key: str) -> list[str]:
    return [(await w.read(f"/api/v1/challenges/{challenge}/story", w.sam))[key]]


async def write_story_rejection(w: World, text: str) -> Written:
    challenge = await new_story_challenge(w, "review")  # a refused note leaves it submitted
    story = await w.ok(
        "PUT",
        f"/api/v1/challenges/{challenge}/story",
        w.sam,
        json={"title": "A good day", "body": f"Try {next(SERIAL)}"},
    )
    await w.ok("POST", f"/api/v1/challenges/{challenge}/story/submit", w.sam)
    resp = await post(w, f"/api/v1/admin/stories/{story['id']}/reject", w.admin, {"note": text})
    return resp, challenge


async def write_comment(w: World, text: str) -> Written:
    resp = await post(w, f"/api/v1/feed/{await w.feed_item()}/comments", w.sam, {"body": text})
    return resp, ref_of(resp)


async def read_comment(w: World, ref: str) -> list[str]:
    comments = await w.read(f"/api/v1/feed/{await w.feed_item()}/comments", w.admin)
    return [by_id(comments, ref)["body"]]


async def write_kudos(w: World, text: str) -> Written:
    resp = await post(w, "/api/v1/kudos", w.sam, {"to": w.admin.user_id, "message": text})
    return resp, ref_of(resp)


async def read_kudos(w: World, ref: str) -> list[str]:
    received = await w.read(f"/api/v1/users/{w.admin.user_id}/kudos", w.sam)
    return [by_id(received, ref)["message"]]


async def write_comment_report(w: World, text: str) -> Written:
    comment = await w.ok(
        "POST",
        f"/api/v1/feed/{await w.feed_item()}/comments",
        w.admin,
        json={"body": f"Comment {next(SERIAL)}"},
    )
    resp = await post(w, f"/api/v1/comments/{comment['id']}/report", w.sam, {"reason": text})
    return resp, str(comment["id"])


async def write_item_report(w: World, text: str) -> Written:
    kudos = await w.ok(
        "POST", "/api/v1/kudos", w.admin, json={"to": w.sam.user_id, "message": "Thanks"}
    )
    feed = await w.read("/api/v1/feed", w.sam)
    item = next(i["id"] for i in feed["items"] if i["kind"] == "kudos" and i["message"] == "Thanks")
    assert kudos["message"] == "Thanks"
    resp = await post(w, f"/api/v1/feed/{item}/report", w.sam, {"reason": text})
    return resp, str(item)


async def read_report(w: World, ref: str) -> list[str]:
    reports = await w.read("/api/v1/admin/reports", w.admin)
    return [r["reason"] for r in reports if ref in (r["commentId"], r["itemId"])]


async def write_community(w: World, key: str, text: str) -> Written:
    body = {"guidelines": [], "blockedWords": [], key: [text]}
    resp = await w.http.put("/api/v1/admin/community", json=body, headers=bearer(w.admin))
    return resp, ""


async def read_community(w: World, _: str, key: str) -> list[str]:
    return list((await w.read("/api/v1/admin/community", w.admin))[key])


async def write_review_note(w: World, decision: str, text: str) -> Written:
    submission = await new_submission(w)
    if decision == "revoke":
        await w.ok("POST", f"/api/v1/admin/submissions/{submission}/approve", w.admin, json={})
    resp = await post(
        w, f"/api/v1/admin/submissions/{submission}/{decision}", w.admin, {"note": text}
    )
    return resp, submission


async def write_bulk_note(w: World, text: str) -> Written:
    submission = await new_submission(w)
    resp = await post(
        w,
        "/api/v1/admin/submissions/bulk",
        w.admin,
        {"ids": [submission], "action": "reject", "note": text},
    )
    return resp, submission


async def read_review_note(w: World, ref: str) -> list[str]:
    submission = await w.read(f"/api/v1/submissions/{ref}", w.sam)
    queue = await w.read(f"/api/v1/admin/submissions?status={submission['status']}", w.admin)
    shown = [by_id(queue, ref)["reviewNote"]]
    if submission["status"] != "verified":
        shown.append(submission["reason"])  # what the employee is told
    return shown


async def write_reward(w: World, key: str, text: str) -> Written:
    body = {"name": "Coffee", "description": "A coffee.", "cost": 1, key: text}
    resp = await post(w, "/api/v1/admin/rewards", w.admin, body)
    return resp, ref_of(resp)


async def write_reward_edit(w: World, key: str, text: str) -> Written:
    made, _ = await write_reward(w, "name", "Coffee")
    resp = await w.http.patch(
        f"/api/v1/admin/rewards/{made.json()['id']}", json={key: text}, headers=bearer(w.admin)
    )
    return resp, str(made.json()["id"])


async def read_reward(w: World, ref: str, key: str) -> list[str]:
    return [
        by_id(await w.read("/api/v1/rewards", w.sam), ref)[key],
        by_id(await w.read("/api/v1/admin/rewards", w.admin), ref)[key],
    ]


def lesson_body(section: dict[str, str], question: dict[str, Any]) -> dict[str, Any]:
    body = challenge_body(
        kind="lesson",
        sections=[{"heading": "Start here", "body": "Read it, then make it yours.", **section}],
        quiz=[{"question": "Who are you?", "options": ["me", "not me"], "answer": 0, **question}],
        passMark=100,
    )
    # a lesson is read, not shared: no networks, link or texts to share
    for shared in ("networks", "contentUrl", "shareText", "hashtags", "clickPoints"):
        body.pop(shared)
    return body


async def write_lesson(w: World, key: str, text: str) -> Written:
    section = {key: text} if key in ("heading", "body") else {}
    question: dict[str, Any] = {}
    if key == "question":
        question = {"question": text}
    elif key == "options":
        question = {"options": [text, "not me"]}
    resp = await post(w, "/api/v1/admin/challenges", w.admin, lesson_body(section, question))
    return resp, ref_of(resp)


async def read_lesson(w: World, ref: str, key: str) -> list[str]:
    lesson = (await w.read(f"/api/v1/admin/challenges/{ref}", w.admin))["lesson"]
    if key in ("heading", "body"):
        return [lesson["sections"][0][key]]
    question = lesson["quiz"][0]
    return [question["question"] if key == "question" else question["options"][0]]


async def write_wall(w: World, text: str) -> Written:
    resp = await post(w, "/api/v1/admin/walls", w.admin, {"name": text})
    return resp, ref_of(resp)


async def read_wall(w: World, ref: str) -> list[str]:
    return [by_id(await w.read("/api/v1/admin/walls", w.admin), ref)["name"]]


async def write_redemption_note(w: World, text: str) -> Written:
    made, _ = await write_reward(w, "name", "Coffee")
    await ledger_award(uuid.UUID(w.sam.org_id), uuid.UUID(w.sam.user_id), 1, announce=False)
    redemption = await post(w, f"/api/v1/rewards/{made.json()['id']}/redemptions", w.sam, {})
    ref = str(redemption.json()["id"])
    resp = await post(w, f"/api/v1/admin/redemptions/{ref}/reject", w.admin, {"note": text})
    return resp, ref


async def read_redemption_note(w: World, ref: str) -> list[str]:
    return [
        by_id(await w.read("/api/v1/me/redemptions", w.sam), ref)["note"],
        by_id(await w.read("/api/v1/admin/redemptions", w.admin), ref)["note"],
    ]


async def write_raffle(w: World, text: str) -> Written:
    now = datetime.now(UTC)
    body = {
        "name": text,
        "periodStart": (now - timedelta(days=7)).isoformat(),
        "periodEnd": now.isoformat(),
        "winners": 1,
        "pointsPerTicket": 10,
        "maxTicketsPerPerson": 5,
    }
    resp = await post(w, "/api/v1/admin/raffles", w.admin, body)
    return resp, ref_of(resp)


async def read_raffle(w: World, ref: str) -> list[str]:
    return [(await w.read(f"/api/v1/raffles/{ref}", w.sam))["name"]]


Writer = Callable[[World, str], Awaitable[Written]]
Reader = Callable[[World, str], Awaitable[list[str]]]


@dataclass(frozen=True)
class TextField:
    label: str
    name: str  # as a 422 names it
    cleaning: Cleaning
    covers: tuple[str, ...]  # request-schema properties (Schema.property) this row writes
    write: Writer
    read: Reader


def _f(fn: Callable[..., Any], *args: str) -> Any:
    """fn with its middle arguments fixed: fn(world, *args, last)."""

    async def bound(w: World, last: str) -> Any:
        return await fn(w, *args, last)

    return bound


def _r(fn: Callable[..., Any], *args: str) -> Any:
    async def bound(w: World, ref: str) -> Any:
        return await fn(w, ref, *args)

    return bound


ONE, PARA, FOLD, SENT, WORD = (
    Cleaning.ONE_LINE,
    Cleaning.PARAGRAPHS,
    Cleaning.CASEFOLDED,
    Cleaning.AS_SENT,
    Cleaning.ONE_WORD,
)
SHARE_TEXTS = tuple(f"ShareTexts.{n}" for n in SHARE_NETWORKS)

TEXT_FIELDS = [
    TextField("organization name at sign-up", "orgName", ONE, ("SignupCreate.orgName",),
              _f(write_signup, "orgName"), _r(read_me, "orgName")),
    TextField("display name at sign-up", "displayName", ONE, ("SignupCreate.displayName",),
              _f(write_signup, "displayName"), _r(read_me, "displayName")),
    TextField("display name on accepting an invite", "displayName", ONE,
              ("AcceptInviteCreate.displayName",), write_accepted_invite,
              _r(read_me, "displayName")),
    TextField("display name, changed", "displayName", ONE, ("MeUpdate.displayName",),
              write_my_name, _r(read_me, "displayName")),
    TextField("team name", "name", ONE, ("TeamCreate.name",), write_team, read_team),
    TextField("team name, renamed", "name", ONE, ("TeamUpdate.name",), write_team_rename,
              read_team),
    TextField("SCIM token name", "name", ONE, ("ScimTokenCreate.name",), write_scim_token,
              read_scim_token),
    TextField("challenge title", "title", ONE, ("ChallengeCreate.title",),
              _f(write_challenge, "title"), _r(read_challenge, "title")),
    TextField("challenge description", "description", SENT, ("ChallengeCreate.description",),
              _f(write_challenge, "description"), _r(read_challenge, "description")),
    TextField("challenge share texts", "shareText", SENT, SHARE_TEXTS,
              _f(write_challenge, "shareText"), _r(read_challenge, "shareText")),
    TextField("challenge hashtag", "hashtags[0]", WORD, ("ChallengeCreate.hashtags",),
              _f(write_challenge, "hashtags"), _r(read_challenge, "hashtags")),
    TextField("challenge title, edited", "title", ONE, ("ChallengeUpdate.title",),
              _f(write_challenge_edit, "title"), _r(read_challenge, "title")),
    TextField("challenge description, edited", "description", SENT,
              ("ChallengeUpdate.description",), _f(write_challenge_edit, "description"),
              _r(read_challenge, "description")),
    TextField("challenge share texts, edited", "shareText", SENT, SHARE_TEXTS,
              _f(write_challenge_edit, "shareText"), _r(read_challenge, "shareText")),
    TextField("challenge hashtag, edited", "hashtags[0]", WORD, ("ChallengeUpdate.hashtags",),
              _f(write_challenge_edit, "hashtags"), _r(read_challenge, "hashtags")),
    TextField("challenge title, translated", "translations.de.title", ONE,
              ("ChallengeTranslation.title",), _f(write_challenge_translation, "title"),
              _r(read_challenge_translation, "title")),
    TextField("challenge description, translated", "description", SENT,
              ("ChallengeTranslation.description",),
              _f(write_challenge_translation, "description"),
              _r(read_challenge_translation, "description")),
    TextField("challenge title, translated in an edit", "translations.de.title", ONE,
              ("ChallengeTranslation.title",), _f(write_challenge_translation_edit, "title"),
              _r(read_challenge_translation, "title")),
    TextField("challenge description, translated in an edit", "description", SENT,
              ("ChallengeTranslation.description",),
              _f(write_challenge_translation_edit, "description"),
              _r(read_challenge_translation, "description")),
    TextField("pillar title", "title", ONE, ("PillarCreate.title",),
              _f(write_pillar, "title"), _r(read_pillar, "title")),
    TextField("pillar message", "message", PARA, ("PillarCreate.message",),
              _f(write_pillar, "message"), _r(read_pillar, "message")),
    TextField("pillar title, edited", "title", ONE, ("PillarUpdate.title",),
              _f(write_pillar_edit, "title"), _r(read_pillar, "title")),
    TextField("pillar message, edited", "message", PARA, ("PillarUpdate.message",),
              _f(write_pillar_edit, "message"), _r(read_pillar, "message")),
    TextField("badge name", "name", ONE, ("BadgeCreate.name",),
              _f(write_badge, "name"), _r(read_badge, "name")),
    TextField("badge description", "description", SENT, ("BadgeCreate.description",),
              _f(write_badge, "description"), _r(read_badge, "description")),
    TextField("badge name, edited", "name", ONE, ("BadgeUpdate.name",),
              _f(write_badge_edit, "name"), _r(read_badge, "name")),
    TextField("badge description, edited", "description", SENT, ("BadgeUpdate.description",),
              _f(write_badge_edit, "description"), _r(read_badge, "description")),
    TextField("official link label", "label", SENT, ("OfficialLinkCreate.label",),
              write_official_link, read_official_link),
    TextField("survey title", "title", ONE, ("SurveyCreate.title",),
              _f(write_survey, "title"), _r(read_survey, "title")),
    TextField("survey intro", "intro", ONE, ("SurveyCreate.intro",),
              _f(write_survey, "intro"), _r(read_survey, "intro")),
    TextField("survey question", "questions[0].text", ONE, ("QuestionCreate.text",),
              _f(write_survey, "questions"), _r(read_survey, "questions")),
    TextField("survey answer", "answers.q1", PARA, ("ResponseCreate.answers",),
              write_survey_answer, read_survey_answers),
    TextField("story title", "title", ONE, ("StoryDraft.title",),
              _f(write_story, "title"), _r(read_story, "title")),
    TextField("story body", "body", PARA, ("StoryDraft.body",),
              _f(write_story, "body"), _r(read_story, "body")),
    TextField("story rejection note", "note", ONE, ("StoryDecision.note",),
              write_story_rejection, _r(read_story, "reviewNote")),
    TextField("comment", "body", ONE, ("CommentCreate.body",), write_comment, read_comment),
    TextField("kudos message", "message", PARA, ("KudosCreate.message",),
              write_kudos, read_kudos),
    TextField("report of a comment", "reason", ONE, ("ReportCreate.reason",),
              write_comment_report, read_report),
    TextField("report of a feed item", "reason", ONE, ("ReportCreate.reason",),
              write_item_report, read_report),
    TextField("community guideline", "guidelines", ONE, ("CommunitySettings.guidelines",),
              _f(write_community, "guidelines"), _r(read_community, "guidelines")),
    TextField("blocked word", "blockedWords", FOLD, ("CommunitySettings.blockedWords",),
              _f(write_community, "blockedWords"), _r(read_community, "blockedWords")),
    TextField("submission rejection note", "note", SENT, ("ReviewDecision.note",),
              _f(write_review_note, "reject"), read_review_note),
    TextField("submission approval note", "note", SENT, ("ReviewDecision.note",),
              _f(write_review_note, "approve"), read_review_note),
    TextField("submission revocation note", "note", SENT, ("ReviewDecision.note",),
              _f(write_review_note, "revoke"), read_review_note),
    TextField("bulk rejection note", "note", SENT, ("BulkReview.note",), write_bulk_note,
              read_review_note),
    TextField("reward name", "name", ONE, ("RewardCreate.name",),
              _f(write_reward, "name"), _r(read_reward, "name")),
    TextField("reward description", "description", PARA, ("RewardCreate.description",),
              _f(write_reward, "description"), _r(read_reward, "description")),
    TextField("reward name, edited", "name", ONE, ("RewardUpdate.name",),
              _f(write_reward_edit, "name"), _r(read_reward, "name")),
    TextField("reward description, edited", "description", PARA, ("RewardUpdate.description",),
              _f(write_reward_edit, "description"), _r(read_reward, "description")),
    TextField("redemption note", "note", PARA, ("RedemptionDecision.note",),
              write_redemption_note, read_redemption_note),
    TextField("raffle name", "name", ONE, ("RaffleCreate.name",), write_raffle, read_raffle),
    TextField("lesson section heading", "sections[0].heading", ONE, ("LessonSection.heading",),
              _f(write_lesson, "heading"), _r(read_lesson, "heading")),
    TextField("lesson section body", "sections[0].body", PARA, ("LessonSection.body",),
              _f(write_lesson, "body"), _r(read_lesson, "body")),
    TextField("lesson question", "quiz[0].question", ONE, ("QuizQuestionWrite.question",),
              _f(write_lesson, "question"), _r(read_lesson, "question")),
    TextField("lesson quiz option", "quiz[0].options[0]", ONE, ("QuizQuestionWrite.options",),
              _f(write_lesson, "options"), _r(read_lesson, "options")),
    TextField("office wall name", "name", ONE, ("WallCreate.name",), write_wall, read_wall),
]  # fmt: skip

# String properties of request bodies that are not free text people write.
NOT_FREE_TEXT = {
    "SignupCreate.password": "a password: hashed, never shown",
    "LoginCreate.password": "a password: hashed, never shown",
    "AcceptInviteCreate.password": "a password: hashed, never shown",
    "AcceptInviteCreate.token": "an invite token the server made",
    "MeUpdate.timezone": "an IANA zone name, checked against the zone database",
    "MeUpdate.language": "one of the five language tags Chorus speaks (tests/test_languages.py)",
    "InviteImport.csv": "parsed into emails, roles and existing team names, not kept as written",
    "ChallengeCreate.contentUrl": "a URL: URL_FIELDS",
    "ChallengeUpdate.contentUrl": "a URL: URL_FIELDS",
    "OfficialLinkCreate.url": "a URL: URL_FIELDS",
    "SubmissionCreate.postUrl": "a URL: URL_FIELDS",
    "SubscriptionCreate.endpoint": "a URL: URL_FIELDS",
    "SubscriptionKeys.p256dh": "a browser's public key (base64url), tests/test_push.py",
    "SubscriptionKeys.auth": "a browser's push secret (base64url), tests/test_push.py",
    "PasswordChange.currentPassword": "a password: checked against the hash, never kept",
    "PasswordChange.newPassword": "a password: hashed, never shown",
    "PasswordResetCreate.password": "a password: hashed, never shown",
    "PasswordResetCreate.token": "a reset token the server made",
    "InvitePreviewCreate.token": "an invite token the server made",
    "LessonSection.imageUrl": "a URL, checked like URL_FIELDS (tests/test_lessons.py)",
    "RewardCreate.imageUrl": "a URL, checked like URL_FIELDS (tests/test_rewards.py)",
    "RewardUpdate.imageUrl": "a URL, checked like URL_FIELDS (tests/test_rewards.py)",
    "SsoSettingsUpdate.emailDomains": "domain names checked against a hostname pattern "
    "(Litestar leaves array item patterns out of the schema)",
}


# -- the OpenAPI document -------------------------------------------------------------------


async def openapi(client: httpx.AsyncClient) -> dict[str, Any]:
    resp = await client.get("/schema/openapi.json")
    assert resp.status_code == 200
    doc: dict[str, Any] = resp.json()
    return doc


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _free_text(doc: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A string people write as they like: no enum, format or pattern, not an id or a date."""
    options = [resolve(doc, s) for s in schema.get("oneOf", [])] or [schema]
    for option in options:
        if option.get("type") == "array":
            option = resolve(doc, option.get("items", {}))
        elif option.get("type") == "object" and isinstance(
            option.get("additionalProperties"), dict
        ):
            return _free_text(doc, option["additionalProperties"])
        if option.get("type") == "string" and not (
            {"enum", "format", "pattern"} & (set(option) | set(schema))
        ):
            return True
    return False


def free_text_properties(doc: dict[str, Any]) -> set[str]:
    """`Schema.property` for every free-text string a request body carries, nested included."""
    found: set[str] = set()
    seen: set[str] = set()

    def walk(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        schema = doc["components"]["schemas"][name]
        for prop, sub in schema.get("properties", {}).items():
            if _free_text(doc, sub):
                found.add(f"{name}.{prop}")
            for ref in _refs(sub):
                walk(ref)

    for item in doc["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                for content in operation["requestBody"]["content"].values():
                    for ref in _refs(content["schema"]):
                        walk(ref)
    return found


def _refs(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else []
        return own + [r for value in schema.values() for r in _refs(value)]
    if isinstance(schema, list):
        return [r for value in schema for r in _refs(value)]
    return []


async def body_operations(client: httpx.AsyncClient) -> list[tuple[str, str, str]]:
    """(method, path, first documented body property) of every operation taking a JSON body."""
    doc = await openapi(client)
    found = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            schema = resolve(doc, operation["requestBody"]["content"]["application/json"]["schema"])
            found.append((method.upper(), path, next(iter(schema["properties"]))))
    return sorted(found)


# -- the database, to the byte --------------------------------------------------------------


async def table_names() -> list[str]:
    rows = await Organization.raw(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    return [r["tablename"] for r in rows]


async def database_fingerprint() -> dict[str, tuple[int, str]]:
    """Per table: its row count and an md5 of all its rows."""
    prints = {}
    for table in await table_names():
        sql = (
            "SELECT count(*) AS n, md5(coalesce(string_agg(t::text, chr(31) ORDER BY t::text), "
            f"'')) AS h FROM \"{table}\" t"
        )
        row = (await Organization.raw(sql))[0]
        prints[table] = (int(row["n"]), str(row["h"]))
    return prints


# == bodies =================================================================================

TEN_MB = 10 * 1024 * 1024
HUGE_JSON = b'{"name": "' + b"x" * TEN_MB + b'"}'  # one object for every 10 MB request
DEEP = 100_000


async def _in_chunks(data: bytes, size: int = 1024 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def body_cases(first_property: str) -> list[tuple[str, Any, int]]:
    key = first_property.encode()
    return [
        ("10 MB, with its length", HUGE_JSON, 413),
        ("10 MB, streamed without a length", None, 413),  # a fresh stream per request
        ("JSON nested 100,000 deep", b"[" * DEEP + b"]" * DEEP, 400),
        (
            f"JSON nested 100,000 deep in {first_property}",
            b'{"' + key + b'": ' + b"[" * DEEP + b"]" * DEEP + b"}",
            400,
        ),
        ("invalid UTF-8", b'{"' + key + b'": "caf\xe9 \xff\xfe \xc3\x28"}', 400),
    ]


PHOTO = ("PUT", "/api/v1/challenges/{challenge_id}/story/photo")  # raw bytes: not in the doc


def caller_for(path: str) -> str | None:
    """The least role an operation needs: anonymous, employee, lead or admin."""
    if path.startswith("/api/v1/auth/"):
        return None
    if path.startswith("/api/v1/admin/"):
        return "admin"
    if path.startswith("/api/v1/teams/{team_id}"):
        return "lead"
    return "employee"


async def own_organization(client: httpx.AsyncClient) -> tuple[dict[str, Account], dict[str, str]]:
    """An organization with one of everything an operation's path can name, and its people."""
    admin = await signup(client, org="Acme")
    lead = await add_member(client, admin, role="lead", name="Lee Lead")
    team = await create_team(client, admin, "Crew", lead_user_id=lead.user_id)
    employee = await add_member(client, admin, team_id=team["id"], name="Sam Member")
    w = World(client, admin, employee)
    challenge = await create_challenge(client, admin)
    story_challenge = await new_story_challenge(w, "trust")
    story = await w.ok(
        "PUT",
        f"/api/v1/challenges/{story_challenge}/story",
        employee,
        json={"title": "A good day", "body": "It went well."},
    )
    await w.ok("POST", f"/api/v1/challenges/{story_challenge}/story/submit", employee)
    item = (await w.read("/api/v1/feed", employee))["items"][0]
    comment = await w.ok(
        "POST", f"/api/v1/feed/{item['id']}/comments", employee, json={"body": "Nice"}
    )
    await w.ok("POST", f"/api/v1/comments/{comment['id']}/report", admin, json={"reason": "Hm"})
    report = (await w.read("/api/v1/admin/reports", admin))[0]
    submission = await w.ok(
        "POST",
        f"/api/v1/challenges/{challenge['id']}/submissions",
        employee,
        json={
            "network": "linkedin",
            "postUrl": "https://www.linkedin.com/feed/update/urn:li:activity:1",
        },
    )
    pillar = await w.ok(
        "POST", "/api/v1/admin/pillars", admin, json={"title": "Ours", "message": "Why"}
    )
    await w.crowd()  # a survey asks at least five people
    survey = await w.ok("POST", "/api/v1/admin/surveys", admin, json=survey_body())
    badge = (await w.read("/api/v1/badges", admin))[0]
    reward = await w.ok("POST", "/api/v1/admin/rewards", admin, json={"name": "Tea", "cost": 1})
    await ledger_award(uuid.UUID(admin.org_id), uuid.UUID(employee.user_id), 1, announce=False)
    redemption = await w.ok(
        "POST", f"/api/v1/rewards/{reward['id']}/redemptions", employee, json={}
    )
    ids = {
        "user_id": employee.user_id,
        "team_id": team["id"],
        "challenge_id": challenge["id"],
        "story_id": story["id"],
        "item_id": item["id"],
        "comment_id": comment["id"],
        "report_id": report["id"],
        "submission_id": submission["id"],
        "pillar_id": pillar["id"],
        "survey_id": survey["id"],
        "badge_id": badge["id"],
        "reward_id": reward["id"],
        "redemption_id": redemption["id"],
    }
    return {"admin": admin, "lead": lead, "employee": employee}, ids


def fill(path: str, ids: dict[str, str]) -> str:
    """The path with its parameters filled: a new kind of id must join `own_organization`."""
    for name, value in ids.items():
        path = path.replace(f"{{{name}}}", value)
    assert "{" not in path, f"no id of the caller's own organization for {path}"
    return path


async def test_huge_deep_and_broken_bodies_to_every_operation_get_a_4xx_and_change_nothing(
    client,
):
    people, ids = await own_organization(client)
    operations = await body_operations(client)
    assert len(operations) >= 30, operations  # the document was read, not an empty list
    doc = await openapi(client)
    assert PHOTO[1] in doc["paths"], "the photo upload moved: update PHOTO"
    before = await database_fingerprint()
    tried = 0
    plan = [(m, p, c) for m, p, prop in operations for c in body_cases(prop)]
    plan += [(*PHOTO, c) for c in body_cases("photo")[:2]]
    for method, path, (label, content, status) in plan:
        role = caller_for(path)
        kind = "image/jpeg" if (method, path) == PHOTO else "application/json"
        headers = {"content-type": kind, **(bearer(people[role]) if role else {})}
        resp = await client.request(
            method,
            fill(path, ids),
            content=_in_chunks(HUGE_JSON) if content is None else content,
            headers=headers,
        )
        client.cookies.clear()
        where = (method, path, label, resp.status_code, resp.text[:200])
        assert resp.status_code == status, where
        assert resp.headers["content-type"].startswith("application/problem+json"), where
        problem = resp.json()
        assert problem["status"] == status and len(problem["detail"]) > 10, where
        tried += 1
    assert tried == 5 * len(operations) + 2
    assert await database_fingerprint() == before


# == text ===================================================================================


async def test_every_free_text_field_of_the_api_is_in_the_table(client):
    documented = free_text_properties(await openapi(client))
    assert len(documented) > 30, documented  # the walk found the schemas
    covered = {prop for row in TEXT_FIELDS for prop in row.covers}
    assert documented - covered - set(NOT_FREE_TEXT) == set(), "add these to TEXT_FIELDS"
    assert covered - documented == set(), "no longer in the API: remove from TEXT_FIELDS"
    assert set(NOT_FREE_TEXT) - documented == set(), "no longer in the API: NOT_FREE_TEXT"
    assert all(len(h.text) <= 60 for h in HOSTILE_TEXTS)


@pytest.mark.parametrize("text_field", TEXT_FIELDS, ids=lambda f: f.label)
async def test_hostile_text_is_kept_exactly_or_refused_by_name(roomy, text_field):
    tables = await table_names()
    w = await new_world(roomy)
    for hostile in HOSTILE_TEXTS:
        resp, ref = await text_field.write(w, hostile.text)
        expected = text_field.cleaning.expect(hostile)
        where = (text_field.label, hostile.label)
        if expected is None:
            status, words = text_field.cleaning.refusal
            problem = assert_problem(resp, status, detail_contains=words)
            fields = [e.get("field") or "" for e in problem.get("errors") or []]
            assert any(text_field.name in f for f in fields), (where, problem)
            continue
        assert resp.status_code < 300, (where, resp.status_code, resp.text)
        shown = await text_field.read(w, ref)
        assert shown, where
        assert shown == [expected] * len(shown), (where, shown)
    assert await table_names() == tables
    assert await Organization.count() > 0


async def test_a_blocked_word_is_matched_as_text_never_as_a_pattern(client):
    w = await new_world(client)
    words = ["' OR '1'='1", ".*", "(a+)+$", "<script>"]
    await w.ok(
        "PUT", "/api/v1/admin/community", w.admin, json={"guidelines": [], "blockedWords": words}
    )
    item = await w.feed_item()
    for word in words:
        refused = await post(w, f"/api/v1/feed/{item}/comments", w.sam, {"body": f"x {word} y"})
        assert_problem(refused, 422, detail_contains=word)
    innocent = await post(
        w, f"/api/v1/feed/{item}/comments", w.sam, {"body": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"}
    )
    assert innocent.status_code == 201, innocent.text


async def test_the_public_story_page_shows_hostile_text_escaped(client):
    w = await new_world(client)
    for hostile in HOSTILE_TEXTS:
        one_line, paragraphs = (
            Cleaning.ONE_LINE.expect(hostile),
            Cleaning.PARAGRAPHS.expect(hostile),
        )
        name, title = one_line or "Sam Member", one_line or "A good day"
        body = paragraphs or "It went well."
        await w.ok("PATCH", "/api/v1/me", w.sam, json={"displayName": name})
        challenge = await new_story_challenge(w, "trust")
        await w.ok(
            "PUT",
            f"/api/v1/challenges/{challenge}/story",
            w.sam,
            json={"title": title, "body": body},
        )
        story = await w.ok("POST", f"/api/v1/challenges/{challenge}/story/submit", w.sam)
        page = await client.get(f"/stories/{story['slug']}")
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        html = page.text
        for tag in ("<script", "<img", "<svg"):  # the page has none of its own
            assert tag not in html.lower(), (hostile.label, tag)
        for text in (name, title, body):
            assert escape(text) in html, (hostile.label, text)
            if any(ch in text for ch in "<>\"'&"):
                assert text not in html, (hostile.label, text)
        assert f"<h1>{escape(title)}</h1>" in html
        assert f'<div class="body">{escape(body)}</div>' in html


@pytest.mark.parametrize(
    "template",
    ["/{}", "/challenges/{}", "/?q={}", "/stories/{}", "/s/{}", "/accept-invite?token={}"],
)
async def test_html_answers_never_echo_what_the_request_carried(client, template):
    checked = 0
    for hostile in HOSTILE_TEXTS:
        resp = await client.get(template.format(quote(hostile.text, safe="")))
        assert resp.status_code < 500, (template, hostile.label)
        if resp.headers.get("content-type", "").startswith("text/html"):
            assert hostile.text not in resp.text, (template, hostile.label)
            assert quote(hostile.text, safe="") not in resp.text, (template, hostile.label)
            assert resp.headers["content-security-policy"]
            checked += 1
        else:  # a problem detail: JSON, which browsers do not render (nosniff)
            assert resp.headers["content-type"].startswith("application/problem+json")
            assert resp.headers["x-content-type-options"] == "nosniff"
    assert checked > 0, template


# == URLs ===================================================================================

REFUSED = None


@dataclass(frozen=True)
class UrlField:
    label: str
    name: str  # as a 422 names it
    prepare: Callable[[World], Awaitable[str]]  # what the URL goes into (made before the check)
    send: Callable[[World, str, str], Awaitable[httpx.Response]]
    read: Callable[[World, httpx.Response], Awaitable[str]]


async def nothing(w: World) -> str:
    return ""


async def draft_challenge(w: World) -> str:
    draft = await w.ok("POST", "/api/v1/admin/challenges", w.admin, json=challenge_body())
    return str(draft["id"])


async def live_challenge(w: World) -> str:
    return str((await create_challenge(w.http, w.admin, title=f"Share {next(SERIAL)}"))["id"])


async def send_content_url(w: World, _: str, url: str) -> httpx.Response:
    return await post(w, "/api/v1/admin/challenges", w.admin, challenge_body(contentUrl=url))


async def send_content_url_edit(w: World, draft: str, url: str) -> httpx.Response:
    return await w.http.patch(
        f"/api/v1/admin/challenges/{draft}", json={"contentUrl": url}, headers=bearer(w.admin)
    )


async def read_content_url(w: World, resp: httpx.Response) -> str:
    challenge = await w.read(f"/api/v1/admin/challenges/{resp.json()['id']}", w.admin)
    return str(challenge["contentUrl"])


async def send_link_url(w: World, _: str, url: str) -> httpx.Response:
    body = {"label": "Our post", "network": "linkedin", "url": url}
    return await post(w, "/api/v1/admin/official-links", w.admin, body)


async def read_link_url(w: World, resp: httpx.Response) -> str:
    links = await w.read("/api/v1/admin/official-links", w.admin)
    return str(by_id(links, resp.json()["id"])["url"])


async def send_post_url(w: World, challenge: str, url: str) -> httpx.Response:
    return await post(
        w,
        f"/api/v1/challenges/{challenge}/submissions",
        w.sam,
        {"network": "linkedin", "postUrl": url},
    )


async def read_post_url(w: World, resp: httpx.Response) -> str:
    return str((await w.read(f"/api/v1/submissions/{resp.json()['id']}", w.sam))["postUrl"])


async def send_push_endpoint(w: World, _: str, url: str) -> httpx.Response:
    keys = {"p256dh": "B" + "A" * 86, "auth": "A" * 22}
    return await post(w, "/api/v1/push/subscriptions", w.sam, {"endpoint": url, "keys": keys})


async def never_read(w: World, resp: httpx.Response) -> str:
    raise AssertionError("no push endpoint in URL_TRICKS is ever accepted")


URL_FIELDS = {
    "content": UrlField(
        "challenge content URL", "contentUrl", nothing, send_content_url, read_content_url
    ),
    "content edit": UrlField(
        "challenge content URL, edited",
        "contentUrl",
        draft_challenge,
        send_content_url_edit,
        read_content_url,
    ),
    "official": UrlField("official link URL", "url", nothing, send_link_url, read_link_url),
    "post": UrlField(
        "submission post URL", "postUrl", live_challenge, send_post_url, read_post_url
    ),
    "push": UrlField("push endpoint", "endpoint", nothing, send_push_endpoint, never_read),
}

POST = "/posts/ann_launch-activity-7200000000000000042-AbCd"
# url → what each field keeps (REFUSED: a 422 naming the field); a field left out refuses it.
URL_TRICKS: dict[str, dict[str, str | None]] = {
    # the genuine article, for contrast: every field but the push endpoint takes it
    f"https://www.linkedin.com{POST}": {
        "content": f"https://www.linkedin.com{POST}",
        "content edit": f"https://www.linkedin.com{POST}",
        "official": f"https://www.linkedin.com{POST}",
        "post": f"https://www.linkedin.com{POST}",
    },
    "javascript:alert(1)": {},
    "JaVaScRiPt:alert(document.domain)": {},
    "javascript://example.com/%0Aalert(1)": {},
    "  javascript:alert(1)": {},
    "java\tscript:alert(1)": {},
    "file:///etc/passwd": {},
    "data:text/html,<script>alert(1)</script>": {},
    "vbscript:msgbox(1)": {},
    "//evil.example/": {},
    "https://user:pass@example.com/": {},
    "https://example.com@evil.example/": {},
    "https://example.com%40evil.example@evil.example/": {},
    "https://example.com\\@evil.example/": {},
    f"https://www.linkedin.com@evil.example{POST}": {},
    # look-alikes of LinkedIn: fine as content to share, never a LinkedIn post
    f"https://www.linkedin.com.evil.example{POST}": {
        "content": f"https://www.linkedin.com.evil.example{POST}",
        "content edit": f"https://www.linkedin.com.evil.example{POST}",
        "official": f"https://www.linkedin.com.evil.example{POST}",
    },
    f"https://evil.example/www.linkedin.com{POST}": {
        "content": f"https://evil.example/www.linkedin.com{POST}",
        "content edit": f"https://evil.example/www.linkedin.com{POST}",
        "official": f"https://evil.example/www.linkedin.com{POST}",
    },
    # IDN homographs (Cyrillic i and a, U+0456 and U+0430): kept, in punycode, where any site may go
    f"https://www.l\u0456nkedin.com{POST}": {
        "content": f"https://www.xn--lnkedin-rog.com{POST}",
        "content edit": f"https://www.xn--lnkedin-rog.com{POST}",
        "official": f"https://www.xn--lnkedin-rog.com{POST}",
    },
    "https://ex\u0430mple.com/launch": {
        "content": "https://xn--exmple-4nf.com/launch",
        "content edit": "https://xn--exmple-4nf.com/launch",
        "official": "https://xn--exmple-4nf.com/launch",
    },
    # a genuine international name and path: the same ASCII form a browser sends
    "https://bücher.example/straße?q=é": {
        "content": "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A9",
        "content edit": "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A9",
        "official": "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A9",
    },
}


@pytest.mark.parametrize("key", list(URL_FIELDS))
async def test_url_tricks_are_refused_by_name_or_kept_readable(client, key):
    url_field = URL_FIELDS[key]
    w = await new_world(client)
    for url, outcomes in URL_TRICKS.items():
        expected = outcomes.get(key, REFUSED)
        target = await url_field.prepare(w)
        before = await database_fingerprint()
        resp = await url_field.send(w, target, url)
        where = (url_field.label, url, resp.status_code, resp.text[:300])
        if expected is REFUSED:
            problem = assert_problem(resp, 422)
            fields = [e.get("field") or "" for e in problem.get("errors") or []]
            assert any(url_field.name in f for f in fields), where
            assert await database_fingerprint() == before, where
            continue
        assert resp.status_code < 300, where
        stored = await url_field.read(w, resp)
        assert stored == expected, where
        assert stored.isascii(), where
        assert await database_fingerprint() != before, where


async def test_a_homograph_content_url_redirects_to_its_punycode_form(client):
    """Before: the Location header could not hold the non-ASCII host, and every click on the
    tracked link was a 500."""
    w = await new_world(client)
    challenge = await create_challenge(
        client, w.admin, contentUrl="https://ex\u0430mple.com/caf\u00e9?q=\u00e9"
    )
    link = await w.ok(
        "POST",
        f"/api/v1/challenges/{challenge['id']}/share-links",
        w.sam,
        json={"network": "linkedin"},
    )
    resp = await client.get(f"/s/{link['code']}")
    assert resp.status_code == 302, resp.text
    location = urlsplit(resp.headers["location"])
    assert (location.scheme, location.hostname, location.path) == (
        "https",
        "xn--exmple-4nf.com",
        "/caf%C3%A9",
    )
    assert location.query.startswith("q=%C3%A9&utm_source=linkedin")


# == /s/<code> ==============================================================================


async def raw_get(app: Any, raw_path: bytes) -> tuple[int, dict[bytes, bytes]]:
    """GET exactly this path, bytes as sent (httpx would resolve `..` and `//` first)."""
    path, _, query = raw_path.partition(b"?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(path.decode("latin-1")),
        "raw_path": path,
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"user-agent", b"Mozilla/5.0 (Phone) Chrome/126")],
        "client": ("203.0.113.7", 50000),
        "server": ("testserver", 80),
    }
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.lower(): v for k, v in message["headers"]}

    await app(scope, receive, send)
    return answer["status"], answer["headers"]


SUFFIXES = [
    b"?url=https://evil.example/",
    b"?next=//evil.example/&redirect=https%3A%2F%2Fevil.example",
    b"?utm_source=x&url=javascript:alert(1)",
    b"/..//evil.example/",
    b"/%2e%2e/%2F%2Fevil.example",
    b"//evil.example",
    b"/https://evil.example/",
    b"@evil.example",
    b"%40evil.example",
    b"%0d%0aLocation:%20https://evil.example/",
    b"#https://evil.example/",
    b"\\evil.example",
]
PREFIXES = [b"/s//evil.example", b"/s/https://evil.example/", b"/s/%2F%2Fevil.example", b"/s/.."]


async def test_a_tracked_link_only_ever_redirects_to_its_stored_url(client, app):
    w = await new_world(client)
    challenge = await create_challenge(client, w.admin)
    shared = await w.ok(
        "POST",
        f"/api/v1/challenges/{challenge['id']}/share-links",
        w.sam,
        json={"network": "linkedin"},
    )
    official = await w.ok(
        "POST",
        "/api/v1/admin/official-links",
        w.admin,
        json={"label": "Ours", "network": "x", "url": "https://example.com/our-post"},
    )
    tried = 0
    for code, stored in (
        (shared["code"], challenge["contentUrl"]),
        (official["code"], "https://example.com/our-post"),
    ):
        status, headers = await raw_get(app, b"/s/" + code.encode())
        assert status == 302
        canonical = headers[b"location"]
        assert canonical.decode().startswith(stored.split("?")[0])
        for suffix in SUFFIXES:
            status, headers = await raw_get(app, b"/s/" + code.encode() + suffix)
            where = (code, suffix, status, headers.get(b"location"))
            assert status in (302, 404), where
            if status == 302:
                assert headers[b"location"] == canonical, where
            tried += 1
    for path in PREFIXES:
        status, headers = await raw_get(app, path)
        assert status == 404 and b"location" not in headers, (path, status)
        tried += 1
    assert tried == 2 * len(SUFFIXES) + len(PREFIXES)
