import { useEffect, useState } from "preact/hooks";
import { ApiError, api, OfflineError, type Schemas, shareLink, toastFailure } from "../api";
import { Failure, FieldError, FormError, Skeleton, StatusChip, TopBar, timeLeft } from "../components";
import { check, useFormErrors } from "../forms";
import { useInFlight } from "../inflight";
import { onLive } from "../live";
import { useLoad } from "../load";
import { loadMe } from "../session";
import { toast } from "../store";
import type { MySubmission, Network, ShareLink, Story } from "../types";
import { ChallengeMedia } from "./ChallengeMedia";
import { LessonChallenge } from "./Lesson";
import { StoryEditor } from "./StoryEditor";

export const NETWORK_NAMES: Record<Network, string> = {
  linkedin: "LinkedIn",
  x: "X",
  facebook: "Facebook",
  email: "Email",
  whatsapp: "WhatsApp",
};

/** What the service worker answers for a submission it keeps to send once back online. */
type Queued = { status: "queued" };
/** A submission as the challenge shows it, or as the API answered it when it was sent. */
type Sent = Schemas["SubmissionRead"];
type Shown = MySubmission | Sent | Queued | null;

function celebrate(points: number) {
  toast(`Verified — +${points} points!`, "celebrate", 5000);
  if (!window.matchMedia("(prefers-reduced-motion: reduce)").matches) navigator.vibrate?.(20);
}

