// Me → "Your details": the name colleagues see, the time zone (quiet hours, "this week") and the
// language Chorus speaks (problem details, notifications, emails), saved with PATCH /api/v1/me.
import { useState } from "preact/hooks";
import { api, type Schemas } from "../api";
import { FieldError, FormError } from "../components";
import { check, useFormErrors } from "../forms";
import { useInFlight } from "../inflight";
import { loadMe } from "../session";
import { toast } from "../store";
import type { Me } from "../types";

/** The languages the API speaks, each named in itself. */
export const LANGUAGES: [string, string][] = [
  ["en", "English"],
  ["fr", "Français"],
  ["de", "Deutsch"],
  ["es", "Español"],
  ["pt", "Português"],
  ["it", "Italiano"],
  ["nl", "Nederlands"],
];
const NAME_MAX = 80; // backend/orgs/schemas.py DisplayName
const FIELDS = ["displayName", "timezone", "language"] as const;

function timeZones(current: string): string[] {
  const listed = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const all = new Set([...listed, "UTC", current].filter(Boolean));
  return [...all].sort();
}

export function MeDetails({ who }: { who: Me }) {
  const [displayName, setDisplayName] = useState(who.displayName);
  const [timezone, setTimezone] = useState(who.timezone || "UTC");
  const [language, setLanguage] = useState(who.language ?? "");
  const [zones] = useState(() => timeZones(who.timezone));
  const form = useFormErrors("me-details");
  const [busy, run] = useInFlight();
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  async function save(event: Event) {
    event.preventDefault();
    const name = displayName.trim();
    if (
      !form.passes({
        displayName: check.required(name, "your name") || check.maxLength(name, NAME_MAX, "your name"),
        timezone: check.required(timezone, "a time zone"),
      })
    )
      return;
    const body: Schemas["MeUpdate"] = {};
    if (name !== who.displayName) body.displayName = name;
    if (timezone !== who.timezone) body.timezone = timezone;
    if (language && language !== (who.language ?? "")) body.language = language as Schemas["MeUpdate"]["language"];
    if (Object.keys(body).length === 0) {
      toast("Nothing to save — it's all up to date.", "info");
      return;
    }
    await run(async () => {
      try {
        await api.patch("/api/v1/me", { body });
        await loadMe();
        toast("Saved.", "success");
      } catch (failure) {
        form.fail(failure, "Could not save.", FIELDS);
      }
    });
  }

  return (
    <form class="card pad stack" id={form.formId} onSubmit={save} noValidate aria-label="Your details">
      <label>
        Your name
        <input
          autocomplete="name"
          required
          maxLength={NAME_MAX}
          value={displayName}
          onInput={(e) => {
            setDisplayName(e.currentTarget.value);
            form.clear("displayName");
          }}
          {...form.field("displayName")}
        />
      </label>
      <FieldError form={form} name="displayName" />
      <label>
        Time zone
        <select
          value={timezone}
          onChange={(e) => {
            setTimezone(e.currentTarget.value);
            form.clear("timezone");
          }}
          {...form.field("timezone", "me-zone-hint")}
        >
          {zones.map((zone) => (
            <option value={zone}>{zone.replace(/_/g, " ")}</option>
          ))}
        </select>
      </label>
      <p class="muted small" id="me-zone-hint">
        Weeks, streaks and quiet hours follow it.
      </p>
      {browserZone && browserZone !== timezone && (
        <button type="button" class="linkish" onClick={() => setTimezone(browserZone)}>
          Use this device's: {browserZone.replace(/_/g, " ")}
        </button>
      )}
      <FieldError form={form} name="timezone" />
      <label>
        Language
        <select
          value={language}
          onChange={(e) => {
            setLanguage(e.currentTarget.value);
            form.clear("language");
          }}
          {...form.field("language")}
        >
          <option value="">Same as this browser</option>
          {LANGUAGES.map(([tag, name]) => (
            <option value={tag} lang={tag}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <FieldError form={form} name="language" />
      <FormError error={form.errors.form} />
      <button class="button primary" type="submit" disabled={busy}>
        {busy ? "Saving…" : "Save my details"}
      </button>
    </form>
  );
}
