"""A GX validation leaves nothing behind in the process's one GX context (a daemon validates
night after night in the same process)."""

from __future__ import annotations

import pandas as pd

from pipelines.quality.gx_validation import gx_context, validate_frame
from pipelines.quality.specs import CheckSpec, Severity


def test_validations_leave_no_suite_datasource_or_result_in_the_context() -> None:
    df = pd.DataFrame({"kr_id": ["KR-1", "KR-2", None], "value": [1.0, 2.0, 3.0]})
    spec = CheckSpec("kr_id_present", "column_values_to_not_be_null", {"column": "kr_id"}, Severity.ERROR)
    ctx = gx_context()
    before = (
        len(ctx.validation_results_store.list_keys()),
        len(ctx.data_sources.all()),
        len(ctx.suites.all()),
    )

    runs = [validate_frame(df, "okr.leftovers", [spec]) for _ in range(3)]

    assert [r.outcomes[0].success for r in runs] == [False, False, False]
    assert runs[0].outcomes[0].unexpected_count == 1
    after = (
        len(ctx.validation_results_store.list_keys()),
        len(ctx.data_sources.all()),
        len(ctx.suites.all()),
    )
    assert after == before
