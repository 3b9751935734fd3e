// Fair play, on the Impact screen: the clicks the rules set aside per challenge and why, the
// people whose links drew many refused clicks, and pairs of people trading kudos. It shows what
// the rules already did, so an admin can see the game is fair and talk to people where needed.
import { api, type Schemas } from "../api";
import { Failure, Skeleton } from "../components";
import { useLoad } from "../load";

type Range = { from: string; to: string; query: string };
type Aside = Schemas["ClicksSetAside"];

const REASONS: [keyof Aside, string][] = [
  ["sharerAddress", "Their own, from their address"],
  ["session", "Their own, signed in"],
  ["sameVisitor", "Same reader again"],
  ["rateLimit", "Too fast from one address"],
  ["unverifiedBot", "Bot posing as a network's"],
  ["bot", "Bots and previews"],
];

export function Integrity({ range }: { range: Range }) {
  const view = useLoad(
    () => api.get("/api/v1/admin/integrity", { query: { from: range.from, to: range.to } }),
    [range.query],
  );
  const v = view.data;
  if (view.error && !v) return <Failure error={view.error} retry={view.reload} />;
  if (!v) return <Skeleton lines={3} />;
  return (
    <section aria-labelledby="fair-play">
      <h2 class="section-title" id="fair-play">
        Fair play
      </h2>
      {v.challenges.length === 0 ? (
        <p class="muted">No clicks in this range.</p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1)
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Clicks that did not count">
          <table class="report">
            <caption class="small-title">Clicks that did not count, and why</caption>
            <thead>
              <tr>
                <th scope="col">Challenge</th>
                <th scope="col">Counted</th>
                {REASONS.map(([, label]) => (
                  <th scope="col">{label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {v.challenges.map((c) => (
                <tr>
                  <th scope="row">{c.title}</th>
                  <td>{c.unique}</td>
                  {REASONS.map(([key]) => (
                    <td>{c.setAside[key] ?? 0}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3 class="small-title">People to look at</h3>
      {v.people.length === 0 && v.kudosPairs.length === 0 ? (
        <p class="muted">Nothing unusual in this range.</p>
      ) : (
        <ul class="cards" aria-label="People to look at">
          {v.people.map((p) => (
            <li class="card pad">
              <strong>{p.displayName}</strong>
              <p class="muted small">{p.why}</p>
            </li>
          ))}
          {v.kudosPairs.map((k) => (
            <li class="card pad">
              <strong>
                {k.giverName} → {k.receiverName}
              </strong>
              <p class="muted small">
                {k.count} kudos in this range{k.mutual ? ", and as many back" : ""}.
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
