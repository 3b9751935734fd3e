import { useEffect, useState } from "preact/hooks";
import { ApiError, api, toastFailure } from "../api";
import { Counter, FieldError, FormError } from "../components";
import { check, useFormErrors } from "../forms";
import { t } from "../i18n";
import { useInFlight } from "../inflight";
import { toast } from "../store";
import type { Story } from "../types";

// The API's limits (backend/community/schemas.py): the counters show them before they bite.
const TITLE_MAX = 120;
const BODY_MAX = 5000;

/** Write your own story: drafts, a photo, the organization's guidelines beside the editor. */
export function StoryEditor({
  challengeId,
  prompt,
  onChange,
}: {
  challengeId: string;
  prompt: string;
  onChange: (story: Story | null) => void;
}) {
  const [story, setStory] = useState<Story | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [guidelines, setGuidelines] = useState<string[]>([]);
  const [checked, setChecked] = useState<Set<number>>(new Set());
  const [busy, run] = useInFlight();
  const form = useFormErrors("story-form");
  const fields = ["title", "body"] as const;

  const keep = (next: Story) => {
    setStory(next);
    setTitle(next.title);
    setBody(next.body);
    onChange(next);
  };

  useEffect(() => {
    api.get("/api/v1/community/guidelines").then(setGuidelines, () => undefined);
    api
      .get("/api/v1/challenges/{challenge_id}/story", { path: { challenge_id: challengeId } })
      .then(keep, (failure) => {
        if (!(failure instanceof ApiError && failure.status === 404))
          form.fail(failure, t("storyEditor.loadFailed"), fields);
        onChange(null);
      })
      .finally(() => setLoaded(true));
  }, [challengeId]);

  async function save(): Promise<Story | null> {
    const fine = form.passes({
      title:
        check.required(title, t("storyEditor.titleRequired")) ||
        check.maxLength(title, TITLE_MAX, t("storyEditor.titleSubject")),
      body:
        check.required(body, t("storyEditor.bodyRequired")) ||
        check.maxLength(body, BODY_MAX, t("storyEditor.bodySubject")),
    });
    if (!fine) return null;
    try {
      const saved = await api.put("/api/v1/challenges/{challenge_id}/story", {
        path: { challenge_id: challengeId },
        body: { title, body },
      });
      keep(saved);
      return saved;
    } catch (failure) {
      form.fail(failure, t("storyEditor.saveFailed"), fields);
      return null;
    }
  }

  async function photo(event: Event) {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    await run(() => attach(file));
  }

  async function attach(file: File) {
    if (!story && !(await save())) return;
    try {
      // The API reads the image's type; a file the browser could not type is most likely a JPEG.
      const image = file.type ? file : file.slice(0, file.size, "image/jpeg");
      keep(
        await api.put("/api/v1/challenges/{challenge_id}/story/photo", {
          path: { challenge_id: challengeId },
          file: image,
        }),
      );
      toast(t("storyEditor.photoAdded"), "success");
    } catch (failure) {
      form.fail(failure, t("storyEditor.photoFailed"), fields);
    }
  }

  const submit = () => run(submitNow);

  async function submitNow() {
    try {
      if (!(await save())) return;
      const done = await api.post("/api/v1/challenges/{challenge_id}/story/submit", {
        path: { challenge_id: challengeId },
      });
      keep(done);
      toast(done.status === "published" ? t("storyEditor.live") : t("storyEditor.sentForReview"), "success");
    } catch (failure) {
      form.fail(failure, t("storyEditor.submitFailed"), fields);
    }
  }

  const takeDown = () =>
    run(async () => {
      if (!story) return;
      try {
        await api.post("/api/v1/stories/{story_id}/unpublish", { path: { story_id: story.id } });
        keep({ ...story, public: false, publicUrl: null });
        toast(t("storyEditor.takenDown"), "info");
      } catch (failure) {
        toastFailure(failure, t("storyEditor.takeDownFailed"));
      }
    });

  if (!loaded) return null;
  const editable = !story || story.status === "draft" || story.status === "rejected";
  return (
    <section class="card pad stack story-editor" aria-label={t("storyEditor.label")} id={form.formId}>
      <p class="muted">{prompt}</p>
      {story?.status === "submitted" && (
        <p role="status" class="chip status-pending">
          {t("storyEditor.waiting")}
        </p>
      )}
      {story?.status === "rejected" && (
        <p role="status" class="error">
          {t("storyEditor.rejected", { note: story.reviewNote ?? t("storyEditor.needsChanges") })}
        </p>
      )}
      {story?.status === "published" && (
        <div role="status" class="stack">
          <p class="chip status-verified">
            {story.featured ? t("storyEditor.publishedFeatured") : t("storyEditor.published")}
          </p>
          {story.publicUrl ? (
            <p class="row between">
              <a href={story.publicUrl} target="_blank" rel="noopener">
                {t("storyEditor.publicPage")}
              </a>
              <button type="button" class="linkish" disabled={busy} onClick={takeDown}>
                {t("storyEditor.takeDown")}
              </button>
            </p>
          ) : (
            <p class="muted small">{t("storyEditor.pageDown")}</p>
          )}
        </div>
      )}
      {editable ? (
        <div class="story-columns">
          <div class="stack grow">
            <label>
              {t("storyEditor.title")}
              <input
                required
                maxLength={TITLE_MAX}
                value={title}
                onInput={(e) => {
                  setTitle(e.currentTarget.value);
                  form.clear("title");
                }}
                {...form.field("title", "story-title-count")}
              />
            </label>
            <Counter id="story-title-count" length={title.length} max={TITLE_MAX} />
            <FieldError form={form} name="title" />
            <label>
              {t("storyEditor.body")}
              <textarea
                required
                rows={8}
                maxLength={BODY_MAX}
                value={body}
                onInput={(e) => {
                  setBody(e.currentTarget.value);
                  form.clear("body");
                }}
                {...form.field("body", "story-body-count")}
              />
            </label>
            <Counter id="story-body-count" length={body.length} max={BODY_MAX} />
            <FieldError form={form} name="body" />
            <label>
              {t("storyEditor.photo")}
              <input type="file" accept="image/jpeg,image/png,image/webp" disabled={busy} onChange={photo} />
            </label>
            {story?.photoUrl && (
              // the browser tests find the photo by this name
              <img class="preview-image" src={story.photoUrl} alt={t("storyEditor.photoAlt")} />
            )}
          </div>
          {guidelines.length > 0 && (
            <fieldset class="guidelines">
              <legend>{t("storyEditor.beforePublish")}</legend>
              {guidelines.map((g, i) => (
                <label class="inline">
                  <input
                    type="checkbox"
                    checked={checked.has(i)}
                    onChange={(e) => {
                      const next = new Set(checked);
                      if (e.currentTarget.checked) next.add(i);
                      else next.delete(i);
                      setChecked(next);
                    }}
                  />
                  {g}
                </label>
              ))}
            </fieldset>
          )}
        </div>
      ) : (
        <article>
          <h3>{story!.title}</h3>
          {story!.photoUrl && <img class="preview-image" src={story!.photoUrl} alt="" />}
          <p class="prewrap">{story!.body}</p>
        </article>
      )}
      <FormError error={form.errors.form} />
      {editable && (
        <div class="row">
          <button
            type="button"
            class="button secondary grow"
            disabled={busy}
            onClick={() => run(save).then((s) => s && toast(t("storyEditor.draftSaved"), "success"))}
          >
            {t("storyEditor.saveDraft")}
          </button>
          <button
            type="button"
            class="button primary grow"
            disabled={busy || checked.size < guidelines.length}
            onClick={submit}
          >
            {t("storyEditor.submit")}
          </button>
        </div>
      )}
    </section>
  );
}
