// The app's building blocks, built once and reused by every screen.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { ApiError, failureText } from "./api";
import { errorId, type Form } from "./forms";
import { formatDate, formatNumber, formatTime, t } from "./i18n";
import { usePath } from "./router";
import { me, unread } from "./session";
import { staleSince, toasts, useStore } from "./store";
import type { Badge, Challenge, UserEntry } from "./types";

const ICONS: Record<string, string> = {
  home: "M4 11.5 12 4l8 7.5V20a1 1 0 0 1-1 1h-5v-6h-4v6H5a1 1 0 0 1-1-1z",
  board: "M5 20V10h4v10zm5 0V4h4v16zm5 0v-7h4v7z",
  badge:
    "M12 2 4 5v6c0 5 3.4 9.3 8 11 4.6-1.7 8-6 8-11V5zm0 5 1.5 3 3.3.5-2.4 2.3.6 3.3-3-1.6-3 1.6.6-3.3-2.4-2.3 3.3-.5z",
  me: "M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zm0 2c-4.4 0-8 2.2-8 5v2h16v-2c0-2.8-3.6-5-8-5z",
  bell: "M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.8V3a1.5 1.5 0 0 0-3 0v1.2A7 7 0 0 0 5 11v5l-2 2v1h18v-1z",
  team: "M8 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zm8 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM8 13c-3.3 0-6 1.7-6 4v3h12v-3c0-2.3-2.7-4-6-4zm8 0c-.6 0-1.2.1-1.7.2 1.1.9 1.7 2.1 1.7 3.8v3h6v-3c0-2.3-2.7-4-6-4z",
  back: "M15.5 4.5 8 12l7.5 7.5-1.4 1.4L5.2 12l8.9-8.9z",
  heart:
    "M12 21s-7.5-4.6-9.5-9.2C1 8.3 3.2 5 6.6 5c2 0 3.4 1 5.4 3 2-2 3.4-3 5.4-3 3.4 0 5.6 3.3 4.1 6.8C19.5 16.4 12 21 12 21z",
  gear: "M19.4 13a7.5 7.5 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.6 7.6 0 0 0-1.7-1L15 3.3h-4l-.4 2.6a7.6 7.6 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.5 7.5 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1c.5.4 1.1.7 1.7 1l.4 2.6h4l.4-2.6c.6-.3 1.2-.6 1.7-1l2.5 1 2-3.5zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z",
  flame: "M12 2c1 3.5 5 5.6 5 10.5a5 5 0 0 1-10 0c0-2 1-3.6 2.3-4.6-.1 1.5.5 2.7 1.7 3.1C10.5 7.6 11.4 4.6 12 2z",
};

export function Icon({ name, size = 24 }: { name: keyof typeof ICONS | string; size?: number }) {
  return (
    <svg class="icon" width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={ICONS[name]} fill="currentColor" />
    </svg>
  );
}

interface Tab {
  path: string;
  label: () => string;
  icon: string;
  roles?: string[];
}

// Leads and admins get their console tabs (a chunk of its own, loaded when opened).
export const TABS: Tab[] = [
  { path: "/", label: () => t("components.tabHome"), icon: "home" },
  { path: "/community", label: () => t("components.tabCommunity"), icon: "heart" },
  { path: "/leaderboard", label: () => t("components.tabLeaderboard"), icon: "board" },
  { path: "/badges", label: () => t("components.tabBadges"), icon: "badge" },
  { path: "/team", label: () => t("components.tabTeam"), icon: "team", roles: ["lead", "admin"] },
  { path: "/admin", label: () => t("components.tabAdmin"), icon: "gear", roles: ["admin"] },
  { path: "/me", label: () => t("components.tabMe"), icon: "me" },
];

