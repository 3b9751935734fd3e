import { useEffect, useState } from "preact/hooks";
import { api, apiUrl, toastFailure } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
import { formatDate, t } from "../i18n";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { currentSubscription, disablePush, enablePush, pushSupported } from "../push";
import { navigate } from "../router";
import { loadMe, me, signOut } from "../session";
import { toast, useStore } from "../store";
import type { Preferences } from "../types";
import { AccountSecurity } from "./AccountSecurity";
import { MeDetails } from "./MeDetails";
import { MyPoints } from "./MyPoints";
import { MyShares } from "./MyShares";

function categoryLabel(category: string): string {
  switch (category) {
    case "challenge":
      return t("profile.categoryChallenge");
    case "verification":
      return t("profile.categoryVerification");
    case "badge":
      return t("profile.categoryBadge");
    case "level":
      return t("profile.categoryLevel");
    case "team":
      return t("profile.categoryTeam");
    case "streak":
      return t("profile.categoryStreak");
    case "leaderboard":
      return t("profile.categoryLeaderboard");
    case "recap":
      return t("profile.categoryRecap");
    case "digest":
      return t("profile.categoryDigest");
    case "nudge":
      return t("profile.categoryNudge");
    case "community":
      return t("profile.categoryCommunity");
    case "reward":
      return t("profile.categoryReward");
    default:
      return category;
  }
}

/** "Notify me about new challenges": explains first, asks the browser only after the tap. */
export function NotifyMe() {
  const [state, setState] = useState<"unknown" | "off" | "explain" | "on" | "blocked" | "unsupported">("unknown");
  useEffect(() => {
    if (!pushSupported()) return setState("unsupported");
    if (Notification.permission === "denied") return setState("blocked");
    currentSubscription().then(
      (sub) => setState(sub && Notification.permission === "granted" ? "on" : "off"),
      () => setState("off"),
    );
  }, []);

  const [busy, run] = useInFlight();

  const turnOn = () =>
    run(async () => {
      try {
        const on = await enablePush();
        setState(on ? "on" : Notification.permission === "denied" ? "blocked" : "off");
        if (on) toast(t("profile.notificationsOnToast"), "success");
      } catch (failure) {
        setState("off");
        toastFailure(failure, t("profile.couldNotTurnOn"));
      }
    });

  const turnOff = () =>
    run(async () => {
      await disablePush().catch(() => undefined);
      setState("off");
    });

  if (state === "unknown") return null;
  if (state === "unsupported") return <p class="muted small">{t("profile.unsupported")}</p>;
  if (state === "blocked") return <p class="muted small">{t("profile.blocked")}</p>;
  if (state === "on")
    return (
      <p class="row between">
        <span>{t("profile.onForDevice")}</span>
        <button type="button" class="button secondary" disabled={busy} onClick={turnOff}>
          {t("profile.turnOff")}
        </button>
      </p>
    );
  if (state === "explain")
    return (
      <div class="card explain" role="dialog" aria-labelledby="notify-title">
        <h3 id="notify-title">{t("profile.stayInLoop")}</h3>
        <p>{t("profile.explain")}</p>
        <div class="row">
          <button type="button" class="button primary grow" disabled={busy} onClick={turnOn}>
            {t("profile.turnOn")}
          </button>
          <button type="button" class="button secondary" onClick={() => setState("off")}>
            {t("profile.notNow")}
          </button>
        </div>
      </div>
    );
  return (
    <button type="button" class="button secondary" onClick={() => setState("explain")}>
      {t("profile.notifyMe")}
    </button>
  );
}

