"""Run a list of `CheckSpec`s as one Great Expectations suite on a pandas DataFrame.

Every outcome field (success, unexpected_count, unexpected values, observed value) is copied
from the GX validation result; nothing is recomputed. The whole GX result is kept as JSON too,
so Data Docs can be rendered later in another process (`docs.py`).
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipelines.quality.specs import CheckSpec, Severity, to_gx

# COMPLETE results list every unexpected value; keep enough to name the problem, not the table.
MAX_LISTED = 20


@dataclass(frozen=True)
class Outcome:
    """One expectation's result, as GX reported it, with the check it belongs to."""

    spec: CheckSpec
    success: bool
    expectation_type: str
    kwargs: dict[str, Any]
    unexpected_count: int | None = None
    element_count: int | None = None
    partial_unexpected_list: list[Any] = field(default_factory=list)
    unexpected_values: list[Any] = field(default_factory=list)
    unexpected_rows: list[Any] = field(default_factory=list)
    observed_value: Any = None
    exception: str | None = None

    @property
    def check(self) -> str:
        return self.spec.check

    @property
    def severity(self) -> Severity:
        return self.spec.severity

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")

    def describe(self) -> str:
        """A one-line human summary built from the GX result fields."""
        target = self.column or ",".join(self.kwargs.get("column_list", [])) or "table"
        text = f"{self.expectation_type.removeprefix('expect_')}({target})"
        if self.exception:
            return f"{text}: error: {self.exception}"
        if self.success:
            return f"{text}: ok"
        parts = []
        if self.unexpected_count:
            parts.append(f"{self.unexpected_count} unexpected")
        if self.unexpected_values:
            parts.append("values " + ", ".join(str(v) for v in self.unexpected_values[:10]))
        if self.unexpected_rows:
            parts.append("rows " + ", ".join(_row_label(r) for r in self.unexpected_rows[:10]))
        if self.observed_value is not None:
            parts.append(f"observed {self.observed_value}")
        return f"{text}: " + ("; ".join(parts) or "failed")

    def to_json(self) -> dict[str, Any]:
        return {
            "expectation_type": self.expectation_type,
            "column": self.column,
            "kwargs": self.kwargs,
            "success": self.success,
            "unexpected_count": self.unexpected_count,
            "element_count": self.element_count,
            "partial_unexpected_list": self.partial_unexpected_list,
            "unexpected_values": self.unexpected_values,
            "unexpected_rows": self.unexpected_rows,
            "observed_value": self.observed_value,
            "exception": self.exception,
            "origin": self.spec.origin,
            "summary": self.describe(),
        }


def _row_label(row: Any) -> str:
    if isinstance(row, dict):
        return "/".join(str(v) for k, v in row.items() if k != "_value") or str(row)
    return str(row)


@dataclass
class SuiteRun:
    """The result of one suite on one frame."""

    suite_name: str
    node: str | None
    outcomes: list[Outcome]
    result_json: dict[str, Any]

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)


def jsonable(value: Any) -> Any:
    """Plain JSON values for GX result values (timestamps, numpy scalars, NaN)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp | dt.datetime):
        if value is pd.NaT:
            return None
        return value.date().isoformat() if value == pd.Timestamp(value).normalize() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


_context = None


def gx_context() -> Any:
    """One ephemeral GX context per process: no files, no analytics, no progress bars."""
    return _make_context()


def _make_context() -> Any:
    global _context
    if _context is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        _context = gx.get_context(mode="ephemeral")
        _context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return _context


# The process's one pandas data source. Each suite name gets its own data asset in it (Data Docs
# groups a suite's results by asset), made the first time the name is validated and then reused.
_FRAMES = "okr_frames"
_batch_definitions: dict[str, Any] = {}


def _batch_definition(ctx: Any, suite_name: str) -> Any:
    """The whole-DataFrame batch definition of `suite_name`'s data asset."""
    found = _batch_definitions.get(suite_name)
    if found is None:
        try:
            frames = ctx.data_sources.get(_FRAMES)
        except KeyError:
            frames = ctx.data_sources.add_pandas(_FRAMES)
        found = frames.add_dataframe_asset(suite_name).add_batch_definition_whole_dataframe("all")
        _batch_definitions[suite_name] = found
    return found


