"""Narrative pillars and challenges: validation, lifecycle, audience (no Litestar here).

A challenge's stored `state` is what the admin decided (draft, published, archived); the status
everyone sees is computed from it and the clock on every read, so a missed cron job can never
leave a challenge open past its end.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import msgspec

from backend.challenges import cache, lessons, media
from backend.challenges.schemas import (
    NETWORKS,
    ChallengeCreate,
    ChallengeEdit,
    ChallengeRead,
    ChallengeTranslation,
    ChallengeUpdate,
    ContentPreview,
    MyLesson,
    MyStatus,
    MySubmission,
    PillarCreate,
    PillarRead,
    PillarRef,
    PillarUpdate,
    ShareTexts,
    Status,
    SubmissionCounts,
    TeamGoal,
)
from backend.challenges.tables import Challenge, Pillar
from backend.core import clock
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import LANGUAGES, Message, known, msg
from backend.core.identity import CurrentUser
from backend.core.text import clean_text
from backend.core.wire import Page, created_at_cursor, decode_cursor, from_row
from backend.db import DB
from backend.fetch.urls import ascii_url, check_public_url
from backend.orgs.tables import Team

# Once people may have shared it, only what cannot change the meaning of a share may change
# (a lesson's text may be fixed; its quiz, which people may have passed, may not).
EDITABLE_WHEN_PUBLISHED = frozenset(
    {"title", "description", "share_text", "translations", "ends_at", "sections"}
)
LESSON_FIELDS = ("sections", "quiz", "pass_mark")
X_URL_LENGTH = 23  # X counts every link as 23 characters, whatever its length
X_MAX = 280
DEFAULT_CAP_CLICKS = 10

_URL = re.compile(r"https?://\S+")


def effective_status(state: str, starts_at: datetime, ends_at: datetime, at: datetime) -> Status:
    if state == "draft":
        return "draft"
    if state == "archived":
        return "archived"
    if at < starts_at:
        return "scheduled"
    if at >= ends_at:
        return "ended"
    return "active"


def hashtag_line(hashtags: list[str]) -> str:
    return " ".join(f"#{tag}" for tag in hashtags)


def suggested_text(texts: dict[str, Any], network: str, title: str) -> str:
    """The network's own text, else the first one written for any network, else the title."""
    for candidate in (network, *NETWORKS):
        value = texts.get(candidate)
        if value:
            return str(value)
    return title


def compose_share_text(
    texts: dict[str, Any],
    network: str,
    title: str,
    url: str,
    hashtags: list[str],
    disclosure: str | None = None,
) -> str:
    """What the employee posts: the suggested text, the tracked link, the hashtags and the
    organization's disclosure tag. On X the link and the tags always fit: should the tag make
    the post longer than X allows (set after the text was written), the text is shortened."""
    text = suggested_text(texts, network, title).strip()
    tags = hashtag_line(hashtags)
    if disclosure and disclosure.casefold() not in f"{text} {tags}".casefold().split():
        tags = f"{tags} {disclosure}".strip()
    separator = " " if network == "x" else "\n\n"
    post = separator.join(part for part in (text, url, tags) if part)
    if network == "x" and (over := x_length(post) - X_MAX) > 0:
        kept = text[: max(0, len(text) - over - 1)].rstrip()
        post = separator.join(part for part in (f"{kept}…" if kept else "", url, tags) if part)
    return post


def x_length(text: str) -> int:
    return len(_URL.sub("x" * X_URL_LENGTH, text))


def x_post_length(
    texts: dict[str, Any], title: str, hashtags: list[str], disclosure: str | None = None
) -> int:
    """How long X counts the post composed for it, before any shortening."""
    post = " ".join(
        part
        for part in (
            suggested_text(texts, "x", title).strip(),
            "https://t.co/" + "x" * 10,
            hashtag_line(hashtags),
            disclosure or "",
        )
        if part
    )
    return x_length(post)


def _check_share_texts(
    texts: dict[str, Any],
    title: str,
    hashtags: list[str],
    networks: list[str],
    disclosure: str | None = None,
    *,
    prefix: str = "",
) -> None:
    """The per-network length rules; `prefix` names a translation's fields in the error
    ("translations.de.")."""
    if "x" in networks:
        length = x_post_length(texts, title, hashtags, disclosure)
        if length > X_MAX:
            raise Invalid(
                msg(
                    "With its link (X counts {url_length} characters for it), hashtags and the "
                    "disclosure tag {disclosure}, the post for X would have {length} characters; "
                    "X allows {limit}. Shorten the X text or the hashtags.",
                    url_length=X_URL_LENGTH,
                    disclosure=disclosure,
                    length=length,
                    limit=X_MAX,
                )
                if disclosure
                else msg(
                    "With its link (X counts {url_length} characters for it) and hashtags, the "
                    "post for X would have {length} characters; X allows {limit}. Shorten the X "
                    "text or the hashtags.",
                    url_length=X_URL_LENGTH,
                    length=length,
                    limit=X_MAX,
                ),
                field=f"{prefix}shareText.x",
            )


