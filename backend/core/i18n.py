"""The server's own words in the reader's language: problem details, notifications, emails, the
public story page.

Code writes English with named placeholders, `msg("Keep it to {n} characters.", n=280)`, and
hands the `Message` on unrendered; whoever knows the reader renders it (`render(m, "de")`): the
problem-details mapping with the request's language, `notify` with the recipient's. Gettext
catalogs (`backend/locales/<language>/LC_MESSAGES/<domain>.po`, read with Babel) hold the
translations; `python -m backend.i18n_check` (in `make lint`) keeps them complete.

Which language: the person's choice, else the request's `Accept-Language`, else the
organization's default, else English (`pick`).
"""

from __future__ import annotations

import functools
import re
import string
from pathlib import Path
from typing import Any

from babel.core import Locale
from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "pt-BR")
ENGLISH = "en"
LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"

_FORMATTER = string.Formatter()


class Message:
    """English text with named placeholders, rendered in a language when it is read. Values
    may be Messages themselves (a field's label inside a sentence)."""

    __slots__ = ("context", "count", "plural", "template", "values")

    def __init__(
        self,
        template: str,
        values: dict[str, Any],
        plural: str | None = None,
        count: int | None = None,
        context: str | None = None,
    ) -> None:
        self.context = context
        self.template = template
        self.values = values
        self.plural = plural
        self.count = count

    def render(self, language: str | None = None) -> str:
        language = language if language in LANGUAGES else ENGLISH
        values = {k: render(v, language) for k, v in self.values.items()}
        key = f"{self.context}\x04{self.template}" if self.context else self.template
        found = _catalog(language).get(key)
        if self.plural is None:
            text = found if isinstance(found, str) and found else self.template
        else:
            text = _plural_form(language, found, self.template, self.plural, self.count or 0)
        return text.format(**values)

    def __str__(self) -> str:
        return self.render(ENGLISH)

    def __repr__(self) -> str:
        return f"msg({self.template!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str(self) == other
        if isinstance(other, Message):
            return (self.template, self.values, self.plural, self.count) == (
                other.template,
                other.values,
                other.plural,
                other.count,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __add__(self, other: str) -> str:  # "detail" + " (more)": English, as before
        return str(self) + other

    def __contains__(self, part: str) -> bool:
        return part in str(self)


def msg(template: str, /, **values: Any) -> Message:
    """A sentence for people, translated where it is read. `template` is the English and the
    catalogs' msgid: a literal, never built at run time (the extractor reads it)."""
    return Message(template, values)


def msg_c(context: str, template: str, /, **values: Any) -> Message:
    """`msg` for an English text that other languages say differently in one place: the same
    words as a field's label and as the object of a sentence (gettext's msgctxt)."""
    return Message(template, values, context=context)


def msg_n(singular: str, plural: str, n: int, /, **values: Any) -> Message:
    """A sentence whose form follows a count: `msg_n("{n} point", "{n} points", n, n=n)`."""
    return Message(singular, values, plural=plural, count=n)


class Known(Message):
    """Text stored as written in English that may be one of the catalogs' messages (the reason
    a verification recorded on a share): in the reader's language when it is one, else as
    stored. Never formatted: the stored text is final (a person's own note stays as written)."""

    __slots__ = ()

    def __init__(self, text: str) -> None:
        super().__init__(text, {})

    def render(self, language: str | None = None) -> str:
        found = _catalog(language if language in LANGUAGES else ENGLISH).get(self.template)
        return found if isinstance(found, str) and found else self.template


def known(text: str | None, language: str | None) -> str | None:
    """`Known(text)` in `language` (None stays None)."""
    return None if text is None else Known(text).render(language)


Text = str | Message


def render(value: Any, language: str | None = None) -> Any:
    """A Message in `language` (English when it is not one Chorus speaks); anything else as is."""
    return value.render(language) if isinstance(value, Message) else value


def placeholders(template: str) -> set[str]:
    """The names a template fills: "{n} of {total}" → {"n", "total"}."""
    return {name for _, name, _, _ in _FORMATTER.parse(template) if name}


# -- choosing the language ---------------------------------------------------------------------


def match(tag: str | None) -> str | None:
    """A language Chorus speaks for a BCP 47 tag: "de-AT" → "de", "pt" or "pt-PT" → "pt-BR"."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-")
    for known in LANGUAGES:
        if tag.lower() == known.lower():
            return known
    base = tag.split("-")[0].lower()
    if base == "pt":
        return "pt-BR"
    return base if base in LANGUAGES else None


_ACCEPT = re.compile(r"\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?")


def negotiate(accept_language: str | None) -> str | None:
    """The best language of an Accept-Language header Chorus speaks (q-values honoured)."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language[:500].split(",")):
        found = _ACCEPT.fullmatch(part)
        if not found or found[1] == "*":
            continue
        try:
            q = float(found[2]) if found[2] else 1.0
        except ValueError:
            continue
        language = match(found[1])
        if language and q > 0:
            ranked.append((-q, index, language))
    return min(ranked)[2] if ranked else None


def pick(
    person: str | None, accept_language: str | None = None, organization: str | None = None
) -> str:
    """The person's language, else the request's, else the organization's, else English."""
    return match(person) or negotiate(accept_language) or match(organization) or ENGLISH


# -- the catalogs ------------------------------------------------------------------------------


@functools.cache
def _catalog(language: str) -> dict[str, str | tuple[str, ...]]:
    """Every domain's translations of one language: msgid → msgstr (a tuple for plurals)."""
    if language == ENGLISH:
        return {}
    found: dict[str, str | tuple[str, ...]] = {}
    for path in sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as f:
            catalog = read_po(f, locale=language.replace("-", "_"))
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            key = str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
            if message.context:
                key = f"{message.context}\x04{key}"
            text = message.string
            found[key] = tuple(text) if isinstance(text, list | tuple) else str(text or "")
    return found


@functools.cache
def _plural_rule(language: str) -> Any:
    return Locale.parse(language.replace("-", "_")).plural_form


_GETTEXT_FORMS = {
    # the order of a language's forms in its .po file (gettext's Plural-Forms)
    "en": ("one", "other"),
    "de": ("one", "other"),
    "es": ("one", "many", "other"),
    "fr": ("one", "many", "other"),
    "pt-BR": ("one", "many", "other"),
}


def _plural_form(language: str, found: Any, singular: str, plural: str, count: int) -> str:
    category = _plural_rule(language)(count)
    if isinstance(found, tuple) and all(found):
        forms = _GETTEXT_FORMS.get(language, ("one", "other"))
        if category in forms and forms.index(category) < len(found):
            return str(found[forms.index(category)])
        return str(found[-1])
    return singular if count == 1 else plural
