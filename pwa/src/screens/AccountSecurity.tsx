// The profile's account section: a new password, the weekly email, and signing out everywhere.
import { useEffect, useState } from "preact/hooks";
import { api, failureText, toastFailure } from "../api";
import { FormError, NewPassword } from "../components";
import { t } from "../i18n";
import { useInFlight } from "../inflight";
import { navigate } from "../router";
import { loadMe } from "../session";
import { toast } from "../store";

export function AccountSecurity() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [error, setError] = useState("");
  const [digest, setDigest] = useState<boolean | null>(null);
  const [changing, runChange] = useInFlight();
  const [ending, runEnd] = useInFlight();
  const [saving, runSave] = useInFlight();

  useEffect(() => {
    api
      .get("/api/v1/me/email")
      .then((prefs) => setDigest(prefs.weeklyDigest))
      .catch(() => setDigest(null));
  }, []);

  async function change(event: Event) {
    event.preventDefault();
    await runChange(async () => {
      setError("");
      try {
        await api.post("/api/v1/me/password", { body: { currentPassword: current, newPassword: next } });
        setCurrent("");
        setNext("");
        toast(t("accountSecurity.passwordChanged"), "success");
      } catch (failure) {
        setError(failureText(failure, t("accountSecurity.couldNotChange")));
      }
    });
  }

  async function signOutEverywhere() {
    if (!confirm(t("accountSecurity.confirmSignOutAll"))) return;
    await runEnd(async () => {
      try {
        await api.post("/api/v1/me/sessions/revoke");
      } catch (failure) {
        toastFailure(failure, t("accountSecurity.couldNotSignOutAll"));
        return;
      }
      await loadMe().catch(() => undefined);
      navigate("/", true);
    });
  }

  async function saveDigest(weeklyDigest: boolean) {
    await runSave(async () => {
      try {
        setDigest((await api.put("/api/v1/me/email", { body: { weeklyDigest } })).weeklyDigest);
      } catch (failure) {
        toastFailure(failure, t("accountSecurity.couldNotSaveEmail"));
      }
    });
  }

  return (
    <section class="card stack" aria-labelledby="account-heading">
      <h2 id="account-heading">{t("accountSecurity.title")}</h2>
      {digest !== null && (
        <label class="row">
          <input
            type="checkbox"
            checked={digest}
            disabled={saving}
            onChange={(e) => saveDigest(e.currentTarget.checked)}
          />
          {t("accountSecurity.weeklySummary")}
        </label>
      )}
      <form onSubmit={change} class="stack">
        <label>
          {t("accountSecurity.currentPassword")}
          <input
            type="password"
            autocomplete="current-password"
            required
            maxLength={256}
            value={current}
            onInput={(e) => setCurrent(e.currentTarget.value)}
          />
        </label>
        <NewPassword value={next} onChange={setNext} />
        <FormError error={error} />
        <button class="button secondary" type="submit" disabled={changing}>
          {changing ? t("accountSecurity.changing") : t("accountSecurity.changePassword")}
        </button>
      </form>
      <button type="button" class="button secondary" disabled={ending} onClick={signOutEverywhere}>
        {ending ? t("accountSecurity.signingOut") : t("accountSecurity.signOutAll")}
      </button>
    </section>
  );
}
