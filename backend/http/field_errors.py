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

_TYPE_WORDS = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "array": "a list",
    "object": "a group of fields",
    "null": "nothing",
    "uuid": "an id",
    "datetime": "a date and time",
}

_AT = re.compile(r"\s+-\s+at\s+`\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"Object missing required field `(?P<name>[^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<name>[^`]+)`")
_LENGTH = re.compile(r"Expected `(?P<type>\w+)` of length (?P<op>[<>]=) (?P<n>\d+)")
_RANGE = re.compile(r"Expected `(?P<type>\w+)` (?P<op>[<>]=?) (?P<n>-?[\d.]+)")
_TYPE = re.compile(r"Expected `(?P<want>[^`]+)`, got `(?P<got>[^`]+)`")
_ENUM = re.compile(r"Invalid enum value (?P<value>.+)$")
_REGEX = re.compile(r"Expected `str` matching regex")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


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


def explain(message: str, path: str, body: Any = None) -> tuple[str | None, str]:
    """(field path or None for the body as a whole, a plain sentence) for one msgspec error."""
    found = _AT.search(message)
    if found:
        path, message = found["path"], message[: found.start()]
    path = path.lstrip(".")
    if m := _MISSING.search(message):
        named = _join(path, m["name"])
        return named, _sentence(f"{label(named)} is required.")
    if m := _UNKNOWN.search(message):
        return _join(
            path, m["name"]
        ), f"Chorus does not know the field “{m['name']}”; leave it out."
    field = path or None
    what = label(field) if field else "the request"
    if m := _LENGTH.search(message):
        n, kind = int(m["n"]), m["type"]
        value = _value_at(body, field) if field else None
        has = f" (it has {len(value)})" if isinstance(value, str | list) else ""
        if kind == "str":
            if m["op"] == "<=":
                return field, f"Keep {what} to {n} characters or fewer{has}."
            if n <= 1:
                return field, _sentence(f"{what} cannot be empty.")
            return field, f"Write at least {n} characters for {what}{has}."
        if m["op"] == "<=":
            return field, f"Choose at most {n} for {what}{has}."
        return field, f"Choose at least {n} for {what}."
    if m := _RANGE.search(message):
        bound_value, op = m["n"], m["op"]
        if op.startswith(">"):
            bound = "at least" if op == ">=" else "more than"
        else:
            bound = "at most" if op == "<=" else "less than"
        return field, _sentence(f"{what} must be {bound} {bound_value}.")
    if _REGEX.search(message):
        bare = re.sub(r"\[\d+\]", "", field or "")
        if bare == "hashtags":
            return field, "A hashtag is one word of letters, digits or _ (up to 50), like #launch."
        if bare.endswith("email"):
            return field, "Enter an email address like name@example.com."
        return field, _sentence(f"{what} is not in the expected form.")
    if m := _ENUM.search(message):
        return field, f"{m['value']} is not one of the choices for {what}."
    if "Invalid UUID" in message:
        return field, _sentence(f"{what} is not a valid id.")
    if "Invalid RFC3339" in message or ("datetime" in message and "Invalid" in message):
        return field, _sentence(f"{what} must be a date and time like 2026-12-31T17:00:00Z.")
    if "timezone" in message and "datetime" in message:
        return field, _sentence(f"{what} needs its time zone (Z or an offset like +01:00).")
    if m := _TYPE.search(message):
        want = " or ".join(
            _TYPE_WORDS.get(t.strip("` "), t.strip("` ")) for t in m["want"].split("|")
        )
        if field is None:
            return None, f"The request body must be {want}."
        return field, _sentence(f"{what} must be {want}.")
    return field, _sentence(f"{what} is not valid.")


def from_litestar(extra: Any, body: Any = None) -> list[dict[str, str]]:
    """Litestar's `extra` of a validation error (message, key, source) as {field, message}."""
    errors: list[dict[str, str]] = []
    for item in extra if isinstance(extra, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", ""))
        key = str(item.get("key") or "")
        # Litestar cuts a message without a path at its last backtick and calls that the key
        path = "" if (" " in key or "`" in key) else key
        field, sentence = explain(message, path, body)
        error = {"message": sentence}
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
