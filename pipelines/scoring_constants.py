"""The scoring constants, read from their one definition: the `vars` of dbt_project.yml.

The SQL reads them there too (dbt_project/macros/okr_constants.sql), so the validator's default
thresholds and the scoring can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from pipelines.settings import DBT_PROJECT_DIR


@dataclass(frozen=True)
class ScoringConstants:
    aspirational_factor: float
    run_rate_days: int
    default_at_risk: float
    default_off_track: float


@cache
def scoring_constants() -> ScoringConstants:
    vars_ = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    return ScoringConstants(
        aspirational_factor=float(vars_["okr_aspirational_factor"]),
        run_rate_days=int(vars_["okr_run_rate_days"]),
        default_at_risk=float(vars_["okr_default_at_risk"]),
        default_off_track=float(vars_["okr_default_off_track"]),
    )
