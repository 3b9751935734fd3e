import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { Avatar, type BoardEntry, BoardRow, Empty, Failure, Movement, Skeleton, TopBar } from "../components";
import { onLive } from "../live";
import { useLoad } from "../load";
import { toast } from "../store";

// The periods the API accepts (backend/leaderboards/keys.py Period).
type Period = "week" | "month" | "lastWeek" | "lastMonth" | "all";
const PERIODS: [Period, string][] = [
  ["week", "This week"],
  ["month", "This month"],
  ["lastWeek", "Last week"],
  ["lastMonth", "Last month"],
  ["all", "All time"],
];
const PERIOD_WORDS: Record<Period, string> = {
  week: "this week",
  month: "this month",
  lastWeek: "last week",
  lastMonth: "last month",
  all: "yet",
};

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
      <TopBar title="Leaderboard" />
      <Segmented
        label="Who"
        options={[
          ["people", "People"],
          ["teams", "Teams"],
        ]}
        value={tab}
        onChange={setTab}
      />
      <Segmented label="Period" options={PERIODS} value={period} onChange={setPeriod} wrap />
      {tab === "people" ? (
        <People period={period} />
      ) : (
        <>
          <Segmented
            label="Measure"
            options={[
              ["total", "Total"],
              ["perCapita", "Per person"],
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

function useLiveReload(reload: () => void) {
  useEffect(() => {
    let timer = 0;
    // Boards change in bursts: one refresh per burst is enough.
    return onLive("leaderboard", () => {
      clearTimeout(timer);
      timer = window.setTimeout(reload, 300);
    });
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
        overtaken ? `You passed ${overtaken.displayName} — you're #${mine} now!` : `Up to #${mine}!`,
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
          period === "lastWeek" || period === "lastMonth"
            ? `Nobody earned points ${PERIOD_WORDS[period]}.`
            : "Nobody has points yet this period — the first verified share takes the top spot."
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
        <ol class="board" aria-label="Top people" start={rest[0].rank}>
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
          <ol class="board" aria-label="Around me">
            {aroundExtra.map((e) => (
              <BoardRow key={keyOf(e)} entry={e} moved={moved.has(keyOf(e))} passed={passed && e.isMe} />
            ))}
          </ol>
        </>
      )}
      {data.me ? (
        <p class="me-bar" data-testid="my-rank">
          You're <strong>#{data.me.rank}</strong> of {data.total} with{" "}
          <strong>{data.me.points.toLocaleString()}</strong> points
        </p>
      ) : (
        <p class="me-bar">
          {period === "lastWeek" || period === "lastMonth"
            ? `You weren't on the board ${PERIOD_WORDS[period]}.`
            : "You're not on this board yet — a verified share puts you on it."}
        </p>
      )}
    </>
  );
}

const PLACES = ["1st", "2nd", "3rd"];

/** The top three on steps: first in the middle (CSS order), read in rank order. */
function Podium({ entries, passed }: { entries: BoardEntry[]; passed: boolean }) {
  if (entries.length === 0) return null;
  return (
    <ol class="podium" aria-label="Top three">
      {entries.map((e) => (
        <li
          key={keyOf(e)}
          class={`podium-spot place-${e.rank} ${e.isMe ? "me" : ""} ${passed && e.isMe ? "passed" : ""}`}
          aria-current={e.isMe ? "true" : undefined}
        >
          <Avatar entry={e} size="big" />
          <span class="name">{e.isMe ? `${e.displayName} (you)` : e.displayName}</span>
          <span class="points">
            {e.points.toLocaleString()}
            <span class="unit"> pts</span>
          </span>
          <Movement by={e.movement} />
          <span class="step-block">
            <span class="visually-hidden">Rank </span>
            {PLACES[e.rank - 1] ?? e.rank}
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
  if (data.entries.length === 0 && data.unranked.length === 0)
    return <Empty text="No team has points yet this period." />;
  const value = (points: number) => (metric === "perCapita" ? points.toFixed(1) : points.toLocaleString());
  return (
    <>
      <ol class="board" aria-label="Teams">
        {data.entries.map((t) => (
          <li class="board-row" key={t.teamId}>
            <span class="rank">{t.rank}</span>
            <span class="who">
              <span class="name">{t.name}</span>
              <span class="muted small">
                {t.members} {t.members === 1 ? "member" : "members"}
              </span>
            </span>
            <span class="points">{value(t.points)}</span>
          </li>
        ))}
      </ol>
      {data.unranked.length > 0 && (
        <>
          <h2 class="section-title">Smaller teams</h2>
          <p class="muted small">
            Teams under {data.minTeamSize} people aren't ranked per person — a single share would swing them.
          </p>
          <ul class="board">
            {data.unranked.map((t) => (
              <li class="board-row" key={t.teamId}>
                <span class="rank">–</span>
                <span class="who">
                  <span class="name">{t.name}</span>
                  <span class="muted small">{t.members} members</span>
                </span>
                <span class="points">{value(t.points)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