export function TabBar() {
  const path = usePath();
  const who = useStore(me);
  const tabs = TABS.filter((tab) => !tab.roles || (who && tab.roles.includes(who.role)));
  const active = (tab: Tab) =>
    tab.path === "/" ? path === "/" || path.startsWith("/challenges/") : path.startsWith(tab.path);
  return (
    <nav class={`tabbar ${tabs.length > 4 ? "crowded" : ""}`} aria-label={t("components.mainNav")}>
      {tabs.map((tab) => (
        <a href={tab.path} class="tab" aria-label={tab.label()} aria-current={active(tab) ? "page" : undefined}>
          <Icon name={tab.icon} />
          <span>{tab.label()}</span>
        </a>
      ))}
    </nav>
  );
}

export function TopBar({ title, back }: { title: string; back?: string }) {
  const count = useStore(unread);
  return (
    <header class="topbar">
      {back ? (
        <a href={back} class="icon-button" aria-label={t("components.back")}>
          <Icon name="back" />
        </a>
      ) : (
        <span class="brand-dot" aria-hidden="true" />
      )}
      <h1>{title}</h1>
      <a
        href="/notifications"
        class="icon-button bell"
        aria-label={count ? t("components.notificationsUnread", { count }) : t("components.notifications")}
      >
        <Icon name="bell" />
        {count > 0 && (
          <span class="count" aria-hidden="true">
            {count > 9 ? "9+" : count}
          </span>
        )}
      </a>
    </header>
  );
}

export function OfflineBanner() {
  const since = useStore(staleSince);
  if (!since) return null;
  const time = formatTime(since);
  return (
    <p class="offline" role="status">
      {t("components.offlineSince", { time })}
    </p>
  );
}

export function Toasts() {
  const items = useStore(toasts);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {items.map((item) => (
        <p key={item.id} class={`toast ${item.tone}`}>
          {item.text}
        </p>
      ))}
    </div>
  );
}

export function Skeleton({ lines = 3 }: { lines?: number }) {
  return (
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: a role would change what screen readers announce today
    <div class="skeleton" aria-busy="true" aria-label={t("components.loading")}>
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} class="skeleton-line" />
      ))}
    </div>
  );
}

export function Empty({ text, children }: { text: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p>{text}</p>
      {children}
    </div>
  );
}

export function Failure({ error, retry }: { error: unknown; retry: () => void }) {
  const text = failureText(error, t("components.somethingWrong"));
  // What is gone stays gone: a way back instead of a retry that can only fail again.
  const gone = error instanceof ApiError && (error.status === 404 || error.status === 410);
  return (
    <div class="empty" role="alert">
      <p>{text}</p>
      {gone ? (
        <a class="button primary" href="/">
          {t("components.backToChallenges")}
        </a>
      ) : (
        <button type="button" class="button secondary" onClick={retry}>
          {t("components.tryAgain")}
        </button>
      )}
    </div>
  );
}

export function timeLeft(iso: string): string {
  const ms = new Date(iso).getTime() - Date.now();
  if (ms <= 0) return t("components.ended");
  const hours = Math.floor(ms / 3_600_000);
  if (hours < 1) return t("components.endsWithinHour");
  if (hours < 48) return t("components.hoursLeft", { hours });
  return t("components.daysLeft", { days: Math.floor(hours / 24) });
}

function statusLabel(status: string): string {
  switch (status) {
    case "todo":
      return t("components.statusTodo");
    case "pending":
      return t("components.statusPending");
    case "verified":
      return t("components.statusVerified");
    case "rejected":
      return t("components.statusRejected");
    case "draft":
      return t("components.statusDraft");
    case "scheduled":
      return t("components.statusScheduled");
    case "active":
      return t("components.statusActive");
    case "ended":
      return t("components.statusEnded");
    case "archived":
      return t("components.statusArchived");
    case "open":
      return t("components.statusOpen");
    case "closed":
      return t("components.statusClosed");
    default:
      return status;
  }
}

export function StatusChip({ status }: { status: string }) {
  return <span class={`chip status-${status}`}>{statusLabel(status)}</span>;
}

