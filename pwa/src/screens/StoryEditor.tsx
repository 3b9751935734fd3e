import { useEffect, useState } from "preact/hooks";
import { ApiError, api, failureText, toastFailure } from "../api";
import { useInFlight } from "../inflight";
import { toast } from "../store";
import type { Story } from "../types";

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
  const [error, setError] = useState("");

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
          setError(failureText(failure, "Could not load your story."));
        onChange(null);
      })
      .finally(() => setLoaded(true));
  }, [challengeId]);

  async function save(): Promise<Story | null> {
    setError("");
    try {
      const saved = await api.put("/api/v1/challenges/{challenge_id}/story", {
        path: { challenge_id: challengeId },
        body: { title, body },
      });
      keep(saved);
      return saved;
    } catch (failure) {
      setError(failureText(failure, "Could not save."));
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
      setError(failureText(failure, "Could not add the photo."));
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
      setError(failureText(failure, "Could not submit."));
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
    <section class="card pad stack story-editor" aria-label="Your story">
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
              <input required maxLength={120} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
            </label>
            <label>
              Your story
              <textarea
                required
                rows={8}
                maxLength={5000}
                value={body}
                onInput={(e) => setBody(e.currentTarget.value)}
              />
            </label>
            <span class="muted small">{body.length} / 5000</span>
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
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {editable && (
        <div class="row">
          <button
            type="button"
            class="button secondary grow"
            disabled={busy || !title.trim() || !body.trim()}
            onClick={() => run(save).then((s) => s && toast("Draft saved.", "success"))}
          >
            Save draft
          </button>
          <button
            type="button"
            class="button primary grow"
            disabled={busy || !title.trim() || !body.trim() || checked.size < guidelines.length}
            onClick={submit}
          >
            Submit story
          </button>
        </div>
      )}
    </section>
  );
}
