"""SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's representation, and SCIM errors.

A PATCH is read as: the resource as Chorus shows it, the operations applied in order, the
result validated like a PUT body and saved like one. So a PATCH can never leave a resource that a
PUT could not have made, and both share one path into the database.

Paths understood: `attr`, `attr.sub`, `attr[sub eq "v"]`, `attr[sub eq "v"].sub`, each
optionally prefixed by the resource's core schema URN; an operation without a path carries an
object of attributes (whose keys may themselves be paths, as Entra ID sends them). Filters in
paths take `eq` only; anything else is 400 invalidPath or invalidFilter.
"""

from __future__ import annotations

import re
from typing import Any

from backend.core.errors import DomainError
from backend.scim.schemas import canonical, canonical_name, canonical_sub_name


class ScimError(DomainError):
    """An error SCIM clients understand: an HTTP status and, for 400 and 409, a scimType."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.scim_type = scim_type


def invalid_value(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


_PATH = re.compile(
    r"""^(?P<attr>[A-Za-z$][\w$-]*)
        (?:\[\s*(?P<fattr>[A-Za-z$][\w$-]*)\s+(?P<fop>[A-Za-z]+)\s+(?P<fval>"(?:[^"\\]|\\.)*"|true|false|null|-?\d+(?:\.\d+)?)\s*\])?
        (?:\.(?P<sub>[A-Za-z$][\w$-]*))?$""",
    re.VERBOSE,
)


class Path:
    """A parsed PATCH path: attribute, optional `[sub eq value]` filter, optional sub-attribute."""

    def __init__(self, attr: str, sub: str | None, filter_attr: str | None, filter_value: Any):
        self.attr = attr
        self.sub = sub
        self.filter_attr = filter_attr
        self.filter_value = filter_value

    def matches(self, item: Any) -> bool:
        if not isinstance(item, dict) or self.filter_attr is None:
            return False
        value = item.get(self.filter_attr)
        if isinstance(value, str) and isinstance(self.filter_value, str):
            return value.lower() == self.filter_value.lower()
        return bool(value == self.filter_value)


def parse_path(
    raw: str, schema_urn: str, known: dict[str, list[str] | None], extensions: frozenset[str]
) -> Path | None:
    """The path, or None when it names an attribute or extension Chorus accepts and ignores."""
    text = raw.strip()
    if text.lower().startswith("urn:"):
        if text.lower().startswith(schema_urn.lower() + ":"):
            text = text[len(schema_urn) + 1 :]
        elif any(text.lower().startswith(urn.lower()) for urn in extensions):
            return None
        else:
            raise ScimError(400, f"The path {raw!r} names an unknown schema.", "invalidPath")
    match = _PATH.match(text)
    if match is None:
        raise ScimError(400, f"The path {raw!r} is not one this server understands.", "invalidPath")
    attr = canonical_name(match["attr"], known)
    if attr not in known:
        return None  # an attribute Chorus does not keep (a title, a phone number): ignored
    filter_attr = filter_value = None
    if match["fattr"] is not None:
        if match["fop"].lower() != "eq":
            raise ScimError(400, "Filters in paths take `eq` only.", "invalidFilter")
        if not known[attr]:
            raise ScimError(400, f"{attr} has no values to filter.", "invalidPath")
        filter_attr = canonical_sub_name(attr, match["fattr"], known)
        filter_value = _literal(match["fval"])
    sub = canonical_sub_name(attr, match["sub"], known) if match["sub"] else None
    return Path(attr, sub, filter_attr, filter_value)


def _literal(text: str) -> Any:
    if text.startswith('"'):
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    return float(text) if "." in text else int(text)


READ_ONLY = frozenset({"id", "meta", "groups", "schemas"})


def apply_patch(
    resource: dict[str, Any],
    operations: list[tuple[str, str | None, Any]],
    *,
    schema_urn: str,
    known: dict[str, list[str] | None],
    multi_valued: frozenset[str],
    extensions: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """`resource` with the operations (op, path, value) applied, in order."""
    doc = dict(resource)
    for raw_op, raw_path, value in operations:
        op = raw_op.lower()
        if op not in ("add", "replace", "remove"):
            raise invalid_value(f"Unknown PATCH op {raw_op!r}: use add, replace or remove.")
        if raw_path is None:
            if op == "remove":
                raise ScimError(400, "A remove operation needs a path.", "noTarget")
            if not isinstance(value, dict):
                raise invalid_value("An operation without a path takes an object of attributes.")
            for key, item in canonical(value, known).items():
                if key.lower() == schema_urn.lower() and isinstance(item, dict):
                    for inner, inner_value in canonical(item, known).items():
                        if inner in known and inner not in READ_ONLY:
                            _apply(
                                doc, op, Path(inner, None, None, None), inner_value, multi_valued
                            )
                    continue
                path = parse_path(key, schema_urn, known, extensions)
                if path is not None and path.attr not in READ_ONLY:
                    _apply(doc, op, path, item, multi_valued)
            continue
        path = parse_path(raw_path, schema_urn, known, extensions)
        if path is not None:
            _apply(doc, op, path, value, multi_valued)
    return doc


def _apply(doc: dict[str, Any], op: str, path: Path, value: Any, multi: frozenset[str]) -> None:
    if path.attr in READ_ONLY:
        raise ScimError(400, f"{path.attr} cannot be changed.", "mutability")
    if path.filter_attr is not None:
        _apply_filtered(doc, op, path, value)
        return
    if path.sub is not None:
        if path.attr in multi:
            raise ScimError(400, f"Name one value of {path.attr} with a filter.", "invalidPath")
        current = doc.get(path.attr)
        complex_value = dict(current) if isinstance(current, dict) else {}
        if op == "remove":
            complex_value.pop(path.sub, None)
        else:
            complex_value[path.sub] = value
        doc[path.attr] = complex_value or None
        return
    if op == "remove":
        if path.attr in multi and value is not None:
            # remove these values (Entra ID: members with a value list)
            drop = value if isinstance(value, list) else [value]
            keys = {item.get("value") for item in drop if isinstance(item, dict)}
            doc[path.attr] = [
                item
                for item in doc.get(path.attr) or []
                if not (isinstance(item, dict) and item.get("value") in keys)
            ]
        else:
            doc.pop(path.attr, None)
        return
    if op == "add" and path.attr in multi:
        added = value if isinstance(value, list) else [value]
        current_items = list(doc.get(path.attr) or [])
        for item in added:
            if item not in current_items:
                current_items.append(item)
        doc[path.attr] = current_items
        return
    if op == "add" and isinstance(value, dict) and isinstance(doc.get(path.attr), dict):
        doc[path.attr] = {**doc[path.attr], **value}
        return
    doc[path.attr] = value


def _apply_filtered(doc: dict[str, Any], op: str, path: Path, value: Any) -> None:
    items = [dict(item) if isinstance(item, dict) else item for item in doc.get(path.attr) or []]
    matching = [item for item in items if path.matches(item)]
    if op == "remove":
        if path.sub is None:
            items = [item for item in items if not path.matches(item)]
        else:
            for item in matching:
                item.pop(path.sub, None)
    elif not matching:
        if op == "replace" and path.sub is None:
            raise ScimError(400, f"No value of {path.attr} matches the filter.", "noTarget")
        # `emails[type eq "work"].value` on a person without a work email adds one
        new_item = {path.filter_attr: path.filter_value}
        if path.sub is not None:
            new_item[path.sub] = value
        elif isinstance(value, dict):
            new_item.update(value)
        items.append(new_item)
    else:
        for item in matching:
            if path.sub is not None:
                item[path.sub] = value
            elif isinstance(value, dict):
                item.update(value)
            else:
                raise invalid_value(f"A value of {path.attr} is an object.")
    doc[path.attr] = items
