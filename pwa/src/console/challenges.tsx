// Challenges: the list, and the editor with a live preview of the post per network.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, failureText, type Schemas, toastFailure } from "../api";
import { Empty, Failure, Skeleton, StatusChip, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { navigate } from "../router";
import { NETWORK_NAMES } from "../screens/ChallengeScreen";
import { toast } from "../store";
import type { Challenge, ChallengeCreate, ChallengeUpdate, Network } from "../types";
import { confirmAction, MoreRows, type Sort, SortHeader, sortRows, useDebounced, usePages } from "./kit";
import { blankLesson, draftFrom, type LessonDraft, LessonEditor, lessonBody } from "./lessonEditor";
import { MediaEditor } from "./mediaEditor";
import { Field, Section, Stat } from "./ui";

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

/** A row of the console's challenge table: the challenge, its shares and its preview. */
export type AdminChallenge = Challenge & {
  previewStatus?: "ok" | "pending" | "failed" | "none";
  submissionCounts?: { total: number; pending: number; needsReview: number; verified: number; rejected: number } | null;
};

type Column = "title" | "status" | "starts" | "ends" | "shares" | "verified";

const PREVIEW_TEXT: Record<string, string> = {
  ok: "Preview ready",
  pending: "Fetching preview",
  failed: "Preview failed",
  none: "No preview",
};

/** Ask before archiving: people stop seeing it; points already earned stay. */
function confirmArchive(title: string): Promise<boolean> {
  return confirmAction({
    title: `Archive “${title}”?`,
    body: "People stop seeing it and can no longer share it. Points already earned stay. An archived challenge cannot be edited or published again.",
    confirmLabel: "Archive",
  });
}

/** Archive (once confirmed): true when it worked. */
async function archiveChallenge(c: Pick<Challenge, "id" | "title">): Promise<boolean> {
  try {
    await api.post("/api/v1/admin/challenges/{challenge_id}/archive", { path: { challenge_id: c.id } });
    toast(`“${c.title}” archived.`, "success");
    return true;
  } catch (failure) {
    toastFailure(failure, "Could not archive.");
    return false;
  }
}

export function ChallengesAdmin() {
  const [query, setQuery] = useState("");
  const [status, setStatus] = useState("");
  const [sort, setSort] = useState<Sort<Column>>({ key: "starts", dir: "descending" });
  const [busy, run] = useInFlight();
  const search = useDebounced(query.trim());
  const list = usePages<AdminChallenge>(
    (cursor) =>
      api.get("/api/v1/admin/challenges", {
        query: {
          query: search || undefined,
          status: (status || undefined) as Challenge["status"] | undefined,
          limit: 50,
          cursor,
        },
      }),
    JSON.stringify([search, status]),
  );

  const retry = (c: AdminChallenge) =>
    run(async () => {
      try {
        await api.post("/api/v1/admin/challenges/{challenge_id}/preview", { path: { challenge_id: c.id } });
        toast("Fetching the article's preview again.", "success");
        list.setItems((rows) => rows?.map((r) => (r.id === c.id ? { ...r, previewStatus: "pending" } : r)) ?? null);
      } catch (failure) {
        toastFailure(failure, "Could not fetch the preview again.");
      }
    });

  // The question is asked before the action runs, so the button stays enabled and takes the
  // focus back when the dialog closes.
  const archive = async (c: AdminChallenge) =>
    (await confirmArchive(c.title)) &&
    run(async () => {
      if (await archiveChallenge(c))
        list.setItems((rows) => rows?.map((r) => (r.id === c.id ? { ...r, status: "archived" } : r)) ?? null);
    });

  const rows = list.items
    ? sortRows(list.items, sort, (c, key) =>
        key === "title"
          ? c.title
          : key === "status"
            ? c.status
            : key === "starts"
              ? c.startsAt
              : key === "ends"
                ? c.endsAt
                : key === "shares"
                  ? (c.submissionCounts?.total ?? 0)
                  : (c.submissionCounts?.verified ?? 0),
      )
    : null;

  return (
    <main class="screen console">
      <TopBar title="Challenges" back="/admin" />
      <div class="row between">
        <form class="toolbar grow" role="search" onSubmit={(e) => e.preventDefault()}>
          <label class="search">
            Search by title
            <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
          </label>
          <label>
            Status
            <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              <option value="">Any status</option>
              <option value="draft">Draft</option>
              <option value="scheduled">Scheduled</option>
              <option value="active">Active</option>
              <option value="ended">Ended</option>
              <option value="archived">Archived</option>
            </select>
          </label>
        </form>
        <a class="button primary" href="/admin/challenges/new">
          New challenge
        </a>
      </div>
      {list.error && !rows ? (
        <Failure error={list.error} retry={list.reload} />
      ) : !rows ? (
        <Skeleton />
      ) : rows.length === 0 ? (
        search || status ? (
          <Empty text="No challenge matches." />
        ) : (
          <Empty text="No challenges yet: write the first one — a piece of news people are proud of." />
        )
      ) : (
        <>
          <div class="data-table-wrap">
            <table class="data-table" aria-label="Challenges">
              <thead>
                <tr>
                  <SortHeader label="Challenge" column="title" sort={sort} setSort={setSort} />
                  <SortHeader label="Status" column="status" sort={sort} setSort={setSort} />
                  <SortHeader label="Starts" column="starts" sort={sort} setSort={setSort} />
                  <SortHeader label="Ends" column="ends" sort={sort} setSort={setSort} />
                  <SortHeader label="Shares" column="shares" sort={sort} setSort={setSort} />
                  <SortHeader label="Verified" column="verified" sort={sort} setSort={setSort} />
                  <th scope="col">Preview</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => {
                  const counts = c.submissionCounts;
                  const preview = c.previewStatus ?? "none";
                  return (
                    <tr key={c.id} class="challenge-row">
                      <td>
                        <span class="who-cell">
                          <a class="name" href={`/admin/challenges/${c.id}`}>
                            {c.title}
                          </a>
                          <span class="muted">
                            {c.kind === "lesson" ? "Lesson" : c.networks.map((n) => NETWORK_NAMES[n]).join(", ")}
                          </span>
                        </span>
                      </td>
                      <td>
                        <StatusChip status={c.status} />
                      </td>
                      <td>{new Date(c.startsAt).toLocaleDateString()}</td>
                      <td>{new Date(c.endsAt).toLocaleDateString()}</td>
                      <td class="num">
                        {counts?.total ?? "–"}
                        {counts && counts.needsReview > 0 && (
                          <>
                            {" "}
                            <a href="/admin/review" class="small">
                              ({counts.needsReview} to review)
                            </a>
                          </>
                        )}
                      </td>
                      <td class="num">{counts?.verified ?? "–"}</td>
                      <td>
                        <span class={`chip status-${preview}`}>{PREVIEW_TEXT[preview] ?? preview}</span>
                        {preview === "failed" && c.status !== "archived" && (
                          <button type="button" class="linkish retry" disabled={busy} onClick={() => retry(c)}>
                            Retry preview<span class="visually-hidden"> of {c.title}</span>
                          </button>
                        )}
                      </td>
                      <td>
                        <span class="cell-actions">
                          <a class="button secondary compact" href={`/admin/challenges/${c.id}/results`}>
                            Results<span class="visually-hidden"> of {c.title}</span>
                          </a>
                          {c.status !== "archived" && (
                            <button
                              type="button"
                              class="button danger compact"
                              disabled={busy}
                              onClick={() => archive(c)}
                            >
                              Archive<span class="visually-hidden"> {c.title}</span>
                            </button>
                          )}
                        </span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <MoreRows
            shown={rows.length}
            hasMore={list.hasMore}
            loading={list.loading}
            more={list.more}
            noun="challenges"
          />
        </>
      )}
    </main>
  );
}

/** One challenge's results: its shares by status and its clicks, one click from its row. */
export function ChallengeResults({ id }: { id: string }) {
  const challenge = useLoad(
    () => api.get("/api/v1/admin/challenges/{challenge_id}", { path: { challenge_id: id } }),
    [id],
  );
  const clicks = useLoad(
    () => api.get("/api/v1/admin/challenges/{challenge_id}/clicks", { path: { challenge_id: id } }),
    [id],
  );
  const title = challenge.data?.title;
  const row = useLoad(
    () =>
      title
        ? api
            .get("/api/v1/admin/challenges", { query: { query: title, limit: 20 } })
            .then((page) => page.items.find((c) => c.id === id) ?? null)
        : Promise.resolve(null),
    [title],
  );
  const c = challenge.data;
  const counts = (row.data ?? null)?.submissionCounts;
  const k = clicks.data;
  return (
    <main class="screen console">
      <TopBar title="Challenge results" back="/admin/challenges" />
      {challenge.error && !c ? (
        <Failure error={challenge.error} retry={challenge.reload} />
      ) : !c ? (
        <Skeleton />
      ) : (
        <>
          <div class="row between">
            <h2 class="card-title">
              {c.title} <StatusChip status={c.status} />
            </h2>
            <a class="button secondary compact" href={`/admin/challenges/${c.id}`}>
              Edit
            </a>
          </div>
          <p class="muted">
            {new Date(c.startsAt).toLocaleString()} – {new Date(c.endsAt).toLocaleString()} · {c.points} points
          </p>
          <Section title="Shares">
            <div class="stats">
              <Stat label="All shares" value={counts?.total ?? "–"} />
              <Stat label="Verified" value={counts?.verified ?? "–"} />
              <Stat label="Being checked" value={counts?.pending ?? "–"} />
              <Stat label="To review" value={counts?.needsReview ?? "–"} />
              <Stat label="Not verified" value={counts?.rejected ?? "–"} />
            </div>
            {counts && counts.needsReview > 0 && <a href="/admin/review">Review the {counts.needsReview} waiting</a>}
          </Section>
          <Section title="Clicks">
            {clicks.error && !k ? (
              <Failure error={clicks.error} retry={clicks.reload} />
            ) : !k ? (
              <Skeleton lines={1} />
            ) : (
              <div class="stats">
                <Stat label="People reached" value={k.unique} hint="unique clicks on the shared links" />
                <Stat label="Links shared" value={k.links} />
                <Stat label="Repeat clicks" value={k.repeat} hint="not counted again" />
                <Stat label="Set aside" value={k.bot + k.self} hint="bots and people clicking their own link" />
              </div>
            )}
          </Section>
        </>
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
  kind: "share" | "story" | "lesson";
  title: string;
  description: string;
  contentUrl: string;
  pillarId: string;
  networks: Network[];
  shareText: Partial<Record<Network, string>>;
  hashtags: string;
  points: number;
  clickPoints: number;
  ownWordsPoints: number;
  startsAt: string;
  endsAt: string;
  verification: Challenge["verification"];
  teamIds: string[];
  goalShares: number;
  goalBonus: number;
  lesson: LessonDraft;
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
    ownWordsPoints: 0,
    startsAt: local(start.toISOString()),
    endsAt: local(new Date(start.getTime() + 7 * 86_400_000).toISOString()),
    verification: "auto",
    teamIds: [],
    goalShares: 0,
    goalBonus: 20,
    lesson: blankLesson(),
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
  const [loadedMedia, setLoadedMedia] = useState<Schemas["ChallengeMedia"][]>([]);
  const [kindLoaded, setKindLoaded] = useState("");
  const pillars = useLoad(() => api.get("/api/v1/pillars"), []);
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);

  useEffect(() => {
    if (!id) return;
    api.get("/api/v1/admin/challenges/{challenge_id}", { path: { challenge_id: id } }).then(
      (c) => {
        setStatus(c.status);
        setLoadedMedia(c.media ?? []);
        setKindLoaded(c.kind);
        const loaded: Form = {
          kind: c.kind === "story" || c.kind === "lesson" ? c.kind : "share",
          title: c.title,
          description: c.description,
          contentUrl: c.contentUrl,
          pillarId: c.pillar?.id ?? "",
          networks: c.networks,
          shareText: Object.fromEntries(Object.entries(c.shareText).filter(([, v]) => v)) as Form["shareText"],
          hashtags: c.hashtags.join(" "),
          points: c.points,
          clickPoints: c.clickPoints,
          ownWordsPoints: c.ownWordsPoints ?? 0,
          startsAt: local(c.startsAt),
          endsAt: local(c.endsAt),
          verification: c.verification,
          teamIds: c.teamIds,
          goalShares: c.teamGoal?.shares ?? 0,
          goalBonus: c.teamGoal?.bonus ?? 20,
          lesson: draftFrom(c.lesson),
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
    if (form.kind === "story")
      return { ...common, kind: "story", networks: form.networks, clickPoints: 0, ownWordsPoints: 0, passMark: 80 };
    if (form.kind === "lesson")
      return { ...common, kind: "lesson", clickPoints: 0, ownWordsPoints: 0, ...lessonBody(form.lesson) };
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
      ownWordsPoints: Number(form.ownWordsPoints),
      startsAt: new Date(form.startsAt).toISOString(),
      endsAt: new Date(form.endsAt).toISOString(),
      verification: form.verification,
      teamIds: form.teamIds,
      teamGoal: form.goalShares > 0 ? { shares: Number(form.goalShares), bonus: Number(form.goalBonus) } : null,
      passMark: 80,
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
      toast(
        publish ? "Published — people will see it when it starts." : live ? "Changes saved." : "Saved as a draft.",
        "success",
      );
      navigate("/admin/challenges");
    } catch (failure) {
      setError(failureText(failure, "Could not save."));
    }
  }

  const act = async (action: "unpublish" | "archive") =>
    (action !== "archive" || (await confirmArchive(form.title))) && run(() => actNow(action));

  async function actNow(action: "unpublish" | "archive") {
    if (action === "archive") {
      if (await archiveChallenge({ id: id ?? "", title: form.title })) navigate("/admin/challenges");
      return;
    }
    try {
      await api.post("/api/v1/admin/challenges/{challenge_id}/unpublish", { path: { challenge_id: id ?? "" } });
      toast("Back to draft.", "success");
      navigate("/admin/challenges");
    } catch (failure) {
      setError(failureText(failure, "Could not do that."));
    }
  }

  const preview = shown ? composePost(shown, form.shareText[shown] || form.title, hashtags) : null;
  const limit = shown ? (LIMITS[shown] ?? 3000) : 0;
  // Once published, only the title, description, suggested texts and end can change (the
  // server's EDITABLE_WHEN_PUBLISHED): the rest is shown, disabled, with the reason.
  const live = Boolean(id) && (status === "active" || status === "scheduled" || status === "ended");
  const archived = status === "archived";
  const locked = live || archived;
  const lockedHint = locked ? (archived ? "Archived: it can no longer change." : "Locked while published") : undefined;
  return (
    <main class="screen console with-action">
      <TopBar title={id ? "Edit challenge" : "New challenge"} back="/admin/challenges" />
      {live && (
        <p class="locked-note" role="note">
          This challenge is published: you can change its title, description, suggested texts and end. To change the
          rest, unpublish it first.
        </p>
      )}
      {archived && (
        <p class="locked-note" role="note">
          This challenge is archived: it can no longer change.
        </p>
      )}
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
              <option value="lesson">Teach with a lesson and a quiz</option>
            </select>
          </Field>
        )}
        <Field label="Title">
          <input
            required
            maxLength={120}
            disabled={archived}
            value={form.title}
            onInput={(e) => set("title", e.currentTarget.value)}
          />
        </Field>
        {form.kind === "share" && (
          <Field label="What to share (URL of the news)" hint={lockedHint}>
            <input
              type="url"
              required
              disabled={locked}
              value={form.contentUrl}
              onInput={(e) => set("contentUrl", e.currentTarget.value)}
            />
          </Field>
        )}
        <Field
          label={
            form.kind === "story"
              ? "The prompt (what story to tell, with guidance)"
              : form.kind === "lesson"
                ? "Introduction (what people will learn)"
                : "Why it matters (shown to employees)"
          }
        >
          <textarea
            rows={3}
            maxLength={2000}
            disabled={archived}
            value={form.description}
            onInput={(e) => set("description", e.currentTarget.value)}
          />
        </Field>
        <Field label="Narrative pillar" hint={lockedHint}>
          <select disabled={locked} value={form.pillarId} onChange={(e) => set("pillarId", e.currentTarget.value)}>
            <option value="">None</option>
            {(pillars.data ?? []).map((p) => (
              <option value={p.id}>{p.title}</option>
            ))}
          </select>
        </Field>
        {form.kind === "lesson" && (
          <LessonEditor
            draft={form.lesson}
            onChange={(lesson) => set("lesson", lesson)}
            quizLocked={live}
            archived={archived}
          />
        )}
        {form.kind !== "lesson" && (
          <fieldset class="networks" disabled={locked}>
            <legend>Networks{locked ? " (locked while published)" : ""}</legend>
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
        )}
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
                  disabled={archived}
                  value={form.shareText[n] ?? ""}
                  onInput={(e) => set("shareText", { ...form.shareText, [n]: e.currentTarget.value })}
                  onFocus={() => setPreviewOn(n)}
                />
              </Field>
            );
          })}
        {form.kind === "share" && (
          <Field label="Hashtags" hint={lockedHint ?? "separated by spaces"}>
            <input disabled={locked} value={form.hashtags} onInput={(e) => set("hashtags", e.currentTarget.value)} />
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
          <Field label="Points" hint={lockedHint}>
            <input
              type="number"
              disabled={locked}
              min={0}
              max={10000}
              value={form.points}
              onInput={(e) => set("points", Number(e.currentTarget.value))}
            />
          </Field>
          {form.kind !== "lesson" && (
            <Field label="Points per unique click" hint={lockedHint}>
              <input
                type="number"
                disabled={locked}
                min={0}
                max={100}
                value={form.clickPoints}
                onInput={(e) => set("clickPoints", Number(e.currentTarget.value))}
              />
            </Field>
          )}
          {form.kind === "share" && (
            <Field label="Points in their own words" hint={lockedHint}>
              <input
                type="number"
                disabled={locked}
                min={0}
                max={1000}
                value={form.ownWordsPoints}
                onInput={(e) => set("ownWordsPoints", Number(e.currentTarget.value))}
              />
            </Field>
          )}
        </div>
        {form.kind === "lesson" && (
          <p class="muted small">The points are paid once per person, on their first pass of the quiz.</p>
        )}
        <div class="row">
          <Field label="Starts" hint={lockedHint}>
            <input
              type="datetime-local"
              disabled={locked}
              value={form.startsAt}
              onInput={(e) => set("startsAt", e.currentTarget.value)}
            />
          </Field>
          <Field label="Ends">
            <input
              type="datetime-local"
              disabled={archived}
              value={form.endsAt}
              onInput={(e) => set("endsAt", e.currentTarget.value)}
            />
          </Field>
        </div>
        {form.kind !== "lesson" && (
          <Field
            label={form.kind === "story" ? "How stories are published" : "How shares are verified"}
            hint={lockedHint}
          >
            {form.kind === "story" ? (
              <select
                disabled={locked}
                value={form.verification}
                onChange={(e) => set("verification", e.currentTarget.value as Form["verification"])}
              >
                <option value="review">An admin approves each story before it is published</option>
                <option value="trust">Publish stories directly</option>
              </select>
            ) : (
              <select
                disabled={locked}
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
        )}
        <fieldset class="stack" disabled={locked}>
          <legend>Audience{locked ? " (locked while published)" : ""}</legend>
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
        {form.kind !== "lesson" && (
          <div class="row">
            <Field label="Team goal: shares per team (0: none)" hint={lockedHint}>
              <input
                type="number"
                disabled={locked}
                min={0}
                max={100000}
                value={form.goalShares}
                onInput={(e) => set("goalShares", Number(e.currentTarget.value))}
              />
            </Field>
            <Field label="Bonus each when reached" hint={lockedHint}>
              <input
                type="number"
                disabled={locked}
                min={0}
                max={10000}
                value={form.goalBonus}
                onInput={(e) => set("goalBonus", Number(e.currentTarget.value))}
              />
            </Field>
          </div>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="action-bar row">
          {!archived && (
            <button class="button secondary grow" type="submit" disabled={busy}>
              {live ? "Save changes" : "Save draft"}
            </button>
          )}
          {archived ? null : !live ? (
            <button class="button primary grow" type="button" disabled={busy} onClick={() => save(true)}>
              Publish
            </button>
          ) : (
            <button class="button secondary" type="button" disabled={busy} onClick={() => act("unpublish")}>
              Unpublish
            </button>
          )}
        </div>
        {id && !archived && (
          <button class="button danger" type="button" disabled={busy} onClick={() => act("archive")}>
            Archive
          </button>
        )}
      </form>
      {id && kindLoaded !== "lesson" && <MediaEditor challengeId={id} media={loadedMedia} />}
    </main>
  );
}
