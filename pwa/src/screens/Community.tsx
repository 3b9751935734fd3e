import { useEffect, useState } from "preact/hooks";
import { api, type Schemas, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { formatDate, t, tRich } from "../i18n";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { me } from "../session";
import { toast, useStore } from "../store";
import type { Colleague, Comment, FeedEntry } from "../types";

type Reaction = Schemas["ReactionCreate"]["kind"];

const REACTIONS: [Reaction, string][] = [
  ["clap", "👏"],
  ["heart", "❤️"],
  ["party", "🎉"],
  ["insight", "💡"],
];

/** A reaction's name, read out by screen readers. */
function reactionName(kind: Reaction): string {
  switch (kind) {
    case "clap":
      return t("community.reactionClap");
    case "heart":
      return t("community.reactionHeart");
    case "party":
      return t("community.reactionParty");
    case "insight":
      return t("community.reactionInsight");
    default:
      return kind;
  }
}

export function Community() {
  const [items, setItems] = useState<FeedEntry[] | null>(null);
  const [featured, setFeatured] = useState<FeedEntry | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [giving, setGiving] = useState(false);

  async function load(from: string | null) {
    try {
      const page = await api.get("/api/v1/feed", { query: { cursor: from } });
      setItems((current) => (from && current ? [...current, ...page.items] : page.items));
      if (!from) setFeatured(page.featured);
      setCursor(page.nextCursor);
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  }
  useEffect(() => {
    load(null);
  }, []);

  const update = (next: FeedEntry) => {
    setItems((current) => current?.map((i) => (i.id === next.id ? next : i)) ?? null);
    setFeatured((f) => (f && f.id === next.id ? next : f));
  };
  const remove = (id: string) => setItems((current) => current?.filter((i) => i.id !== id) ?? null);

  return (
    <main class="screen">
      <TopBar title={t("community.title")} />
      <button type="button" class="button primary" onClick={() => setGiving(true)}>
        {t("community.giveKudos")}
      </button>
      {giving && (
        <KudosSheet
          close={(sent) => {
            setGiving(false);
            if (sent) load(null);
          }}
        />
      )}
      {featured && (
        <section aria-label={t("community.storyOfTheWeek")} class="featured">
          <p class="eyebrow">{t("community.storyOfTheWeek")}</p>
          <FeedCard item={featured} update={update} remove={remove} />
        </section>
      )}
      {error && !items ? (
        <Failure error={error} retry={() => load(null)} />
      ) : !items ? (
        <Skeleton lines={5} />
      ) : items.length === 0 ? (
        <Empty text={t("community.empty")} />
      ) : (
        <ul class="cards" aria-label={t("community.feedLabel")}>
          {items.map((item) => (
            <li key={item.id}>
              <FeedCard item={item} update={update} remove={remove} />
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="button secondary" onClick={() => load(cursor)}>
          {t("community.showOlder")}
        </button>
      )}
    </main>
  );
}

function FeedCard({
  item,
  update,
  remove,
}: {
  item: FeedEntry;
  update: (i: FeedEntry) => void;
  remove: (id: string) => void;
}) {
  const who = useStore(me)!;
  const [open, setOpen] = useState(false);
  const [comments, setComments] = useState<Comment[] | null>(null);
  const [draft, setDraft] = useState("");
  // a destructive action asks first, in place: "delete" or "hide" waiting for a yes
  const [asking, setAsking] = useState<"delete" | "hide" | null>(null);
  // one request at a time per card: a reaction, a comment, a report, a moderation action
  const [busy, run] = useInFlight();

  const reactions = item.reactions ?? {};

  const react = (kind: Reaction) => run(() => reactNow(kind));

  async function reactNow(kind: Reaction) {
    const same = item.myReaction === kind;
    try {
      const path = { item_id: item.id };
      if (same) await api.del("/api/v1/feed/{item_id}/reaction", { path });
      else await api.put("/api/v1/feed/{item_id}/reaction", { path, body: { kind } });
      const counts = { ...reactions };
      if (item.myReaction) counts[item.myReaction] = Math.max(0, (counts[item.myReaction] ?? 1) - 1);
      if (!same) counts[kind] = (counts[kind] ?? 0) + 1;
      for (const key of Object.keys(counts)) if (!counts[key]) delete counts[key];
      update({ ...item, reactions: counts, myReaction: same ? null : kind });
    } catch (failure) {
      toastFailure(failure, t("community.reactFailed"));
    }
  }

  async function toggleComments() {
    setOpen(!open);
    if (!open && comments === null)
      setComments(await api.get("/api/v1/feed/{item_id}/comments", { path: { item_id: item.id } }).catch(() => []));
  }

  async function comment(event: Event) {
    event.preventDefault();
    await run(async () => {
      try {
        const made = await api.post("/api/v1/feed/{item_id}/comments", {
          path: { item_id: item.id },
          body: { body: draft },
        });
        setComments([...(comments ?? []), made]);
        setDraft("");
        update({ ...item, comments: item.comments + 1 });
      } catch (failure) {
        toastFailure(failure, t("community.commentFailed"));
      }
    });
  }

  /** True when the work was done (false: it failed, or another action was in flight). */
  async function act(work: () => Promise<unknown>, done: string): Promise<boolean> {
    const ok = await run(async () => {
      try {
        await work();
        toast(done, "success");
        return true;
      } catch (failure) {
        toastFailure(failure, t("community.actionFailed"));
        return false;
      }
    });
    return ok === true;
  }

  async function report() {
    const reason = window.prompt(t("community.reportPrompt"));
    if (reason?.trim())
      await act(
        () =>
          api.post("/api/v1/feed/{item_id}/report", { path: { item_id: item.id }, body: { reason: reason.trim() } }),
        t("community.reported"),
      );
  }

  async function deleteMine() {
    await run(async () => {
      try {
        await api.del("/api/v1/feed/{item_id}", { path: { item_id: item.id } });
        remove(item.id);
      } catch (failure) {
        toastFailure(failure, t("community.deleteFailed"));
      }
    });
  }

  const story = item.story;
  return (
    <article class={`card feed-card ${item.hidden ? "hidden-item" : ""}`} aria-label={item.text}>
      {story?.photoUrl && <img class="preview-image" src={story.photoUrl} alt="" loading="lazy" />}
      <div class="card-body">
        <p class="muted small">
          {item.text} · {formatDate(item.createdAt, { year: "numeric", month: "numeric", day: "numeric" })}
          {item.hidden ? ` · ${t("community.hidden")}` : ""}
        </p>
        {story && (
          <>
            <h2 class="card-title">{story.title}</h2>
            <p class="prewrap clamp-4">{story.body}</p>
            {story.publicUrl && (
              <a href={story.publicUrl} target="_blank" rel="noopener">
                {t("community.readStory")}
              </a>
            )}
          </>
        )}
        {item.kind === "kudos" && item.message && <blockquote class="kudos-message prewrap">{item.message}</blockquote>}
        <div class="reactions" role="group" aria-label={t("community.reactions")}>
          {REACTIONS.map(([kind, emoji]) => (
            <button
              type="button"
              class="reaction"
              aria-pressed={item.myReaction === kind}
              aria-label={
                reactions[kind]
                  ? t("community.reactionCount", { name: reactionName(kind), count: reactions[kind] })
                  : reactionName(kind)
              }
              disabled={busy}
              onClick={() => react(kind)}
            >
              <span aria-hidden="true">{emoji}</span>
              {reactions[kind] ? <span aria-hidden="true">{reactions[kind]}</span> : null}
            </button>
          ))}
          <button type="button" class="reaction" aria-expanded={open} onClick={toggleComments}>
            {t("community.comments", { count: item.comments })}
          </button>
        </div>
        {open && (
          <div class="comments">
            {(comments ?? []).map((c) => (
              <p class="comment" key={c.id}>
                <strong>{c.author.displayName}</strong> <span class="prewrap">{c.body}</span>
              </p>
            ))}
            <form class="row" onSubmit={comment}>
              <label class="grow">
                <span class="visually-hidden">{t("community.writeComment")}</span>
                <input
                  required
                  maxLength={500}
                  placeholder={t("community.writeComment")}
                  value={draft}
                  onInput={(e) => setDraft(e.currentTarget.value)}
                />
              </label>
              <button class="button secondary compact" type="submit" disabled={busy}>
                {t("community.send")}
              </button>
            </form>
          </div>
        )}
        <div class="row small-actions">
          {!item.mine && (
            <button type="button" class="linkish" disabled={busy} onClick={report}>
              {t("community.report")}
            </button>
          )}
          {item.mine && (item.kind === "kudos" || item.kind === "story") && (
            <button type="button" class="linkish" disabled={busy} onClick={() => setAsking("delete")}>
              {t("community.delete")}
            </button>
          )}
          {who.role === "admin" && story && !story.featured && (
            <button
              type="button"
              class="linkish"
              disabled={busy}
              onClick={() =>
                act(
                  () => api.post("/api/v1/admin/stories/{story_id}/feature", { path: { story_id: story.id } }),
                  t("community.featured"),
                )
              }
            >
              {t("community.feature")}
            </button>
          )}
          {who.role === "admin" && !item.hidden && (
            <button type="button" class="linkish" disabled={busy} onClick={() => setAsking("hide")}>
              {t("community.hide")}
            </button>
          )}
        </div>
        {asking && (
          <div class="confirm-inline" role="alertdialog" aria-label={t("community.confirmLabel")}>
            <p>{asking === "delete" ? t("community.confirmDelete") : t("community.confirmHide")}</p>
            <div class="row">
              <button
                type="button"
                class="button danger compact"
                disabled={busy}
                onClick={() => {
                  const what = asking;
                  setAsking(null);
                  if (what === "delete") deleteMine();
                  else
                    act(
                      () => api.post("/api/v1/admin/feed/{item_id}/hide", { path: { item_id: item.id } }),
                      t("community.hiddenDone"),
                    ).then((done) => done && update({ ...item, hidden: true }));
                }}
              >
                {asking === "delete" ? t("community.delete") : t("community.hide")}
              </button>
              <button type="button" class="button secondary compact" onClick={() => setAsking(null)}>
                {t("community.cancel")}
              </button>
            </div>
          </div>
        )}
      </div>
    </article>
  );
}

function KudosSheet({ close }: { close: (sent: boolean) => void }) {
  const [query, setQuery] = useState("");
  const [to, setTo] = useState<Colleague | null>(null);
  const [message, setMessage] = useState("");
  const people = useLoad(() => api.get("/api/v1/colleagues", { query: { q: query } }), [query]);
  const [busy, run] = useInFlight();

  async function send(event: Event) {
    event.preventDefault();
    if (!to) return;
    await run(async () => {
      try {
        const made = await api.post("/api/v1/kudos", { body: { to: to.id, message } });
        toast(t("community.kudosSent", { name: to.displayName, left: made.leftToday }), "success");
        close(true);
      } catch (failure) {
        toastFailure(failure, t("community.kudosFailed"));
      }
    });
  }

  return (
    <section class="card pad" role="dialog" aria-labelledby="kudos-title">
      <form class="stack" onSubmit={send}>
        <h2 id="kudos-title" class="card-title">
          {t("community.giveKudos")}
        </h2>
        {to ? (
          <p class="row between">
            <span>
              {tRich("community.kudosTo", {
                name: to.displayName,
                strong: (chunks: string[]) => <strong>{chunks}</strong>,
              })}
            </span>
            <button type="button" class="linkish" onClick={() => setTo(null)}>
              {t("community.change")}
            </button>
          </p>
        ) : (
          <>
            <label>
              {t("community.whoDeserves")}
              <input
                value={query}
                onInput={(e) => setQuery(e.currentTarget.value)}
                placeholder={t("community.namePlaceholder")}
              />
            </label>
            <ul class="plain-list">
              {(people.data ?? []).map((p) => (
                <li>
                  <button type="button" class="linkish" onClick={() => setTo(p)}>
                    {p.displayName}
                    {p.team ? ` · ${p.team}` : ""}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
        <label>
          {t("community.whatDidTheyDo")}
          <textarea
            required
            maxLength={280}
            rows={3}
            value={message}
            onInput={(e) => setMessage(e.currentTarget.value)}
          />
        </label>
        <div class="row">
          <button class="button primary grow" type="submit" disabled={!to || busy}>
            {t("community.sendKudos")}
          </button>
          <button class="button secondary" type="button" onClick={() => close(false)}>
            {t("community.cancel")}
          </button>
        </div>
      </form>
    </section>
  );
}
