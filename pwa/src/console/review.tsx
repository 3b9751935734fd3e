// The review queue: shares that need a human look, with what Chorus found, approve or reject.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { api, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { formatDate, t, tRich } from "../i18n";
import { useInFlight } from "../inflight";
import { NETWORK_NAMES } from "../screens/ChallengeScreen";
import { toast } from "../store";
import type { ReviewItem } from "../types";
import { MoreRows, usePages } from "./kit";

/** One check of a share, as the verifier recorded it (the API types evidence only as objects). */
interface Evidence {
  source?: string;
  found?: boolean;
  detail?: string;
}

/** What the bulk endpoint answers for each share it was given. */
interface BulkResult {
  id: string;
  status: "approved" | "rejected" | "skipped" | "not_found";
  detail?: string | null;
}

/** What became of one share of a bulk decision, in a word. */
function resultText(status: BulkResult["status"]): string {
  switch (status) {
    case "approved":
      return t("consoleReview.resultApproved");
    case "rejected":
      return t("consoleReview.resultRejected");
    case "skipped":
      return t("consoleReview.resultSkipped");
    case "not_found":
      return t("consoleReview.resultNotFound");
  }
}

/** A bulk decision's toast: how many were decided, and how many were skipped. */
function bulkText(action: "approve" | "reject", done: number, other: number): string {
  if (action === "approve") {
    return other
      ? t("consoleReview.bulkApprovedSkipped", { count: done, skipped: other })
      : t("consoleReview.bulkApproved", { count: done });
  }
  return other
    ? t("consoleReview.bulkRejectedSkipped", { count: done, skipped: other })
    : t("consoleReview.bulkRejected", { count: done });
}

const hidden = (chunks: ComponentChildren) => <span class="visually-hidden">{chunks}</span>;

