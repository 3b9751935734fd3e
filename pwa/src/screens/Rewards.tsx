// Rewards: what the person's points can buy, and what they asked for. The balance (points
// earned minus points spent) is separate from the leaderboard score: spending never lowers a
// rank, a level or a badge, and the screen says so. A redemption is one tap, one confirmation,
// one Idempotency-Key (kept for a retry of the same confirmation, so a lost answer never
// redeems twice), and a short celebration; the admin's note (a voucher code, where to pick it
// up) shows under "My rewards" once it is handed over.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api, newIdempotencyKey, OfflineError, type Schemas } from "../api";
import { Empty, Failure, Skeleton, TopBar, timeLeft } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { loadMe, me } from "../session";
import { online, staleSince, useStore } from "../store";
import "./rewards.css";

type Reward = Schemas["RewardRead"];
type Redemption = Schemas["RedemptionRead"];

const STATUS: Record<Redemption["status"], [label: string, tone: string]> = {
  requested: ["Requested", "pending"],
  fulfilled: ["Fulfilled", "verified"],
  rejected: ["Rejected", "rejected"],
};

function day(iso: string): string {
  return new Date(iso).toLocaleDateString([], { month: "short", day: "numeric" });
}

function pts(n: number): string {
  return `${n.toLocaleString()} ${n === 1 ? "point" : "points"}`;
}

/** Why a reward cannot be redeemed right now, in words; "" when it can. */
export function blocker(reward: Reward, balance: number, isOnline: boolean, now = Date.now()): string {
  if (!reward.active) return "No longer offered.";
  if (reward.startsAt && new Date(reward.startsAt).getTime() > now) return `Opens ${day(reward.startsAt)}.`;
  if (reward.endsAt && new Date(reward.endsAt).getTime() <= now) return "This reward has ended.";
  if (reward.stock === 0) return "Sold out — none left.";
  const limit = reward.perPersonLimit;
  if (limit !== null && reward.myRedemptions >= limit)
    return limit === 1 ? "You already have this one (one per person)." : `You have the most per person (${limit}).`;
  if (balance < reward.cost) return `You need ${pts(reward.cost - balance)} more.`;
  if (!isOnline) return "You're offline — redeem once you're back online.";
  return "";
}

function reducedMotion(): boolean {
  return window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
}

function celebrate() {
  if (!reducedMotion()) navigator.vibrate?.(20);
}

/** The result in view and focused once the sheet has closed (the reward's button may now be
 * disabled, which would leave focus nowhere). */
function showResult(id: string) {
  requestAnimationFrame(() => {
    const result = document.getElementById(id);
    result?.focus({ preventScroll: true });
    result?.scrollIntoView({ block: "center", behavior: reducedMotion() ? "auto" : "smooth" });
  });
}

