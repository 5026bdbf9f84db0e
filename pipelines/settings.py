"""Workspace settings: where the definitions, the warehouse and the scorecard live.

A workspace is a folder with `settings.yml` (optional), `sources.yml` and `okrs/`. The repo root
is the demo workspace; tests point OKR_WORKSPACE at a temporary copy.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from pipelines.languages import LANGUAGES

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

_DEFAULTS = {
    "timezone": "Europe/Helsinki",
    "lang": "en",
    "warehouse": "data/warehouse.duckdb",
    "scorecard_dir": "build/scorecard",
    "schedule": "0 2 * * *",
    "history_start": "2025-01-01",
    "target": "duckdb",
}
_KNOWN_KEYS = set(_DEFAULTS) | {"alerts", "teams", "digest", "smtp"}


@dataclass(frozen=True)
class Settings:
    root: Path
    timezone: str = _DEFAULTS["timezone"]
    lang: str = _DEFAULTS["lang"]
    warehouse_path: Path = Path(_DEFAULTS["warehouse"])
    scorecard_dir: Path = Path(_DEFAULTS["scorecard_dir"])
    schedule: str = _DEFAULTS["schedule"]
    history_start: str = _DEFAULTS["history_start"]
    target: str = _DEFAULTS["target"]
    alerts: dict = field(default_factory=dict)
    teams: dict = field(default_factory=dict)  # team id -> display name (or language -> name)
    digest: dict = field(default_factory=dict)  # weekly digest (pipelines/reporting/digest.py)
    smtp: dict = field(default_factory=dict)  # e-mail server of the digest (none: no e-mail)

    @property
    def okrs_dir(self) -> Path:
        return self.root / "okrs"

    @property
    def sources_file(self) -> Path:
        return self.root / "sources.yml"

    @property
    def work_dir(self) -> Path:
        """Scratch space for dbt target/log folders, per workspace so parallel runs never collide."""
        return self.warehouse_path.parent / ".okr"

    def yesterday(self) -> dt.date:
        """The default scoring date: yesterday in the configured time zone."""
        return dt.datetime.now(ZoneInfo(self.timezone)).date() - dt.timedelta(days=1)


class SettingsError(ValueError):
    pass


def load_settings(root: str | Path | None = None) -> Settings:
    """Read `settings.yml` of the workspace (OKR_WORKSPACE or the repo root), env overrides last."""
    root = Path(root or os.environ.get("OKR_WORKSPACE") or REPO_ROOT).resolve()
    path = root / "settings.yml"
    raw: dict = {}
    if path.exists():
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict):
            raise SettingsError(f"{path}: expected a mapping of settings")
        unknown = sorted(set(raw) - _KNOWN_KEYS)
        if unknown:
            raise SettingsError(
                f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(_KNOWN_KEYS))}"
            )
    values = {**_DEFAULTS, **{k: v for k, v in raw.items() if v is not None}}
    try:
        ZoneInfo(str(values["timezone"]))
    except Exception as exc:
        raise SettingsError(f"{path}: timezone: unknown time zone {values['timezone']!r}") from exc
    if values["lang"] not in LANGUAGES:
        raise SettingsError(f"{path}: lang: must be one of {', '.join(LANGUAGES)}, not {values['lang']!r}")
    warehouse = Path(os.environ.get("OKR_WAREHOUSE_PATH") or values["warehouse"])
    scorecard = Path(os.environ.get("OKR_SCORECARD_DIR") or values["scorecard_dir"])
    return Settings(
        root=root,
        timezone=str(values["timezone"]),
        lang=os.environ.get("OKR_LANG") or str(values["lang"]),
        warehouse_path=warehouse if warehouse.is_absolute() else root / warehouse,
        scorecard_dir=scorecard if scorecard.is_absolute() else root / scorecard,
        schedule=str(values["schedule"]),
        history_start=str(values["history_start"]),
        target=os.environ.get("OKR_DBT_TARGET") or str(values["target"]),
        alerts=dict(values.get("alerts") or {}),
        teams=dict(values.get("teams") or {}),
        digest=dict(values.get("digest") or {}),
        smtp=dict(values.get("smtp") or {}),
    )
