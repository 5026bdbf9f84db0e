"""`okr backtest`: replay finished cycles and measure how good the forecast interval was.

At 25, 50 and 75 % of each key result's period the forecast is taken with the data up to that day
only (every scoring day sees only metric rows dated on or before it), then compared with the
final actual at the end of the period: interval coverage (share of finals inside p10..p90, ideally
about 80 %), the Brier score of `probability_on_target` against whether the KR was achieved, and
the mean absolute error of p50 (also relative to the final), per measure: for each cycle and
pooled over all the cycles replayed (`--cycle` repeated, or `--cycle all`).

The forecasts come from the same dbt models as the nightly run (`int_kr_forecasts_daily`), scored
for every day of the cycles in one dbt invocation (the run context's date range). They run on a
copy of the warehouse, so the published scores, history and scorecard are never touched.

A replay is kept (the work dir's `backtest-replays/`, the newest few) under a key of everything it
depends on: the dbt project and vars, the dbt and DuckDB versions, every dbt source table's
fingerprint and the days replayed. Asking again with other checkpoints or output, or for the same
days by other cycle names, reuses it instead of running dbt again; any change of code or data is a
new key, so a reused replay is always the one a new run would give.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from connectors.warehouse import DuckDBWarehouse
from pipelines.okr_definitions.loader import OkrDefinitions
from pipelines.settings import Settings
from pipelines.transform.dbt_setup import prepare_manifest, run_dbt
from pipelines.transform.run_context import write_run_context
from pipelines.transform.unchanged_tests import source_fingerprints
from pipelines.workspace_lock import WorkspaceLock, say_waiting

DEFAULT_AT = (25, 50, 75)
REPLAYS_DIR = "backtest-replays"
KEPT_REPLAYS = 4
# The replay writes its own run context (the days it scores): the copied one is not an input.
RUN_CONTEXT_SOURCE = "source.okr_scorer.okr.okr_run_context"
COVERAGE_TARGET = (0.70, 0.90)
FORECAST_COLUMNS = (
    "as_of, kr_id, measure, kr_type, commitment, start_date, end_date, total_days, elapsed_days, "
    "actual, score, achieved_score, forecast_p10, forecast_p50, forecast_p90, "
    "forecast_probability_on_target"
)


class BacktestError(ValueError):
    """A backtest that cannot run, said in one sentence (unknown cycle, not finished, no data)."""


@dataclasses.dataclass(frozen=True)
class BacktestResult:
    cycles: tuple[str, ...]
    at: tuple[int, ...]
    points: pd.DataFrame  # one row per (cycle, KR, checkpoint): the forecast and the final
    by_measure: pd.DataFrame  # the summary per measure, plus an "all" row, over every cycle
    replay_reused: bool = False  # the days were replayed before with the same code and data

    @property
    def cycle(self) -> str:
        """The cycles replayed, as the table's heading names them ("2025-Q4, 2026-Q3")."""
        return ", ".join(self.cycles)

    def by_cycle(self) -> dict[str, pd.DataFrame]:
        """The same summary for each cycle on its own."""
        return {c: summarise(self.points[self.points["cycle"] == c]) for c in self.cycles}

    def coverage(self) -> float | None:
        row = self.by_measure[self.by_measure["measure"] == "all"]
        return None if row.empty else _number(row["coverage"].iloc[0])

    def to_json(self) -> dict:
        return {
            "cycle": self.cycle,
            "cycles": list(self.cycles),
            "at_percent": list(self.at),
            "coverage_target": list(COVERAGE_TARGET),
            "by_measure": _summary_json(self.by_measure),
            "by_cycle": [
                {"cycle": c, "by_measure": _summary_json(summary)} for c, summary in self.by_cycle().items()
            ],
            "points": [
                {k: _json_value(v) for k, v in row.items()} for row in self.points.to_dict(orient="records")
            ],
            "replay_reused": self.replay_reused,
        }

    def to_table(self) -> str:
        heading = (
            f"Backtest of {self.cycle} at {', '.join(f'{a} %' for a in self.at)} of each period "
            f"(target coverage {COVERAGE_TARGET[0]:.0%}..{COVERAGE_TARGET[1]:.0%})"
        )
        note = ["", "(the replay of these days was reused: code and data are unchanged since)"]
        note = note if self.replay_reused else []
        if len(self.cycles) == 1:
            return "\n".join([heading, *_table_lines(self.by_measure), *note])
        lines = [heading]
        for cycle, summary in self.by_cycle().items():
            lines += ["", f"{cycle}:", *_table_lines(summary)]
        lines += ["", f"All {len(self.cycles)} cycles pooled:", *_table_lines(self.by_measure)]
        return "\n".join(lines + note)


