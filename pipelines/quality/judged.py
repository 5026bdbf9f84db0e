"""Reuse a relation's validation when it would judge the very same thing again.

A Great Expectations validation is a function of the frame it reads and the expectations it
runs: the same rows under the same specs give the same outcomes. A night that re-runs on data
that did not change (a second `okr run` after editing a KR, a retried night) used to validate
every relation again, about a quarter of the demo night. Now each suite of a relation is keyed
by a fingerprint of

- its frame: columns, dtypes, row count and an order-independent sum of row hashes;
- its specs, whose arguments already hold the scoring date and today's date where a rule uses
  them (freshness, "not in the future", the volume window), so a new day is a new key;
- the quality code itself (every module of this package) and the GX version;

and the outcomes of the last validation of that relation are stored with it (raw.load_state,
`quality_judged:<node>`). When every suite's key matches, those outcomes are used as they are;
otherwise GX validates and the new outcomes are stored. Outcomes with a GX exception are never
stored. A run tagged `okr/full_tests: true` validates everything.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from connectors.warehouse import Warehouse
from pipelines.quality.custom import CustomExpectation, expectation_files, load_custom_expectations
from pipelines.quality.gx_validation import Outcome, SuiteRun
from pipelines.quality.specs import CheckSpec

STATE_PREFIX = "quality_judged:"


@dataclass(frozen=True)
class Suite:
    """One validation to run: a frame, its specs, and the columns that name a failing row."""

    name: str
    frame: pd.DataFrame
    specs: list[CheckSpec]
    index_columns: list[str]


@cache
def code_version() -> str:
    """The GX version and pipelines/quality's code: what a stored outcome was judged with."""
    digest = hashlib.sha256(importlib.metadata.version("great_expectations").encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def frame_fingerprint(df: pd.DataFrame) -> str | None:
    """Columns, dtypes, rows and an order-independent hash of every row; None when a column
    holds values pandas cannot hash (then the frame is always validated)."""
    total = 0
    if len(df.columns) and len(df):
        try:
            total = int(pd.util.hash_pandas_object(df, index=False).sum())  # wraps: order-independent
        except TypeError:
            return None
    return f"{list(df.columns)}|{[str(t) for t in df.dtypes]}|{len(df)}|{total}"


def suites_key(node: str, suites: Sequence[Suite]) -> str | None:
    """The key of judging `node` with these suites, or None when a frame cannot be fingerprinted."""
    digest = hashlib.sha256(f"{code_version()}|{node}".encode())
    for suite in suites:
        frame = frame_fingerprint(suite.frame)
        if frame is None:
            return None
        digest.update(f"|{suite.name}|{frame}|{suite.specs!r}|{suite.index_columns!r}".encode())
    return digest.hexdigest()


def _outcome_fields(o: Outcome) -> dict[str, Any]:
    return {f.name: getattr(o, f.name) for f in fields(Outcome) if f.name != "spec"}


def recall(warehouse: Warehouse, node: str, key: str, suites: Sequence[Suite]) -> list[SuiteRun] | None:
    """The stored outcomes of judging `node`, when they were stored under `key`."""
    stored = warehouse.get_state(STATE_PREFIX + node)
    if not stored or stored.get("key") != key or len(stored.get("runs", [])) != len(suites):
        return None
    runs = []
    for suite, run in zip(suites, stored["runs"], strict=True):
        outcomes = [Outcome(spec=suite.specs[o.pop("spec_index")], **o) for o in run["outcomes"]]
        runs.append(SuiteRun(suite.name, run["node"], outcomes, run["result_json"]))
    return runs


def remember(
    warehouse: Warehouse, node: str, key: str, suites: Sequence[Suite], runs: Sequence[SuiteRun]
) -> None:
    """Store the outcomes of judging `node` under `key` (not when GX raised on any expectation)."""
    if any(o.exception for r in runs for o in r.outcomes):
        return
    stored = []
    for suite, run in zip(suites, runs, strict=True):
        index = {id(spec): i for i, spec in enumerate(suite.specs)}
        stored.append(
            {
                "node": run.node,
                "result_json": run.result_json,
                "outcomes": [{"spec_index": index[id(o.spec)], **_outcome_fields(o)} for o in run.outcomes],
            }
        )
    with warehouse.transaction() as tx:
        tx.set_state(STATE_PREFIX + node, {"key": key, "runs": stored})


CUSTOM_KEY = "quality_judged:custom_expectation_arguments"


def custom_expectations(
    warehouse: Warehouse, reuse: bool = True, files: Sequence[Path] | None = None
) -> list[CustomExpectation]:
    """Analysts' expectations (`files`, default models/**/expectations.yml). GX checks their
    arguments (and importing GX takes seconds) only when the files, the quality code or GX
    changed since the last check that passed; a bad file raises CustomExpectationError as always."""
    files = expectation_files() if files is None else list(files)
    digest = hashlib.sha256(code_version().encode())
    for path in files:
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
    if reuse and warehouse.get_state(CUSTOM_KEY) == digest.hexdigest():
        return load_custom_expectations(files, validate_with_gx=False)
    checked = load_custom_expectations(files)
    with warehouse.transaction() as tx:
        tx.set_state(CUSTOM_KEY, digest.hexdigest())
    return checked
