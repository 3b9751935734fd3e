r"""Validation errors in plain language, next to the field that caused them.

msgspec (through Litestar) says `Expected \`str\` of length <= 280` at `$.shareText.x`; a
person needs "Keep the X text to 280 characters or fewer (it has 312)." This module turns each
of msgspec's messages into such a sentence and its JSON path into the camelCase field path a
form knows (`shareText.x`, `hashtags[0]`), for the `errors` member of problem details.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from backend.core.fields import label
from backend.core.i18n import Message, Text, msg, msg_n

_TYPE_WORDS: dict[str, Text] = {
    "str": msg("text"),
    "int": msg("a whole number"),
    "float": msg("a number"),
    "bool": msg("true or false"),
    "array": msg("a list"),
    "object": msg("a group of fields"),
    "null": msg("nothing"),
    "uuid": msg("an id"),
    "datetime": msg("a date and time"),
}

_AT = re.compile(r"\s+-\s+at\s+`\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"Object missing required field `(?P<name>[^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<name>[^`]+)`")
_LENGTH = re.compile(r"Expected `(?P<type>\w+)` of length (?P<op>[<>]=) (?P<n>\d+)")
_RANGE = re.compile(r"Expected `(?P<type>\w+)` (?P<op>[<>]=?) (?P<n>-?[\d.]+)")
_TYPE = re.compile(r"Expected `(?P<want>[^`]+)`, got `(?P<got>[^`]+)`")
_ENUM = re.compile(r"Invalid enum value (?P<value>.+)$")
_REGEX = re.compile(r"Expected `str` matching regex")


class _Sentence(Message):
    """A message that opens with a field's label ("the title is required."): its first letter
    is made a capital once it is rendered, in any language."""

    __slots__ = ()

    def render(self, language: str | None = None) -> str:
        text = super().render(language)
        return text[:1].upper() + text[1:]


def _sentence(message: Message) -> Message:
    return _Sentence(message.template, message.values, message.plural, message.count)


def _value_at(body: Any, field: str) -> Any:
    """The value a field path names in a decoded body (None when it is not there)."""
    node = body
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", field):
        if part.startswith("["):
            index = int(part[1:-1])
            node = node[index] if isinstance(node, list) and index < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _kinds(want: str) -> Text:
    """msgspec's `str | null` as words: "text or nothing"."""
    words = [_TYPE_WORDS.get(t.strip("` "), t.strip("` ")) for t in want.split("|")]
    joined = words[0]
    for word in words[1:]:
        joined = msg("{first} or {second}", first=joined, second=word)
    return joined


def _length(kind: str, op: str, n: int, what: Text, has: int | None) -> Message:
    """A length limit of text (characters) or of a list (entries) broken."""
    if kind == "str":
        if op == "<=":
            if has is None:
                return msg_n(
                    "Keep {field} to {n} characters or fewer.",
                    "Keep {field} to {n} characters or fewer.",
                    n,
                    field=what,
                    n=n,
                )
            return msg_n(
                "Keep {field} to {n} characters or fewer (it has {has}).",
                "Keep {field} to {n} characters or fewer (it has {has}).",
                n,
                field=what,
                n=n,
                has=has,
            )
        if n <= 1:
            return _sentence(msg("{field} cannot be empty.", field=what))
        if has is None:
            return msg_n(
                "Write at least {n} characters for {field}.",
                "Write at least {n} characters for {field}.",
                n,
                field=what,
                n=n,
            )
        return msg_n(
            "Write at least {n} characters for {field} (it has {has}).",
            "Write at least {n} characters for {field} (it has {has}).",
            n,
            field=what,
            n=n,
            has=has,
        )
    if op == "<=":
        if has is None:
            return msg_n(
                "Choose at most {n} for {field}.",
                "Choose at most {n} for {field}.",
                n,
                field=what,
                n=n,
            )
        return msg_n(
            "Choose at most {n} for {field} (it has {has}).",
            "Choose at most {n} for {field} (it has {has}).",
            n,
            field=what,
            n=n,
            has=has,
        )
    return msg_n(
        "Choose at least {n} for {field}.", "Choose at least {n} for {field}.", n, field=what, n=n
    )


