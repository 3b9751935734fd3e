// People and teams: roles, teams, invites one by one or from a CSV file.
import { useState } from "preact/hooks";
import { ApiError, api, type Schemas, toastFailure } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import type { ImportReport, RejectedRow, Role, Team, User } from "../types";
import { PendingInvites } from "./invites";
import { Field, Section } from "./ui";

export function PeopleAdmin() {
  const users = useLoad(() => api.get("/api/v1/admin/users", { query: { limit: 100 } }), []);
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);
  const teamList = teams.data?.items ?? [];
  const [invited, setInvited] = useState(0);

  async function update(user: User, change: Schemas["UserUpdate"]) {
    try {
      await api.put("/api/v1/admin/users/{user_id}", { path: { user_id: user.id }, body: change });
      toast(`Saved ${user.displayName}.`, "success");
      users.reload();
      teams.reload();
    } catch (failure) {
      toastFailure(failure, "Could not save.");
      users.reload();
    }
  }

  async function erase(user: User) {
    if (
      !window.confirm(
        `Erase ${user.displayName}? Their personal data is deleted for good; their points stay in the totals, anonymously.`,
      )
    )
      return;
    try {
      await api.del("/api/v1/admin/users/{user_id}", { path: { user_id: user.id } });
      toast(`${user.displayName} was erased.`, "success");
      users.reload();
    } catch (failure) {
      toastFailure(failure, "Could not erase.");
    }
  }

  return (
    <main class="screen console">
      <TopBar title="People and teams" back="/admin" />
      <InviteOne teams={teamList} onInvited={() => setInvited((n) => n + 1)} />
      <PendingInvites refreshKey={invited} />
      <ImportCsv done={users.reload} />
      <Teams teams={teamList} reload={teams.reload} />
      <Section title="People">
        {users.error && !users.data ? (
          <Failure error={users.error} retry={users.reload} />
        ) : !users.data ? (
          <Skeleton />
        ) : (
          <ul class="board">
            {users.data.items.map((u) => (
              <li class="board-row people-row" key={u.id}>
                <span class="who">
                  <span class="name">{u.displayName}</span>
                  <span class="muted small">{u.email}</span>
                </span>
                <select
                  aria-label={`Role of ${u.displayName}`}
                  value={u.role}
                  onChange={(e) => update(u, { role: e.currentTarget.value as Role })}
                >
                  <option value="employee">Employee</option>
                  <option value="lead">Lead</option>
                  <option value="admin">Admin</option>
                </select>
                <select
                  aria-label={`Team of ${u.displayName}`}
                  value={u.teamId ?? ""}
                  onChange={(e) => update(u, { teamId: e.currentTarget.value || null })}
                >
                  <option value="">No team</option>
                  {teamList.map((t) => (
                    <option value={t.id}>{t.name}</option>
                  ))}
                </select>
                <label class="inline">
                  <input
                    type="checkbox"
                    checked={u.active}
                    onChange={(e) => update(u, { active: e.currentTarget.checked })}
                  />
                  Active
                </label>
                <button type="button" class="linkish" onClick={() => erase(u)}>
                  Erase
                </button>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </main>
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

function Teams({ teams, reload }: { teams: Team[]; reload: () => void }) {
  const [name, setName] = useState("");
  const [busy, run] = useInFlight();
  async function create(event: Event) {
    event.preventDefault();
    await run(async () => {
      try {
        await api.post("/api/v1/admin/teams", { body: { name } });
        setName("");
        reload();
      } catch (failure) {
        toastFailure(failure, "Could not create the team.");
      }
    });
  }
  return (
    <Section title="Teams">
      <ul class="board">
        {teams.map((t) => (
          <li class="board-row" key={t.id}>
            <span class="who">
              <a class="name" href={`/team/${t.id}`}>
                {t.name}
              </a>
            </span>
            <span class="muted small">{t.members} members</span>
          </li>
        ))}
      </ul>
      <form class="row" onSubmit={create}>
        <label class="grow">
          New team
          <input required maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button class="button secondary" type="submit" disabled={busy}>
          Add team
        </button>
      </form>
    </Section>
  );
}
