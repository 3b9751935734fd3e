"""Posts in the person's own words, the organization's disclosure tag, and how long post texts
are kept.

A verified post is "in their own words" when its text, with links and hashtags removed, is not
a near-copy of the challenge's suggested text for that network (in any of its translations)
nor of a colleague's verified
post for the same challenge: word 3-shingles compared by Jaccard similarity, a near-copy being
at or above CHORUS_OWN_WORDS_MAX_SIMILARITY. Plain Jaccard over the stored texts is cheap up to
a few hundred posts, so the comparison takes the COMPARE_LIMIT most recent colleagues' posts of
the challenge (read in the verification's first statement, no extra round trip); an older
post's copy is not caught. The own-words points are paid by `decisions.decide` with the share,
under the ledger key `own_words:<submission>`, so at most once.

A post of an organization with a disclosure tag whose text lacks the tag is not verified: it
goes to review (evidence source `disclosure_missing`). The text read is kept on the submission
for the organization's `post_text_retention_days`, then cleared by the daily sweep
(`clear_expired_post_texts`); erasing a person clears it at once (backend/orgs/privacy.py).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from backend.challenges.service import suggested_texts
from backend.db import fetch
from backend.settings import Settings
from backend.submissions.decisions import Claim, decide, evidence_of

SHINGLE = 3  # words per shingle
COMPARE_LIMIT = 200  # the most recent colleagues' verified posts a new post is compared with
MAX_TEXT = 5000  # characters of a post's text kept

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<!\w)#\w+")
_WORD = re.compile(r"\w+")


# -- reading the text of a post ----------------------------------------------------------------


class _TextOf(HTMLParser):
    """The visible text of a page, and of its first <article> and first <p> apart."""

    _SKIP = frozenset({"script", "style", "noscript", "template", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.all: list[str] = []
        self.article: list[str] = []
        self.paragraph: list[str] = []
        self.description: str | None = None
        self._skip = 0
        self._article = 0
        self._articles_seen = 0
        self._paragraph = 0
        self._paragraphs_seen = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "meta":
            found = dict(attrs)
            if found.get("property") == "og:description" or found.get("name") == "description":
                self.description = self.description or found.get("content")
        elif tag == "article":
            self._articles_seen += 1
            if self._articles_seen == 1 or self._article:
                self._article += 1
        elif tag == "p":
            self._paragraphs_seen += 1
            if self._paragraphs_seen == 1 or self._paragraph:
                self._paragraph += 1
        elif tag == "br":
            self.handle_data("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag == "article" and self._article:
            self._article -= 1
        elif tag == "p" and self._paragraph:
            self._paragraph -= 1

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.all.append(data)
        if self._article:
            self.article.append(data)
        if self._paragraph:
            self.paragraph.append(data)


def _squash(parts: list[str]) -> str:
    return " ".join(" ".join(parts).split())


def text_of_page(page: str) -> str:
    """A LinkedIn or Facebook post page's text: its <article>, else its description, else all
    of its visible text."""
    parser = _TextOf()
    parser.feed(page)
    parser.close()
    text = _squash(parser.article) or (parser.description or "").strip() or _squash(parser.all)
    return text[:MAX_TEXT]


def text_of_oembed(markup: str) -> str:
    """An X post's text from its oEmbed HTML: the blockquote's first paragraph."""
    parser = _TextOf()
    parser.feed(markup)
    parser.close()
    return (_squash(parser.paragraph) or _squash(parser.all))[:MAX_TEXT]


# -- comparing ------------------------------------------------------------------------------


def words(text: str, *, drop: tuple[str, ...] = ()) -> list[str]:
    """The words a comparison looks at: no links (the tracked one nor any other), no hashtags."""
    text = html.unescape(text)
    for piece in drop:
        if piece:
            text = text.replace(piece, " ")
    text = _HASHTAG.sub(" ", _URL.sub(" ", text))
    return [w.casefold() for w in _WORD.findall(text)]


def shingles(tokens: list[str], k: int = SHINGLE) -> set[tuple[str, ...]]:
    if len(tokens) < k:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + k]) for i in range(len(tokens) - k + 1)}


def jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True, slots=True)
class Judgement:
    own_words: bool
    closest: float  # the highest similarity found
    to: str  # what it was closest to: "the suggested text" or "a colleague's post"


def judge(
    text: str,
    suggestion: str | list[str],
    colleagues: list[str],
    *,
    threshold: float,
    drop: tuple[str, ...],
) -> Judgement:
    """Whether `text` is in its author's own words (see the module's docstring); `suggestion`:
    the suggested text, or each of them (one per language the challenge is written in)."""
    mine = shingles(words(text, drop=drop))
    if not mine:
        return Judgement(False, 1.0, "nothing but links and hashtags")
    suggestions = [suggestion] if isinstance(suggestion, str) else suggestion
    closest, to = 0.0, "the suggested text"
    for each in suggestions:
        closest = max(closest, jaccard(mine, shingles(words(each))))
    for other in colleagues:
        similarity = jaccard(mine, shingles(words(other)))
        if similarity > closest:
            closest, to = similarity, "a colleague's post"
    return Judgement(closest < threshold, closest, to)


def has_tag(text: str, tag: str) -> bool:
    bare = re.escape(tag.removeprefix("#"))
    return re.search(rf"(?<!\w)#{bare}(?!\w)", html.unescape(text), re.IGNORECASE) is not None


# -- deciding a post whose tracked link was found ----------------------------------------------

# What the verification's first statement (verification._CLAIM_WITH_LINK) adds to the claim
# for this module: the suggestion, the organization's tag and colleagues' recent texts.
CLAIM_COLUMNS = f"""
  c.title, c.share_text, c.translations, c.own_words_points,
  (SELECT o.disclosure_tag FROM organization o WHERE o.id = s.org) AS disclosure_tag,
  CASE WHEN c.kind = 'story' OR c.verification = 'auto' THEN ARRAY(
    SELECT t.post_text FROM submission t WHERE t.challenge = s.challenge
      AND t.status = 'verified' AND t.post_text IS NOT NULL AND t."user" <> s."user"
    ORDER BY t.decided_at DESC LIMIT {COMPARE_LIMIT}) END AS colleague_texts
