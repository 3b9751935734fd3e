// Charts for the consoles, drawn by uPlot (loaded with the console chunk only).
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  label: string;
  values: number[];
  color: string;
  bars?: boolean;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** A small chart over labelled categories (weeks, challenges): bars and/or lines. */
export function Chart({
  labels,
  series,
  title,
  height = 220,
}: {
  labels: string[];
  series: Series[];
  title: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || labels.length === 0) return;
    const text = cssVar("--muted", "#55566b");
    const grid = cssVar("--line", "#d9dbe7");
    const bars = uPlot.paths.bars!({ size: [0.6, 48] });
    const plot = new uPlot(
      {
        width: el.clientWidth || 320,
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false } },
        axes: [
          {
            stroke: text,
            grid: { show: false },
            values: (_u, ticks) => ticks.map((t) => labels[Math.round(t)] ?? ""),
            incrs: [1],
          },
          { stroke: text, grid: { stroke: grid, width: 1 } },
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            fill: s.bars ? s.color : undefined,
            paths: s.bars ? bars : undefined,
            points: { show: !s.bars },
          })),
        ],
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
  }, [labels.join("|"), JSON.stringify(series)]);
  return (
    <figure class="chart card">
      <figcaption class="small-title">{title}</figcaption>
      <div
        ref={box}
        role="img"
        aria-label={`${title}: ${series.map((s) => `${s.label} ${s.values.join(", ")}`).join("; ")}`}
      />
    </figure>
  );
}
