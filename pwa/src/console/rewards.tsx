// Rewards in the admin console: the catalogue (create, edit, retire), the redemptions queue
// (fulfil with a note — the voucher code, the pickup place — or reject, which refunds), the
// budget (points outstanding, spent, held, fulfilled and their money value per month, with the
// CSV), and raffles whose draw anyone can audit: the seed's hash is shown from creation, the
// seed and the frozen ticket list after the draw.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { api, apiUrl, type Schemas, toastFailure } from "../api";
import { Empty, Failure, FieldError, FormError, Skeleton, TopBar } from "../components";
import { check, type FieldErrors, useFormErrors } from "../forms";
import { formatDate, formatDateTime, formatNumber, t, tRich } from "../i18n";
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
  return formatDate(iso, {});
}

function when(iso: string): string {
  return formatDateTime(iso);
}

function pts(n: number): string {
  return t("consoleRewards.pts", { count: n });
}

/** Cents as money, without a currency symbol (the organization's own currency). */
export function money(cents: number): string {
  return formatNumber(cents / 100, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** Words hidden from sight that a screen reader reads with the visible ones. */
const hidden = (chunks: ComponentChildren) => <span class="visually-hidden">{chunks}</span>;
const code = (chunks: ComponentChildren) => <code class="hash">{chunks}</code>;

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

/** `what` is a field's name as check.required takes it: t("…") of "the cost". */
function wholeNumber(text: string, what: string, min: number, optional: boolean): string {
  if (text.trim() === "") return optional ? "" : check.required(text, what);
  const n = Number(text);
  return Number.isInteger(n) && n >= min
    ? ""
    : t("consoleRewards.notWholeNumber", { what: `${what[0].toUpperCase()}${what.slice(1)}`, min });
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
      name:
        check.required(name, t("consoleRewards.whatAName")) ||
        check.maxLength(name, 120, t("consoleRewards.whatTheName")),
      description: check.maxLength(description, 2000, t("consoleRewards.whatTheDescription")),
      imageUrl:
        check.url(imageUrl, t("consoleRewards.whatTheImageLink")) ||
        (imageUrl.trim() && !imageUrl.trim().startsWith("https://") ? t("consoleRewards.imageNotHttps") : ""),
      cost: wholeNumber(cost, t("consoleRewards.whatTheCost"), 1, false),
      stock: wholeNumber(stock, t("consoleRewards.whatTheStock"), 0, true),
      perPersonLimit: wholeNumber(limit, t("consoleRewards.whatTheLimit"), 1, true),
      endsAt: check.dateOrder(startsAt, endsAt),
      valueCents: amount !== null && !(Number.isFinite(amount) && amount >= 0) ? t("consoleRewards.valueInvalid") : "",
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
          toast(t("consoleRewards.saved", { name: body.name }), "success");
        } else {
          await api.post("/api/v1/admin/rewards", { body });
          toast(t("consoleRewards.added", { name: body.name }), "success");
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
        form.fail(failure, reward ? t("consoleRewards.saveFailed") : t("consoleRewards.createFailed"), REWARD_FIELDS);
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
      aria-label={reward ? t("consoleRewards.formEditLabel", { name: reward.name }) : t("consoleRewards.formNewLabel")}
    >
      <Field label={t("consoleRewards.name")}>
        <input required maxLength={120} value={name} onInput={input(setName, "name")} {...form.field("name")} />
      </Field>
      <FieldError form={form} name="name" />
      <Field label={t("consoleRewards.description")}>
        <textarea
          rows={2}
          maxLength={2000}
          value={description}
          onInput={input(setDescription, "description")}
          {...form.field("description")}
        />
      </Field>
      <FieldError form={form} name="description" />
      <Field label={t("consoleRewards.imageLink")}>
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
        <Field label={t("consoleRewards.cost")}>
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
        <Field label={t("consoleRewards.stock")} hint={t("consoleRewards.stockHint")}>
          <input
            type="number"
            inputMode="numeric"
            min={0}
            value={stock}
            onInput={input(setStock, "stock")}
            {...form.field("stock")}
          />
        </Field>
        <Field label={t("consoleRewards.limit")} hint={t("consoleRewards.limitHint")}>
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
        <Field label={t("consoleRewards.startsAt")}>
          <input
            type="datetime-local"
            value={startsAt}
            onInput={input(setStartsAt, "startsAt")}
            {...form.field("startsAt")}
          />
        </Field>
        <Field label={t("consoleRewards.endsAt")}>
          <input type="datetime-local" value={endsAt} onInput={input(setEndsAt, "endsAt")} {...form.field("endsAt")} />
        </Field>
        <Field label={t("consoleRewards.value")} hint={t("consoleRewards.valueHint")}>
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
        <legend>{t("consoleRewards.openTo")}</legend>
        <p class="muted small">{teamIds.length ? t("consoleRewards.onlyTicked") : t("consoleRewards.everyone")}</p>
        {(teams.data?.items ?? []).map((team) => (
          <label class="switch" key={team.id}>
            <span>{team.name}</span>
            <input
              type="checkbox"
              checked={teamIds.includes(team.id)}
              onChange={(e) => {
                setTeamIds(e.currentTarget.checked ? [...teamIds, team.id] : teamIds.filter((x) => x !== team.id));
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
          {reward
            ? busy
              ? t("consoleRewards.saving")
              : t("consoleRewards.save")
            : busy
              ? t("consoleRewards.adding")
              : t("consoleRewards.add")}
        </button>
        {onCancel && (
          <button class="button secondary" type="button" onClick={onCancel}>
            {t("consoleRewards.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}

/** A reward's line under its name: in the catalogue or retired, its limits, its teams, its end. */
function rewardFacts(r: Reward): string {
  const facts = [r.active ? t("consoleRewards.active") : t("consoleRewards.inactive")];
  if (r.perPersonLimit !== null) facts.push(t("consoleRewards.perPerson", { count: r.perPersonLimit }));
  if (r.teamIds.length) facts.push(t("consoleRewards.teams", { count: r.teamIds.length }));
  if (r.endsAt) facts.push(t("consoleRewards.until", { date: day(r.endsAt) }));
  return facts.join(" · ");
}

function stockText(r: Reward): string {
  if (r.stock === null) return t("consoleRewards.unlimited");
  return t("consoleRewards.stockLeft", { left: r.remaining ?? 0, stock: r.stock });
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
    setBudgetTick((n) => n + 1);
  };

  async function setActive(r: Reward, active: boolean) {
    if (!active) {
      const sure = await confirmAction({
        title: t("consoleRewards.retireTitle", { name: r.name }),
        body: t("consoleRewards.retireBody"),
        confirmLabel: t("consoleRewards.retireConfirm"),
      });
      if (!sure) return;
    }
    await run(async () => {
      try {
        await api.patch("/api/v1/admin/rewards/{reward_id}", { path: { reward_id: r.id }, body: { active } });
        toast(
          active ? t("consoleRewards.broughtBack", { name: r.name }) : t("consoleRewards.retired", { name: r.name }),
          "success",
        );
        rewards.reload();
      } catch (failure) {
        toastFailure(failure, t("consoleRewards.changeFailed"));
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
      <TopBar title={t("consoleRewards.title")} back="/admin" />
      <p class="muted">
        {t("consoleRewards.intro")} <a href="/admin/redemptions">{t("consoleRewards.linkRedemptions")}</a> ·{" "}
        <a href="/admin/raffles">{t("consoleRewards.linkRaffles")}</a>
      </p>
      {rewards.error && !items ? (
        <Failure error={rewards.error} retry={rewards.reload} />
      ) : !items ? (
        <Skeleton />
      ) : items.length === 0 ? (
        <Empty text={t("consoleRewards.empty")} />
      ) : (
        <>
          <div class="data-table-wrap">
            <table class="data-table">
              <caption class="visually-hidden">{t("consoleRewards.catalogueCaption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("consoleRewards.colReward")}</th>
                  <th scope="col" class="num">
                    {t("consoleRewards.colCost")}
                  </th>
                  <th scope="col" class="num">
                    {t("consoleRewards.colLeft")}
                  </th>
                  <th scope="col" class="num">
                    {t("consoleRewards.colWaiting")}
                  </th>
                  <th scope="col" class="num">
                    {t("consoleRewards.colFulfilled")}
                  </th>
                  <th scope="col" class="num">
                    {t("consoleRewards.colValue")}
                  </th>
                  <th scope="col">{t("consoleRewards.colActions")}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={r.id} class="reward-row">
                    <td>
                      <span class="who-cell">
                        <span class="name">{r.name}</span>
                        <span class="muted">{rewardFacts(r)}</span>
                      </span>
                    </td>
                    <td class="num">{pts(r.cost)}</td>
                    <td class="num">{stockText(r)}</td>
                    <td class="num">{formatNumber(r.held)}</td>
                    <td class="num">{formatNumber(r.fulfilled)}</td>
                    <td class="num">{r.valueCents === null ? "–" : money(r.valueCents)}</td>
                    <td>
                      <span class="cell-actions">
                        <button type="button" class="button secondary compact" onClick={() => edit(r)}>
                          {tRich("consoleRewards.edit", { name: r.name, hidden })}
                        </button>
                        {r.active ? (
                          <button
                            type="button"
                            class="button danger compact"
                            disabled={busy}
                            onClick={() => setActive(r, false)}
                          >
                            {tRich("consoleRewards.retire", { name: r.name, hidden })}
                          </button>
                        ) : (
                          <button
                            type="button"
                            class="button secondary compact"
                            disabled={busy}
                            onClick={() => setActive(r, true)}
                          >
                            {tRich("consoleRewards.bringBack", { name: r.name, hidden })}
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
        <Section title={editing ? t("consoleRewards.editTitle", { name: editing.name }) : t("consoleRewards.newTitle")}>
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
      title={t("consoleRewards.budget")}
      action={
        <a
          class="button secondary compact"
          href={apiUrl("/api/v1/admin/rewards/budget.csv")}
          download="chorus-rewards-budget.csv"
        >
          {t("consoleRewards.downloadCsv")}
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
            <Stat
              label={t("consoleRewards.statOutstanding")}
              value={formatNumber(b.pointsOutstanding)}
              hint={t("consoleRewards.statOutstandingHint")}
            />
            <Stat
              label={t("consoleRewards.statSpent")}
              value={formatNumber(b.pointsSpent)}
              hint={t("consoleRewards.statSpentHint")}
            />
            <Stat
              label={t("consoleRewards.statHeld")}
              value={formatNumber(b.pointsHeld)}
              hint={t("consoleRewards.statHeldHint")}
            />
            <Stat
              label={t("consoleRewards.statFulfilled")}
              value={formatNumber(b.fulfilled)}
              hint={t("consoleRewards.statFulfilledHint")}
            />
          </div>
          {b.months.length === 0 ? (
            <p class="muted">{t("consoleRewards.nothingRedeemed")}</p>
          ) : (
            <div class="data-table-wrap">
              <table class="data-table">
                <caption class="visually-hidden">{t("consoleRewards.monthsCaption")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("consoleRewards.colMonth")}</th>
                    <th scope="col" class="num">
                      {t("consoleRewards.colPointsSpent")}
                    </th>
                    <th scope="col" class="num">
                      {t("consoleRewards.colFulfilled")}
                    </th>
                    <th scope="col" class="num">
                      {t("consoleRewards.colValue")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {b.months.map((m) => (
                    <tr key={m.month}>
                      <th scope="row">{m.month}</th>
                      <td class="num">{formatNumber(m.pointsSpent)}</td>
                      <td class="num">{formatNumber(m.fulfilled)}</td>
                      <td class="num">{money(m.valueCents)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p class="muted small">{t("consoleRewards.valueNote")}</p>
        </>
      )}
    </Section>
  );
}

// ---- The redemptions queue -------------------------------------------------------------------

type Filter = Status | "all";
const FILTERS: Filter[] = ["requested", "fulfilled", "rejected", "all"];

/** A redemption's status (or "all", as a filter), in a word. */
function statusText(status: Filter): string {
  switch (status) {
    case "requested":
      return t("consoleRewards.statusRequested");
    case "fulfilled":
      return t("consoleRewards.statusFulfilled");
    case "rejected":
      return t("consoleRewards.statusRejected");
    case "all":
      return t("consoleRewards.statusAll");
  }
}

const STATUS_TONE: Record<Status, string> = {
  requested: "status-pending",
  fulfilled: "status-ok",
  rejected: "status-failed",
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
      <TopBar title={t("consoleRewards.redemptionsTitle")} back="/admin" />
      <p class="muted">{t("consoleRewards.redemptionsIntro")}</p>
      <div class="segmented" role="group" aria-label={t("consoleRewards.filterLabel")}>
        {FILTERS.map((key) => (
          <button type="button" key={key} aria-pressed={key === filter} onClick={() => setFilter(key)}>
            {statusText(key)}
          </button>
        ))}
      </div>
      {queue.error && !items ? (
        <Failure error={queue.error} retry={queue.reload} />
      ) : !items ? (
        <Skeleton />
      ) : items.length === 0 ? (
        <Empty text={filter === "requested" ? t("consoleRewards.nothingWaiting") : t("consoleRewards.noneYet")} />
      ) : (
        <>
          <ul class="cards" aria-label={t("consoleRewards.redemptionsLabel")}>
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
  const label = statusText(r.status);
  const tone = STATUS_TONE[r.status];
  const noteId = `redemption-${r.id}-note`;

  async function decide(action: "fulfil" | "reject") {
    const text = note.trim();
    if (action === "reject") {
      const sure = await confirmAction({
        title: t("consoleRewards.rejectTitle", { reward: r.rewardName, name: r.userName }),
        body: text
          ? t("consoleRewards.rejectBodyNote", { points: pts(r.cost), note: text })
          : t("consoleRewards.rejectBody", { points: pts(r.cost) }),
        confirmLabel: t("consoleRewards.rejectConfirm"),
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
            ? t("consoleRewards.fulfilledToast", { reward: r.rewardName, name: r.userName })
            : t("consoleRewards.rejectedToast", { points: pts(r.cost), name: r.userName }),
          "success",
        );
        onDecided(answer);
      } catch (failure) {
        toastFailure(failure, t("consoleRewards.decideFailed"));
      }
    });
  }

  return (
    <article
      class="card pad stack redemption-card"
      aria-label={t("consoleRewards.redemptionLabel", { reward: r.rewardName, name: r.userName })}
    >
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
        {r.decidedAt
          ? t("consoleRewards.requestedDecided", {
              points: pts(r.cost),
              requested: when(r.createdAt),
              decided: when(r.decidedAt),
            })
          : t("consoleRewards.requested", { points: pts(r.cost), requested: when(r.createdAt) })}
      </p>
      {r.note && (
        <p class="small prewrap note">
          <strong>{t("consoleRewards.notePrefix")}</strong>
          {r.note}
        </p>
      )}
      {r.status === "requested" && (
        <>
          <label for={noteId}>{t("consoleRewards.noteFor", { name: r.userName })}</label>
          <textarea
            id={noteId}
            rows={2}
            maxLength={1000}
            value={note}
            onInput={(e) => setNote(e.currentTarget.value)}
          />
          <div class="row">
            <button type="button" class="button primary" disabled={busy} onClick={() => decide("fulfil")}>
              {tRich("consoleRewards.fulfil", { reward: r.rewardName, name: r.userName, hidden })}
            </button>
            <button type="button" class="button danger" disabled={busy} onClick={() => decide("reject")}>
              {tRich("consoleRewards.reject", { reward: r.rewardName, name: r.userName, hidden })}
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
      name:
        check.required(name, t("consoleRewards.whatAName")) ||
        check.maxLength(name, 120, t("consoleRewards.whatTheName")),
      periodStart: from ? "" : t("consoleRewards.pickFirstDay"),
      periodEnd: !to ? t("consoleRewards.pickLastDay") : from && to < from ? t("consoleRewards.lastBeforeFirst") : "",
      winners: wholeNumber(winners, t("consoleRewards.whatTheWinners"), 1, false),
      pointsPerTicket: wholeNumber(perTicket, t("consoleRewards.whatThePointsPerTicket"), 1, false),
      maxTicketsPerPerson: wholeNumber(maxTickets, t("consoleRewards.whatTheTicketsPerPerson"), 1, false),
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
        toast(t("consoleRewards.raffleCreated", { name: name.trim() }), "success");
        setName("");
        form.clear();
        onSaved();
      } catch (failure) {
        form.fail(failure, t("consoleRewards.raffleCreateFailed"), RAFFLE_FIELDS);
      }
    });
  }

  const input =
    (setter: (v: string) => void, field: string) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => {
      setter(e.currentTarget.value);
      form.clear(field);
    };

  return (
    <form
      class="stack card pad rewards-form"
      id={form.formId}
      onSubmit={create}
      noValidate
      aria-label={t("consoleRewards.raffleFormLabel")}
    >
      <Field label={t("consoleRewards.name")}>
        <input required maxLength={120} value={name} onInput={input(setName, "name")} {...form.field("name")} />
      </Field>
      <FieldError form={form} name="name" />
      <div class="row">
        <Field label={t("consoleRewards.periodFrom")}>
          <input type="date" value={from} onInput={input(setFrom, "periodStart")} {...form.field("periodStart")} />
        </Field>
        <Field label={t("consoleRewards.periodTo")}>
          <input type="date" value={to} onInput={input(setTo, "periodEnd")} {...form.field("periodEnd")} />
        </Field>
      </div>
      <FieldError form={form} name="periodStart" />
      <FieldError form={form} name="periodEnd" />
      <div class="row">
        <Field label={t("consoleRewards.winners")}>
          <input
            type="number"
            min={1}
            max={100}
            value={winners}
            onInput={input(setWinners, "winners")}
            {...form.field("winners")}
          />
        </Field>
        <Field label={t("consoleRewards.pointsPerTicket")}>
          <input
            type="number"
            min={1}
            value={perTicket}
            onInput={input(setPerTicket, "pointsPerTicket")}
            {...form.field("pointsPerTicket")}
          />
        </Field>
        <Field label={t("consoleRewards.maxTickets")}>
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
      <Field label={t("consoleRewards.prize")}>
        <select value={rewardId} onChange={input(setRewardId, "rewardId")} {...form.field("rewardId")}>
          <option value="">{t("consoleRewards.noPrize")}</option>
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
      <p class="muted small">{t("consoleRewards.raffleExplain")}</p>
      <FormError error={form.errors.form} />
      <button class="button primary" type="submit" disabled={busy}>
        {busy ? t("consoleRewards.creating") : t("consoleRewards.createRaffle")}
      </button>
    </form>
  );
}

function RaffleCard({ raffle: r, onDrawn }: { raffle: Raffle; onDrawn: (r: Raffle) => void }) {
  const [busy, run] = useInFlight();
  const early = new Date(r.periodEnd).getTime() > Date.now();
  const whyId = `raffle-${r.id}-why`;
  const tickets = r.entries.reduce((sum, e) => sum + e.tickets, 0);
  const terms = {
    from: day(r.periodStart),
    to: day(new Date(new Date(r.periodEnd).getTime() - 1).toISOString()),
    points: pts(r.pointsPerTicket),
    max: r.maxTicketsPerPerson,
    count: r.winnerCount,
  };

  async function draw() {
    const sure = await confirmAction({
      title: t("consoleRewards.drawTitle", { name: r.name }),
      body: t("consoleRewards.drawBody"),
      confirmLabel: t("consoleRewards.drawConfirm"),
      danger: false,
    });
    if (!sure) return;
    await run(async () => {
      try {
        const drawn = await api.post("/api/v1/admin/raffles/{raffle_id}/draw", { path: { raffle_id: r.id } });
        toast(t("consoleRewards.drawn", { count: drawn.winners.length }), "success");
        onDrawn(drawn);
      } catch (failure) {
        toastFailure(failure, t("consoleRewards.drawFailed"));
      }
    });
  }

  return (
    <article class="card pad stack raffle-card" aria-label={r.name}>
      <div class="row between">
        <strong>{r.name}</strong>
        <span class={`chip ${r.status === "drawn" ? "status-ok" : "status-pending"}`}>
          {r.status === "drawn" ? t("consoleRewards.raffleDrawn") : t("consoleRewards.raffleOpen")}
        </span>
      </div>
      <p class="muted small">
        {r.rewardName
          ? t("consoleRewards.raffleTermsPrize", { ...terms, prize: r.rewardName })
          : t("consoleRewards.raffleTerms", terms)}
      </p>
      <p class="small prewrap">{tRich("consoleRewards.seedHash", { hash: r.seedSha256, code })}</p>
      {r.status === "open" ? (
        <>
          {early && (
            <p class="muted small" id={whyId}>
              {t("consoleRewards.drawOpensLater", { when: when(r.periodEnd) })}
            </p>
          )}
          <button
            type="button"
            class="button primary"
            disabled={busy || early}
            aria-describedby={early ? whyId : undefined}
            onClick={draw}
          >
            {tRich("consoleRewards.drawWinners", { name: r.name, hidden })}
          </button>
        </>
      ) : (
        <>
          <p class="small prewrap">
            {r.drawnAt
              ? tRich("consoleRewards.seedRevealedOn", { when: when(r.drawnAt), seed: r.seed, code })
              : tRich("consoleRewards.seedRevealed", { seed: r.seed, code })}
          </p>
          <p class="muted small">{t("consoleRewards.procedure", { algorithm: r.algorithm })}</p>
          <h3 class="small-title">{t("consoleRewards.winnersTitle")}</h3>
          {r.winners.length === 0 ? (
            <p class="muted">{t("consoleRewards.noTickets")}</p>
          ) : (
            <ol class="plain" aria-label={t("consoleRewards.winnersOf", { name: r.name })}>
              {r.winners.map((w) => (
                <li key={w.userId}>{w.name ?? t("consoleRewards.hiddenWinner", { id: w.userId.slice(0, 8) })}</li>
              ))}
            </ol>
          )}
          <details>
            <summary>{t("consoleRewards.ticketList", { people: r.entries.length, tickets })}</summary>
            <div class="data-table-wrap">
              <table class="data-table">
                <caption class="visually-hidden">{t("consoleRewards.ticketsOf", { name: r.name })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("consoleRewards.colPerson")}</th>
                    <th scope="col">{t("consoleRewards.colUserId")}</th>
                    <th scope="col" class="num">
                      {t("consoleRewards.colTickets")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {r.entries.map((e) => (
                    <tr key={e.userId}>
                      <td>{e.name ?? t("consoleRewards.hiddenPerson")}</td>
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
            {t("consoleRewards.publicRecord")}
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
      <TopBar title={t("consoleRewards.rafflesTitle")} back="/admin/rewards" />
      <p class="muted">{t("consoleRewards.rafflesIntro")}</p>
      {raffles.error && !items ? (
        <Failure error={raffles.error} retry={raffles.reload} />
      ) : !items ? (
        <Skeleton />
      ) : items.length === 0 ? (
        <Empty text={t("consoleRewards.noRaffles")} />
      ) : (
        <>
          <ul class="cards" aria-label={t("consoleRewards.rafflesLabel")}>
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
      <Section title={t("consoleRewards.newRaffle")}>
        <RaffleForm onSaved={raffles.reload} />
      </Section>
    </main>
  );
}
