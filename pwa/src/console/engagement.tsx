// Engagement: the public reactions and comments of verified shares (re-read after 24 h and 7
// days), per challenge, and how employee posts compare with the brand's own posts.
import { api } from "../api";
import { Failure, Skeleton } from "../components";
import { useLoad } from "../load";
import { type RangePicker, Section, Stat } from "./ui";

type Range = Parameters<typeof RangePicker>[0]["range"];

export function EngagementCard({ range, clickRatio }: { range: Range; clickRatio: number | null }) {
  const report = useLoad(
    () => api.get("/api/v1/admin/analytics/engagement", { query: { from: range.from, to: range.to } }),
    [range.query],
  );
  const e = report.data;
  return (
    <Section title="Engagement">
      {report.error && !e ? (
        <Failure error={report.error} retry={report.reload} />
      ) : !e ? (
        <Skeleton lines={3} />
      ) : (
        <>
          <div class="stats">
            <Stat
              label="Engagement ratio"
              value={e.comparison.ratio != null ? `${e.comparison.ratio}×` : "–"}
              hint={
                e.comparison.ratio != null
                  ? `${e.comparison.engagementPerEmployeePost} reactions and comments per employee post vs ${e.comparison.engagementPerOfficialPost} per brand post`
                  : "needs re-read employee posts and official links"
              }
            />
            <Stat
              label="Click amplification"
              value={clickRatio != null ? `${clickRatio}×` : "–"}
              hint="unique clicks per employee share vs per brand post"
            />
            <Stat
              label="Reactions and comments"
              value={e.totals.engagement}
              hint={`${e.totals.engagementPerShare ?? "–"} per share read (${e.totals.sharesRead} of ${e.totals.sharesVerified})`}
            />
          </div>
          {e.byChallenge.length > 0 && (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1)
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Engagement per challenge">
              <table class="report">
                <caption class="small-title">Engagement per challenge</caption>
                <thead>
                  <tr>
                    <th scope="col">Challenge</th>
                    <th scope="col">Shares read</th>
                    <th scope="col">Reactions</th>
                    <th scope="col">Comments</th>
                    <th scope="col">Per share</th>
                  </tr>
                </thead>
                <tbody>
                  {e.byChallenge.map((c) => (
                    <tr key={c.challengeId}>
                      <th scope="row">{c.title}</th>
                      <td>
                        {c.sharesRead} of {c.sharesVerified}
                      </td>
                      <td>{c.reactions}</td>
                      <td>{c.comments}</td>
                      <td>{c.engagementPerShare ?? "–"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p class="muted small">
            Posts are re-read 24 hours and 7 days after they are verified; X shows no public counts.
          </p>
        </>
      )}
    </Section>
  );
}
