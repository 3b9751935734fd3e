// "Continue with SSO" on the sign-in screen: offered once the typed email's domain signs in
// through its company's identity provider, and what went wrong when the provider sent the
// browser back to /signin?error=<reason>.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { t } from "../i18n";

/** The message for a `/signin?error=` reason ("" when there is none). */
export function ssoErrorText(reason: string | null): string {
  if (!reason) return "";
  switch (reason) {
    case "state":
      return t("ssoSignIn.errorState");
    case "expired":
      return t("ssoSignIn.errorExpired");
    case "not_provisioned":
      return t("ssoSignIn.errorNotProvisioned");
    case "deactivated":
      return t("ssoSignIn.errorDeactivated");
    case "domain":
      return t("ssoSignIn.errorDomain");
    case "unverified":
      return t("ssoSignIn.errorUnverified");
    case "provider":
      return t("ssoSignIn.errorProvider");
    default:
      return t("ssoSignIn.errorUntrusted");
  }
}

function looksLikeEmail(email: string): boolean {
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.trim());
}

export function SsoSignIn({ email }: { email: string }) {
  const [sso, setSso] = useState<{ sso: boolean; required: boolean } | null>(null);
  const [reason] = useState(() => new URLSearchParams(window.location.search).get("error"));

  useEffect(() => {
    if (!looksLikeEmail(email)) {
      setSso(null);
      return;
    }
    let live = true;
    // asked once typing pauses, not on every key
    const timer = window.setTimeout(() => {
      api.get("/api/v1/auth/sso/discover", { query: { email: email.trim() } }).then(
        (answer) => {
          if (live) setSso(answer);
        },
        () => {
          if (live) setSso(null);
        },
      );
    }, 300);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [email]);

  const message = ssoErrorText(reason);
  return (
    <div class="stack sso-sign-in">
      {message && (
        <p class="error" role="alert">
          {message}
        </p>
      )}
      {sso?.sso && (
        <>
          <p class="muted small">{sso.required ? t("ssoSignIn.required") : t("ssoSignIn.offered")}</p>
          <a
            class={sso.required ? "button primary" : "button secondary"}
            href={`/api/v1/auth/sso/start?email=${encodeURIComponent(email.trim())}`}
          >
            {t("ssoSignIn.continue")}
          </a>
        </>
      )}
    </div>
  );
}
