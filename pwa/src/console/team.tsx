// The team lead's dashboard: the team at a glance, who might need a kind nudge, one tap to send it.
import { api, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { navigate } from "../router";
import { me } from "../session";
import { toast, useStore } from "../store";
import { Chart } from "./chart";
import { percent, RangePicker, Section, Stat, useRange } from "./ui";

function since(iso: string | null): string {
  if (!iso) return "no activity yet";
  const days = Math.floor((Date.now() - new Date(iso).getTime()) / 86_400_000);
  return days <= 0 ? "active today" : days === 1 ? "active yesterday" : `active ${days} days ago`;
}

export function TeamConsole({ teamId }: { teamId: string | null }) {
  const who = useStore(me)!;
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);
  const mine = (teams.data?.items ?? []).filter((t) => who.role === "admin" || who.leadsTeamIds.includes(t.id));
  const chosen = teamId ?? who.leadsTeamIds[0] ?? mine[0]?.id ?? null;
  return (
    <main class="screen console">
      <TopBar title="My team" />
      {mine.length > 1 && (
        <label>
          Team
          <select value={chosen ?? ""} onChange={(e) => navigate(`/team/${e.currentTarget.value}`)}>
            {mine.map((t) => (
              <option value={t.id}>{t.name}</option>
            ))}
          </select>
        </label>
      )}
      {chosen ? (
        <TeamDashboard teamId={chosen} />
      ) : teams.data ? (
        <Empty text="You don't lead a team yet." />
      ) : (
        <Skeleton />
      )}
    </main>
  );
}

function TeamDashboard({ teamId }: { teamId: string }) {
  const range = useRange(30);
  const board = useLoad(
    () =>
      api.get("/api/v1/teams/{team_id}/dashboard", {
        path: { team_id: teamId },
        query: { from: range.from, to: range.to },
      }),
    [teamId, range.query],
  );
  const [sending, run] = useInFlight();
  const d = board.data;
  if (board.error && !d) return <Failure error={board.error} retry={board.reload} />;
  if (!d) return <Skeleton lines={6} />;
  const quiet = d.members.filter((m) => m.nudgeable);

  const nudge = () => run(nudgeNow);

  async function nudgeNow() {
    try {
      const answer = await api.post("/api/v1/teams/{team_id}/nudges", {
        path: { team_id: teamId },
        body: { userIds: quiet.map((m) => m.userId) },
      });
      const n = answer.nudged.length;
      toast(
        n
          ? `Sent a friendly nudge to ${n} ${n === 1 ? "person" : "people"}.`
          : "Everyone was nudged recently — nothing sent.",
        "success",
      );
      board.reload();
    } catch (failure) {
      toastFailure(failure, "Could not send nudges.");
    }
  }

  return (
    <>
      <h2 class="card-title">{d.name}</h2>
      <RangePicker range={range} />
      <div class="stats">
        <Stat
          label="Taking part"
          value={percent(d.participation.rate)}
          hint={`${d.participation.active} of ${d.participation.members} with a verified share`}
        />
        <Stat
          label="Team rank"
          value={d.rank.total ? `#${d.rank.total}` : "–"}
          hint={`of ${d.rank.teams} · per person ${d.rank.perCapitaRank ? `#${d.rank.perCapitaRank}` : "unranked"}`}
        />
        <Stat label="Verified shares" value={d.verifiedShares} />
        <Stat label="People reached" value={d.uniqueClicks} hint="unique clicks on their links" />
      </div>
      <Chart
        title="Week by week"
        labels={d.trend.map((w) => w.week.slice(5))}
        series={[
          { label: "Points", values: d.trend.map((w) => w.points), color: "#6366f1", bars: true },
          { label: "People active", values: d.trend.map((w) => w.activeMembers), color: "#f59e0b", ownAxis: true },
        ]}
        xLabel="Week of"
      />
      <Section
        title={`Members (${d.members.length})`}
        action={
          quiet.length > 0 && (
            <button type="button" class="button primary compact" onClick={nudge} disabled={sending}>
              Nudge {quiet.length} quiet {quiet.length === 1 ? "member" : "members"}
            </button>
          )
        }
      >
        <ul class="board">
          {d.members.map((m) => (
            <li class="board-row" key={m.userId}>
              <span class="who">
                <span class="name">{m.displayName}</span>
                <span class="muted small">
                  {since(m.lastActiveAt)}
                  {m.lastNudgedAt ? " · nudged this week" : ""}
                </span>
              </span>
              <span class="small muted">
                {m.verifiedShares} shares · {m.uniqueClicks} clicks
              </span>
              <span class="points">{m.points}</span>
            </li>
          ))}
        </ul>
        <p class="muted small">
          A nudge is a kind reminder in their Chorus inbox (and a push if they allow it) — at most once a week each.
        </p>
      </Section>
    </>
  );
}
