// The admin console: a home with what needs action now, each section its own route under /admin.
import { api } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
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

const SECTIONS: [string, string, string][] = [
  ["/admin/challenges", "Challenges", "Write, schedule and publish what people share."],
  ["/admin/review", "Review queue", "Shares waiting for a human look, with the evidence."],
  ["/admin/people", "People", "Find anyone, set roles, teams and who leads a team."],
  ["/admin/teams", "Teams", "Rename, remove and give teams their leads."],
  ["/admin/invites", "Invites", "Invite one by one or from a CSV, and who hasn't joined yet."],
  ["/admin/analytics", "Impact", "Shares, clicks, participation and the amplification ratio."],
  ["/admin/surveys", "Pulse surveys", "Ask how it's going; read answers only in aggregate."],
  ["/admin/rewards", "Rewards", "What points can buy, the budget, and raffles anyone can audit."],
  ["/admin/redemptions", "Redemptions", "Hand out what people redeemed, with a note."],
  ["/admin/community", "Community", "Stories to review and feature, reports, house rules."],
  ["/admin/pillars", "Narrative", "The 2–4 key messages your challenges tell."],
  ["/admin/badges", "Badges", "What people earn, and how."],
  ["/admin/walls", "Office walls", "A live leaderboard for a screen in the office, no sign-in."],
  ["/admin/sso", "Single sign-on", "Sign people in through your company's identity provider."],
  ["/admin/organization", "Organization", "The disclosure tag and how long post texts are kept."],
];

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
      <span class="big-number">{value.toLocaleString()}</span>
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
      <TopBar title="Admin" />
      <Section title="Needs you now">
        {overview.error && !o ? (
          <Failure error={overview.error} retry={overview.reload} />
        ) : !o ? (
          <Skeleton lines={2} />
        ) : (
          <ul class="counts">
            <Count href="/admin/review" label="To review" value={o.toReview} hint="shares waiting for a look" />
            <Count href="/admin/community" label="Reports" value={o.reports} hint="posts people flagged" />
            <Count href="/admin/invites" label="Pending invites" value={o.pendingInvites} hint="not joined yet" />
            <Count href="/admin/redemptions" label="Redemptions" value={o.redemptions} hint="rewards to hand out" />
            <Count
              href="/admin/challenges"
              label="Live challenges"
              value={o.activeChallenges}
              hint="open to share now"
            />
            <li>
              <a class="card count-link" href="/admin/analytics">
                <span class="muted small">Taking part this week</span>
                <span class="big-number">{percent(o.participationThisWeek.rate)}</span>
                <span class="muted small">
                  {o.participationThisWeek.active.toLocaleString()} of {o.participationThisWeek.total.toLocaleString()}{" "}
                  people
                </span>
              </a>
            </li>
          </ul>
        )}
      </Section>
      <div class="admin-sections">
        <Section title="Everything else">
          <ul class="cards">
            {SECTIONS.map(([href, title, text]) => (
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
