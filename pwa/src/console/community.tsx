// Stories to review and feature, reports to handle, and the house rules for what people write.
import { useEffect, useState } from "preact/hooks";
import { api, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { t, tRich } from "../i18n";
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
      <TopBar title={t("consoleCommunity.title")} back="/admin" />
      <Section title={t("consoleCommunity.stories")}>
        {queue.error && !queue.data ? (
          <Failure error={queue.error} retry={queue.reload} />
        ) : !queue.data ? (
          <Skeleton />
        ) : queue.data.length === 0 ? (
          <Empty text={t("consoleCommunity.noStories")} />
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
      <Section title={t("consoleCommunity.reports")}>
        {(reports.data ?? []).length === 0 ? (
          <p class="muted">{t("consoleCommunity.nothingReported")}</p>
        ) : (
          <ul class="cards">
            {reports.data!.map((r) => (
              <li class="card pad stack" key={r.id}>
                <p>
                  {tRich("consoleCommunity.reported", {
                    name: r.reporter.displayName,
                    b: (chunks: string) => <strong>{chunks}</strong>,
                    reason: <span class="prewrap">{r.reason}</span>,
                  })}
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
                            .then(reports.reload, (failure) => toastFailure(failure, t("consoleCommunity.failed"))),
                        )
                      }
                    >
                      {action === "hide" ? t("consoleCommunity.hide") : t("consoleCommunity.keep")}
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
          ? t("consoleCommunity.published")
          : action === "reject"
            ? t("consoleCommunity.sentBack")
            : t("consoleCommunity.featured"),
        "success",
      );
      done();
    } catch (failure) {
      toastFailure(failure, t("consoleCommunity.failed"));
    }
  }
  return (
    <article
      class="card"
      aria-label={t("consoleCommunity.storyLabel", { author: story.authorName, title: story.title })}
    >
      {story.photoUrl && <img class="preview-image" src={story.photoUrl} alt="" />}
      <div class="card-body">
        <p class="eyebrow">{story.challengeTitle}</p>
        <h2 class="card-title">{story.title}</h2>
        <p class="muted small">
          {t("consoleCommunity.byline", {
            author: story.authorName,
            status: story.status,
            featured: story.featured ? "yes" : "no",
          })}
        </p>
        <p class="prewrap">{story.body}</p>
        {story.status === "submitted" ? (
          <>
            <Field label={t("consoleCommunity.noteTo", { name: story.authorName })}>
              <input maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            </Field>
            <div class="row">
              <button type="button" class="button primary grow" disabled={busy} onClick={() => act("approve")}>
                {t("consoleCommunity.approve")}
              </button>
              <button type="button" class="button secondary grow" disabled={busy} onClick={() => act("reject")}>
                {t("consoleCommunity.sendBack")}
              </button>
            </div>
          </>
        ) : (
          !story.featured && (
            <button type="button" class="button secondary" disabled={busy} onClick={() => act("feature")}>
              {t("consoleCommunity.feature")}
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
      toast(t("consoleCommunity.rulesSaved"), "success");
    } catch (failure) {
      toastFailure(failure, t("consoleCommunity.saveFailed"));
    }
  }
  return (
    <Section title={t("consoleCommunity.houseRules")}>
      <form class="stack card pad" onSubmit={save}>
        <Field label={t("consoleCommunity.guidelines")} hint={t("consoleCommunity.guidelinesHint")}>
          <textarea rows={4} value={guidelines} onInput={(e) => setGuidelines(e.currentTarget.value)} />
        </Field>
        <Field label={t("consoleCommunity.blockedWords")} hint={t("consoleCommunity.blockedWordsHint")}>
          <textarea rows={2} value={words} onInput={(e) => setWords(e.currentTarget.value)} />
        </Field>
        <button class="button primary" type="submit" disabled={busy}>
          {t("consoleCommunity.saveRules")}
        </button>
      </form>
    </Section>
  );
}
