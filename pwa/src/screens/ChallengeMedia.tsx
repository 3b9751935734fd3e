// A challenge's images and short videos, and "Share with the post": the files go to the
// phone's share sheet (Web Share API level 2) where it takes files, else they download.
import { useState } from "preact/hooks";
import type { Schemas } from "../api";
import { formatNumber, t } from "../i18n";
import { toast } from "../store";

type Media = Schemas["ChallengeMedia"];

const EXTENSIONS: Record<string, string> = { "image/jpeg": "jpg", "image/png": "png", "video/mp4": "mp4" };

/** The name a file is shared and downloaded under: the challenge's title, then its number. */
export function mediaFileName(title: string, item: Media, index: number): string {
  const base =
    title
      .normalize("NFKD")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "chorus";
  return `${base}-${index + 1}.${EXTENSIONS[item.contentType] ?? "bin"}`;
}

type Ready = { files: File[]; text: string | null };

export function ChallengeMedia({
  media,
  title,
  shareText,
}: {
  media: Media[];
  title: string;
  /** The post's text with the person's link, or null when it cannot be had. */
  shareText: () => Promise<string | null>;
}) {
  const [busy, setBusy] = useState(false);
  const [fallback, setFallback] = useState(false);
  // files fetched, but the tap that asked has expired: one more tap opens the share sheet
  const [ready, setReady] = useState<Ready | null>(null);

  async function open(prepared: Ready): Promise<void> {
    try {
      await navigator.share({ files: prepared.files, title, ...(prepared.text ? { text: prepared.text } : {}) });
      setReady(null);
    } catch (failure) {
      const name = (failure as DOMException).name;
      if (name === "AbortError") return setReady(null);
      if (name === "NotAllowedError") return setReady(prepared); // the tap has gone stale
      setFallback(true);
    }
  }

  async function share() {
    const probe = [new File([""], "probe.jpg", { type: "image/jpeg" })];
    if (!navigator.canShare || !navigator.share || !navigator.canShare({ files: probe })) {
      setFallback(true);
      return;
    }
    setBusy(true);
    try {
      const files = await Promise.all(
        media.map(async (item, n) => {
          const res = await fetch(item.url, { credentials: "same-origin" });
          if (!res.ok) throw new Error(`${res.status}`);
          const blob = await res.blob();
          return new File([blob], mediaFileName(title, item, n), { type: item.contentType });
        }),
      );
      const text = await shareText().catch(() => null);
      const prepared = { files, text };
      if (!navigator.canShare({ files })) {
        setFallback(true);
        return;
      }
      await open(prepared);
    } catch {
      toast(t("challengeMedia.filesFailed"), "error");
      setFallback(true);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card media-card" aria-labelledby="media-title">
      <h3 class="small-title" id="media-title">
        {t("challengeMedia.title", { count: media.length })}
      </h3>
      <ul class="media-grid">
        {media.map((item, n) => (
          <li key={item.id}>
            {item.kind === "image" ? (
              <img
                src={item.url}
                width={item.width ?? undefined}
                height={item.height ?? undefined}
                loading="lazy"
                decoding="async"
                alt={t("challengeMedia.imageAlt", { number: n + 1, title })}
              />
            ) : (
              <video
                src={item.url}
                width={item.width ?? undefined}
                height={item.height ?? undefined}
                controls
                muted
                playsInline
                preload="metadata"
                aria-label={t("challengeMedia.videoLabel", { number: n + 1, title })}
              />
            )}
          </li>
        ))}
      </ul>
      {ready ? (
        <button type="button" class="button primary" onClick={() => open(ready)} data-testid="share-media-ready">
          {t("challengeMedia.filesReady")}
        </button>
      ) : (
        <button type="button" class="button secondary" onClick={share} disabled={busy} data-testid="share-media">
          {busy ? t("challengeMedia.gettingFiles") : t("challengeMedia.shareWithPost")}
        </button>
      )}
      {fallback && (
        <div class="media-downloads" role="status" data-testid="media-downloads">
          <p class="muted small">{t("challengeMedia.cannotShareFiles")}</p>
          <ul>
            {media.map((item, n) => (
              <li key={item.id}>
                <a href={item.url} download={mediaFileName(title, item, n)}>
                  {t("challengeMedia.download", { file: mediaFileName(title, item, n), size: megabytes(item.bytes) })}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function megabytes(bytes: number): string {
  return bytes < 1_048_576
    ? t("challengeMedia.kilobytes", { size: formatNumber(Math.max(1, Math.round(bytes / 1024))) })
    : t("challengeMedia.megabytes", {
        size: formatNumber(bytes / 1_048_576, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
      });
}
