// The narrative (pillars) and the badges an organization offers.
import { useState } from "preact/hooks";
import { api, type Schemas, toastFailure } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
import { t } from "../i18n";
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
        toastFailure(failure, t("consoleCatalog.saveFailed"));
      }
    });
  }
  async function save(p: Pillar, change: Schemas["PillarUpdate"]) {
    try {
      await api.patch("/api/v1/admin/pillars/{pillar_id}", { path: { pillar_id: p.id }, body: change });
      toast(t("consoleCatalog.saved"), "success");
      pillars.reload();
    } catch (failure) {
      toastFailure(failure, t("consoleCatalog.saveFailed"));
    }
  }
  async function remove(p: Pillar) {
    const sure = await confirmAction({
      title: t("consoleCatalog.deletePillarTitle", { title: p.title }),
      body: t("consoleCatalog.deletePillarBody"),
      confirmLabel: t("consoleCatalog.deletePillarConfirm"),
    });
    if (!sure) return;
    await run(async () => {
      try {
        await api.del("/api/v1/admin/pillars/{pillar_id}", { path: { pillar_id: p.id } });
        toast(t("consoleCatalog.pillarDeleted", { title: p.title }), "success");
        pillars.reload();
      } catch (failure) {
        toastFailure(failure, t("consoleCatalog.deleteFailed"));
      }
    });
  }
  return (
    <main class="screen console">
      <TopBar title={t("consoleCatalog.narrativeTitle")} back="/admin" />
      <p class="muted">{t("consoleCatalog.narrativeIntro")}</p>
      {pillars.error && !pillars.data ? (
        <Failure error={pillars.error} retry={pillars.reload} />
      ) : !pillars.data ? (
        <Skeleton />
      ) : (
        <ul class="cards">
          {pillars.data.map((p) => (
            <li class="card pad stack" key={p.id}>
              <Field label={t("consoleCatalog.pillarTitle")}>
                <input
                  defaultValue={p.title}
                  maxLength={120}
                  onChange={(e) => save(p, { title: e.currentTarget.value })}
                />
              </Field>
              <Field label={t("consoleCatalog.keyMessage")}>
                <textarea
                  rows={2}
                  defaultValue={p.message}
                  maxLength={2000}
                  onChange={(e) => save(p, { message: e.currentTarget.value })}
                />
              </Field>
              <button type="button" class="button danger" disabled={busy} onClick={() => remove(p)}>
                {t("consoleCatalog.deletePillar", { title: p.title })}
              </button>
            </li>
          ))}
        </ul>
      )}
      <Section title={t("consoleCatalog.addPillarTitle")}>
        <form class="stack card pad" onSubmit={create}>
          <Field label={t("consoleCatalog.pillarTitle")}>
            <input required maxLength={120} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
          </Field>
          <Field label={t("consoleCatalog.keyMessage")}>
            <textarea
              required
              rows={2}
              maxLength={2000}
              value={message}
              onInput={(e) => setMessage(e.currentTarget.value)}
            />
          </Field>
          <button class="button primary" type="submit" disabled={busy}>
            {t("consoleCatalog.addPillar")}
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
const RULES: BadgeRule["type"][] = [
  "first_share",
  "shares_count",
  "unique_clicks",
  "points",
  "networks_used",
  "streak_weeks",
  "period_winner",
];

/** What a badge rule rewards, as the form offers it. */
function ruleLabel(rule: BadgeRule["type"]): string {
  switch (rule) {
    case "first_share":
      return t("consoleCatalog.ruleFirstShare");
    case "shares_count":
      return t("consoleCatalog.ruleSharesCount");
    case "unique_clicks":
      return t("consoleCatalog.ruleUniqueClicks");
    case "points":
      return t("consoleCatalog.rulePoints");
    case "networks_used":
      return t("consoleCatalog.ruleNetworksUsed");
    case "streak_weeks":
      return t("consoleCatalog.ruleStreakWeeks");
    case "period_winner":
      return t("consoleCatalog.rulePeriodWinner");
    default:
      return rule;
  }
}

/** An icon's name in the picker. */
function iconLabel(icon: BadgeIcon): string {
  switch (icon) {
    case "spark":
      return t("consoleCatalog.iconSpark");
    case "megaphone":
      return t("consoleCatalog.iconMegaphone");
    case "amplifier":
      return t("consoleCatalog.iconAmplifier");
    case "ripple":
      return t("consoleCatalog.iconRipple");
    case "crowd":
      return t("consoleCatalog.iconCrowd");
    case "star":
      return t("consoleCatalog.iconStar");
    case "crown":
      return t("consoleCatalog.iconCrown");
    case "globe":
      return t("consoleCatalog.iconGlobe");
    case "flag":
      return t("consoleCatalog.iconFlag");
    case "pillar":
      return t("consoleCatalog.iconPillar");
    case "flame":
      return t("consoleCatalog.iconFlame");
    default:
      return icon;
  }
}

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
      toast(t("consoleCatalog.badgeCreated", { name: form.name }), "success");
      badges.reload();
    } catch (failure) {
      toastFailure(failure, t("consoleCatalog.createBadgeFailed"));
    }
  }
  async function retire(id: string, name: string) {
    const sure = await confirmAction({
      title: t("consoleCatalog.retireTitle", { name }),
      body: t("consoleCatalog.retireBody"),
      confirmLabel: t("consoleCatalog.retireConfirm"),
    });
    if (!sure) return;
    await run(async () => {
      try {
        await api.del("/api/v1/admin/badges/{badge_id}", { path: { badge_id: id } });
        toast(t("consoleCatalog.badgeRetired", { name }), "success");
        badges.reload();
      } catch (failure) {
        toastFailure(failure, t("consoleCatalog.retireFailed"));
      }
    });
  }
  return (
    <main class="screen console">
      <TopBar title={t("consoleCatalog.badgesTitle")} back="/admin" />
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
                  {t("consoleCatalog.badgeLine", {
                    description: b.description,
                    points: b.points,
                    retired: b.retired ? "yes" : "no",
                  })}
                </span>
              </span>
              {!b.retired && (
                <button
                  type="button"
                  class="button secondary compact"
                  disabled={busy}
                  onClick={() => retire(b.id, b.name)}
                >
                  {t("consoleCatalog.retire")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <Section title={t("consoleCatalog.newBadgeTitle")}>
        <form class="stack card pad" onSubmit={create}>
          <div class="row">
            <Field label={t("consoleCatalog.code")} hint={t("consoleCatalog.codeHint")}>
              <input
                required
                pattern="[a-z0-9][a-z0-9\-]{0,39}"
                value={form.code}
                onInput={(e) => set("code", e.currentTarget.value)}
              />
            </Field>
            <Field label={t("consoleCatalog.name")}>
              <input required maxLength={60} value={form.name} onInput={(e) => set("name", e.currentTarget.value)} />
            </Field>
          </div>
          <Field label={t("consoleCatalog.description")}>
            <input
              maxLength={300}
              value={form.description}
              onInput={(e) => set("description", e.currentTarget.value)}
            />
          </Field>
          <div class="row">
            <Field label={t("consoleCatalog.earnedFor")}>
              <select value={form.type} onChange={(e) => set("type", e.currentTarget.value as BadgeForm["type"])}>
                {RULES.map((value) => (
                  <option value={value}>{ruleLabel(value)}</option>
                ))}
              </select>
            </Field>
            <Field label={t("consoleCatalog.threshold")}>
              <input
                type="number"
                min={1}
                value={form.threshold}
                onInput={(e) => set("threshold", Number(e.currentTarget.value))}
              />
            </Field>
          </div>
          <div class="row">
            <Field label={t("consoleCatalog.icon")}>
              <select value={form.icon} onChange={(e) => set("icon", e.currentTarget.value as BadgeIcon)}>
                {ICONS.map((icon) => (
                  <option value={icon}>{iconLabel(icon)}</option>
                ))}
              </select>
            </Field>
            <Field label={t("consoleCatalog.bonusPoints")}>
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
            {t("consoleCatalog.createBadge")}
          </button>
        </form>
      </Section>
    </main>
  );
}
