// The console chunk: team-lead and admin screens, loaded only when someone opens them. On a
// desktop (≥ 1024 px) they sit beside a sidebar that replaces the phone's bottom tab bar.
import { Icon } from "../components";
import { t } from "../i18n";
import { match } from "../router";
import { me } from "../session";
import { useStore } from "../store";
import { AdminConsole } from "./admin";
import "./console.css";
import { ConfirmHost } from "./kit";
import { TeamConsole } from "./team";

/** The admin sections in the sidebar (a function: the catalogs load after this module). */
function adminLinks(): [string, string][] {
  return [
    ["/admin", t("consoleIndex.overview")],
    ["/admin/review", t("consoleIndex.reviewQueue")],
    ["/admin/challenges", t("consoleIndex.challenges")],
    ["/admin/people", t("consoleIndex.people")],
    ["/admin/teams", t("consoleIndex.teams")],
    ["/admin/invites", t("consoleIndex.invites")],
    ["/admin/surveys", t("consoleIndex.surveys")],
    ["/admin/rewards", t("consoleIndex.rewards")],
    ["/admin/redemptions", t("consoleIndex.redemptions")],
    ["/admin/raffles", t("consoleIndex.raffles")],
    ["/admin/analytics", t("consoleIndex.impact")],
    ["/admin/community", t("consoleIndex.community")],
    ["/admin/pillars", t("consoleIndex.narrative")],
    ["/admin/badges", t("consoleIndex.badges")],
    ["/admin/walls", t("consoleIndex.officeWalls")],
    ["/admin/sso", t("consoleIndex.signIn")],
  ];
}

/** The way back to the app's tabs: link, label, icon. */
function appLinks(): [string, string, string][] {
  return [
    ["/", t("consoleIndex.home"), "home"],
    ["/community", t("consoleIndex.appCommunity"), "heart"],
    ["/leaderboard", t("consoleIndex.leaderboard"), "board"],
    ["/me", t("consoleIndex.me"), "me"],
  ];
}

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
    <nav class="console-nav" aria-label={t("consoleIndex.console")}>
      <p class="console-brand">
        {/* i18n-ignore: the brand */}
        <span class="brand-dot" aria-hidden="true" /> Chorus
      </p>
      {isAdmin && (
        <ul>
          {adminLinks().map(([href, label]) => (
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
            {t("consoleIndex.myTeam")}
          </a>
        </li>
      </ul>
      <ul class="console-app-links">
        {appLinks().map(([href, label, icon]) => (
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
