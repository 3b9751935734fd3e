// Forgotten passwords: ask for a link by email, and the /reset page the link opens.
import { useState } from "preact/hooks";
import { api, failureText } from "../api";
import { FormError, NewPassword } from "../components";
import { t } from "../i18n";
import { useInFlight } from "../inflight";
import { navigate } from "../router";
import { loadMe } from "../session";

/** "Forgot password?" on the sign-in screen: the same answer whether or not the email has an account. */
export function ForgotPassword({ email: initial, onDone }: { email: string; onDone: () => void }) {
  const [email, setEmail] = useState(initial);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState("");
  const [busy, run] = useInFlight();

  async function submit(event: Event) {
    event.preventDefault();
    await run(async () => {
      setError("");
      try {
        await api.post("/api/v1/auth/password/forgot", { body: { email } });
        setSent(true);
      } catch (failure) {
        setError(failureText(failure, t("passwordReset.askFailed")));
      }
    });
  }

  if (sent) {
    return (
      <div class="stack" role="status">
        <p>{t("passwordReset.sent", { email })}</p>
        <button class="button" type="button" onClick={onDone}>
          {t("passwordReset.back")}
        </button>
      </div>
    );
  }
  return (
    <form onSubmit={submit} class="stack">
      <p class="muted">{t("passwordReset.intro")}</p>
      <label>
        {t("passwordReset.email")}
        <input
          type="email"
          autocomplete="username"
          required
          maxLength={254}
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button class="button primary" type="submit" disabled={busy}>
        {busy ? t("passwordReset.sending") : t("passwordReset.send")}
      </button>
      <button class="button" type="button" onClick={onDone}>
        {t("passwordReset.back")}
      </button>
    </form>
  );
}

/** `/reset#token=…`: the link from the email. The token stays in the fragment, never sent to a server log. */
export function ResetPassword() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "";
  const [password, setPassword] = useState("");
  const [error, setError] = useState(token ? "" : t("passwordReset.incomplete"));
  const [busy, run] = useInFlight();

  async function submit(event: Event) {
    event.preventDefault();
    await run(async () => {
      setError("");
      try {
        await api.post("/api/v1/auth/password/reset", { body: { token, password } });
        history.replaceState(null, "", "/reset"); // the spent token leaves the address bar
        await loadMe();
        navigate("/", true);
      } catch (failure) {
        setError(failureText(failure, t("passwordReset.setFailed")));
      }
    });
  }

  return (
    <main class="screen auth">
      <div class="auth-mark" aria-hidden="true" />
      <h1>{t("passwordReset.title")}</h1>
      <p class="muted">{t("passwordReset.signedOutElsewhere")}</p>
      <form onSubmit={submit} class="stack">
        <NewPassword value={password} onChange={setPassword} />
        <FormError error={error} />
        <button class="button primary" type="submit" disabled={busy || !token}>
          {busy ? t("passwordReset.saving") : t("passwordReset.save")}
        </button>
      </form>
      <p class="muted small">
        <a href="/">{t("passwordReset.back")}</a>
      </p>
    </main>
  );
}
