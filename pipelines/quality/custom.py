"""Analysts' own expectations: `expectations.yml` files beside the dbt models, no Python needed.

```yaml
expectations:
  - table: stg_hubspot__deals        # a staging model, `raw.<table>`, or `metric: <metric model>`
    expect: column_values_to_be_between   # any GX Core expectation, snake case, without expect_
    column: amount
    min_value: 0
    max_value: 500000
    severity: warn                   # warn (default) or error; error blocks the dependent KRs
    description: Deals above 500k EUR are typos in the CRM
```
Every key besides table/metric/expect/severity/description is passed to the GX expectation, and
GX itself validates it, so a misspelt argument is reported by name with file, item and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipelines.quality.sources import profile_for
from pipelines.quality.specs import CheckSpec, Severity, expectation_class
from pipelines.settings import DBT_PROJECT_DIR, REPO_ROOT

FILE_NAME = "expectations.yml"
_RESERVED = {"table", "metric", "expect", "severity", "description"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


class CustomExpectationError(ValueError):
    """A broken expectations.yml: the message names the file, item, line and key."""


@dataclass(frozen=True)
class CustomExpectation:
    path: Path
    index: int
    line: int
    table: str | None  # relation name as written (`stg_x` or `raw.x`)
    metric: str | None
    expect: str
    kwargs: dict[str, Any]
    severity: Severity
    description: str | None

    @property
    def target(self) -> str:
        """Lineage node: `raw.<table>`, a staging model, or the metric model."""
        return self.metric or self.table or ""

    @property
    def schema_and_table(self) -> tuple[str, str]:
        if self.metric:
            return "analytics", self.metric
        assert self.table is not None
        schema, _, name = self.table.rpartition(".")
        return (schema or "analytics"), name

    @property
    def asset_key(self) -> tuple[str, ...]:
        schema, name = self.schema_and_table
        return ("raw", name) if schema == "raw" else (name,)

    @property
    def check_name(self) -> str:
        """Expectations on a profiled table join its structure/values checks; others get their own."""
        profile = profile_for(self.target)
        if profile is None:
            return f"{self.schema_and_table[1]}_custom"
        if self.severity is Severity.ERROR:
            return f"{profile.name}_structure"
        return f"{profile.name}_values" if profile.has_value_rules else f"{profile.name}_custom"

    @property
    def origin(self) -> str:
        path = self.path.resolve()
        shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
        return f"{shown}#{self.index} (line {self.line})"

    def to_spec(self) -> CheckSpec:
        return CheckSpec(
            check=self.check_name,
            expect=self.expect,
            kwargs=dict(self.kwargs),
            severity=self.severity,
            node=self.target,
            metric=self.metric,
            origin=self.origin,
            meta={"description": self.description} if self.description else {},
        )


def expectation_files(models_dir: Path | None = None) -> list[Path]:
    return sorted((models_dir or DBT_PROJECT_DIR / "models").rglob(FILE_NAME))


def _item_lines(text: str) -> list[int]:
    """1-based line of each item under `expectations:` (for error messages)."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "expectations" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _gx_errors(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    seen: dict[str, str] = {}
    for e in errors():
        key = ".".join(str(p) for p in e.get("loc", ())) or "?"
        seen.setdefault(key, e.get("msg", ""))
    return "; ".join(f"{k}: {v}" if k != "__root__" else v for k, v in seen.items())


def parse_file(path: Path, validate_with_gx: bool = True) -> list[CustomExpectation]:
    """Read one expectations.yml. With validate_with_gx, GX checks each expectation's arguments."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CustomExpectationError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return []
    if (
        not isinstance(data, dict)
        or set(data) != {"expectations"}
        or not isinstance(data["expectations"], list)
    ):
        raise CustomExpectationError(f"{path}: expected a mapping with one key 'expectations' holding a list")
    lines = _item_lines(text)
    out = []
    for i, item in enumerate(data["expectations"]):
        line = lines[i] if i < len(lines) else 0
        where = f"{path}: expectations[{i}] (line {line})"
        if not isinstance(item, dict):
            raise CustomExpectationError(f"{where}: expected a mapping, got {type(item).__name__}")
        if ("table" in item) == ("metric" in item):
            raise CustomExpectationError(f"{where}: give exactly one of 'table' or 'metric'")
        target_key = "table" if "table" in item else "metric"
        target = item[target_key]
        if (
            not isinstance(target, str)
            or not _NAME.match(target)
            or (target_key == "metric" and "." in target)
        ):
            raise CustomExpectationError(f"{where}: {target_key}: not a valid relation name: {target!r}")
        expect = item.get("expect")
        if not isinstance(expect, str) or not expect:
            raise CustomExpectationError(f"{where}: expect: required, e.g. column_values_to_not_be_null")
        severity_text = str(item.get("severity", "warn")).upper()
        if severity_text not in Severity.__members__:
            raise CustomExpectationError(
                f"{where}: severity: must be 'warn' or 'error', not {item['severity']!r}"
            )
        description = item.get("description")
        if description is not None and not isinstance(description, str):
            raise CustomExpectationError(f"{where}: description: must be text")
        kwargs = {k: v for k, v in item.items() if k not in _RESERVED}
        if validate_with_gx:
            try:
                cls = expectation_class(expect)
            except KeyError as exc:
                raise CustomExpectationError(f"{where}: expect: {exc.args[0]}") from exc
            try:
                cls(**kwargs)
            except Exception as exc:
                raise CustomExpectationError(f"{where}: {expect}: {_gx_errors(exc)}") from exc
        out.append(
            CustomExpectation(
                path=path,
                index=i,
                line=line,
                table=target if target_key == "table" else None,
                metric=target if target_key == "metric" else None,
                expect=expect.removeprefix("expect_"),
                kwargs=kwargs,
                severity=Severity[severity_text],
                description=description,
            )
        )
    return out


def load_custom_expectations(
    files: Iterable[Path] | None = None, validate_with_gx: bool = True
) -> list[CustomExpectation]:
    """All custom expectations from the given files (default: every models/**/expectations.yml)."""
    out: list[CustomExpectation] = []
    for path in expectation_files() if files is None else files:
        out.extend(parse_file(Path(path), validate_with_gx=validate_with_gx))
    return out