# -- translations: {"<language>": {"title"?, "description"?, "shareText"?: {network: text}}},
# only what was written (a network's empty text reads as the base's) ----------------------


def _decoded(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


def merged_texts(base: dict[str, Any], over: dict[str, Any] | None) -> dict[str, Any]:
    """A translation's share texts over the base's, network by network."""
    return {**base, **{network: text for network, text in (over or {}).items() if text}}


def localized(row: dict[str, Any], language: str | None) -> tuple[str, str, dict[str, Any]]:
    """The title, description and share texts in `language` when the challenge has that
    translation (what it leaves out read as the base), else the base's."""
    texts = _decoded(row["share_text"]) or {}
    found = (_decoded(row.get("translations")) or {}).get(language) if language else None
    if not found:
        return row["title"], row["description"], texts
    return (
        found.get("title") or row["title"],
        found.get("description") or row["description"],
        merged_texts(texts, found.get("shareText")),
    )


def has_translation(row: dict[str, Any], language: str | None) -> bool:
    return bool(language and (_decoded(row.get("translations")) or {}).get(language))


def content_language(row: dict[str, Any], *wanted: str | None) -> str | None:
    """The first of `wanted` (the reader's language, then their organization's default) the
    challenge has a translation in; None: the base text."""
    for language in wanted:
        if has_translation(row, language):
            return language
    return None


def suggested_texts(row: dict[str, Any], network: str) -> list[str]:
    """The suggested text for `network` in the base and in every translation, as the row
    (title, share_text, translations) has them."""
    texts = _decoded(row["share_text"]) or {}
    found = [suggested_text(texts, network, row["title"])]
    for translation in (_decoded(row.get("translations")) or {}).values():
        text = suggested_text(
            merged_texts(texts, translation.get("shareText")),
            network,
            translation.get("title") or row["title"],
        )
        if text not in found:
            found.append(text)
    return found


def _check_translations(
    translations: dict[str, ChallengeTranslation],
    *,
    title: str,
    texts: dict[str, Any],
    hashtags: list[str],
    networks: list[str],
    disclosure: str | None,
    shared: bool = True,
) -> dict[str, dict[str, Any]]:
    """The translations as stored: each key a language Chorus speaks, each title cleaned like
    the base's, each share text (over the base's) within the networks' limits. `shared`: False
    for a lesson, which has nothing to share (its translations' share texts are dropped)."""
    checked: dict[str, dict[str, Any]] = {}
    for tag, translation in translations.items():
        if tag not in LANGUAGES:
            raise Invalid(
                msg(
                    "Chorus does not speak the language “{tag}”; translate into one of "
                    "{languages}.",
                    tag=tag[:20],
                    languages=", ".join(LANGUAGES),
                ),
                field=f"translations.{tag[:20]}",
            )
        prefix = f"translations.{tag}."
        entry: dict[str, Any] = {}
        if translation.title is not msgspec.UNSET:
            entry["title"] = clean_text(translation.title, f"{prefix}title")
        if translation.description is not msgspec.UNSET and translation.description.strip():
            entry["description"] = translation.description.strip()
        if shared and translation.share_text is not msgspec.UNSET:
            own = {k: v for k, v in msgspec.to_builtins(translation.share_text).items() if v}
            if own:
                entry["shareText"] = own
        _check_share_texts(
            merged_texts(texts, entry.get("shareText")),
            entry.get("title", title),
            hashtags,
            networks,
            disclosure,
            prefix=prefix,
        )
        if entry:
            checked[tag] = entry
    return checked


def _stored_translations(value: Any) -> dict[str, ChallengeTranslation]:
    return msgspec.convert(_decoded(value) or {}, dict[str, ChallengeTranslation])


async def disclosure_tag(org_id: UUID) -> str | None:
    """The organization's disclosure tag (e.g. #employee), added to every suggested text."""
    rows = await Challenge.raw("SELECT disclosure_tag FROM organization WHERE id = {}", org_id)
    return rows[0]["disclosure_tag"] if rows else None


def _check_content_url(url: str) -> str:
    try:
        return ascii_url(check_public_url(url))
    except ValueError as exc:
        raise Invalid(
            msg(
                "Check the article's link: {problem}", problem=exc.args[0] if exc.args else str(exc)
            ),
            field="contentUrl",
        ) from exc


def _clean_hashtags(hashtags: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for tag in hashtags:
        bare = tag.removeprefix("#")
        seen.setdefault(bare.lower(), bare)
    return list(seen.values())


def _unique_networks(networks: list[str]) -> list[str]:
    return list(dict.fromkeys(networks))


STORY_NETWORKS = ("linkedin", "x", "facebook")


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")
    return slug or "challenge"


async def _check_pillar(org_id: UUID, pillar_id: UUID | None) -> None:
    if pillar_id is not None and not await Pillar.exists().where(
        (Pillar.id == pillar_id) & (Pillar.org == org_id)
    ):
        raise NotFound(msg("No such narrative pillar in your organization."))


async def _check_teams(org_id: UUID, team_ids: list[UUID]) -> list[UUID]:
    unique = list(dict.fromkeys(team_ids))
    if unique:
        found = await Team.count().where((Team.org == org_id) & Team.id.is_in(unique))
        if found != len(unique):
            raise NotFound(msg("One of teamIds is not a team of your organization."))
    return unique


# -- reading ---------------------------------------------------------------------------

_COLUMNS = (
    "c.id, c.slug, c.kind, c.title, c.description, c.pillar, p.title AS pillar_title, "
    "c.content_url, c.share_text, c.hashtags, c.networks, c.points, c.click_points, "
    "c.click_points_cap, c.starts_at, c.ends_at, c.verification, c.audience_team_ids, c.state, "
    "c.published_at, c.created_at, c.preview_status, c.preview_title, c.preview_description, "
    "c.preview_image_url, c.team_goal_shares, c.team_goal_bonus, c.own_words_points, "
    "c.translations, " + lessons.LESSON_COLUMNS + ", " + media.MEDIA_COLUMN
)
_FROM = "FROM challenge c LEFT JOIN pillar p ON p.id = c.pillar " + lessons.LESSON_JOIN


def to_read(
    row: dict[str, Any],
    at: datetime,
    my_status: MyStatus | None = None,
    language: str | None = None,
) -> ChallengeRead:
    """The challenge as read; its title, description and share texts in `language` when it
    has that translation (an admin's reads pass none: the base)."""
    title, description, share_text = localized(row, language)
    return ChallengeRead(
        id=row["id"],
        slug=row["slug"],
        kind=row["kind"],
        title=title,
        description=description,
        pillar=PillarRef(id=row["pillar"], title=row["pillar_title"]) if row["pillar"] else None,
        content_url=row["content_url"],
        share_text=msgspec.convert(share_text, ShareTexts),
        hashtags=list(row["hashtags"]),
        networks=list(row["networks"]),
        points=row["points"],
        click_points=row["click_points"],
        click_points_cap=row["click_points_cap"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        verification=row["verification"],
        team_ids=list(row["audience_team_ids"]),
        team_goal=TeamGoal(shares=row["team_goal_shares"], bonus=row["team_goal_bonus"])
        if row["team_goal_shares"]
        else None,
        status=effective_status(row["state"], row["starts_at"], row["ends_at"], at),
        preview_status="none" if not row["content_url"] else row["preview_status"],
        preview=ContentPreview(
            status=row["preview_status"],
            title=row["preview_title"],
            description=row["preview_description"],
            image_url=row["preview_image_url"],
        ),
        published_at=row["published_at"],
        created_at=row["created_at"],
        my_status=my_status,
        lesson=lessons.lesson_read(row),
        media=media.media_read(row),
        own_words_points=row["own_words_points"],
    )


async def challenge_row(org_id: UUID, challenge_id: UUID) -> dict[str, Any]:
    rows = await Challenge.raw(
        f"SELECT {_COLUMNS} {_FROM} WHERE c.org = {{}} AND c.id = {{}}", org_id, challenge_id
    )
    if not rows:
        raise NotFound(msg("No such challenge in your organization."))
    row: dict[str, Any] = rows[0]
    return row


def in_audience(row: dict[str, Any], user: CurrentUser) -> bool:
    audience = row["audience_team_ids"]
    return not audience or user.team_id in audience


async def _visible_row(user: CurrentUser, challenge_id: UUID) -> dict[str, Any]:
    row = await challenge_row(user.org_id, challenge_id)
    if row["state"] != "published" or not in_audience(row, user):
        raise NotFound(msg("No such challenge in your organization."))
    return row


async def visible_challenge(user: CurrentUser, challenge_id: UUID) -> dict[str, Any]:
    """A published challenge whose audience includes the caller, who is about to act on it
    (ask for its share link, claim it); anything else is 404. Their cached statuses are read
    from the database for a few seconds: the claim that may follow sends no event of its own."""
    row = await _visible_row(user, challenge_id)
    cache.person_acting(user.org_id, user.id)
    return row


# How a submission's status reads on the employee's card.
_SHOWN_STATUS: dict[str | None, MyStatus] = {
    None: "todo",
    "pending": "pending",
    "needs_review": "pending",
    "verified": "verified",
    "rejected": "rejected",
    "revoked": "rejected",
}


# A rejected share may be sent again: this many tries in all (submissions/claiming.py keeps it).
MAX_SHARE_TRIES = 3


async def _my_submission(user: CurrentUser, challenge_id: UUID) -> MySubmission | None:
    rows = await Challenge.raw(
        "SELECT id, network, post_url, status, points_awarded, reason, review_note, attempt, "
        'own_words FROM submission WHERE "user" = {} AND challenge = {} '
        "ORDER BY attempt DESC LIMIT 1",
        user.id,
        challenge_id,
    )
    if not rows:
        return None
    mine = from_row(rows[0], MySubmission)
    if mine.status == "rejected":
        mine = msgspec.structs.replace(mine, tries_left=max(0, MAX_SHARE_TRIES - mine.attempt))
    return mine


async def _my_lesson(user: CurrentUser, challenge_id: UUID) -> MyLesson:
    rows = await Challenge.raw(
        "SELECT count(*) AS attempts, coalesce(bool_or(passed), false) AS passed, "
        "max(score) AS best_score, coalesce(sum(points_awarded), 0) AS points_awarded "
        'FROM lesson_attempt WHERE "user" = {} AND challenge = {}',
        user.id,
        challenge_id,
    )
    return from_row(rows[0], MyLesson)


async def get_for_member(
    user: CurrentUser, challenge_id: UUID, language: str | None = None
) -> ChallengeRead:
    row = await _visible_row(user, challenge_id)
    reader = language
    language = content_language(row, language, user.org_language)
    if row["kind"] == "lesson":
        mine_lesson = await _my_lesson(user, challenge_id)
        read = to_read(
            row,
            clock.now(),
            my_status="verified" if mine_lesson.passed else "todo",
            language=language,
        )
        return msgspec.structs.replace(read, my_lesson=mine_lesson)
    mine = await _my_submission(user, challenge_id)
    if mine is not None and mine.reason:
        reason = known(mine.reason, reader)
        mine = msgspec.structs.replace(mine, reason=reason)
    read = to_read(
        row,
        clock.now(),
        my_status=_SHOWN_STATUS[mine.status if mine else None],
        language=language,
    )
    return msgspec.structs.replace(read, my_submission=mine)


async def list_open(
    user: CurrentUser, *, limit: int = 50, language: str | None = None
) -> list[ChallengeRead]:
    """Challenges open to the caller now (active, in their audience), ending soonest first."""
    at = clock.now()
    rows = await Challenge.raw(
        f"SELECT {_COLUMNS}, s.status AS my_submission, "  # noqa: S608 (constants)
        # a lesson reads as verified once passed
        "EXISTS (SELECT 1 FROM lesson_attempt a WHERE a.challenge = c.id "
        'AND a."user" = {} AND a.passed) AS lesson_passed '
        f"{_FROM} "
        # the latest try of the caller's share, if any (a rejected share may be sent again)
        "LEFT JOIN LATERAL (SELECT status FROM submission WHERE challenge = c.id "
        'AND "user" = {} ORDER BY attempt DESC LIMIT 1) s ON true '
        "WHERE c.org = {} AND c.state = 'published' AND c.starts_at <= {} AND c.ends_at > {} "
        "AND (cardinality(c.audience_team_ids) = 0 OR {}::uuid = ANY(c.audience_team_ids)) "
        "ORDER BY c.ends_at, c.id LIMIT {}",
        user.id,
        user.id,
        user.org_id,
        at,
        at,
        user.team_id,
        limit,
    )
    return [
        to_read(
            row,
            at,
            my_status="verified" if row["lesson_passed"] else _SHOWN_STATUS[row["my_submission"]],
            language=content_language(row, language, user.org_language),
        )
        for row in rows
    ]


_PAGE_HEAD, _PAGE_TAIL = msgspec.json.encode(Page[ChallengeRead](items=[], next_cursor=None)).split(
    b"[]"
)


async def _open_items(org_id: UUID) -> list[cache.Item]:
    """Every published challenge of the organization not yet ended, scheduled ones included
    (they open by the clock), whatever their audience, ending soonest first."""
    rows = await Challenge.raw(
        f"SELECT {_COLUMNS} {_FROM} "
        "WHERE c.org = {} AND c.state = 'published' AND c.ends_at > {} "
        "ORDER BY c.ends_at, c.id LIMIT {}",
        org_id,
        clock.now(),
        cache.MAX_OPEN + 1,
    )
    return [
        cache.Item(
            id=row["id"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            audience=frozenset(row["audience_team_ids"]),
            # decoded once: each read asks which languages it has
            row={**row, "translations": _decoded(row["translations"]) or {}},
        )
        for row in rows
    ]


async def _shown_statuses(user_id: UUID) -> dict[UUID, MyStatus]:
    """How each of the person's shares reads on their cards: the latest try of each; a lesson
    passed reads as verified."""
    rows = await Challenge.raw(
        "SELECT DISTINCT ON (challenge) challenge, status FROM submission "
        'WHERE "user" = {} ORDER BY challenge, attempt DESC',
        user_id,
    )
    shown = {row["challenge"]: _SHOWN_STATUS[row["status"]] for row in rows}
    passed = await Challenge.raw(
        'SELECT DISTINCT challenge FROM lesson_attempt WHERE "user" = {} AND passed', user_id
    )
    for row in passed:
        shown[row["challenge"]] = "verified"
    return shown


async def list_open_json(
    user: CurrentUser,
    *,
    limit: int = 50,
    memory: cache.OpenChallenges | None = None,
    language: str | None = None,
) -> bytes:
    """`list_open` as the encoded page, served from this process's memory while it is trusted
    (backend/challenges/cache.py); each card is encoded once per status it can show and
    language it has a translation in (the base serves every other language)."""
    org = None
    if memory is not None and memory.live:
        org = await memory.org(user.org_id, lambda: _open_items(user.org_id))
    if memory is None or org is None:
        return msgspec.json.encode(
            Page[ChallengeRead](
                items=await list_open(user, limit=limit, language=language), next_cursor=None
            )
        )
    statuses = await memory.statuses(user.id, lambda: _shown_statuses(user.id))
    at = clock.now()
    team = user.team_id
    parts: list[bytes] = []
    for item in org.items:
        if len(parts) >= limit:
            break
        if not (item.starts_at <= at < item.ends_at):
            continue
        if item.audience and team not in item.audience:
            continue
        shown = statuses.get(item.id, "todo")
        key = (shown, content_language(item.row, language, user.org_language))
        encoded = item.encoded.get(key)
        if encoded is None:  # while open it reads "active", the only status the list shows
            encoded = item.encoded[key] = msgspec.json.encode(
                to_read(item.row, at, shown, language=key[1])
            )
        parts.append(encoded)
    return b"".join((_PAGE_HEAD, b"[", b",".join(parts), b"]", _PAGE_TAIL))


# What each status the admin filters on means in stored state and the clock.
_STATUS_WHERE: dict[str, str] = {
    "draft": "c.state = 'draft'",
    "archived": "c.state = 'archived'",
    "scheduled": "c.state = 'published' AND c.starts_at > {}",
    "active": "c.state = 'published' AND c.starts_at <= {} AND c.ends_at > {}",
    "ended": "c.state = 'published' AND c.ends_at <= {}",
}

_COUNTS = (
    "LEFT JOIN LATERAL (SELECT count(*) AS total, "
    "count(*) FILTER (WHERE status = 'pending') AS pending, "
    "count(*) FILTER (WHERE status = 'needs_review') AS needs_review, "
    "count(*) FILTER (WHERE status = 'verified') AS verified, "
    "count(*) FILTER (WHERE status = 'rejected') AS rejected "
    "FROM submission WHERE challenge = c.id) n ON true"
)


async def list_for_admin(
    org_id: UUID,
    *,
    limit: int = 50,
    cursor: str | None = None,
    query: str = "",
    status: Status | None = None,
) -> Page[ChallengeRead]:
    """Every challenge of the organization, newest first, drafts and archived included;
    `query` finds a title containing it (any case), `status` keeps one status; each with its
    submission counts."""
    at = clock.now()
    clauses, args = ["c.org = {}"], list[Any]([org_id])
    needle = query.strip()
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append("c.title ILIKE {}")
        args.append(f"%{escaped}%")
    if status is not None:
        where = _STATUS_WHERE[status]
        clauses.append(f"({where})")
        args += [at] * where.count("{}")
    if cursor:
        before_created, before_id = decode_cursor(cursor, tuple[datetime, UUID])
        clauses.append("(c.created_at, c.id) < ({}::timestamptz, {}::uuid)")
        args += [before_created, before_id]
    rows = await Challenge.raw(
        f"SELECT {_COLUMNS}, n.* {_FROM} {_COUNTS} "
        f"WHERE {' AND '.join(clauses)} ORDER BY c.created_at DESC, c.id DESC LIMIT {{}}",
        *args,
        limit + 1,
    )
    items = [
        msgspec.structs.replace(
            to_read(row, at),
            submission_counts=SubmissionCounts(
                total=row["total"],
                pending=row["pending"],
                needs_review=row["needs_review"],
                verified=row["verified"],
                rejected=row["rejected"],
            ),
        )
        for row in rows[:limit]
    ]
    next_cursor = created_at_cursor(rows, limit)
    return Page[ChallengeRead](items=items, next_cursor=next_cursor)


async def get_for_admin(org_id: UUID, challenge_id: UUID) -> ChallengeEdit:
    """The challenge for its admin's editor: a lesson's quiz with its answers."""
    row = await challenge_row(org_id, challenge_id)
    read = to_read(row, clock.now())
    fields = {name: getattr(read, name) for name in read.__struct_fields__}
    if read.kind == "lesson":
        fields["lesson"] = await lessons.lesson_edit(challenge_id)
    return ChallengeEdit(**fields, translations=_stored_translations(row["translations"]))


# -- writing ---------------------------------------------------------------------------


async def create_challenge(actor: CurrentUser, data: ChallengeCreate) -> ChallengeEdit:
    title = clean_text(data.title, "title")
    lesson: lessons.CheckedLesson | None = None
    if data.kind != "lesson" and (data.sections is not None or data.quiz is not None):
        raise Invalid(
            msg("Only a lesson has sections and a quiz."),
            field="sections" if data.sections is not None else "quiz",
        )
    if data.kind == "lesson":
        # Read in the app and answered there: nothing to share, nothing to verify but the quiz.
        lesson = lessons.check_lesson(data.sections, data.quiz)
        content_url, networks = "", []
    elif data.kind == "story":
        # The story's own page is what gets shared; the policy says when a story is published.
        if data.verification not in ("review", "trust"):
            raise Invalid(
                msg(
                    "A story is published after an admin's review or on trust; choose one of those."
                ),
                field="verification",
            )
        content_url = ""
        networks = _unique_networks(list(data.networks or STORY_NETWORKS))
    else:
        if data.content_url is None:
            raise Invalid(
                msg("Paste the link of the article people will share."), field="contentUrl"
            )
        if not data.networks:
            raise Invalid(msg("Choose where this challenge is shared."), field="networks")
        content_url = _check_content_url(data.content_url)
        networks = _unique_networks(list(data.networks))
    if data.ends_at <= data.starts_at:
        raise Invalid(msg("The end must be after the start."), field="endsAt")
    hashtags = _clean_hashtags(data.hashtags) if lesson is None else []
    texts = msgspec.to_builtins(data.share_text)
    disclosure = await disclosure_tag(actor.org_id)
    _check_share_texts(texts, title, hashtags, networks, disclosure)
    translations = _check_translations(
        data.translations,
        title=title,
        texts={} if lesson is not None else texts,
        hashtags=hashtags,
        networks=networks,
        disclosure=disclosure,
        shared=lesson is None,
    )
    await _check_pillar(actor.org_id, data.pillar_id)
    team_ids = await _check_teams(actor.org_id, data.team_ids)
    cap = (
        data.click_points_cap
        if data.click_points_cap is not None
        else data.click_points * DEFAULT_CAP_CLICKS
    )
    click_points = data.click_points
    if lesson is not None:
        texts, click_points, cap = {}, 0, 0  # a lesson has no link to click
    challenge_id = uuid4()
    base = slugify(title)
    for attempt in range(5):
        slug = base if attempt == 0 else f"{base[:54]}-{secrets.token_hex(2)}"
        try:
            async with DB.transaction():
                await Challenge.insert(
                    Challenge(
                        id=challenge_id,
                        org=actor.org_id,
                        slug=slug,
                        kind=data.kind,
                        title=title,
                        description=data.description.strip(),
                        pillar=data.pillar_id,
                        content_url=content_url,
                        share_text=msgspec.json.encode(texts).decode(),
                        translations=msgspec.json.encode(translations).decode(),
                        hashtags=hashtags,
                        networks=networks,
                        points=data.points,
                        click_points=click_points,
                        click_points_cap=cap,
                        own_words_points=data.own_words_points if lesson is None else 0,
                        starts_at=data.starts_at,
                        ends_at=data.ends_at,
                        verification=data.verification,
                        audience_team_ids=team_ids,
                        team_goal_shares=data.team_goal.shares if data.team_goal else None,
                        team_goal_bonus=data.team_goal.bonus if data.team_goal else 0,
                        created_by=actor.id,
                    )
                )
                if lesson is not None:
                    await lessons.store(actor.org_id, challenge_id, lesson, data.pass_mark)
            break
        except asyncpg.UniqueViolationError:
            continue  # the slug was taken: try it with a short random suffix
    else:
        raise Conflict(msg("Could not find a free slug for this title; change the title a little."))
    return await get_for_admin(actor.org_id, challenge_id)


async def update_challenge(
    actor: CurrentUser, challenge_id: UUID, data: ChallengeUpdate
) -> tuple[ChallengeEdit, bool]:
    """Apply an edit; returns the challenge and whether its content URL changed."""
    async with DB.transaction():
        rows = await Challenge.raw(
            "SELECT * FROM challenge WHERE org = {} AND id = {} FOR UPDATE",
            actor.org_id,
            challenge_id,
        )
        if not rows:
            raise NotFound(msg("No such challenge in your organization."))
        current = rows[0]
        given = {
            name for name in data.__struct_fields__ if getattr(data, name) is not msgspec.UNSET
        }
        if current["state"] == "archived":
            raise Conflict(msg("This challenge is archived; it can no longer change."))
        if current["state"] == "published" and not given <= EDITABLE_WHEN_PUBLISHED:
            locked = sorted(given - EDITABLE_WHEN_PUBLISHED)
            raise Conflict(
                msg(
                    "Once published, only title, description, shareText, translations, sections "
                    "and endsAt can change (not {fields}); unpublish it first.",
                    fields=", ".join(locked),
                )
            )
        lesson_changed = await _update_lesson(current, data)
        changes = _changes(data)
        merged = {**current, **{column: value for column, value in changes.items()}}
        if "title" in changes:
            merged["title"] = changes["title"] = clean_text(changes["title"], "title")
        if "content_url" in changes:
            changes["content_url"] = _check_content_url(changes["content_url"])
        if merged["ends_at"] <= merged["starts_at"]:
            raise Invalid(msg("The end must be after the start."), field="endsAt")
        if (
            current["state"] == "published"
            and "ends_at" in changes
            and (changes["ends_at"] <= clock.now())
        ):
            raise Invalid(
                msg("A published challenge's end cannot move into the past; archive it instead."),
                field="endsAt",
            )
        texts = _decoded(merged["share_text"]) or {}
        if given & {"share_text", "title", "hashtags", "networks", "translations"}:
            disclosure = await disclosure_tag(actor.org_id)
            _check_share_texts(
                texts, merged["title"], merged["hashtags"], merged["networks"], disclosure
            )
            # each translation again: its text reads over the base's, with its hashtags
            translations = _check_translations(
                data.translations
                if data.translations is not msgspec.UNSET
                else _stored_translations(current["translations"]),
                title=merged["title"],
                texts=texts,
                hashtags=merged["hashtags"],
                networks=merged["networks"],
                disclosure=disclosure,
                shared=current["kind"] != "lesson",
            )
            if "translations" in changes:
                changes["translations"] = msgspec.json.encode(translations).decode()
        if "pillar" in changes:
            await _check_pillar(actor.org_id, changes["pillar"])
        if "audience_team_ids" in changes:
            changes["audience_team_ids"] = await _check_teams(
                actor.org_id, changes["audience_team_ids"]
            )
        if "share_text" in changes:
            changes["share_text"] = msgspec.json.encode(changes["share_text"]).decode()
        content_changed = (
            changes.get("content_url", current["content_url"]) != current["content_url"]
        )
        if content_changed:
            changes.update(
                preview_status="pending",
                preview_title=None,
                preview_description=None,
                preview_image_url=None,
            )
        if changes:
            changes["updated_at"] = clock.now()
            await Challenge.update(
                {getattr(Challenge, column): value for column, value in changes.items()}
            ).where(Challenge.id == challenge_id)
        elif lesson_changed:
            await Challenge.update({Challenge.updated_at: clock.now()}).where(
                Challenge.id == challenge_id
            )
    if changes or lesson_changed:
        await cache.announce_org(actor.org_id)
    return await get_for_admin(actor.org_id, challenge_id), content_changed


async def _update_lesson(current: dict[str, Any], data: ChallengeUpdate) -> bool:
    """Write the lesson's part of an edit (in the caller's transaction); True if any."""
    given = [name for name in LESSON_FIELDS if getattr(data, name) is not msgspec.UNSET]
    if not given:
        return False
    if current["kind"] != "lesson":
        raise Invalid(
            msg("Only a lesson has sections, a quiz and a pass mark."),
            field="passMark" if given[0] == "pass_mark" else given[0],
        )
    sections, quiz, pass_mark = data.sections, data.quiz, data.pass_mark
    await lessons.update(
        current["id"],
        sections=None if sections is msgspec.UNSET else lessons.check_sections(sections),
        quiz=None if quiz is msgspec.UNSET else lessons.check_quiz(quiz),
        pass_mark=None if pass_mark is msgspec.UNSET else pass_mark,
    )
    return True


def _changes(data: ChallengeUpdate) -> dict[str, Any]:
    renamed = {"pillar_id": "pillar", "team_ids": "audience_team_ids"}
    changes: dict[str, Any] = {}
    for name in data.__struct_fields__:
        value = getattr(data, name)
        if value is msgspec.UNSET or name in LESSON_FIELDS:
            continue
        if name == "team_goal":
            changes["team_goal_shares"] = value.shares if value else None
            changes["team_goal_bonus"] = value.bonus if value else 0
            continue
        if name == "share_text":
            value = msgspec.to_builtins(value)
        elif name == "translations":
            pass  # checked, then stored, by update_challenge
        elif name == "hashtags":
            value = _clean_hashtags(value)
        elif name == "networks":
            value = _unique_networks(value)
        elif name == "description":
            value = value.strip()
        changes[renamed.get(name, name)] = value
    return changes


# A change of state that is not allowed, said whole: the only ones publish, unpublish and
# archive can meet (an archived challenge stays archived)
_CANNOT_BECOME: dict[tuple[str, str], Message] = {
    ("archived", "published"): msg("A archived challenge cannot become published."),
    ("archived", "draft"): msg("A archived challenge cannot become draft."),
}


async def _set_state(
    actor: CurrentUser, challenge_id: UUID, allowed_from: set[str], to: str
) -> ChallengeEdit:
    async with DB.transaction():
        rows = await Challenge.raw(
            "SELECT state, ends_at FROM challenge WHERE org = {} AND id = {} FOR UPDATE",
            actor.org_id,
            challenge_id,
        )
        if not rows:
            raise NotFound(msg("No such challenge in your organization."))
        state, ends_at = rows[0]["state"], rows[0]["ends_at"]
        if state == to:
            return await get_for_admin(actor.org_id, challenge_id)  # asked twice: same answer
        if state not in allowed_from:
            raise Conflict(_CANNOT_BECOME[(state, to)])
        changes: dict[Any, Any] = {Challenge.state: to, Challenge.updated_at: clock.now()}
        if to == "published":
            if ends_at <= clock.now():
                raise Invalid(msg("This challenge's end date has passed; move endsAt first."))
            changes[Challenge.published_at] = clock.now()
        await Challenge.update(changes).where(Challenge.id == challenge_id)
    await cache.announce_org(actor.org_id)
    return await get_for_admin(actor.org_id, challenge_id)


async def retry_preview(org_id: UUID, challenge_id: UUID) -> ChallengeEdit:
    """Mark a challenge's preview as being fetched again (the caller queues the fetch)."""
    row = await challenge_row(org_id, challenge_id)
    if not row["content_url"]:
        raise Conflict(msg("This challenge has no article to preview."))
    await Challenge.update({Challenge.preview_status: "pending"}).where(
        (Challenge.id == challenge_id) & (Challenge.org == org_id)
    )
    await cache.announce_org(org_id)
    return await get_for_admin(org_id, challenge_id)


async def publish(actor: CurrentUser, challenge_id: UUID) -> ChallengeEdit:
    return await _set_state(actor, challenge_id, {"draft"}, "published")


async def unpublish(actor: CurrentUser, challenge_id: UUID) -> ChallengeEdit:
    return await _set_state(actor, challenge_id, {"published"}, "draft")


async def archive(actor: CurrentUser, challenge_id: UUID) -> ChallengeEdit:
    return await _set_state(actor, challenge_id, {"draft", "published"}, "archived")


async def store_preview(
    challenge_id: UUID,
    content_url: str,
    *,
    title: str | None,
    description: str | None,
    image_url: str | None,
    ok: bool,
) -> bool:
    """Record a fetched preview, unless the content URL changed meanwhile. True if stored."""
    updated = await Challenge.raw(
        "UPDATE challenge SET preview_status = {}, preview_title = {}, "
        "preview_description = {}, preview_image_url = {}, preview_fetched_at = now() "
        "WHERE id = {} AND content_url = {} RETURNING org",
        "ok" if ok else "failed",
        title,
        description,
        image_url,
        challenge_id,
        content_url,
    )
    if updated:
        await cache.announce_org(updated[0]["org"])  # the cards show the preview
    return bool(updated)


# -- pillars ---------------------------------------------------------------------------


async def list_pillars(org_id: UUID) -> list[PillarRead]:
    rows = (
        await Pillar.select(Pillar.id, Pillar.title, Pillar.message)
        .where(Pillar.org == org_id)
        .order_by(Pillar.created_at)
    )
    return [from_row(row, PillarRead) for row in rows]


async def create_pillar(actor: CurrentUser, data: PillarCreate) -> PillarRead:
    pillar = PillarRead(
        id=uuid4(),
        title=clean_text(data.title, "title"),
        message=clean_text(data.message, "message", multiline=True),
    )
    try:
        await Pillar.insert(
            Pillar(id=pillar.id, org=actor.org_id, title=pillar.title, message=pillar.message)
        )
    except asyncpg.UniqueViolationError as exc:
        raise Conflict(
            msg("A pillar titled {title} already exists.", title=repr(pillar.title))
        ) from exc
    return pillar


async def update_pillar(actor: CurrentUser, pillar_id: UUID, data: PillarUpdate) -> PillarRead:
    changes: dict[Any, Any] = {}
    if data.title is not msgspec.UNSET:
        changes[Pillar.title] = clean_text(data.title, "title")
    if data.message is not msgspec.UNSET:
        changes[Pillar.message] = clean_text(data.message, "message", multiline=True)
    where = (Pillar.id == pillar_id) & (Pillar.org == actor.org_id)
    if not await Pillar.exists().where(where):
        raise NotFound(msg("No such narrative pillar in your organization."))
    if changes:
        try:
            await Pillar.update(changes).where(where)
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(msg("Another pillar already has this title.")) from exc
        await cache.announce_org(actor.org_id)  # the cards show their pillar's title
    row = await Pillar.select(Pillar.id, Pillar.title, Pillar.message).where(where).first()
    assert row is not None
    return from_row(row, PillarRead)


async def delete_pillar(actor: CurrentUser, pillar_id: UUID) -> None:
    """Delete a pillar; its challenges stay, without a pillar."""
    deleted = (
        await Pillar.delete()
        .where((Pillar.id == pillar_id) & (Pillar.org == actor.org_id))
        .returning(Pillar.id)
    )
    if not deleted:
        raise NotFound(msg("No such narrative pillar in your organization."))
    await cache.announce_org(actor.org_id)