def _range(op: str, bound: str, what: Text) -> Message:
    if op == ">=":
        return _sentence(msg("{field} must be at least {bound}.", field=what, bound=bound))
    if op == ">":
        return _sentence(msg("{field} must be more than {bound}.", field=what, bound=bound))
    if op == "<=":
        return _sentence(msg("{field} must be at most {bound}.", field=what, bound=bound))
    return _sentence(msg("{field} must be less than {bound}.", field=what, bound=bound))


def explain(message: str, path: str, body: Any = None) -> tuple[str | None, Text]:
    """(field path or None for the body as a whole, a plain sentence) for one msgspec error."""
    found = _AT.search(message)
    if found:
        path, message = found["path"], message[: found.start()]
    path = path.lstrip(".")
    if m := _MISSING.search(message):
        named = _join(path, m["name"])
        return named, _sentence(msg("{field} is required.", field=label(named)))
    if m := _UNKNOWN.search(message):
        return _join(path, m["name"]), msg(
            "Chorus does not know the field “{name}”; leave it out.", name=m["name"]
        )
    field = path or None
    what: Text = label(field) if field else msg("the request")
    if m := _LENGTH.search(message):
        value = _value_at(body, field) if field else None
        has = len(value) if isinstance(value, str | list) else None
        return field, _length(m["type"], m["op"], int(m["n"]), what, has)
    if m := _RANGE.search(message):
        return field, _range(m["op"], m["n"], what)
    if _REGEX.search(message):
        bare = re.sub(r"\[\d+\]", "", field or "")
        if bare == "hashtags":
            return field, msg(
                "A hashtag is one word of letters, digits or _ (up to 50), like #launch."
            )
        if bare.endswith("email"):
            return field, msg("Enter an email address like name@example.com.")
        return field, _sentence(msg("{field} is not in the expected form.", field=what))
    if m := _ENUM.search(message):
        return field, msg(
            "{value} is not one of the choices for {field}.", value=m["value"], field=what
        )
    if "Invalid UUID" in message:
        return field, _sentence(msg("{field} is not a valid id.", field=what))
    if "Invalid RFC3339" in message or ("datetime" in message and "Invalid" in message):
        return field, _sentence(
            msg("{field} must be a date and time like 2026-12-31T17:00:00Z.", field=what)
        )
    if "timezone" in message and "datetime" in message:
        return field, _sentence(
            msg("{field} needs its time zone (Z or an offset like +01:00).", field=what)
        )
    if m := _TYPE.search(message):
        kinds = _kinds(m["want"])
        if field is None:
            return None, msg("The request body must be {kinds}.", kinds=kinds)
        return field, _sentence(msg("{field} must be {kinds}.", field=what, kinds=kinds))
    return field, _sentence(msg("{field} is not valid.", field=what))


def from_litestar(extra: Any, body: Any = None) -> list[dict[str, Any]]:
    """Litestar's `extra` of a validation error (message, key, source) as {field, message}."""
    errors: list[dict[str, Any]] = []
    for item in extra if isinstance(extra, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", ""))
        key = str(item.get("key") or "")
        # Litestar cuts a message without a path at its last backtick and calls that the key
        path = "" if (" " in key or "`" in key) else key
        field, sentence = explain(message, path, body)
        error: dict[str, Any] = {"message": sentence}
        if field:
            error = {"field": field, "message": sentence}
        errors.append(error)
    return errors


def decoded(raw: bytes | None) -> Any:
    """The JSON a request sent, to quote lengths from; None when it is not JSON."""
    if not raw or len(raw) > 1_000_000:
        return None
    try:
        return msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        return None
