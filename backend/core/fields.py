"""How a body field reads in a sentence a person sees ("the X text" for `shareText.x`)."""

from __future__ import annotations

import re

# How a field reads inside a sentence; any other field reads as its name split into words.
_LABELS = {
    "postUrl": "the link to your post",
    "contentUrl": "the article's link",
    "startsAt": "the start",
    "endsAt": "the end",
    "opensAt": "the opening time",
    "closesAt": "the closing time",
    "title": "the title",
    "description": "the description",
    "displayName": "the name",
    "orgName": "the organization's name",
    "email": "the email address",
    "password": "the password",
    "newPassword": "the new password",
    "currentPassword": "the current password",
    "name": "the name",
    "note": "the note",
    "body": "the text",
    "message": "the message",
    "points": "the points",
    "clickPoints": "the points per click",
    "hashtags": "the hashtags",
    "networks": "the networks",
    "network": "the network",
    "teamIds": "the teams",
    "leadUserIds": "the leads",
    "timezone": "the time zone",
    "language": "the language",
    "shareText.linkedin": "the LinkedIn text",
    "shareText.x": "the X text",
    "shareText.facebook": "the Facebook text",
    "shareText.email": "the email text",
    "shareText.whatsapp": "the WhatsApp text",
    "ids": "the selection",
    "action": "the action",
    "query": "the search",
    "limit": "the page size",
    "cursor": "the page",
}


def label(field: str) -> str:
    """How a field reads in a sentence: `shareText.x` → "the X text"."""
    bare = re.sub(r"\[\d+\]", "", field)
    if bare in _LABELS:
        return _LABELS[bare]
    last = bare.rsplit(".", 1)[-1] or "this"
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", last).lower()
    return f"the {words.removesuffix(' id').removesuffix(' ids')}"
