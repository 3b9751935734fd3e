"""The server catalogs' completeness check (`make lint`), and their upkeep.

`python -m backend.i18n_check` exits 1 with one line per problem:

1. every `msg(...)` / `msg_n(...)` of backend/ has a translation in every language, in the `.po`
   file of its domain (`backend/locales/<language>/LC_MESSAGES/<domain>.po`, the domain being the
   top package: `orgs`, `challenges`, ...; `core` and `http` for what every domain shares), not
   fuzzy, with the same placeholders; no catalog keeps a message the code no longer says;
2. no sentence for people bypasses them: a DomainError (or subclass) raised with a literal or an
   f-string, or `notify(...)` given a literal title or body.

`python -m backend.i18n_check --update` adds the code's new messages to every language's `.po`
(empty, for a translator) and drops the ones the code no longer says; `--domain=orgs` (repeatable)
updates only those domains' files.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from backend.core.i18n import ENGLISH, LANGUAGES, LOCALES_DIR, placeholders

BACKEND = Path(__file__).resolve().parent
ROOT = BACKEND.parent
SOURCES = [BACKEND, ROOT / "workers"]
KEYWORDS = {"msg": None, "msg_n": (1, 2), "msg_c": ((1, "c"), 2)}
ERROR_BASES = {"DomainError"}
STABLE_DATE = datetime(2026, 12, 1, tzinfo=UTC)  # .po headers do not change with every update


def python_files() -> list[Path]:
    return sorted(p for base in SOURCES for p in base.rglob("*.py") if "locales" not in p.parts)


def domain_of(path: Path) -> str:
    """backend/orgs/service.py → orgs; backend/app.py → core; workers/tasks.py → workers."""
    relative = path.relative_to(ROOT).parts
    if relative[0] == "workers":
        return "workers"
    return relative[1] if len(relative) > 2 else "core"


Said = dict[str, dict[str, tuple[str, str | None, str]]]  # domain → msgid → (id, plural, where)


def said_in_code() -> Said:
    found: Said = defaultdict(dict)
    for path in python_files():
        for lineno, message, _comments, context in extract_from_file(
            "python", path, keywords=KEYWORDS
        ):
            singular, plural = (
                (message[0], message[1])
                if isinstance(message, tuple)
                else (
                    message,
                    None,
                )
            )
            if not singular:
                continue
            where = f"{path.relative_to(ROOT)}:{lineno}"
            key = f"{context}\x04{singular}" if context else singular
            found[domain_of(path)].setdefault(key, (singular, plural, where))
    return found


def po_path(language: str, domain: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def read(language: str, domain: str) -> Catalog | None:
    path = po_path(language, domain)
    if not path.exists():
        return None
    with path.open("rb") as f:
        return read_po(f, locale=language.replace("-", "_"), domain=domain)


def check_catalogs(said: Said) -> list[str]:
    problems: list[str] = []
    said_as: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    domains = set(said) | {p.stem for p in LOCALES_DIR.glob("*/LC_MESSAGES/*.po")}
    for language in LANGUAGES:
        if language == ENGLISH:
            continue
        for domain in sorted(domains):
            catalog = read(language, domain)
            wanted = said.get(domain, {})
            have: dict[str, Any] = {}
            if catalog is not None:
                for m in catalog:
                    if m.id:
                        key = str(m.id[0] if isinstance(m.id, tuple | list) else m.id)
                        have[f"{m.context}\x04{key}" if m.context else key] = m
            for msgid, (_, plural, where) in wanted.items():
                found = have.get(msgid)
                short = msgid[:60]
                if found is None:
                    problems.append(f"{language}/{domain}.po: missing “{short}” ({where})")
                    continue
                raw = found.string
                strings = [str(s or "") for s in raw] if isinstance(raw, list | tuple) else [raw]
                if found.fuzzy or not all(strings):
                    problems.append(f"{language}/{domain}.po: “{short}” is not translated")
                    continue
                want = placeholders(msgid) | (placeholders(plural) if plural else set())
                for text in strings:
                    if placeholders(text) - want or (not plural and placeholders(text) != want):
                        problems.append(
                            f"{language}/{domain}.po: “{short}” uses {sorted(placeholders(text))},"
                            f" English {sorted(want)}"
                        )
                        break
            for msgid in have:
                if msgid not in wanted:
                    problems.append(f"{language}/{domain}.po: “{msgid[:60]}” is no longer said")
                else:
                    said_as[(language, msgid)][str(have[msgid].string)].append(domain)
    # one msgid is one text whatever domain says it: the catalogs are merged per language
    for (language, msgid), texts in sorted(said_as.items()):
        if len(texts) > 1:
            versions = "; ".join(f"{'/'.join(d)}: {t[:40]}" for t, d in texts.items())
            problems.append(f"{language}: “{msgid[:50]}” is translated differently ({versions})")
    return problems


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """DomainError and every class that derives from it, anywhere in backend/."""
    names = set(ERROR_BASES)
    grew = True
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {
                        b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
                        for b in node.bases
                    }
                    if bases & names:
                        names.add(node.name)
                        grew = True
    return names


def _words(node: ast.expr | None) -> bool:
    """A literal or f-string with letters in it: a sentence written for people."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.Constant) and any(c.isalpha() for c in str(v.value))
            for v in node.values
        )
    if isinstance(node, ast.BinOp):
        return _words(node.left) or _words(node.right)
    if isinstance(node, ast.IfExp):
        return _words(node.body) or _words(node.orelse)
    return False