export function ChallengeScreen({ id }: { id: string }) {
  const loaded = useLoad(() => api.get("/api/v1/challenges/{challenge_id}", { path: { challenge_id: id } }), [id]);
  const challenge = loaded.data;
  const [network, setNetwork] = useState<Network | null>(null);
  const [link, setLink] = useState<ShareLink | null>(null);
  const [postUrl, setPostUrl] = useState("");
  const [submission, setSubmission] = useState<Shown>(null);
  const form = useFormErrors("share-form");
  const [busy, run] = useInFlight();
  const [story, setStory] = useState<Story | null>(null);

  useEffect(() => {
    if (!challenge) return;
    setNetwork((current) => current ?? challenge.mySubmission?.network ?? challenge.networks[0]);
    setSubmission((current) => current ?? challenge.mySubmission ?? null);
    // a rejected share comes back with its link, ready to be fixed
    const mine = challenge.mySubmission;
    if (mine?.status === "rejected" && mine.postUrl) setPostUrl((current) => current || mine.postUrl || "");
  }, [challenge]);

  useEffect(
    () =>
      onLive("submission", (event: MySubmission & { challengeId: string }) => {
        if (event.challengeId !== id) return;
        setSubmission((current) => ({ ...(current as MySubmission), ...event }));
        if (event.status === "rejected") {
          // the admin's note and the tries left come with the challenge
          setSubmission(null);
          loaded.reload();
        }
        if (event.status === "verified") celebrate(event.pointsAwarded);
        loadMe().catch(() => undefined);
      }),
    [id],
  );

  useEffect(() => {
    // The service worker tells us when a submission queued offline went through.
    const listen = (event: MessageEvent) => {
      const message = event.data;
      if (message?.type === "submission-sent" && message.challengeId === id && message.body?.id) {
        setSubmission(message.body);
        toast("You're back online — your post link was sent.", "success");
      }
    };
    navigator.serviceWorker?.addEventListener("message", listen);
    return () => navigator.serviceWorker?.removeEventListener("message", listen);
  }, [id]);

  if (loaded.error && !challenge)
    return (
      <main class="screen">
        <TopBar title="Challenge" back="/" />
        <Failure error={loaded.error} retry={loaded.reload} />
      </main>
    );
  if (challenge?.kind === "lesson" && challenge.lesson)
    return (
      <main class="screen">
        <TopBar title="Lesson" back="/" />
        <article class="card content-card">
          <div class="card-body">
            {challenge.pillar && <p class="eyebrow">{challenge.pillar.title}</p>}
            <h2 class="card-title">{challenge.title}</h2>
            {challenge.description && <p class="prewrap">{challenge.description}</p>}
            <p class="card-meta">
              <span class="chip points">+{challenge.points} pts</span>
              <span class="muted">{timeLeft(challenge.endsAt)}</span>
            </p>
          </div>
        </article>
        <LessonChallenge challenge={challenge} onPaid={celebrate} onAttempt={() => loadMe().catch(() => undefined)} />
      </main>
    );
  if (!challenge || !network)
    return (
      <main class="screen">
        <TopBar title="Challenge" back="/" />
        <Skeleton lines={6} />
      </main>
    );

  const isStory = challenge.kind === "story";
  // A story's share is checked like any share; the challenge's policy is about the story.
  const needsPost = isStory || challenge.verification === "auto" || challenge.verification === "review";
  const canShare = !isStory || Boolean(story?.publicUrl);
  // one live submission per person and challenge; a rejected one may be fixed and sent again
  const done = Boolean(submission) && !canTryAgain(submission);

  async function getLink(): Promise<ShareLink | null> {
    if (link && link.network === network) return link;
    try {
      const fresh = await shareLink(id, network!);
      setLink(fresh);
      return fresh;
    } catch (failure) {
      toastFailure(failure, "Could not get your link.");
      return null;
    }
  }

  const fullText = (mine: ShareLink) =>
    mine.shareText.includes(mine.trackedUrl) ? mine.shareText : `${mine.shareText} ${mine.trackedUrl}`.trim();

  async function copied(text: string): Promise<boolean> {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      return false;
    }
  }

  async function share() {
    const mine = await getLink();
    if (!mine) return;
    const text = fullText(mine);
    // The text goes on the clipboard first: some networks drop the text a share intent carries.
    const onClipboard = await copied(text);
    // On phones the system share sheet reaches every app; on desktops the network's own page is better.
    if (navigator.share && window.matchMedia("(pointer: coarse)").matches) {
      try {
        await navigator.share({ title: challenge!.title, text });
        return;
      } catch (failure) {
        if ((failure as DOMException).name === "AbortError") return;
      }
    }
    if (onClipboard) toast("Text copied — paste it into your post if it isn't there already.", "success");
    window.open(mine.intentUrl, "_blank", "noopener");
  }

  async function copy() {
    const mine = await getLink();
    if (!mine) return;
    if (await copied(fullText(mine))) toast("Copied — paste it into your post.", "success");
    else toast("Copy isn't allowed here: select the text above instead.", "error");
  }

  async function submit(event: Event) {
    event.preventDefault();
    const url = postUrl.trim();
    const checks = form.passes({
      postUrl: (needsPost ? check.required(url, "your post's link") : "") || check.url(url, "your post's link"),
    });
    if (!checks) return;
    await run(() => send(url));
  }

  async function send(url: string) {
    try {
      // Offline, the service worker answers instead of the API: it queued the submission.
      const answer = (await api.post("/api/v1/challenges/{challenge_id}/submissions", {
        path: { challenge_id: id },
        body: { network: network!, ...(url ? { postUrl: url } : {}) },
      })) as Sent | Queued;
      setSubmission(answer);
      form.clear();
      if (answer.status === "queued") toast("Saved — it will be sent when you're back online.", "info", 6000);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 409) {
        loaded.reload();
        form.fail(failure, "You already took part in this challenge.", ["postUrl"]);
      } else if (failure instanceof OfflineError) {
        form.show({
          fields: {},
          form: "You're offline and this browser can't keep it for later: try again once you're back online.",
        });
      } else {
        form.fail(failure, "Could not send it.", ["postUrl"]);
      }
    }
  }

  const preview = challenge.preview;
  const text = challenge.shareText[network] ?? "";
  const articleName = preview.title || hostOf(challenge.contentUrl);
  // the article is always one tap away, whether or not its preview could be read
  const hasArticle = !isStory && Boolean(challenge.contentUrl);
  const rejected = submission?.status === "rejected" || submission?.status === "revoked";
  return (
    <main class="screen with-action">
      <TopBar title="Challenge" back="/" />
      <article class="card content-card">
        {preview.imageUrl && <img class="preview-image" src={preview.imageUrl} alt="" referrerpolicy="no-referrer" />}
        <div class="card-body">
          {challenge.pillar && <p class="eyebrow">{challenge.pillar.title}</p>}
          <h2 class="card-title">{challenge.title}</h2>
          {challenge.description && !challenge.kind.startsWith("story") && (
            <p class="prewrap">{challenge.description}</p>
          )}
          <p class="card-meta">
            <span class="chip points">+{challenge.points} pts</span>
            {challenge.clickPoints > 0 && <span class="chip">+{challenge.clickPoints} per click</span>}
            <span class="muted">{timeLeft(challenge.endsAt)}</span>
          </p>
        </div>
      </article>

      {challenge.media && challenge.media.length > 0 && (
        <ChallengeMedia
          media={challenge.media}
          title={challenge.title}
          shareText={async () => {
            const mine = await getLink();
            return mine ? fullText(mine) : null;
          }}
        />
      )}

      {submission ? <SubmissionStatus submission={submission} points={challenge.points} /> : null}

      {isStory && <StoryEditor challengeId={challenge.id} prompt={challenge.description} onChange={setStory} />}

      {!done && canShare && (
        <ol class="share-steps" aria-label={hasArticle ? "Share it in three steps" : "Share it in two steps"}>
          {hasArticle && (
            <li class="card step">
              <h3 class="step-title">
                <span class="step-number" aria-hidden="true">
                  1
                </span>
                Open the article
              </h3>
              <a
                class="article-link"
                href={challenge.contentUrl}
                target="_blank"
                rel="noopener noreferrer"
                data-testid="article-link"
              >
                {articleName}
                <span class="visually-hidden"> (opens in a new tab)</span>
              </a>
              {challenge.previewStatus === "failed" && (
                <p class="muted small">We couldn't load a preview of this article, but the link works.</p>
              )}
            </li>
          )}
          <li class="card step">
            <h3 class="step-title">
              <span class="step-number" aria-hidden="true">
                {hasArticle ? 2 : 1}
              </span>
              {isStory ? "Share your story" : "Share it"}
            </h3>
            <fieldset class="networks">
              <legend>Share on</legend>
              {challenge.networks.map((n) => (
                <label class={`network-choice ${n === network ? "chosen" : ""}`}>
                  <input type="radio" name="network" value={n} checked={n === network} onChange={() => setNetwork(n)} />
                  {NETWORK_NAMES[n]}
                </label>
              ))}
            </fieldset>
            {text && (
              <section class="share-text">
                <h4 class="small-title">Suggested text — we copy it for you</h4>
                <p class="muted small" data-testid="own-words-hint">
                  Start from the suggestion, then make it yours.
                  {(challenge.ownWordsPoints ?? 0) > 0 && (
                    <span class="chip points"> +{challenge.ownWordsPoints} points in your own words</span>
                  )}
                </p>
                <p class="prewrap">{text}</p>
                {challenge.hashtags.length > 0 && (
                  <p class="muted">{challenge.hashtags.map((h) => `#${h.replace(/^#/, "")}`).join(" ")}</p>
                )}
              </section>
            )}
            <div class="row">
              <button type="button" class="button primary grow" onClick={share}>
                Share on {NETWORK_NAMES[network]}
              </button>
              <button type="button" class="button secondary" onClick={copy}>
                Copy text
              </button>
            </div>
            <button type="button" class="linkish" onClick={getLink}>
              Get my link
            </button>
            {link && (
              <label class="tracked">
                Your personal link
                <input
                  readOnly
                  value={link.trackedUrl}
                  data-testid="tracked-url"
                  onFocus={(e) => e.currentTarget.select()}
                />
              </label>
            )}
          </li>
          <li class="card step paste-step">
            <form class="paste-bar" id={form.formId} onSubmit={submit} noValidate>
              <label class="step-title" for="post-url">
                <span class="step-number" aria-hidden="true">
                  {hasArticle ? 3 : 2}
                </span>
                {rejected
                  ? "Paste the fixed link to your post"
                  : needsPost
                    ? "Paste your post's link"
                    : "Your post's link"}
                {!needsPost && <span class="muted small"> (optional)</span>}
              </label>
              <FieldError form={form} name="postUrl" />
              <FormError error={form.errors.form} />
              <div class="paste-row">
                <input
                  id="post-url"
                  type="url"
                  inputMode="url"
                  autocomplete="off"
                  placeholder={needsPost ? "Paste your post link" : "Post link"}
                  required={needsPost}
                  maxLength={2048}
                  value={postUrl}
                  onInput={(e) => {
                    setPostUrl(e.currentTarget.value);
                    form.clear("postUrl");
                  }}
                  {...form.field("postUrl")}
                />
                <button class="button primary" type="submit" disabled={busy}>
                  {busy ? "Sending…" : needsPost ? "Submit" : "I shared it"}
                </button>
              </div>
            </form>
          </li>
        </ol>
      )}
    </main>
  );
}

