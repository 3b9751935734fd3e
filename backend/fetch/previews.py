"""Link previews: the title, description and image a link card shows, read from the start of a
fetched HTML page. Parsing never fails: broken or hostile markup yields what was found so far.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from backend.fetch.urls import check_public_url

MAX_PREVIEW_INPUT = 512 * 1024
MAX_TITLE = 300
MAX_DESCRIPTION = 1000
_CHARSET_RE = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
# Preference order of the tags each field is read from (lowercased property/name values).
_TITLE_KEYS = ("og:title", "twitter:title")
_DESCRIPTION_KEYS = ("og:description", "twitter:description", "description")
_IMAGE_KEYS = (
    "og:image",
    "og:image:secure_url",
    "og:image:url",
    "twitter:image",
    "twitter:image:src",
)


@dataclass(frozen=True)
class Preview:
    """What a link card shows: each field is None when the page does not provide it."""

    title: str | None
    description: str | None
    image_url: str | None


class _PreviewParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive already unescaped
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.in_title = False
        self.title_done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = {name: value for name, value in attrs if value is not None}
            content = values.get("content")
            if content is None:
                return
            for attr in ("property", "name"):
                key = values.get(attr, "").strip().lower()
                if key:
                    self.meta.setdefault(key, content)  # the first occurrence wins
        elif tag == "title" and not self.title_done:
            self.in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.in_title:
            self.in_title = False
            self.title_done = True

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)


def _decode_html(html: bytes) -> str:
    """Decode with the BOM or the page's meta charset, else UTF-8, never failing."""
    if html.startswith(codecs.BOM_UTF8):
        return html[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    encoding = "utf-8"
    match = _CHARSET_RE.search(html[:4096])
    if match:
        label = match.group(1).decode("ascii", errors="replace").lower()
        try:
            name = codecs.lookup(label).name
        except LookupError:
            name = "utf-8"
        if name in ("latin-1", "iso8859-1", "ascii"):
            # As browsers do (WHATWG Encoding): these labels mean windows-1252.
            name = "cp1252"
        elif name.startswith(("utf-16", "utf-32")):
            # A page that could be read to find this declaration is ASCII-compatible.
            name = "utf-8"
        encoding = name
    return html.decode(encoding, errors="replace")


def _clean(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _first(meta: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = meta.get(key, "").strip()
        if value:
            return value
    return None


def parse_preview(html: bytes, base_url: str) -> Preview:
    """Extract a link preview (title, description, image) from the start of an HTML page.

    Open Graph tags win over Twitter card tags, which win over <title> and the description
    meta tag. Only the first 512 KiB are read; text is unescaped, whitespace-collapsed and
    capped (title 300, description 1000 characters); the image URL is made absolute against
    `base_url` and dropped unless it is a plain http(s) URL.
    """
    parser = _PreviewParser()
    text = _decode_html(html[:MAX_PREVIEW_INPUT])
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # noqa: S110
        # Hostile markup can still trip corners of html.parser; keep what it found so far.
        pass
    title = _first(parser.meta, _TITLE_KEYS)
    if title is None and parser.title_parts:
        title = "".join(parser.title_parts)
    image_url: str | None = None
    image = _first(parser.meta, _IMAGE_KEYS)
    if image is not None:
        try:
            image_url = check_public_url(urljoin(base_url, image))
        except ValueError:
            image_url = None
    return Preview(
        title=_clean(title, MAX_TITLE),
        description=_clean(_first(parser.meta, _DESCRIPTION_KEYS), MAX_DESCRIPTION),
        image_url=image_url,
    )
