"""No import runs upward: the packages form one stack, each importing only from below.

cli → scoring_run → definitions/schedules → reporting → quality → ingest/transform
→ okr_definitions → shared pipeline modules (settings, resources, …) → connectors.

Every import counts, including ones inside functions and under TYPE_CHECKING: a lazy import
that runs upward is still a loop waiting to happen.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Highest first. A module belongs to the first entry that is it or a package containing it.
LAYERS: list[tuple[str, ...]] = [
    ("pipelines.cli",),
    ("pipelines.analysis_commands",),  # okr backtest / okr explain, called by the cli
    ("pipelines.explain", "pipelines.forecast_backtest"),
    ("pipelines.scoring_run",),
    ("pipelines.definitions", "pipelines.schedules"),
    ("pipelines.reporting",),
    ("pipelines.quality",),
    ("pipelines.ingest", "pipelines.transform"),
    ("pipelines.okr_definitions",),
    (
        "pipelines.settings",
        "pipelines.scoring_constants",
        "pipelines.partitions",
        "pipelines.resources",
        "pipelines.console",
        "pipelines.child_processes",
        "pipelines.workspace_lock",
        "pipelines.dagster_runs",
        "pipelines",  # the package itself
    ),
    ("connectors",),
]


def _layer(module: str) -> int | None:
    """Index in LAYERS (0 = top), by the longest matching prefix; None outside our packages."""
    best: tuple[int, int] | None = None  # (prefix length, layer)
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    return None if best is None else best[1]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the file, relative ones resolved."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from pipelines import cli` imports pipelines.cli, not just the package.
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _sources() -> list[Path]:
    return sorted(p for package in ("pipelines", "connectors") for p in (ROOT / package).rglob("*.py"))


def upward_imports() -> list[str]:
    problems = []
    for path in _sources():
        here = _layer(_module_name(path))
        assert here is not None, f"{path}: not in any layer of tests/test_import_layers.py"
        for line, module in _imports(path):
            target = _layer(module)
            if target is not None and target < here:
                problems.append(
                    f"{path.relative_to(ROOT)}:{line} imports {module} "
                    f"({', '.join(LAYERS[target])} sits above {', '.join(LAYERS[here])})"
                )
    return problems


def test_every_module_is_in_a_layer() -> None:
    unplaced = [str(p.relative_to(ROOT)) for p in _sources() if _layer(_module_name(p)) is None]
    assert not unplaced


def test_no_import_runs_upward() -> None:
    problems = upward_imports()
    assert not problems, "imports running up the layers:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("importer", "imported", "upward"),
    [
        ("connectors.load", "pipelines.settings", True),
        ("pipelines.resources", "pipelines.transform.dbt_setup", True),
        ("pipelines.quality.sources", "pipelines.reporting.statuses", True),
        ("pipelines.okr_definitions.store", "pipelines.ingest.resources", True),
        ("pipelines.scoring_run", "pipelines.cli", True),
        ("pipelines.reporting.data_health", "pipelines.quality.runner", False),
        ("pipelines.transform.dbt_assets", "pipelines.resources", False),
        ("pipelines.ingest.assets", "pipelines.transform.dbt_setup", False),  # one layer, side by side
    ],
)
def test_the_check_tells_up_from_down(importer: str, imported: str, upward: bool) -> None:
    importer_layer, imported_layer = _layer(importer), _layer(imported)
    assert importer_layer is not None and imported_layer is not None
    assert (imported_layer < importer_layer) is upward
