// Me → "My points": what the last 90 days earned, day by day, drawn as a small inline SVG (no
// chart library on the employee's first load), with the numbers in words for screen readers.
import { api, type Schemas } from "../api";
import { Skeleton } from "../components";
import { formatDate, formatNumber, t } from "../i18n";
import { useLoad } from "../load";

type Day = Schemas["DayPoints"];

const DAYS = 90;
const WIDTH = 320;
const HEIGHT = 96;

function dayLabel(date: string): string {
  return formatDate(`${date}T12:00:00`, { month: "short", day: "numeric" });
}

export function MyPoints() {
  const loaded = useLoad(() => api.get("/api/v1/me/points", { query: { days: DAYS } }), []);
  if (loaded.error) return null; // an older server without the series: Me goes on without it
  const data = loaded.data;
  return (
    <>
      <h2 class="section-title">{t("myPoints.title", { days: DAYS })}</h2>
      {!data ? <Skeleton lines={1} /> : <PointsChart series={data.series} allTime={data.total} />}
    </>
  );
}

export function PointsChart({ series, allTime }: { series: Day[]; allTime: number }) {
  const total = series.reduce((sum, day) => sum + day.points, 0);
  if (total === 0)
    return (
      <p class="card pad muted" data-testid="points-chart">
        {allTime > 0 ? t("myPoints.noneLately", { days: DAYS, allTime }) : t("myPoints.noneYet")}
      </p>
    );
  const best = series.reduce((top, day) => (day.points > top.points ? day : top), series[0]);
  const activeDays = series.filter((day) => day.points > 0).length;
  const slot = WIDTH / Math.max(series.length, 1);
  const bar = Math.max(1, slot - 1);
  const scale = (HEIGHT - 4) / Math.max(best.points, 1);
  const summary = t("myPoints.summary", { total, activeDays, bestDay: dayLabel(best.date), best: best.points });
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
          <strong class="total">{formatNumber(total)}</strong> {t("myPoints.pts")}
        </span>
        <span>{series.length ? dayLabel(series[series.length - 1].date) : ""}</span>
      </figcaption>
    </figure>
  );
}