export function ChallengeCard({ challenge }: { challenge: Challenge }) {
  const preview = challenge.preview;
  return (
    <a class="card challenge-card" href={`/challenges/${challenge.id}`}>
      {preview.imageUrl ? (
        <img class="preview-image" src={preview.imageUrl} alt="" loading="lazy" referrerpolicy="no-referrer" />
      ) : (
        <div class="preview-image placeholder" aria-hidden="true" />
      )}
      <div class="card-body">
        <h2 class="card-title">{challenge.title}</h2>
        {preview.title && <p class="muted clamp">{preview.title}</p>}
        <p class="card-meta">
          {challenge.kind === "story" && <span class="chip">{t("components.yourStory")}</span>}
          {challenge.kind === "lesson" && <span class="chip">{t("components.lesson")}</span>}
          <span class="chip points">{t("components.plusPoints", { points: challenge.points })}</span>
          <span class="muted">{timeLeft(challenge.endsAt)}</span>
          {challenge.myStatus && <StatusChip status={challenge.myStatus} />}
        </p>
      </div>
    </a>
  );
}

export function LevelRing({ points, level, next }: { points: number; level: number; next: number | null }) {
  const ring = useRef<SVGCircleElement>(null);
  const fraction = next ? Math.min(1, points / next) : 1;
  useEffect(() => {
    ring.current?.style.setProperty("stroke-dashoffset", String(100 - fraction * 100));
  }, [fraction]);
  return (
    <div class="level">
      <svg viewBox="0 0 36 36" class="ring" aria-hidden="true">
        <circle cx="18" cy="18" r="15.9" pathLength={100} class="ring-track" />
        <circle cx="18" cy="18" r="15.9" pathLength={100} class="ring-fill" ref={ring} />
      </svg>
      <div>
        <p class="big-number" data-testid="my-points">
          {formatNumber(points)} <span class="unit">{t("components.pts")}</span>
        </p>
        <p class="muted">
          {next
            ? t("components.levelNext", { level, remaining: next - points, nextLevel: level + 1 })
            : t("components.levelTop", { level })}
        </p>
      </div>
    </div>
  );
}

export function Streak({ weeks, freezes }: { weeks: number; freezes: number }) {
  return (
    <div class={`streak ${weeks ? "on" : ""}`}>
      <Icon name="flame" />
      <div>
        <p class="big-number">
          {weeks} <span class="unit">{t("components.weeksUnit", { count: weeks })}</span>
        </p>
        <p class="muted">
          {freezes ? t("components.streakFreezes", { count: freezes }) : t("components.weeklyStreak")}
        </p>
      </div>
    </div>
  );
}

/** A board entry with what the API adds for the game (older servers leave them out). */
export type BoardEntry = UserEntry & { movement?: number | null; initials?: string; colour?: number };

export const ANONYMOUS = "Anonymous advocate"; // how the API names people who hide from boards (an API value)

/** The name a board shows: the API's "Anonymous advocate" in the language on screen. */
export function shownName(entry: BoardEntry): string {
  return entry.userId === null && entry.displayName === ANONYMOUS ? t("components.anonymous") : entry.displayName;
}

function initialsOf(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase();
}

/** One of the 12 avatar colours, the same for a person everywhere (the API's, else from the id). */
function colourOf(entry: BoardEntry): number {
  if (typeof entry.colour === "number") return ((entry.colour % 12) + 12) % 12;
  const key = entry.userId ?? entry.displayName;
  let hash = 0;
  for (const char of key) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return Math.abs(hash) % 12;
}

export function Avatar({ entry, size = "" }: { entry: BoardEntry; size?: "" | "big" }) {
  return (
    <span class={`avatar av-${colourOf(entry)} ${size}`} aria-hidden="true">
      {entry.initials || initialsOf(entry.displayName)}
    </span>
  );
}

/** ▲2 / ▼1 / — since yesterday, said in words to screen readers; nothing when unknown (new today). */
export function Movement({ by }: { by: number | null | undefined }) {
  if (by === null || by === undefined) return <span class="movement" />;
  const [glyph, words, tone] =
    by > 0
      ? [`▲${by}`, t("components.movedUp", { by }), "up"]
      : by < 0
        ? [`▼${-by}`, t("components.movedDown", { by: -by }), "down"]
        : ["—", t("components.movedSame"), "same"];
  return (
    <span class={`movement ${tone}`} data-testid="movement">
      <span aria-hidden="true">{glyph}</span>
      <span class="visually-hidden">{words}</span>
    </span>
  );
}

