// Engagement: the public reactions and comments of verified shares (re-read after 24 h and 7
// days), per challenge, and how employee posts compare with the brand's own posts.
import { api } from "../api";
import { Failure, Skeleton } from "../components";
import { t } from "../i18n";
import { useLoad } from "../load";
import { decimal, type RangePicker, Section, Stat } from "./ui";

type Range = Parameters<typeof RangePicker>[0]["range"];

export function EngagementCard({ range, clickRatio }: { range: Range; clickRatio: number | null }) {
  const report = useLoad(
    () => api.get("/api/v1/admin/analytics/engagement", { query: { from: range.from, to: range.to } }),
    [range.query],
  );
  const e = report.data;
  return (
    <Section title={t("consoleEngagement.title")}>
      {report.error && !e ? (
        <Failure error={report.error} retry={report.reload} />
      ) : !e ? (
        <Skeleton lines={3} />
      ) : (
        <>
          <div class="stats">
            <Stat
              label={t("consoleEngagement.ratio")}
              value={e.comparison.ratio != null ? `${decimal(e.comparison.ratio)}×` : "–"}
              hint={
                e.comparison.ratio != null
                  ? t("consoleEngagement.ratioHint", {
                      employee: decimal(e.comparison.engagementPerEmployeePost),
                      official: decimal(e.comparison.engagementPerOfficialPost),
                    })
                  : t("consoleEngagement.ratioMissing")
              }
            />
            <Stat
              label={t("consoleEngagement.clickAmplification")}
              value={clickRatio != null ? `${decimal(clickRatio)}×` : "–"}
              hint={t("consoleEngagement.clickHint")}
            />
            <Stat
              label={t("consoleEngagement.reactionsAndComments")}
              value={e.totals.engagement}
              hint={t("consoleEngagement.perShareRead", {
                perShare: decimal(e.totals.engagementPerShare),
                read: e.totals.sharesRead,
                verified: e.totals.sharesVerified,
              })}
            />
          </div>
          {e.byChallenge.length > 0 && (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1)
            <div class="table-wrap" tabIndex={0} role="region" aria-label={t("consoleEngagement.perChallenge")}>
              <table class="report">
                <caption class="small-title">{t("consoleEngagement.perChallenge")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("consoleEngagement.challenge")}</th>
                    <th scope="col">{t("consoleEngagement.sharesRead")}</th>
                    <th scope="col">{t("consoleEngagement.reactions")}</th>
                    <th scope="col">{t("consoleEngagement.comments")}</th>
                    <th scope="col">{t("consoleEngagement.perShare")}</th>
                  </tr>
                </thead>
                <tbody>
                  {e.byChallenge.map((c) => (
                    <tr key={c.challengeId}>
                      <th scope="row">{c.title}</th>
                      <td>{t("consoleEngagement.readOf", { read: c.sharesRead, verified: c.sharesVerified })}</td>
                      <td>{c.reactions}</td>
                      <td>{c.comments}</td>
                      <td>{decimal(c.engagementPerShare)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p class="muted small">{t("consoleEngagement.note")}</p>
        </>
      )}
    </Section>
  );
}
