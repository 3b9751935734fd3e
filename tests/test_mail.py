"""Email through a real SMTP server on loopback (aiosmtpd): invites, resets, the weekly digest,
plain text + HTML with every value escaped, retries while the server says "later"."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from backend.app import create_app
from backend.embedded import free_port
from backend.mail.smtp import SmtpConfig
from backend.mail.templates import digest_letter, invite_letter, reset_letter
from backend.orgs.tables import Invite, User
from backend.settings import get_settings
from tests.helpers import assert_problem, bearer, client_for, run_worker_burst, signup


@dataclass
class Mailbox:
    """What a loopback SMTP server received; `refuse` answers that many DATA with 451."""

    url: str
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: int = 0
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def link_in(message: EmailMessage, path: str) -> str:
    found = re.search(rf"http://testserver{path}#token=([A-Za-z0-9_-]+)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


@contextmanager
def smtp_server(*, username: str | None = None, password: str | None = None) -> Iterator[Mailbox]:
    port = free_port()
    credentials = f"{username}:{password}@" if username else ""
    box = Mailbox(url=f"smtp://{credentials}127.0.0.1:{port}")

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = isinstance(data, LoginPassword) and (
            data.login.decode(),
            data.password.decode(),
        ) == (username, password)
        if ok:
            box.logins.append(data.login.decode())
        return AuthResult(success=ok)

    extra: dict[str, Any] = {}
    if username:
        extra = {"authenticator": authenticator, "auth_require_tls": False}
    controller = Controller(box, hostname="127.0.0.1", port=port, **extra)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A loopback SMTP server, and this process's settings pointing at it."""
    with smtp_server() as box:
        monkeypatch.setenv("CHORUS_SMTP_URL", box.url)
        monkeypatch.setenv("CHORUS_MAIL_FROM", "Chorus <chorus@example.com>")
        get_settings.cache_clear()
        try:
            yield box
        finally:
            get_settings.cache_clear()


