"""The public story page, `/stories/<slug>`: readable without signing in, with Open Graph tags
so networks show a good preview. Only published stories whose author keeps them up exist."""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

from backend.community.stories import public_photo, public_story, public_url
from backend.core.i18n import ENGLISH, msg, negotiate

STYLE = (
    "body{margin:0;font:17px/1.6 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#1b1b2f;background:#f7f7fb}main{max-width:680px;margin:0 auto;padding:24px}"
    "img{max-width:100%;border-radius:16px}h1{font-size:1.8rem;line-height:1.25;margin:16px 0 8px}"
    ".by{color:#55566b}.body{white-space:pre-wrap;overflow-wrap:anywhere}"
    "footer{margin-top:32px;color:#55566b;font-size:.9rem}"
    "@media(prefers-color-scheme:dark){body{color:#ececf4;background:#12121c}.by,footer{color:#b4b4c8}}"
)
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; img-src 'self'; style-src 'sha256-{STYLE_HASH}'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def excerpt(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def story_page(story: dict[str, Any], base_url: str, language: str = ENGLISH) -> str:
    """The page, every piece of people's text escaped; its own words in `language`."""
    url = public_url(base_url, story["slug"])
    title = escape(story["title"])
    author = escape(story["display_name"])
    org = escape(story["org_name"])
    description = escape(excerpt(story["body"]))
    image = f"{url}/photo.jpg" if story["photo"] else None
    meta = [
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{title}">',
        f'<meta property="og:description" content="{description}">',
        f'<meta property="og:url" content="{escape(url)}">',
        f'<meta property="og:site_name" content="{org}">',
        f'<meta name="twitter:card" content="{"summary_large_image" if image else "summary"}">',
        f'<meta name="description" content="{description}">',
        f'<link rel="canonical" href="{escape(url)}">',
    ]
    if image:
        meta.append(f'<meta property="og:image" content="{escape(image)}">')
    published = story["published_at"].date().isoformat() if story["published_at"] else ""
    photo = f'<img src="{escape(image)}" alt="">' if image else ""
    footer = msg("Shared with Chorus by a member of {org}.", org=story["org_name"])
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} — {author}</title>{''.join(meta)}<style>{STYLE}</style></head>"
        f"<body><main><article>{photo}<h1>{title}</h1>"
        f'<p class="by">{author} · {org} · <time datetime="{published}">{published}</time></p>'
        f'<div class="body">{escape(story["body"])}</div></article>'
        f"<footer>{escape(footer.render(language))}</footer></main></body></html>"
    )


def not_found_page(language: str = ENGLISH) -> str:
    """The page of a story that is not there (taken down, never was, a mangled link)."""
    title = escape(msg("Story not found").render(language))
    heading = escape(msg("This story is not here").render(language))
    why = escape(msg("Its author may have taken it down.").render(language))
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{STYLE}</style></head><body><main>"
        f"<h1>{heading}</h1><p>{why}</p></main></body></html>"
    )


NOT_FOUND = not_found_page()


def page_language(scope: Any) -> str:
    """The reader's language from the request's Accept-Language (no session here), else
    English."""
    for name, value in scope.get("headers") or ():
        if name.lower() == b"accept-language":
            return negotiate(value.decode("latin-1")) or ENGLISH
    return ENGLISH


# Every /stories/... link is a page for whoever opened it from a post: a mangled one gets the
# same "not here" page as a story taken down, never an API problem document.
_PAGE = re.compile(r"^/stories/([^/]*)(/photo\.jpg)?/?$")
_SLUG = re.compile(r"^[a-z0-9-]{1,80}$")


def story_pages_middleware(app: ASGIApp, base_url: str) -> ASGIApp:
    """`/stories/<slug>` and its photo, answered before routing (no session, no framework):
    public pages anyone may open from a post."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        http: Any = scope
        found = _PAGE.match(http["path"]) if http["type"] == "http" else None
        if found is None or http["method"] not in ("GET", "HEAD"):
            await app(scope, receive, send)
            return
        slug, photo = found.group(1), found.group(2)
        language = page_language(http)
        missing = not_found_page(language).encode()
        if not _SLUG.match(slug):
            status, kind, body = 404, b"text/html; charset=utf-8", missing
        elif photo:
            data = await public_photo(slug)
            status, kind, body = (
                (200, b"image/jpeg", data) if data else (404, b"text/html; charset=utf-8", missing)
            )
        else:
            story = await public_story(slug)
            status, kind = (200 if story else 404), b"text/html; charset=utf-8"
            body = story_page(story, base_url, language).encode() if story else missing
        headers = [
            (b"content-type", kind),
            (b"cache-control", b"no-cache"),  # taken down means gone, at once
            (b"vary", b"accept-language"),  # the page's own words are in the reader's language
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        start: Any = {"type": "http.response.start", "status": status, "headers": headers}
        await send(start)
        end: Any = {"type": "http.response.body", "body": b"" if http["method"] == "HEAD" else body}
        await send(end)

    return middleware
