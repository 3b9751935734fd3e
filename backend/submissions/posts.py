"""Recognising a post's public URL on its network, and the key that identifies the post.

The key is what makes "one claim per post" hold whatever form of the URL people paste:
the same tweet under x.com or twitter.com, with or without tracking parameters, is one post.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from backend.core.i18n import msg
from backend.fetch.urls import check_public_url

_LINKEDIN_HOSTS = re.compile(r"^(?:[a-z]{2,3}\.|www\.)?linkedin\.com$")
_LINKEDIN_POST = re.compile(r"^/posts/[A-Za-z0-9_%\-.~]+-(?:activity|ugcPost|share)-(\d+)")
_LINKEDIN_POST_LOOSE = re.compile(r"^/posts/([A-Za-z0-9_%\-.~]+)/?$")
_LINKEDIN_UPDATE = re.compile(r"^/feed/update/urn:li:(?:activity|share|ugcPost):(\d+)/?$")
_X_HOSTS = {
    "x.com",
    "twitter.com",
    "mobile.twitter.com",
    "mobile.x.com",
    "www.x.com",
    "www.twitter.com",
}
_X_STATUS = re.compile(r"^/(?:[A-Za-z0-9_]{1,15}|i/web)/status(?:es)?/(\d{1,20})/?$")
_FB_HOSTS = {"facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com"}
_FB_POST = re.compile(r"^/([A-Za-z0-9.\-_]+)/posts/([A-Za-z0-9_\-]+)/?$")
_FB_SHARE = re.compile(r"^/share/p/([A-Za-z0-9_\-]+)/?$")

NETWORKS_WITH_POSTS = frozenset({"linkedin", "x", "facebook"})

EXAMPLES: dict[str, tuple[str, ...]] = {
    "linkedin": (
        "https://www.linkedin.com/posts/<name>_<words>-activity-<id>-<x>",
        "https://www.linkedin.com/feed/update/urn:li:activity:<id>",
    ),
    "x": ("https://x.com/<handle>/status/<id>",),
    "facebook": (
        "https://www.facebook.com/<name>/posts/<id>",
        "https://www.facebook.com/permalink.php?story_fbid=<id>&id=<id>",
    ),
}


NETWORK_NAMES = {"linkedin": "LinkedIn", "x": "X", "facebook": "Facebook"}


class NotAPost(ValueError):
    """The URL is not a post on the named network; the message (`args[0]`, a sentence for
    people, `msg(...)` or the URL check's own) says what would be."""


def post_key(network: str, url: str) -> str:
    """The post's identity on its network, e.g. `x:1790000000000000000`; NotAPost otherwise."""
    try:
        url = check_public_url(url)
    except ValueError as exc:
        raise NotAPost(exc.args[0] if exc.args else str(exc)) from exc
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path
    if network == "linkedin" and _LINKEDIN_HOSTS.match(host):
        if match := _LINKEDIN_POST.match(path) or _LINKEDIN_UPDATE.match(path):
            return f"linkedin:activity:{match.group(1)}"
        if match := _LINKEDIN_POST_LOOSE.match(path):
            return f"linkedin:post:{match.group(1).lower()}"
    elif network == "x" and host in _X_HOSTS:
        if match := _X_STATUS.match(path):
            return f"x:{match.group(1)}"
    elif network == "facebook" and host in _FB_HOSTS:
        if match := _FB_POST.match(path):
            return f"facebook:{match.group(1).lower()}/{match.group(2)}"
        if match := _FB_SHARE.match(path):
            return f"facebook:share/{match.group(1)}"
        if path.rstrip("/") == "/permalink.php":
            query = parse_qs(parts.query)
            story, owner = query.get("story_fbid", [""])[0], query.get("id", [""])[0]
            if story.isalnum() and owner.isdigit():
                return f"facebook:{owner}/{story}"
    examples = EXAMPLES.get(network, ())
    where = NETWORK_NAMES.get(network, network)
    if len(examples) >= 2:
        raise NotAPost(
            msg(
                "Paste the link to your post on {network}, like {example} or {other} "
                "(a company page or profile link is not a post).",
                network=where,
                example=examples[0],
                other=examples[1],
            )
        )
    if examples:
        raise NotAPost(
            msg(
                "Paste the link to your post on {network}, like {example} "
                "(a company page or profile link is not a post).",
                network=where,
                example=examples[0],
            )
        )
    raise NotAPost(
        msg(
            "Paste the link to your post on {network} "
            "(a company page or profile link is not a post).",
            network=where,
        )
    )