def _release_frames(batch_definition: Any) -> None:
    """Drop the frames GX's execution engine keeps for the data source's last batches: the data
    source lives as long as the process (a daemon validates night after night)."""
    batches = batch_definition.data_asset.datasource.get_execution_engine().batch_manager
    batches.batch_data_cache.clear()
    batches.reset_batch_cache()


def validate_frame(
    df: pd.DataFrame,
    suite_name: str,
    specs: Sequence[CheckSpec],
    node: str | None = None,
    index_columns: Sequence[str] = (),
) -> SuiteRun:
    """Validate df against the specs as GX suite `suite_name` and read every outcome back."""
    ctx = gx_context()
    import great_expectations as gx
    from great_expectations.constants import DATAFRAME_REPLACEMENT_STR
    from great_expectations.core.run_identifier import RunIdentifier

    expectations = [to_gx(spec, i) for i, spec in enumerate(specs)]
    # The suite is validated on the batch directly (GX's `Batch.validate`), not added to the
    # context with a validation definition: adding, running and deleting those wrote the
    # context's stores and project configuration about ten times a validation, half its time
    # (110 -> 69 ms a suite), and the run kept every result in the context's results store.
    suite = gx.ExpectationSuite(name=suite_name, expectations=expectations)
    batch_definition = _batch_definition(ctx, suite_name)
    result_format: dict[str, Any] = {"result_format": "COMPLETE"}
    index_columns = [c for c in index_columns if c in df.columns]
    if index_columns:
        result_format["unexpected_index_column_names"] = list(index_columns)
    try:
        batch = batch_definition.get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(suite, result_format=result_format)
    finally:
        _release_frames(batch_definition)
    # What `ValidationDefinition.run` adds to a result's meta, so the stored result reads the
    # same (Data Docs files each validation under its run_id).
    run_id = RunIdentifier(run_time=dt.datetime.now(dt.UTC))
    result.meta.update(
        validation_id=None,
        checkpoint_id=None,
        run_id=run_id,
        validation_time=run_id.run_time,
        batch_parameters={"dataframe": DATAFRAME_REPLACEMENT_STR},
    )
    outcomes: list[Outcome | None] = [None] * len(specs)
    for r in result.results:
        config = r.expectation_config
        i = int(config.meta["okr_spec"])
        res = r.result or {}
        exc = r.exception_info or {}
        if "raised_exception" not in exc and exc:  # GX nests exception info by metric id
            exc = next(iter(exc.values()), {}) if isinstance(next(iter(exc.values()), None), dict) else {}
        counts = res.get("partial_unexpected_counts") or []
        kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
        outcomes[i] = Outcome(
            spec=specs[i],
            success=bool(r.success),
            expectation_type=config.type,
            kwargs=jsonable(kwargs),
            unexpected_count=res.get("unexpected_count"),
            element_count=res.get("element_count"),
            partial_unexpected_list=jsonable((res.get("partial_unexpected_list") or [])[:MAX_LISTED]),
            unexpected_values=jsonable([c["value"] for c in counts][:MAX_LISTED]),
            unexpected_rows=jsonable((res.get("unexpected_index_list") or [])[:MAX_LISTED])
            if index_columns
            else [],
            observed_value=jsonable(res.get("observed_value")),
            exception=exc.get("exception_message") if exc.get("raised_exception") else None,
        )
    missing = [specs[i].expect for i, o in enumerate(outcomes) if o is None]
    if missing:
        raise RuntimeError(f"GX returned no result for {missing} in suite {suite_name}")
    return SuiteRun(
        suite_name=suite_name,
        node=node,
        outcomes=[o for o in outcomes if o is not None],
        result_json=result.to_json_dict(),
    )
