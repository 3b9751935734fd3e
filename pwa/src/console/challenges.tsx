// Challenges: the list, and the editor with a live preview of the post per network.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, failureText, type Schemas, toastFailure } from "../api";
import { Empty, Failure, Skeleton, StatusChip, TopBar } from "../components";
import { formatDate, LANGUAGES, type Locale, t, tRich } from "../i18n";
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

/** The state of a challenge's article preview, as the table shows it. */
function previewText(status: string): string {
  switch (status) {
    case "ok":
      return t("consoleChallenges.previewOk");
    case "pending":
      return t("consoleChallenges.previewPending");
    case "failed":
      return t("consoleChallenges.previewFailed");
    case "none":
      return t("consoleChallenges.previewNone");
    default:
      return status;
  }
}

const hidden = (chunks: ComponentChildren) => <span class="visually-hidden">{chunks}</span>;

/** toLocaleDateString()'s and toLocaleString()'s own fields, in the language on screen. */
const DAY: Intl.DateTimeFormatOptions = { year: "numeric", month: "numeric", day: "numeric" };
const DAY_TIME: Intl.DateTimeFormatOptions = { ...DAY, hour: "numeric", minute: "numeric", second: "numeric" };

/** Ask before archiving: people stop seeing it; points already earned stay. */
function confirmArchive(title: string): Promise<boolean> {
  return confirmAction({
    title: t("consoleChallenges.archiveTitle", { title }),
    body: t("consoleChallenges.archiveBody"),
    confirmLabel: t("consoleChallenges.archiveConfirm"),
  });
}

