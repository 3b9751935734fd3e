// Single sign-on: the organization's OpenID Connect provider (Entra ID, Okta, Google
// Workspace...). The client secret is write-only: the server never sends it back.
import { useEffect, useState } from "preact/hooks";
import { api, toastFailure } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import { Field, Section } from "./ui";

export function SsoAdmin() {
  const current = useLoad(() => api.get("/api/v1/admin/sso"), []);
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);
  const [issuer, setIssuer] = useState("");
  const [clientId, setClientId] = useState("");
  const [clientSecret, setClientSecret] = useState("");
  const [domains, setDomains] = useState("");
  const [autoProvision, setAutoProvision] = useState(false);
  const [defaultTeamId, setDefaultTeamId] = useState("");
  const [required, setRequired] = useState(false);
  const [busy, run] = useInFlight();

  useEffect(() => {
    const s = current.data;
    if (!s) return;
    setIssuer(s.issuer);
    setClientId(s.clientId);
    setDomains(s.emailDomains.join(", "));
    setAutoProvision(s.autoProvision);
    setDefaultTeamId(s.defaultTeamId ?? "");
    setRequired(s.required);
  }, [current.data]);

  async function save(event: Event) {
    event.preventDefault();
    await run(async () => {
      try {
        const saved = await api.put("/api/v1/admin/sso", {
          body: {
            issuer: issuer.trim(),
            clientId: clientId.trim(),
            ...(clientSecret ? { clientSecret } : {}),
            emailDomains: domains
              .split(/[\s,]+/)
              .map((d) => d.trim().replace(/^@/, ""))
              .filter(Boolean),
            autoProvision,
            defaultTeamId: defaultTeamId || null,
            required,
          },
        });
        current.setData(saved);
        setClientSecret("");
        toast("Single sign-on saved.", "success");
      } catch (failure) {
        toastFailure(failure, "Could not save single sign-on.");
      }
    });
  }

  if (current.error && !current.data) {
    return (
      <main class="screen console">
        <TopBar title="Single sign-on" back="/admin" />
        <Failure error={current.error} retry={current.reload} />
      </main>
    );
  }
  if (!current.data) {
    return (
      <main class="screen console">
        <TopBar title="Single sign-on" back="/admin" />
        <Skeleton />
      </main>
    );
  }
  const s = current.data;
  return (
    <main class="screen console">
      <TopBar title="Single sign-on" back="/admin" />
      <p class="muted">
        People whose email is on one of your domains sign in through your identity provider (OpenID Connect). Register
        this redirect URI with it, with the scopes <code>openid email profile</code>:
      </p>
      <p>
        <code class="copyable">{s.redirectUri}</code>
      </p>
      <Section title={s.configured ? "Your provider" : "Set up your provider"}>
        <form class="stack card pad" onSubmit={save}>
          <Field label="Issuer URL" hint="e.g. https://login.microsoftonline.com/<tenant id>/v2.0">
            <input
              type="url"
              required
              maxLength={500}
              value={issuer}
              onInput={(e) => setIssuer(e.currentTarget.value)}
            />
          </Field>
          <Field label="Client ID">
            <input required maxLength={255} value={clientId} onInput={(e) => setClientId(e.currentTarget.value)} />
          </Field>
          <Field
            label="Client secret"
            hint={
              s.clientSecretSet ? "A secret is stored. Leave this empty to keep it." : "Shown once by your provider."
            }
          >
            <input
              type="password"
              autocomplete="off"
              required={!s.clientSecretSet}
              maxLength={2000}
              value={clientSecret}
              onInput={(e) => setClientSecret(e.currentTarget.value)}
            />
          </Field>
          <Field label="Email domains" hint="Comma-separated, e.g. example.com, example.co.uk">
            <input required value={domains} onInput={(e) => setDomains(e.currentTarget.value)} />
          </Field>
          <label class="row">
            <input
              type="checkbox"
              checked={autoProvision}
              onChange={(e) => setAutoProvision(e.currentTarget.checked)}
            />
            Create an account on first sign-in (as an employee)
          </label>
          <Field label="Team for new accounts">
            <select value={defaultTeamId} onChange={(e) => setDefaultTeamId(e.currentTarget.value)}>
              <option value="">No team</option>
              {(teams.data?.items ?? []).map((t) => (
                <option value={t.id}>{t.name}</option>
              ))}
            </select>
          </Field>
          <label class="row">
            <input type="checkbox" checked={required} onChange={(e) => setRequired(e.currentTarget.checked)} />
            Require single sign-on for these domains (admins keep their password as a way in)
          </label>
          <button class="button primary" type="submit" disabled={busy}>
            {busy ? "Saving…" : "Save"}
          </button>
        </form>
      </Section>
    </main>
  );
}