export function Profile() {
  const who = useStore(me)!;
  const prefs = useLoad(() => api.get("/api/v1/me/notification-preferences"), []);
  const [saving, setSaving] = useState(false);
  const kudos = useLoad(() => api.get("/api/v1/users/{user_id}/kudos", { path: { user_id: who.id } }), [who.id]);

  async function setHidden(hide: boolean) {
    try {
      await api.patch("/api/v1/me", { body: { hideFromLeaderboards: hide } });
      await loadMe();
      toast(hide ? t("profile.hiddenToast") : t("profile.shownToast"), "success");
    } catch (failure) {
      toastFailure(failure, t("profile.couldNotSave"));
    }
  }

  async function savePrefs(next: Preferences) {
    prefs.setData(next);
    setSaving(true);
    try {
      prefs.setData(await api.put("/api/v1/me/notification-preferences", { body: next }));
    } catch (failure) {
      toastFailure(failure, t("profile.couldNotSave"));
      prefs.reload();
    } finally {
      setSaving(false);
    }
  }

  async function leave() {
    await signOut();
    navigate("/", true);
  }

  const p = prefs.data;
  const hour = (value: number | null) => (value === null ? "" : String(value));
  return (
    <main class="screen">
      <TopBar title={t("profile.title")} />
      <section class="card profile">
        <p class="big-name">{who.displayName}</p>
        <p class="muted">{who.email}</p>
        <p class="muted">
          {who.team ? who.team.name : t("profile.noTeam")} · {who.orgName}
        </p>
      </section>
      <a class="card pulse" href="/rewards">
        <span class="eyebrow">{t("profile.rewards")}</span>
        <span class="card-title">{t("profile.pointsToSpend", { count: who.balance ?? 0 })}</span>
        <span class="muted small">{t("profile.spendingNote")}</span>
      </a>

      {(kudos.data ?? []).length > 0 && (
        <>
          <h2 class="section-title">{t("profile.kudosForYou")}</h2>
          <ul class="cards">
            {kudos.data!.map((k) => (
              <li class="card pad" key={k.id}>
                <blockquote class="kudos-message prewrap">{k.message}</blockquote>
                <p class="muted small">
                  {t("profile.kudosFrom", { name: k.giver.displayName, date: formatDate(k.createdAt, {}) })}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}

      <MyPoints />

      <MyShares />

      <h2 class="section-title">{t("profile.yourDetails")}</h2>
      <MeDetails who={who} />

      <h2 class="section-title">{t("profile.privacy")}</h2>
      <label class="switch card">
        <span>
          {t("profile.hideMe")}
          <span class="muted small block">{t("profile.hideMeNote")}</span>
        </span>
        <input
          type="checkbox"
          // biome-ignore lint/a11y/useAriaPropsForRole: native checkboxes carry their checked state; ARIA in HTML forbids aria-checked on them
          role="switch"
          checked={who.hideFromLeaderboards}
          onChange={(e) => setHidden(e.currentTarget.checked)}
        />
      </label>

      <h2 class="section-title">{t("profile.notifications")}</h2>
      <div class="card">
        <NotifyMe />
      </div>
      {prefs.error && !p ? (
        <Failure error={prefs.error} retry={prefs.reload} />
      ) : !p ? (
        <Skeleton lines={4} />
      ) : (
        <fieldset class="card prefs" disabled={saving}>
          <legend class="visually-hidden">{t("profile.whatToNotify")}</legend>
          {Object.keys(p.categories).map((key) => (
            <label class="switch">
              <span>{categoryLabel(key)}</span>
              <input
                type="checkbox"
                // biome-ignore lint/a11y/useAriaPropsForRole: native checkboxes carry their checked state; ARIA in HTML forbids aria-checked on them
                role="switch"
                checked={p.categories[key]}
                onChange={(e) => savePrefs({ ...p, categories: { ...p.categories, [key]: e.currentTarget.checked } })}
              />
            </label>
          ))}
          <div class="row">
            <label class="grow">
              {t("profile.quietFrom")}
              <select
                value={hour(p.quietStart ?? null)}
                onChange={(e) =>
                  savePrefs(
                    e.currentTarget.value === ""
                      ? { ...p, quietStart: null, quietEnd: null }
                      : { ...p, quietStart: Number(e.currentTarget.value), quietEnd: p.quietEnd ?? 7 },
                  )
                }
              >
                <option value="">{t("profile.off")}</option>
                {Array.from({ length: 24 }, (_, h) => (
                  <option value={String(h)}>{`${String(h).padStart(2, "0")}:00`}</option>
                ))}
              </select>
            </label>
            <label class="grow">
              {t("profile.quietUntil")}
              <select
                value={hour(p.quietEnd ?? null)}
                onChange={(e) =>
                  savePrefs(
                    e.currentTarget.value === ""
                      ? { ...p, quietStart: null, quietEnd: null }
                      : { ...p, quietStart: p.quietStart ?? 22, quietEnd: Number(e.currentTarget.value) },
                  )
                }
              >
                <option value="">{t("profile.off")}</option>
                {Array.from({ length: 24 }, (_, h) => (
                  <option value={String(h)}>{`${String(h).padStart(2, "0")}:00`}</option>
                ))}
              </select>
            </label>
          </div>
          <label>
            {t("profile.dailyCap")}
            <select
              value={String(p.dailyCap)}
              onChange={(e) => savePrefs({ ...p, dailyCap: Number(e.currentTarget.value) })}
            >
              {[0, 1, 2, 3, 5, 10].map((n) => (
                <option value={String(n)}>{n === 0 ? t("profile.capNone") : String(n)}</option>
              ))}
            </select>
          </label>
        </fieldset>
      )}

      <p class="row">
        <a class="button secondary grow" href="/notifications">
          {t("profile.openInbox")}
        </a>
        <a class="button secondary grow" href="/welcome">
          {t("profile.howPointsWork")}
        </a>
      </p>
      <a class="button secondary" href={apiUrl("/api/v1/me/export")} download="my-chorus-data.json">
        {t("profile.downloadData")}
      </a>
      <AccountSecurity />
      <button type="button" class="button danger" onClick={leave}>
        {t("profile.signOut")}
      </button>
    </main>
  );
}
