// Fair play, on the Impact screen: the clicks the rules set aside per challenge and why, the
// people whose links drew many refused clicks, and pairs of people trading kudos. It shows what
// the rules already did, so an admin can see the game is fair and talk to people where needed.
import { api, type Schemas } from "../api";
import { Failure, Skeleton } from "../components";
import { t } from "../i18n";
import { useLoad } from "../load";

type Range = { from: string; to: string; query: string };
type Aside = Schemas["ClicksSetAside"];

const REASONS: (keyof Aside)[] = ["sharerAddress", "session", "sameVisitor", "rateLimit", "unverifiedBot", "bot"];

/** Why the rules set a click aside, as a column heading. */
function reasonLabel(reason: keyof Aside): string {
  switch (reason) {
    case "sharerAddress":
      return t("consoleIntegrity.reasonSharerAddress");
    case "session":
      return t("consoleIntegrity.reasonSession");
    case "sameVisitor":
      return t("consoleIntegrity.reasonSameVisitor");
    case "rateLimit":
      return t("consoleIntegrity.reasonRateLimit");
    case "unverifiedBot":
      return t("consoleIntegrity.reasonUnverifiedBot");
    case "bot":
      return t("consoleIntegrity.reasonBot");
    default:
      return String(reason);
  }
}

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
        {t("consoleIntegrity.title")}
      </h2>
      {v.challenges.length === 0 ? (
        <p class="muted">{t("consoleIntegrity.noClicks")}</p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1)
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t("consoleIntegrity.notCountedLabel")}>
          <table class="report">
            <caption class="small-title">{t("consoleIntegrity.notCountedCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("consoleIntegrity.colChallenge")}</th>
                <th scope="col">{t("consoleIntegrity.colCounted")}</th>
                {REASONS.map((reason) => (
                  <th scope="col">{reasonLabel(reason)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {v.challenges.map((c) => (
                <tr>
                  <th scope="row">{c.title}</th>
                  <td>{c.unique}</td>
                  {REASONS.map((key) => (
                    <td>{c.setAside[key] ?? 0}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3 class="small-title">{t("consoleIntegrity.peopleTitle")}</h3>
      {v.people.length === 0 && v.kudosPairs.length === 0 ? (
        <p class="muted">{t("consoleIntegrity.nothingUnusual")}</p>
      ) : (
        <ul class="cards" aria-label={t("consoleIntegrity.peopleLabel")}>
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
                {k.mutual
                  ? t("consoleIntegrity.kudosMutual", { count: k.count })
                  : t("consoleIntegrity.kudos", { count: k.count })}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
