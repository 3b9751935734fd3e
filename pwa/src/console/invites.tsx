// Invites: one by one or from a CSV file, and those not yet accepted: when each was emailed,
// withdraw one (after a confirmation), send it again.
import { useState } from "preact/hooks";
import { ApiError, api, toastFailure } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import type { ImportReport, RejectedRow, Role, Team } from "../types";
import { confirmAction } from "./kit";
import { Field, Section } from "./ui";

export function InvitesAdmin() {
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);
  const [invited, setInvited] = useState(0);
  return (
    <main class="screen console">
      <TopBar title="Invites" back="/admin" />
      <div class="console-split">
        <InviteOne teams={teams.data?.items ?? []} onInvited={() => setInvited((n) => n + 1)} />
        <ImportCsv done={() => setInvited((n) => n + 1)} />
      </div>
      <PendingInvites refreshKey={invited} />
    </main>
  );
}

function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "";
}

export function PendingInvites({ refreshKey }: { refreshKey: number }) {
  const invites = useLoad(() => api.get("/api/v1/admin/invites", { query: { status: "pending" } }), [refreshKey]);
  const [busy, run] = useInFlight();

  async function revoke(id: string, email: string) {
    const sure = await confirmAction({
      title: `Withdraw the invite to ${email}?`,
      body: "Its link stops working at once. You can invite them again later.",
      confirmLabel: "Withdraw invite",
      danger: true,
    });
    if (!sure) return;
    await run(async () => {
      try {
        await api.del("/api/v1/admin/invites/{invite_id}", { path: { invite_id: id } });
        toast(`Invite to ${email} withdrawn.`, "success");
        invites.reload();
      } catch (failure) {
        toastFailure(failure, "Could not withdraw the invite.");
      }
    });
  }

  async function resend(id: string, email: string) {
    await run(async () => {
      try {
        const made = await api.post("/api/v1/admin/invites/{invite_id}/resend", { path: { invite_id: id } });
        if (made.emailed) toast(`A new link is on its way to ${email}.`, "success");
        else {
          await navigator.clipboard?.writeText(made.url).catch(() => undefined);
          toast(`New link for ${email} copied: the old one no longer works.`, "success");
        }
        invites.reload();
      } catch (failure) {
        toastFailure(failure, "Could not send the invite again.");
      }
    });
  }

  return (
    <Section title="Waiting to join">
      {invites.error && !invites.data ? (
        <Failure error={invites.error} retry={invites.reload} />
      ) : !invites.data ? (
        <Skeleton />
      ) : invites.data.items.length === 0 ? (
        <p class="muted">Everyone you invited has joined.</p>
      ) : (
        <ul class="board">
          {invites.data.items.map((invite) => (
            <li class="board-row people-row" key={invite.id}>
              <span class="who">
                <span class="name">{invite.email}</span>
                <span class="muted small">
                  {invite.emailedAt ? `Emailed ${when(invite.emailedAt)}` : "Not emailed"} · expires{" "}
                  {when(invite.expiresAt)}
                </span>
              </span>
              <span class="row">
                <button
                  type="button"
                  class="button secondary"
                  disabled={busy}
                  onClick={() => resend(invite.id, invite.email)}
                >
                  Resend
                </button>
                <button
                  type="button"
                  class="button danger"
                  disabled={busy}
                  onClick={() => revoke(invite.id, invite.email)}
                >
                  Revoke
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function InviteOne({ teams, onInvited }: { teams: Team[]; onInvited: () => void }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("employee");
  const [teamId, setTeamId] = useState("");
  const [link, setLink] = useState("");
  const [busy, run] = useInFlight();
  async function submit(event: Event) {
    event.preventDefault();
    await run(async () => {
      try {
        const made = await api.post("/api/v1/admin/invites", { body: { email, role, ...(teamId ? { teamId } : {}) } });
        setLink(made.url);
        if (made.emailed) toast(`Invite emailed to ${email}.`, "success");
        setEmail("");
        onInvited();
      } catch (failure) {
        toastFailure(failure, "Could not invite.");
      }
    });
  }
  return (
    <Section title="Invite someone">
      <form class="stack card pad" onSubmit={submit}>
        <Field label="Email">
          <input type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <div class="row">
          <Field label="Role">
            <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              <option value="employee">Employee</option>
              <option value="lead">Lead</option>
              <option value="admin">Admin</option>
            </select>
          </Field>
          <Field label="Team">
            <select value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
              <option value="">No team</option>
              {teams.map((t) => (
                <option value={t.id}>{t.name}</option>
              ))}
            </select>
          </Field>
        </div>
        <button class="button primary" type="submit" disabled={busy}>
          Create invite link
        </button>
        {link && (
          <Field label="Send them this link (it works once, for a week)">
            <input readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
          </Field>
        )}
      </form>
    </Section>
  );
}

function ImportCsv({ done }: { done: () => void }) {
  const [text, setText] = useState("");
  const [name, setName] = useState("");
  const [report, setReport] = useState<ImportReport | null>(null);
  const [rejected, setRejected] = useState<RejectedRow[]>([]);
  const [busy, inFlight] = useInFlight();

  async function pick(event: Event) {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    if (file.size > 900_000) {
      toast("That file is too big: split it into files of at most 10,000 people.", "error");
      return;
    }
    setName(file.name);
    const content = await file.text();
    setText(content);
    setReport(null);
    await run(content, true);
  }

  const run = (content: string, dryRun: boolean) => inFlight(() => importRows(content, dryRun));

  async function importRows(content: string, dryRun: boolean) {
    try {
      const answer = await api.post("/api/v1/admin/invites/import", { body: { csv: content, dryRun } });
      setReport(answer);
      setRejected(answer.rejected);
      if (!dryRun) {
        toast(`Invited ${answer.created} people.`, "success");
        done();
      }
    } catch (failure) {
      if (failure instanceof ApiError && Array.isArray(failure.problem.rejected))
        setRejected(failure.problem.rejected as RejectedRow[]);
      toastFailure(failure, "Could not import.");
    }
  }

  function download() {
    if (!report) return;
    const rows = ["email,invite_link", ...report.invites.map((i) => `${i.email},${i.url}`)];
    const url = URL.createObjectURL(new Blob([rows.join("\r\n")], { type: "text/csv" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = "chorus-invite-links.csv";
    a.click();
    URL.revokeObjectURL(url);
  }

  return (
    <Section title="Invite from a CSV file">
      <div class="stack card pad">
        <p class="muted small">
          One person per line under a header with <code>email</code>, and optionally <code>role</code> and{" "}
          <code>team</code> (the team's name). Every row is checked first; a file with a problem imports nothing.
        </p>
        <Field label="CSV file">
          <input type="file" accept=".csv,text/csv" onChange={pick} />
        </Field>
        {report?.dryRun && (
          <p role="status">
            {name}: {report.valid} ready to invite{rejected.length ? `, ${rejected.length} to fix` : ""}.
          </p>
        )}
        {rejected.length > 0 && (
          <table class="report">
            <caption class="small-title">Rows to fix</caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Email</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {rejected.map((r) => (
                <tr>
                  <td>{r.row}</td>
                  <td>{r.email}</td>
                  <td>{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {report?.dryRun && report.valid > 0 && rejected.length === 0 && (
          <button type="button" class="button primary" disabled={busy} onClick={() => run(text, false)}>
            Invite {report.valid} people
          </button>
        )}
        {report && !report.dryRun && (
          <button type="button" class="button secondary" onClick={download}>
            Download the {report.created} invite links
          </button>
        )}
      </div>
    </Section>
  );
}