export function BoardRow({ entry, moved, passed }: { entry: BoardEntry; moved?: boolean; passed?: boolean }) {
  return (
    <li
      class={`board-row ${entry.isMe ? "me" : ""} ${moved ? "moved" : ""} ${passed ? "passed" : ""}`}
      aria-current={entry.isMe ? "true" : undefined}
    >
      <span class="rank">{entry.rank}</span>
      <Avatar entry={entry} />
      <span class="who">
        <span class="name">{entry.isMe ? t("components.nameYou", { name: entry.displayName }) : shownName(entry)}</span>
        {entry.teamName && <span class="muted small">{entry.teamName}</span>}
      </span>
      <Movement by={entry.movement} />
      <span class="points">{formatNumber(entry.points)}</span>
    </li>
  );
}

export function BadgeTile({ badge }: { badge: Badge }) {
  const glyph = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    // The icon is a one-colour SVG: drawn as a mask so it takes the tile's colour (CSP-safe).
    glyph.current?.style.setProperty("--icon", `url("${badge.iconUrl}")`);
  }, [badge.iconUrl]);
  const earned = Boolean(badge.earnedAt);
  const progress = badge.progress;
  return (
    <li class={`badge-tile ${earned ? "earned" : "locked"}`}>
      <span class="badge-glyph" ref={glyph} aria-hidden="true" />
      <p class="badge-name">{badge.name}</p>
      <p class="muted small">{badge.description}</p>
      {earned ? (
        <p class="small earned-on">{t("components.earnedOn", { date: formatDate(badge.earnedAt!, {}) })}</p>
      ) : progress ? (
        <>
          <progress
            max={progress.target}
            value={Math.min(progress.current, progress.target)}
            aria-label={t("components.badgeProgress", { name: badge.name })}
          />
          <p class="small muted">
            {Math.min(progress.current, progress.target)} / {progress.target}
          </p>
        </>
      ) : (
        <p class="small muted">{t("components.locked")}</p>
      )}
    </li>
  );
}

/** A new password's field: the server's rules (10 to 256 characters) checked by the browser too,
 * with its error beside it when a form holds one for `name`. */
export function NewPassword({
  label = t("components.newPassword"),
  value,
  onChange,
  form,
  name = "password",
}: {
  label?: string;
  value: string;
  onChange: (value: string) => void;
  form?: Form;
  name?: string;
}) {
  return (
    <>
      <label>
        {t("components.passwordLabel", { label })}
        <input
          type="password"
          autocomplete="new-password"
          required
          minLength={10}
          maxLength={256}
          value={value}
          onInput={(e) => {
            onChange(e.currentTarget.value);
            form?.clear(name);
          }}
          {...form?.field(name)}
        />
      </label>
      {form && <FieldError form={form} name={name} />}
    </>
  );
}

/** A form's failure, read out when it appears. */
export function FormError({ error }: { error: string | null | undefined }) {
  return error ? (
    <p class="error form-error" role="alert">
      {error}
    </p>
  ) : null;
}

/** The sentence about one field, right under it (its control points here with aria-describedby). */
export function FieldError({ form, name }: { form: Form; name: string }) {
  const message = form.errors.fields[name];
  return message ? (
    <p class="field-error" id={errorId(form.formId, name)} role="alert">
      {message}
    </p>
  ) : null;
}

/** "12 / 120" under a field with a limit: turns to a warning near the end. */
export function Counter({ id, length, max }: { id: string; length: number; max: number }) {
  return (
    <span id={id} class={`counter small ${length > max * 0.9 ? "near" : "muted"}`}>
      {length} / {max}
      <span class="visually-hidden"> {t("components.characters")}</span>
    </span>
  );
}
