// "My shares" on Me: every share the person sent, newest first, with what became of it and the
// admin's note when one was rejected (a rejected share can be fixed and sent again from its
// challenge).
import { useState } from "preact/hooks";
import { api, type Schemas, toastFailure } from "../api";
import { Empty, StatusChip } from "../components";
import { formatDate, t } from "../i18n";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";

type Share = Schemas["SubmissionRead"];

function shownStatus(status: Share["status"]): string {
  return status === "needs_review" ? "pending" : status === "revoked" ? "rejected" : status;
}

export function MyShares() {
  const first = useLoad(() => api.get("/api/v1/me/submissions", { query: { limit: 10 } }), []);
  const [more, setMore] = useState<Share[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [busy, run] = useInFlight();
  const shares = [...(first.data?.items ?? []), ...more];
  const next = cursor === undefined ? first.data?.nextCursor : cursor;

  async function loadMore() {
    await run(async () => {
      try {
        const page = await api.get("/api/v1/me/submissions", { query: { limit: 10, cursor: next ?? undefined } });
        setMore((earlier) => [...earlier, ...page.items]);
        setCursor(page.nextCursor ?? null);
      } catch (failure) {
        toastFailure(failure, t("myShares.couldNotLoadMore"));
      }
    });
  }

  if (!first.data) return null; // it loads below the fold; no skeleton jump
  if (shares.length === 0)
    return (
      <>
        <h2 class="section-title">{t("myShares.title")}</h2>
        <Empty text={t("myShares.empty")}>
          <a class="button secondary" href="/">
            {t("myShares.findChallenge")}
          </a>
        </Empty>
      </>
    );

  return (
    <>
      <h2 class="section-title">{t("myShares.title")}</h2>
      <ul class="cards" aria-label={t("myShares.title")}>
        {shares.map((share) => (
          <li class="card pad" key={share.id}>
            <p>
              <a href={`/challenges/${share.challengeId}`}>{share.challengeTitle ?? t("myShares.aChallenge")}</a>{" "}
              <StatusChip status={shownStatus(share.status)} />
            </p>
            {share.status === "rejected" && (share.reviewNote || share.reason) && (
              <p class="small prewrap note">
                {share.reviewNote ? <strong>{t("myShares.adminNote")} </strong> : null}
                {share.reviewNote ?? share.reason}
              </p>
            )}
            {share.postUrl && (
              <p class="small post-link">
                <a href={share.postUrl} target="_blank" rel="noopener noreferrer">
                  {share.postUrl}
                </a>
              </p>
            )}
            <p class="muted small">
              {formatDate(share.createdAt, {})}
              {(share.attempt ?? 1) > 1 ? ` · ${t("myShares.attempt", { attempt: share.attempt })}` : ""}
              {share.pointsAwarded > 0 ? ` · ${t("myShares.points", { points: share.pointsAwarded })}` : ""}
            </p>
            {share.status === "verified" && share.ownWords && (
              <p class="chip own-words small" data-testid="own-words">
                {t("myShares.ownWords")}
              </p>
            )}
          </li>
        ))}
      </ul>
      {next && (
        <button type="button" class="button secondary" onClick={loadMore} disabled={busy}>
          {busy ? t("myShares.loading") : t("myShares.showMore")}
        </button>
      )}
    </>
  );
}
