"""Print the table of which Ascolto app imports which, read from the source with `ast`.

Every `import ascolto.X...` and `from ascolto.X... import ...` counts, at module level or inside
a function; relative imports are resolved. Tests (`tests/` packages and `conftest.py`) are left
out unless `--with-tests` is given. `--markdown` prints a Markdown table; `--violations` lists
each import that points up the layers (a lower app importing a higher one) and exits 1 if any;
`--templates` lists the templates of a lower app that name a higher app (a `{% load %}` of its
tag library, an `{% include %}` of its templates, a `{% url %}` of its views).

    python scripts/app_imports.py --markdown
    python scripts/app_imports.py --violations
    python scripts/app_imports.py --templates
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "ascolto"

# Lowest first; apps on one line share a layer (they may import each other only if listed
# together in independence-free layers; here each layer is listed separately by rank).
LAYERS: list[tuple[str, ...]] = [
    ("lib",),
    ("core",),
    ("workspaces",),
    ("customers",),
    ("interactions",),
    ("notifications",),
    ("feedback",),
    ("textanalysis",),
    ("promises",),
    ("cases",),
    ("health",),
    ("dashboards",),
    ("ops", "api", "demo", "bench"),
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}
# Top-level modules of the package that are not apps.
TOP_MODULES = {"settings", "urls", "wsgi", "cli", "schedule", "__main__", "__init__"}


def app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "ascolto" or len(parts) < 2:
        return None
    return parts[1]


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module is None or node.level:
                # `from . import x` may import submodules: count each name as a module.
                for alias in node.names:
                    found.append((f"{target}.{alias.name}", node.lineno))
            else:
                found.append((target, node.lineno))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.args[0].value, node.lineno))
    return found


def is_test(path: Path) -> bool:
    return "tests" in path.relative_to(ROOT).parts or path.name == "conftest.py"


def collect(with_tests: bool):
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "migrations" in rel.parts or (is_test(path) and not with_tests):
            continue
        source_app = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        for target, line in imports_of(path):
            target_app = app_of(target)
            if target_app is None or target_app == source_app:
                continue
            edges[(source_app, target_app)].append(f"ascolto/{rel}:{line} {target}")
    return edges


def import_cycles(pairs: set[tuple[str, str]]) -> list[list[str]]:
    """The groups of apps that import one another, directly or through others (the strongly
    connected components of more than one app), lowest layer first."""
    graph: dict[str, set[str]] = defaultdict(set)
    for s, t in pairs:
        graph[s].add(t)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group, key=lambda a: (RANK.get(a, 99), a)))

    for node in sorted(set(graph) | {t for _s, t in pairs}):
        if node not in index:
            visit(node)
    return sorted(groups, key=lambda g: (RANK.get(g[0], 99), g[0]))


def template_references() -> list[str]:
    """Template references from a lower app to a higher one."""
    libraries = {p.stem: p.parts[-3] for p in ROOT.glob("*/templatetags/*.py")}
    namespaces = {}
    for path in ROOT.glob("*/*urls.py"):
        found = re.search(r'app_name\s*=\s*"(\w+)"', path.read_text())
        if found:
            namespaces[found.group(1)] = path.relative_to(ROOT).parts[0]
    folders = {p.name: p.parts[-3] for p in ROOT.glob("*/templates/*") if p.is_dir()}
    found = []
    for path in sorted(ROOT.glob("*/templates/**/*.*")):
        app = path.relative_to(ROOT).parts[0]
        text = path.read_text()
        refs = set()
        for tag in re.finditer(r"{%\s*load\s+([^%]+)%}", text):
            refs |= {(libraries[n], f"load {n}") for n in tag.group(1).split() if n in libraries}
        for tag in re.finditer(r'{%\s*include\s+"(\w+)/', text):
            if tag.group(1) in folders:
                refs.add((folders[tag.group(1)], f"include {tag.group(1)}/..."))
        for tag in re.finditer(r"{%\s*url\s+'(\w+):", text):
            if tag.group(1) in namespaces:
                refs.add((namespaces[tag.group(1)], f"url {tag.group(1)}:..."))
        for target, what in sorted(refs):
            if app in RANK and target in RANK and RANK[target] > RANK[app]:
                found.append(f"{app} -> {target}: ascolto/{path.relative_to(ROOT)} ({what})")
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--with-tests", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--violations", action="store_true")
    parser.add_argument("--templates", action="store_true")
    args = parser.parse_args()
    if args.templates:
        found = template_references()
        print("\n".join(found))
        print(f"{len(found)} template references point up from a lower app", file=sys.stderr)
        return 1 if found else 0
    edges = collect(args.with_tests)
    apps = sorted(
        {a for pair in edges for a in pair},
        key=lambda a: (a in TOP_MODULES, RANK.get(a, 99), a),
    )
    if args.violations:
        bad = [
            (s, t, where)
            for (s, t), wheres in sorted(edges.items())
            for where in wheres
            if s in RANK and t in RANK and RANK[t] > RANK[s]
        ]
        for s, t, where in bad:
            print(f"{s} -> {t}: {where}")
        print(f"{len(bad)} imports point up from a lower app", file=sys.stderr)
        return 1 if bad else 0
    if args.markdown:
        sources = [a for a in apps if any(s == a for s, _t in edges)]
        targets = [a for a in apps if any(t == a for _s, t in edges)]
        print("| imports → | " + " | ".join(f"`{a}`" for a in targets) + " |")
        print("| --- |" + " --- |" * len(targets))
        for s in sources:
            cells = []
            for t in targets:
                n = len(edges.get((s, t), ()))
                up = s in RANK and t in RANK and RANK[t] > RANK[s]
                cells.append("" if not n else (f"**{n}↑**" if up else str(n)))
            print(f"| `{s}` | " + " | ".join(cells) + " |")
        print()
        cycles = import_cycles({pair for pair in edges})
        print(
            "Import cycles between apps: "
            + ("; ".join(" ⇄ ".join(f"`{a}`" for a in c) for c in cycles) if cycles else "none")
            + "."
        )
        return 0
    for (s, t), wheres in sorted(edges.items()):
        print(f"{s} -> {t}: {len(wheres)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
