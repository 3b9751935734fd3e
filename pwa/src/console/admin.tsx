// The admin console: a home with what needs action now, each section its own route under /admin.
import { api } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
import { formatNumber, t } from "../i18n";
import { useLoad } from "../load";
import { match } from "../router";
import { AnalyticsScreen } from "./analytics";
import { BadgesAdmin, PillarsAdmin } from "./catalog";
import { ChallengeEditor, ChallengeResults, ChallengesAdmin } from "./challenges";
import { CommunityAdmin } from "./community";
import { InvitesAdmin } from "./invites";
import { OrganizationAdmin } from "./orgSettings";
import { PeopleAdmin } from "./people";
import { ReviewQueue } from "./review";
import { RafflesAdmin, RedemptionsAdmin, RewardsAdmin } from "./rewards";
import { SsoAdmin } from "./sso";
import { SurveyResultsScreen, SurveysAdmin } from "./surveys";
import { TeamsAdmin } from "./teams";
import { percent, Section } from "./ui";
import { WallsAdmin } from "./walls";

/** Every section: link, title, what it is for (a function: the catalogs load after this module). */
function sections(): [string, string, string][] {
  return [
    ["/admin/challenges", t("consoleAdmin.sectionChallenges"), t("consoleAdmin.sectionChallengesText")],
    ["/admin/review", t("consoleAdmin.sectionReview"), t("consoleAdmin.sectionReviewText")],
    ["/admin/people", t("consoleAdmin.sectionPeople"), t("consoleAdmin.sectionPeopleText")],
    ["/admin/teams", t("consoleAdmin.sectionTeams"), t("consoleAdmin.sectionTeamsText")],
    ["/admin/invites", t("consoleAdmin.sectionInvites"), t("consoleAdmin.sectionInvitesText")],
    ["/admin/analytics", t("consoleAdmin.sectionAnalytics"), t("consoleAdmin.sectionAnalyticsText")],
    ["/admin/surveys", t("consoleAdmin.sectionSurveys"), t("consoleAdmin.sectionSurveysText")],
    ["/admin/rewards", t("consoleAdmin.sectionRewards"), t("consoleAdmin.sectionRewardsText")],
    ["/admin/redemptions", t("consoleAdmin.sectionRedemptions"), t("consoleAdmin.sectionRedemptionsText")],
    ["/admin/community", t("consoleAdmin.sectionCommunity"), t("consoleAdmin.sectionCommunityText")],
    ["/admin/pillars", t("consoleAdmin.sectionPillars"), t("consoleAdmin.sectionPillarsText")],
    ["/admin/badges", t("consoleAdmin.sectionBadges"), t("consoleAdmin.sectionBadgesText")],
    ["/admin/walls", t("consoleAdmin.sectionWalls"), t("consoleAdmin.sectionWallsText")],
    ["/admin/sso", t("consoleAdmin.sectionSso"), t("consoleAdmin.sectionSsoText")],
    ["/admin/organization", t("consoleAdmin.sectionOrganization"), t("consoleAdmin.sectionOrganizationText")],
  ];
}

export function AdminConsole({ path }: { path: string }) {
  const resultsOf = match("/admin/challenges/:id/results", path);
  if (resultsOf) return <ChallengeResults id={resultsOf.id} />;
  const editing = match("/admin/challenges/:id", path);
  if (editing) return <ChallengeEditor id={editing.id === "new" ? null : editing.id} />;
  const results = match("/admin/surveys/:id", path);
  if (results) return <SurveyResultsScreen id={results.id} />;
  const team = match("/admin/teams/:id", path);
  if (team) return <TeamsAdmin teamId={team.id} />;
  switch (path.replace(/\/+$/, "")) {
    case "/admin/challenges":
      return <ChallengesAdmin />;
    case "/admin/review":
      return <ReviewQueue />;
    case "/admin/people":
      return <PeopleAdmin />;
    case "/admin/teams":
      return <TeamsAdmin teamId={null} />;
    case "/admin/invites":
      return <InvitesAdmin />;
    case "/admin/analytics":
      return <AnalyticsScreen />;
    case "/admin/surveys":
      return <SurveysAdmin />;
    case "/admin/community":
      return <CommunityAdmin />;
    case "/admin/pillars":
      return <PillarsAdmin />;
    case "/admin/badges":
      return <BadgesAdmin />;
    case "/admin/sso":
      return <SsoAdmin />;
    case "/admin/organization":
      return <OrganizationAdmin />;
    case "/admin/walls":
      return <WallsAdmin />;
    case "/admin/rewards":
      return <RewardsAdmin />;
    case "/admin/redemptions":
      return <RedemptionsAdmin />;
    case "/admin/raffles":
      return <RafflesAdmin />;
    default:
      return <AdminHome />;
  }
}

function Count({ href, label, value, hint }: { href?: string; label: string; value: number; hint: string }) {
  const body = (
    <>
      <span class="muted small">{label}</span>
      <span class="big-number">{formatNumber(value)}</span>
      <span class="muted small">{hint}</span>
    </>
  );
  return (
    <li>
      {href ? (
        <a class={`card count-link ${value > 0 ? "needs" : ""}`} href={href}>
          {body}
        </a>
      ) : (
        <div class="card count-link">{body}</div>
      )}
    </li>
  );
}

function AdminHome() {
  const overview = useLoad(() => api.get("/api/v1/admin/overview"), []);
  const o = overview.data;
  return (
    <main class="screen console">
      <TopBar title={t("consoleAdmin.title")} />
      <Section title={t("consoleAdmin.needsYou")}>
        {overview.error && !o ? (
          <Failure error={overview.error} retry={overview.reload} />
        ) : !o ? (
          <Skeleton lines={2} />
        ) : (
          <ul class="counts">
            <Count
              href="/admin/review"
              label={t("consoleAdmin.toReview")}
              value={o.toReview}
              hint={t("consoleAdmin.toReviewHint")}
            />
            <Count
              href="/admin/community"
              label={t("consoleAdmin.reports")}
              value={o.reports}
              hint={t("consoleAdmin.reportsHint")}
            />
            <Count
              href="/admin/invites"
              label={t("consoleAdmin.pendingInvites")}
              value={o.pendingInvites}
              hint={t("consoleAdmin.pendingInvitesHint")}
            />
            <Count
              href="/admin/redemptions"
              label={t("consoleAdmin.redemptions")}
              value={o.redemptions}
              hint={t("consoleAdmin.redemptionsHint")}
            />
            <Count
              href="/admin/challenges"
              label={t("consoleAdmin.liveChallenges")}
              value={o.activeChallenges}
              hint={t("consoleAdmin.liveChallengesHint")}
            />
            <li>
              <a class="card count-link" href="/admin/analytics">
                <span class="muted small">{t("consoleAdmin.takingPartThisWeek")}</span>
                <span class="big-number">{percent(o.participationThisWeek.rate)}</span>
                <span class="muted small">
                  {t("consoleAdmin.activeOf", {
                    active: formatNumber(o.participationThisWeek.active),
                    total: formatNumber(o.participationThisWeek.total),
                  })}
                </span>
              </a>
            </li>
          </ul>
        )}
      </Section>
      <div class="admin-sections">
        <Section title={t("consoleAdmin.everythingElse")}>
          <ul class="cards">
            {sections().map(([href, title, text]) => (
              <li key={href}>
                <a class="card admin-link" href={href}>
                  <span class="card-title">{title}</span>
                  <span class="muted">{text}</span>
                </a>
              </li>
            ))}
          </ul>
        </Section>
      </div>
    </main>
  );
}
