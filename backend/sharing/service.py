"""Tracked share links: one per person, challenge and network, with the text and intent to post."""

from __future__ import annotations

import secrets
import string
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit
from uuid import UUID, uuid4

from backend.challenges.service import (
    compose_share_text,
    content_language,
    disclosure_tag,
    effective_status,
    localized,
    visible_challenge,
)
from backend.challenges.tables import Challenge
from backend.core import clock
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import Message, msg
from backend.core.identity import CurrentUser
from backend.sharing.schemas import ClickCounts, ShareLinkRead
from backend.sharing.tables import Click, ShareLink

CODE_ALPHABET = string.digits + string.ascii_letters
CODE_LENGTH = 10  # 62^10 ≈ 8e17 codes: unguessable, still short in a post


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def tracked_url(base_url: str, code: str) -> str:
    return f"{base_url}/s/{code}"


def intent_url(network: str, url: str, text: str, title: str) -> str:
    """Where the Share button goes when the Web Share API is not there."""
    if network == "linkedin":
        return f"https://www.linkedin.com/sharing/share-offsite/?url={quote(url, safe='')}"
    if network == "x":
        return f"https://x.com/intent/post?text={quote(text, safe='')}"
    if network == "facebook":
        return f"https://www.facebook.com/sharer/sharer.php?u={quote(url, safe='')}"
    if network == "email":
        return f"mailto:?subject={quote(title, safe='')}&body={quote(text, safe='')}"
    return f"https://wa.me/?text={quote(text, safe='')}"


def campaign_url(
    content_url: str, *, network: str, slug: str, code: str, medium: str = "employee_advocacy"
) -> str:
    """The content URL with the UTM parameters merged into its own query (ours win)."""
    parts = urlsplit(content_url)
    ours = {
        "utm_source": network,
        "utm_medium": medium,
        "utm_campaign": slug,
        "utm_content": code,
    }
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ours]
    return urlunsplit(parts._replace(query=urlencode([*kept, *ours.items()])))


# Why a challenge cannot be shared, by its status (whole sentences: words agree in gender)
_NOT_ACTIVE: dict[str, Message] = {
    "draft": msg("This challenge is draft: it cannot be shared now."),
    "archived": msg("This challenge is archived: it cannot be shared now."),
    "scheduled": msg("This challenge is scheduled: it cannot be shared now."),
    "ended": msg("This challenge is ended: it cannot be shared now."),
}


async def share_link(
    user: CurrentUser,
    challenge_id: UUID,
    network: str,
    base_url: str,
    *,
    language: str | None = None,
) -> ShareLinkRead:
    """The caller's link for this challenge and network: made once, the same on every repeat;
    its text in `language` when the challenge has that translation."""
    row = await visible_challenge(user, challenge_id)
    status = effective_status(row["state"], row["starts_at"], row["ends_at"], clock.now())
    if status != "active":
        raise Conflict(_NOT_ACTIVE[status])
    if network not in row["networks"]:
        raise Invalid(
            msg(
                "This challenge is not shared on {network}; choose one of {networks}.",
                network=network,
                networks=", ".join(row["networks"]),
            )
        )
    title, _, texts = localized(row, content_language(row, language, user.org_language))
    if row["kind"] == "story":
        # What gets shared is the person's own story, through its public page.
        story = await ShareLink.raw(
            "SELECT title FROM story WHERE author = {} AND challenge = {} "
            "AND status = 'published' AND public",
            user.id,
            challenge_id,
        )
        if not story:
            raise Conflict(msg("Publish your story first: sharing it links to its public page."))
        title, texts = story[0]["title"], {}
    code = await _link_code(user, challenge_id, network)
    url = tracked_url(base_url, code)
    text = compose_share_text(
        texts, network, title, url, list(row["hashtags"]), await disclosure_tag(user.org_id)
    )
    return ShareLinkRead(
        code=code,
        network=network,  # type: ignore[arg-type]
        tracked_url=url,
        intent_url=intent_url(network, url, text, title),
        share_text=text,
    )


async def _link_code(user: CurrentUser, challenge_id: UUID, network: str) -> str:
    for _ in range(5):
        await ShareLink.raw(
            'INSERT INTO share_link (id, org, challenge, "user", network, code) '
            "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT DO NOTHING",
            uuid4(),
            user.org_id,
            challenge_id,
            user.id,
            network,
            new_code(),
        )
        found = (
            await ShareLink.select(ShareLink.code)
            .where(
                (ShareLink.user == user.id)
                & (ShareLink.challenge == challenge_id)
                & (ShareLink.network == network)
            )
            .first()
        )
        if found is not None:  # ours, or the one a concurrent request made first
            return str(found["code"])
    raise Conflict(msg("Could not make a share link; please try again."))


async def click_counts(org_id: UUID, challenge_id: UUID) -> ClickCounts:
    rows: list[dict[str, Any]] = await Click.raw(
        "SELECT kind, count(*) AS n FROM click WHERE org = {} AND challenge = {} GROUP BY kind",
        org_id,
        challenge_id,
    )
    counts = {row["kind"]: row["n"] for row in rows}
    links = await ShareLink.select(ShareLink.network, ShareLink.first_bot_at).where(
        (ShareLink.org == org_id) & (ShareLink.challenge == challenge_id)
    )
    if not links and not await _challenge_exists(org_id, challenge_id):
        raise NotFound(msg("No such challenge in your organization."))
    return ClickCounts(
        links=len(links),
        unique=counts.get("unique", 0),
        repeat=counts.get("repeat", 0),
        own=counts.get("self", 0),
        bot=counts.get("bot", 0),
        networks_seen_by_bots=sorted({r["network"] for r in links if r["first_bot_at"]}),
    )


async def _challenge_exists(org_id: UUID, challenge_id: UUID) -> bool:
    return bool(
        await Challenge.exists().where((Challenge.org == org_id) & (Challenge.id == challenge_id))
    )
