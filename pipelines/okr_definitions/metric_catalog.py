"""Which metrics exist and which columns they have, read from the dbt project's metrics folder.

A metric is a `.sql` file in `dbt_project/models/metrics/`; its columns are documented in the
folder's properties YAML (a dbt test checks that the documented columns are the real ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from pipelines.settings import DBT_PROJECT_DIR

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
STANDARD_COLUMNS = {"metric_date", "value", "numerator", "denominator"}
CHECKINS_METRIC = "checkins"


@dataclass(frozen=True)
class Metric:
    name: str
    columns: tuple[str, ...]
    description: str = ""

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in STANDARD_COLUMNS)

    @property
    def has_ratio_parts(self) -> bool:
        return {"numerator", "denominator"} <= set(self.columns)


def metrics_dir(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    return project_dir / "models" / "metrics"


def metric_model_names(project_dir: Path = DBT_PROJECT_DIR) -> list[str]:
    """Every metric model, by file name: adding a SQL file is all it takes to add a metric."""
    return sorted(p.stem for p in metrics_dir(project_dir).glob("*.sql"))


def load_metric_catalog(project_dir: Path = DBT_PROJECT_DIR) -> dict[str, Metric]:
    documented: dict[str, dict] = {}
    for yml in sorted(metrics_dir(project_dir).glob("*.yml")):
        # libyaml when installed: the pure-Python parser took a third of `okr validate`'s time here.
        doc = yaml.load(yml.read_text(encoding="utf-8"), Loader=_LOADER) or {}  # noqa: S506 (a safe loader)
        for model in doc.get("models") or []:
            documented[model["name"]] = model
    catalog = {}
    for name in metric_model_names(project_dir):
        model = documented.get(name, {})
        columns = tuple(c["name"] for c in model.get("columns") or [])
        catalog[name] = Metric(name=name, columns=columns, description=model.get("description", ""))
    return catalog
