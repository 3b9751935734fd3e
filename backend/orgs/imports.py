"""Bulk invites from a CSV file: every row checked first, then all invited in one statement, or
none at all (a file with a rejected row writes nothing and says which rows and why)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import msgspec

from backend.core.errors import Invalid
from backend.core.i18n import Message, msg, msg_n, render
from backend.core.identity import CurrentUser
from backend.core.tokens import new_token, token_digest
from backend.orgs.schemas import ImportedInvite, InviteImportRead, RejectedRow
from backend.orgs.service import normalize_email
from backend.orgs.tables import Invite

MAX_ROWS = 10_000
COLUMNS = {"email", "role", "team"}
ROLES = {"employee", "lead", "admin"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _read(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the rows with their line numbers (blank lines skipped)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        lines = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise Invalid(msg("This file is not a readable CSV: {error}.", error=str(exc))) from exc
    lines = [(n, row) for n, row in lines if any(cell.strip() for cell in row)]
    if not lines:
        raise Invalid(
            msg("The file is empty: the first line names the columns (email, role, team).")
        )
    header = [cell.strip().lower() for cell in lines[0][1]]
    if "email" not in header:
        raise Invalid(msg("The first line must name the columns, with at least `email`."))
    unknown = [h for h in header if h not in COLUMNS]
    if unknown or len(set(header)) != len(header):
        if not unknown:
            raise Invalid(msg("Unknown or repeated columns: repeated; use email, role and team."))
        raise Invalid(
            msg(
                "Unknown or repeated columns: {columns}; use email, role and team.",
                columns=", ".join(unknown),
            )
        )
    rows = [(n, dict(zip(header, (c.strip() for c in row), strict=False))) for n, row in lines[1:]]
    if len(rows) > MAX_ROWS:
        raise Invalid(
            msg("At most {most} people per file; this one has {has}.", most=MAX_ROWS, has=len(rows))
        )
    return header, rows


async def import_invites(
    actor: CurrentUser,
    text: str,
    *,
    dry_run: bool,
    ttl_hours: int,
    base_url: str,
    language: str | None = None,
) -> InviteImportRead:
    """Check every row, then invite them all (or, with `dry_run`, only say what would happen);
    why a row is rejected is said in `language`, the reader's."""
    _, rows = _read(text)
    teams = {
        r["name"].casefold(): (r["id"], r["name"])
        for r in await Invite.raw("SELECT id, name FROM team WHERE org = {}", actor.org_id)
    }
    members = {
        r["email"]
        for r in await Invite.raw("SELECT email FROM app_user WHERE org = {}", actor.org_id)
    }
    seen: dict[str, int] = {}
    accepted: list[dict[str, Any]] = []
    rejected: list[RejectedRow] = []
    for line, row in rows:
        raw_email = row.get("email", "")
        email = normalize_email(raw_email)
        role = (row.get("role") or "employee").lower()
        team_name = row.get("team") or ""
        reason: Message | None = None
        if not email:
            reason = msg("no email")
        elif len(email) > 254 or not _EMAIL.match(email):
            reason = msg("not an email address")
        elif email in seen:
            reason = msg("the same email as line {line}", line=seen[email])
        elif email in members:
            reason = msg("already has an account in your organization")
        elif role not in ROLES:
            reason = msg("role must be employee, lead or admin")
        elif team_name and team_name.casefold() not in teams:
            reason = msg("no team named {name}", name=repr(team_name[:80]))
        if reason is not None:
            rejected.append(
                RejectedRow(row=line, email=raw_email[:254], reason=render(reason, language))
            )
        else:
            team = teams.get(team_name.casefold()) if team_name else None
            accepted.append({"line": line, "email": email, "role": role, "team": team})
        seen.setdefault(email, line)
    if not accepted and not rejected:
        raise Invalid(msg("The file names no one to invite."))
    if dry_run:
        return InviteImportRead(
            dry_run=True,
            valid=len(accepted),
            created=0,
            expires_at=None,
            invites=[],
            rejected=rejected,
        )
    if rejected:
        raise Invalid(
            msg_n(
                "{n} of {total} rows cannot be invited; nothing was imported. Fix them (or "
                "remove them) and upload the file again.",
                "{n} of {total} rows cannot be invited; nothing was imported. Fix them (or "
                "remove them) and upload the file again.",
                len(rejected),
                n=len(rejected),
                total=len(rows),
            ),
            rejected=msgspec.to_builtins(rejected),
        )
    expires_at = datetime.now(UTC) + timedelta(hours=ttl_hours)
    tokens = [new_token() for _ in accepted]
    # One statement for the whole file: all of it is invited, or (on any error) none of it.
    await Invite.raw(
        "INSERT INTO invite (id, org, email, role, team, token_hash, expires_at, created_by) "
        "SELECT id, {}, email, role, team, token_hash, {}, {} FROM unnest("
        "{}::uuid[], {}::text[], {}::text[], {}::uuid[], {}::text[]) "
        "AS t(id, email, role, team, token_hash)",
        actor.org_id,
        expires_at,
        actor.id,
        [uuid4() for _ in accepted],
        [a["email"] for a in accepted],
        [a["role"] for a in accepted],
        [a["team"][0] if a["team"] else None for a in accepted],
        [token_digest(t) for t in tokens],
    )
    return InviteImportRead(
        dry_run=False,
        valid=len(accepted),
        created=len(accepted),
        expires_at=expires_at,
        invites=[
            ImportedInvite(
                row=a["line"],
                email=a["email"],
                role=a["role"],
                team=a["team"][1] if a["team"] else None,
                url=f"{base_url}/accept-invite#token={token}",
            )
            for a, token in zip(accepted, tokens, strict=True)
        ],
        rejected=[],
    )
