// Stories to review and feature, reports to handle, and the house rules for what people write.
import { useEffect, useState } from "preact/hooks";
import { api, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import type { ReviewStory } from "../types";
import { Field, Section } from "./ui";

export function CommunityAdmin() {
  const queue = useLoad(() => api.get("/api/v1/admin/stories"), []);
  const reports = useLoad(() => api.get("/api/v1/admin/reports"), []);
  const [resolving, run] = useInFlight();
  return (
    <main class="screen console">
      <TopBar title="Community" back="/admin" />
      <Section title="Stories">
        {queue.error && !queue.data ? (
          <Failure error={queue.error} retry={queue.reload} />
        ) : !queue.data ? (
          <Skeleton />
        ) : queue.data.length === 0 ? (
          <Empty text="No stories yet — create a story challenge to invite them." />
        ) : (
          <ul class="cards">
            {queue.data.map((s) => (
              <li key={s.id}>
                <StoryCard story={s} done={queue.reload} />
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Reports">
        {(reports.data ?? []).length === 0 ? (
          <p class="muted">Nothing reported.</p>
        ) : (
          <ul class="cards">
            {reports.data!.map((r) => (
              <li class="card pad stack" key={r.id}>
                <p>
                  <strong>{r.reporter.displayName}</strong> reported: <span class="prewrap">{r.reason}</span>
                </p>
                <blockquote class="kudos-message prewrap">{r.excerpt}</blockquote>
                <div class="row">
                  {(["hide", "dismiss"] as const).map((action) => (
                    <button
                      type="button"
                      class={`button ${action === "hide" ? "primary" : "secondary"} grow`}
                      disabled={resolving}
                      onClick={() =>
                        run(() =>
                          api
                            .post("/api/v1/admin/reports/{report_id}/resolve", {
                              path: { report_id: r.id },
                              body: { action },
                            })
                            .then(reports.reload, (failure) => toastFailure(failure, "Could not do that.")),
                        )
                      }
                    >
                      {action === "hide" ? "Hide it" : "Keep it"}
                    </button>
                  ))}
                </div>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Rules />
    </main>
  );
}

function StoryCard({ story, done }: { story: ReviewStory; done: () => void }) {
  const [note, setNote] = useState("");
  const [busy, run] = useInFlight();
  const act = (action: "approve" | "reject" | "feature") => run(() => actNow(action));
  async function actNow(action: "approve" | "reject" | "feature") {
    try {
      const path = { story_id: story.id };
      if (action === "feature") await api.post("/api/v1/admin/stories/{story_id}/feature", { path });
      else
        await api.post(`/api/v1/admin/stories/{story_id}/${action}`, {
          path,
          body: note.trim() ? { note: note.trim() } : {},
        });
      toast(
        action === "approve"
          ? "Published."
          : action === "reject"
            ? "Sent back with your note."
            : "Featured as the story of the week.",
        "success",
      );
      done();
    } catch (failure) {
      toastFailure(failure, "Could not do that.");
    }
  }
  return (
    <article class="card" aria-label={`${story.authorName}: ${story.title}`}>
      {story.photoUrl && <img class="preview-image" src={story.photoUrl} alt="" />}
      <div class="card-body">
        <p class="eyebrow">{story.challengeTitle}</p>
        <h2 class="card-title">{story.title}</h2>
        <p class="muted small">
          by {story.authorName} · {story.status}
          {story.featured ? " · story of the week" : ""}
        </p>
        <p class="prewrap">{story.body}</p>
        {story.status === "submitted" ? (
          <>
            <Field label={`Note to ${story.authorName} (optional)`}>
              <input maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            </Field>
            <div class="row">
              <button type="button" class="button primary grow" disabled={busy} onClick={() => act("approve")}>
                Approve and publish
              </button>
              <button type="button" class="button secondary grow" disabled={busy} onClick={() => act("reject")}>
                Send back
              </button>
            </div>
          </>
        ) : (
          !story.featured && (
            <button type="button" class="button secondary" disabled={busy} onClick={() => act("feature")}>
              Feature as story of the week
            </button>
          )
        )}
      </div>
    </article>
  );
}

function Rules() {
  const [guidelines, setGuidelines] = useState("");
  const [words, setWords] = useState("");
  useEffect(() => {
    api.get("/api/v1/admin/community").then(
      (s) => {
        setGuidelines(s.guidelines.join("\n"));
        setWords(s.blockedWords.join(", "));
      },
      () => undefined,
    );
  }, []);
  const [busy, run] = useInFlight();
  async function save(event: Event) {
    event.preventDefault();
    await run(saveNow);
  }
  async function saveNow() {
    try {
      await api.put("/api/v1/admin/community", {
        body: {
          guidelines: guidelines
            .split("\n")
            .map((g) => g.trim())
            .filter(Boolean),
          blockedWords: words
            .split(",")
            .map((w) => w.trim())
            .filter(Boolean),
        },
      });
      toast("House rules saved.", "success");
    } catch (failure) {
      toastFailure(failure, "Could not save.");
    }
  }
  return (
    <Section title="House rules">
      <form class="stack card pad" onSubmit={save}>
        <Field label="Story guidelines (one per line)" hint="People tick each one before they submit a story.">
          <textarea rows={4} value={guidelines} onInput={(e) => setGuidelines(e.currentTarget.value)} />
        </Field>
        <Field
          label="Words to avoid (comma separated)"
          hint="Stories, comments and kudos using them are refused with a kind message."
        >
          <textarea rows={2} value={words} onInput={(e) => setWords(e.currentTarget.value)} />
        </Field>
        <button class="button primary" type="submit" disabled={busy}>
          Save house rules
        </button>
      </form>
    </Section>
  );
}
