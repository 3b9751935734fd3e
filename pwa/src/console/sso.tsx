// Single sign-on: the organization's OpenID Connect provider (Entra ID, Okta, Google
// Workspace...). The client secret is write-only: the server never sends it back.
import { useEffect, useState } from "preact/hooks";
import { api, toastFailure } from "../api";
import { Failure, Skeleton, TopBar } from "../components";
import { t, tRich } from "../i18n";
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
        toast(t("consoleSso.saved"), "success");
      } catch (failure) {
        toastFailure(failure, t("consoleSso.saveFailed"));
      }
    });
  }

  if (current.error && !current.data) {
    return (
      <main class="screen console">
        <TopBar title={t("consoleSso.title")} back="/admin" />
        <Failure error={current.error} retry={current.reload} />
      </main>
    );
  }
  if (!current.data) {
    return (
      <main class="screen console">
        <TopBar title={t("consoleSso.title")} back="/admin" />
        <Skeleton />
      </main>
    );
  }
  const s = current.data;
  return (
    <main class="screen console">
      <TopBar title={t("consoleSso.title")} back="/admin" />
      <p class="muted">
        {tRich("consoleSso.intro", {
          scopes: <code>openid email profile</code>, // i18n-ignore: OpenID Connect scope names
        })}
      </p>
      <p>
        <code class="copyable">{s.redirectUri}</code>
      </p>
      <Section title={s.configured ? t("consoleSso.yourProvider") : t("consoleSso.setUp")}>
        <form class="stack card pad" onSubmit={save}>
          <Field label={t("consoleSso.issuer")} hint={t("consoleSso.issuerHint")}>
            <input
              type="url"
              required
              maxLength={500}
              value={issuer}
              onInput={(e) => setIssuer(e.currentTarget.value)}
            />
          </Field>
          <Field label={t("consoleSso.clientId")}>
            <input required maxLength={255} value={clientId} onInput={(e) => setClientId(e.currentTarget.value)} />
          </Field>
          <Field
            label={t("consoleSso.clientSecret")}
            hint={s.clientSecretSet ? t("consoleSso.secretStored") : t("consoleSso.secretShownOnce")}
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
          <Field label={t("consoleSso.domains")} hint={t("consoleSso.domainsHint")}>
            <input required value={domains} onInput={(e) => setDomains(e.currentTarget.value)} />
          </Field>
          <label class="row">
            <input
              type="checkbox"
              checked={autoProvision}
              onChange={(e) => setAutoProvision(e.currentTarget.checked)}
            />
            {t("consoleSso.autoProvision")}
          </label>
          <Field label={t("consoleSso.defaultTeam")}>
            <select value={defaultTeamId} onChange={(e) => setDefaultTeamId(e.currentTarget.value)}>
              <option value="">{t("consoleSso.noTeam")}</option>
              {(teams.data?.items ?? []).map((t) => (
                <option value={t.id}>{t.name}</option>
              ))}
            </select>
          </Field>
          <label class="row">
            <input type="checkbox" checked={required} onChange={(e) => setRequired(e.currentTarget.checked)} />
            {t("consoleSso.required")}
          </label>
          <button class="button primary" type="submit" disabled={busy}>
            {busy ? t("consoleSso.saving") : t("consoleSso.save")}
          </button>
        </form>
      </Section>
    </main>
  );
}
