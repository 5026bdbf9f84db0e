"""A GX validation leaves nothing behind in the process's one GX context (a daemon validates
night after night in the same process): no suite, no result, no frame; one data asset per suite
name, made once."""

from __future__ import annotations

import pandas as pd

from pipelines.quality.gx_validation import gx_context, validate_frame
from pipelines.quality.specs import CheckSpec, Severity


def _frames_source(ctx: object) -> object:
    return ctx.data_sources.get("okr_frames")  # type: ignore[attr-defined]


def test_validations_leave_no_suite_result_or_frame_in_the_context() -> None:
    df = pd.DataFrame({"kr_id": ["KR-1", "KR-2", None], "value": [1.0, 2.0, 3.0]})
    spec = CheckSpec("kr_id_present", "column_values_to_not_be_null", {"column": "kr_id"}, Severity.ERROR)
    ctx = gx_context()
    stores_before = (len(ctx.validation_results_store.list_keys()), len(ctx.suites.all()))

    runs = [validate_frame(df, "okr.leftovers", [spec]) for _ in range(3)]
    other = validate_frame(df.fillna("KR-3"), "okr.leftovers.other", [spec])

    assert [r.outcomes[0].success for r in runs] == [False, False, False]
    assert runs[0].outcomes[0].unexpected_count == 1
    assert other.outcomes[0].success and other.outcomes[0].unexpected_count == 0
    assert (len(ctx.validation_results_store.list_keys()), len(ctx.suites.all())) == stores_before
    frames = _frames_source(ctx)
    names = [asset.name for asset in frames.assets]
    assert names.count("okr.leftovers") == 1 and names.count("okr.leftovers.other") == 1
    batches = frames.get_execution_engine().batch_manager
    assert batches.batch_data_cache == {} and batches.batch_cache == {}


def test_a_result_carries_what_data_docs_files_it_under() -> None:
    df = pd.DataFrame({"value": [1.0, -2.0]})
    spec = CheckSpec(
        "positive", "column_values_to_be_between", {"column": "value", "min_value": 0}, Severity.WARN
    )

    run = validate_frame(df, "okr.meta", [spec])

    meta = run.result_json["meta"]
    assert run.result_json["suite_name"] == "okr.meta"
    assert meta["active_batch_definition"]["data_asset_name"] == "okr.meta"
    assert meta["run_id"]["run_time"] == meta["validation_time"]
    assert meta["batch_parameters"] == {"dataframe": "<DATAFRAME>"}
    assert not run.outcomes[0].success and run.outcomes[0].unexpected_count == 1
