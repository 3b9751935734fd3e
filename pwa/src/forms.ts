// Form errors in plain words, next to the field they are about: the problem detail's
// `errors: [{field, message}]` (its `detail` when it has none), checks made before sending, and
// the first error scrolled into view above the sticky bars (styles.css gives them scroll-margin).
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, failureText } from "./api";
import { formatNumber, t } from "./i18n";

/** Field name (as the API spells it, camelCase) → the sentence to show beside it. */
export type FieldErrors = Record<string, string>;

export interface FormErrors {
  /** Messages by field. */
  fields: FieldErrors;
  /** What belongs to no field of this form (shown once, above the submit button). */
  form: string;
}

const NONE: FormErrors = { fields: {}, form: "" };

/** The longest share text each network takes (the API's limits; the challenge editor counts them). */
export const SHARE_TEXT_LIMITS = { linkedin: 3000, x: 280, facebook: 5000, email: 2000, whatsapp: 2000 } as const;

/** The API's wire names end in the field ("body.postUrl", "shareText.x"): keep what the form knows. */
function fieldOf(raw: unknown, known: readonly string[]): string | null {
  if (typeof raw !== "string" || !raw) return null;
  if (known.includes(raw)) return raw;
  const tail = raw.split(".").slice(-1)[0];
  if (known.includes(tail)) return tail;
  return known.find((name) => raw.endsWith(`.${name}`)) ?? null;
}

/** The errors a failed request carries, split into the form's fields and the rest. */
export function errorsFrom(failure: unknown, fallback: string, known: readonly string[]): FormErrors {
  const fields: FieldErrors = {};
  const rest: string[] = [];
  if (failure instanceof ApiError) {
    const listed = Array.isArray(failure.problem.errors) ? (failure.problem.errors as unknown[]) : [];
    for (const item of listed) {
      if (!item || typeof item !== "object") continue;
      const entry = item as { field?: unknown; key?: unknown; message?: unknown };
      const message = typeof entry.message === "string" ? entry.message : "";
      if (!message) continue;
      const field = fieldOf(entry.field ?? entry.key, known);
      if (field && !fields[field]) fields[field] = message;
      else if (!field) rest.push(message);
    }
    if (Object.keys(fields).length === 0 && rest.length === 0) {
      // An API without the list yet: "postUrl: that is a company page" is still about postUrl.
      const prefixed = /^([A-Za-z][\w.]*):\s+(.+)$/s.exec(failure.detail);
      const field = prefixed ? fieldOf(prefixed[1], known) : null;
      if (field && prefixed) fields[field] = sentence(prefixed[2]);
      else rest.push(failure.detail);
    }
  } else {
    rest.push(failureText(failure, fallback));
  }
  return { fields, form: rest.join(" ") || (Object.keys(fields).length ? "" : fallback) };
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return trimmed ? trimmed[0].toUpperCase() + trimmed.slice(1) : trimmed;
}

/** Checks a form makes before sending: each returns the sentence to show, or "" when fine.
 *
 * `what` names the field as a noun phrase that can stand as a sentence's subject, lower-case
 * (it is capitalised where it starts the sentence): t("…") of "your name", "a title" (de
 * nominative "dein Name", "ein Titel"; fr "votre nom"; es "tu nombre"; pt-BR "seu nome"). */
export const check = {
  required(value: string, what: string): string {
    return value.trim() ? "" : t("forms.required", { what });
  },
  maxLength(value: string, max: number, what: string): string {
    const over = value.length - max;
    // numbers without grouping, as the limits are written elsewhere ("at most 2000")
    const plain = (n: number) => formatNumber(n, { useGrouping: false });
    return over > 0
      ? t("forms.tooLong", { what: sentence(what), count: over, over: plain(over), max: plain(max) })
      : "";
  },
  url(value: string, what: string): string {
    const text = value.trim();
    if (!text) return "";
    try {
      const url = new URL(text);
      return url.protocol === "https:" || url.protocol === "http:"
        ? ""
        : t("forms.urlScheme", { what: sentence(what) });
    } catch {
      return t("forms.urlFull", { what: sentence(what) });
    }
  },
  dateOrder(start: string, end: string): string {
    return start && end && new Date(end).getTime() <= new Date(start).getTime() ? t("forms.dateOrder") : "";
  },
};

/** Only the checks that found something. */
export function failed(found: FieldErrors): FieldErrors | null {
  const kept = Object.fromEntries(Object.entries(found).filter(([, message]) => message));
  return Object.keys(kept).length ? kept : null;
}

/** A form's errors: `show` them (checked before sending, or from a failed request), read each
 * field's props, and the first error scrolls into view once rendered. */
export function useFormErrors(formId: string) {
  const [errors, setErrors] = useState<FormErrors>(NONE);
  const pendingScroll = useRef(false);

  useEffect(() => {
    if (!pendingScroll.current) return;
    pendingScroll.current = false;
    const root = document.getElementById(formId);
    const first = root?.querySelector<HTMLElement>('[aria-invalid="true"], .form-error');
    if (!first) return;
    // scroll-margin (styles.css) keeps it clear of the top bar and the sticky bottom bars
    first.scrollIntoView({ block: "nearest", behavior: reducedMotion() ? "auto" : "smooth" });
    if (first.matches("input, textarea, select")) first.focus({ preventScroll: true });
  }, [errors, formId]);

  const show = useCallback((next: FormErrors) => {
    pendingScroll.current = Boolean(next.form || Object.keys(next.fields).length);
    setErrors(next);
  }, []);

  const clear = useCallback((field?: string) => {
    setErrors((current) => {
      if (field === undefined) return current === NONE ? current : NONE;
      if (!current.fields[field]) return current;
      const { [field]: _gone, ...rest } = current.fields;
      return { ...current, fields: rest };
    });
  }, []);

  /** `aria-invalid`/`aria-describedby` for a field's control, with a hint's id when it has one. */
  const field = (name: string, hint?: string) => {
    const message = errors.fields[name];
    const describedBy = [message ? errorId(formId, name) : "", hint ?? ""].filter(Boolean).join(" ");
    return {
      "aria-invalid": message ? ("true" as const) : undefined,
      "aria-describedby": describedBy || undefined,
    };
  };

  return {
    errors,
    show,
    clear,
    field,
    /** Show the checks' findings; true when there were none (the form may be sent). */
    passes(found: FieldErrors): boolean {
      const problems = failed(found);
      if (problems) show({ fields: problems, form: "" });
      else clear();
      return !problems;
    },
    /** Show a failed request's errors, each beside its field. */
    fail(failure: unknown, fallback: string, known: readonly string[]) {
      show(errorsFrom(failure, fallback, known));
    },
    formId,
  };
}

export type Form = ReturnType<typeof useFormErrors>;

export function errorId(formId: string, field: string): string {
  return `${formId}-${field}-error`;
}

function reducedMotion(): boolean {
  return window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
}