def _table_lines(summary: pd.DataFrame) -> list[str]:
    lines = [
        f"{'measure':<8} {'forecasts':>9} {'coverage p10-p90':>17} {'Brier':>7} {'MAE p50':>14} {'MAE %':>7}"
    ]
    for row in summary.to_dict(orient="records"):
        lines.append(
            f"{row['measure']:<8} {row['forecasts']:>9} {_fmt(row['coverage'], '.0%'):>17} "
            f"{_fmt(row['brier'], '.3f'):>7} {_fmt(row['mae_p50'], ',.2f'):>14} "
            f"{_fmt(row['mae_p50_relative'], '.1%'):>7}"
        )
    return lines


def _summary_json(summary: pd.DataFrame) -> list[dict]:
    return [
        {k: v if k == "measure" else int(v) if k == "forecasts" else _number(v) for k, v in row.items()}
        for row in summary.to_dict(orient="records")
    ]


def checkpoint_day(start: dt.date, total_days: int, percent: int) -> dt.date:
    """The day at `percent` of a period: the last day of its first ceil(percent % of days) days."""
    return start + dt.timedelta(days=max(1, math.ceil(total_days * percent / 100)) - 1)


ALL_CYCLES = "all"


def run_backtest(
    settings: Settings, defs: OkrDefinitions, cycles: str | Sequence[str], at: Sequence[int] = DEFAULT_AT
) -> BacktestResult:
    """Score every day of the cycles on a copy of the warehouse and compare checkpoints with finals.

    `cycles` names one or more finished cycles, or is "all": every cycle whose key results have all
    ended by yesterday. The cycles are replayed in one dbt invocation over the days they span, and
    reported per cycle and pooled.
    """
    chosen = _resolve_cycles(settings, defs, [cycles] if isinstance(cycles, str) else list(cycles))
    if any(not 0 < p < 100 for p in at):
        raise BacktestError(f"--at takes percentages between 1 and 99, got {','.join(map(str, at))}")
    krs = [k for k in defs.key_results if k.cycle in chosen]
    start, end = min(k.start for k in krs), max(k.end for k in krs)
    if settings.target != "duckdb":
        raise BacktestError("okr backtest runs on the DuckDB warehouse (it replays on a copy of the file)")
    if not settings.warehouse_path.exists():
        raise BacktestError(
            f"no warehouse at {settings.warehouse_path}: run `okr run` first to load the data"
        )
    frame, reused = _replay(settings, start, end, chosen)
    points = _points(frame, tuple(at))
    empty = [c for c in chosen if points.empty or not (points["cycle"] == c).any()]
    if empty:
        raise BacktestError(
            f"cycle {', '.join(empty)} has no scored key results at the checkpoints (no data?)"
        )
    return BacktestResult(
        cycles=chosen, at=tuple(at), points=points, by_measure=summarise(points), replay_reused=reused
    )


