// Invites: one by one or from a CSV file, and those not yet accepted: when each was emailed,
// withdraw one (after a confirmation), send it again.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ApiError, api, toastFailure } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
import { formatDateTime, t, tRich } from "../i18n";
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
      <TopBar title={t("consoleInvites.title")} back="/admin" />
      <div class="console-split">
        <InviteOne teams={teams.data?.items ?? []} onInvited={() => setInvited((n) => n + 1)} />
        <ImportCsv done={() => setInvited((n) => n + 1)} />
      </div>
      <PendingInvites refreshKey={invited} />
    </main>
  );
}

/** A CSV column's name, as the file spells it. */
const code = (chunks: ComponentChildren) => <code>{chunks}</code>;

function when(iso: string | null | undefined): string {
  return iso ? formatDateTime(iso) : "";
}

export function PendingInvites({ refreshKey }: { refreshKey: number }) {
  const invites = useLoad(() => api.get("/api/v1/admin/invites", { query: { status: "pending" } }), [refreshKey]);
  const [busy, run] = useInFlight();

  async function revoke(id: string, email: string) {
    const sure = await confirmAction({
      title: t("consoleInvites.withdrawTitle", { email }),
      body: t("consoleInvites.withdrawBody"),
      confirmLabel: t("consoleInvites.withdrawConfirm"),
      danger: true,
    });
    if (!sure) return;
    await run(async () => {
      try {
        await api.del("/api/v1/admin/invites/{invite_id}", { path: { invite_id: id } });
        toast(t("consoleInvites.withdrawn", { email }), "success");
        invites.reload();
      } catch (failure) {
        toastFailure(failure, t("consoleInvites.withdrawFailed"));
      }
    });
  }

  async function resend(id: string, email: string) {
    await run(async () => {
      try {
        const made = await api.post("/api/v1/admin/invites/{invite_id}/resend", { path: { invite_id: id } });
        if (made.emailed) toast(t("consoleInvites.resent", { email }), "success");
        else {
          await navigator.clipboard?.writeText(made.url).catch(() => undefined);
          toast(t("consoleInvites.linkCopied", { email }), "success");
        }
        invites.reload();
      } catch (failure) {
        toastFailure(failure, t("consoleInvites.resendFailed"));
      }
    });
  }

  return (
    <Section title={t("consoleInvites.pending")}>
      {invites.error && !invites.data ? (
        <Failure error={invites.error} retry={invites.reload} />
      ) : !invites.data ? (
        <Skeleton />
      ) : invites.data.items.length === 0 ? (
        <p class="muted">{t("consoleInvites.allJoined")}</p>
      ) : (
        <ul class="board">
          {invites.data.items.map((invite) => (
            <li class="board-row people-row" key={invite.id}>
              <span class="who">
                <span class="name">{invite.email}</span>
                <span class="muted small">
                  {invite.emailedAt
                    ? t("consoleInvites.emailedLine", {
                        emailed: when(invite.emailedAt),
                        expires: when(invite.expiresAt),
                      })
                    : t("consoleInvites.notEmailedLine", { expires: when(invite.expiresAt) })}
                </span>
              </span>
              <span class="row">
                <button
                  type="button"
                  class="button secondary"
                  disabled={busy}
                  onClick={() => resend(invite.id, invite.email)}
                >
                  {t("consoleInvites.resend")}
                </button>
                <button
                  type="button"
                  class="button danger"
                  disabled={busy}
                  onClick={() => revoke(invite.id, invite.email)}
                >
                  {t("consoleInvites.revoke")}
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
        if (made.emailed) toast(t("consoleInvites.emailed", { email }), "success");
        setEmail("");
        onInvited();
      } catch (failure) {
        toastFailure(failure, t("consoleInvites.inviteFailed"));
      }
    });
  }
  return (
    <Section title={t("consoleInvites.inviteOne")}>
      <form class="stack card pad" onSubmit={submit}>
        <Field label={t("consoleInvites.email")}>
          <input type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <div class="row">
          <Field label={t("consoleInvites.role")}>
            <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              <option value="employee">{t("consoleInvites.roleEmployee")}</option>
              <option value="lead">{t("consoleInvites.roleLead")}</option>
              <option value="admin">{t("consoleInvites.roleAdmin")}</option>
            </select>
          </Field>
          <Field label={t("consoleInvites.team")}>
            <select value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
              <option value="">{t("consoleInvites.noTeam")}</option>
              {teams.map((team) => (
                <option value={team.id}>{team.name}</option>
              ))}
            </select>
          </Field>
        </div>
        <button class="button primary" type="submit" disabled={busy}>
          {t("consoleInvites.createLink")}
        </button>
        {link && (
          <Field label={t("consoleInvites.linkLabel")}>
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
      toast(t("consoleInvites.fileTooBig"), "error");
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
        toast(t("consoleInvites.imported", { count: answer.created }), "success");
        done();
      }
    } catch (failure) {
      if (failure instanceof ApiError && Array.isArray(failure.problem.rejected))
        setRejected(failure.problem.rejected as RejectedRow[]);
      toastFailure(failure, t("consoleInvites.importFailed"));
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
    <Section title={t("consoleInvites.csvTitle")}>
      <div class="stack card pad">
        <p class="muted small">{tRich("consoleInvites.csvHelp", { code })}</p>
        <Field label={t("consoleInvites.csvFile")}>
          <input type="file" accept=".csv,text/csv" onChange={pick} />
        </Field>
        {report?.dryRun && (
          <p role="status">
            {rejected.length
              ? t("consoleInvites.checkedWithProblems", { name, count: report.valid, rejected: rejected.length })
              : t("consoleInvites.checked", { name, count: report.valid })}
          </p>
        )}
        {rejected.length > 0 && (
          <table class="report">
            <caption class="small-title">{t("consoleInvites.rowsToFix")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("consoleInvites.line")}</th>
                <th scope="col">{t("consoleInvites.email")}</th>
                <th scope="col">{t("consoleInvites.problem")}</th>
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
            {t("consoleInvites.inviteAll", { count: report.valid })}
          </button>
        )}
        {report && !report.dryRun && (
          <button type="button" class="button secondary" onClick={download}>
            {t("consoleInvites.download", { count: report.created })}
          </button>
        )}
      </div>
    </Section>
  );
}
