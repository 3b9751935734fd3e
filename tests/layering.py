"""The import rules of Chorus's backend, checked by walking every module's imports.

Run it as `python -m tests.layering` (exit 1 and a list of broken rules) or through pytest
(`tests/test_layering.py`). The rules, from ../shared/STYLE.md:

1. Domains point one way. `DOMAINS` lists them bottom to top; a domain imports only itself and
   the domains below it. When a lower domain must react to a higher one, it publishes an
   event or takes a handler the composition root registers (`backend/subscribers.py`).
2. Nothing of a domain but its HTTP layer (`HTTP_MODULES`) reaches Litestar, directly or
   through any chain of backend imports: services, tables and schemas stay plain Python.
3. `backend.core` is domain-neutral: it imports no domain, no `backend.http`, no Litestar.
4. Shared infrastructure (the other top-level modules of `backend/`) imports no domain.
5. `backend.http` (the Litestar adapters) imports no domain.

Imports inside functions count like the ones at the top: they run all the same.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Bottom to top: orgs at the bottom, points below everything that awards points, analytics at
# the top reading all. `profile` (GET /me) gathers what the domains below know of a person.
DOMAINS = [
    "mail",
    "orgs",
    "scim",
    "sso",
    "points",
    "leaderboards",
    "notifications",
    "challenges",
    "badges",
    "community",
    "sharing",
    "submissions",
    "surveys",
    "rewards",
    "walls",
    "profile",
    "analytics",
]
# A domain's modules that speak HTTP (and so may use Litestar and backend.http).
HTTP_MODULES = {"controller", "pages"}
# The composition root: wires every domain together, above all of them.
COMPOSITION = {
    "backend.app",
    "backend.apidocs",
    "backend.cli",
    "backend.demo",
    "backend.subscribers",
    "backend.live",
    "backend.pwa",
    "backend.piccolo_conf",
}


@dataclass(frozen=True)
class Violation:
    module: str
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.module} imports {self.imported}: {self.rule}"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def backend_modules(root: Path = ROOT) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted((root / "backend").rglob("*.py"))}


def imports_of(path: Path, name: str) -> Iterator[str]:
    """Every module `path` imports, absolute, wherever in the file the import stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            yield prefix
            for alias in node.names:
                yield f"{prefix}.{alias.name}"  # `from backend.x import module` imports a module


def resolve(imported: str, modules: dict[str, Path]) -> str | None:
    """The backend module an import names (a name inside a module resolves to the module)."""
    candidate = imported
    while candidate:
        if candidate in modules:
            return candidate
        candidate = candidate.rpartition(".")[0]
    return None


def domain_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "backend" and parts[1] in DOMAINS:
        return parts[1]
    return None


def graph(root: Path = ROOT) -> tuple[dict[str, set[str]], dict[str, bool]]:
    """Backend module → the backend modules it imports; and whether it imports Litestar itself."""
    modules = backend_modules(root)
    edges: dict[str, set[str]] = {}
    litestar: dict[str, bool] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        uses_litestar = False
        for imported in imports_of(path, name):
            if imported == "litestar" or imported.startswith("litestar."):
                uses_litestar = True
            elif imported.startswith("backend"):
                target = resolve(imported, modules)
                if target is not None and target != name and target != "backend":
                    targets.add(target)
        edges[name] = targets
        litestar[name] = uses_litestar
    return edges, litestar


def litestar_chain(start: str, edges: dict[str, set[str]], litestar: dict[str, bool]) -> list[str]:
    """The import chain from `start` to a module that imports Litestar, or [] if none."""
    seen = {start}
    queue: list[list[str]] = [[start]]
    while queue:
        chain = queue.pop(0)
        if litestar[chain[-1]]:
            return chain
        for target in sorted(edges[chain[-1]]):
            if target not in seen:
                seen.add(target)
                queue.append([*chain, target])
    return []


def violations(root: Path = ROOT) -> list[Violation]:
    edges, litestar = graph(root)
    found: list[Violation] = []
    for module, targets in sorted(edges.items()):
        domain = domain_of(module)
        leaf = module.rpartition(".")[2]
        is_http_module = domain is not None and leaf in HTTP_MODULES
        for target in sorted(targets):
            target_domain = domain_of(target)
            if (
                domain is not None
                and target_domain is not None
                and DOMAINS.index(target_domain) > DOMAINS.index(domain)
            ):
                found.append(
                    Violation(
                        module,
                        target,
                        f"{domain} sits below {target_domain} (rule 1: domains point one "
                        "way; use an event or a registered handler)",
                    )
                )
            if module == "backend.core" or module.startswith("backend.core."):
                if target_domain is not None or target.startswith("backend.http"):
                    found.append(Violation(module, target, "core imports no domain or http (3)"))
            elif module == "backend.http" or module.startswith("backend.http."):
                if target_domain is not None:
                    found.append(Violation(module, target, "http imports no domain (rule 5)"))
            elif domain is None and module not in COMPOSITION and target_domain is not None:
                found.append(
                    Violation(module, target, "shared infrastructure imports no domain (rule 4)")
                )
        is_core = module == "backend.core" or module.startswith("backend.core.")
        if (domain is not None and not is_http_module) or is_core:
            chain = litestar_chain(module, edges, litestar)
            if chain:
                found.append(
                    Violation(
                        module,
                        "litestar",
                        "plain Python must not reach Litestar (rules 2 and 3): "
                        + " → ".join([*chain, "litestar"]),
                    )
                )
    return found


def main() -> int:
    found = violations()
    for violation in found:
        print(violation)
    if found:
        print(f"{len(found)} import rule(s) broken (see tests/layering.py for the rules)")
        return 1
    print(f"import rules hold for {len(backend_modules())} backend modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
