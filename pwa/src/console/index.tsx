// The console chunk: team-lead and admin screens, loaded only when someone opens them. On a
// desktop (≥ 1024 px) they sit beside a sidebar that replaces the phone's bottom tab bar.
import { Icon } from "../components";
import { match } from "../router";
import { me } from "../session";
import { useStore } from "../store";
import { AdminConsole } from "./admin";
import "./console.css";
import { ConfirmHost } from "./kit";
import { TeamConsole } from "./team";

const ADMIN_LINKS: [string, string][] = [
  ["/admin", "Overview"],
  ["/admin/review", "Review queue"],
  ["/admin/challenges", "Challenges"],
  ["/admin/people", "People"],
  ["/admin/teams", "Teams"],
  ["/admin/invites", "Invites"],
  ["/admin/surveys", "Surveys"],
  ["/admin/rewards", "Rewards"],
  ["/admin/redemptions", "Redemptions"],
  ["/admin/raffles", "Raffles"],
  ["/admin/analytics", "Impact"],
  ["/admin/community", "Community"],
  ["/admin/pillars", "Narrative"],
  ["/admin/badges", "Badges"],
  ["/admin/walls", "Office walls"],
  ["/admin/sso", "Sign-in"],
];

const APP_LINKS: [string, string, string][] = [
  ["/", "Home", "home"],
  ["/community", "Community", "heart"],
  ["/leaderboard", "Leaderboard", "board"],
  ["/me", "Me", "me"],
];

function current(href: string, path: string): boolean {
  const clean = path.replace(/\/+$/, "") || "/";
  if (href === "/admin" || href === "/team") return clean === href || (href === "/team" && clean.startsWith("/team/"));
  return clean === href || clean.startsWith(`${href}/`);
}

/** The desktop sidebar: the console's sections, then the way back to the app. */
function Sidebar({ path }: { path: string }) {
  const who = useStore(me);
  const isAdmin = who?.role === "admin";
  return (
    <nav class="console-nav" aria-label="Console">
      <p class="console-brand">
        <span class="brand-dot" aria-hidden="true" /> Chorus
      </p>
      {isAdmin && (
        <ul>
          {ADMIN_LINKS.map(([href, label]) => (
            <li key={href}>
              <a href={href} aria-current={current(href, path) ? "page" : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      )}
      <ul>
        <li>
          <a href="/team" aria-current={current("/team", path) ? "page" : undefined}>
            My team
          </a>
        </li>
      </ul>
      <ul class="console-app-links">
        {APP_LINKS.map(([href, label, icon]) => (
          <li key={href}>
            <a href={href}>
              <Icon name={icon} size={20} />
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function Console({ path }: { path: string }) {
  const team = match("/team/:id", path);
  return (
    <div class="console-layout">
      <Sidebar path={path} />
      <div class="console-main">
        {path.startsWith("/admin") ? <AdminConsole path={path} /> : <TeamConsole teamId={team?.id ?? null} />}
      </div>
      <ConfirmHost />
    </div>
  );
}
