// Organization settings: the disclosure tag added to every suggested text (a post without it
// goes to review), how long the text of a verified post is kept, and the language Chorus writes
// in for people who chose none (notifications, emails, messages).
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { Failure, FieldError, FormError, Skeleton, TopBar } from "../components";
import { type FieldErrors, useFormErrors } from "../forms";
import { LANGUAGES, type Locale, t } from "../i18n";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import { Field, Section } from "./ui";

const FIELDS = ["disclosureTag", "postTextRetentionDays", "defaultLanguage"] as const;

export function OrganizationAdmin() {
  const loaded = useLoad(() => api.get("/api/v1/admin/organization"), []);
  const current = loaded.data;
  const [tag, setTag] = useState("");
  const [days, setDays] = useState("");
  const [language, setLanguage] = useState<Locale>("en");
  const form = useFormErrors("org-settings");
  const [busy, run] = useInFlight();

  useEffect(() => {
    if (!current) return;
    setTag(current.disclosureTag ?? "");
    setDays(String(current.postTextRetentionDays));
    setLanguage(current.defaultLanguage as Locale);
  }, [current]);

  async function save(event: Event) {
    event.preventDefault();
    const trimmed = tag.trim();
    const retention = Number(days);
    const checks: FieldErrors = {
      disclosureTag: trimmed && !/^#\w{1,30}$/u.test(trimmed) ? t("consoleOrgSettings.tagInvalid") : "",
      postTextRetentionDays: !days.trim()
        ? t("consoleOrgSettings.daysRequired")
        : Number.isInteger(retention) && retention >= 1 && retention <= 3650
          ? ""
          : t("consoleOrgSettings.daysRange", { min: 1, max: 3650 }),
    };
    if (!form.passes(checks)) return;
    await run(async () => {
      try {
        await api.put("/api/v1/admin/organization", {
          body: { disclosureTag: trimmed || null, postTextRetentionDays: retention, defaultLanguage: language },
        });
        toast(t("consoleOrgSettings.saved"), "success");
        loaded.reload();
      } catch (failure) {
        form.fail(failure, t("consoleOrgSettings.saveFailed"), FIELDS);
      }
    });
  }

  return (
    <main class="screen console">
      <TopBar title={t("consoleOrgSettings.title")} back="/admin" />
      <Section title={t("consoleOrgSettings.section")}>
        {loaded.error && !current ? (
          <Failure error={loaded.error} retry={loaded.reload} />
        ) : !current ? (
          <Skeleton lines={3} />
        ) : (
          <form
            class="stack card pad"
            id={form.formId}
            onSubmit={save}
            noValidate
            aria-label={t("consoleOrgSettings.section")}
          >
            <Field label={t("consoleOrgSettings.tag")} hint={t("consoleOrgSettings.tagHint")}>
              <input
                value={tag}
                maxLength={31}
                placeholder={t("consoleOrgSettings.tagPlaceholder")}
                onInput={(e) => {
                  setTag(e.currentTarget.value);
                  form.clear("disclosureTag");
                }}
                {...form.field("disclosureTag")}
              />
            </Field>
            <FieldError form={form} name="disclosureTag" />
            <Field label={t("consoleOrgSettings.retention")} hint={t("consoleOrgSettings.retentionHint")}>
              <input
                type="number"
                inputMode="numeric"
                min={1}
                max={3650}
                value={days}
                onInput={(e) => {
                  setDays(e.currentTarget.value);
                  form.clear("postTextRetentionDays");
                }}
                {...form.field("postTextRetentionDays")}
              />
            </Field>
            <FieldError form={form} name="postTextRetentionDays" />
            <Field label={t("consoleOrgSettings.language")} hint={t("consoleOrgSettings.languageHint")}>
              <select
                value={language}
                onChange={(e) => {
                  setLanguage(e.currentTarget.value as Locale);
                  form.clear("defaultLanguage");
                }}
                {...form.field("defaultLanguage")}
              >
                {LANGUAGES.map(([tag_, name]) => (
                  <option key={tag_} value={tag_} lang={tag_}>
                    {name}
                  </option>
                ))}
              </select>
            </Field>
            <FieldError form={form} name="defaultLanguage" />
            <FormError error={form.errors.form} />
            <div class="row">
              <button class="button primary" type="submit" disabled={busy}>
                {busy ? t("consoleOrgSettings.saving") : t("consoleOrgSettings.save")}
              </button>
            </div>
          </form>
        )}
      </Section>
    </main>
  );
}
