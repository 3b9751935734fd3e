// Rewards: what the person's points can buy, and what they asked for. The balance (points
// earned minus points spent) is separate from the leaderboard score: spending never lowers a
// rank, a level or a badge, and the screen says so. A redemption is one tap, one confirmation,
// one Idempotency-Key (kept for a retry of the same confirmation, so a lost answer never
// redeems twice), and a short celebration; the admin's note (a voucher code, where to pick it
// up) shows under "My rewards" once it is handed over.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api, newIdempotencyKey, OfflineError, type Schemas } from "../api";
import { Empty, Failure, Skeleton, TopBar, timeLeft } from "../components";
import { formatDate, formatNumber, t, tRich } from "../i18n";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { loadMe, me } from "../session";
import { online, staleSince, useStore } from "../store";
import "./rewards.css";

type Reward = Schemas["RewardRead"];
type Redemption = Schemas["RedemptionRead"];

/** A redemption's status in words, and its chip's tone. */
function status(value: Redemption["status"]): [label: string, tone: string] {
  switch (value) {
    case "requested":
      return [t("rewards.statusRequested"), "pending"];
    case "fulfilled":
      return [t("rewards.statusFulfilled"), "verified"];
    case "rejected":
      return [t("rewards.statusRejected"), "rejected"];
  }
}

function day(iso: string): string {
  return formatDate(iso, { month: "short", day: "numeric" });
}

/** `<b>…</b>` in a message: the words in bold. */
const strong = (chunks: ComponentChildren) => <strong>{chunks}</strong>;

/** Why a reward cannot be redeemed right now, in words; "" when it can. */
export function blocker(reward: Reward, balance: number, isOnline: boolean, now = Date.now()): string {
  if (!reward.active) return t("rewards.noLongerOffered");
  if (reward.startsAt && new Date(reward.startsAt).getTime() > now)
    return t("rewards.opens", { date: day(reward.startsAt) });
  if (reward.endsAt && new Date(reward.endsAt).getTime() <= now) return t("rewards.ended");
  if (reward.stock === 0) return t("rewards.soldOutNoneLeft");
  const limit = reward.perPersonLimit;
  if (limit !== null && reward.myRedemptions >= limit)
    return limit === 1 ? t("rewards.haveOne") : t("rewards.haveMost", { limit });
  if (balance < reward.cost) return t("rewards.needMore", { count: reward.cost - balance });
  if (!isOnline) return t("rewards.offline");
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
      <TopBar title={t("rewards.title")} back="/me" />
      <section class="card pad balance-card" aria-labelledby="balance-title">
        <h2 id="balance-title" class="small-title">
          {t("rewards.balance")}
        </h2>
        <p class="big-number balance" data-testid="balance">
          {formatNumber(balance)} <span class="unit">{t("rewards.unit")}</span>
        </p>
        <p>{tRich("rewards.canSpend", { count: balance, b: strong })}</p>
        <p class="muted small">{t("rewards.scoreKeepsCounting", { count: who.points })}</p>
      </section>

      <div class="redeem-result" role="status" aria-live="polite">
        {done && (
          <div class="card pad redeem-done" id="redeem-done" tabIndex={-1} data-testid="redeem-done">
            <p class="celebrate-points">
              <strong>{t("rewards.spent", { count: done.cost })}</strong>
            </p>
            <p>{tRich("rewards.yoursToCollect", { name: done.rewardName, b: strong })}</p>
          </div>
        )}
      </div>
      {refused && (
        <p class="error" role="alert" id="redeem-refused" tabIndex={-1}>
          {refused}
        </p>
      )}

      <h2 class="section-title">{t("rewards.catalogue")}</h2>
      {catalogue.error && !catalogue.data ? (
        <Failure error={catalogue.error} retry={catalogue.reload} />
      ) : !rewards ? (
        <Skeleton lines={3} />
      ) : rewards.length === 0 ? (
        <Empty text={t("rewards.noneOnOffer")} />
      ) : (
        <ul class="cards" aria-label={t("rewards.title")}>
          {rewards.map((reward) => (
            <RewardCard key={reward.id} reward={reward} why={blocker(reward, balance, isOnline)} ask={setAsking} />
          ))}
        </ul>
      )}

      <h2 class="section-title">{t("rewards.mine")}</h2>
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
          <span class="chip points">{t("rewards.cost", { count: reward.cost })}</span>
          {reward.stock !== null && (
            <span class={`chip ${reward.stock === 0 ? "status-rejected" : ""}`}>
              {reward.stock === 0 ? t("rewards.soldOut") : t("rewards.left", { count: reward.stock })}
            </span>
          )}
          {reward.perPersonLimit !== null && (
            <span class="muted small">
              {reward.myRedemptions > 0
                ? t("rewards.perPersonHave", { limit: reward.perPersonLimit, count: reward.myRedemptions })
                : t("rewards.perPerson", { limit: reward.perPersonLimit })}
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
          {tRich("rewards.redeemFor", {
            count: reward.cost,
            name: reward.name,
            hidden: (chunks: ComponentChildren) => <span class="visually-hidden">{chunks}</span>,
          })}
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
        else setProblem(failure instanceof OfflineError ? t("rewards.offlineNothingSpent") : t("rewards.noAnswer"));
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
        {t("rewards.confirmTitle", { name: reward.name })}
      </h2>
      <div id="redeem-body" class="stack-tight">
        <p>{tRich("rewards.confirmSpends", { cost: reward.cost, balance, left: Math.max(left, 0), b: strong })}</p>
        <p class="muted small">{t("rewards.scoreStays")}</p>
      </div>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <div class="row sheet-actions">
        <button ref={cancel} type="button" class="button secondary grow" disabled={busy} onClick={onCancel}>
          {t("rewards.cancel")}
        </button>
        <button type="button" class="button primary grow" disabled={busy} onClick={confirm}>
          {busy ? t("rewards.redeeming") : problem ? t("rewards.tryAgain") : t("rewards.confirm")}
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
  if (items.length === 0) return <p class="muted">{t("rewards.noneRedeemed")}</p>;
  return (
    <ul class="cards" aria-label={t("rewards.mine")}>
      {items.map((r) => {
        const [label, tone] = status(r.status);
        return (
          <li class="card pad my-reward" key={r.id} data-testid="my-reward">
            <p class="row between">
              <strong>{r.rewardName}</strong>
              <span class={`chip status-${tone}`}>{label}</span>
            </p>
            <p class="muted small">
              {r.decidedAt
                ? t("rewards.historyDecided", {
                    count: r.cost,
                    requested: day(r.createdAt),
                    status: r.status,
                    decided: day(r.decidedAt),
                  })
                : t("rewards.history", { count: r.cost, requested: day(r.createdAt) })}
            </p>
            {r.status === "requested" && <p class="small">{t("rewards.handOverSoon")}</p>}
            {r.status === "rejected" && <p class="small">{t("rewards.refunded", { count: r.cost })}</p>}
            {r.note && (
              <p class="small prewrap note reward-note">
                <strong>{r.status === "fulfilled" ? t("rewards.howToGet") : t("rewards.adminNote")}</strong>
                {r.note}
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}
