"""The letters Chorus sends, each a plain-text and an HTML body from one set of values.

Templates are `string.Template`s; every value is escaped for HTML before it enters the HTML
body (a display name or organization name is whatever its owner typed), and links are only
ever Chorus's own URLs.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from string import Template


@dataclass(frozen=True, slots=True)
class Letter:
    subject: str
    text: str
    html: str


_PAGE = Template(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>$subject</title></head>
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
    '<p style="font-size:13px;color:#5b5870">Or open this link: <a href="$url">$url</a></p>'
)


def _letter(
    subject: str,
    text: Template,
    body: Template,
    footer: str,
    values: dict[str, str],
    button: tuple[str, str] | None = None,
) -> Letter:
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    if button is not None:
        label, url = button
        escaped["button"] = _BUTTON.substitute(
            url=html.escape(url, quote=True), label=html.escape(label)
        )
    page = _PAGE.substitute(
        subject=html.escape(subject),
        body=body.substitute(escaped),
        footer=html.escape(footer),
    )
    return Letter(subject=subject, text=text.substitute(values), html=page)


INVITE_TEXT = Template(
    """Hello,

$inviter invited you to join $organization on Chorus, where colleagues share the news they
are proud of and see what it reached.

Accept the invitation and choose your password:
$url

This link works once and until $expires. If you did not expect it, ignore this email.
"""
)
INVITE_HTML = Template(
    '<h1 style="font-size:20px;margin:0 0 16px">Join $organization on Chorus</h1>'
    "<p>$inviter invited you to join <strong>$organization</strong>, where colleagues share "
    "the news they are proud of and see what it reached.</p>"
    "$button"
    '<p style="font-size:13px;color:#5b5870">This link works once and until $expires.</p>'
)


def invite_letter(*, organization: str, inviter: str, url: str, expires: str) -> Letter:
    values = {"organization": organization, "inviter": inviter, "url": url, "expires": expires}
    return _letter(
        f"{inviter} invited you to {organization} on Chorus",
        INVITE_TEXT,
        INVITE_HTML,
        "You receive this because an admin of this organization entered your address.",
        values,
        ("Accept the invitation", url),
    )


RESET_TEXT = Template(
    """Hello $name,

Someone (hopefully you) asked to set a new password for your Chorus account at
$organization. Choose a new one here:
$url

The link works once, for one hour. If you did not ask, ignore this email: your password stays
as it is.
"""
)
RESET_HTML = Template(
    '<h1 style="font-size:20px;margin:0 0 16px">Set a new password</h1>'
    "<p>Hello $name, someone (hopefully you) asked to set a new password for your Chorus "
    "account at <strong>$organization</strong>.</p>"
    "$button"
    '<p style="font-size:13px;color:#5b5870">The link works once, for one hour. If you did '
    "not ask, ignore this email: your password stays as it is.</p>"
)


def reset_letter(*, name: str, organization: str, url: str) -> Letter:
    return _letter(
        "Set a new Chorus password",
        RESET_TEXT,
        RESET_HTML,
        "You receive this because a password reset was asked for your address.",
        {"name": name, "organization": organization, "url": url},
        ("Choose a new password", url),
    )


DIGEST_TEXT = Template(
    """Hello $name,

Your week on Chorus at $organization:
- points earned: $points
- shares verified: $shares
- challenges open now: $open_challenges

See what is new: $url

You asked for this weekly email; turn it off on your profile in Chorus.
"""
)
DIGEST_HTML = Template(
    '<h1 style="font-size:20px;margin:0 0 16px">Your week at $organization</h1>'
    "<p>Hello $name, here is what your week on Chorus came to.</p>"
    '<table role="presentation" style="width:100%;border-collapse:collapse;'
    'font-variant-numeric:tabular-nums">'
    '<tr><td style="padding:6px 0">Points earned</td>'
    '<td style="text-align:right;font-weight:600">$points</td></tr>'
    '<tr><td style="padding:6px 0">Shares verified</td>'
    '<td style="text-align:right;font-weight:600">$shares</td></tr>'
    '<tr><td style="padding:6px 0">Challenges open now</td>'
    '<td style="text-align:right;font-weight:600">$open_challenges</td></tr>'
    "</table>"
    "$button"
)


def digest_letter(
    *, name: str, organization: str, points: int, shares: int, open_challenges: int, url: str
) -> Letter:
    return _letter(
        f"Your week at {organization} on Chorus",
        DIGEST_TEXT,
        DIGEST_HTML,
        "You asked for this weekly email; turn it off on your profile in Chorus.",
        {
            "name": name,
            "organization": organization,
            "points": str(points),
            "shares": str(shares),
            "open_challenges": str(open_challenges),
            "url": url,
        },
        ("Open Chorus", url),
    )