/** Archive (once confirmed): true when it worked. */
async function archiveChallenge(c: Pick<Challenge, "id" | "title">): Promise<boolean> {
  try {
    await api.post("/api/v1/admin/challenges/{challenge_id}/archive", { path: { challenge_id: c.id } });
    toast(t("consoleChallenges.archived", { title: c.title }), "success");
    return true;
  } catch (failure) {
    toastFailure(failure, t("consoleChallenges.archiveFailed"));
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
        toast(t("consoleChallenges.retryingPreview"), "success");
        list.setItems((rows) => rows?.map((r) => (r.id === c.id ? { ...r, previewStatus: "pending" } : r)) ?? null);
      } catch (failure) {
        toastFailure(failure, t("consoleChallenges.retryPreviewFailed"));
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
      <TopBar title={t("consoleChallenges.listTitle")} back="/admin" />
      <div class="row between">
        <form class="toolbar grow" role="search" onSubmit={(e) => e.preventDefault()}>
          <label class="search">
            {t("consoleChallenges.searchByTitle")}
            <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
          </label>
          <label>
            {t("consoleChallenges.status")}
            <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              <option value="">{t("consoleChallenges.anyStatus")}</option>
              <option value="draft">{t("consoleChallenges.statusDraft")}</option>
              <option value="scheduled">{t("consoleChallenges.statusScheduled")}</option>
              <option value="active">{t("consoleChallenges.statusActive")}</option>
              <option value="ended">{t("consoleChallenges.statusEnded")}</option>
              <option value="archived">{t("consoleChallenges.statusArchived")}</option>
            </select>
          </label>
        </form>
        <a class="button primary" href="/admin/challenges/new">
          {t("consoleChallenges.newChallenge")}
        </a>
      </div>
      {list.error && !rows ? (
        <Failure error={list.error} retry={list.reload} />
      ) : !rows ? (
        <Skeleton />
      ) : rows.length === 0 ? (
        search || status ? (
          <Empty text={t("consoleChallenges.noMatch")} />
        ) : (
          <Empty text={t("consoleChallenges.noneYet")} />
        )
      ) : (
        <>
          <div class="data-table-wrap">
            <table class="data-table" aria-label={t("consoleChallenges.tableLabel")}>
              <thead>
                <tr>
                  <SortHeader
                    label={t("consoleChallenges.columnChallenge")}
                    column="title"
                    sort={sort}
                    setSort={setSort}
                  />
                  <SortHeader label={t("consoleChallenges.status")} column="status" sort={sort} setSort={setSort} />
                  <SortHeader
                    label={t("consoleChallenges.columnStarts")}
                    column="starts"
                    sort={sort}
                    setSort={setSort}
                  />
                  <SortHeader label={t("consoleChallenges.columnEnds")} column="ends" sort={sort} setSort={setSort} />
                  <SortHeader
                    label={t("consoleChallenges.columnShares")}
                    column="shares"
                    sort={sort}
                    setSort={setSort}
                  />
                  <SortHeader
                    label={t("consoleChallenges.columnVerified")}
                    column="verified"
                    sort={sort}
                    setSort={setSort}
                  />
                  <th scope="col">{t("consoleChallenges.columnPreview")}</th>
                  <th scope="col">{t("consoleChallenges.columnActions")}</th>
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
                            {c.kind === "lesson"
                              ? t("consoleChallenges.kindLesson")
                              : c.networks.map((n) => NETWORK_NAMES[n]).join(", ")}
                          </span>
                        </span>
                      </td>
                      <td>
                        <StatusChip status={c.status} />
                      </td>
                      <td>{formatDate(c.startsAt, DAY)}</td>
                      <td>{formatDate(c.endsAt, DAY)}</td>
                      <td class="num">
                        {counts?.total ?? "–"}
                        {counts && counts.needsReview > 0 && (
                          <>
                            {" "}
                            <a href="/admin/review" class="small">
                              {t("consoleChallenges.toReview", { count: counts.needsReview })}
                            </a>
                          </>
                        )}
                      </td>
                      <td class="num">{counts?.verified ?? "–"}</td>
                      <td>
                        <span class={`chip status-${preview}`}>{previewText(preview)}</span>
                        {preview === "failed" && c.status !== "archived" && (
                          <button type="button" class="linkish retry" disabled={busy} onClick={() => retry(c)}>
                            {tRich("consoleChallenges.retryPreview", { title: c.title, hidden })}
                          </button>
                        )}
                      </td>
                      <td>
                        <span class="cell-actions">
                          <a class="button secondary compact" href={`/admin/challenges/${c.id}/results`}>
                            {tRich("consoleChallenges.results", { title: c.title, hidden })}
                          </a>
                          {c.status !== "archived" && (
                            <button
                              type="button"
                              class="button danger compact"
                              disabled={busy}
                              onClick={() => archive(c)}
                            >
                              {tRich("consoleChallenges.archiveRow", { title: c.title, hidden })}
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
      <TopBar title={t("consoleChallenges.resultsTitle")} back="/admin/challenges" />
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
              {t("consoleChallenges.edit")}
            </a>
          </div>
          <p class="muted">
            {t("consoleChallenges.resultsDates", {
              starts: formatDate(c.startsAt, DAY_TIME),
              ends: formatDate(c.endsAt, DAY_TIME),
              points: c.points,
            })}
          </p>
          <Section title={t("consoleChallenges.sharesSection")}>
            <div class="stats">
              <Stat label={t("consoleChallenges.allShares")} value={counts?.total ?? "–"} />
              <Stat label={t("consoleChallenges.columnVerified")} value={counts?.verified ?? "–"} />
              <Stat label={t("consoleChallenges.beingChecked")} value={counts?.pending ?? "–"} />
              <Stat label={t("consoleChallenges.toReviewStat")} value={counts?.needsReview ?? "–"} />
              <Stat label={t("consoleChallenges.notVerified")} value={counts?.rejected ?? "–"} />
            </div>
            {counts && counts.needsReview > 0 && (
              <a href="/admin/review">{t("consoleChallenges.reviewWaiting", { count: counts.needsReview })}</a>
            )}
          </Section>
          <Section title={t("consoleChallenges.clicksSection")}>
            {clicks.error && !k ? (
              <Failure error={clicks.error} retry={clicks.reload} />
            ) : !k ? (
              <Skeleton lines={1} />
            ) : (
              <div class="stats">
                <Stat
                  label={t("consoleChallenges.peopleReached")}
                  value={k.unique}
                  hint={t("consoleChallenges.peopleReachedHint")}
                />
                <Stat label={t("consoleChallenges.linksShared")} value={k.links} />
                <Stat
                  label={t("consoleChallenges.repeatClicks")}
                  value={k.repeat}
                  hint={t("consoleChallenges.repeatClicksHint")}
                />
                <Stat
                  label={t("consoleChallenges.setAside")}
                  value={k.bot + k.self}
                  hint={t("consoleChallenges.setAsideHint")}
                />
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

/** A challenge's words in one other language; an empty field reads as the base's. */
interface TranslationDraft {
  title: string;
  description: string;
  shareText: Partial<Record<Network, string>>;
}

type Translations = Partial<Record<Locale, TranslationDraft>>;

/** The translations as the API takes them: only what was written, in LANGUAGES order. */
function translationsBody(form: Form): NonNullable<ChallengeCreate["translations"]> {
  const out: NonNullable<ChallengeCreate["translations"]> = {};
  for (const [tag] of LANGUAGES) {
    const draft = form.translations[tag];
    if (!draft) continue;
    const one: Schemas["ChallengeTranslation"] = {};
    if (draft.title.trim()) one.title = draft.title;
    if (draft.description.trim()) one.description = draft.description;
    if (form.kind === "share") {
      const texts = form.networks.filter((n) => draft.shareText[n]?.trim()).map((n) => [n, draft.shareText[n]]);
      if (texts.length) one.shareText = Object.fromEntries(texts);
    }
    if (Object.keys(one).length) out[tag] = one;
  }
  return out;
}

function translationsFrom(loaded: Record<string, Schemas["ChallengeTranslation"]> | undefined): Translations {
  const out: Translations = {};
  for (const [tag] of LANGUAGES) {
    const one = loaded?.[tag];
    if (!one) continue;
    out[tag] = {
      title: one.title ?? "",
      description: one.description ?? "",
      shareText: Object.fromEntries(
        Object.entries(one.shareText ?? {}).filter(([, v]) => v),
      ) as TranslationDraft["shareText"],
    };
  }
  return out;
}

/** The challenge in other languages: people who read Chorus in one see it in that language. */
function TranslationsEditor({
  form,
  hashtags,
  archived,
  onChange,
}: {
  form: Form;
  hashtags: string[];
  archived: boolean;
  onChange: (translations: Translations) => void;
}) {
  const missing = LANGUAGES.filter(([tag]) => !form.translations[tag]);
  const [adding, setAdding] = useState<Locale | "">("");
  const next = adding && !form.translations[adding] ? adding : (missing[0]?.[0] ?? "");
  const edit = (tag: Locale, change: Partial<TranslationDraft>) => {
    const current = form.translations[tag];
    if (current) onChange({ ...form.translations, [tag]: { ...current, ...change } });
  };
  const remove = (tag: Locale) => {
    const rest = { ...form.translations };
    delete rest[tag];
    onChange(rest);
  };
  return (
    <fieldset class="stack translations" disabled={archived}>
      <legend>{t("consoleChallenges.translationsLegend")}</legend>
      <p class="muted small">{t("consoleChallenges.translationsHint")}</p>
      {LANGUAGES.map(([tag, name]) => {
        const draft = form.translations[tag];
        if (!draft) return null;
        return (
          <section class="card stack" key={tag} lang={tag} aria-label={name}>
            <div class="row between">
              <h3 class="small-title">{name}</h3>
              <button type="button" class="button danger compact" onClick={() => remove(tag)}>
                {t("consoleChallenges.removeTranslation", { language: name })}
              </button>
            </div>
            <Field label={t("consoleChallenges.translatedTitle", { language: name })}>
              <input
                maxLength={120}
                placeholder={form.title}
                value={draft.title}
                onInput={(e) => edit(tag, { title: e.currentTarget.value })}
              />
            </Field>
            <Field label={t("consoleChallenges.translatedDescription", { language: name })}>
              <textarea
                rows={3}
                maxLength={2000}
                placeholder={form.description}
                value={draft.description}
                onInput={(e) => edit(tag, { description: e.currentTarget.value })}
              />
            </Field>
            {form.kind === "share" &&
              form.networks.map((n) => {
                const text = draft.shareText[n] || form.shareText[n] || draft.title || form.title;
                const { length } = composePost(n, text, hashtags);
                const max = LIMITS[n] ?? 3000;
                return (
                  <Field
                    label={t("consoleChallenges.translatedText", { network: NETWORK_NAMES[n], language: name })}
                    hint={
                      <span class={length > max ? "over" : ""} data-testid={`count-${tag}-${n}`}>
                        {t("consoleChallenges.characterCount", { length, max, x: n === "x" ? "yes" : "no" })}
                      </span>
                    }
                  >
                    <textarea
                      rows={3}
                      placeholder={form.shareText[n] ?? ""}
                      value={draft.shareText[n] ?? ""}
                      onInput={(e) => edit(tag, { shareText: { ...draft.shareText, [n]: e.currentTarget.value } })}
                    />
                  </Field>
                );
              })}
          </section>
        );
      })}
      {missing.length > 0 && (
        <div class="row">
          <Field label={t("consoleChallenges.translationLanguage")}>
            <select value={next} onChange={(e) => setAdding(e.currentTarget.value as Locale)}>
              {missing.map(([tag, name]) => (
                <option value={tag}>{name}</option>
              ))}
            </select>
          </Field>
          <button
            type="button"
            class="button secondary"
            onClick={() =>
              next && onChange({ ...form.translations, [next]: { title: "", description: "", shareText: {} } })
            }
          >
            {t("consoleChallenges.addTranslation")}
          </button>
        </div>
      )}
    </fieldset>
  );
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
  translations: Translations;
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
    translations: {},
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
          translations: translationsFrom(c.translations),
        };
        setForm(loaded);
        setOriginal(body(loaded));
      },
      (failure) => setError(failureText(failure, t("consoleChallenges.loadFailed"))),
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
      translations: translationsBody(form),
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
        publish
          ? t("consoleChallenges.published")
          : live
            ? t("consoleChallenges.changesSaved")
            : t("consoleChallenges.savedDraft"),
        "success",
      );
      navigate("/admin/challenges");
    } catch (failure) {
      setError(failureText(failure, t("consoleChallenges.saveFailed")));
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
      toast(t("consoleChallenges.backToDraft"), "success");
      navigate("/admin/challenges");
    } catch (failure) {
      setError(failureText(failure, t("consoleChallenges.actionFailed")));
    }
  }

  const preview = shown ? composePost(shown, form.shareText[shown] || form.title, hashtags) : null;
  const limit = shown ? (LIMITS[shown] ?? 3000) : 0;
  // Once published, only the title, description, suggested texts, translations and end can change (the
  // server's EDITABLE_WHEN_PUBLISHED): the rest is shown, disabled, with the reason.
  const live = Boolean(id) && (status === "active" || status === "scheduled" || status === "ended");
  const archived = status === "archived";
  const locked = live || archived;
  const lockedHint = locked
    ? archived
      ? t("consoleChallenges.archivedHint")
      : t("consoleChallenges.lockedHint")
    : undefined;
  return (
    <main class="screen console with-action">
      <TopBar
        title={id ? t("consoleChallenges.editTitle") : t("consoleChallenges.newChallenge")}
        back="/admin/challenges"
      />
      {live && (
        <p class="locked-note" role="note">
          {t("consoleChallenges.publishedNote")}
        </p>
      )}
      {archived && (
        <p class="locked-note" role="note">
          {t("consoleChallenges.archivedNote")}
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
          <Field label={t("consoleChallenges.kind")}>
            <select
              value={form.kind}
              onChange={(e) => {
                const kind = e.currentTarget.value as Form["kind"];
                setForm((f) => ({ ...f, kind, verification: kind === "story" ? "review" : "auto" }));
              }}
            >
              <option value="share">{t("consoleChallenges.kindShare")}</option>
              <option value="story">{t("consoleChallenges.kindStory")}</option>
              <option value="lesson">{t("consoleChallenges.kindLessonOption")}</option>
            </select>
          </Field>
        )}
        <Field label={t("consoleChallenges.title")}>
          <input
            required
            maxLength={120}
            disabled={archived}
            value={form.title}
            onInput={(e) => set("title", e.currentTarget.value)}
          />
        </Field>
        {form.kind === "share" && (
          <Field label={t("consoleChallenges.contentUrl")} hint={lockedHint}>
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
              ? t("consoleChallenges.descriptionStory")
              : form.kind === "lesson"
                ? t("consoleChallenges.descriptionLesson")
                : t("consoleChallenges.descriptionShare")
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
        <Field label={t("consoleChallenges.pillar")} hint={lockedHint}>
          <select disabled={locked} value={form.pillarId} onChange={(e) => set("pillarId", e.currentTarget.value)}>
            <option value="">{t("consoleChallenges.noPillar")}</option>
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
            <legend>{t("consoleChallenges.networksLegend", { locked: locked ? "yes" : "no" })}</legend>
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
                label={t("consoleChallenges.suggestedText", { network: NETWORK_NAMES[n] })}
                hint={
                  <span class={length > max ? "over" : ""} data-testid={`count-${n}`}>
                    {t("consoleChallenges.characterCount", { length, max, x: n === "x" ? "yes" : "no" })}
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
          <Field label={t("consoleChallenges.hashtags")} hint={lockedHint ?? t("consoleChallenges.hashtagsHint")}>
            <input disabled={locked} value={form.hashtags} onInput={(e) => set("hashtags", e.currentTarget.value)} />
          </Field>
        )}
        {form.kind === "share" && preview && shown && (
          <section
            class="card post-preview"
            aria-label={t("consoleChallenges.previewOn", { network: NETWORK_NAMES[shown] })}
          >
            <div class="row between">
              <h3 class="small-title">{t("consoleChallenges.previewOn", { network: NETWORK_NAMES[shown] })}</h3>
              <select
                aria-label={t("consoleChallenges.previewNetwork")}
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
          <Field label={t("consoleChallenges.points")} hint={lockedHint}>
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
            <Field label={t("consoleChallenges.clickPoints")} hint={lockedHint}>
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
            <Field label={t("consoleChallenges.ownWordsPoints")} hint={lockedHint}>
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
        {form.kind === "lesson" && <p class="muted small">{t("consoleChallenges.lessonPointsNote")}</p>}
        <div class="row">
          <Field label={t("consoleChallenges.starts")} hint={lockedHint}>
            <input
              type="datetime-local"
              disabled={locked}
              value={form.startsAt}
              onInput={(e) => set("startsAt", e.currentTarget.value)}
            />
          </Field>
          <Field label={t("consoleChallenges.ends")}>
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
            label={
              form.kind === "story"
                ? t("consoleChallenges.storyVerification")
                : t("consoleChallenges.shareVerification")
            }
            hint={lockedHint}
          >
            {form.kind === "story" ? (
              <select
                disabled={locked}
                value={form.verification}
                onChange={(e) => set("verification", e.currentTarget.value as Form["verification"])}
              >
                <option value="review">{t("consoleChallenges.storyReview")}</option>
                <option value="trust">{t("consoleChallenges.storyTrust")}</option>
              </select>
            ) : (
              <select
                disabled={locked}
                value={form.verification}
                onChange={(e) => set("verification", e.currentTarget.value as Form["verification"])}
              >
                <option value="auto">{t("consoleChallenges.verifyAuto")}</option>
                <option value="clicks">{t("consoleChallenges.verifyClicks")}</option>
                <option value="review">{t("consoleChallenges.verifyReview")}</option>
                <option value="trust">{t("consoleChallenges.verifyTrust")}</option>
              </select>
            )}
          </Field>
        )}
        <fieldset class="stack" disabled={locked}>
          <legend>{t("consoleChallenges.audienceLegend", { locked: locked ? "yes" : "no" })}</legend>
          <p class="muted small">
            {form.teamIds.length ? t("consoleChallenges.audienceTeams") : t("consoleChallenges.audienceEveryone")}
          </p>
          {(teams.data?.items ?? []).map((team) => (
            <label class="switch">
              <span>{team.name}</span>
              <input
                type="checkbox"
                checked={form.teamIds.includes(team.id)}
                onChange={(e) =>
                  set(
                    "teamIds",
                    e.currentTarget.checked ? [...form.teamIds, team.id] : form.teamIds.filter((x) => x !== team.id),
                  )
                }
              />
            </label>
          ))}
        </fieldset>
        <TranslationsEditor
          form={form}
          hashtags={hashtags}
          archived={archived}
          onChange={(translations) => set("translations", translations)}
        />
        {form.kind !== "lesson" && (
          <div class="row">
            <Field label={t("consoleChallenges.goalShares")} hint={lockedHint}>
              <input
                type="number"
                disabled={locked}
                min={0}
                max={100000}
                value={form.goalShares}
                onInput={(e) => set("goalShares", Number(e.currentTarget.value))}
              />
            </Field>
            <Field label={t("consoleChallenges.goalBonus")} hint={lockedHint}>
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
              {live ? t("consoleChallenges.saveChanges") : t("consoleChallenges.saveDraft")}
            </button>
          )}
          {archived ? null : !live ? (
            <button class="button primary grow" type="button" disabled={busy} onClick={() => save(true)}>
              {t("consoleChallenges.publish")}
            </button>
          ) : (
            <button class="button secondary" type="button" disabled={busy} onClick={() => act("unpublish")}>
              {t("consoleChallenges.unpublish")}
            </button>
          )}
        </div>
        {id && !archived && (
          <button class="button danger" type="button" disabled={busy} onClick={() => act("archive")}>
            {t("consoleChallenges.archiveConfirm")}
          </button>
        )}
      </form>
      {id && kindLoaded !== "lesson" && <MediaEditor challengeId={id} media={loadedMedia} />}
    </main>
  );
}
