import { useEffect, useState } from "preact/hooks";
import { ApiError, api, failureText, OfflineError, type Schemas, shareLink, toastFailure } from "../api";
import { Failure, Skeleton, StatusChip, TopBar, timeLeft } from "../components";
import { useInFlight } from "../inflight";
import { onLive } from "../live";
import { useLoad } from "../load";
import { loadMe } from "../session";
import { toast } from "../store";
import type { MySubmission, Network, ShareLink, Story } from "../types";
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
  const [error, setError] = useState("");
  const [busy, run] = useInFlight();
  const [story, setStory] = useState<Story | null>(null);

  useEffect(() => {
    if (!challenge) return;
    setNetwork((current) => current ?? challenge.mySubmission?.network ?? challenge.networks[0]);
    setSubmission((current) => current ?? challenge.mySubmission ?? null);
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

  if (loaded.error && !challenge) return <Failure error={loaded.error} retry={loaded.reload} />;
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

  async function share() {
    const mine = await getLink();
    if (!mine) return;
    const text = mine.shareText.includes(mine.trackedUrl)
      ? mine.shareText
      : `${mine.shareText} ${mine.trackedUrl}`.trim();
    // On phones the system share sheet reaches every app; on desktops the network's own page is better.
    if (navigator.share && window.matchMedia("(pointer: coarse)").matches) {
      try {
        await navigator.share({ title: challenge!.title, text });
        return;
      } catch (failure) {
        if ((failure as DOMException).name === "AbortError") return;
      }
    }
    window.open(mine.intentUrl, "_blank", "noopener");
  }

  async function copy() {
    const mine = await getLink();
    if (!mine) return;
    const text = mine.shareText.includes(mine.trackedUrl)
      ? mine.shareText
      : `${mine.shareText} ${mine.trackedUrl}`.trim();
    try {
      await navigator.clipboard.writeText(text);
      toast("Copied — paste it into your post.", "success");
    } catch {
      toast("Copy isn't allowed here: select the text above instead.", "error");
    }
  }

  async function submit(event: Event) {
    event.preventDefault();
    await run(() => send());
  }

  async function send() {
    setError("");
    try {
      // Offline, the service worker answers instead of the API: it queued the submission.
      const answer = (await api.post("/api/v1/challenges/{challenge_id}/submissions", {
        path: { challenge_id: id },
        body: { network: network!, ...(postUrl.trim() ? { postUrl: postUrl.trim() } : {}) },
      })) as Sent | Queued;
      setSubmission(answer);
      if (answer.status === "queued") toast("Saved — it will be sent when you're back online.", "info", 6000);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 409) {
        loaded.reload();
        setError(failureText(failure, "You already took part in this challenge."));
      } else if (failure instanceof OfflineError) {
        setError("You're offline and this browser can't keep it for later: try again once you're back online.");
      } else {
        setError(failureText(failure, "Could not send it."));
      }
    }
  }

  const preview = challenge.preview;
  const text = challenge.shareText[network] ?? "";
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
          {preview.title && (
            <p class="muted">
              <a href={challenge.contentUrl} target="_blank" rel="noopener noreferrer">
                {preview.title}
              </a>
            </p>
          )}
          <p class="card-meta">
            <span class="chip points">+{challenge.points} pts</span>
            {challenge.clickPoints > 0 && <span class="chip">+{challenge.clickPoints} per click</span>}
            <span class="muted">{timeLeft(challenge.endsAt)}</span>
          </p>
        </div>
      </article>

      {submission ? <SubmissionStatus submission={submission} points={challenge.points} /> : null}

      {isStory && <StoryEditor challengeId={challenge.id} prompt={challenge.description} onChange={setStory} />}

      {!done && canShare && (
        <>
          {isStory && <h2 class="section-title">Share your story</h2>}
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
            <section class="card share-text">
              <h3 class="small-title">Suggested text</h3>
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
          <form class="paste-bar" onSubmit={submit}>
            <label class="visually-hidden" for="post-url">
              {needsPost ? "Paste your post link" : "Your post link (optional)"}
            </label>
            <input
              id="post-url"
              type="url"
              inputMode="url"
              placeholder={needsPost ? "Paste your post link" : "Post link (optional)"}
              required={needsPost}
              maxLength={2048}
              value={postUrl}
              onInput={(e) => setPostUrl(e.currentTarget.value)}
            />
            <button class="button primary" type="submit" disabled={busy}>
              {busy ? "Sending…" : needsPost ? "Submit" : "I shared it"}
            </button>
          </form>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
        </>
      )}
    </main>
  );
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
