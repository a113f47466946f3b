"""The import arrows point inward: the rules of docs/design.md, checked on every import.

Every ``import`` in the package is read from the source (those inside functions
too), so a lazy import cannot slip past a rule.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "bench")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {
        module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }


def imports_of(path: Path, name: str) -> Iterator[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {imported for imported in imports_of(path, name) if imported in known}
        for name, path in known.items()
    }


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


FORBIDDEN = [
    ("bot.course", "bot.i18n"),
    ("bot.course", "bot.storage"),
    ("bot.course", "bot.telegram"),
    ("bot.course", "bot.reports"),
    ("bot.storage", "bot.reports"),
    ("bot.storage", "bot.telegram"),
    ("bot.preview", "bot.telegram"),
    ("bot.emulator", "bot.telegram"),
    ("bot.emulator", "bot.storage"),
    ("bot.reports", "bot.telegram"),
    ("bot", "bench"),
]
THIRD_PARTY_IN_CORE = ("telegram", "aiosqlite", "sqlite3", "babel", "asyncpg", "aiohttp")


@pytest.mark.parametrize(("importer", "imported"), FORBIDDEN)
def test_no_arrow_points_outward(importer: str, imported: str) -> None:
    offenders = sorted(
        f"{name} imports {target}"
        for name, targets in graph().items()
        if within(name, importer) and not within(name, "bench")
        for target in targets
        if within(target, imported)
    )
    assert offenders == []


def test_the_course_core_knows_nothing_of_telegram_sql_or_babel() -> None:
    offenders = sorted(
        f"{name} imports {target}"
        for name, path in modules().items()
        if within(name, "bot.course")
        for target in imports_of(path, name)
        if target.split(".")[0] in THIRD_PARTY_IN_CORE
    )
    assert offenders == []


def test_the_course_core_reads_yaml_and_json_schema_and_nothing_else_from_outside() -> None:
    """The core stays pure: the standard library, PyYAML and jsonschema (for lessons/schema/)."""
    outside = {
        target.split(".")[0]
        for name, path in modules().items()
        if within(name, "bot.course")
        for target in imports_of(path, name)
        if target and target.split(".")[0] not in (*sys.stdlib_module_names, "bot", "__future__")
    }
    assert outside == {"yaml", "jsonschema"}


def test_no_import_cycle() -> None:
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(edges.get(name, ())):
            if target == name or within(name, target):  # a package importing its own parts
                continue
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_wheel_ships_no_developer_tooling() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'include = ["bot*"]' in pyproject
    assert not (ROOT / "bot" / "bench.py").exists()
    assert not (ROOT / "bot" / "simulation.py").exists()
