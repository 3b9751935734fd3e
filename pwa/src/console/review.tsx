// The review queue: shares that need a human look, with what Chorus found, approve or reject.
import { useState } from "preact/hooks";
import { api, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { NETWORK_NAMES } from "../screens/ChallengeScreen";
import { toast } from "../store";
import type { ReviewItem } from "../types";

/** One check of a share, as the verifier recorded it (the API types evidence only as objects). */
interface Evidence {
  source?: string;
  found?: boolean;
  detail?: string;
}

export function ReviewQueue() {
  const queue = useLoad(
    () => api.get("/api/v1/admin/submissions", { query: { status: "needs_review", limit: 50 } }),
    [],
  );
  return (
    <main class="screen console">
      <TopBar title="Review queue" back="/admin" />
      {queue.error && !queue.data ? (
        <Failure error={queue.error} retry={queue.reload} />
      ) : !queue.data ? (
        <Skeleton />
      ) : queue.data.items.length === 0 ? (
        <Empty text="Nothing to review — every share is decided." />
      ) : (
        <ul class="cards">
          {queue.data.items.map((item) => (
            <li key={item.id}>
              <ReviewCard item={item} done={queue.reload} />
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

function ReviewCard({ item, done }: { item: ReviewItem; done: () => void }) {
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
          ? `Approved ${item.displayName}'s share.`
          : `Rejected — ${item.displayName} will see your note.`,
        "success",
      );
      done();
    } catch (failure) {
      toastFailure(failure, "Could not decide.");
    }
  }
  return (
    <article class="card review-card" aria-label={`${item.displayName}: ${item.challengeTitle}`}>
      <div class="card-body">
        <h2 class="card-title">{item.challengeTitle}</h2>
        <p>
          <strong>{item.displayName}</strong> on {NETWORK_NAMES[item.network]} ·{" "}
          {new Date(item.createdAt).toLocaleString()}
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
        <label>
          Note to {item.displayName} (optional)
          <input maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </label>
        <div class="row">
          <button type="button" class="button primary grow" disabled={busy} onClick={() => decide("approve")}>
            Approve
          </button>
          <button type="button" class="button secondary grow" disabled={busy} onClick={() => decide("reject")}>
            Reject
          </button>
        </div>
      </div>
    </article>
  );
}
