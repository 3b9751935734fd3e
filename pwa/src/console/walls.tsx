// Office walls: a secret link that shows the live board on a screen in the office, no sign-in.
// The link is shown once, when it is made (the server keeps only a hash of its secret); a wall
// that is switched off stops within seconds.
import { useState } from "preact/hooks";
import { api, toastFailure } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import { confirmAction } from "./kit";
import { Field, Section } from "./ui";

type Period = "week" | "month" | "all";
const PERIODS: Record<Period, string> = { week: "This week", month: "This month", all: "All time" };

function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "";
}

export function WallsAdmin() {
  const [made, setMade] = useState(0);
  return (
    <main class="screen console">
      <TopBar title="Office walls" back="/admin" />
      <p class="muted">
        A wall is a full-screen, live leaderboard for a screen in the office: the top ten, team standings, the featured
        story and the latest verified shares. It needs no sign-in, so anyone with its link can see it. People who hide
        from leaderboards never appear on it.
      </p>
      <NewWall onMade={() => setMade((n) => n + 1)} />
      <WallList refreshKey={made} />
    </main>
  );
}

function NewWall({ onMade }: { onMade: () => void }) {
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);
  const [name, setName] = useState("");
  const [teamId, setTeamId] = useState("");
  const [period, setPeriod] = useState<Period>("week");
  const [link, setLink] = useState("");
  const [busy, run] = useInFlight();

  async function submit(event: Event) {
    event.preventDefault();
    await run(async () => {
      try {
        const wall = await api.post("/api/v1/admin/walls", {
          body: { name: name.trim(), period, ...(teamId ? { teamId } : {}) },
        });
        setLink(wall.url);
        setName("");
        onMade();
      } catch (failure) {
        toastFailure(failure, "Could not make the wall.");
      }
    });
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      toast("Wall link copied.", "success");
    } catch {
      toast("Select the link and copy it by hand.", "error");
    }
  }

  return (
    <Section title="New wall">
      <form class="stack card pad" onSubmit={submit}>
        <Field label="Name (where the screen is)">
          <input
            required
            maxLength={80}
            value={name}
            placeholder="Lobby screen"
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <div class="row">
          <Field label="Board">
            <select value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
              <option value="">Whole organization</option>
              {(teams.data?.items ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Period">
            <select value={period} onChange={(e) => setPeriod(e.currentTarget.value as Period)}>
              {(Object.keys(PERIODS) as Period[]).map((p) => (
                <option key={p} value={p}>
                  {PERIODS[p]}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <button class="button primary" type="submit" disabled={busy}>
          Make wall link
        </button>
        {link && (
          <div class="stack" data-testid="wall-link">
            <Field label="Open this on the screen. It is shown only now: copy it before you leave this page.">
              <input readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
            </Field>
            <button type="button" class="button secondary" onClick={copy}>
              Copy link
            </button>
          </div>
        )}
      </form>
    </Section>
  );
}

function WallList({ refreshKey }: { refreshKey: number }) {
  const walls = useLoad(() => api.get("/api/v1/admin/walls"), [refreshKey]);
  const [busy, run] = useInFlight();

  async function revoke(id: string, name: string) {
    const sure = await confirmAction({
      title: `Switch off “${name}”?`,
      body: "The screen showing it goes blank within seconds and its link stops working for good.",
      confirmLabel: "Switch off",
      danger: true,
    });
    if (!sure) return;
    await run(async () => {
      try {
        await api.del("/api/v1/admin/walls/{wall_id}", { path: { wall_id: id } });
        toast(`“${name}” is switched off.`, "success");
        walls.reload();
      } catch (failure) {
        toastFailure(failure, "Could not switch the wall off.");
      }
    });
  }

  return (
    <Section title="Walls">
      {walls.error && !walls.data ? (
        <Failure error={walls.error} retry={walls.reload} />
      ) : !walls.data ? (
        <Skeleton />
      ) : walls.data.length === 0 ? (
        <p class="muted">No walls yet. Make one above and open its link on the office screen.</p>
      ) : (
        <ul class="board" data-testid="walls">
          {walls.data.map((wall) => (
            <li class="board-row people-row" key={wall.id}>
              <span class="who">
                <span class="name">{wall.name}</span>
                <span class="muted small">
                  {wall.teamName ?? "Whole organization"} · {PERIODS[wall.period]} · made {when(wall.createdAt)}
                  {wall.revokedAt
                    ? ` · switched off ${when(wall.revokedAt)}`
                    : wall.lastSeenAt
                      ? ` · last on screen ${when(wall.lastSeenAt)}`
                      : " · not opened yet"}
                </span>
              </span>
              {!wall.revokedAt && (
                <button type="button" class="button danger" disabled={busy} onClick={() => revoke(wall.id, wall.name)}>
                  Switch off
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
