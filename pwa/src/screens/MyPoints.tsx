// Me → "My points": what the last 90 days earned, day by day, drawn as a small inline SVG (no
// chart library on the employee's first load), with the numbers in words for screen readers.
import { api, type Schemas } from "../api";
import { Skeleton } from "../components";
import { useLoad } from "../load";

type Day = Schemas["DayPoints"];

const DAYS = 90;
const WIDTH = 320;
const HEIGHT = 96;

function dayLabel(date: string): string {
  return new Date(`${date}T12:00:00`).toLocaleDateString([], { month: "short", day: "numeric" });
}

export function MyPoints() {
  const loaded = useLoad(() => api.get("/api/v1/me/points", { query: { days: DAYS } }), []);
  if (loaded.error) return null; // an older server without the series: Me goes on without it
  const data = loaded.data;
  return (
    <>
      <h2 class="section-title">My points, last {DAYS} days</h2>
      {!data ? <Skeleton lines={1} /> : <PointsChart series={data.series} allTime={data.total} />}
    </>
  );
}

export function PointsChart({ series, allTime }: { series: Day[]; allTime: number }) {
  const total = series.reduce((sum, day) => sum + day.points, 0);
  if (total === 0)
    return (
      <p class="card pad muted" data-testid="points-chart">
        {allTime > 0
          ? `No points in the last ${DAYS} days — ${allTime.toLocaleString()} all time. A share this week starts a new run.`
          : `No points yet — your first verified share starts this chart.`}
      </p>
    );
  const best = series.reduce((top, day) => (day.points > top.points ? day : top), series[0]);
  const activeDays = series.filter((day) => day.points > 0).length;
  const slot = WIDTH / Math.max(series.length, 1);
  const bar = Math.max(1, slot - 1);
  const scale = (HEIGHT - 4) / Math.max(best.points, 1);
  const summary = `${total.toLocaleString()} points over ${activeDays} ${activeDays === 1 ? "day" : "days"}; best day ${dayLabel(best.date)} with ${best.points.toLocaleString()}.`;
  return (
    <figure class="card pad points-chart" data-testid="points-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={summary}>
        <line x1="0" y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} class="axis" />
        {series.map((day, i) =>
          day.points > 0 ? (
            <rect
              key={day.date}
              x={i * slot}
              y={HEIGHT - day.points * scale}
              width={bar}
              height={day.points * scale}
              rx="1"
            />
          ) : null,
        )}
      </svg>
      <figcaption class="row between small muted">
        <span>{series.length ? dayLabel(series[0].date) : ""}</span>
        <span>
          <strong class="total">{total.toLocaleString()}</strong> pts
        </span>
        <span>{series.length ? dayLabel(series[series.length - 1].date) : ""}</span>
      </figcaption>
    </figure>
  );
}
