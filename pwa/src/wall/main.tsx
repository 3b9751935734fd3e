// The office wall: a full-screen, hands-off view for a screen across the room (1920 × 1080):
// the board's top ten, the latest verified shares, team standings and the featured story,
// kept live by the wall's own stream (./data.ts). Its own small entry and stylesheet: the
// employee app's first load never carries it.
import { render } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { formatDate, formatNumber, formatTime, loadSurface, preferredLocale, setLocale, t } from "../i18n";
import { connectWall, secretOfPage, type WallData, type WallState } from "./data";
import "./wall.css";

type Person = WallData["board"][number];
type Share = WallData["shares"][number];
type Team = WallData["teams"][number];

const BRAND = "Chorus";
const NETWORKS: Record<string, string> = { linkedin: "LinkedIn", x: "X", facebook: "Facebook" };

/** The board's period in words (an unknown one shows as the API names it). */
function periodLabel(period: string): string {
  switch (period) {
    case "week":
      return t("wall.periodWeek");
    case "month":
      return t("wall.periodMonth");
    case "all":
      return t("wall.periodAll");
    default:
      return period;
  }
}

const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

function ago(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return t("wall.justNow");
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t("wall.minutesAgo", { count: minutes });
  const hours = Math.round(minutes / 60);
  if (hours < 24) return t("wall.hoursAgo", { count: hours });
  return formatDate(iso, { day: "numeric", month: "short" });
}

function Clock() {
  const now = useNow(1000);
  const date = new Date(now);
  return (
    <div class="wall-clock">
      <time dateTime={date.toISOString()}>{formatTime(date)}</time>
      <span>{formatDate(date, { weekday: "long", day: "numeric", month: "long" })}</span>
    </div>
  );
}

function LiveBadge({ status }: { status: WallState["status"] }) {
  const live = status === "live";
  return (
    <p class={`wall-live ${live ? "on" : "off"}`} data-testid="wall-live" role="status">
      <span class="dot" aria-hidden="true" />
      {live ? t("wall.live") : t("wall.reconnecting")}
    </p>
  );
}

/** Rows that changed place slide from where they were (FLIP), unless motion is reduced. */
function useFlip(list: { current: HTMLElement | null }, keys: string) {
  const places = useRef(new Map<string, number>());
  useLayoutEffect(() => {
    const root = list.current;
    if (!root) return;
    const before = places.current;
    const after = new Map<string, number>();
    const animate = !reducedMotion() && before.size > 0;
    for (const row of Array.from(root.children) as HTMLElement[]) {
      const key = row.dataset.key ?? "";
      const top = row.offsetTop;
      after.set(key, top);
      const was = before.get(key);
      if (!animate) continue;
      if (was === undefined) row.animate([{ opacity: 0 }, { opacity: 1 }], { duration: 600, easing: "ease-out" });
      else if (was !== top)
        row.animate([{ transform: `translateY(${was - top}px)` }, { transform: "translateY(0)" }], {
          duration: 700,
          easing: "cubic-bezier(.2,.8,.2,1)",
        });
    }
    places.current = after;
  }, [keys]);
}

