import { useEffect, useState } from "preact/hooks";
import { ApiError, api, OfflineError, type Schemas, shareLink, toastFailure } from "../api";
import { Failure, FieldError, FormError, Skeleton, StatusChip, TopBar, timeLeft } from "../components";
import { check, useFormErrors } from "../forms";
import { t, tRich } from "../i18n";
import { useInFlight } from "../inflight";
import { onLive } from "../live";
import { useLoad } from "../load";
import { loadMe } from "../session";
import { toast } from "../store";
import type { MySubmission, Network, ShareLink, Story } from "../types";
import { ChallengeMedia } from "./ChallengeMedia";
import { LessonChallenge } from "./Lesson";
import { StoryEditor } from "./StoryEditor";

/** Each network's name on screen (brand names stay; "Email" reads in the language on screen). */
export const NETWORK_NAMES: Record<Network, string> = {
  linkedin: "LinkedIn",
  x: "X",
  facebook: "Facebook",
  get email() {
    return t("challengeScreen.networkEmail");
  },
  whatsapp: "WhatsApp",
};

/** What the service worker answers for a submission it keeps to send once back online. */
type Queued = { status: "queued" };
/** A submission as the challenge shows it, or as the API answered it when it was sent. */
type Sent = Schemas["SubmissionRead"];
type Shown = MySubmission | Sent | Queued | null;