def check_bypasses() -> list[str]:
    files = python_files()
    trees = [ast.parse(p.read_text(), str(p)) for p in files]
    errors = _error_classes(trees)
    problems: list[str] = []
    for path, tree in zip(files, trees, strict=True):
        lines = path.read_text().splitlines()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = (
                node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            )
            if "i18n-ignore" in lines[node.lineno - 1]:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if name in errors and node.args and _words(node.args[0]):
                problems.append(f"{where}: {name}(…) says an untranslated sentence: use msg(…)")
            if name.endswith("Exception") and any(
                k.arg == "detail" and _words(k.value) for k in node.keywords
            ):
                problems.append(f"{where}: {name}(detail=…) says an untranslated sentence")
            if name == "notify":
                texts = node.args[3:5] + [
                    k.value for k in node.keywords if k.arg in ("title", "body")
                ]
                if any(_words(t) for t in texts):
                    problems.append(f"{where}: notify(…) with an untranslated title or body")
    return problems


def update(said: Said, *, prune: bool = True) -> None:
    """Add the code's new messages (empty) to every language's .po; drop the unsaid ones."""
    for language in LANGUAGES:
        if language == ENGLISH:
            continue
        for domain in sorted(said):
            old = read(language, domain)
            catalog = Catalog(
                locale=language.replace("-", "_"),
                domain=domain,
                project="Chorus",
                creation_date=STABLE_DATE,
                revision_date=STABLE_DATE,
                fuzzy=False,
            )
            for key, (msgid, plural, where) in sorted(said[domain].items()):
                context = key.split("\x04")[0] if "\x04" in key else None
                kept: Any = None
                if old is not None:
                    kept = old.get((msgid, plural) if plural else msgid, context=context)
                    if kept is None and plural:
                        kept = old.get(msgid, context=context)
                msg_id: str | tuple[str, str] = (msgid, plural) if plural else msgid
                string: str | tuple[str, ...] = (
                    kept.string
                    if kept is not None
                    else (("",) * catalog.num_plurals if plural else "")
                )
                file, line = where.rsplit(":", 1)
                catalog.add(msg_id, string, locations=[(file, int(line))], context=context)
            path = po_path(language, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as f:
                write_po(f, catalog, width=100, sort_output=True, include_lineno=False)
        for stale in (LOCALES_DIR / language / "LC_MESSAGES").glob("*.po"):
            if prune and stale.stem not in said:
                stale.unlink()


def main(argv: list[str]) -> int:
    said = said_in_code()
    if "--update" in argv:
        only = {a.split("=", 1)[1] for a in argv if a.startswith("--domain=")}
        update({d: m for d, m in said.items() if not only or d in only}, prune=not only)
        return 0
    problems = check_catalogs(said) + check_bypasses()
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print(
            f"\n{len(problems)} catalog problem(s): `python -m backend.i18n_check --update` adds "
            "new messages to every .po (backend/locales/README.md)",
            file=sys.stderr,
        )
        return 1
    total = sum(len(v) for v in said.values())
    print(f"server catalogs complete: {total} messages in {len(LANGUAGES) - 1} translations each")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
