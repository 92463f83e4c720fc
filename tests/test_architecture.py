"""Imports point one way: stages import only the shared core, never each other, and no module imports in a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("foerderradar", "crawler", "classifier", "alerts")
STAGES = ("crawler", "classifier", "foerderradar.review", "alerts")
CORE = (
    "foerderradar.models",
    "foerderradar.store",
    "foerderradar.configuration",
    "foerderradar.text",
    "foerderradar.fit",
    "foerderradar.consortia",
    "foerderradar.matching",
)
WIRING = ("scheduler", "foerderradar.cli", "foerderradar.steps", "foerderradar.demo")


def module_files() -> dict[str, Path]:
    """Every project module by dotted name (``scheduler``, ``crawler.run``, ``foerderradar.store``)."""
    modules = {"scheduler": ROOT / "scheduler.py"}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The project modules a file imports, at module level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def imported_modules(path: Path) -> set[str]:
    """The top-level names of every module a file imports (project or third-party)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def graph() -> dict[str, set[str]]:
    files = module_files()
    return {name: imports_of(path, set(files)) - {name} for name, path in files.items()}


def within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_no_import_cycle():
    edges = graph()
    # a package's __init__ importing its own submodules is how packages are built, not a cycle
    edges = {a: {b for b in bs if not a.startswith(b + ".")} for a, bs in edges.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_stages_do_not_import_each_other_or_the_wiring():
    offenders = []
    for module, imported in graph().items():
        stage = next((s for s in STAGES if within(module, (s,))), None)
        if stage is None:
            continue
        bad = {m for m in imported if within(m, STAGES + WIRING) and not within(m, (stage,))}
        if bad:
            offenders.append(f"{module} imports {', '.join(sorted(bad))}")
    assert not offenders, "\n".join(offenders)


def test_core_does_not_import_stages_or_wiring():
    offenders = []
    for module, imported in graph().items():
        if within(module, CORE):
            bad = {m for m in imported if within(m, STAGES + WIRING)}
            if bad:
                offenders.append(f"{module} imports {', '.join(sorted(bad))}")
    assert not offenders, "\n".join(offenders)


def test_only_store_speaks_sql():
    offenders = []
    for name, path in module_files().items():
        if within(name, ("foerderradar.store",)):
            continue
        text = path.read_text(encoding="utf-8")
        if any(marker in text for marker in ("SELECT ", "INSERT INTO", "UPDATE calls", "CREATE TABLE")):
            offenders.append(name)
    assert not offenders, f"SQL outside foerderradar/store/: {offenders}"


def test_no_generic_top_level_module_is_installed():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert project["py-modules"] == ["scheduler"]
    assert project["packages"]["find"]["include"] == [f"{p}*" for p in PACKAGES]