@asynccontextmanager
async def mailing_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A second app of this process, built from the settings with SMTP (the session's app was
    built before the mailbox existed)."""
    async with client_for(create_app(get_settings())) as http:
        yield http


# -- SMTP URLs and templates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", ("mail.example.com", 25, None, None, False, False)),
        (
            "smtp://me%40corp:p%2Fss@relay.example.com:2525?starttls=true",
            ("relay.example.com", 2525, "me@corp", "p/ss", False, True),
        ),
        (
            "smtp://relay.example.com?starttls=true",
            ("relay.example.com", 587, None, None, False, True),
        ),
        ("smtps://u:p@smtp.example.com", ("smtp.example.com", 465, "u", "p", True, False)),
    ],
)
def test_smtp_urls_say_host_port_credentials_and_tls(url, expected):
    config = SmtpConfig.parse(url)
    assert (
        config.host,
        config.port,
        config.username,
        config.password,
        config.implicit_tls,
        config.starttls,
    ) == expected


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "mail.example.com:25"])
def test_other_urls_are_refused(url):
    with pytest.raises(ValueError, match="smtp"):
        SmtpConfig.parse(url)


def test_letters_escape_what_people_typed_in_html_and_keep_it_in_text():
    hostile = '<script>alert("x")</script> & Co'
    for letter in (
        invite_letter(
            organization=hostile, inviter=hostile, url="http://t/accept-invite#token=a", expires="x"
        ),
        reset_letter(name=hostile, organization=hostile, url="http://t/reset#token=a"),
        digest_letter(
            name=hostile,
            organization=hostile,
            points=5,
            shares=1,
            open_challenges=2,
            url="http://t/",
        ),
    ):
        assert "<script>" not in letter.html
        assert "&lt;script&gt;" in letter.html
        assert hostile in letter.text
        assert "$" not in letter.text and "$" not in letter.html  # every placeholder filled


# -- through the worker to a real SMTP server --------------------------------------------------


async def test_an_invite_is_emailed_with_org_inviter_and_link(app, mailbox):
    async with mailing_client(app) as http:
        admin = await signup(http, org="Acme <Rockets>", name="Ann Admin")
        resp = await http.post(
            "/api/v1/admin/invites", json={"email": "new.hire@example.com"}, headers=bearer(admin)
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["emailed"] is True  # the default when SMTP is set
        await run_worker_burst()
        (message,) = mailbox.to("new.hire@example.com")
        assert message["From"] == "Chorus <chorus@example.com>"
        assert "Ann Admin" in message["Subject"] and "Acme <Rockets>" in message["Subject"]
        assert link_in(message, "/accept-invite") == resp.json()["token"]
        assert "Acme &lt;Rockets&gt;" in html_of(message)
        listed = await http.get("/api/v1/admin/invites?status=pending", headers=bearer(admin))
        assert listed.json()["items"][0]["emailedAt"] is not None


async def test_send_false_emails_nothing_and_without_smtp_send_true_is_409(client, app, mailbox):
    async with mailing_client(app) as http:
        admin = await signup(http)
        resp = await http.post(
            "/api/v1/admin/invites",
            json={"email": "quiet@example.com", "send": False},
            headers=bearer(admin),
        )
        assert resp.status_code == 201 and resp.json()["emailed"] is False
        await run_worker_burst()
        assert mailbox.messages == []
    # the session's app has no SMTP: no email by default, and asking for one is a conflict
    admin = await signup(client)
    plain = await client.post(
        "/api/v1/admin/invites", json={"email": "a@example.com"}, headers=bearer(admin)
    )
    assert plain.status_code == 201 and plain.json()["emailed"] is False
    asked = await client.post(
        "/api/v1/admin/invites",
        json={"email": "b@example.com", "send": True},
        headers=bearer(admin),
    )
    assert_problem(asked, 409, detail_contains="email")


async def test_a_server_that_says_later_gets_the_letter_on_a_retry(app, mailbox, monkeypatch):
    from workers import tasks

    monkeypatch.setattr(tasks, "MAIL_RETRY_SECONDS", 0.1)
    mailbox.refuse = 2  # "451 try again later", twice
    async with mailing_client(app) as http:
        admin = await signup(http)
        resp = await http.post(
            "/api/v1/admin/invites", json={"email": "retry@example.com"}, headers=bearer(admin)
        )
        assert resp.status_code == 201
        await run_worker_burst()  # burst mode waits for the deferred retries too
    assert mailbox.refuse == 0
    assert len(mailbox.to("retry@example.com")) == 1
    invite = await Invite.select(Invite.emailed_at).first()
    assert invite["emailed_at"] is not None


async def test_smtp_credentials_from_the_url_are_used(app, monkeypatch):
    with smtp_server(username="chorus", password="s3cret/pass") as box:
        monkeypatch.setenv("CHORUS_SMTP_URL", box.url.replace("s3cret/pass", "s3cret%2Fpass"))
        get_settings.cache_clear()
        try:
            async with mailing_client(app) as http:
                admin = await signup(http)
                await http.post(
                    "/api/v1/admin/invites",
                    json={"email": "auth@example.com"},
                    headers=bearer(admin),
                )
                await run_worker_burst()
        finally:
            get_settings.cache_clear()
    assert box.logins == ["chorus"]
    assert len(box.to("auth@example.com")) == 1


async def test_the_weekly_digest_goes_only_to_people_who_turned_it_on(app, mailbox):
    from workers import tasks

    async with mailing_client(app) as http:
        admin = await signup(http, name="Digest Fan")
        quiet = await signup(http, org="Other", name="No Thanks")
        assert (await http.get("/api/v1/me/email", headers=bearer(admin))).json() == {
            "weeklyDigest": False
        }
        turned = await http.put(
            "/api/v1/me/email", json={"weeklyDigest": True}, headers=bearer(admin)
        )
        assert turned.status_code == 200 and turned.json() == {"weeklyDigest": True}
        bad = await http.put(
            "/api/v1/me/email", json={"weeklyDigest": "yes"}, headers=bearer(admin)
        )
        assert bad.status_code == 400
        assert (await http.get("/api/v1/me/email")).status_code == 401
        queued = await tasks.email_weekly_digests({"redis": app.state.redis})
        assert queued == 1
        await run_worker_burst()
    (message,) = mailbox.messages
    assert message["To"] == admin.email
    assert "Digest Fan" in text_of(message)
    assert not mailbox.to(quiet.email)
    assert await User.count().where(User.email_digest == True) == 1  # noqa: E712
