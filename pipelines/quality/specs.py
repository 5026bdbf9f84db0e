"""What one data check is before Great Expectations sees it, and how it becomes a GX expectation.

A `CheckSpec` is one GX expectation plus the two things GX does not know: the Dagster check it
belongs to (`check`, e.g. `stg_hubspot__deals_structure`) and its severity. Outcomes are always
read back from the GX validation result (see `gx_validation.py`), never recomputed here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.StrEnum):
    # ERROR blocks the KRs fed by the failing source; WARN is shown beside them.
    ERROR = "ERROR"
    WARN = "WARN"


@dataclass(frozen=True)
class CheckSpec:
    """One expectation: GX type in snake case without `expect_`, and its keyword arguments."""

    check: str
    expect: str
    kwargs: dict[str, Any]
    severity: Severity
    # Lineage node the expectation is about: `raw.<table>`, a staging model or a metric model.
    node: str | None = None
    kr_id: str | None = None
    metric: str | None = None
    origin: str = "built-in"  # or `path/expectations.yml#3` for analysts' own expectations
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")


@dataclass(frozen=True)
class ColumnEquals:
    """The row condition `column == value`, kept as plain data until GX builds the expectation:
    a night whose checks are all reused (judged.py) never imports GX (about 2 s)."""

    column: str
    value: Any

    def to_gx(self) -> Any:
        from great_expectations.expectations.row_conditions import Column

        return Column(self.column) == self.value


def expectation_class(expect: str) -> type:
    """The GX Core expectation class for `column_values_to_be_between` (or `expect_column_…`)."""
    import great_expectations.expectations as gxe  # slow import: only when checks run

    name = expect.removeprefix("expect_")
    class_name = "Expect" + "".join(part.capitalize() for part in name.split("_"))
    cls = getattr(gxe, class_name, None)
    if cls is None:
        raise KeyError(f"unknown expectation {expect!r} (no great_expectations.expectations.{class_name})")
    return cls


def to_gx(spec: CheckSpec, spec_index: int) -> Any:
    """Build the GX expectation; `meta.okr_spec` ties each GX result back to its spec."""
    cls = expectation_class(spec.expect)
    kwargs = {k: v.to_gx() if isinstance(v, ColumnEquals) else v for k, v in spec.kwargs.items()}
    return cls(**kwargs, meta={**spec.meta, "okr_spec": spec_index, "okr_check": spec.check})
