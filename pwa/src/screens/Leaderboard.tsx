import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { BoardRow, Empty, Failure, Skeleton, TopBar } from "../components";
import { onLive } from "../live";
import { useLoad } from "../load";

type Period = "week" | "month" | "all";
const PERIODS: [Period, string][] = [
  ["week", "This week"],
  ["month", "This month"],
  ["all", "All time"],
];

function Segmented<T extends string>({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  options: [T, string][];
  value: T;
  onChange: (v: T) => void;
}) {
  return (
    <div class="segmented" role="group" aria-label={label}>
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
      <Segmented label="Period" options={PERIODS} value={period} onChange={setPeriod} />
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

function People({ period }: { period: Period }) {
  const board = useLoad(() => api.get("/api/v1/leaderboards/users", { query: { period, limit: 10 } }), [period]);
  useLiveReload(board.reload);
  const previous = useRef<Map<string, number>>(new Map());
  const data = board.data;
  const moved = new Set<string>();
  if (data) {
    for (const entry of [...data.entries, ...data.around]) {
      const key = entry.userId ?? `${entry.displayName}-${entry.rank}`;
      const before = previous.current.get(key);
      if (before !== undefined && before !== entry.rank) moved.add(key);
    }
  }
  useEffect(() => {
    if (!data) return;
    previous.current = new Map(
      [...data.entries, ...data.around].map((e) => [e.userId ?? `${e.displayName}-${e.rank}`, e.rank]),
    );
  }, [data]);

  if (board.error && !data) return <Failure error={board.error} retry={board.reload} />;
  if (!data) return <Skeleton lines={8} />;
  if (data.entries.length === 0)
    return <Empty text="Nobody has points yet this period — the first verified share takes the top spot." />;
  const meShown = data.entries.some((e) => e.isMe);
  const aroundExtra = data.around.filter((a) => !data.entries.some((e) => e.rank === a.rank && e.userId === a.userId));
  const key = (e: { userId: string | null; displayName: string; rank: number }) =>
    e.userId ?? `${e.displayName}-${e.rank}`;
  return (
    <>
      <ol class="board" aria-label="Top people">
        {data.entries.map((e) => (
          <BoardRow key={key(e)} entry={e} moved={moved.has(key(e))} />
        ))}
      </ol>
      {!meShown && aroundExtra.length > 0 && (
        <>
          <p class="gap" aria-hidden="true">
            ⋯
          </p>
          <ol class="board" aria-label="Around me">
            {aroundExtra.map((e) => (
              <BoardRow key={key(e)} entry={e} moved={moved.has(key(e))} />
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
        <p class="me-bar">You're not on this board yet — a verified share puts you on it.</p>
      )}
    </>
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
