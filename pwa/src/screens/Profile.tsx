import { useEffect, useState } from "preact/hooks";
import { api, apiUrl, toastFailure } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
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

const CATEGORY_LABELS: Record<string, string> = {
  challenge: "New challenges for me",
  verification: "My shares verified",
  badge: "Badges I earn",
  level: "Level ups",
  team: "My team's goals",
  streak: "Streak reminders",
  leaderboard: "Leaderboard changes",
  recap: "Monday recap",
  digest: "Evening digest",
  nudge: "Friendly nudges from my team lead",
  community: "My stories and kudos",
  reward: "My rewards handed out",
};

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
        if (on) toast("Notifications are on. You can fine-tune them below.", "success");
      } catch (failure) {
        setState("off");
        toastFailure(failure, "Could not turn notifications on.");
      }
    });

  const turnOff = () =>
    run(async () => {
      await disablePush().catch(() => undefined);
      setState("off");
    });

  if (state === "unknown") return null;
  if (state === "unsupported")
    return <p class="muted small">This browser can't show notifications; your inbox still collects them.</p>;
  if (state === "blocked")
    return <p class="muted small">Notifications are blocked for Chorus in your browser's site settings.</p>;
  if (state === "on")
    return (
      <p class="row between">
        <span>Notifications are on for this device.</span>
        <button type="button" class="button secondary" disabled={busy} onClick={turnOff}>
          Turn off
        </button>
      </p>
    );
  if (state === "explain")
    return (
      <div class="card explain" role="dialog" aria-labelledby="notify-title">
        <h3 id="notify-title">Stay in the loop</h3>
        <p>
          We'll tell you when a new challenge opens and when your share is verified — at most a few times a day, never
          during your quiet hours.
        </p>
        <div class="row">
          <button type="button" class="button primary grow" disabled={busy} onClick={turnOn}>
            Turn on notifications
          </button>
          <button type="button" class="button secondary" onClick={() => setState("off")}>
            Not now
          </button>
        </div>
      </div>
    );
  return (
    <button type="button" class="button secondary" onClick={() => setState("explain")}>
      Notify me about new challenges
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
      toast(hide ? "You're hidden from the leaderboards." : "You're back on the leaderboards.", "success");
    } catch (failure) {
      toastFailure(failure, "Could not save.");
    }
  }

  async function savePrefs(next: Preferences) {
    prefs.setData(next);
    setSaving(true);
    try {
      prefs.setData(await api.put("/api/v1/me/notification-preferences", { body: next }));
    } catch (failure) {
      toastFailure(failure, "Could not save.");
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
      <TopBar title="Me" />
      <section class="card profile">
        <p class="big-name">{who.displayName}</p>
        <p class="muted">{who.email}</p>
        <p class="muted">
          {who.team ? who.team.name : "No team yet"} · {who.orgName}
        </p>
      </section>
      <a class="card pulse" href="/rewards">
        <span class="eyebrow">Rewards</span>
        <span class="card-title">{(who.balance ?? 0).toLocaleString()} points to spend</span>
        <span class="muted small">Spending never lowers your rank.</span>
      </a>

      {(kudos.data ?? []).length > 0 && (
        <>
          <h2 class="section-title">Kudos for you</h2>
          <ul class="cards">
            {kudos.data!.map((k) => (
              <li class="card pad" key={k.id}>
                <blockquote class="kudos-message prewrap">{k.message}</blockquote>
                <p class="muted small">
                  from {k.giver.displayName} · {new Date(k.createdAt).toLocaleDateString()}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}

      <MyPoints />

      <MyShares />

      <h2 class="section-title">Your details</h2>
      <MeDetails who={who} />

      <h2 class="section-title">Privacy</h2>
      <label class="switch card">
        <span>
          Hide me from leaderboards
          <span class="muted small block">
            Others see "Anonymous advocate" instead of your name. Your points still count for your team.
          </span>
        </span>
        <input
          type="checkbox"
          // biome-ignore lint/a11y/useAriaPropsForRole: native checkboxes carry their checked state; ARIA in HTML forbids aria-checked on them
          role="switch"
          checked={who.hideFromLeaderboards}
          onChange={(e) => setHidden(e.currentTarget.checked)}
        />
      </label>

      <h2 class="section-title">Notifications</h2>
      <div class="card">
        <NotifyMe />
      </div>
      {prefs.error && !p ? (
        <Failure error={prefs.error} retry={prefs.reload} />
      ) : !p ? (
        <Skeleton lines={4} />
      ) : (
        <fieldset class="card prefs" disabled={saving}>
          <legend class="visually-hidden">What to notify me about</legend>
          {Object.keys(p.categories).map((key) => (
            <label class="switch">
              <span>{CATEGORY_LABELS[key] ?? key}</span>
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
              Quiet from
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
                <option value="">Off</option>
                {Array.from({ length: 24 }, (_, h) => (
                  <option value={String(h)}>{`${String(h).padStart(2, "0")}:00`}</option>
                ))}
              </select>
            </label>
            <label class="grow">
              until
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
                <option value="">Off</option>
                {Array.from({ length: 24 }, (_, h) => (
                  <option value={String(h)}>{`${String(h).padStart(2, "0")}:00`}</option>
                ))}
              </select>
            </label>
          </div>
          <label>
            At most this many a day
            <select
              value={String(p.dailyCap)}
              onChange={(e) => savePrefs({ ...p, dailyCap: Number(e.currentTarget.value) })}
            >
              {[0, 1, 2, 3, 5, 10].map((n) => (
                <option value={String(n)}>{n === 0 ? "None (inbox only)" : String(n)}</option>
              ))}
            </select>
          </label>
        </fieldset>
      )}

      <p class="row">
        <a class="button secondary grow" href="/notifications">
          Open my inbox
        </a>
        <a class="button secondary grow" href="/welcome">
          How points work
        </a>
      </p>
      <a class="button secondary" href={apiUrl("/api/v1/me/export")} download="my-chorus-data.json">
        Download my data
      </a>
      <AccountSecurity />
      <button type="button" class="button danger" onClick={leave}>
        Sign out
      </button>
    </main>
  );
}
