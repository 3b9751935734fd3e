"""Evidence that a share happened: the public post itself, read through each network's adapter.

LinkedIn and Facebook posts are read as HTML pages, X posts through X's public oEmbed endpoint.
Every network's base URL is a setting, so tests point them at local servers that behave like
the real ones. All reads go through the SSRF-guarded fetcher.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from urllib.parse import quote, urlsplit, urlunsplit

from backend.fetch.client import SafeFetcher
from backend.fetch.results import FetchError
from backend.settings import Settings
from backend.submissions.own_words import text_of_oembed, text_of_page


@dataclass(frozen=True, slots=True)
class PostCheck:
    """What reading the post showed.

    outcome: "link_found" (our tracked link or code is in the post), "hashtag_found",
    "no_link" (the post is there, without our link), "not_found" (404/410), "blocked",
    "unreadable" (anything else), "transient" (try again later).
    """

    outcome: str
    detail: str
    retry_after: float | None = None
    text: str | None = None  # the post's own text, when it was read


def _rebase(post_url: str, base_url: str) -> str:
    """The same path and query on the configured base (the network, or a local fake of it)."""
    post, base = urlsplit(post_url), urlsplit(base_url)
    path = base.path.rstrip("/") + post.path
    return urlunsplit((base.scheme, base.netloc, path, post.query, ""))


def _look_for(text: str, code: str, hashtags: list[str]) -> PostCheck:
    if f"/s/{code}" in text or code in text:
        return PostCheck("link_found", "The post contains the tracked link.")
    lowered = text.lower()
    found = [tag for tag in hashtags if f"#{tag.lower()}" in lowered]
    if found:
        return PostCheck(
            "hashtag_found",
            f"The post has the hashtag(s) {', '.join('#' + t for t in found)} "
            "but not the tracked link.",
        )
    return PostCheck("no_link", "The post is public but shows neither the link nor a hashtag.")


def _from_error(exc: FetchError) -> PostCheck:
    if exc.kind == "http_status" and exc.status in (404, 410):
        return PostCheck("not_found", f"The post was not found (HTTP {exc.status}).")
    if exc.transient:
        return PostCheck("transient", f"The network did not answer ({exc})", exc.retry_after)
    if exc.kind in ("blocked", "invalid_url"):
        return PostCheck("blocked", f"The post URL leads somewhere Chorus does not go ({exc}).")
    return PostCheck("unreadable", f"The post could not be read ({exc}).")


async def check_post(
    fetcher: SafeFetcher,
    settings: Settings,
    *,
    network: str,
    post_url: str,
    code: str,
    hashtags: list[str],
) -> PostCheck:
    try:
        if network == "x":
            endpoint = f"{settings.x_oembed_url}?url={quote(post_url, safe='')}&omit_script=1"
            result = await fetcher.get(endpoint, headers={"Accept": "application/json"})
            try:
                payload = json.loads(result.body)
                text = str(payload.get("html", "")) + " " + str(payload.get("url", ""))
                post_text = text_of_oembed(str(payload.get("html", "")))
            except (ValueError, AttributeError):
                return PostCheck("unreadable", "X's oEmbed answer was not the JSON it should be.")
        else:
            base = (
                settings.linkedin_base_url if network == "linkedin" else settings.facebook_base_url
            )
            result = await fetcher.get(
                _rebase(post_url, base), headers={"Accept": "text/html,*/*;q=0.5"}
            )
            text = result.body.decode("utf-8", errors="replace")
            post_text = text_of_page(text)
    except FetchError as exc:
        return _from_error(exc)
    return replace(_look_for(text, code, hashtags), text=post_text)
