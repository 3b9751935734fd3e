// Every word the app shows comes from here: t("namespace.key", values) reads the catalogs of
// src/locales (ICU MessageFormat: plurals, selects, numbers, dates), English underneath.
// Numbers, dates and relative times go through Intl in the same language.
//
// The language is the person's choice (Me → Your details), else the browser's. Each page
// installs the English of its surface (the app's ships in its first load: main.tsx); every
// other language is a chunk of its own fetched before the first render (and precached by the
// service worker once seen). `scripts/i18n-check.mjs` (in `make lint`)
// keeps every catalog complete and every visible string in code going through t().

import type { MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { IntlMessageFormat } from "intl-messageformat";
import type { ComponentChildren } from "preact";
import { createStore } from "./store";

export type Locale = "en" | "de" | "fr" | "es" | "pt-BR";
export type Surface = "app" | "console" | "wall";
type Catalog = Record<string, MessageFormatElement[]>;
type Loader = () => Promise<{ default: Catalog }>;

/** The languages Chorus speaks, each named in itself (the Me picker lists them in this order). */
export const LANGUAGES: readonly [Locale, string][] = [
  ["en", "English"], // i18n-ignore: a language's own name
  ["de", "Deutsch"], // i18n-ignore
  ["fr", "Français"], // i18n-ignore
  ["es", "Español"], // i18n-ignore
  ["pt-BR", "Português (Brasil)"], // i18n-ignore
];
const SUPPORTED = new Set<string>(LANGUAGES.map(([tag]) => tag));
const STORED = "chorus.language";

const LOADERS: Record<Surface, Record<Locale, Loader>> = {
  app: {
    en: () => import("virtual:catalog/app/en"),
    de: () => import("virtual:catalog/app/de"),
    fr: () => import("virtual:catalog/app/fr"),
    es: () => import("virtual:catalog/app/es"),
    "pt-BR": () => import("virtual:catalog/app/pt-BR"),
  },
  console: {
    en: () => import("virtual:catalog/console/en"),
    de: () => import("virtual:catalog/console/de"),
    fr: () => import("virtual:catalog/console/fr"),
    es: () => import("virtual:catalog/console/es"),
    "pt-BR": () => import("virtual:catalog/console/pt-BR"),
  },
  wall: {
    en: () => import("virtual:catalog/wall/en"),
    de: () => import("virtual:catalog/wall/de"),
    fr: () => import("virtual:catalog/wall/fr"),
    es: () => import("virtual:catalog/wall/es"),
    "pt-BR": () => import("virtual:catalog/wall/pt-BR"),
  },
};

/** The language on screen; components re-render when it changes (useStore(locale)). */
export const locale = createStore<Locale>("en");
const surfaces = new Set<Surface>();
let english: Catalog = {};
let messages: Catalog = english;
const formatters = new Map<string, IntlMessageFormat>();

/** A supported language for a BCP 47 tag: "de-AT" → "de", "pt" and "pt-PT" → "pt-BR", else null. */
export function matchLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  if (SUPPORTED.has(tag)) return tag as Locale;
  const base = tag.toLowerCase().split(/[-_]/)[0];
  if (base === "pt") return "pt-BR";
  return SUPPORTED.has(base) ? (base as Locale) : null;
}

/** The person's saved choice (remembered from their profile), else the browser's languages. */
export function preferredLocale(): Locale {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORED);
  } catch {
    // storage disabled: the browser's languages decide
  }
  const browser = typeof navigator === "undefined" ? [] : [...(navigator.languages ?? []), navigator.language];
  for (const tag of [saved, ...browser]) {
    const found = matchLocale(tag);
    if (found) return found;
  }
  return "en";
}

/** Remember (or forget, with null) the person's choice for the next visit's first render. */
export function rememberLocale(tag: string | null): void {
  try {
    if (tag) localStorage.setItem(STORED, tag);
    else localStorage.removeItem(STORED);
  } catch {
    // storage disabled: the browser's languages decide next time
  }
}

async function load(surface: Surface, language: Locale): Promise<Catalog> {
  return (await LOADERS[surface][language]()).default;
}

/** Switch the language: fetch every loaded surface's catalog, then re-render in it. */
export async function setLocale(language: Locale): Promise<void> {
  const wanted = [...surfaces];
  const [english_, chosen] = await Promise.all([
    Promise.all(wanted.map((s) => load(s, "en"))),
    Promise.all(wanted.map((s) => load(s, language))),
  ]);
  english = Object.assign({}, ...english_);
  messages = language === "en" ? english : Object.assign({}, ...chosen);
  formatters.clear();
  if (typeof document !== "undefined") {
    document.documentElement.lang = language;
    document.documentElement.dir = direction(language);
  }
  locale.set(language);
}

