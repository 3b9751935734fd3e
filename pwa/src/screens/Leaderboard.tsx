import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import {
  Avatar,
  type BoardEntry,
  BoardRow,
  Empty,
  Failure,
  Movement,
  Skeleton,
  shownName,
  TopBar,
} from "../components";
import { formatNumber, t, tRich } from "../i18n";
import { onLive } from "../live";
import { useLoad } from "../load";
import { toast } from "../store";

// The periods the API accepts (backend/leaderboards/keys.py Period).
type Period = "week" | "month" | "lastWeek" | "lastMonth" | "all";
const periods = (): [Period, string][] => [
  ["week", t("leaderboard.periodWeek")],
  ["month", t("leaderboard.periodMonth")],
  ["lastWeek", t("leaderboard.periodLastWeek")],
  ["lastMonth", t("leaderboard.periodLastMonth")],
  ["all", t("leaderboard.periodAll")],
];

function Segmented<T extends string>({
  label,
  options,
  value,
  onChange,
  wrap = false,
}: {
  label: string;
  options: [T, string][];
  value: T;
  onChange: (v: T) => void;
  wrap?: boolean;
}) {
  return (
    <div class={`segmented ${wrap ? "wrap" : ""}`} role="group" aria-label={label}>
      {options.map(([key, text]) => (
        <button type="button" aria-pressed={key === value} onClick={() => onChange(key)}>
          {text}
        </button>
      ))}
    </div>
  );
}

export function Leaderboard() {
  const [tab, setTab] = useState<"people" | "teams">("people");
  const [period, setPeriod] = useState<Period>("week");
  const [metric, setMetric] = useState<"total" | "perCapita">("total");
  return (
    <main class="screen">
      <TopBar title={t("leaderboard.title")} />
      <Segmented
        label={t("leaderboard.who")}
        options={[
          ["people", t("leaderboard.people")],
          ["teams", t("leaderboard.teams")],
        ]}
        value={tab}
        onChange={setTab}
      />
      <Segmented label={t("leaderboard.period")} options={periods()} value={period} onChange={setPeriod} wrap />
      {tab === "people" ? (
        <People period={period} />
      ) : (
        <>
          <Segmented
            label={t("leaderboard.measure")}
            options={[
              ["total", t("leaderboard.total")],
              ["perCapita", t("leaderboard.perPerson")],
            ]}
            value={metric}
            onChange={setMetric}
          />
          <Teams period={period} metric={metric} />
        </>
      )}
    </main>
  );
}

/** A board left open never falls behind: it reloads on each `leaderboard` event, when the live
 * stream (re)connects (events sent while it was away are lost), and every SAFETY_MS while the
 * page is visible (a pub/sub message a server missed is never sent again). */
const SAFETY_MS = 15_000;

function useLiveReload(reload: () => void) {
  useEffect(() => {
    let timer = 0;
    // Boards change in bursts: one refresh per burst is enough.
    const soon = () => {
      clearTimeout(timer);
      timer = window.setTimeout(reload, 300);
    };
    const offs = [onLive("leaderboard", soon), onLive("ready", soon)];
    const safety = window.setInterval(() => {
      if (document.visibilityState === "visible") reload();
    }, SAFETY_MS);
    return () => {
      clearTimeout(timer);
      clearInterval(safety);
      for (const off of offs) off();
    };
  }, [reload]);
}

const keyOf = (e: { userId: string | null; displayName: string; rank: number }) =>
  e.userId ?? `${e.displayName}-${e.rank}`;