export function Rewards() {
  const who = useStore(me)!;
  // An answer from the offline cache means the network did not answer either.
  const connected = useStore(online);
  const stale = useStore(staleSince);
  const isOnline = connected && !stale;
  const catalogue = useLoad(() => api.get("/api/v1/rewards", { query: { limit: 100 } }), []);
  const mine = useLoad(() => api.get("/api/v1/me/redemptions", { query: { limit: 50 } }), []);
  const [asking, setAsking] = useState<Reward | null>(null);
  const [done, setDone] = useState<Redemption | null>(null);
  const [refused, setRefused] = useState("");
  const balance = who.balance ?? 0;

  // Back on the screen (the admin may have handed something over meanwhile): fresh lists.
  useEffect(() => {
    const fresh = () => {
      if (document.visibilityState !== "visible") return;
      mine.reload();
      catalogue.reload();
    };
    document.addEventListener("visibilitychange", fresh);
    return () => document.removeEventListener("visibilitychange", fresh);
  }, []);

  function redeemed(redemption: Redemption) {
    setAsking(null);
    setRefused("");
    setDone(redemption);
    celebrate();
    refresh();
    showResult("redeem-done");
  }

  function refuse(text: string) {
    setAsking(null);
    setDone(null);
    setRefused(text);
    refresh();
    showResult("redeem-refused");
  }

  function refresh() {
    loadMe().catch(() => undefined);
    catalogue.reload();
    mine.reload();
  }

  const rewards = catalogue.data?.items.filter((r) => r.active);
  return (
    <main class="screen">
      <TopBar title="Rewards" back="/me" />
      <section class="card pad balance-card" aria-labelledby="balance-title">
        <h2 id="balance-title" class="small-title">
          Your balance
        </h2>
        <p class="big-number balance" data-testid="balance">
          {balance.toLocaleString()} <span class="unit">pts</span>
        </p>
        <p>
          You can spend {pts(balance)} — <strong>spending never lowers your rank.</strong>
        </p>
        <p class="muted small">Your leaderboard score and level keep counting all {pts(who.points)} you earned.</p>
      </section>

      <div class="redeem-result" role="status" aria-live="polite">
        {done && (
          <div class="card pad redeem-done" id="redeem-done" tabIndex={-1} data-testid="redeem-done">
            <p class="celebrate-points">
              <strong>−{pts(done.cost)}</strong>
            </p>
            <p>
              <strong>{done.rewardName}</strong> is yours to collect. Your admin hands it over and you'll get a
              notification, with the details under My rewards.
            </p>
          </div>
        )}
      </div>
      {refused && (
        <p class="error" role="alert" id="redeem-refused" tabIndex={-1}>
          {refused}
        </p>
      )}

      <h2 class="section-title">Rewards you can get</h2>
      {catalogue.error && !catalogue.data ? (
        <Failure error={catalogue.error} retry={catalogue.reload} />
      ) : !rewards ? (
        <Skeleton lines={3} />
      ) : rewards.length === 0 ? (
        <Empty text="No rewards on offer yet — your points keep counting until there are." />
      ) : (
        <ul class="cards" aria-label="Rewards">
          {rewards.map((reward) => (
            <RewardCard key={reward.id} reward={reward} why={blocker(reward, balance, isOnline)} ask={setAsking} />
          ))}
        </ul>
      )}

      <h2 class="section-title">My rewards</h2>
      <MyRedemptions loaded={mine} />

      {asking && (
        <RedeemSheet
          reward={asking}
          balance={balance}
          onCancel={() => setAsking(null)}
          onDone={redeemed}
          onRefused={refuse}
        />
      )}
    </main>
  );
}

function RewardCard({ reward, why, ask }: { reward: Reward; why: string; ask: (reward: Reward) => void }) {
  const whyId = `reward-${reward.id}-why`;
  return (
    <li class="card reward-card" data-testid="reward">
      {reward.imageUrl && (
        <img class="reward-image" src={reward.imageUrl} alt="" loading="lazy" referrerpolicy="no-referrer" />
      )}
      <div class="card-body">
        <h3 class="card-title">{reward.name}</h3>
        {reward.description && <p class="muted prewrap">{reward.description}</p>}
        <p class="card-meta">
          <span class="chip points">{pts(reward.cost)}</span>
          {reward.stock !== null && (
            <span class={`chip ${reward.stock === 0 ? "status-rejected" : ""}`}>
              {reward.stock === 0 ? "Sold out" : `${reward.stock.toLocaleString()} left`}
            </span>
          )}
          {reward.perPersonLimit !== null && (
            <span class="muted small">
              {reward.perPersonLimit} per person
              {reward.myRedemptions > 0 ? ` · you have ${reward.myRedemptions}` : ""}
            </span>
          )}
          {reward.endsAt && new Date(reward.endsAt).getTime() > Date.now() && (
            <span class="muted small">{timeLeft(reward.endsAt)}</span>
          )}
        </p>
        {why && (
          <p class="muted small why" id={whyId}>
            {why}
          </p>
        )}
        <button
          type="button"
          class="button primary"
          disabled={Boolean(why)}
          aria-describedby={why ? whyId : undefined}
          onClick={() => ask(reward)}
        >
          Redeem for {pts(reward.cost)}
          <span class="visually-hidden">: {reward.name}</span>
        </button>
      </div>
    </li>
  );
}

