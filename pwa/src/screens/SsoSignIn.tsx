// "Continue with SSO" on the sign-in screen: offered once the typed email's domain signs in
// through its company's identity provider, and what went wrong when the provider sent the
// browser back to /signin?error=<reason>.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";

const REASONS: Record<string, string> = {
  state: "That sign-in was started in another tab or browser, or took too long. Please try again.",
  expired: "Your company's sign-in took too long to come back. Please try again.",
  not_provisioned: "You don't have a Chorus account yet. Ask your Chorus admin to invite you.",
  deactivated: "Your Chorus account is switched off. Ask your Chorus admin.",
  domain: "That account's email isn't one your organization signs in with on Chorus.",
  unverified: "Your company's sign-in didn't confirm your email address. Ask your IT team.",
  provider: "Your company's sign-in service didn't answer as expected. Please try again in a moment.",
};
const UNTRUSTED =
  "Your company's sign-in sent an answer Chorus could not trust, so you weren't signed in. Ask your IT team.";

/** The message for a `/signin?error=` reason ("" when there is none). */
export function ssoErrorText(reason: string | null): string {
  if (!reason) return "";
  return REASONS[reason] ?? UNTRUSTED;
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
          <p class="muted small">
            {sso.required
              ? "Your company signs you in to Chorus with its own sign-in: use it instead of a password."
              : "Your company lets you sign in with its own sign-in."}
          </p>
          <a
            class={sso.required ? "button primary" : "button secondary"}
            href={`/api/v1/auth/sso/start?email=${encodeURIComponent(email.trim())}`}
          >
            Continue with SSO
          </a>
        </>
      )}
    </div>
  );
}
