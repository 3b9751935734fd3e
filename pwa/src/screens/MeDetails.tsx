// Me → "Your details": the name colleagues see, the time zone (quiet hours, "this week") and the
// language Chorus speaks (problem details, notifications, emails), saved with PATCH /api/v1/me.
import { useState } from "preact/hooks";
import { api, type Schemas } from "../api";
import { FieldError, FormError } from "../components";
import { check, useFormErrors } from "../forms";
import { LANGUAGES, t } from "../i18n";
import { useInFlight } from "../inflight";
import { followLanguage, loadMe } from "../session";
import { toast } from "../store";
import type { Me } from "../types";

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
        displayName:
          check.required(name, t("meDetails.nameWhat")) || check.maxLength(name, NAME_MAX, t("meDetails.nameWhat")),
        timezone: check.required(timezone, t("meDetails.zoneWhat")),
      })
    )
      return;
    const body: Schemas["MeUpdate"] = {};
    if (name !== who.displayName) body.displayName = name;
    if (timezone !== who.timezone) body.timezone = timezone;
    // "" follows the browser: saved as null
    if (language !== (who.language ?? "")) body.language = (language || null) as Schemas["MeUpdate"]["language"];
    if (Object.keys(body).length === 0) {
      toast(t("meDetails.nothingToSave"), "info");
      return;
    }
    await run(async () => {
      try {
        await api.patch("/api/v1/me", { body });
        // the app speaks the new language at once (loadMe follows it too, this is the explicit switch)
        if ("language" in body) await followLanguage(body.language ?? null);
        await loadMe();
        toast(t("meDetails.saved"), "success");
      } catch (failure) {
        form.fail(failure, t("meDetails.couldNotSave"), FIELDS);
      }
    });
  }

  return (
    <form class="card pad stack" id={form.formId} onSubmit={save} noValidate aria-label={t("meDetails.yourDetails")}>
      <label>
        {t("meDetails.yourName")}
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
        {t("meDetails.timeZone")}
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
        {t("meDetails.zoneHint")}
      </p>
      {browserZone && browserZone !== timezone && (
        <button type="button" class="linkish" onClick={() => setTimezone(browserZone)}>
          {t("meDetails.useDeviceZone", { zone: browserZone.replace(/_/g, " ") })}
        </button>
      )}
      <FieldError form={form} name="timezone" />
      <label>
        {t("meDetails.language")}
        <select
          value={language}
          onChange={(e) => {
            setLanguage(e.currentTarget.value);
            form.clear("language");
          }}
          {...form.field("language")}
        >
          <option value="">{t("meDetails.sameAsBrowser")}</option>
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
        {busy ? t("meDetails.saving") : t("meDetails.save")}
      </button>
    </form>
  );
}
