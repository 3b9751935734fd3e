// Challenges: the list, and the editor with a live preview of the post per network.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, failureText } from "../api";
import { Empty, Failure, Skeleton, StatusChip, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { navigate } from "../router";
import { NETWORK_NAMES } from "../screens/ChallengeScreen";
import { toast } from "../store";
import type { Challenge, ChallengeCreate, ChallengeUpdate, Network } from "../types";
import { Field } from "./ui";

const NETWORKS: Network[] = ["linkedin", "x", "facebook", "email", "whatsapp"];
const LIMITS: Partial<Record<Network, number>> = {
  linkedin: 3000,
  x: 280,
  facebook: 5000,
  email: 2000,
  whatsapp: 2000,
};
const X_URL = 23; // X counts every link as 23 characters
const SAMPLE_LINK = "https://chorus.example/s/AbCdEf1234";

export function ChallengesAdmin() {
  const list = useLoad(() => api.get("/api/v1/admin/challenges", { query: { limit: 100 } }), []);
  return (
    <main class="screen console">
      <TopBar title="Challenges" back="/admin" />
      <a class="button primary" href="/admin/challenges/new">
        New challenge
      </a>
      {list.error && !list.data ? (
        <Failure error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Skeleton />
      ) : list.data.items.length === 0 ? (
        <Empty text="No challenges yet: write the first one — a piece of news people are proud of." />
      ) : (
        <ul class="board">
          {list.data.items.map((c) => (
            <li key={c.id}>
              <a class="board-row" href={`/admin/challenges/${c.id}`}>
                <span class="who">
                  <span class="name">{c.title}</span>
                  <span class="muted small">
                    {new Date(c.startsAt).toLocaleDateString()} – {new Date(c.endsAt).toLocaleDateString()} ·{" "}
                    {c.networks.map((n) => NETWORK_NAMES[n]).join(", ")}
                  </span>
                </span>
                <StatusChip status={c.status} />
              </a>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

function local(iso: string): string {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** What the post will look like on a network, and its length as the network counts it. */
export function composePost(network: Network, text: string, hashtags: string[]): { post: string; length: number } {
  const tags = hashtags.map((h) => `#${h.replace(/^#/, "")}`).join(" ");
  const sep = network === "x" ? " " : "\n\n";
  const post = [text.trim(), SAMPLE_LINK, tags].filter(Boolean).join(sep);
  const length = network === "x" ? post.replace(/https?:\/\/\S+/g, "x".repeat(X_URL)).length : post.length;
  return { post, length };
}

interface Form {
  kind: "share" | "story";
  title: string;
  description: string;
  contentUrl: string;
  pillarId: string;
  networks: Network[];
  shareText: Partial<Record<Network, string>>;
  hashtags: string;
  points: number;
  clickPoints: number;
  startsAt: string;
  endsAt: string;
  verification: Challenge["verification"];
  teamIds: string[];
  goalShares: number;
  goalBonus: number;
}

function blank(): Form {
  const start = new Date(); // publishing opens it at once unless another start is chosen
  return {
    kind: "share",
    title: "",
    description: "",
    contentUrl: "",
    pillarId: "",
    networks: ["linkedin", "x"],
    shareText: {},
    hashtags: "",
    points: 50,
    clickPoints: 2,
    startsAt: local(start.toISOString()),
    endsAt: local(new Date(start.getTime() + 7 * 86_400_000).toISOString()),
    verification: "auto",
    teamIds: [],
    goalShares: 0,
    goalBonus: 20,
  };
}

export function ChallengeEditor({ id }: { id: string | null }) {
  const [form, setForm] = useState<Form>(blank);
  const [status, setStatus] = useState<Challenge["status"]>("draft");
  const [error, setError] = useState("");
  const [busy, run] = useInFlight();
  // A new challenge made by a save whose publishing then failed: trying again publishes it
  // instead of making a second one.
  const made = useRef<{ body: string; id: string } | null>(null);
  const [previewOn, setPreviewOn] = useState<Network>("linkedin");
  const [original, setOriginal] = useState<ChallengeCreate | null>(null);
  const pillars = useLoad(() => api.get("/api/v1/pillars"), []);
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);

  useEffect(() => {
    if (!id) return;
    api.get("/api/v1/admin/challenges/{challenge_id}", { path: { challenge_id: id } }).then(
      (c) => {
        setStatus(c.status);
        const loaded: Form = {
          kind: c.kind === "story" ? "story" : "share",
          title: c.title,
          description: c.description,
          contentUrl: c.contentUrl,
          pillarId: c.pillar?.id ?? "",
          networks: c.networks,
          shareText: Object.fromEntries(Object.entries(c.shareText).filter(([, v]) => v)) as Form["shareText"],
          hashtags: c.hashtags.join(" "),
          points: c.points,
          clickPoints: c.clickPoints,
          startsAt: local(c.startsAt),
          endsAt: local(c.endsAt),
          verification: c.verification,
          teamIds: c.teamIds,
          goalShares: c.teamGoal?.shares ?? 0,
          goalBonus: c.teamGoal?.bonus ?? 20,
        };
        setForm(loaded);
        setOriginal(body(loaded));
      },
      (failure) => setError(failureText(failure, "Could not load the challenge.")),
    );
  }, [id]);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const hashtags = form.hashtags
    .split(/[\s,]+/)
    .map((h) => h.replace(/^#/, ""))
    .filter(Boolean);
  const shown = form.networks.includes(previewOn) ? previewOn : form.networks[0];

  // Every field is sent, the server's defaults (kind, click points) too, so an edit can tell
  // what changed.
  function body(form: Form): ChallengeCreate {
    const hashtags = form.hashtags
      .split(/[\s,]+/)
      .map((h) => h.replace(/^#/, ""))
      .filter(Boolean);
    const common = {
      title: form.title,
      description: form.description,
      pillarId: form.pillarId || null,
      points: Number(form.points),
      startsAt: new Date(form.startsAt).toISOString(),
      endsAt: new Date(form.endsAt).toISOString(),
      verification: form.verification,
      teamIds: form.teamIds,
    };
    if (form.kind === "story") return { ...common, kind: "story", networks: form.networks, clickPoints: 0 };
    return {
      ...common,
      kind: "share",
      contentUrl: form.contentUrl,
      pillarId: form.pillarId || null,
      networks: form.networks,
      shareText: Object.fromEntries(
        form.networks.filter((n) => form.shareText[n]?.trim()).map((n) => [n, form.shareText[n]]),
      ),
      hashtags,
      points: Number(form.points),
      clickPoints: Number(form.clickPoints),
      startsAt: new Date(form.startsAt).toISOString(),
      endsAt: new Date(form.endsAt).toISOString(),
      verification: form.verification,
      teamIds: form.teamIds,
      teamGoal: form.goalShares > 0 ? { shares: Number(form.goalShares), bonus: Number(form.goalBonus) } : null,
    };
  }

  const save = (publish: boolean) => run(() => saveNow(publish));

  async function saveNow(publish: boolean) {
    setError("");
    try {
      // An edit sends only what changed: a published challenge takes only safe edits.
      const all = body(form);
      const changed: ChallengeUpdate = Object.fromEntries(
        Object.entries(all).filter(
          ([key, value]) => JSON.stringify(value) !== JSON.stringify(original?.[key as keyof ChallengeCreate]),
        ),
      );
      const sameAsMade = !id && made.current?.body === JSON.stringify(all) ? made.current : null;
      const saved = id
        ? await api.patch("/api/v1/admin/challenges/{challenge_id}", { path: { challenge_id: id }, body: changed })
        : (sameAsMade ?? (await api.post("/api/v1/admin/challenges", { body: all })));
      if (!id) made.current = { body: JSON.stringify(all), id: saved.id };
      if (publish)
        await api.post("/api/v1/admin/challenges/{challenge_id}/publish", { path: { challenge_id: saved.id } });
      toast(publish ? "Published — people will see it when it starts." : "Saved as a draft.", "success");
      navigate("/admin/challenges");
    } catch (failure) {
      setError(failureText(failure, "Could not save."));
    }
  }

  const act = (action: "unpublish" | "archive") => run(() => actNow(action));

  async function actNow(action: "unpublish" | "archive") {
    try {
      await api.post(`/api/v1/admin/challenges/{challenge_id}/${action}`, { path: { challenge_id: id ?? "" } });
      toast(action === "archive" ? "Archived." : "Back to draft.", "success");
      navigate("/admin/challenges");
    } catch (failure) {
      setError(failureText(failure, "Could not do that."));
    }
  }

  const preview = shown ? composePost(shown, form.shareText[shown] || form.title, hashtags) : null;
  const limit = shown ? (LIMITS[shown] ?? 3000) : 0;
  return (
    <main class="screen console with-action">
      <TopBar title={id ? "Edit challenge" : "New challenge"} back="/admin/challenges" />
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          save(false);
        }}
      >
        {!id && (
          <Field label="Kind">
            <select
              value={form.kind}
              onChange={(e) => {
                const kind = e.currentTarget.value as Form["kind"];
                setForm((f) => ({ ...f, kind, verification: kind === "story" ? "review" : "auto" }));
              }}
            >
              <option value="share">Share our news</option>
              <option value="story">Tell your own story</option>
            </select>
          </Field>
        )}
        <Field label="Title">
          <input required maxLength={120} value={form.title} onInput={(e) => set("title", e.currentTarget.value)} />
        </Field>
        {form.kind === "share" && (
          <Field label="What to share (URL of the news)">
            <input
              type="url"
              required
              value={form.contentUrl}
              onInput={(e) => set("contentUrl", e.currentTarget.value)}
            />
          </Field>
        )}
        <Field
          label={
            form.kind === "story"
              ? "The prompt (what story to tell, with guidance)"
              : "Why it matters (shown to employees)"
          }
        >
          <textarea
            rows={3}
            maxLength={2000}
            value={form.description}
            onInput={(e) => set("description", e.currentTarget.value)}
          />
        </Field>
        <Field label="Narrative pillar">
          <select value={form.pillarId} onChange={(e) => set("pillarId", e.currentTarget.value)}>
            <option value="">None</option>
            {(pillars.data ?? []).map((p) => (
              <option value={p.id}>{p.title}</option>
            ))}
          </select>
        </Field>
        <fieldset class="networks">
          <legend>Networks</legend>
          {NETWORKS.map((n) => (
            <label class={`network-choice ${form.networks.includes(n) ? "chosen" : ""}`}>
              <input
                type="checkbox"
                checked={form.networks.includes(n)}
                onChange={(e) =>
                  set(
                    "networks",
                    e.currentTarget.checked ? [...form.networks, n] : form.networks.filter((x) => x !== n),
                  )
                }
              />
              {NETWORK_NAMES[n]}
            </label>
          ))}
        </fieldset>
        {form.kind === "share" &&
          form.networks.map((n) => {
            const { length } = composePost(n, form.shareText[n] || form.title, hashtags);
            const max = LIMITS[n] ?? 3000;
            return (
              <Field
                label={`Suggested text for ${NETWORK_NAMES[n]}`}
                hint={
                  <span class={length > max ? "over" : ""} data-testid={`count-${n}`}>
                    {length} / {max} characters with the link{n === "x" ? " (counted as 23)" : ""} and hashtags
                  </span>
                }
              >
                <textarea
                  rows={3}
                  value={form.shareText[n] ?? ""}
                  onInput={(e) => set("shareText", { ...form.shareText, [n]: e.currentTarget.value })}
                  onFocus={() => setPreviewOn(n)}
                />
              </Field>
            );
          })}
        {form.kind === "share" && (
          <Field label="Hashtags" hint="separated by spaces">
            <input value={form.hashtags} onInput={(e) => set("hashtags", e.currentTarget.value)} />
          </Field>
        )}
        {form.kind === "share" && preview && shown && (
          <section class="card post-preview" aria-label={`Preview on ${NETWORK_NAMES[shown]}`}>
            <div class="row between">
              <h3 class="small-title">Preview on {NETWORK_NAMES[shown]}</h3>
              <select
                aria-label="Preview network"
                value={shown}
                onChange={(e) => setPreviewOn(e.currentTarget.value as Network)}
              >
                {form.networks.map((n) => (
                  <option value={n}>{NETWORK_NAMES[n]}</option>
                ))}
              </select>
            </div>
            <p class="prewrap">{preview.post}</p>
            <p class={`small ${preview.length > limit ? "over" : "muted"}`}>
              {preview.length} / {limit}
            </p>
          </section>
        )}
        <div class="row">
          <Field label="Points">
            <input
              type="number"
              min={0}
              max={10000}
              value={form.points}
              onInput={(e) => set("points", Number(e.currentTarget.value))}
            />
          </Field>
          <Field label="Points per unique click">
            <input
              type="number"
              min={0}
              max={100}
              value={form.clickPoints}
              onInput={(e) => set("clickPoints", Number(e.currentTarget.value))}
            />
          </Field>
        </div>
        <div class="row">
          <Field label="Starts">
            <input
              type="datetime-local"
              value={form.startsAt}
              onInput={(e) => set("startsAt", e.currentTarget.value)}
            />
          </Field>
          <Field label="Ends">
            <input type="datetime-local" value={form.endsAt} onInput={(e) => set("endsAt", e.currentTarget.value)} />
          </Field>
        </div>
        <Field label={form.kind === "story" ? "How stories are published" : "How shares are verified"}>
          {form.kind === "story" ? (
            <select
              value={form.verification}
              onChange={(e) => set("verification", e.currentTarget.value as Form["verification"])}
            >
              <option value="review">An admin approves each story before it is published</option>
              <option value="trust">Publish stories directly</option>
            </select>
          ) : (
            <select
              value={form.verification}
              onChange={(e) => set("verification", e.currentTarget.value as Form["verification"])}
            >
              <option value="auto">Automatically: the post must be public and carry the link</option>
              <option value="clicks">When the link gets its first unique click</option>
              <option value="review">An admin reviews each one</option>
              <option value="trust">Trust people (partial points until verified)</option>
            </select>
          )}
        </Field>
        <fieldset class="stack">
          <legend>Audience</legend>
          <p class="muted small">
            {form.teamIds.length ? "Only the teams ticked below." : "Everyone in the organization."}
          </p>
          {(teams.data?.items ?? []).map((t) => (
            <label class="switch">
              <span>{t.name}</span>
              <input
                type="checkbox"
                checked={form.teamIds.includes(t.id)}
                onChange={(e) =>
                  set(
                    "teamIds",
                    e.currentTarget.checked ? [...form.teamIds, t.id] : form.teamIds.filter((x) => x !== t.id),
                  )
                }
              />
            </label>
          ))}
        </fieldset>
        <div class="row">
          <Field label="Team goal: shares per team (0: none)">
            <input
              type="number"
              min={0}
              max={100000}
              value={form.goalShares}
              onInput={(e) => set("goalShares", Number(e.currentTarget.value))}
            />
          </Field>
          <Field label="Bonus each when reached">
            <input
              type="number"
              min={0}
              max={10000}
              value={form.goalBonus}
              onInput={(e) => set("goalBonus", Number(e.currentTarget.value))}
            />
          </Field>
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="action-bar row">
          <button class="button secondary grow" type="submit" disabled={busy}>
            Save draft
          </button>
          {status !== "active" && status !== "scheduled" ? (
            <button class="button primary grow" type="button" disabled={busy} onClick={() => save(true)}>
              Publish
            </button>
          ) : (
            <button class="button secondary" type="button" disabled={busy} onClick={() => act("unpublish")}>
              Unpublish
            </button>
          )}
        </div>
        {id && (
          <button class="button danger" type="button" disabled={busy} onClick={() => act("archive")}>
            Archive
          </button>
        )}
      </form>
    </main>
  );
}
