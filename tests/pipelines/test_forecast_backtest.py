"""`okr backtest` over several cycles without dbt: which cycles `--cycle` picks, and how the
per-cycle and pooled summaries add up (the real replay on the demo: test_forecast_commands.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import duckdb
import pandas as pd
import pytest

from pipelines.forecast_backtest import (
    BacktestError,
    BacktestResult,
    _copy_warehouse,
    _resolve_cycles,
    summarise,
)
from pipelines.okr_definitions.loader import load_definitions
from pipelines.settings import load_settings
from pipelines.workspace_lock import WorkspaceLock
from tests.helpers import copy_demo_workspace


class _Settings:
    """The demo's settings on a fixed day (backtest only asks them for yesterday)."""

    def __init__(self, yesterday: dt.date) -> None:
        self._yesterday = yesterday

    def yesterday(self) -> dt.date:
        return self._yesterday


@pytest.fixture(scope="module")
def demo_defs(tmp_path_factory: pytest.TempPathFactory):
    ws = copy_demo_workspace(tmp_path_factory.mktemp("demo"))
    return load_definitions(load_settings(ws).okrs_dir)


def test_all_is_every_finished_cycle_oldest_first(demo_defs) -> None:
    assert _resolve_cycles(_Settings(dt.date(2026, 12, 2)), demo_defs, ["all"]) == ("2025-Q4", "2026-Q3")
    assert _resolve_cycles(_Settings(dt.date(2027, 1, 1)), demo_defs, ["all"]) == (
        "2025-Q4",
        "2026-Q3",
        "2026-Q4",
    )
    # The boundary: a cycle is finished once its last KR's end is yesterday or earlier.
    assert _resolve_cycles(_Settings(dt.date(2025, 12, 31)), demo_defs, ["all"]) == ("2025-Q4",)
    with pytest.raises(
        BacktestError, match=r"^no finished cycle to replay \(every cycle ends after 2025-12-30"
    ):
        _resolve_cycles(_Settings(dt.date(2025, 12, 30)), demo_defs, ["all"])


def test_named_cycles_are_checked_deduplicated_and_ordered(demo_defs) -> None:
    day = _Settings(dt.date(2026, 12, 2))
    assert _resolve_cycles(day, demo_defs, ["2026-Q3", "2025-Q4", "2026-Q3"]) == ("2025-Q4", "2026-Q3")
    with pytest.raises(BacktestError, match=r"^cycle 2026-Q4 is not finished: it ends on 2026-12-31"):
        _resolve_cycles(day, demo_defs, ["2026-Q3", "2026-Q4"])
    with pytest.raises(BacktestError, match=r"^no key results in cycle '2024-Q4' \(cycles: 2025-Q4, 2026-Q3"):
        _resolve_cycles(day, demo_defs, ["2024-Q4"])
    with pytest.raises(BacktestError, match="give it alone"):
        _resolve_cycles(day, demo_defs, ["all", "2026-Q3"])


def _point(cycle: str, measure: str, p50: float, final: float, inside: bool, p: float, hit: bool) -> dict:
    return {
        "cycle": cycle, "kr_id": f"{cycle}-{measure}", "measure": measure, "at_percent": 50,
        "as_of": "2026-01-01", "p10": p50 - 10, "p50": p50, "p90": p50 + 10, "probability_on_target": p,
        "final_actual": final, "achieved": hit, "inside": inside,
    }  # fmt: skip


