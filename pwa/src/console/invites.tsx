// Invites not yet accepted: when each was emailed, withdraw one (after a confirmation), send it again.
import { api, toastFailure } from "../api";
import { Failure, Skeleton } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import { Section } from "./ui";

function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "";
}

export function PendingInvites({ refreshKey }: { refreshKey: number }) {
  const invites = useLoad(() => api.get("/api/v1/admin/invites", { query: { status: "pending" } }), [refreshKey]);
  const [busy, run] = useInFlight();

  async function revoke(id: string, email: string) {
    if (!confirm(`Withdraw the invite to ${email}? Its link will stop working.`)) return;
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
