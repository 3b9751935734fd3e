"""Crawlers and link-preview fetchers, by User-Agent: the one table of them Chorus keeps.

The redirect sets their requests aside as `bot` clicks (never a person), and a network's own
preview bot fetching a tracked link is recorded as a sign the link was posted there.
"""

from __future__ import annotations

import re

# User agents of crawlers and link-preview fetchers, and the network a preview bot speaks for.
_BOTS: list[tuple[str, str | None]] = [
    ("LinkedInBot", "linkedin"),
    ("Twitterbot", "x"),
    ("facebookexternalhit", "facebook"),
    ("Facebot", "facebook"),
    ("meta-externalagent", "facebook"),
    ("WhatsApp", "whatsapp"),
    ("Slackbot", None),
    ("Slack-ImgProxy", None),
    ("TelegramBot", None),
    ("Discordbot", None),
    ("SkypeUriPreview", None),
    ("Teams", None),
    ("Googlebot", None),
    ("bingbot", None),
    ("Applebot", None),
    ("redditbot", None),
    ("Pinterestbot", None),
    ("Embedly", None),
    ("Iframely", None),
    ("YandexBot", None),
    ("DuckDuckBot", None),
]
_BOT_PATTERN = re.compile("|".join(re.escape(name) for name, _ in _BOTS), re.IGNORECASE)
_GENERIC_BOT = re.compile(r"bot\b|crawler|spider|preview|headless|python-|curl/|wget/", re.I)
_BOT_NETWORK = {name.lower(): network for name, network in _BOTS}


def classify_agent(user_agent: str) -> str | None:
    """The bot's name if this user agent is a crawler or link-preview fetcher, else None."""
    if not user_agent:
        return "unknown-agent"
    match = _BOT_PATTERN.search(user_agent)
    if match:
        return next(name for name, _ in _BOTS if name.lower() == match.group(0).lower())
    if _GENERIC_BOT.search(user_agent):
        return "other-bot"
    return None


def bot_network(bot_name: str | None) -> str | None:
    return _BOT_NETWORK.get(bot_name.lower()) if bot_name else None
