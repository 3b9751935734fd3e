"""The letters Chorus sends, each a plain-text and an HTML body from one set of values, in the
recipient's language.

Every sentence is a `msg(...)` rendered in `language` (English when None or not one Chorus
speaks); the layout around them is a `string.Template`. Every value is escaped for HTML before
it enters the HTML body (a display name or organization name is whatever its owner typed), and
links are only ever Chorus's own URLs.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from string import Template

from babel.dates import format_date

from backend.core.i18n import ENGLISH, Message, Text, match, msg, render


@dataclass(frozen=True, slots=True)
class Letter:
    subject: str
    text: str
    html: str


class _Markup(str):
    """HTML made here (a link, a <strong>), put into a sentence as it is."""

    __slots__ = ()


def _language(language: str | None) -> str:
    return match(language) or ENGLISH


def _text(message: Message, language: str) -> str:
    return str(message.render(language))


def _html(message: Message, language: str) -> str:
    """The sentence in `language` for the HTML body: its words and its values escaped (a
    `_Markup` value goes in as it is)."""
    values = {
        key: value
        if isinstance(value, _Markup)
        else html.escape(str(render(value, language)), quote=True)
        for key, value in message.values.items()
    }
    # the translated sentence with its placeholders still in it, escaped, then filled
    shape = Message(
        message.template, {key: "{" + key + "}" for key in values}, message.plural, message.count
    ).render(language)
    return html.escape(shape, quote=False).format(**values)


def _strong(value: str) -> _Markup:
    return _Markup("<strong>" + html.escape(value, quote=True) + "</strong>")


def expiry(moment: datetime, language: str | None = None) -> str:
    """When a link stops working, as the letter says it: "03 March 2026, 10:00 UTC" in English,
    "3. März 2026, 10:00 UTC" in German."""
    moment = moment.astimezone(UTC)
    language = _language(language)
    if language == ENGLISH:
        return moment.strftime("%d %B %Y, %H:%M UTC")
    day = format_date(moment.date(), "long", locale=language.replace("-", "_"))
    return f"{day}, {moment:%H:%M} UTC"


_PAGE = Template(
    """<!doctype html>
<html lang="$lang"><head><meta charset="utf-8"><title>$subject</title></head>
<body style="margin:0;padding:24px;background:#f5f5fa;font-family:system-ui,-apple-system,\
'Segoe UI',Roboto,sans-serif;color:#1d1b2e">
<div style="max-width:480px;margin:0 auto;background:#ffffff;border-radius:12px;padding:24px">
$body
</div>
<p style="max-width:480px;margin:16px auto 0;font-size:12px;color:#5b5870">$footer</p>
</body></html>
"""
)
_BUTTON = Template(
    '<p style="margin:24px 0"><a href="$url" style="display:inline-block;padding:12px 20px;'
    'background:#4338ca;color:#ffffff;border-radius:8px;text-decoration:none;font-weight:600">'
    "$label</a></p>"
    '<p style="font-size:13px;color:#5b5870">$open_link</p>'
)


def _letter(
    language: str,
    subject: Message,
    text: Template,
    body: Template,
    footer: Message,
    texts: dict[str, Message | str],
    htmls: dict[str, Message | str],
    button: tuple[Message, str],
) -> Letter:
    """`texts` fill the plain-text template (Messages rendered, strings as they are), `htmls`
    the HTML body (Messages rendered and escaped, strings escaped); the button links to
    Chorus."""
    label, url = button
    link = html.escape(url, quote=True)
    open_link = msg("Or open this link: {link}", link=_Markup(f'<a href="{link}">{link}</a>'))
    buttons = _BUTTON.substitute(
        url=link,
        label=html.escape(_text(label, language)),
        open_link=_html(open_link, language),
    )
    subject_text = _text(subject, language)
    page = _PAGE.substitute(
        lang=language,
        subject=html.escape(subject_text),
        body=body.substitute(
            {
                key: _html(value, language)
                if isinstance(value, Message)
                else html.escape(value, quote=True)
                for key, value in htmls.items()
            },
            button=buttons,
        ),
        footer=html.escape(_text(footer, language)),
    )
    plain = text.substitute(
        {
            key: _text(value, language) if isinstance(value, Message) else value
            for key, value in texts.items()
        }
    )
    return Letter(subject=subject_text, text=plain, html=page)


INVITE_TEXT = Template(
    """$hello

$invited

$accept
$url