function hostOf(url: string): string {
  try {
    return `Read it on ${new URL(url).hostname.replace(/^www\./, "")}`;
  } catch {
    return "Read the article";
  }
}

function canTryAgain(submission: Shown): boolean {
  if (submission?.status !== "rejected" || !("triesLeft" in submission)) return false;
  return submission.triesLeft > 0;
}

function SubmissionStatus({ submission, points }: { submission: Shown; points: number }) {
  if (!submission) return null;
  if (submission.status === "queued")
    return (
      <section class="card status-card" role="status" data-status="queued">
        <h3>Saved offline</h3>
        <p class="muted">Your post link will be sent as soon as you're back online.</p>
      </section>
    );
  const s = submission as MySubmission;
  const shown = s.status === "needs_review" ? "pending" : s.status === "revoked" ? "rejected" : s.status;
  return (
    <section class={`card status-card ${shown}`} role="status" aria-live="polite" data-status={shown}>
      <p>
        <StatusChip status={shown} />
      </p>
      {shown === "pending" && (
        <p>
          {s.status === "needs_review"
            ? "An admin will look at your post shortly."
            : "Checking your post… this takes a few seconds."}
        </p>
      )}
      {shown === "verified" && (
        <p class="celebrate-points">
          <strong>+{s.pointsAwarded || points} points</strong> — thank you for sharing!
        </p>
      )}
      {shown === "verified" && s.ownWords && (
        <p class="chip own-words" data-testid="own-words">
          In your own words
        </p>
      )}
      {shown === "rejected" && s.reviewNote && (
        <p>
          <strong>Note from your admin:</strong> <span class="prewrap">{s.reviewNote}</span>
        </p>
      )}
      {shown === "rejected" && !s.reviewNote && <p>{s.reason ?? "We couldn't verify this post."}</p>}
      {shown === "rejected" &&
        (canTryAgain(s) ? (
          <p>
            Fix it and send it again below ({s.triesLeft} {s.triesLeft === 1 ? "try" : "tries"} left).
          </p>
        ) : (
          <p>If you think that's a mistake, ask your program admin to take a look.</p>
        ))}
    </section>
  );
}
