// Impact: what the program did over a range, per challenge, pillar, team and network, and how
// employees' shares compare with the brand's own posts.
import { useState } from "preact/hooks";
import { api, apiUrl, toastFailure } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { NETWORK_NAMES } from "../screens/ChallengeScreen";
import type { Analytics, Metrics, Network } from "../types";
import { Chart } from "./chart";
import { EngagementCard } from "./engagement";
import { Integrity } from "./integrity";
import { LessonAnalytics } from "./lessonAnalytics";
import { Field, percent, RangePicker, Section, Stat, useRange } from "./ui";

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
            <th scope="col">Name</th>
            <th scope="col">Claimed</th>
            <th scope="col">Verified</th>
            <th scope="col">Unique clicks</th>
            <th scope="col">Clicks / share</th>
            <th scope="col">Taking part</th>
            <th scope="col">Points</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">{r.name}</th>
              <td>{r.sharesClaimed}</td>
              <td>{r.sharesVerified}</td>
              <td>{r.uniqueClicks}</td>
              <td>{r.clicksPerShare ?? "–"}</td>
              <td>{percent(r.participationRate)}</td>
              <td>{r.pointsAwarded}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
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
      <TopBar title="Impact" back="/admin" />
      <RangePicker range={range} />
      {report.error && !r ? (
        <Failure error={report.error} retry={report.reload} />
      ) : !r ? (
        <Skeleton lines={6} />
      ) : (
        <>
          <div class="stats">
            <Stat
              label="Verified shares"
              value={r.totals.sharesVerified}
              hint={`of ${r.totals.sharesClaimed} claimed`}
            />
            <Stat
              label="Unique clicks"
              value={r.totals.uniqueClicks}
              hint={`${r.totals.clicksPerShare ?? "–"} per share`}
            />
            <Stat
              label="Taking part"
              value={percent(r.totals.participationRate)}
              hint={`${r.totals.participants} of ${r.totals.members} people`}
            />
            <Stat
              label="Amplification"
              value={r.amplification.ratio ? `${r.amplification.ratio}×` : "–"}
              hint={
                r.amplification.ratio
                  ? "clicks per employee share vs per brand post"
                  : "add official links below to measure it"
              }
            />
          </div>
          {r.byChallenge.length > 0 && (
            <Chart
              title="Per challenge"
              labels={r.byChallenge.map((c) => c.title.slice(0, 14))}
              series={[
                {
                  label: "Verified shares",
                  values: r.byChallenge.map((c) => c.sharesVerified),
                  color: "#6366f1",
                  bars: true,
                },
                {
                  label: "Unique clicks",
                  values: r.byChallenge.map((c) => c.uniqueClicks),
                  color: "#f59e0b",
                  ownAxis: true,
                },
              ]}
              xLabel="Challenge"
            />
          )}
          <Table caption="Per challenge" rows={r.byChallenge.map((c) => ({ ...c, name: c.title }))} />
          <Table caption="Per narrative pillar" rows={r.byPillar.map((p) => ({ ...p, name: p.title }))} />
          <Table caption="Per team" rows={r.byTeam} />
          <Table caption="Per network" rows={r.byNetwork.map((n) => ({ ...n, name: networkName(n.network) }))} />
          <EngagementCard range={range} clickRatio={r.amplification.ratio} />
          <LessonAnalytics range={range} />
          <a
            class="button secondary"
            href={apiUrl("/api/v1/admin/analytics/export.csv", { query: { from: range.from, to: range.to } })}
            download
          >
            Download as CSV
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
        toastFailure(failure, "Could not create the link.");
      }
    });
  }
  return (
    <Section title="Brand posts (official links)">
      <p class="muted small">
        Post the brand's own updates with a tracked link to compare: {amplification.clicksPerOfficialPost ?? "–"} unique
        clicks per brand post vs {amplification.clicksPerEmployeeShare ?? "–"} per employee share in this range.
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
        <Field label="Label">
          <input required maxLength={120} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
        </Field>
        <Field label="Where it leads (URL)">
          <input type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        </Field>
        <Field label="Posted on">
          <select value={network} onChange={(e) => setNetwork(e.currentTarget.value as Network)}>
            {Object.entries(NETWORK_NAMES).map(([key, name]) => (
              <option value={key}>{name}</option>
            ))}
          </select>
        </Field>
        <button class="button primary" type="submit" disabled={busy}>
          Create official link
        </button>
      </form>
    </Section>
  );
}
