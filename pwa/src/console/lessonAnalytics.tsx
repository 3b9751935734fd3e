// Lessons on the Impact page: per lesson who tried and passed its quiz, per team the lessons
// passed out of those open to its members (GET /api/v1/admin/analytics/lessons).
import { api } from "../api";
import { Failure, Skeleton } from "../components";
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
    <Section title="Lessons">
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1) */}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Completion per lesson">
        <table class="report">
          <caption class="small-title">Completion per lesson</caption>
          <thead>
            <tr>
              <th scope="col">Lesson</th>
              <th scope="col">Open to</th>
              <th scope="col">Tried</th>
              <th scope="col">Passed</th>
              <th scope="col">Completion</th>
              <th scope="col">Attempts</th>
              <th scope="col">Average score</th>
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
                <td>{l.averageScore === null ? "–" : `${l.averageScore}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1) */}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Completion per team">
        <table class="report">
          <caption class="small-title">Completion per team</caption>
          <thead>
            <tr>
              <th scope="col">Team</th>
              <th scope="col">Members</th>
              <th scope="col">Learners</th>
              <th scope="col">Lessons passed</th>
              <th scope="col">Completion</th>
            </tr>
          </thead>
          <tbody>
            {v.byTeam.map((t) => (
              <tr key={t.teamId ?? "none"}>
                <th scope="row">{t.name}</th>
                <td>{t.members}</td>
                <td>{t.learners}</td>
                <td>
                  {t.passes} of {t.possible}
                </td>
                <td>{percent(t.completionRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}
