// The team lead's dashboard: the team at a glance, who might need a kind nudge, one tap to send it.
import { api, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { t } from "../i18n";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { navigate } from "../router";
import { me } from "../session";
import { toast, useStore } from "../store";
import { Chart } from "./chart";
import { percent, RangePicker, Section, Stat, useRange } from "./ui";

function since(iso: string | null): string {
  if (!iso) return t("consoleTeam.noActivity");
  const days = Math.floor((Date.now() - new Date(iso).getTime()) / 86_400_000);
  return t("consoleTeam.lastActive", { days: Math.max(0, days) });
}

export function TeamConsole({ teamId }: { teamId: string | null }) {
  const who = useStore(me)!;
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);
  const mine = (teams.data?.items ?? []).filter((t) => who.role === "admin" || who.leadsTeamIds.includes(t.id));
  const chosen = teamId ?? who.leadsTeamIds[0] ?? mine[0]?.id ?? null;
  return (
    <main class="screen console">
      <TopBar title={t("consoleTeam.title")} />
      {mine.length > 1 && (
        <label>
          {t("consoleTeam.team")}
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
        <Empty text={t("consoleTeam.noTeam")} />
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
      toast(n ? t("consoleTeam.nudged", { count: n }) : t("consoleTeam.nobodyNudged"), "success");
      board.reload();
    } catch (failure) {
      toastFailure(failure, t("consoleTeam.nudgeFailed"));
    }
  }

  return (
    <>
      <h2 class="card-title">{d.name}</h2>
      <RangePicker range={range} />
      <div class="stats">
        <Stat
          label={t("consoleTeam.takingPart")}
          value={percent(d.participation.rate)}
          hint={t("consoleTeam.activeOf", { active: d.participation.active, members: d.participation.members })}
        />
        <Stat
          label={t("consoleTeam.teamRank")}
          value={d.rank.total ? t("consoleTeam.rank", { rank: d.rank.total }) : "–"}
          hint={
            d.rank.perCapitaRank
              ? t("consoleTeam.rankHint", { teams: d.rank.teams, rank: d.rank.perCapitaRank })
              : t("consoleTeam.rankHintUnranked", { teams: d.rank.teams })
          }
        />
        <Stat label={t("consoleTeam.verifiedShares")} value={d.verifiedShares} />
        <Stat label={t("consoleTeam.peopleReached")} value={d.uniqueClicks} hint={t("consoleTeam.peopleReachedHint")} />
      </div>
      <Chart
        title={t("consoleTeam.weekByWeek")}
        labels={d.trend.map((w) => w.week.slice(5))}
        series={[
          { label: t("consoleTeam.points"), values: d.trend.map((w) => w.points), color: "#6366f1", bars: true },
          {
            label: t("consoleTeam.peopleActive"),
            values: d.trend.map((w) => w.activeMembers),
            color: "#f59e0b",
            ownAxis: true,
          },
        ]}
        xLabel={t("consoleTeam.weekOf")}
      />
      <Section
        title={t("consoleTeam.members", { count: d.members.length })}
        action={
          quiet.length > 0 && (
            <button type="button" class="button primary compact" onClick={nudge} disabled={sending}>
              {t("consoleTeam.nudgeQuiet", { count: quiet.length })}
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
                  {m.lastNudgedAt
                    ? t("consoleTeam.nudgedThisWeek", { activity: since(m.lastActiveAt) })
                    : since(m.lastActiveAt)}
                </span>
              </span>
              <span class="small muted">
                {t("consoleTeam.memberStats", { shares: m.verifiedShares, clicks: m.uniqueClicks })}
              </span>
              <span class="points">{m.points}</span>
            </li>
          ))}
        </ul>
        <p class="muted small">{t("consoleTeam.nudgeNote")}</p>
      </Section>
    </>
  );
}
