import { useEffect, useState } from "preact/hooks";
import { ApiError, api, toastFailure } from "../api";
import { Counter, FieldError, FormError } from "../components";
import { check, useFormErrors } from "../forms";
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
          form.fail(failure, "Could not load your story.", fields);
        onChange(null);
      })
      .finally(() => setLoaded(true));
  }, [challengeId]);

  async function save(): Promise<Story | null> {
    const fine = form.passes({
      title: check.required(title, "a title") || check.maxLength(title, TITLE_MAX, "the title"),
      body: check.required(body, "your story") || check.maxLength(body, BODY_MAX, "your story"),
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
      form.fail(failure, "Could not save.", fields);
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
      toast("Photo added — its location data was removed.", "success");
    } catch (failure) {
      form.fail(failure, "Could not add the photo.", fields);
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
      toast(done.status === "published" ? "Your story is live!" : "Sent for review — we'll let you know.", "success");
    } catch (failure) {
      form.fail(failure, "Could not submit.", fields);
    }
  }

  const takeDown = () =>
    run(async () => {
      if (!story) return;
      try {
        await api.post("/api/v1/stories/{story_id}/unpublish", { path: { story_id: story.id } });
        keep({ ...story, public: false, publicUrl: null });
        toast("Your story's public page is down. Your points stay yours.", "info");
      } catch (failure) {
        toastFailure(failure, "Could not take it down.");
      }
    });

  if (!loaded) return null;
  const editable = !story || story.status === "draft" || story.status === "rejected";
  return (
    <section class="card pad stack story-editor" aria-label="Your story" id={form.formId}>
      <p class="muted">{prompt}</p>
      {story?.status === "submitted" && (
        <p role="status" class="chip status-pending">
          Waiting for an admin's review
        </p>
      )}
      {story?.status === "rejected" && (
        <p role="status" class="error">
          Not published yet: {story.reviewNote ?? "it needs a few changes."} Edit it and send it again.
        </p>
      )}
      {story?.status === "published" && (
        <div role="status" class="stack">
          <p class="chip status-verified">{story.featured ? "Published · story of the week" : "Published"}</p>
          {story.publicUrl ? (
            <p class="row between">
              <a href={story.publicUrl} target="_blank" rel="noopener">
                Your story's public page
              </a>
              <button type="button" class="linkish" disabled={busy} onClick={takeDown}>
                Take it down
              </button>
            </p>
          ) : (
            <p class="muted small">Its public page is down.</p>
          )}
        </div>
      )}
      {editable ? (
        <div class="story-columns">
          <div class="stack grow">
            <label>
              Title
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
              Your story
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
              A photo (optional — we remove its location)
              <input type="file" accept="image/jpeg,image/png,image/webp" disabled={busy} onChange={photo} />
            </label>
            {story?.photoUrl && (
              // biome-ignore lint/a11y/noRedundantAlt: the browser tests find the photo by this name
              <img class="preview-image" src={story.photoUrl} alt="Your story's photo" />
            )}
          </div>
          {guidelines.length > 0 && (
            <fieldset class="guidelines">
              <legend>Before you publish</legend>
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
            onClick={() => run(save).then((s) => s && toast("Draft saved.", "success"))}
          >
            Save draft
          </button>
          <button
            type="button"
            class="button primary grow"
            disabled={busy || checked.size < guidelines.length}
            onClick={submit}
          >
            Submit story
          </button>
        </div>
      )}
    </section>
  );
}