function People({ period }: { period: Period }) {
  const board = useLoad(() => api.get("/api/v1/leaderboards/users", { query: { period, limit: 10 } }), [period]);
  useLiveReload(board.reload);
  const previous = useRef<{ period: Period; ranks: Map<string, number>; mine: number | null } | null>(null);
  const [passed, setPassed] = useState(false);
  const data = board.data;
  const before = previous.current?.period === period ? previous.current : null;
  const moved = new Set<string>();
  if (data && before) {
    for (const entry of [...data.entries, ...data.around]) {
      const was = before.ranks.get(keyOf(entry));
      if (was !== undefined && was !== entry.rank) moved.add(keyOf(entry));
    }
  }
  useEffect(() => {
    if (!data) return;
    const mine = data.me?.rank ?? null;
    // A live update put me above someone: a short celebration (the CSS drops it for reduced motion).
    if (before && before.mine !== null && mine !== null && mine < before.mine) {
      const overtaken = [...data.entries, ...data.around].find(
        (e) => !e.isMe && e.rank > mine && (before.ranks.get(keyOf(e)) ?? Infinity) < before.mine!,
      );
      toast(
        overtaken
          ? t("leaderboard.passedToast", { name: shownName(overtaken as BoardEntry), rank: mine })
          : t("leaderboard.upToast", { rank: mine }),
        "celebrate",
        4000,
      );
      if (!window.matchMedia("(prefers-reduced-motion: reduce)").matches) navigator.vibrate?.(20);
      setPassed(true);
      window.setTimeout(() => setPassed(false), 1600);
    }
    previous.current = {
      period,
      mine,
      ranks: new Map([...data.entries, ...data.around].map((e) => [keyOf(e), e.rank])),
    };
  }, [data]);

  if (board.error && !data) return <Failure error={board.error} retry={board.reload} />;
  if (!data) return <Skeleton lines={8} />;
  if (data.entries.length === 0)
    return (
      <Empty
        text={
          period === "lastWeek"
            ? t("leaderboard.emptyLastWeek")
            : period === "lastMonth"
              ? t("leaderboard.emptyLastMonth")
              : t("leaderboard.emptyNow")
        }
      />
    );
  const entries = data.entries as BoardEntry[];
  const podium = entries.filter((e) => e.rank <= 3).slice(0, 3);
  const rest = entries.filter((e) => !podium.includes(e));
  const meShown = entries.some((e) => e.isMe);
  const aroundExtra = (data.around as BoardEntry[]).filter(
    (a) => !entries.some((e) => e.rank === a.rank && e.userId === a.userId),
  );
  return (
    <>
      <Podium entries={podium} passed={passed} />
      {rest.length > 0 && (
        <ol class="board" aria-label={t("leaderboard.topPeople")} start={rest[0].rank}>
          {rest.map((e) => (
            <BoardRow key={keyOf(e)} entry={e} moved={moved.has(keyOf(e))} passed={passed && e.isMe} />
          ))}
        </ol>
      )}
      {!meShown && aroundExtra.length > 0 && (
        <>
          <p class="gap" aria-hidden="true">
            ⋯
          </p>
          <ol class="board" aria-label={t("leaderboard.aroundMe")}>
            {aroundExtra.map((e) => (
              <BoardRow key={keyOf(e)} entry={e} moved={moved.has(keyOf(e))} passed={passed && e.isMe} />
            ))}
          </ol>
        </>
      )}
      {data.me ? (
        <p class="me-bar" data-testid="my-rank">
          {tRich("leaderboard.myRank", {
            rank: data.me.rank,
            total: data.total,
            points: data.me.points,
            b: (chunks: ComponentChildren) => <strong>{chunks}</strong>,
          })}
        </p>
      ) : (
        <p class="me-bar">
          {period === "lastWeek"
            ? t("leaderboard.notOnBoardLastWeek")
            : period === "lastMonth"
              ? t("leaderboard.notOnBoardLastMonth")
              : t("leaderboard.notOnBoardYet")}
        </p>
      )}
    </>
  );
}

/** The top three on steps: first in the middle (CSS order), read in rank order. */
function Podium({ entries, passed }: { entries: BoardEntry[]; passed: boolean }) {
  if (entries.length === 0) return null;
  return (
    <ol class="podium" aria-label={t("leaderboard.topThree")}>
      {entries.map((e) => (
        <li
          key={keyOf(e)}
          class={`podium-spot place-${e.rank} ${e.isMe ? "me" : ""} ${passed && e.isMe ? "passed" : ""}`}
          aria-current={e.isMe ? "true" : undefined}
        >
          <Avatar entry={e} size="big" />
          <span class="name">{e.isMe ? t("leaderboard.nameYou", { name: e.displayName }) : shownName(e)}</span>
          <span class="points">
            {formatNumber(e.points)}
            <span class="unit"> {t("leaderboard.pts")}</span>
          </span>
          <Movement by={e.movement} />
          <span class="step-block">
            <span class="visually-hidden">{t("leaderboard.rank")} </span>
            {e.rank <= 3 ? t("leaderboard.place", { rank: e.rank }) : e.rank}
          </span>
        </li>
      ))}
    </ol>
  );
}

function Teams({ period, metric }: { period: Period; metric: "total" | "perCapita" }) {
  const board = useLoad(() => api.get("/api/v1/leaderboards/teams", { query: { period, metric } }), [period, metric]);
  useLiveReload(board.reload);
  const data = board.data;
  if (board.error && !data) return <Failure error={board.error} retry={board.reload} />;
  if (!data) return <Skeleton lines={6} />;
  if (data.entries.length === 0 && data.unranked.length === 0) return <Empty text={t("leaderboard.noTeamPoints")} />;
  const value = (points: number) =>
    metric === "perCapita"
      ? formatNumber(points, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false })
      : formatNumber(points);
  return (
    <>
      <ol class="board" aria-label={t("leaderboard.teams")}>
        {data.entries.map((team) => (
          <li class="board-row" key={team.teamId}>
            <span class="rank">{team.rank}</span>
            <span class="who">
              <span class="name">{team.name}</span>
              <span class="muted small">{t("leaderboard.members", { count: team.members })}</span>
            </span>
            <span class="points">{value(team.points)}</span>
          </li>
        ))}
      </ol>
      {data.unranked.length > 0 && (
        <>
          <h2 class="section-title">{t("leaderboard.smallerTeams")}</h2>
          <p class="muted small">{t("leaderboard.smallerTeamsNote", { size: data.minTeamSize })}</p>
          <ul class="board">
            {data.unranked.map((team) => (
              <li class="board-row" key={team.teamId}>
                <span class="rank">–</span>
                <span class="who">
                  <span class="name">{team.name}</span>
                  <span class="muted small">{t("leaderboard.members", { count: team.members })}</span>
                </span>
                <span class="points">{value(team.points)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
