// The narrative (pillars) and the badges an organization offers.
import { useState } from "preact/hooks";
import { api, type Schemas, toastFailure } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import type { BadgeRule, Pillar } from "../types";
import { confirmAction } from "./kit";
import { Field, Section } from "./ui";

export function PillarsAdmin() {
  const pillars = useLoad(() => api.get("/api/v1/pillars"), []);
  const [title, setTitle] = useState("");
  const [message, setMessage] = useState("");
  const [busy, run] = useInFlight();
  async function create(event: Event) {
    event.preventDefault();
    await run(async () => {
      try {
        await api.post("/api/v1/admin/pillars", { body: { title, message } });
        setTitle("");
        setMessage("");
        pillars.reload();
      } catch (failure) {
        toastFailure(failure, "Could not save.");
      }
    });
  }
  async function save(p: Pillar, change: Schemas["PillarUpdate"]) {
    try {
      await api.patch("/api/v1/admin/pillars/{pillar_id}", { path: { pillar_id: p.id }, body: change });
      toast("Saved.", "success");
      pillars.reload();
    } catch (failure) {
      toastFailure(failure, "Could not save.");
    }
  }
  async function remove(p: Pillar) {
    const sure = await confirmAction({
      title: `Delete the key message “${p.title}”?`,
      body: "Challenges that carried it keep running without a pillar; the impact figures no longer group them under it.",
      confirmLabel: "Delete key message",
    });
    if (!sure) return;
    await run(async () => {
      try {
        await api.del("/api/v1/admin/pillars/{pillar_id}", { path: { pillar_id: p.id } });
        toast(`“${p.title}” deleted.`, "success");
        pillars.reload();
      } catch (failure) {
        toastFailure(failure, "Could not delete.");
      }
    });
  }
  return (
    <main class="screen console">
      <TopBar title="Narrative" back="/admin" />
      <p class="muted">Programs that last tell 2–4 clear stories. Each challenge can carry one.</p>
      {pillars.error && !pillars.data ? (
        <Failure error={pillars.error} retry={pillars.reload} />
      ) : !pillars.data ? (
        <Skeleton />
      ) : (
        <ul class="cards">
          {pillars.data.map((p) => (
            <li class="card pad stack" key={p.id}>
              <Field label="Title">
                <input
                  defaultValue={p.title}
                  maxLength={120}
                  onChange={(e) => save(p, { title: e.currentTarget.value })}
                />
              </Field>
              <Field label="Key message">
                <textarea
                  rows={2}
                  defaultValue={p.message}
                  maxLength={2000}
                  onChange={(e) => save(p, { message: e.currentTarget.value })}
                />
              </Field>
              <button type="button" class="button danger" disabled={busy} onClick={() => remove(p)}>
                Delete {p.title}
              </button>
            </li>
          ))}
        </ul>
      )}
      <Section title="Add a pillar">
        <form class="stack card pad" onSubmit={create}>
          <Field label="Title">
            <input required maxLength={120} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
          </Field>
          <Field label="Key message">
            <textarea
              required
              rows={2}
              maxLength={2000}
              value={message}
              onInput={(e) => setMessage(e.currentTarget.value)}
            />
          </Field>
          <button class="button primary" type="submit" disabled={busy}>
            Add pillar
          </button>
        </form>
      </Section>
    </main>
  );
}

type BadgeIcon = Schemas["BadgeCreate"]["icon"];

const ICONS = [
  "spark",
  "megaphone",
  "amplifier",
  "ripple",
  "crowd",
  "star",
  "crown",
  "globe",
  "flag",
  "pillar",
  "flame",
] as const satisfies readonly BadgeIcon[];
// Every icon the server knows must be offered here: a new one fails the type check.
const everyIconOffered: Exclude<BadgeIcon, (typeof ICONS)[number]> extends never ? true : never = true;
void everyIconOffered;
const RULES: [BadgeRule["type"], string][] = [
  ["first_share", "First verified share"],
  ["shares_count", "Verified shares (count)"],
  ["unique_clicks", "Unique clicks on their links"],
  ["points", "Total points"],
  ["networks_used", "Different networks used"],
  ["streak_weeks", "Weekly streak (weeks)"],
  ["period_winner", "Top N of a week or month"],
];

