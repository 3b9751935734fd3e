// Office walls: a secret link that shows the live board on a screen in the office, no sign-in.
// The link is shown once, when it is made (the server keeps only a hash of its secret); a wall
// that is switched off stops within seconds.
import { useState } from "preact/hooks";
import { api, type Schemas, toastFailure } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
import { formatDateTime, t } from "../i18n";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import { confirmAction } from "./kit";
import { Field, Section } from "./ui";

type Period = "week" | "month" | "all";
type Wall = Schemas["WallRead"];
const PERIODS: Period[] = ["week", "month", "all"];

function periodName(period: Period): string {
  switch (period) {
    case "week":
      return t("consoleWalls.periodWeek");
    case "month":
      return t("consoleWalls.periodMonth");
    case "all":
      return t("consoleWalls.periodAll");
  }
}

function when(iso: string | null | undefined): string {
  return iso ? formatDateTime(iso) : "";
}

export function WallsAdmin() {
  const [made, setMade] = useState(0);
  return (
    <main class="screen console">
      <TopBar title={t("consoleWalls.title")} back="/admin" />
      <p class="muted">{t("consoleWalls.intro")}</p>
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
        toastFailure(failure, t("consoleWalls.makeFailed"));
      }
    });
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      toast(t("consoleWalls.copied"), "success");
    } catch {
      toast(t("consoleWalls.copyFailed"), "error");
    }
  }

  return (
    <Section title={t("consoleWalls.newWall")}>
      <form class="stack card pad" onSubmit={submit}>
        <Field label={t("consoleWalls.name")}>
          <input
            required
            maxLength={80}
            value={name}
            placeholder={t("consoleWalls.namePlaceholder")}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <div class="row">
          <Field label={t("consoleWalls.board")}>
            <select value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
              <option value="">{t("consoleWalls.wholeOrganization")}</option>
              {(teams.data?.items ?? []).map((team) => (
                <option key={team.id} value={team.id}>
                  {team.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("consoleWalls.period")}>
            <select value={period} onChange={(e) => setPeriod(e.currentTarget.value as Period)}>
              {PERIODS.map((p) => (
                <option key={p} value={p}>
                  {periodName(p)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <button class="button primary" type="submit" disabled={busy}>
          {t("consoleWalls.make")}
        </button>
        {link && (
          <div class="stack" data-testid="wall-link">
            <Field label={t("consoleWalls.linkLabel")}>
              <input readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
            </Field>
            <button type="button" class="button secondary" onClick={copy}>
              {t("consoleWalls.copy")}
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
      title: t("consoleWalls.confirmTitle", { name }),
      body: t("consoleWalls.confirmBody"),
      confirmLabel: t("consoleWalls.confirmLabel"),
      danger: true,
    });
    if (!sure) return;
    await run(async () => {
      try {
        await api.del("/api/v1/admin/walls/{wall_id}", { path: { wall_id: id } });
        toast(t("consoleWalls.switchedOff", { name }), "success");
        walls.reload();
      } catch (failure) {
        toastFailure(failure, t("consoleWalls.switchOffFailed"));
      }
    });
  }

  return (
    <Section title={t("consoleWalls.walls")}>
      {walls.error && !walls.data ? (
        <Failure error={walls.error} retry={walls.reload} />
      ) : !walls.data ? (
        <Skeleton />
      ) : walls.data.length === 0 ? (
        <p class="muted">{t("consoleWalls.empty")}</p>
      ) : (
        <ul class="board" data-testid="walls">
          {walls.data.map((wall) => (
            <li class="board-row people-row" key={wall.id}>
              <span class="who">
                <span class="name">{wall.name}</span>
                <span class="muted small">{wallFacts(wall)}</span>
              </span>
              {!wall.revokedAt && (
                <button type="button" class="button danger" disabled={busy} onClick={() => revoke(wall.id, wall.name)}>
                  {t("consoleWalls.switchOff")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/** A wall's line under its name: its board, its period, when it was made and its last news. */
function wallFacts(wall: Wall): string {
  const facts = {
    board: wall.teamName ?? t("consoleWalls.wholeOrganization"),
    period: periodName(wall.period),
    made: when(wall.createdAt),
  };
  if (wall.revokedAt) return t("consoleWalls.factsOff", { ...facts, off: when(wall.revokedAt) });
  if (wall.lastSeenAt) return t("consoleWalls.factsSeen", { ...facts, seen: when(wall.lastSeenAt) });
  return t("consoleWalls.factsNew", facts);
}