/** The confirmation, at the bottom of the screen where the thumb is: a modal <dialog> (the page
 * behind is inert, Escape cancels, focus returns to the reward's button when it closes). */
function RedeemSheet({
  reward,
  balance,
  onCancel,
  onDone,
  onRefused,
}: {
  reward: Reward;
  balance: number;
  onCancel: () => void;
  onDone: (redemption: Redemption) => void;
  onRefused: (text: string) => void;
}) {
  const box = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  // One key for this confirmation: a retry after a lost answer is the same redemption.
  const key = useRef(newIdempotencyKey());
  const [busy, run] = useInFlight();
  const [problem, setProblem] = useState("");

  useEffect(() => {
    const dialog = box.current;
    if (!dialog) return;
    const before = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal?.();
    cancel.current?.focus();
    return () => {
      if (dialog.open) dialog.close();
      before?.focus?.();
    };
  }, []);

  const confirm = () =>
    run(async () => {
      setProblem("");
      try {
        const redemption = await api.post("/api/v1/rewards/{reward_id}/redemptions", {
          path: { reward_id: reward.id },
          body: {},
          idempotencyKey: key.current,
        });
        onDone(redemption);
      } catch (failure) {
        if (failure instanceof ApiError && failure.status < 500) onRefused(failure.detail);
        else
          setProblem(
            failure instanceof OfflineError
              ? "You're offline — nothing was spent. Try again once you're back online."
              : "Chorus didn't answer — nothing was spent twice. Try again in a moment.",
          );
      }
    });

  const left = balance - reward.cost;
  return (
    <dialog
      ref={box}
      class="sheet card"
      aria-labelledby="redeem-title"
      aria-describedby="redeem-body"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id="redeem-title" class="card-title">
        Redeem {reward.name}?
      </h2>
      <div id="redeem-body" class="stack-tight">
        <p>
          This spends <strong>{pts(reward.cost)}</strong> of your {pts(balance)}; {pts(Math.max(left, 0))} stay to
          spend.
        </p>
        <p class="muted small">Your leaderboard score and level stay exactly as they are.</p>
      </div>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <div class="row sheet-actions">
        <button ref={cancel} type="button" class="button secondary grow" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
        <button type="button" class="button primary grow" disabled={busy} onClick={confirm}>
          {busy ? "Redeeming…" : problem ? "Try again" : "Yes, redeem"}
        </button>
      </div>
    </dialog>
  );
}

interface Loaded<T> {
  data?: { items: T[] };
  error: unknown;
  reload: () => void;
}

function MyRedemptions({ loaded }: { loaded: Loaded<Redemption> }) {
  const items = loaded.data?.items;
  if (loaded.error && !items) return <Failure error={loaded.error} retry={loaded.reload} />;
  if (!items) return <Skeleton lines={1} />;
  if (items.length === 0)
    return <p class="muted">Nothing redeemed yet. What you redeem shows here, with how to get it.</p>;
  return (
    <ul class="cards" aria-label="My rewards">
      {items.map((r) => {
        const [label, tone] = STATUS[r.status];
        return (
          <li class="card pad my-reward" key={r.id} data-testid="my-reward">
            <p class="row between">
              <strong>{r.rewardName}</strong>
              <span class={`chip status-${tone}`}>{label}</span>
            </p>
            <p class="muted small">
              {pts(r.cost)} · requested {day(r.createdAt)}
              {r.decidedAt ? ` · ${r.status} ${day(r.decidedAt)}` : ""}
            </p>
            {r.status === "requested" && <p class="small">Your admin will hand it over soon.</p>}
            {r.status === "rejected" && <p class="small">The {pts(r.cost)} are back on your balance.</p>}
            {r.note && (
              <p class="small prewrap note reward-note">
                <strong>{r.status === "fulfilled" ? "How to get it: " : "Note from your admin: "}</strong>
                {r.note}
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}
