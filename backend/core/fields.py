"""How a body field reads in a sentence a person sees ("the X text" for `shareText.x`)."""

from __future__ import annotations

import re

from backend.core.i18n import Text, msg

# How a field reads inside a sentence; any other field reads as its name split into words.
# Translators give the field's name in quotes (de „Titel“, fr « titre »), so that it reads
# inside any sentence ("Das Feld {field} darf nicht leer sein.").
_LABELS: dict[str, Text] = {
    "postUrl": msg("the link to your post"),
    "contentUrl": msg("the article's link"),
    "startsAt": msg("the start"),
    "endsAt": msg("the end"),
    "opensAt": msg("the opening time"),
    "closesAt": msg("the closing time"),
    "title": msg("the title"),
    "description": msg("the description"),
    "displayName": msg("the name"),
    "orgName": msg("the organization's name"),
    "email": msg("the email address"),
    "password": msg("the password"),
    "newPassword": msg("the new password"),
    "currentPassword": msg("the current password"),
    "name": msg("the name"),
    "note": msg("the note"),
    "body": msg("the text"),
    "message": msg("the message"),
    "points": msg("the points"),
    "clickPoints": msg("the points per click"),
    "hashtags": msg("the hashtags"),
    "networks": msg("the networks"),
    "network": msg("the network"),
    "teamIds": msg("the teams"),
    "leadUserIds": msg("the leads"),
    "timezone": msg("the time zone"),
    "language": msg("the language"),
    "shareText.linkedin": msg("the LinkedIn text"),
    "shareText.x": msg("the X text"),
    "shareText.facebook": msg("the Facebook text"),
    "shareText.email": msg("the email text"),
    "shareText.whatsapp": msg("the WhatsApp text"),
    "ids": msg("the selection"),
    "action": msg("the action"),
    "query": msg("the search"),
    "limit": msg("the page size"),
    "cursor": msg("the page"),
}


def label(field: str) -> Text:
    """How a field reads in a sentence: `shareText.x` → "the X text" (a Message, rendered in
    the reader's language; a field without a label reads as its English name)."""
    bare = re.sub(r"\[\d+\]", "", field)
    if bare in _LABELS:
        return _LABELS[bare]
    last = bare.rsplit(".", 1)[-1] or "this"
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", last).lower()
    return f"the {words.removesuffix(' id').removesuffix(' ids')}"