$works_once
"""
)
INVITE_HTML = Template(
    '<h1 style="font-size:20px;margin:0 0 16px">$heading</h1>'
    "<p>$invited</p>"
    "$button"
    '<p style="font-size:13px;color:#5b5870">$works_once</p>'
)


def invite_letter(
    *,
    organization: str,
    inviter: str | None,
    url: str,
    expires: str | datetime,
    language: str | None = None,
) -> Letter:
    """The invitation to join `organization`; `inviter` None says "Your admin", `expires` a
    moment is said the language's way (`expiry`)."""
    language = _language(language)
    who: Text = inviter if inviter is not None else msg("Your admin")
    until = expiry(expires, language) if isinstance(expires, datetime) else expires
    return _letter(
        language,
        msg(
            "{inviter} invited you to {organization} on Chorus",
            inviter=who,
            organization=organization,
        ),
        INVITE_TEXT,
        INVITE_HTML,
        msg("You receive this because an admin of this organization entered your address."),
        {
            "hello": msg("Hello,"),
            "invited": msg(
                "{inviter} invited you to join {organization} on Chorus, where colleagues share "
                "the news they\nare proud of and see what it reached.",
                inviter=who,
                organization=organization,
            ),
            "accept": msg("Accept the invitation and choose your password:"),
            "url": url,
            "works_once": msg(
                "This link works once and until {expires}. If you did not expect it, ignore "
                "this email.",
                expires=until,
            ),
        },
        {
            "heading": msg("Join {organization} on Chorus", organization=organization),
            "invited": msg(
                "{inviter} invited you to join {organization}, where colleagues share the news "
                "they are proud of and see what it reached.",
                inviter=who,
                organization=_strong(organization),
            ),
            "works_once": msg("This link works once and until {expires}.", expires=until),
        },
        (msg("Accept the invitation"), url),
    )


RESET_TEXT = Template(
    """$hello

$asked
$url

$works_once
"""
)
RESET_HTML = Template(
    '<h1 style="font-size:20px;margin:0 0 16px">$heading</h1>'
    "<p>$asked</p>"
    "$button"
    '<p style="font-size:13px;color:#5b5870">$works_once</p>'
)


def reset_letter(*, name: str, organization: str, url: str, language: str | None = None) -> Letter:
    language = _language(language)
    return _letter(
        language,
        msg("Set a new Chorus password"),
        RESET_TEXT,
        RESET_HTML,
        msg("You receive this because a password reset was asked for your address."),
        {
            "hello": msg("Hello {name},", name=name),
            "asked": msg(
                "Someone (hopefully you) asked to set a new password for your Chorus account "
                "at\n{organization}. Choose a new one here:",
                organization=organization,
            ),
            "url": url,
            "works_once": msg(
                "The link works once, for one hour. If you did not ask, ignore this email: your "
                "password stays\nas it is."
            ),
        },
        {
            "heading": msg("Set a new password"),
            "asked": msg(
                "Hello {name}, someone (hopefully you) asked to set a new password for your "
                "Chorus account at {organization}.",
                name=name,
                organization=_strong(organization),
            ),
            "works_once": msg(
                "The link works once, for one hour. If you did not ask, ignore this email: your "
                "password stays as it is."
            ),
        },
        (msg("Choose a new password"), url),
    )


DIGEST_TEXT = Template(
    """$hello

$your_week
- $points
- $shares
- $open_challenges

$see_new

$turn_off
"""
)
DIGEST_HTML = Template(
    '<h1 style="font-size:20px;margin:0 0 16px">$heading</h1>'
    "<p>$came_to</p>"
    '<table role="presentation" style="width:100%;border-collapse:collapse;'
    'font-variant-numeric:tabular-nums">'
    '<tr><td style="padding:6px 0">$points_label</td>'
    '<td style="text-align:right;font-weight:600">$points</td></tr>'
    '<tr><td style="padding:6px 0">$shares_label</td>'
    '<td style="text-align:right;font-weight:600">$shares</td></tr>'
    '<tr><td style="padding:6px 0">$open_challenges_label</td>'
    '<td style="text-align:right;font-weight:600">$open_challenges</td></tr>'
    "</table>"
    "$button"
)


def digest_letter(
    *,
    name: str,
    organization: str,
    points: int,
    shares: int,
    open_challenges: int,
    url: str,
    language: str | None = None,
) -> Letter:
    language = _language(language)
    turn_off = msg("You asked for this weekly email; turn it off on your profile in Chorus.")
    return _letter(
        language,
        msg("Your week at {organization} on Chorus", organization=organization),
        DIGEST_TEXT,
        DIGEST_HTML,
        turn_off,
        {
            "hello": msg("Hello {name},", name=name),
            "your_week": msg("Your week on Chorus at {organization}:", organization=organization),
            "points": msg("points earned: {points}", points=str(points)),
            "shares": msg("shares verified: {shares}", shares=str(shares)),
            "open_challenges": msg(
                "challenges open now: {open_challenges}", open_challenges=str(open_challenges)
            ),
            "see_new": msg("See what is new: {url}", url=url),
            "turn_off": turn_off,
        },
        {
            "heading": msg("Your week at {organization}", organization=organization),
            "came_to": msg("Hello {name}, here is what your week on Chorus came to.", name=name),
            "points_label": msg("Points earned"),
            "points": str(points),
            "shares_label": msg("Shares verified"),
            "shares": str(shares),
            "open_challenges_label": msg("Challenges open now"),
            "open_challenges": str(open_challenges),
        },
        (msg("Open Chorus"), url),
    )
