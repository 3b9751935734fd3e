import { useEffect, useState } from "preact/hooks";
import { ApiError, api, failureText } from "../api";
import { FieldError, FormError, NewPassword } from "../components";
import { check, useFormErrors } from "../forms";
import { useInFlight } from "../inflight";
import { navigate } from "../router";
import { loadMe } from "../session";
import { ForgotPassword } from "./PasswordReset";
import { SsoSignIn } from "./SsoSignIn";

interface OrgChoice {
  orgId: string;
  name: string;
}

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
      email: check.required(email, "your work email") || (email.includes("@") ? "" : "That email needs an @."),
      password: check.required(password, "your password"),
    });
    if (fine) await run(signIn);
  }

  if (forgot) {
    return (
      <main class="screen auth">
        <div class="auth-mark" aria-hidden="true" />
        <h1>Forgot your password?</h1>
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
        setError("This email belongs to several organizations: pick one.");
      } else {
        setError("");
        form.fail(failure, "Could not sign in.", ["email", "password"]);
      }
    }
  }

  return (
    <main class="screen auth">
      <div class="auth-mark" aria-hidden="true" />
      <h1>Sign in to Chorus</h1>
      <p class="muted">Share what your team is proud of — and see it count.</p>
      <form onSubmit={submit} class="stack" id={form.formId} noValidate>
        <label>
          Work email
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
          Password
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
            Organization
            <select value={orgId} onChange={(e) => setOrgId(e.currentTarget.value)}>
              {orgs.map((o) => (
                <option value={o.orgId}>{o.name}</option>
              ))}
            </select>
          </label>
        )}
        <FormError error={error || form.errors.form} />
        <button class="button primary" type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <button class="linkish" type="button" onClick={() => setForgot(true)}>
          Forgot password?
        </button>
      </form>
      <SsoSignIn email={email} />
      <p class="muted small">New here? Open the invite link your admin sent you.</p>
    </main>
  );
}

export function AcceptInvite() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "";
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(
    token ? "" : "This invite link is incomplete: open the whole link from your invite.",
  );
  const [invite, setInvite] = useState<{ organization: string; inviter?: string | null; email: string } | null>(null);
  const [busy, run] = useInFlight();
  const form = useFormErrors("join-form");

  useEffect(() => {
    if (!token) return;
    api
      .post("/api/v1/auth/invite-preview", { body: { token } })
      .then(setInvite)
      .catch((failure) => setError(failureText(failure, "This invite link does not work.")));
  }, [token]);

  async function submit(event: Event) {
    event.preventDefault();
    const fine = form.passes({
      displayName: check.required(displayName, "your name"),
      password:
        password.length < 10 ? `Please choose a password of at least 10 characters (${password.length} so far).` : "",
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
      form.fail(failure, "Could not accept the invite.", ["displayName", "password"]);
    }
  }

  return (
    <main class="screen auth">
      <div class="auth-mark" aria-hidden="true" />
      <h1>{invite ? `Join ${invite.organization} on Chorus` : "Join your team on Chorus"}</h1>
      {invite && (
        <p>
          {invite.inviter ?? "Your admin"} invited <strong>{invite.email}</strong>.
        </p>
      )}
      <p class="muted">Pick the name your colleagues will see and a password.</p>
      <form onSubmit={submit} class="stack" id={form.formId} noValidate>
        <label>
          Your name
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
        <NewPassword label="Password" value={password} onChange={setPassword} form={form} />
        <FormError error={error || form.errors.form} />
        <button class="button primary" type="submit" disabled={busy || !token}>
          {busy ? "Joining…" : "Join"}
        </button>
      </form>
    </main>
  );
}

export function Welcome() {
  return (
    <main class="screen welcome">
      <h1>How Chorus works</h1>
      <ol class="steps">
        <li>
          <strong>Pick a challenge.</strong> Each one is a piece of news or a story worth sharing, with points on it.
        </li>
        <li>
          <strong>Share it your way.</strong> Post on your network with your personal link, then paste your post's link
          back here.
        </li>
        <li>
          <strong>Earn points and badges.</strong> Chorus checks the post is there and adds your points — your team
          climbs too.
        </li>
      </ol>
      <h2>What is and isn't tracked</h2>
      <ul class="plain">
        <li>We count clicks on your Chorus link — never who clicked, and never their IP address.</li>
        <li>We look at the post you paste, only to check it's there and has the link.</li>
        <li>We never post for you or read your feed. You can hide from the leaderboards any time.</li>
      </ul>
      <a class="button primary sticky-action" href="/">
        Show me my first challenge
      </a>
    </main>
  );
}