"""  # noqa: S608 (constants)


async def decide_found_post(
    claim: Claim,
    row: dict[str, Any],
    text: str | None,
    evidence: list[dict[str, Any]],
    settings: Settings,
    *,
    tracked_url: str,
) -> str:
    """The post carries the tracked link: verify it (its own words judged, their points paid
    with the share's), or send it to review when the organization's disclosure tag is missing."""
    own: bool | None = None
    tag = row.get("disclosure_tag")
    if text is not None:
        verdict = judge(
            text,
            suggested_texts(row, claim.network),
            [t for t in row.get("colleague_texts") or [] if t],
            threshold=settings.own_words_max_similarity,
            drop=(tracked_url,),
        )
        own = verdict.own_words
        detail = (
            "The post is in their own words" if own else f"The post is close to {verdict.to}"
        ) + f" (similarity {verdict.closest:.2f}, limit {settings.own_words_max_similarity:.2f})."
        evidence.append(evidence_of("own_words", own, detail))
    if tag and not (text is not None and has_tag(text, tag)):
        evidence.append(
            evidence_of(
                "disclosure_missing",
                False,
                f"The post does not show the organization's disclosure tag {tag}.",
            )
        )
        return await decide(
            claim.id,
            "needs_review",
            0,
            evidence,
            f"The post does not show the disclosure tag {tag}; an admin will look at it.",
            post_text=text,
            own_words=own,
        )
    return await decide(claim.id, "verified", claim.points, evidence, post_text=text, own_words=own)


# -- keeping texts no longer than the organization says ------------------------------------------

_CLEAR_EXPIRED = """
WITH expired AS (
  SELECT s.id FROM submission s JOIN organization o ON o.id = s.org
  WHERE s.post_text IS NOT NULL
    AND s.post_text_at < now() - make_interval(days => o.post_text_retention_days)
  ORDER BY s.post_text_at LIMIT $1
)
UPDATE submission s SET post_text = NULL FROM expired WHERE s.id = expired.id RETURNING s.id
"""


async def clear_expired_post_texts(batch: int = 5000) -> int:
    """Clear the texts kept longer than their organization's retention; idempotent (a second
    run finds nothing). Whether a post was in its author's own words stays."""
    cleared = 0
    while True:
        rows = await fetch(_CLEAR_EXPIRED, batch)
        cleared += len(rows)
        if len(rows) < batch:
            return cleared
