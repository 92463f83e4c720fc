"""Imports point one way: stages import only the shared core (models, store, configuration), never each other."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("crawler", "classifier", "review", "alerts")
CORE = ("models", "store", "configuration")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_stages_do_not_import_each_other_or_the_cli():
    offenders = []
    for stage in STAGES:
        for path in sorted((ROOT / stage).rglob("*.py")):
            bad = imported_modules(path) & (set(STAGES) - {stage} | {"scheduler", "jobs", "demo"})
            if bad:
                offenders.append(f"{path.relative_to(ROOT)} imports {', '.join(sorted(bad))}")
    assert not offenders, "\n".join(offenders)


def test_core_does_not_import_stages():
    for module in CORE:
        files = (
            [ROOT / f"{module}.py"]
            if (ROOT / f"{module}.py").exists()
            else list((ROOT / module).rglob("*.py"))
        )
        assert files, module
        for path in files:
            bad = imported_modules(path) & set(STAGES + ("scheduler", "jobs"))
            assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_only_store_speaks_sql():
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in ("tests", "bench", ".venv", "store"):
            continue
        text = path.read_text(encoding="utf-8")
        if any(marker in text for marker in ("SELECT ", "INSERT INTO", "UPDATE calls", "CREATE TABLE")):
            offenders.append(str(rel))
    assert not offenders, f"SQL outside store/: {offenders}"