def test_pooled_summary_counts_every_forecast_once() -> None:
    points = pd.DataFrame(
        [
            _point("A", "sum", 100, 110, True, 0.8, True),
            _point("A", "sum", 100, 150, False, 0.4, False),
            _point("B", "sum", 200, 200, True, 1.0, True),
            _point("B", "ratio", 2, 4, False, 0.5, True),
        ]
    )
    result = BacktestResult(cycles=("A", "B"), at=(50,), points=points, by_measure=summarise(points))
    pooled = result.by_measure.set_index("measure")
    # Coverage 2 of 4; Brier (0.2² + 0.4² + 0 + 0.5²) / 4 = 0.1125; MAE of the sums (10 + 50 + 0) / 3.
    assert pooled.loc["all", "coverage"] == 0.5 and result.coverage() == 0.5
    assert pooled.loc["all", "brier"] == pytest.approx(0.1125)
    assert pooled.loc["sum", "mae_p50"] == pytest.approx(20.0) and pd.isna(pooled.loc["all", "mae_p50"])
    per = {c: s.set_index("measure") for c, s in result.by_cycle().items()}
    assert per["A"].loc["all", "coverage"] == 0.5 and per["B"].loc["all", "forecasts"] == 2
    assert per["B"].loc["ratio", "brier"] == pytest.approx(0.25)
    data = result.to_json()
    assert data["cycle"] == "A, B" and data["cycles"] == ["A", "B"]
    assert [c["cycle"] for c in data["by_cycle"]] == ["A", "B"]
    assert data["by_measure"][-1] == {
        "measure": "all", "forecasts": 4, "coverage": 0.5, "brier": pytest.approx(0.1125),
        "mae_p50": None, "mae_p50_relative": pytest.approx((10 / 110 + 50 / 150 + 0 + 2 / 4) / 4),
    }  # fmt: skip
    table = result.to_table()
    assert table.startswith("Backtest of A, B at 50 % of each period")
    assert "\nA:\n" in table and "\nB:\n" in table and "\nAll 2 cycles pooled:\n" in table
    one = dataclasses.replace(result, cycles=("A",), points=points[points["cycle"] == "A"])
    assert "pooled" not in one.to_table() and one.to_json()["by_cycle"][0]["cycle"] == "A"


def test_kept_replays_read_back_whole_unreadable_ones_are_replayed_and_only_the_newest_stay(tmp_path) -> None:
    import os

    from pipelines.forecast_backtest import KEPT_REPLAYS, _keep, _read_kept

    frame = pd.DataFrame(
        {"cycle": ["2026-Q3", "2026-Q3"], "kr_id": ["A", "B"], "as_of": [dt.date(2026, 9, 30)] * 2,
         "forecast_p50": [1.5, None]}
    )  # fmt: skip
    kept = tmp_path / "replays" / "key.parquet"
    assert _read_kept(kept) is None
    _keep(frame, kept)
    back = _read_kept(kept)
    assert back is not None and back["kr_id"].tolist() == ["A", "B"]
    assert back["forecast_p50"].iloc[0] == 1.5 and pd.isna(back["forecast_p50"].iloc[1])
    assert [p.name for p in kept.parent.iterdir()] == ["key.parquet"]  # no partial file left
    kept.write_bytes(b"not a parquet file")
    assert _read_kept(kept) is None  # replayed again, then overwritten
    for i in range(KEPT_REPLAYS + 2):
        other = kept.with_name(f"k{i}.parquet")
        _keep(frame, other)
        os.utime(other, (1_000_000 + i, 1_000_000 + i))
    newest = {f"k{i}.parquet" for i in range(2, KEPT_REPLAYS + 2)}
    _keep(frame, kept)  # the newest write prunes the rest
    assert {p.name for p in kept.parent.iterdir()} == newest - {"k2.parquet"} | {"key.parquet"}


def test_the_warehouse_is_copied_whole_and_only_while_no_run_writes_it(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "settings.yml").write_text("warehouse: data/warehouse.duckdb\n")
    settings = load_settings(tmp_path)
    settings.warehouse_path.parent.mkdir(parents=True)
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("pragma disable_checkpoint_on_shutdown")
    con.execute("create table rows_in_the_wal as select range as n from range(10)")
    con.close()  # the table lives only in the write-ahead log until the next checkpoint
    assert settings.warehouse_path.with_name("warehouse.duckdb.wal").exists()

    copy = tmp_path / "copy" / "warehouse.duckdb"
    copy.parent.mkdir()
    night = WorkspaceLock(settings.work_dir / "run.lock", command="okr run")
    with night.acquire():
        copying = threading.Thread(target=_copy_warehouse, args=(settings, copy))
        copying.start()
        copying.join(1.0)
        assert copying.is_alive() and not copy.exists()  # waits for the night
    copying.join(10)
    assert not copying.is_alive()
    assert "waiting for the run holding this workspace to finish" in capsys.readouterr().err
    assert duckdb.connect(str(copy)).execute("select count(*) from rows_in_the_wal").fetchone() == (10,)
