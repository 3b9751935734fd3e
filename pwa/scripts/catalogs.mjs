// The app's message catalogs: src/locales/<language>/<surface>/<namespace>.json, each a flat
// object of ICU messages. A key's full name is "<namespace>.<key>" (t("inbox.title")).
//
// Surfaces are what one screen needs at once: `app` (the employee app, in the first load),
// `console` (team leads and admins, with the console's chunk) and `wall` (the office wall).
// The Vite plugin serves `virtual:catalog/<surface>/<language>` as one module of ICU ASTs,
// parsed at build time, so the browser never ships the ICU parser (intl-messageformat runs on
// the parser-free build through the alias in vite.config.ts) and each language is its own chunk,
// fetched only by the people who read it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "@formatjs/icu-messageformat-parser";

// CHORUS_LOCALES_DIR: another tree of catalogs (the checker's own test, tests/test_pwa_i18n.py)
export const LOCALES_DIR = process.env.CHORUS_LOCALES_DIR ?? new URL("../src/locales/", import.meta.url).pathname;
export const LANGUAGES = ["en", "de", "fr", "es", "pt-BR"];
export const SURFACES = ["app", "console", "wall"];
const PREFIX = "virtual:catalog/";

/** One surface of one language: {"<namespace>.<key>": "ICU message"}, namespaces in name order. */
export function readCatalog(surface, language) {
  const dir = join(LOCALES_DIR, language, surface);
  const messages = {};
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  } catch {
    return { messages, files: [] };
  }
  for (const file of files) {
    const namespace = file.slice(0, -".json".length);
    const entries = JSON.parse(readFileSync(join(dir, file), "utf8"));
    for (const [key, message] of Object.entries(entries)) messages[`${namespace}.${key}`] = message;
  }
  return { messages, files: files.map((f) => join(dir, f)) };
}

/** Vite plugin: `import catalog from "virtual:catalog/app/de"` → {key: ICU AST}. */
export function catalogs() {
  return {
    name: "chorus-catalogs",
    resolveId(id) {
      if (id.startsWith(PREFIX)) return `\0${id}`;
      return null;
    },
    load(id) {
      if (!id.startsWith(`\0${PREFIX}`)) return null;
      const [surface, language] = id.slice(PREFIX.length + 1).split("/");
      if (!SURFACES.includes(surface) || !LANGUAGES.includes(language)) {
        throw new Error(`no catalog ${surface}/${language}`);
      }
      const { messages, files } = readCatalog(surface, language);
      for (const file of files) this.addWatchFile(file);
      const compiled = {};
      for (const [key, message] of Object.entries(messages)) {
        try {
          compiled[key] = parse(message, { requiresOtherClause: true });
        } catch (error) {
          throw new Error(`${language}/${surface} ${key}: ${error.message}`);
        }
      }
      return `export default ${JSON.stringify(compiled)};`;
    },
  };
}
