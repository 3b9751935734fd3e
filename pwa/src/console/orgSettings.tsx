// Organization settings: the disclosure tag added to every suggested text (a post without it
// goes to review) and how long the text of a verified post is kept.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { Failure, FieldError, FormError, Skeleton, TopBar } from "../components";
import { check, type FieldErrors, useFormErrors } from "../forms";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import { Field, Section } from "./ui";

const FIELDS = ["disclosureTag", "postTextRetentionDays"] as const;

export function OrganizationAdmin() {
  const loaded = useLoad(() => api.get("/api/v1/admin/organization"), []);
  const current = loaded.data;
  const [tag, setTag] = useState("");
  const [days, setDays] = useState("");
  const form = useFormErrors("org-settings");
  const [busy, run] = useInFlight();

  useEffect(() => {
    if (!current) return;
    setTag(current.disclosureTag ?? "");
    setDays(String(current.postTextRetentionDays));
  }, [current]);

  async function save(event: Event) {
    event.preventDefault();
    const trimmed = tag.trim();
    const retention = Number(days);
    const checks: FieldErrors = {
      disclosureTag:
        trimmed && !/^#\w{1,30}$/u.test(trimmed)
          ? "The tag is a # and one word of at most 30 letters or digits, like #employee."
          : "",
      postTextRetentionDays:
        check.required(days, "how many days") ||
        (Number.isInteger(retention) && retention >= 1 && retention <= 3650
          ? ""
          : "Keep texts between 1 and 3650 days."),
    };
    if (!form.passes(checks)) return;
    await run(async () => {
      try {
        await api.put("/api/v1/admin/organization", {
          body: { disclosureTag: trimmed || null, postTextRetentionDays: retention },
        });
        toast("Settings saved.", "success");
        loaded.reload();
      } catch (failure) {
        form.fail(failure, "Could not save the settings.", FIELDS);
      }
    });
  }

  return (
    <main class="screen console">
      <TopBar title="Organization" back="/admin" />
      <Section title="Disclosure and retention">
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
            aria-label="Disclosure and retention"
          >
            <Field
              label="Disclosure tag"
              hint="Added to every suggested text; a verified post without it goes to review. Empty: none."
            >
              <input
                value={tag}
                maxLength={31}
                placeholder="#employee"
                onInput={(e) => {
                  setTag(e.currentTarget.value);
                  form.clear("disclosureTag");
                }}
                {...form.field("disclosureTag")}
              />
            </Field>
            <FieldError form={form} name="disclosureTag" />
            <Field label="Keep post texts for (days)" hint="The text read from a verified post is cleared after this.">
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
            <FormError error={form.errors.form} />
            <div class="row">
              <button class="button primary" type="submit" disabled={busy}>
                {busy ? "Saving…" : "Save settings"}
              </button>
            </div>
          </form>
        )}
      </Section>
    </main>
  );
}
