"""Sending a letter as this installation is configured (CHORUS_SMTP_URL, CHORUS_MAIL_FROM)."""

from __future__ import annotations

from backend.mail.smtp import MailError, SmtpConfig, send
from backend.mail.templates import Letter
from backend.settings import get_settings


def configured() -> bool:
    return get_settings().email_configured


async def deliver(letter: Letter, *, to: str) -> None:
    """Send `letter` to one address; MailError when it was not sent (or email is off)."""
    settings = get_settings()
    if not settings.email_configured:
        raise MailError("email not configured (CHORUS_SMTP_URL)", transient=False)
    try:
        config = SmtpConfig.parse(settings.smtp_url)
    except ValueError as exc:
        raise MailError(f"CHORUS_SMTP_URL: {exc}", transient=False) from exc
    await send(config, letter, to=to, sender=settings.mail_sender)