export function ReviewQueue() {
  const queue = usePages<ReviewItem>(
    (cursor) => api.get("/api/v1/admin/submissions", { query: { status: "needs_review", limit: 50, cursor } }),
    "needs_review",
  );
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [results, setResults] = useState<Map<string, BulkResult>>(new Map());
  const [note, setNote] = useState("");
  const [busy, run] = useInFlight();
  const items = queue.items;
  const open = (items ?? []).filter((i) => !results.has(i.id));
  const allPicked = open.length > 0 && open.every((i) => picked.has(i.id));

  function toggle(id: string, on: boolean) {
    setPicked((old) => {
      const next = new Set(old);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }

  const bulk = (action: "approve" | "reject") => run(() => bulkNow(action));

  async function bulkNow(action: "approve" | "reject") {
    const ids = [...picked];
    try {
      const answer = (await api.post("/api/v1/admin/submissions/bulk", {
        body: { ids, action, ...(note.trim() ? { note: note.trim() } : {}) },
      })) as { results: BulkResult[] };
      setResults((old) => new Map([...old, ...answer.results.map((r) => [r.id, r] as const)]));
      setPicked(new Set());
      setNote("");
      const done = answer.results.filter((r) => r.status === "approved" || r.status === "rejected").length;
      const other = answer.results.length - done;
      toast(bulkText(action, done, other), other ? "info" : "success");
    } catch (failure) {
      toastFailure(failure, t("consoleReview.bulkFailed"));
    }
  }

  function fresh() {
    setResults(new Map());
    setPicked(new Set());
    queue.reload();
  }

  return (
    <main class="screen console">
      <TopBar title={t("consoleReview.title")} back="/admin" />
      {queue.error && !items ? (
        <Failure error={queue.error} retry={queue.reload} />
      ) : !items ? (
        <Skeleton />
      ) : items.length === 0 ? (
        <Empty text={t("consoleReview.empty")} />
      ) : (
        <>
          <div class="row between">
            <label class="review-pick">
              <input
                type="checkbox"
                checked={allPicked}
                disabled={open.length === 0}
                onChange={(e) => setPicked(e.currentTarget.checked ? new Set(open.map((i) => i.id)) : new Set())}
              />
              {t("consoleReview.selectAll", { count: open.length })}
            </label>
            {results.size > 0 && (
              <button type="button" class="button secondary compact" onClick={fresh}>
                {t("consoleReview.refresh")}
              </button>
            )}
          </div>
          <ul class="cards review-list">
            {items.map((item) => (
              <li key={item.id}>
                <ReviewCard
                  item={item}
                  done={fresh}
                  picked={picked.has(item.id)}
                  pick={(on) => toggle(item.id, on)}
                  result={results.get(item.id)}
                />
              </li>
            ))}
          </ul>
          <MoreRows
            shown={items.length}
            hasMore={queue.hasMore}
            loading={queue.loading}
            more={queue.more}
            noun="shares"
          />
          {picked.size > 0 && (
            <section class="bulk-bar" aria-label={t("consoleReview.bulkLabel")}>
              <p class="small-title">{t("consoleReview.selected", { count: picked.size })}</p>
              <label>
                {t("consoleReview.bulkNote")}
                <input maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
              </label>
              <button type="button" class="button primary" disabled={busy} onClick={() => bulk("approve")}>
                {t("consoleReview.approveCount", { count: picked.size })}
              </button>
              <button type="button" class="button secondary" disabled={busy} onClick={() => bulk("reject")}>
                {t("consoleReview.rejectCount", { count: picked.size })}
              </button>
            </section>
          )}
        </>
      )}
    </main>
  );
}

function ReviewCard({
  item,
  done,
  picked,
  pick,
  result,
}: {
  item: ReviewItem;
  done: () => void;
  picked: boolean;
  pick: (on: boolean) => void;
  result?: BulkResult;
}) {
  const [note, setNote] = useState("");
  const [busy, run] = useInFlight();
  const decide = (action: "approve" | "reject") => run(() => decideNow(action));
  async function decideNow(action: "approve" | "reject") {
    try {
      await api.post(`/api/v1/admin/submissions/{submission_id}/${action}`, {
        path: { submission_id: item.id },
        body: note.trim() ? { note: note.trim() } : {},
      });
      toast(
        action === "approve"
          ? t("consoleReview.approved", { name: item.displayName })
          : t("consoleReview.rejected", { name: item.displayName }),
        "success",
      );
      done();
    } catch (failure) {
      toastFailure(failure, t("consoleReview.failed"));
    }
  }
  return (
    <article
      class="card review-card"
      aria-label={t("consoleReview.cardLabel", { name: item.displayName, challenge: item.challengeTitle })}
    >
      <div class="card-body">
        <div class="row between">
          {result ? (
            <p role="status">
              <span class={result.status === "approved" || result.status === "rejected" ? "result-ok" : "result-skip"}>
                {resultText(result.status)}
              </span>
              {result.detail && <span class="muted small"> {result.detail}</span>}
            </p>
          ) : (
            <label class="review-pick">
              <input type="checkbox" checked={picked} onChange={(e) => pick(e.currentTarget.checked)} />
              {tRich("consoleReview.select", { name: item.displayName, hidden })}
            </label>
          )}
        </div>
        <h2 class="card-title">{item.challengeTitle}</h2>
        <p>
          {tRich("consoleReview.byline", {
            name: item.displayName,
            network: NETWORK_NAMES[item.network],
            when: formatDate(item.createdAt, {
              year: "numeric",
              month: "numeric",
              day: "numeric",
              hour: "numeric",
              minute: "numeric",
              second: "numeric",
            }),
            b: (chunks: ComponentChildren) => <strong>{chunks}</strong>,
          })}
        </p>
        {item.postUrl && (
          <p class="clamp">
            <a href={item.postUrl} target="_blank" rel="noopener noreferrer">
              {item.postUrl}
            </a>
          </p>
        )}
        {item.reason && <p class="muted">{item.reason}</p>}
        {item.evidence.length > 0 && (
          <ul class="evidence">
            {(item.evidence as Evidence[]).map((e) => (
              <li class={e.found ? "found" : "missing"}>
                {e.found ? "✓" : "✗"} {e.source}: {e.detail}
              </li>
            ))}
          </ul>
        )}
        {!result && (
          <>
            <label>
              {t("consoleReview.note", { name: item.displayName })}
              <input maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            </label>
            <div class="row">
              <button type="button" class="button primary grow" disabled={busy} onClick={() => decide("approve")}>
                {t("consoleReview.approve")}
              </button>
              <button type="button" class="button secondary grow" disabled={busy} onClick={() => decide("reject")}>
                {t("consoleReview.reject")}
              </button>
            </div>
          </>
        )}
      </div>
    </article>
  );
}
