// The admin console: a home of sections, each its own route under /admin.
import { TopBar } from "../components";
import { match } from "../router";
import { AnalyticsScreen } from "./analytics";
import { BadgesAdmin, PillarsAdmin } from "./catalog";
import { ChallengeEditor, ChallengesAdmin } from "./challenges";
import { CommunityAdmin } from "./community";
import { PeopleAdmin } from "./people";
import { ReviewQueue } from "./review";
import { SsoAdmin } from "./sso";
import { SurveyResultsScreen, SurveysAdmin } from "./surveys";

const SECTIONS: [string, string, string][] = [
  ["/admin/challenges", "Challenges", "Write, schedule and publish what people share."],
  ["/admin/review", "Review queue", "Shares waiting for a human look, with the evidence."],
  ["/admin/people", "People and teams", "Invite one by one or from a CSV, set roles and teams."],
  ["/admin/analytics", "Impact", "Shares, clicks, participation and the amplification ratio."],
  ["/admin/surveys", "Pulse surveys", "Ask how it's going; read answers only in aggregate."],
  ["/admin/community", "Community", "Stories to review and feature, reports, house rules."],
  ["/admin/pillars", "Narrative", "The 2–4 key messages your challenges tell."],
  ["/admin/badges", "Badges", "What people earn, and how."],
  ["/admin/sso", "Single sign-on", "Sign people in through your company's identity provider."],
];

export function AdminConsole({ path }: { path: string }) {
  const editing = match("/admin/challenges/:id", path);
  if (editing) return <ChallengeEditor id={editing.id === "new" ? null : editing.id} />;
  const results = match("/admin/surveys/:id", path);
  if (results) return <SurveyResultsScreen id={results.id} />;
  switch (path.replace(/\/+$/, "")) {
    case "/admin/challenges":
      return <ChallengesAdmin />;
    case "/admin/review":
      return <ReviewQueue />;
    case "/admin/people":
      return <PeopleAdmin />;
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
    default:
      return (
        <main class="screen console">
          <TopBar title="Admin" />
          <ul class="cards">
            {SECTIONS.map(([href, title, text]) => (
              <li>
                <a class="card admin-link" href={href}>
                  <span class="card-title">{title}</span>
                  <span class="muted">{text}</span>
                </a>
              </li>
            ))}
          </ul>
        </main>
      );
  }
}