function Board({ people, period }: { people: Person[]; period: string }) {
  const list = useRef<HTMLOListElement>(null);
  useFlip(list, people.map((p) => `${p.key}:${p.rank}:${p.points}`).join());
  return (
    <section class="wall-panel wall-board" aria-labelledby="wall-board-title">
      <h2 id="wall-board-title">
        {t("wall.leaderboard")} <span class="wall-sub">{periodLabel(period)}</span>
      </h2>
      {people.length === 0 ? (
        <p class="wall-empty">{t("wall.boardEmpty")}</p>
      ) : (
        <ol ref={list} data-testid="wall-board">
          {people.map((p) => (
            <li key={p.key} data-key={p.key} class={p.rank <= 3 ? `top top-${p.rank}` : undefined}>
              <span class="rank">{p.rank}</span>
              <span class={`avatar c${p.colour}`} aria-hidden="true">
                {p.initials}
              </span>
              <span class="who">
                <span class="name">{p.displayName}</span>
                {p.teamName && <span class="team">{p.teamName}</span>}
              </span>
              <span class="points">
                {formatNumber(p.points)}
                <span class="unit"> {t("wall.unit")}</span>
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Shares({ shares, now }: { shares: Share[]; now: number }) {
  const list = useRef<HTMLOListElement>(null);
  useFlip(list, shares.map((s) => s.key).join());
  return (
    <section class="wall-panel wall-shares" aria-labelledby="wall-shares-title">
      <h2 id="wall-shares-title">{t("wall.shares")}</h2>
      {shares.length === 0 ? (
        <p class="wall-empty">{t("wall.sharesEmpty")}</p>
      ) : (
        <ol ref={list} data-testid="wall-shares">
          {shares.map((s) => (
            <li key={s.key} data-key={s.key}>
              <span class="name">{s.displayName}</span>
              <span class="what">
                {s.challengeTitle} · {NETWORKS[s.network] ?? s.network}
              </span>
              <span class="when">
                {s.teamName ? `${s.teamName} · ` : ""}
                {ago(s.verifiedAt, now)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Teams({ teams }: { teams: Team[] }) {
  return (
    <section class="wall-panel wall-teams" aria-labelledby="wall-teams-title">
      <h2 id="wall-teams-title">{t("wall.teams")}</h2>
      {teams.length === 0 ? (
        <p class="wall-empty">{t("wall.teamsEmpty")}</p>
      ) : (
        <ol data-testid="wall-teams">
          {teams.slice(0, 5).map((team) => (
            <li key={team.key}>
              <span class="place">{team.rank}</span>
              <span class="name">{team.name}</span>
              <span class="points">{formatNumber(team.points)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Story({ story }: { story: WallData["story"] }) {
  if (!story) return null;
  return (
    <section class="wall-panel wall-story" aria-labelledby="wall-story-title">
      <h2 id="wall-story-title">{t("wall.story")}</h2>
      <div class="story">
        {story.photoUrl && <img src={story.photoUrl} alt="" />}
        <div>
          <p class="title">{story.title}</p>
          <p class="excerpt">{story.excerpt}</p>
          <p class="by">{t("wall.storyBy", { name: story.authorFirstName })}</p>
        </div>
      </div>
    </section>
  );
}

function Wall() {
  const [state, setState] = useState<WallState>({ data: null, status: "reconnecting", cause: null, at: 0 });
  const now = useNow(15_000);
  useEffect(() => connectWall(secretOfPage(), setState), []);
  const { data, status } = state;
  if (status === "revoked") {
    return (
      <main class="wall wall-off">
        <h1>{t("wall.offTitle")}</h1>
        <p>{t("wall.offText")}</p>
      </main>
    );
  }
  return (
    <main class="wall" data-cause={state.cause ?? ""} data-updated={state.at || undefined}>
      <header class="wall-head">
        <div>
          <h1>{data?.orgName ?? BRAND}</h1>
          <p class="wall-sub">{data ? (data.teamName ?? data.wallName) : t("wall.connecting")}</p>
        </div>
        <LiveBadge status={status} />
        <Clock />
      </header>
      {data ? (
        <div class="wall-grid">
          <Board people={data.board} period={data.period} />
          <Shares shares={data.shares} now={now} />
          <div class="wall-side">
            <Teams teams={data.teams} />
            <Story story={data.story} />
          </div>
        </div>
      ) : (
        <p class="wall-boot">{t("wall.loading")}</p>
      )}
    </main>
  );
}

/** The wall's words in the language of the browser showing it (no person, no profile), then the
 * wall. The catalog is the wall's own: nothing of the employee app's is fetched. */
async function start(): Promise<void> {
  const language = preferredLocale();
  try {
    await loadSurface("wall");
  } catch {
    // offline or the server is restarting: a screen on a wall has nobody to tap retry
    window.setTimeout(() => location.reload(), 30_000);
    return;
  }
  if (language !== "en") {
    try {
      await setLocale(language); // the wall's catalog again, in this language; sets <html lang>
    } catch {
      document.documentElement.lang = "en"; // its language could not be fetched: English
    }
  } else {
    document.documentElement.lang = "en";
  }
  document.title = t("wall.pageTitle");
  render(<Wall />, document.getElementById("wall")!);
}

void start();
