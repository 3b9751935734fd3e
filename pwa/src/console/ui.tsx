// Bits the console screens share.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { formatNumber, t } from "../i18n";

export function Section({
  title,
  children,
  action,
}: {
  title: string;
  children: ComponentChildren;
  action?: ComponentChildren;
}) {
  return (
    <section class="console-section">
      <div class="row between">
        <h2 class="section-title">{title}</h2>
        {action}
      </div>
      {children}
    </section>
  );
}

export function Stat({ label, value, hint }: { label: string; value: string | number; hint?: string }) {
  return (
    <div class="stat card">
      <p class="muted small">{label}</p>
      <p class="big-number">{value}</p>
      {hint && <p class="muted small">{hint}</p>}
    </div>
  );
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "–" : formatNumber(rate, { style: "percent", maximumFractionDigits: 0 });
}

/** A measure such as clicks per share (up to 3 decimals) in the language on screen, "–" when none. */
export function decimal(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : formatNumber(value);
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A range of whole days: the last 7, 30 or 90, or chosen dates. */
export function useRange(initialDays = 30) {
  const today = new Date();
  const [to, setTo] = useState(isoDay(today));
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - (initialDays - 1) * 86_400_000)));
  return { from, to, setFrom, setTo, query: `from=${from}&to=${to}` };
}

export function RangePicker({ range }: { range: ReturnType<typeof useRange> }) {
  const preset = (days: number) => {
    const end = new Date();
    range.setTo(isoDay(end));
    range.setFrom(isoDay(new Date(end.getTime() - (days - 1) * 86_400_000)));
  };
  return (
    <div class="range row">
      <label>
        {t("consoleUi.from")}
        <input type="date" value={range.from} max={range.to} onChange={(e) => range.setFrom(e.currentTarget.value)} />
      </label>
      <label>
        {t("consoleUi.to")}
        <input type="date" value={range.to} min={range.from} onChange={(e) => range.setTo(e.currentTarget.value)} />
      </label>
      <div class="row" role="group" aria-label={t("consoleUi.quickRanges")}>
        {[7, 30, 90].map((d) => (
          <button type="button" class="button secondary compact" onClick={() => preset(d)}>
            {t("consoleUi.days", { count: d })}
          </button>
        ))}
      </div>
    </div>
  );
}

export function Field({
  label,
  children,
  hint,
}: {
  label: string;
  children: ComponentChildren;
  hint?: ComponentChildren;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is one of the children
    <label>
      {label}
      {children}
      {hint && <span class="muted small">{hint}</span>}
    </label>
  );
}
