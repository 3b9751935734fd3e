"""Sending one letter over SMTP (aiosmtplib), as `CHORUS_SMTP_URL` says.

`smtp://user:pass@host:587?starttls=true` upgrades with STARTTLS (and refuses to send without
it), `smtps://user:pass@host:465` speaks TLS from the first byte, plain `smtp://host:25` sends
in the clear (a relay on the same host or a local mail catcher). User and password are
percent-decoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from backend.mail.templates import Letter

SEND_TIMEOUT_SECONDS = 30.0


class MailError(Exception):
    """A letter was not sent; `transient` says whether trying again later may help."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool

    @classmethod
    def parse(cls, url: str) -> SmtpConfig:
        """The settings of a `smtp://` or `smtps://` URL; ValueError for anything else."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("expected smtp://[user:pass@]host[:port][?starttls=true] or smtps://")
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["false"])[-1].lower() in ("1", "true", "yes")
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 587 if starttls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit,
            starttls=starttls and not implicit,
        )


def message_of(letter: Letter, *, to: str, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = letter.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    message.set_content(letter.text)
    message.add_alternative(letter.html, subtype="html")
    return message


async def send(config: SmtpConfig, letter: Letter, *, to: str, sender: str) -> None:
    """Send one letter; MailError(transient=...) when the server or the network refused."""
    message = message_of(letter, to=to, sender=sender)
    try:
        await aiosmtplib.send(
            message,
            hostname=config.host,
            port=config.port,
            username=config.username,
            password=config.password,
            use_tls=config.implicit_tls,
            start_tls=config.starttls,
            timeout=SEND_TIMEOUT_SECONDS,
        )
    except aiosmtplib.SMTPResponseException as exc:
        # 4xx: the server asks to try later; 5xx: it will never take this letter
        raise MailError(f"SMTP {exc.code}: {exc.message}", transient=exc.code < 500) from exc
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise MailError(f"SMTP unreachable: {exc}", transient=True) from exc
