// The review queue: shares that need a human look, with what Chorus found, approve or reject.
import { useState } from "preact/hooks";
import { api } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { useLoad } from "../load";
import { toast } from "../store";
import type { Page } from "../types";
import { NETWORK_NAMES } from "../screens/ChallengeScreen";

interface ReviewItem {
  id: string;
  challengeTitle: string;
  displayName: string;
  network: keyof typeof NETWORK_NAMES;
  postUrl: string | null;
  status: string;
  reason: string | null;
  evidence: { source?: string; found?: boolean; detail?: string }[];
  createdAt: string;
}

export function ReviewQueue() {
  const queue = useLoad(() => api.get<Page<ReviewItem>>("/api/v1/admin/submissions?status=needs_review&limit=50"), []);
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
  const [busy, setBusy] = useState(false);
  async function decide(action: "approve" | "reject") {
    setBusy(true);
    try {
      await api.post(`/api/v1/admin/submissions/${item.id}/${action}`, note.trim() ? { note: note.trim() } : {});
      toast(action === "approve" ? `Approved ${item.displayName}'s share.` : `Rejected — ${item.displayName} will see your note.`, "success");
      done();
    } catch (failure) {
      toast(failure instanceof Error ? failure.message : "Could not decide.", "error");
    } finally {
      setBusy(false);
    }
  }
  return (
    <article class="card review-card" aria-label={`${item.displayName}: ${item.challengeTitle}`}>
      <div class="card-body">
        <h2 class="card-title">{item.challengeTitle}</h2>
        <p>
          <strong>{item.displayName}</strong> on {NETWORK_NAMES[item.network]} · {new Date(item.createdAt).toLocaleString()}
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
            {item.evidence.map((e) => (
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
          <button class="button primary grow" disabled={busy} onClick={() => decide("approve")}>
            Approve
          </button>
          <button class="button secondary grow" disabled={busy} onClick={() => decide("reject")}>
            Reject
          </button>
        </div>
      </div>
    </article>
  );
}
