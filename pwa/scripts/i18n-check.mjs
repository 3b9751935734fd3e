// The catalogs' completeness check (`make lint`): exits 1 with one line per problem.
//
// 1. Every language has exactly English's keys, per surface; every message parses as ICU and
//    uses the same placeholders and tags as the English one; a translation identical to the
//    English of a sentence (two or more words of four letters or more) is flagged as left in
//    English.
// 2. Every key the code asks for (t("ns.key") / tRich("ns.key")) exists in English, with a literal
//    key; every English key is used somewhere.
// 3. No visible text bypasses the catalogs: letters in JSX text, in string literals or templates
//    put in JSX, in text-bearing attributes and object properties (title, label, placeholder,
//    aria-label, alt, text, ...), or given to toast(), toastFailure(), confirm(), alert() or
//    new Error(). A line may opt out with a comment `i18n-ignore` on it or the line before
//    (brand names, a language's own name, examples that are not words).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parse, TYPE } from "@formatjs/icu-messageformat-parser";
import ts from "typescript";
import { LANGUAGES, readCatalog, SURFACES } from "./catalogs.mjs";

const SRC = process.env.CHORUS_I18N_SRC ?? new URL("../src/", import.meta.url).pathname;
const problems = [];
const say = (line) => problems.push(line);

// -- 1. the catalogs ---------------------------------------------------------------------------

function placeholders(elements, found = new Set()) {
  for (const el of elements) {
    if ("value" in el && el.type !== TYPE.literal && el.type !== TYPE.pound) found.add(`{${el.value}}`);
    if (el.type === TYPE.tag) {
      found.add(`<${el.value}>`);
      placeholders(el.children, found);
    }
    if (el.options) for (const option of Object.values(el.options)) placeholders(option.value, found);
  }
  return found;
}

const english = {};
for (const surface of SURFACES) {
  const { messages } = readCatalog(surface, "en");
  english[surface] = messages;
  for (const language of LANGUAGES) {
    const { messages: theirs } = readCatalog(surface, language);
    for (const key of Object.keys(messages)) {
      if (!(key in theirs)) say(`${language}/${surface}: missing ${key}`);
    }
    for (const [key, message] of Object.entries(theirs)) {
      if (!(key in messages)) {
        say(`${language}/${surface}: ${key} is not in the English catalog`);
        continue;
      }
      let ast;
      try {
        ast = parse(message, { requiresOtherClause: true });
      } catch (error) {
        say(`${language}/${surface}: ${key} is not valid ICU: ${error.message}`);
        continue;
      }
      if (language === "en") continue;
      const want = [...placeholders(parse(messages[key]))].sort().join(" ");
      const got = [...placeholders(ast)].sort().join(" ");
      if (want !== got) say(`${language}/${surface}: ${key} uses ${got || "nothing"}, English ${want || "nothing"}`);
      const words = messages[key].replace(/\{[^}]*\}/g, " ").match(/\p{L}{4,}/gu) ?? [];
      if (message === messages[key] && words.length >= 2) say(`${language}/${surface}: ${key} is still English`);
    }
  }
}

// -- 2 and 3. the code ------------------------------------------------------------------------

const TEXT_ATTRIBUTES = new Set([
  "title",
  "label",
  "placeholder",
  "alt",
  "aria-label",
  "aria-description",
  "aria-valuetext",
  "text",
  "hint",
  "caption",
  "heading",
  "description",
  "summary",
  "empty",
  "message",
  "confirm",
  "action",
  "legend",
]);
// the argument of each call that people read
const TEXT_CALLS = new Map([
  ["toast", 0],
  ["toastFailure", 1],
  ["failureText", 1],
  ["confirm", 0],
  ["alert", 0],
]);

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "locales" ? [] : files(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith(".d.ts") && name !== "sw.ts" ? [path] : [];
  });
}