/** A page's own surface in English, bundled with it: usable before anything is fetched. */
export function installEnglish(surface: Surface, catalog: Catalog): void {
  surfaces.add(surface);
  english = { ...english, ...catalog };
  if (locale.get() === "en") messages = english;
  formatters.clear();
}

/** Add a surface's messages (the console's, the wall's) in the current language. */
export async function loadSurface(surface: Surface): Promise<void> {
  if (surfaces.has(surface)) return;
  const language = locale.get();
  const [en, chosen] = await Promise.all([load(surface, "en"), load(surface, language)]);
  surfaces.add(surface);
  english = { ...english, ...en };
  messages = language === "en" ? english : { ...messages, ...chosen };
  formatters.clear();
}

/** The writing direction of a language tag ("ar", "he", "fa", "ur" read right to left). */
export function direction(tag: string): "ltr" | "rtl" {
  return /^(ar|he|fa|ur)(-|$)/i.test(tag) ? "rtl" : "ltr";
}

/** The locale numbers and dates are written in: the browser's own variant of the language on
 * screen when it has one (en-GB dates for a British browser), else the language itself. */
export function intlLocale(): string {
  const language = locale.get();
  const browser = typeof navigator === "undefined" ? [] : (navigator.languages ?? [navigator.language]);
  const base = language.split("-")[0];
  const variant = browser.find((tag) => tag && tag.split("-")[0].toLowerCase() === base && tag.includes("-"));
  return language.includes("-") || !variant ? language : variant;
}

function formatter(key: string): IntlMessageFormat | null {
  let found = formatters.get(key);
  if (!found) {
    const ast = messages[key] ?? english[key];
    if (!ast) return null;
    found = new IntlMessageFormat(ast, intlLocale());
    formatters.set(key, found);
  }
  return found;
}

/** The message `key` in the current language, with its {placeholders} filled in. */
export function t(key: string, values?: Record<string, string | number | Date | null | undefined>): string {
  const found = formatter(key);
  if (!found) return key; // a missing key shows itself (the catalog check fails before a release)
  return String(found.format(values as Record<string, string | number | Date>));
}

/** A message with markup: `<b>…</b>` and other tags become what `values` maps them to. */
export function tRich(key: string, values: Record<string, unknown>): ComponentChildren {
  const found = formatter(key);
  if (!found) return key;
  return found.format(values as Record<string, string>) as ComponentChildren;
}

// -- Intl, in the language on screen ----------------------------------------------------------

export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(intlLocale(), options).format(value);
}

export function formatDate(value: string | number | Date, options?: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(intlLocale(), options ?? { dateStyle: "medium" }).format(new Date(value));
}

export function formatDateTime(value: string | number | Date): string {
  return formatDate(value, { dateStyle: "medium", timeStyle: "short" });
}

export function formatTime(value: string | number | Date): string {
  return formatDate(value, { hour: "2-digit", minute: "2-digit" });
}

/** "3 hours ago", "in 2 days": the nearest unit, in the language on screen. */
export function formatRelative(value: string | number | Date, now: number = Date.now()): string {
  const seconds = (new Date(value).getTime() - now) / 1000;
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["year", 31_536_000],
    ["month", 2_592_000],
    ["week", 604_800],
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
  ];
  const rtf = new Intl.RelativeTimeFormat(intlLocale(), { numeric: "auto" });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(Math.round(seconds), "second");
}

export function formatList(items: string[], type: "conjunction" | "disjunction" = "conjunction"): string {
  return new Intl.ListFormat(intlLocale(), { style: "long", type }).format(items);
}

/** The first day of the week where it is shown (1 Monday … 7 Sunday), by the language's region. */
export function firstDayOfWeek(): number {
  const tag = intlLocale();
  try {
    const info = new Intl.Locale(tag) as Intl.Locale & {
      getWeekInfo?: () => { firstDay: number };
      weekInfo?: { firstDay: number };
    };
    const week = info.getWeekInfo?.() ?? info.weekInfo;
    if (week) return week.firstDay;
  } catch {
    // an unusual tag: fall through
  }
  return /^(en-US|en-CA|pt-BR|es-MX|he|ja)/i.test(tag) || tag === "en" ? 7 : 1;
}
