// Impact: what the program did over a range, per challenge, pillar, team and network, and how
// employees' shares compare with the brand's own posts.
import { useState } from "preact/hooks";
import { api, apiUrl, toastFailure } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
import { LANGUAGES, t } from "../i18n";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { NETWORK_NAMES } from "../screens/ChallengeScreen";
import type { Analytics, Metrics, Network } from "../types";
import { Chart } from "./chart";
import { EngagementCard } from "./engagement";
import { Integrity } from "./integrity";
import { LessonAnalytics } from "./lessonAnalytics";
import { decimal, Field, percent, RangePicker, Section, Stat, useRange } from "./ui";

type Named = Metrics & { name: string };
/** The API names networks with plain strings here: look their names up as such. */
const networkName = (network: string) => (NETWORK_NAMES as Record<string, string | undefined>)[network] ?? network;

function Table({ caption, rows }: { caption: string; rows: Named[] }) {
  if (rows.length === 0) return null;
  return (
    // Scrolls sideways on a phone: focusable so keyboards can scroll it too.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1)
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table class="report">
        <caption class="small-title">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("consoleAnalytics.name")}</th>
            <th scope="col">{t("consoleAnalytics.claimed")}</th>
            <th scope="col">{t("consoleAnalytics.verified")}</th>
            <th scope="col">{t("consoleAnalytics.uniqueClicks")}</th>
            <th scope="col">{t("consoleAnalytics.clicksPerShare")}</th>
            <th scope="col">{t("consoleAnalytics.takingPart")}</th>
            <th scope="col">{t("consoleAnalytics.points")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">{r.name}</th>
              <td>{r.sharesClaimed}</td>
              <td>{r.sharesVerified}</td>
              <td>{r.uniqueClicks}</td>
              <td>{decimal(r.clicksPerShare)}</td>
              <td>{percent(r.participationRate)}</td>
              <td>{r.pointsAwarded}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A language tag as its own name ("Deutsch"), as the Me picker lists it. */
function languageName(tag: string): string {
  return LANGUAGES.find(([known]) => known === tag)?.[1] ?? tag;
}

export function AnalyticsScreen() {
  const range = useRange(30);
  const report = useLoad(
    () => api.get("/api/v1/admin/analytics", { query: { from: range.from, to: range.to } }),
    [range.query],
  );
  const r = report.data;
  return (
    <main class="screen console">
      <TopBar title={t("consoleAnalytics.title")} back="/admin" />
      <RangePicker range={range} />
      {report.error && !r ? (
        <Failure error={report.error} retry={report.reload} />
      ) : !r ? (
        <Skeleton lines={6} />
      ) : (
        <>
          <div class="stats">
            <Stat
              label={t("consoleAnalytics.verifiedShares")}
              value={r.totals.sharesVerified}
              hint={t("consoleAnalytics.ofClaimed", { claimed: r.totals.sharesClaimed })}
            />
            <Stat
              label={t("consoleAnalytics.uniqueClicks")}
              value={r.totals.uniqueClicks}
              hint={t("consoleAnalytics.perShare", { value: decimal(r.totals.clicksPerShare) })}
            />
            <Stat
              label={t("consoleAnalytics.takingPart")}
              value={percent(r.totals.participationRate)}
              hint={t("consoleAnalytics.participantsOf", {
                participants: r.totals.participants,
                members: r.totals.members,
              })}
            />
            <Stat
              label={t("consoleAnalytics.amplification")}
              value={r.amplification.ratio ? `${decimal(r.amplification.ratio)}×` : "–"}
              hint={
                r.amplification.ratio
                  ? t("consoleAnalytics.amplificationHint")
                  : t("consoleAnalytics.amplificationMissing")
              }
            />
          </div>
          {r.byChallenge.length > 0 && (
            <Chart
              title={t("consoleAnalytics.perChallenge")}
              labels={r.byChallenge.map((c) => c.title.slice(0, 14))}
              series={[
                {
                  label: t("consoleAnalytics.verifiedShares"),
                  values: r.byChallenge.map((c) => c.sharesVerified),
                  color: "#6366f1",
                  bars: true,
                },
                {
                  label: t("consoleAnalytics.uniqueClicks"),
                  values: r.byChallenge.map((c) => c.uniqueClicks),
                  color: "#f59e0b",
                  ownAxis: true,
                },
              ]}
              xLabel={t("consoleAnalytics.challenge")}
            />
          )}
          <Table
            caption={t("consoleAnalytics.perChallenge")}
            rows={r.byChallenge.map((c) => ({ ...c, name: c.title }))}
          />
          <Table caption={t("consoleAnalytics.perPillar")} rows={r.byPillar.map((p) => ({ ...p, name: p.title }))} />
          <Table caption={t("consoleAnalytics.perTeam")} rows={r.byTeam} />
          <Table
            caption={t("consoleAnalytics.perNetwork")}
            rows={r.byNetwork.map((n) => ({ ...n, name: networkName(n.network) }))}
          />
          <Table
            caption={t("consoleAnalytics.perLanguage")}
            rows={r.byLanguage.map((l) => ({ ...l, name: languageName(l.language) }))}
          />
          <EngagementCard range={range} clickRatio={r.amplification.ratio} />
          <LessonAnalytics range={range} />
          <a
            class="button secondary"
            href={apiUrl("/api/v1/admin/analytics/export.csv", { query: { from: range.from, to: range.to } })}
            download
          >
            {t("consoleAnalytics.downloadCsv")}
          </a>
          <OfficialLinks amplification={r.amplification} />
          <Integrity range={range} />
        </>
      )}
    </main>
  );
}

function OfficialLinks({ amplification }: { amplification: Analytics["amplification"] }) {
  const links = useLoad(() => api.get("/api/v1/admin/official-links"), []);
  const [label, setLabel] = useState("");
  const [url, setUrl] = useState("");
  const [network, setNetwork] = useState<Network>("linkedin");
  const [busy, run] = useInFlight();
  async function create(event: Event) {
    event.preventDefault();
    await run(async () => {
      try {
        await api.post("/api/v1/admin/official-links", { body: { label, url, network } });
        setLabel("");
        setUrl("");
        links.reload();
      } catch (failure) {
        toastFailure(failure, t("consoleAnalytics.linkFailed"));
      }
    });
  }
  return (
    <Section title={t("consoleAnalytics.brandPosts")}>
      <p class="muted small">
        {t("consoleAnalytics.brandPostsIntro", {
          official: decimal(amplification.clicksPerOfficialPost),
          employee: decimal(amplification.clicksPerEmployeeShare),
        })}
      </p>
      <ul class="board">
        {(links.data ?? []).map((l) => (
          <li class="board-row" key={l.id}>
            <span class="who">
              <span class="name">{l.label}</span>
              <span class="muted small">{l.trackedUrl}</span>
            </span>
            <span class="points">{l.uniqueClicks}</span>
          </li>
        ))}
      </ul>
      <form class="stack card pad" onSubmit={create}>
        <Field label={t("consoleAnalytics.label")}>
          <input required maxLength={120} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
        </Field>
        <Field label={t("consoleAnalytics.url")}>
          <input type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        </Field>
        <Field label={t("consoleAnalytics.postedOn")}>
          <select value={network} onChange={(e) => setNetwork(e.currentTarget.value as Network)}>
            {Object.entries(NETWORK_NAMES).map(([key, name]) => (
              <option value={key}>{name}</option>
            ))}
          </select>
        </Field>
        <button class="button primary" type="submit" disabled={busy}>
          {t("consoleAnalytics.createLink")}
        </button>
      </form>
    </Section>
  );
}
