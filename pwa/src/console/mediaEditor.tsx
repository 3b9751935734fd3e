// A challenge's media in the editor: upload (with progress; size and type refused before a byte
// is sent, and the server's word when it refuses by content), list and delete.
import { useEffect, useState } from "preact/hooks";
import { api, type Schemas, toastFailure } from "../api";
import { formatNumber, t } from "../i18n";
import { toast } from "../store";
import { confirmAction } from "./kit";

type Media = Schemas["ChallengeMedia"];

export const MAX_MEDIA_BYTES = 25 * 1024 * 1024;
export const MAX_MEDIA = 10;
const TYPES = ["image/jpeg", "image/png", "image/webp", "video/mp4"];

function cookie(name: string): string {
  const found = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

/** POST the file as the body; XMLHttpRequest, as fetch cannot report an upload's progress. */
function send(challengeId: string, file: File, progress: (share: number) => void): Promise<Media> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/admin/challenges/${challengeId}/media`);
    xhr.setRequestHeader("Content-Type", file.type);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRF-Token", cookie("chorus_csrf"));
    xhr.setRequestHeader("Idempotency-Key", crypto.randomUUID?.() ?? `${Date.now()}-${Math.random()}`);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (event) => event.lengthComputable && progress(event.loaded / event.total);
    xhr.onerror = () => reject(new Error(t("consoleMediaEditor.uploadCutOff")));
    xhr.onload = () => {
      let body: { detail?: string } & Partial<Media> = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON: the status says enough */
      }
      if (xhr.status === 201) resolve(body as Media);
      else reject(new Error(body.detail || t("consoleMediaEditor.uploadRefused", { status: String(xhr.status) })));
    };
    xhr.send(file);
  });
}

/** A size in megabytes with one decimal, as the language writes it ("1.5", "1,5"). */
function megabytes(bytes: number): string {
  return formatNumber(bytes / 1_048_576, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

export function MediaEditor({ challengeId, media: initial }: { challengeId: string; media: Media[] }) {
  const [media, setMedia] = useState<Media[]>(initial);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState("");
  useEffect(() => setMedia(initial), [initial]);

  async function upload(input: HTMLInputElement) {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    setError("");
    if (!TYPES.includes(file.type)) return setError(t("consoleMediaEditor.wrongType", { name: file.name }));
    if (file.size > MAX_MEDIA_BYTES)
      return setError(t("consoleMediaEditor.tooBig", { name: file.name, size: megabytes(file.size) }));
    setProgress(0);
    try {
      const made = await send(challengeId, file, setProgress);
      setMedia((now) => [...now, made]);
      toast(t("consoleMediaEditor.added", { name: file.name }), "success");
    } catch (failure) {
      setError(t("consoleMediaEditor.failed", { name: file.name, message: (failure as Error).message }));
    } finally {
      setProgress(null);
    }
  }

  async function remove(item: Media) {
    const sure = await confirmAction({
      title: t("consoleMediaEditor.deleteTitle"),
      body: t("consoleMediaEditor.deleteBody"),
      confirmLabel: t("consoleMediaEditor.delete"),
      danger: true,
    });
    if (!sure) return;
    try {
      await api.del("/api/v1/admin/challenges/{challenge_id}/media/{media_id}", {
        path: { challenge_id: challengeId, media_id: item.id },
      });
      setMedia((now) => now.filter((m) => m.id !== item.id));
    } catch (failure) {
      toastFailure(failure, t("consoleMediaEditor.deleteFailed"));
    }
  }

  const full = media.length >= MAX_MEDIA;
  return (
    <section class="card post-preview" aria-labelledby="media-editor-title" data-testid="media-editor">
      <h3 class="small-title" id="media-editor-title">
        {t("consoleMediaEditor.title", { count: media.length, max: MAX_MEDIA })}
      </h3>
      <p class="muted small">{t("consoleMediaEditor.intro")}</p>
      <ul class="media-admin-list">
        {media.map((item) => (
          <li key={item.id} class="row between">
            {item.kind === "image" ? (
              <img
                src={item.url}
                width={96}
                height={Math.round(96 * ((item.height ?? 1) / (item.width ?? 1)))}
                alt=""
              />
            ) : (
              <video src={item.url} width={96} preload="metadata" muted />
            )}
            <span class="small">
              {t("consoleMediaEditor.mediaInfo", {
                kind: item.kind === "image" ? "image" : "video",
                dimensions: item.width && item.height ? "yes" : "no",
                width: String(item.width ?? ""),
                height: String(item.height ?? ""),
                size: megabytes(item.bytes),
              })}
            </span>
            <button type="button" class="button danger" onClick={() => remove(item)}>
              {t("consoleMediaEditor.delete")}
            </button>
          </li>
        ))}
      </ul>
      {progress !== null && (
        <progress max={1} value={progress} aria-label={t("consoleMediaEditor.uploading")}>
          {formatNumber(progress, { style: "percent", maximumFractionDigits: 0 })}
        </progress>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <label class="button secondary">
        {full ? t("consoleMediaEditor.full") : t("consoleMediaEditor.add")}
        <input
          class="visually-hidden"
          type="file"
          accept={TYPES.join(",")}
          disabled={full || progress !== null}
          onChange={(e) => upload(e.currentTarget)}
        />
      </label>
    </section>
  );
}