const hasWords = (text) => /\p{L}{2,}/u.test(text);
const used = new Set();
let allEnglish = {};
for (const surface of SURFACES) {
  for (const key of Object.keys(english[surface])) {
    if (key in allEnglish) say(`en/${surface}: ${key} is also a key of another surface`);
  }
  allEnglish = { ...allEnglish, ...english[surface] };
}

for (const file of files(SRC)) {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const where = (node) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
    return { line: line + 1, ignored: /i18n-ignore/.test(lines[line]) || /i18n-ignore/.test(lines[line - 1] ?? "") };
  };
  const flag = (node, what) => {
    const at = where(node);
    if (!at.ignored) say(`${relative(SRC, file)}:${at.line}: ${what} bypasses the catalogs`);
  };
  const literalText = (node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(" ");
    return null;
  };
  // string literals reachable as the value of an expression (through ?:, ||, ??, &&, parentheses)
  const visibleLiterals = (node, found = []) => {
    if (!node) return found;
    const literal = literalText(node);
    if (literal !== null) {
      if (hasWords(literal)) found.push([node, literal]);
    } else if (ts.isConditionalExpression(node)) {
      visibleLiterals(node.whenTrue, found);
      visibleLiterals(node.whenFalse, found);
    } else if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) visibleLiterals(node.right, found);
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
        visibleLiterals(node.left, found);
        visibleLiterals(node.right, found);
      }
      if (op === ts.SyntaxKind.PlusToken) {
        visibleLiterals(node.left, found);
        visibleLiterals(node.right, found);
      }
    } else if (ts.isParenthesizedExpression(node)) {
      visibleLiterals(node.expression, found);
    }
    return found;
  };
  const visit = (node) => {
    if (ts.isJsxText(node) && hasWords(node.text)) flag(node, `text "${node.text.trim().slice(0, 40)}"`);
    if (ts.isJsxExpression(node) && node.expression && !ts.isJsxAttribute(node.parent)) {
      for (const [lit, value] of visibleLiterals(node.expression)) flag(lit, `"${value.slice(0, 40)}"`);
    }
    if (ts.isJsxAttribute(node) && TEXT_ATTRIBUTES.has(node.name.getText(source)) && node.initializer) {
      const init = node.initializer;
      const value = ts.isJsxExpression(init) ? init.expression : init;
      for (const [lit, text_] of visibleLiterals(value)) flag(lit, `${node.name.getText(source)}="${text_.slice(0, 40)}"`);
    }
    if (ts.isPropertyAssignment(node) && TEXT_ATTRIBUTES.has(node.name.getText(source).replace(/["']/g, ""))) {
      for (const [lit, value] of visibleLiterals(node.initializer)) flag(lit, `${node.name.getText(source)}: "${value.slice(0, 40)}"`);
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = node.expression.getText(source);
      const name = callee.split(".").pop();
      if (ts.isCallExpression(node) && (name === "t" || name === "tRich")) {
        const [key] = node.arguments;
        if (!key || !ts.isStringLiteral(key)) flag(node, `${name}() with a key that is not a literal`);
        else {
          used.add(key.text);
          if (!(key.text in allEnglish)) say(`${relative(SRC, file)}:${where(node).line}: no English message ${key.text}`);
        }
      } else if (TEXT_CALLS.has(name) || (ts.isNewExpression(node) && /Error$/.test(callee))) {
        const arg = node.arguments?.[TEXT_CALLS.get(name) ?? 0];
        for (const [lit, value] of visibleLiterals(arg)) flag(lit, `${callee}("${value.slice(0, 40)}")`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

for (const key of Object.keys(allEnglish)) {
  if (!used.has(key)) say(`en: ${key} is never used`);
}

if (problems.length) {
  for (const line of problems) console.error(line);
  console.error(`\n${problems.length} catalog problem(s): see pwa/src/locales/README.md`);
  process.exit(1);
}
console.log(`catalogs complete: ${Object.keys(allEnglish).length} messages × ${LANGUAGES.length} languages`);