def _resolve_cycles(settings: Settings, defs: OkrDefinitions, asked: list[str]) -> tuple[str, ...]:
    """The cycles to replay, oldest first: each asked one must exist and be finished."""
    starts: dict[str, dt.date] = {}
    ends: dict[str, dt.date] = {}
    for kr in defs.key_results:
        starts[kr.cycle] = min(kr.start, starts.get(kr.cycle, kr.start))
        ends[kr.cycle] = max(kr.end, ends.get(kr.cycle, kr.end))
    yesterday = settings.yesterday()
    if ALL_CYCLES in asked:
        if len(asked) > 1:
            raise BacktestError("--cycle all replays every finished cycle: give it alone")
        finished = tuple(sorted((c for c, e in ends.items() if e <= yesterday), key=lambda c: (starts[c], c)))
        if not finished:
            raise BacktestError(f"no finished cycle to replay (every cycle ends after {yesterday})")
        return finished
    for cycle in asked:
        if cycle not in ends:
            raise BacktestError(
                f"no key results in cycle {cycle!r} (cycles: {', '.join(sorted(ends)) or 'none'})"
            )
        if ends[cycle] > yesterday:
            raise BacktestError(f"cycle {cycle} is not finished: it ends on {ends[cycle]}, after yesterday")
    return tuple(sorted(set(asked), key=lambda c: (starts[c], c)))


def _copy_warehouse(settings: Settings, copy: Path) -> None:
    """The warehouse file (and its write-ahead log, when one is pending) copied while no run
    writes to it: under the workspace lock, waiting for a running night to end."""
    with WorkspaceLock(settings.work_dir / "run.lock").acquire(wait=True, on_wait=say_waiting):
        shutil.copy(settings.warehouse_path, copy)
        wal = settings.warehouse_path.with_name(settings.warehouse_path.name + ".wal")
        if wal.exists():
            shutil.copy(wal, copy.with_name(copy.name + ".wal"))


def _replay(
    settings: Settings, start: dt.date, end: dt.date, cycles: tuple[str, ...]
) -> tuple[pd.DataFrame, bool]:
    """The forecasts of every day of start..end, of the cycles' KRs, and whether a kept replay
    served them."""
    manifest = prepare_manifest(settings)  # the sources to fingerprint, and the code's fingerprint
    with tempfile.TemporaryDirectory(prefix="okr-backtest-") as tmp:
        copy = Path(tmp) / "warehouse.duckdb"
        _copy_warehouse(settings, copy)
        replay = dataclasses.replace(settings, warehouse_path=copy)
        warehouse = DuckDBWarehouse(copy)
        kept = settings.work_dir / REPLAYS_DIR / f"{_replay_key(manifest, warehouse, start, end)}.parquet"
        frame = _read_kept(kept)
        reused = frame is not None
        if frame is None:
            write_run_context(warehouse, start, end)
            run_dbt(replay, ["run", "--select", "+int_kr_forecasts_daily"])
            frame = warehouse.query(
                f"SELECT cycle, {FORECAST_COLUMNS} FROM analytics.int_kr_forecasts_daily "
                "ORDER BY cycle, kr_id, as_of"
            )
            _keep(frame, kept)
    return frame[frame["cycle"].isin(cycles)].reset_index(drop=True), reused


def _replay_key(manifest: Path, warehouse: DuckDBWarehouse, start: dt.date, end: dt.date) -> str:
    """Everything a replay's forecasts depend on, hashed: the project's code and vars (the
    fingerprint the manifest was prepared for), the versions that run it, the data of every dbt
    source and the days."""
    from importlib.metadata import version

    sources = source_fingerprints(warehouse, json.loads(manifest.read_text(encoding="utf-8"))) or {}
    sources.pop(RUN_CONTEXT_SOURCE, None)
    key = {
        "code": manifest.with_name("okr-fingerprint.txt").read_text(encoding="utf-8"),
        "versions": [version(p) for p in ("dbt-core", "dbt-duckdb", "duckdb")],
        "sources": sources,
        "days": [start.isoformat(), end.isoformat()],
        "columns": FORECAST_COLUMNS,
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]


def _read_kept(path: Path) -> pd.DataFrame | None:
    """A kept replay, or None when there is none (or it cannot be read: it is replayed again)."""
    import duckdb

    if not path.exists():
        return None
    try:
        with duckdb.connect() as con:
            frame = con.execute("SELECT * FROM read_parquet(?)", [str(path)]).df()
    except duckdb.Error:
        return None
    path.touch()  # the newest use is kept longest
    return frame


