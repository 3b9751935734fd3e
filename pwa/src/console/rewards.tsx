// Rewards in the admin console: the catalogue (create, edit, retire), the redemptions queue
// (fulfil with a note — the voucher code, the pickup place — or reject, which refunds), the
// budget (points outstanding, spent, held, fulfilled and their money value per month, with the
// CSV), and raffles whose draw anyone can audit: the seed's hash is shown from creation, the
// seed and the frozen ticket list after the draw.
import { useState } from "preact/hooks";
import { api, apiUrl, type Schemas, toastFailure } from "../api";
import { Empty, Failure, FieldError, FormError, Skeleton, TopBar } from "../components";
import { check, type FieldErrors, useFormErrors } from "../forms";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import { confirmAction, MoreRows, usePages } from "./kit";
import "./rewards.css";
import { Field, Section, Stat } from "./ui";

type Reward = Schemas["AdminRewardRead"];
type Redemption = Schemas["AdminRedemptionRead"];
type Raffle = Schemas["RaffleRead"];
type Status = Redemption["status"];

function day(iso: string): string {
  return new Date(iso).toLocaleDateString();
}

function when(iso: string): string {
  return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

function pts(n: number): string {
  return `${n.toLocaleString()} pts`;
}

/** Cents as money, without a currency symbol (the organization's own currency). */
export function money(cents: number): string {
  return (cents / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** A moment as a `datetime-local` input shows it: this device's time, to the minute. */
function localInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const at = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** "" → null, else the whole number typed (NaN when it is not one). */
function optionalInt(text: string): number | null {
  return text.trim() === "" ? null : Number(text);
}

function wholeNumber(text: string, what: string, min: number, optional: boolean): string {
  if (text.trim() === "") return optional ? "" : `Please fill in ${what}.`;
  const n = Number(text);
  return Number.isInteger(n) && n >= min
    ? ""
    : `${what[0].toUpperCase()}${what.slice(1)} must be a whole number of at least ${min}.`;
}

// ---- The catalogue ---------------------------------------------------------------------------

const REWARD_FIELDS = [
  "name",
  "description",
  "imageUrl",
  "cost",
  "stock",
  "perPersonLimit",
  "startsAt",
  "endsAt",
  "teamIds",
  "valueCents",
  "active",
] as const;

/** The reward form: a new reward, or `reward` prefilled for editing. */
function RewardForm({ reward, onSaved, onCancel }: { reward?: Reward; onSaved: () => void; onCancel?: () => void }) {
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);
  const startsAt0 = localInput(reward?.startsAt);
  const endsAt0 = localInput(reward?.endsAt);
  const [name, setName] = useState(reward?.name ?? "");
  const [description, setDescription] = useState(reward?.description ?? "");
  const [imageUrl, setImageUrl] = useState(reward?.imageUrl ?? "");
  const [cost, setCost] = useState(reward ? String(reward.cost) : "");
  const [stock, setStock] = useState(reward?.stock != null ? String(reward.stock) : "");
  const [limit, setLimit] = useState(reward?.perPersonLimit != null ? String(reward.perPersonLimit) : "");
  const [startsAt, setStartsAt] = useState(startsAt0);
  const [endsAt, setEndsAt] = useState(endsAt0);
  const [teamIds, setTeamIds] = useState<string[]>(reward?.teamIds ?? []);
  const [value, setValue] = useState(reward?.valueCents != null ? (reward.valueCents / 100).toFixed(2) : "");
  const form = useFormErrors(reward ? `reward-edit-${reward.id}` : "reward-new");
  const [busy, run] = useInFlight();

  /** A moment for the API: untouched while editing, the exact one it has (the input keeps minutes). */
  function moment(text: string, original: string, exact: string | null | undefined): string | null {
    if (!text) return null;
    if (reward && text === original && exact) return exact;
    return new Date(text).toISOString();
  }

  async function save(event: Event) {
    event.preventDefault();
    const amount = value.trim() === "" ? null : Number(value.replace(",", "."));
    const checks: FieldErrors = {
      name: check.required(name, "a name") || check.maxLength(name, 120, "the name"),
      description: check.maxLength(description, 2000, "the description"),
      imageUrl:
        check.url(imageUrl, "the image link") ||
        (imageUrl.trim() && !imageUrl.trim().startsWith("https://") ? "The image link should start with https://" : ""),
      cost: wholeNumber(cost, "the cost", 1, false),
      stock: wholeNumber(stock, "the stock", 0, true),
      perPersonLimit: wholeNumber(limit, "the limit per person", 1, true),
      endsAt: check.dateOrder(startsAt, endsAt),
      valueCents:
        amount !== null && !(Number.isFinite(amount) && amount >= 0)
          ? "The value should be an amount like 25 or 12.50."
          : "",
    };
    if (!form.passes(checks)) return;
    const body = {
      name: name.trim(),
      description: description.trim(),
      imageUrl: imageUrl.trim() || null,
      cost: Number(cost),
      stock: optionalInt(stock),
      perPersonLimit: optionalInt(limit),
      startsAt: moment(startsAt, startsAt0, reward?.startsAt),
      endsAt: moment(endsAt, endsAt0, reward?.endsAt),
      teamIds,
      valueCents: amount === null ? null : Math.round(amount * 100),
    };
    await run(async () => {
      try {
        if (reward) {
          await api.patch("/api/v1/admin/rewards/{reward_id}", { path: { reward_id: reward.id }, body });
          toast(`“${body.name}” saved.`, "success");
        } else {
          await api.post("/api/v1/admin/rewards", { body });
          toast(`“${body.name}” is in the catalogue.`, "success");
          setName("");
          setDescription("");
          setImageUrl("");
          setCost("");
          setStock("");
          setLimit("");
          setStartsAt("");
          setEndsAt("");
          setTeamIds([]);
          setValue("");
          form.clear();
        }
        onSaved();
      } catch (failure) {
        form.fail(failure, reward ? "Could not save the reward." : "Could not create the reward.", REWARD_FIELDS);
      }
    });
  }

  const input =
    (setter: (v: string) => void, field: string) => (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => {
      setter(e.currentTarget.value);
      form.clear(field);
    };

  return (
    <form
      class="stack card pad rewards-form"
      id={form.formId}
      onSubmit={save}
      noValidate
      aria-label={reward ? `Edit ${reward.name}` : "New reward"}
    >
      <Field label="Name">
        <input required maxLength={120} value={name} onInput={input(setName, "name")} {...form.field("name")} />
      </Field>
      <FieldError form={form} name="name" />
      <Field label="Description (optional)">
        <textarea
          rows={2}
          maxLength={2000}
          value={description}
          onInput={input(setDescription, "description")}
          {...form.field("description")}
        />
      </Field>
      <FieldError form={form} name="description" />
      <Field label="Image link (optional, https://)">
        <input
          type="url"
          inputMode="url"
          maxLength={2048}
          value={imageUrl}
          onInput={input(setImageUrl, "imageUrl")}
          {...form.field("imageUrl")}
        />
      </Field>
      <FieldError form={form} name="imageUrl" />
      <div class="row">
        <Field label="Cost in points">
          <input
            type="number"
            inputMode="numeric"
            min={1}
            required
            value={cost}
            onInput={input(setCost, "cost")}
            {...form.field("cost")}
          />
        </Field>
        <Field label="Stock in all" hint="blank: unlimited">
          <input
            type="number"
            inputMode="numeric"
            min={0}
            value={stock}
            onInput={input(setStock, "stock")}
            {...form.field("stock")}
          />
        </Field>
        <Field label="Limit per person" hint="blank: no limit">
          <input
            type="number"
            inputMode="numeric"
            min={1}
            value={limit}
            onInput={input(setLimit, "perPersonLimit")}
            {...form.field("perPersonLimit")}
          />
        </Field>
      </div>
      <FieldError form={form} name="cost" />
      <FieldError form={form} name="stock" />
      <FieldError form={form} name="perPersonLimit" />
      <div class="row">
        <Field label="Offered from (optional)">
          <input
            type="datetime-local"
            value={startsAt}
            onInput={input(setStartsAt, "startsAt")}
            {...form.field("startsAt")}
          />
        </Field>
        <Field label="Offered until (optional)">
          <input type="datetime-local" value={endsAt} onInput={input(setEndsAt, "endsAt")} {...form.field("endsAt")} />
        </Field>
        <Field label="Value of one (for the budget)" hint="what it costs the company; optional">
          <input
            inputMode="decimal"
            value={value}
            onInput={input(setValue, "valueCents")}
            {...form.field("valueCents")}
          />
        </Field>
      </div>
      <FieldError form={form} name="startsAt" />
      <FieldError form={form} name="endsAt" />
      <FieldError form={form} name="valueCents" />
      <fieldset class="stack">
        <legend>Open to</legend>
        <p class="muted small">{teamIds.length ? "Only the teams ticked." : "Everyone."}</p>
        {(teams.data?.items ?? []).map((t) => (
          <label class="switch" key={t.id}>
            <span>{t.name}</span>
            <input
              type="checkbox"
              checked={teamIds.includes(t.id)}
              onChange={(e) => {
                setTeamIds(e.currentTarget.checked ? [...teamIds, t.id] : teamIds.filter((x) => x !== t.id));
                form.clear("teamIds");
              }}
            />
          </label>
        ))}
      </fieldset>
      <FieldError form={form} name="teamIds" />
      <FormError error={form.errors.form} />
      <div class="row">
        <button class="button primary" type="submit" disabled={busy}>
          {reward ? (busy ? "Saving…" : "Save reward") : busy ? "Adding…" : "Add reward"}
        </button>
        {onCancel && (
          <button class="button secondary" type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function stockText(r: Reward): string {
  if (r.stock === null) return "unlimited";
  return `${(r.remaining ?? 0).toLocaleString()} of ${r.stock.toLocaleString()}`;
}

export function RewardsAdmin() {
  const rewards = usePages<Reward>(
    (cursor) => api.get("/api/v1/admin/rewards", { query: { limit: 100, cursor } }),
    "rewards",
  );
  const [editing, setEditing] = useState<Reward | null>(null);
  const [busy, run] = useInFlight();
  const [budgetTick, setBudgetTick] = useState(0);

  const saved = () => {
    setEditing(null);
    rewards.reload();
    setBudgetTick((t) => t + 1);
  };

  async function setActive(r: Reward, active: boolean) {
    if (!active) {
      const sure = await confirmAction({
        title: `Retire “${r.name}”?`,
        body: "It leaves the catalogue at once and nobody can redeem it any more. Requests already made stay in the queue for you to fulfil or reject.",
        confirmLabel: "Retire reward",
      });
      if (!sure) return;
    }
    await run(async () => {
      try {
        await api.patch("/api/v1/admin/rewards/{reward_id}", { path: { reward_id: r.id }, body: { active } });
        toast(active ? `“${r.name}” is back in the catalogue.` : `“${r.name}” retired.`, "success");
        rewards.reload();
      } catch (failure) {
        toastFailure(failure, "Could not change the reward.");
      }
    });
  }

  function edit(r: Reward) {
    setEditing(r);
    requestAnimationFrame(() => document.getElementById("reward-form")?.scrollIntoView({ block: "start" }));
  }

  const items = rewards.items;
  return (
    <main class="screen console">
      <TopBar title="Rewards" back="/admin" />
      <p class="muted">
        What points can buy. Spending never changes a leaderboard, a level or a badge: people spend their balance
        (points earned minus points spent), and their score keeps every point they earned.{" "}
        <a href="/admin/redemptions">Redemptions to hand out</a> · <a href="/admin/raffles">Raffles</a>
      </p>
      {rewards.error && !items ? (
        <Failure error={rewards.error} retry={rewards.reload} />
      ) : !items ? (
        <Skeleton />
      ) : items.length === 0 ? (
        <Empty text="No rewards yet — add the first one below (a voucher, a day off, a team lunch)." />
      ) : (
        <>
          <div class="data-table-wrap">
            <table class="data-table">
              <caption class="visually-hidden">The rewards catalogue</caption>
              <thead>
                <tr>
                  <th scope="col">Reward</th>
                  <th scope="col" class="num">
                    Cost
                  </th>
                  <th scope="col" class="num">
                    Left
                  </th>
                  <th scope="col" class="num">
                    Waiting
                  </th>
                  <th scope="col" class="num">
                    Fulfilled
                  </th>
                  <th scope="col" class="num">
                    Value
                  </th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={r.id} class="reward-row">
                    <td>
                      <span class="who-cell">
                        <span class="name">{r.name}</span>
                        <span class="muted">
                          {r.active ? "in the catalogue" : "retired"}
                          {r.perPersonLimit !== null ? ` · ${r.perPersonLimit} per person` : ""}
                          {r.teamIds.length ? ` · ${r.teamIds.length} team${r.teamIds.length > 1 ? "s" : ""}` : ""}
                          {r.endsAt ? ` · until ${day(r.endsAt)}` : ""}
                        </span>
                      </span>
                    </td>
                    <td class="num">{pts(r.cost)}</td>
                    <td class="num">{stockText(r)}</td>
                    <td class="num">{r.held.toLocaleString()}</td>
                    <td class="num">{r.fulfilled.toLocaleString()}</td>
                    <td class="num">{r.valueCents === null ? "–" : money(r.valueCents)}</td>
                    <td>
                      <span class="cell-actions">
                        <button type="button" class="button secondary compact" onClick={() => edit(r)}>
                          Edit<span class="visually-hidden"> {r.name}</span>
                        </button>
                        {r.active ? (
                          <button
                            type="button"
                            class="button danger compact"
                            disabled={busy}
                            onClick={() => setActive(r, false)}
                          >
                            Retire<span class="visually-hidden"> {r.name}</span>
                          </button>
                        ) : (
                          <button
                            type="button"
                            class="button secondary compact"
                            disabled={busy}
                            onClick={() => setActive(r, true)}
                          >
                            Bring back<span class="visually-hidden"> {r.name}</span>
                          </button>
                        )}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <MoreRows
            shown={items.length}
            hasMore={rewards.hasMore}
            loading={rewards.loading}
            more={() => rewards.more()}
            noun="rewards"
          />
        </>
      )}
      <div id="reward-form">
        <Section title={editing ? `Edit “${editing.name}”` : "New reward"}>
          <RewardForm
            key={editing?.id ?? "new"}
            reward={editing ?? undefined}
            onSaved={saved}
            onCancel={editing ? () => setEditing(null) : undefined}
          />
        </Section>
      </div>
      <BudgetPanel key={budgetTick} />
    </main>
  );
}

// ---- The budget ------------------------------------------------------------------------------

function BudgetPanel() {
  const budget = useLoad(() => api.get("/api/v1/admin/rewards/budget"), []);
  const b = budget.data;
  return (
    <Section
      title="Budget"
      action={
        <a
          class="button secondary compact"
          href={apiUrl("/api/v1/admin/rewards/budget.csv")}
          download="chorus-rewards-budget.csv"
        >
          Download CSV
        </a>
      }
    >
      {budget.error && !b ? (
        <Failure error={budget.error} retry={budget.reload} />
      ) : !b ? (
        <Skeleton lines={2} />
      ) : (
        <>
          <div class="stats">
            <Stat label="Points outstanding" value={b.pointsOutstanding.toLocaleString()} hint="everyone's balance" />
            <Stat label="Points spent" value={b.pointsSpent.toLocaleString()} hint="fulfilled and waiting" />
            <Stat label="Points held" value={b.pointsHeld.toLocaleString()} hint="waiting for you" />
            <Stat label="Rewards fulfilled" value={b.fulfilled.toLocaleString()} hint="handed out" />
          </div>
          {b.months.length === 0 ? (
            <p class="muted">Nothing redeemed yet.</p>
          ) : (
            <div class="data-table-wrap">
              <table class="data-table">
                <caption class="visually-hidden">Rewards per month</caption>
                <thead>
                  <tr>
                    <th scope="col">Month</th>
                    <th scope="col" class="num">
                      Points spent
                    </th>
                    <th scope="col" class="num">
                      Fulfilled
                    </th>
                    <th scope="col" class="num">
                      Value
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {b.months.map((m) => (
                    <tr key={m.month}>
                      <th scope="row">{m.month}</th>
                      <td class="num">{m.pointsSpent.toLocaleString()}</td>
                      <td class="num">{m.fulfilled.toLocaleString()}</td>
                      <td class="num">{money(m.valueCents)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p class="muted small">Value: the fulfilled rewards' money value, as set on each reward.</p>
        </>
      )}
    </Section>
  );
}

// ---- The redemptions queue -------------------------------------------------------------------

type Filter = Status | "all";
const FILTERS: [Filter, string][] = [
  ["requested", "Waiting"],
  ["fulfilled", "Fulfilled"],
  ["rejected", "Rejected"],
  ["all", "All"],
];
const STATUS_TEXT: Record<Status, [string, string]> = {
  requested: ["Waiting", "status-pending"],
  fulfilled: ["Fulfilled", "status-ok"],
  rejected: ["Rejected", "status-failed"],
};

export function RedemptionsAdmin() {
  const [filter, setFilter] = useState<Filter>("requested");
  const queue = usePages<Redemption>(
    (cursor) =>
      api.get("/api/v1/admin/redemptions", {
        query: { status: filter === "all" ? undefined : filter, limit: 50, cursor },
      }),
    filter,
  );
  const items = queue.items;
  const decided = (answer: Redemption) =>
    queue.setItems((old) => (old ? old.map((r) => (r.id === answer.id ? answer : r)) : old));

  return (
    <main class="screen console">
      <TopBar title="Redemptions" back="/admin" />
      <p class="muted">
        Hand out what people redeemed. Fulfil with a note (the voucher code, where to pick it up): they see it in the
        app. Rejecting gives the points and the unit back. Either way they are notified.
      </p>
      <div class="segmented" role="group" aria-label="Show">
        {FILTERS.map(([key, text]) => (
          <button type="button" key={key} aria-pressed={key === filter} onClick={() => setFilter(key)}>
            {text}
          </button>
        ))}
      </div>
      {queue.error && !items ? (
        <Failure error={queue.error} retry={queue.reload} />
      ) : !items ? (
        <Skeleton />
      ) : items.length === 0 ? (
        <Empty text={filter === "requested" ? "Nothing waiting — every redemption is handed out." : "None yet."} />
      ) : (
        <>
          <ul class="cards" aria-label="Redemptions">
            {items.map((r) => (
              <li key={r.id}>
                <RedemptionCard redemption={r} onDecided={decided} />
              </li>
            ))}
          </ul>
          <MoreRows
            shown={items.length}
            hasMore={queue.hasMore}
            loading={queue.loading}
            more={() => queue.more()}
            noun="redemptions"
          />
        </>
      )}
    </main>
  );
}

function RedemptionCard({
  redemption: r,
  onDecided,
}: {
  redemption: Redemption;
  onDecided: (answer: Redemption) => void;
}) {
  const [note, setNote] = useState("");
  const [busy, run] = useInFlight();
  const [label, tone] = STATUS_TEXT[r.status];
  const noteId = `redemption-${r.id}-note`;

  async function decide(action: "fulfil" | "reject") {
    const text = note.trim();
    if (action === "reject") {
      const sure = await confirmAction({
        title: `Reject “${r.rewardName}” for ${r.userName}?`,
        body: `${pts(r.cost)} go back to their balance and the unit back in stock. They are notified${text ? `, with your note: “${text}”` : ""}.`,
        confirmLabel: "Reject and refund",
      });
      if (!sure) return;
    }
    await run(async () => {
      try {
        const body = text ? { note: text } : {};
        const answer =
          action === "fulfil"
            ? await api.post("/api/v1/admin/redemptions/{redemption_id}/fulfil", {
                path: { redemption_id: r.id },
                body,
              })
            : await api.post("/api/v1/admin/redemptions/{redemption_id}/reject", {
                path: { redemption_id: r.id },
                body,
              });
        toast(
          action === "fulfil"
            ? `Fulfilled: ${r.rewardName} for ${r.userName}.`
            : `Rejected; ${pts(r.cost)} back to ${r.userName}.`,
          "success",
        );
        onDecided(answer);
      } catch (failure) {
        toastFailure(failure, "Could not decide this redemption.");
      }
    });
  }

  return (
    <article class="card pad stack redemption-card" aria-label={`${r.rewardName} for ${r.userName}`}>
      <div class="row between">
        <span class="who-cell">
          <strong>{r.rewardName}</strong>
          <span class="muted small">
            {r.userName} · {r.email}
            {r.teamName ? ` · ${r.teamName}` : ""}
          </span>
        </span>
        <span class={`chip ${tone}`}>{label}</span>
      </div>
      <p class="muted small">
        {pts(r.cost)} · requested {when(r.createdAt)}
        {r.decidedAt ? ` · decided ${when(r.decidedAt)}` : ""}
      </p>
      {r.note && (
        <p class="small prewrap note">
          <strong>Note: </strong>
          {r.note}
        </p>
      )}
      {r.status === "requested" && (
        <>
          <label for={noteId}>Note for {r.userName} (the voucher code, where to pick it up)</label>
          <textarea
            id={noteId}
            rows={2}
            maxLength={1000}
            value={note}
            onInput={(e) => setNote(e.currentTarget.value)}
          />
          <div class="row">
            <button type="button" class="button primary" disabled={busy} onClick={() => decide("fulfil")}>
              Fulfil
              <span class="visually-hidden">
                {" "}
                {r.rewardName} for {r.userName}
              </span>
            </button>
            <button type="button" class="button danger" disabled={busy} onClick={() => decide("reject")}>
              Reject
              <span class="visually-hidden">
                {" "}
                {r.rewardName} for {r.userName}
              </span>
            </button>
          </div>
        </>
      )}
    </article>
  );
}

// ---- Raffles ---------------------------------------------------------------------------------

const RAFFLE_FIELDS = [
  "name",
  "periodStart",
  "periodEnd",
  "winners",
  "pointsPerTicket",
  "maxTicketsPerPerson",
  "rewardId",
] as const;

/** The start of a local calendar day, as an ISO moment; `next` gives the start of the day after. */
function dayStart(date: string, next = false): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(y, m - 1, d + (next ? 1 : 0)).toISOString();
}

function isoDay(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

function RaffleForm({ onSaved }: { onSaved: () => void }) {
  const rewards = useLoad(() => api.get("/api/v1/admin/rewards", { query: { limit: 100 } }), []);
  const today = new Date();
  const [name, setName] = useState("");
  const [from, setFrom] = useState(isoDay(new Date(today.getFullYear(), today.getMonth(), 1)));
  const [to, setTo] = useState(isoDay(new Date(today.getFullYear(), today.getMonth() + 1, 0)));
  const [winners, setWinners] = useState("3");
  const [perTicket, setPerTicket] = useState("50");
  const [maxTickets, setMaxTickets] = useState("10");
  const [rewardId, setRewardId] = useState("");
  const form = useFormErrors("raffle-new");
  const [busy, run] = useInFlight();

  async function create(event: Event) {
    event.preventDefault();
    const checks: FieldErrors = {
      name: check.required(name, "a name") || check.maxLength(name, 120, "the name"),
      periodStart: from ? "" : "Please pick the first day.",
      periodEnd: !to
        ? "Please pick the last day."
        : from && to < from
          ? "The last day must not come before the first."
          : "",
      winners: wholeNumber(winners, "the number of winners", 1, false),
      pointsPerTicket: wholeNumber(perTicket, "the points per ticket", 1, false),
      maxTicketsPerPerson: wholeNumber(maxTickets, "the tickets per person", 1, false),
    };
    if (!form.passes(checks)) return;
    await run(async () => {
      try {
        await api.post("/api/v1/admin/raffles", {
          body: {
            name: name.trim(),
            periodStart: dayStart(from),
            periodEnd: dayStart(to, true),
            winners: Number(winners),
            pointsPerTicket: Number(perTicket),
            maxTicketsPerPerson: Number(maxTickets),
            rewardId: rewardId || null,
          },
        });
        toast(`Raffle “${name.trim()}” created: its seed hash is published.`, "success");
        setName("");
        form.clear();
        onSaved();
      } catch (failure) {
        form.fail(failure, "Could not create the raffle.", RAFFLE_FIELDS);
      }
    });
  }

  const input =
    (setter: (v: string) => void, field: string) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => {
      setter(e.currentTarget.value);
      form.clear(field);
    };

  return (
    <form class="stack card pad rewards-form" id={form.formId} onSubmit={create} noValidate aria-label="New raffle">
      <Field label="Name">
        <input required maxLength={120} value={name} onInput={input(setName, "name")} {...form.field("name")} />
      </Field>
      <FieldError form={form} name="name" />
      <div class="row">
        <Field label="Points earned from">
          <input type="date" value={from} onInput={input(setFrom, "periodStart")} {...form.field("periodStart")} />
        </Field>
        <Field label="to (the whole day)">
          <input type="date" value={to} onInput={input(setTo, "periodEnd")} {...form.field("periodEnd")} />
        </Field>
      </div>
      <FieldError form={form} name="periodStart" />
      <FieldError form={form} name="periodEnd" />
      <div class="row">
        <Field label="Winners">
          <input
            type="number"
            min={1}
            max={100}
            value={winners}
            onInput={input(setWinners, "winners")}
            {...form.field("winners")}
          />
        </Field>
        <Field label="One ticket per … points">
          <input
            type="number"
            min={1}
            value={perTicket}
            onInput={input(setPerTicket, "pointsPerTicket")}
            {...form.field("pointsPerTicket")}
          />
        </Field>
        <Field label="At most … tickets a person">
          <input
            type="number"
            min={1}
            value={maxTickets}
            onInput={input(setMaxTickets, "maxTicketsPerPerson")}
            {...form.field("maxTicketsPerPerson")}
          />
        </Field>
      </div>
      <FieldError form={form} name="winners" />
      <FieldError form={form} name="pointsPerTicket" />
      <FieldError form={form} name="maxTicketsPerPerson" />
      <Field label="Prize (optional)">
        <select value={rewardId} onChange={input(setRewardId, "rewardId")} {...form.field("rewardId")}>
          <option value="">No reward from the catalogue</option>
          {(rewards.data?.items ?? [])
            .filter((r) => r.active)
            .map((r) => (
              <option value={r.id} key={r.id}>
                {r.name}
              </option>
            ))}
        </select>
      </Field>
      <FieldError form={form} name="rewardId" />
      <p class="muted small">
        The cap keeps the same few people from always winning. The seed's hash is published now; the seed itself is
        revealed by the draw, so anyone can recompute the winners from it and the ticket list.
      </p>
      <FormError error={form.errors.form} />
      <button class="button primary" type="submit" disabled={busy}>
        {busy ? "Creating…" : "Create raffle"}
      </button>
    </form>
  );
}

function RaffleCard({ raffle: r, onDrawn }: { raffle: Raffle; onDrawn: (r: Raffle) => void }) {
  const [busy, run] = useInFlight();
  const early = new Date(r.periodEnd).getTime() > Date.now();
  const whyId = `raffle-${r.id}-why`;
  const tickets = r.entries.reduce((sum, e) => sum + e.tickets, 0);

  async function draw() {
    const sure = await confirmAction({
      title: `Draw the winners of “${r.name}”?`,
      body: "The ticket list is frozen, the seed is revealed and the winners are final. Anyone can recompute them from the seed and the ticket list.",
      confirmLabel: "Draw winners",
      danger: false,
    });
    if (!sure) return;
    await run(async () => {
      try {
        const drawn = await api.post("/api/v1/admin/raffles/{raffle_id}/draw", { path: { raffle_id: r.id } });
        toast(`Drawn: ${drawn.winners.length} ${drawn.winners.length === 1 ? "winner" : "winners"}.`, "success");
        onDrawn(drawn);
      } catch (failure) {
        toastFailure(failure, "Could not draw the raffle.");
      }
    });
  }

  return (
    <article class="card pad stack raffle-card" aria-label={r.name}>
      <div class="row between">
        <strong>{r.name}</strong>
        <span class={`chip ${r.status === "drawn" ? "status-ok" : "status-pending"}`}>
          {r.status === "drawn" ? "Drawn" : "Open"}
        </span>
      </div>
      <p class="muted small">
        Points earned {day(r.periodStart)} – {day(new Date(new Date(r.periodEnd).getTime() - 1).toISOString())} · one
        ticket per {pts(r.pointsPerTicket)}, at most {r.maxTicketsPerPerson} a person · {r.winnerCount}{" "}
        {r.winnerCount === 1 ? "winner" : "winners"}
        {r.rewardName ? ` · prize: ${r.rewardName}` : ""}
      </p>
      <p class="small prewrap">
        Seed hash (SHA-256, published at creation): <code class="hash">{r.seedSha256}</code>
      </p>
      {r.status === "open" ? (
        <>
          {early && (
            <p class="muted small" id={whyId}>
              The draw opens once the period ends ({when(r.periodEnd)}).
            </p>
          )}
          <button
            type="button"
            class="button primary"
            disabled={busy || early}
            aria-describedby={early ? whyId : undefined}
            onClick={draw}
          >
            Draw winners<span class="visually-hidden"> of {r.name}</span>
          </button>
        </>
      ) : (
        <>
          <p class="small prewrap">
            Seed (revealed by the draw{r.drawnAt ? ` on ${when(r.drawnAt)}` : ""}): <code class="hash">{r.seed}</code>
          </p>
          <p class="muted small">Procedure: {r.algorithm}</p>
          <h3 class="small-title">Winners</h3>
          {r.winners.length === 0 ? (
            <p class="muted">Nobody held a ticket.</p>
          ) : (
            <ol class="plain" aria-label={`Winners of ${r.name}`}>
              {r.winners.map((w) => (
                <li key={w.userId}>{w.name ?? `Someone hidden from boards (${w.userId.slice(0, 8)})`}</li>
              ))}
            </ol>
          )}
          <details>
            <summary>
              Ticket list: {r.entries.length} {r.entries.length === 1 ? "person" : "people"}, {tickets} tickets
            </summary>
            <div class="data-table-wrap">
              <table class="data-table">
                <caption class="visually-hidden">Tickets of {r.name}</caption>
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">User id</th>
                    <th scope="col" class="num">
                      Tickets
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {r.entries.map((e) => (
                    <tr key={e.userId}>
                      <td>{e.name ?? "Hidden from boards"}</td>
                      <td>
                        <code>{e.userId}</code>
                      </td>
                      <td class="num">{e.tickets}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
          <a href={apiUrl("/api/v1/raffles/{raffle_id}", { path: { raffle_id: r.id } })} target="_blank" rel="noopener">
            The public record of this draw (JSON)
          </a>
        </>
      )}
    </article>
  );
}

export function RafflesAdmin() {
  const raffles = usePages<Raffle>(
    (cursor) => api.get("/api/v1/admin/raffles", { query: { limit: 50, cursor } }),
    "raffles",
  );
  const items = raffles.items;
  const drawn = (answer: Raffle) =>
    raffles.setItems((old) => (old ? old.map((r) => (r.id === answer.id ? answer : r)) : old));
  return (
    <main class="screen console">
      <TopBar title="Raffles" back="/admin/rewards" />
      <p class="muted">
        An alternative to “the top scorer always wins”: everyone who earned points in the period gets tickets, capped
        per person, and a draw anyone can check afterwards.
      </p>
      {raffles.error && !items ? (
        <Failure error={raffles.error} retry={raffles.reload} />
      ) : !items ? (
        <Skeleton />
      ) : items.length === 0 ? (
        <Empty text="No raffles yet." />
      ) : (
        <>
          <ul class="cards" aria-label="Raffles">
            {items.map((r) => (
              <li key={r.id}>
                <RaffleCard raffle={r} onDrawn={drawn} />
              </li>
            ))}
          </ul>
          <MoreRows
            shown={items.length}
            hasMore={raffles.hasMore}
            loading={raffles.loading}
            more={() => raffles.more()}
            noun="raffles"
          />
        </>
      )}
      <Section title="New raffle">
        <RaffleForm onSaved={raffles.reload} />
      </Section>
    </main>
  );
}
