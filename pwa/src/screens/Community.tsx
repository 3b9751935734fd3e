import { useEffect, useState } from "preact/hooks";
import { api, type Schemas, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { me } from "../session";
import { toast, useStore } from "../store";
import type { Colleague, Comment, FeedEntry } from "../types";

type Reaction = Schemas["ReactionCreate"]["kind"];

const REACTIONS: [Reaction, string, string][] = [
  ["clap", "👏", "Applause"],
  ["heart", "❤️", "Love"],
  ["party", "🎉", "Celebrate"],
  ["insight", "💡", "Insightful"],
];

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
      <TopBar title="Community" />
      <button type="button" class="button primary" onClick={() => setGiving(true)}>
        Give kudos
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
        <section aria-label="Story of the week" class="featured">
          <p class="eyebrow">Story of the week</p>
          <FeedCard item={featured} update={update} remove={remove} />
        </section>
      )}
      {error && !items ? (
        <Failure error={error} retry={() => load(null)} />
      ) : !items ? (
        <Skeleton lines={5} />
      ) : items.length === 0 ? (
        <Empty text="Nothing here yet — published stories, badges and kudos show up here." />
      ) : (
        <ul class="cards" aria-label="Community feed">
          {items.map((item) => (
            <li key={item.id}>
              <FeedCard item={item} update={update} remove={remove} />
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="button secondary" onClick={() => load(cursor)}>
          Show older
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
      toastFailure(failure, "Could not react.");
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
        toastFailure(failure, "Could not comment.");
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
        toastFailure(failure, "Could not do that.");
        return false;
      }
    });
    return ok === true;
  }

  async function report() {
    const reason = window.prompt("What is wrong with it? An admin will take a look.");
    if (reason?.trim())
      await act(
        () =>
          api.post("/api/v1/feed/{item_id}/report", { path: { item_id: item.id }, body: { reason: reason.trim() } }),
        "Thank you — an admin will look at it.",
      );
  }

  async function deleteMine() {
    await run(async () => {
      try {
        await api.del("/api/v1/feed/{item_id}", { path: { item_id: item.id } });
        remove(item.id);
      } catch (failure) {
        toastFailure(failure, "Could not delete.");
      }
    });
  }

  const story = item.story;
  return (
    <article class={`card feed-card ${item.hidden ? "hidden-item" : ""}`} aria-label={item.text}>
      {story?.photoUrl && <img class="preview-image" src={story.photoUrl} alt="" loading="lazy" />}
      <div class="card-body">
        <p class="muted small">
          {item.text} · {new Date(item.createdAt).toLocaleDateString()}
          {item.hidden ? " · hidden" : ""}
        </p>
        {story && (
          <>
            <h2 class="card-title">{story.title}</h2>
            <p class="prewrap clamp-4">{story.body}</p>
            {story.publicUrl && (
              <a href={story.publicUrl} target="_blank" rel="noopener">
                Read the whole story
              </a>
            )}
          </>
        )}
        {item.kind === "kudos" && item.message && <blockquote class="kudos-message prewrap">{item.message}</blockquote>}
        <div class="reactions" role="group" aria-label="Reactions">
          {REACTIONS.map(([kind, emoji, label]) => (
            <button
              type="button"
              class="reaction"
              aria-pressed={item.myReaction === kind}
              aria-label={`${label}${reactions[kind] ? `, ${reactions[kind]}` : ""}`}
              disabled={busy}
              onClick={() => react(kind)}
            >
              <span aria-hidden="true">{emoji}</span>
              {reactions[kind] ? <span aria-hidden="true">{reactions[kind]}</span> : null}
            </button>
          ))}
          <button type="button" class="reaction" aria-expanded={open} onClick={toggleComments}>
            Comments ({item.comments})
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
                <span class="visually-hidden">Write a comment</span>
                <input
                  required
                  maxLength={500}
                  placeholder="Write a comment"
                  value={draft}
                  onInput={(e) => setDraft(e.currentTarget.value)}
                />
              </label>
              <button class="button secondary compact" type="submit" disabled={busy}>
                Send
              </button>
            </form>
          </div>
        )}
        <div class="row small-actions">
          {!item.mine && (
            <button type="button" class="linkish" disabled={busy} onClick={report}>
              Report
            </button>
          )}
          {item.mine && (item.kind === "kudos" || item.kind === "story") && (
            <button type="button" class="linkish" disabled={busy} onClick={() => setAsking("delete")}>
              Delete
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
                  "Featured as the story of the week.",
                )
              }
            >
              Feature
            </button>
          )}
          {who.role === "admin" && !item.hidden && (
            <button type="button" class="linkish" disabled={busy} onClick={() => setAsking("hide")}>
              Hide
            </button>
          )}
        </div>
        {asking && (
          <div class="confirm-inline" role="alertdialog" aria-label="Are you sure?">
            <p>
              {asking === "delete"
                ? "Delete this post? It is gone for everyone, and cannot be brought back."
                : "Hide this post from the community? Its public page goes too."}
            </p>
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
                      "Hidden from the community.",
                    ).then((done) => done && update({ ...item, hidden: true }));
                }}
              >
                {asking === "delete" ? "Delete" : "Hide"}
              </button>
              <button type="button" class="button secondary compact" onClick={() => setAsking(null)}>
                Cancel
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
        toast(`Kudos sent to ${to.displayName} (${made.leftToday} left today).`, "success");
        close(true);
      } catch (failure) {
        toastFailure(failure, "Could not send kudos.");
      }
    });
  }

  return (
    <section class="card pad" role="dialog" aria-labelledby="kudos-title">
      <form class="stack" onSubmit={send}>
        <h2 id="kudos-title" class="card-title">
          Give kudos
        </h2>
        {to ? (
          <p class="row between">
            <span>
              To <strong>{to.displayName}</strong>
            </span>
            <button type="button" class="linkish" onClick={() => setTo(null)}>
              Change
            </button>
          </p>
        ) : (
          <>
            <label>
              Who deserves them?
              <input value={query} onInput={(e) => setQuery(e.currentTarget.value)} placeholder="Start typing a name" />
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
          What did they do?
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
            Send kudos
          </button>
          <button class="button secondary" type="button" onClick={() => close(false)}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