interface BadgeForm {
  code: string;
  name: string;
  description: string;
  icon: BadgeIcon;
  type: BadgeRule["type"];
  threshold: number;
  points: number;
}

export function BadgesAdmin() {
  const badges = useLoad(() => api.get("/api/v1/badges"), []);
  const [form, setForm] = useState<BadgeForm>({
    code: "",
    name: "",
    description: "",
    icon: "star",
    type: "shares_count",
    threshold: 10,
    points: 20,
  });
  const set = <K extends keyof BadgeForm>(key: K, value: BadgeForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const [busy, run] = useInFlight();
  async function create(event: Event) {
    event.preventDefault();
    await run(() => createNow());
  }
  async function createNow() {
    try {
      const rule: BadgeRule = { type: form.type, threshold: Number(form.threshold) };
      if (form.type === "period_winner") rule.period = "week";
      await api.post("/api/v1/admin/badges", {
        body: {
          code: form.code,
          name: form.name,
          description: form.description,
          icon: form.icon,
          points: Number(form.points),
          rule,
        },
      });
      toast(`Badge ${form.name} created.`, "success");
      badges.reload();
    } catch (failure) {
      toastFailure(failure, "Could not create the badge.");
    }
  }
  async function retire(id: string, name: string) {
    const sure = await confirmAction({
      title: `Retire the badge “${name}”?`,
      body: "Nobody can earn it from now on. People who already earned it keep it.",
      confirmLabel: "Retire badge",
    });
    if (!sure) return;
    await run(async () => {
      try {
        await api.del("/api/v1/admin/badges/{badge_id}", { path: { badge_id: id } });
        toast(`“${name}” retired.`, "success");
        badges.reload();
      } catch (failure) {
        toastFailure(failure, "Could not retire.");
      }
    });
  }
  return (
    <main class="screen console">
      <TopBar title="Badges" back="/admin" />
      {badges.error && !badges.data ? (
        <Failure error={badges.error} retry={badges.reload} />
      ) : !badges.data ? (
        <Skeleton />
      ) : (
        <ul class="board">
          {badges.data.map((b) => (
            <li class="board-row" key={b.id}>
              <span class="who">
                <span class="name">{b.name}</span>
                <span class="muted small">
                  {b.description} · +{b.points} pts{b.retired ? " · retired" : ""}
                </span>
              </span>
              {!b.retired && (
                <button
                  type="button"
                  class="button secondary compact"
                  disabled={busy}
                  onClick={() => retire(b.id, b.name)}
                >
                  Retire
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <Section title="New badge">
        <form class="stack card pad" onSubmit={create}>
          <div class="row">
            <Field label="Code" hint="lowercase, e.g. storyteller">
              <input
                required
                pattern="[a-z0-9][a-z0-9\-]{0,39}"
                value={form.code}
                onInput={(e) => set("code", e.currentTarget.value)}
              />
            </Field>
            <Field label="Name">
              <input required maxLength={60} value={form.name} onInput={(e) => set("name", e.currentTarget.value)} />
            </Field>
          </div>
          <Field label="Description">
            <input
              maxLength={300}
              value={form.description}
              onInput={(e) => set("description", e.currentTarget.value)}
            />
          </Field>
          <div class="row">
            <Field label="Earned for">
              <select value={form.type} onChange={(e) => set("type", e.currentTarget.value as BadgeForm["type"])}>
                {RULES.map(([value, label]) => (
                  <option value={value}>{label}</option>
                ))}
              </select>
            </Field>
            <Field label="Threshold">
              <input
                type="number"
                min={1}
                value={form.threshold}
                onInput={(e) => set("threshold", Number(e.currentTarget.value))}
              />
            </Field>
          </div>
          <div class="row">
            <Field label="Icon">
              <select value={form.icon} onChange={(e) => set("icon", e.currentTarget.value as BadgeIcon)}>
                {ICONS.map((icon) => (
                  <option value={icon}>{icon}</option>
                ))}
              </select>
            </Field>
            <Field label="Bonus points">
              <input
                type="number"
                min={0}
                max={10000}
                value={form.points}
                onInput={(e) => set("points", Number(e.currentTarget.value))}
              />
            </Field>
          </div>
          <button class="button primary" type="submit" disabled={busy}>
            Create badge
          </button>
        </form>
      </Section>
    </main>
  );
}
