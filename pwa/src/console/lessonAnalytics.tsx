// Lessons on the Impact page: per lesson who tried and passed its quiz, per team the lessons
// passed out of those open to its members (GET /api/v1/admin/analytics/lessons).
import { api } from "../api";
import { Failure, Skeleton } from "../components";
import { formatNumber, t } from "../i18n";
import { useLoad } from "../load";
import { percent, Section } from "./ui";

type Range = { from: string; to: string; query: string };

export function LessonAnalytics({ range }: { range: Range }) {
  const view = useLoad(
    () => api.get("/api/v1/admin/analytics/lessons", { query: { from: range.from, to: range.to } }),
    [range.query],
  );
  const v = view.data;
  if (view.error && !v) return <Failure error={view.error} retry={view.reload} />;
  if (!v) return <Skeleton lines={2} />;
  if (v.byLesson.length === 0) return null;
  return (
    <Section title={t("consoleLessonAnalytics.title")}>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1) */}
      <div class="table-wrap" tabIndex={0} role="region" aria-label={t("consoleLessonAnalytics.perLesson")}>
        <table class="report">
          <caption class="small-title">{t("consoleLessonAnalytics.perLesson")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("consoleLessonAnalytics.lesson")}</th>
              <th scope="col">{t("consoleLessonAnalytics.openTo")}</th>
              <th scope="col">{t("consoleLessonAnalytics.tried")}</th>
              <th scope="col">{t("consoleLessonAnalytics.passed")}</th>
              <th scope="col">{t("consoleLessonAnalytics.completion")}</th>
              <th scope="col">{t("consoleLessonAnalytics.attempts")}</th>
              <th scope="col">{t("consoleLessonAnalytics.averageScore")}</th>
            </tr>
          </thead>
          <tbody>
            {v.byLesson.map((l) => (
              <tr key={l.challengeId}>
                <th scope="row">{l.title}</th>
                <td>{l.members}</td>
                <td>{l.attempted}</td>
                <td>{l.passed}</td>
                <td>{percent(l.completionRate)}</td>
                <td>{l.attempts}</td>
                <td>
                  {l.averageScore === null
                    ? "–"
                    : formatNumber(l.averageScore / 100, { style: "percent", maximumFractionDigits: 1 })}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1) */}
      <div class="table-wrap" tabIndex={0} role="region" aria-label={t("consoleLessonAnalytics.perTeam")}>
        <table class="report">
          <caption class="small-title">{t("consoleLessonAnalytics.perTeam")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("consoleLessonAnalytics.team")}</th>
              <th scope="col">{t("consoleLessonAnalytics.members")}</th>
              <th scope="col">{t("consoleLessonAnalytics.learners")}</th>
              <th scope="col">{t("consoleLessonAnalytics.lessonsPassed")}</th>
              <th scope="col">{t("consoleLessonAnalytics.completion")}</th>
            </tr>
          </thead>
          <tbody>
            {v.byTeam.map((team) => (
              <tr key={team.teamId ?? "none"}>
                <th scope="row">{team.name}</th>
                <td>{team.members}</td>
                <td>{team.learners}</td>
                <td>{t("consoleLessonAnalytics.passesOf", { passes: team.passes, possible: team.possible })}</td>
                <td>{percent(team.completionRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}