def _keep(frame: pd.DataFrame, path: Path) -> None:
    """Write the replay (whole, or not at all: a new name, then renamed) and drop all but the
    newest KEPT_REPLAYS."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    with duckdb.connect() as con:
        con.register("replay", frame)
        quoted = str(partial).replace("'", "''")  # COPY takes no parameter for its file
        con.execute(f"COPY replay TO '{quoted}' (FORMAT parquet)")
    partial.replace(path)
    replays = sorted(path.parent.glob("*.parquet"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in replays[KEPT_REPLAYS:]:
        old.unlink(missing_ok=True)


def _points(frame: pd.DataFrame, at: tuple[int, ...]) -> pd.DataFrame:
    frame = frame.assign(as_of=pd.to_datetime(frame["as_of"]).dt.date)
    finals = frame[frame["as_of"] == pd.to_datetime(frame["end_date"]).dt.date].set_index("kr_id")
    histories = {kr_id: days.set_index("as_of") for kr_id, days in frame.groupby("kr_id", sort=False)}
    rows = []
    for kr_id, final in finals.iterrows():
        if pd.isna(final["actual"]) or pd.isna(final["score"]):
            continue
        history = histories[kr_id]
        achieved = float(final["score"]) >= float(final["achieved_score"]) - 1e-9
        for percent in at:
            day = checkpoint_day(pd.Timestamp(final["start_date"]).date(), int(final["total_days"]), percent)
            if day not in history.index or pd.isna(history.loc[day, "forecast_p50"]):
                continue
            f = history.loc[day]
            actual = float(final["actual"])
            rows.append(
                {
                    "cycle": final["cycle"],
                    "kr_id": kr_id,
                    "measure": final["measure"],
                    "at_percent": percent,
                    "as_of": day.isoformat(),
                    "p10": float(f["forecast_p10"]),
                    "p50": float(f["forecast_p50"]),
                    "p90": float(f["forecast_p90"]),
                    "probability_on_target": _number(f["forecast_probability_on_target"]),
                    "final_actual": actual,
                    "achieved": achieved,
                    "inside": _inside(actual, float(f["forecast_p10"]), float(f["forecast_p90"])),
                }
            )
    return pd.DataFrame(rows)


def _inside(value: float, low: float, high: float) -> bool:
    slack = 1e-9 * max(1.0, abs(value))
    return low - slack <= value <= high + slack


def summarise(points: pd.DataFrame) -> pd.DataFrame:
    """Coverage, Brier score and MAE of p50 per measure, and over all forecasts ("all")."""
    groups = [(m, g) for m, g in points.groupby("measure", sort=True)] + [("all", points)]
    out = []
    for measure, g in groups:
        with_p = g.dropna(subset=["probability_on_target"])
        errors = (g["p50"] - g["final_actual"]).abs()
        relative = errors / g["final_actual"].abs().where(g["final_actual"].abs() > 0)
        out.append(
            {
                "measure": measure,
                "forecasts": len(g),
                "coverage": float(g["inside"].mean()),
                "brier": _brier(with_p) if len(with_p) else None,
                "mae_p50": float(errors.mean()) if measure != "all" else None,  # units differ across measures
                "mae_p50_relative": float(relative.mean()) if relative.notna().any() else None,
            }
        )
    return pd.DataFrame(out)


def _brier(points: pd.DataFrame) -> float:
    """Mean squared distance between the probability and what happened (1 achieved, 0 not)."""
    return float(((points["probability_on_target"] - points["achieved"].astype(float)) ** 2).mean())


def _number(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return float(value)


def _json_value(value: object) -> object:
    if isinstance(value, bool | str):
        return value
    return _number(value) if not isinstance(value, int) else value


def _fmt(value: object, spec: str) -> str:
    number = _number(value)
    return "-" if number is None else format(number, spec)