function celebrate(points: number) {
  toast(t("challengeScreen.verifiedToast", { points }), "celebrate", 5000);
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
        toast(t("challengeScreen.backOnlineSent"), "success");
      }
    };
    navigator.serviceWorker?.addEventListener("message", listen);
    return () => navigator.serviceWorker?.removeEventListener("message", listen);
  }, [id]);

  if (loaded.error && !challenge)
    return (
      <main class="screen">
        <TopBar title={t("challengeScreen.title")} back="/" />
        <Failure error={loaded.error} retry={loaded.reload} />
      </main>
    );
  if (challenge?.kind === "lesson" && challenge.lesson)
    return (
      <main class="screen">
        <TopBar title={t("challengeScreen.lessonTitle")} back="/" />
        <article class="card content-card">
          <div class="card-body">
            {challenge.pillar && <p class="eyebrow">{challenge.pillar.title}</p>}
            <h2 class="card-title">{challenge.title}</h2>
            {challenge.description && <p class="prewrap">{challenge.description}</p>}
            <p class="card-meta">
              <span class="chip points">{t("challengeScreen.pointsChip", { points: challenge.points })}</span>
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
        <TopBar title={t("challengeScreen.title")} back="/" />
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
      toastFailure(failure, t("challengeScreen.linkFailed"));
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
    if (onClipboard) toast(t("challengeScreen.textCopied"), "success");
    window.open(mine.intentUrl, "_blank", "noopener");
  }

  async function copy() {
    const mine = await getLink();
    if (!mine) return;
    if (await copied(fullText(mine))) toast(t("challengeScreen.copied"), "success");
    else toast(t("challengeScreen.copyBlocked"), "error");
  }

  async function submit(event: Event) {
    event.preventDefault();
    const url = postUrl.trim();
    const checks = form.passes({
      postUrl:
        (needsPost ? check.required(url, t("challengeScreen.postLinkRequired")) : "") ||
        check.url(url, t("challengeScreen.postLinkSubject")),
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
      if (answer.status === "queued") toast(t("challengeScreen.savedOffline"), "info", 6000);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 409) {
        loaded.reload();
        form.fail(failure, t("challengeScreen.alreadyTookPart"), ["postUrl"]);
      } else if (failure instanceof OfflineError) {
        form.show({
          fields: {},
          form: t("challengeScreen.offlineCannotQueue"),
        });
      } else {
        form.fail(failure, t("challengeScreen.sendFailed"), ["postUrl"]);
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
      <TopBar title={t("challengeScreen.title")} back="/" />
      <article class="card content-card">
        {preview.imageUrl && <img class="preview-image" src={preview.imageUrl} alt="" referrerpolicy="no-referrer" />}
        <div class="card-body">
          {challenge.pillar && <p class="eyebrow">{challenge.pillar.title}</p>}
          <h2 class="card-title">{challenge.title}</h2>
          {challenge.description && !challenge.kind.startsWith("story") && (
            <p class="prewrap">{challenge.description}</p>
          )}
          <p class="card-meta">
            <span class="chip points">{t("challengeScreen.pointsChip", { points: challenge.points })}</span>
            {challenge.clickPoints > 0 && (
              <span class="chip">{t("challengeScreen.perClick", { points: challenge.clickPoints })}</span>
            )}
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
        <ol
          class="share-steps"
          aria-label={hasArticle ? t("challengeScreen.stepsThree") : t("challengeScreen.stepsTwo")}
        >
          {hasArticle && (
            <li class="card step">
              <h3 class="step-title">
                <span class="step-number" aria-hidden="true">
                  1
                </span>
                {t("challengeScreen.openArticle")}
              </h3>
              <a
                class="article-link"
                href={challenge.contentUrl}
                target="_blank"
                rel="noopener noreferrer"
                data-testid="article-link"
              >
                {articleName}
                <span class="visually-hidden"> {t("challengeScreen.opensNewTab")}</span>
              </a>
              {challenge.previewStatus === "failed" && <p class="muted small">{t("challengeScreen.previewFailed")}</p>}
            </li>
          )}
          <li class="card step">
            <h3 class="step-title">
              <span class="step-number" aria-hidden="true">
                {hasArticle ? 2 : 1}
              </span>
              {isStory ? t("challengeScreen.shareStory") : t("challengeScreen.shareIt")}
            </h3>
            <fieldset class="networks">
              <legend>{t("challengeScreen.shareOn")}</legend>
              {challenge.networks.map((n) => (
                <label class={`network-choice ${n === network ? "chosen" : ""}`}>
                  <input type="radio" name="network" value={n} checked={n === network} onChange={() => setNetwork(n)} />
                  {NETWORK_NAMES[n]}
                </label>
              ))}
            </fieldset>
            {text && (
              <section class="share-text">
                <h4 class="small-title">{t("challengeScreen.suggestedText")}</h4>
                <p class="muted small" data-testid="own-words-hint">
                  {t("challengeScreen.ownWordsHint")}
                  {(challenge.ownWordsPoints ?? 0) > 0 && (
                    <span class="chip points">
                      {" "}
                      {t("challengeScreen.ownWordsBonus", { points: challenge.ownWordsPoints })}
                    </span>
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
                {t("challengeScreen.shareOnNetwork", { network: NETWORK_NAMES[network] })}
              </button>
              <button type="button" class="button secondary" onClick={copy}>
                {t("challengeScreen.copyText")}
              </button>
            </div>
            <button type="button" class="linkish" onClick={getLink}>
              {t("challengeScreen.getLink")}
            </button>
            {link && (
              <label class="tracked">
                {t("challengeScreen.personalLink")}
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
                  ? t("challengeScreen.pasteFixedLink")
                  : needsPost
                    ? t("challengeScreen.pasteLink")
                    : t("challengeScreen.postLink")}
                {!needsPost && <span class="muted small"> {t("challengeScreen.optional")}</span>}
              </label>
              <FieldError form={form} name="postUrl" />
              <FormError error={form.errors.form} />
              <div class="paste-row">
                <input
                  id="post-url"
                  type="url"
                  inputMode="url"
                  autocomplete="off"
                  placeholder={
                    needsPost ? t("challengeScreen.pastePlaceholder") : t("challengeScreen.postLinkPlaceholder")
                  }
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
                  {busy
                    ? t("challengeScreen.sending")
                    : needsPost
                      ? t("challengeScreen.submit")
                      : t("challengeScreen.iSharedIt")}
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
    return t("challengeScreen.readItOn", { host: new URL(url).hostname.replace(/^www\./, "") });
  } catch {
    return t("challengeScreen.readArticle");
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
        <h3>{t("challengeScreen.savedOfflineTitle")}</h3>
        <p class="muted">{t("challengeScreen.savedOfflineText")}</p>
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
        <p>{s.status === "needs_review" ? t("challengeScreen.needsReview") : t("challengeScreen.checking")}</p>
      )}
      {shown === "verified" && (
        <p class="celebrate-points">
          {tRich("challengeScreen.thanks", {
            points: s.pointsAwarded || points,
            strong: (chunks: string[]) => <strong>{chunks}</strong>,
          })}
        </p>
      )}
      {shown === "verified" && s.ownWords && (
        <p class="chip own-words" data-testid="own-words">
          {t("challengeScreen.ownWords")}
        </p>
      )}
      {shown === "rejected" && s.reviewNote && (
        <p>
          <strong>{t("challengeScreen.adminNote")}</strong> <span class="prewrap">{s.reviewNote}</span>
        </p>
      )}
      {shown === "rejected" && !s.reviewNote && <p>{s.reason ?? t("challengeScreen.notVerified")}</p>}
      {shown === "rejected" &&
        (canTryAgain(s) ? (
          <p>{t("challengeScreen.triesLeft", { count: s.triesLeft })}</p>
        ) : (
          <p>{t("challengeScreen.askAdmin")}</p>
        ))}
    </section>
  );
}
