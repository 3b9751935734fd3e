// Charts for the consoles, drawn by uPlot (loaded with the console chunk only).
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { formatNumber, locale, t } from "../i18n";
import "uplot/dist/uPlot.min.css";

export interface Series {
  label: string;
  values: number[];
  color: string;
  bars?: boolean;
  /** A measure of another kind (people, not points) gets its own axis on the right. */
  ownAxis?: boolean;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

// Counts of points, shares and people: whole-number ticks only.
const WHOLE = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 25_000, 50_000, 100_000];

const number = (value: number | null | undefined) =>
  value === null || value === undefined ? "–" : formatNumber(value);

/**
 * A small chart over labelled categories (weeks, challenges): bars and/or lines. The legend
 * names each series with the value under the cursor, and the latest category's when the
 * cursor is elsewhere; the x scale keeps half a slot at each end so no bar is cut.
 */
export function Chart({
  labels,
  series,
  title,
  xLabel = "",
  height = 220,
}: {
  labels: string[];
  series: Series[];
  title: string;
  /** What a category is ("Week"): the legend's first item. */
  xLabel?: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || labels.length === 0) return;
    const text = cssVar("--muted", "#55566b");
    const grid = cssVar("--line", "#d9dbe7");
    const bars = uPlot.paths.bars!({ size: [0.6, 48] });
    const last = labels.length - 1;
    const rightAxis = series.find((s) => s.ownAxis);
    const showLatest = (u: uPlot) => {
      if (u.cursor.idx === null || u.cursor.idx === undefined) u.setLegend({ idx: last }, false);
    };
    const plot = new uPlot(
      {
        width: el.clientWidth || 320,
        height,
        legend: { show: true, live: true },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: false, range: () => [-0.5, last + 0.5] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] },
          ...(rightAxis ? { right: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } } : {}),
        },
        axes: [
          {
            stroke: text,
            grid: { show: false },
            values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? (labels[t] ?? "") : "")),
            incrs: [1],
          },
          {
            stroke: text,
            grid: { stroke: grid, width: 1 },
            incrs: WHOLE,
            label: series
              .filter((s) => !s.ownAxis)
              .map((s) => s.label)
              .join(", "),
            labelSize: 18,
            labelFont: "12px system-ui, sans-serif",
          },
          ...(rightAxis
            ? [
                {
                  scale: "right",
                  side: 1,
                  stroke: rightAxis.color === "#f59e0b" ? text : rightAxis.color,
                  grid: { show: false },
                  incrs: WHOLE,
                  label: rightAxis.label,
                  labelSize: 18,
                  labelFont: "12px system-ui, sans-serif",
                },
              ]
            : []),
        ],
        series: [
          { label: xLabel || title, value: (_u: uPlot, v: number | null) => (v === null ? "–" : (labels[v] ?? "–")) },
          ...series.map((s) => ({
            label: s.label,
            scale: s.ownAxis ? "right" : "y",
            stroke: s.color,
            width: 2,
            fill: s.bars ? s.color : undefined,
            paths: s.bars ? bars : undefined,
            points: { show: !s.bars },
            value: (_u: uPlot, v: number | null) => number(v),
          })),
        ],
        hooks: { ready: [showLatest], setCursor: [showLatest] },
      },
      [labels.map((_, i) => i), ...series.map((s) => s.values)],
      el,
    );
    const resize = () => plot.setSize({ width: el.clientWidth || 320, height });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [labels.join("|"), JSON.stringify(series), locale.get()]);
  return (
    <figure class="chart card">
      <figcaption class="small-title">{title}</figcaption>
      <div
        ref={box}
        role="img"
        aria-label={t("consoleChart.summary", {
          title,
          series: series
            .map((s) => t("consoleChart.seriesValues", { label: s.label, values: s.values.join(", ") }))
            .join("; "),
        })}
      />
    </figure>
  );
}
