import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, failureText } from "../api";
import { FieldError, FormError, NewPassword } from "../components";
import { check, useFormErrors } from "../forms";
import { t, tRich } from "../i18n";
import { useInFlight } from "../inflight";
import { navigate } from "../router";
import { loadMe } from "../session";
import { ForgotPassword } from "./PasswordReset";
import { SsoSignIn } from "./SsoSignIn";

interface OrgChoice {
  orgId: string;
  name: string;
}

/** `<b>…</b>` in a message: the words in bold. */
const strong = (chunks: ComponentChildren) => <strong>{chunks}</strong>;

export function SignIn() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [orgs, setOrgs] = useState<OrgChoice[] | null>(null);
  const [orgId, setOrgId] = useState<string>("");
  const [error, setError] = useState("");
  const [forgot, setForgot] = useState(false);
  const [busy, run] = useInFlight();
  const form = useFormErrors("sign-in-form");

  async function submit(event: Event) {
    event.preventDefault();
    const fine = form.passes({
      email: check.required(email, t("signIn.emailWhat")) || (email.includes("@") ? "" : t("signIn.emailNeedsAt")),
      password: check.required(password, t("signIn.passwordWhat")),
    });
    if (fine) await run(signIn);
  }

  if (forgot) {
    return (
      <main class="screen auth">
        <div class="auth-mark" aria-hidden="true" />
        <h1>{t("signIn.forgotTitle")}</h1>
        <ForgotPassword email={email} onDone={() => setForgot(false)} />
      </main>
    );
  }

  async function signIn() {
    setError("");
    try {
      await api.post("/api/v1/auth/login", { body: { email, password, ...(orgId ? { orgId } : {}) } });
      await loadMe(); // the screen asked for before signing in shows next
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 409 && Array.isArray(failure.problem.organizations)) {
        const choices = failure.problem.organizations as OrgChoice[];
        setOrgs(choices);
        setOrgId(choices[0]?.orgId ?? "");
        setError(t("signIn.pickOrganization"));
      } else {
        setError("");
        form.fail(failure, t("signIn.failed"), ["email", "password"]);
      }
    }
  }

  return (
    <main class="screen auth">
      <div class="auth-mark" aria-hidden="true" />
      <h1>{t("signIn.title")}</h1>
      <p class="muted">{t("signIn.tagline")}</p>
      <form onSubmit={submit} class="stack" id={form.formId} noValidate>
        <label>
          {t("signIn.email")}
          <input
            type="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => {
              setEmail(e.currentTarget.value);
              form.clear("email");
            }}
            {...form.field("email")}
          />
        </label>
        <FieldError form={form} name="email" />
        <label>
          {t("signIn.password")}
          <input
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => {
              setPassword(e.currentTarget.value);
              form.clear("password");
            }}
            {...form.field("password")}
          />
        </label>
        <FieldError form={form} name="password" />
        {orgs && (
          <label>
            {t("signIn.organization")}
            <select value={orgId} onChange={(e) => setOrgId(e.currentTarget.value)}>
              {orgs.map((o) => (
                <option value={o.orgId}>{o.name}</option>
              ))}
            </select>
          </label>
        )}
        <FormError error={error || form.errors.form} />
        <button class="button primary" type="submit" disabled={busy}>
          {busy ? t("signIn.signingIn") : t("signIn.signIn")}
        </button>
        <button class="linkish" type="button" onClick={() => setForgot(true)}>
          {t("signIn.forgot")}
        </button>
      </form>
      <SsoSignIn email={email} />
      <p class="muted small">{t("signIn.newHere")}</p>
    </main>
  );
}

export function AcceptInvite() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "";
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(token ? "" : t("signIn.inviteIncomplete"));
  const [invite, setInvite] = useState<{ organization: string; inviter?: string | null; email: string } | null>(null);
  const [busy, run] = useInFlight();
  const form = useFormErrors("join-form");

  useEffect(() => {
    if (!token) return;
    api
      .post("/api/v1/auth/invite-preview", { body: { token } })
      .then(setInvite)
      .catch((failure) => setError(failureText(failure, t("signIn.inviteBroken"))));
  }, [token]);

  async function submit(event: Event) {
    event.preventDefault();
    const fine = form.passes({
      displayName: check.required(displayName, t("signIn.nameWhat")),
      password: password.length < 10 ? t("signIn.passwordTooShort", { count: password.length }) : "",
    });
    if (fine) await run(join);
  }

  async function join() {
    setError("");
    try {
      await api.post("/api/v1/auth/accept-invite", { body: { token, displayName, password } });
      history.replaceState(null, "", "/accept-invite"); // the token leaves the address bar
      await loadMe();
      navigate("/welcome", true);
    } catch (failure) {
      form.fail(failure, t("signIn.joinFailed"), ["displayName", "password"]);
    }
  }

  return (
    <main class="screen auth">
      <div class="auth-mark" aria-hidden="true" />
      <h1>{invite ? t("signIn.joinOrganization", { organization: invite.organization }) : t("signIn.joinTeam")}</h1>
      {invite && (
        <p>
          {invite.inviter
            ? tRich("signIn.invitedBy", { inviter: invite.inviter, email: invite.email, b: strong })
            : tRich("signIn.invitedByAdmin", { email: invite.email, b: strong })}
        </p>
      )}
      <p class="muted">{t("signIn.joinIntro")}</p>
      <form onSubmit={submit} class="stack" id={form.formId} noValidate>
        <label>
          {t("signIn.name")}
          <input
            autocomplete="name"
            required
            maxLength={80}
            value={displayName}
            onInput={(e) => {
              setDisplayName(e.currentTarget.value);
              form.clear("displayName");
            }}
            {...form.field("displayName")}
          />
        </label>
        <FieldError form={form} name="displayName" />
        <NewPassword label={t("signIn.password")} value={password} onChange={setPassword} form={form} />
        <FormError error={error || form.errors.form} />
        <button class="button primary" type="submit" disabled={busy || !token}>
          {busy ? t("signIn.joining") : t("signIn.join")}
        </button>
      </form>
    </main>
  );
}

export function Welcome() {
  return (
    <main class="screen welcome">
      <h1>{t("signIn.howTitle")}</h1>
      <ol class="steps">
        <li>{tRich("signIn.stepPick", { b: strong })}</li>
        <li>{tRich("signIn.stepShare", { b: strong })}</li>
        <li>{tRich("signIn.stepEarn", { b: strong })}</li>
      </ol>
      <h2>{t("signIn.trackedTitle")}</h2>
      <ul class="plain">
        <li>{t("signIn.trackedClicks")}</li>
        <li>{t("signIn.trackedPost")}</li>
        <li>{t("signIn.trackedNever")}</li>
      </ul>
      <a class="button primary sticky-action" href="/">
        {t("signIn.start")}
      </a>
    </main>
  );
}
