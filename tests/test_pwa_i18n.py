"""The app catalogs' check (pwa/scripts/i18n-check.mjs, run by `make lint`) on a tree of its
own: it passes the real app and finds each kind of problem it promises to find."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

PWA = Path(__file__).resolve().parents[1] / "pwa"
CHECK = PWA / "scripts" / "i18n-check.mjs"
LANGUAGES = ["en", "de", "fr", "es", "pt-BR"]

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (PWA / "node_modules" / "typescript").exists(),
    reason="needs node and pwa/node_modules (make install pwa)",
)


def run_check(src: Path | None = None, locales: Path | None = None) -> tuple[int, str]:
    env = dict(os.environ)
    if src is not None:
        env["CHORUS_I18N_SRC"] = f"{src}/"
    if locales is not None:
        env["CHORUS_LOCALES_DIR"] = f"{locales}/"
    done = subprocess.run(
        ["node", str(CHECK)], cwd=PWA, env=env, capture_output=True, text=True, timeout=120
    )
    return done.returncode, done.stdout + done.stderr


def test_the_apps_catalogs_pass():
    code, out = run_check()
    assert code == 0, out
    assert "catalogs complete" in out


def test_each_kind_of_problem_is_found(tmp_path: Path):
    src, locales = tmp_path / "src", tmp_path / "locales"
    src.mkdir()
    (src / "Screen.tsx").write_text(
        'import { t } from "./i18n";\n'
        "export function Screen({ n }: { n: number }) {\n"
        "  return (\n"
        '    <main title="A bare title here">\n'
        '      <h1>{t("screen.title")}</h1>\n'
        "      <p>Words nobody translated</p>\n"
        '      <p>{n > 1 ? "Several things" : t("screen.count", { n })}</p>\n'
        '      <p>{t("screen.nowhere")}</p>\n'
        "      <span>Chorus brand</span> {/* i18n-ignore */}\n"
        "    </main>\n"
        "  );\n"
        "}\n"
    )
    english = {
        "title": "Open challenges",
        "count": "{n, plural, one {# thing} other {# things}}",
        "unused": "Never shown anywhere",
    }
    translated = {
        "de": {"title": "Offene Challenges", "count": "{m} Dinge", "unused": "Nie gezeigt"},
        "fr": {"title": "Open challenges", "count": "{n} choses", "unused": "Jamais"},
        "es": {"title": "Retos abiertos", "count": "{n} cosas"},
        "pt-BR": {"title": "Desafios {abertos", "count": "{n} coisas", "unused": "Nunca"},
    }
    for language, messages in [("en", english), *translated.items()]:
        (locales / language / "app").mkdir(parents=True)
        (locales / language / "app" / "screen.json").write_text(json.dumps(messages))
    code, out = run_check(src, locales)
    assert code == 1
    expected = [
        'Screen.tsx:4: title="A bare title here" bypasses the catalogs',
        'Screen.tsx:6: text "Words nobody translated" bypasses the catalogs',
        'Screen.tsx:7: "Several things" bypasses the catalogs',
        "Screen.tsx:8: no English message screen.nowhere",
        "en: screen.unused is never used",
        "es/app: missing screen.unused",
        "fr/app: screen.title is still English",
        "de/app: screen.count uses {m}, English {n}",
        "pt-BR/app: screen.title is not valid ICU",
    ]
    for line in expected:
        assert line in out, (line, out)
    assert "Chorus brand" not in out  # the line says i18n-ignore
