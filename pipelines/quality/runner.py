"""Run the data-quality suites on the warehouse and decide which metrics are blocked.

Which tables are judged: every profiled raw table and staging model that exists. An empty table
that no KR reads is skipped (every source's raw table is created empty, used or not); an empty
table that a KR reads fails `table_row_count_to_be_between` (ERROR) and blocks those KRs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pandas as pd

from connectors.warehouse import Warehouse, quote_ident
from pipelines.quality.custom import CustomExpectation
from pipelines.quality.gx_validation import SuiteRun, validate_frame
from pipelines.quality.judged import Suite, recall, remember, suites_key
from pipelines.quality.krs import kr_phases, kr_rule_specs, per_kr_outcomes
from pipelines.quality.lineage import metrics_fed_by
from pipelines.quality.sources import ALL_PROFILES, TableProfile, profile_for
from pipelines.quality.specs import Severity
from pipelines.quality.suites import table_specs, volume_frame, volume_specs

KR_SUITE = "okr.kr_scores"
MAX_REASON = 400


@dataclass
class SourceQuality:
    runs: list[SuiteRun] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # node -> why it was not judged
    blocked: dict[str, str] = field(default_factory=dict)  # metric -> reason
    lineage: dict[str, set[str]] = field(default_factory=dict)
    checks_run: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class NodeQuality:
    """What judging one relation gave: its suite runs and check names, or why it was skipped."""

    runs: list[SuiteRun]
    checks_run: set[str]
    skipped: str | None = None


# The quality gate and the source asset checks judge the same relations on the same data in one
# run. Run in one process (`okr run`, backfills), the second reuses what the first validated
# instead of reading and validating every table again (about a tenth of a demo night). Holds the
# current run only, and `forget_run_results` empties it when the run ends.
_shared: dict[tuple[str, dt.date], dict[str, NodeQuality]] = {}


def run_results(run_id: str, as_of: dt.date) -> dict[str, NodeQuality]:
    """The per-relation results of run `run_id` as of `as_of` so far, shared by the steps of the
    run that run in this process (those of any earlier run are dropped)."""
    key = (run_id, as_of)
    if key not in _shared:
        _shared.clear()
        _shared[key] = {}
    return _shared[key]


def forget_run_results() -> None:
    _shared.clear()


def read_relation(
    warehouse: Warehouse, schema: str, table: str, where: str = "", params: Sequence = ()
) -> pd.DataFrame | None:
    """All rows of schema.table (a table or view), or None when it does not exist."""
    with warehouse.transaction(schema) as tx:
        if not tx.table_columns(table):
            return None
        return tx.query(f"SELECT * FROM {quote_ident(schema)}.{quote_ident(table)} {where}", list(params))


def _normalise_dates(df: pd.DataFrame, columns: Iterable[str], tz: str) -> pd.DataFrame:
    """Date/timestamp columns as naive datetime64 in the source's zone, so GX compares like with like."""
    df = df.copy()
    for c in columns:
        if c not in df.columns:
            continue
        col = pd.to_datetime(df[c])
        if getattr(col.dt, "tz", None) is not None:
            col = col.dt.tz_convert(ZoneInfo(tz)).dt.tz_localize(None)
        df[c] = col.astype("datetime64[us]")
    return df


def used_metrics(warehouse: Warehouse) -> set[str] | None:
    """Metrics some KR reads (raw.okr_key_results), or None when no definitions are stored."""
    df = read_relation(warehouse, "raw", "okr_key_results")
    if df is None or df.empty or "metric" not in df.columns:
        return None
    return {str(m) for m in df["metric"].dropna()}


def _schema_table(node: str) -> tuple[str, str]:
    schema, _, name = node.rpartition(".")
    return (schema or "analytics"), name


def _today(profile: TableProfile | None, now: dt.datetime | None) -> dt.date:
    tz = ZoneInfo(profile.timezone if profile else "Europe/Helsinki")
    return (now.astimezone(tz) if now else dt.datetime.now(tz)).date()


def node_suites(
    node: str,
    as_of: dt.date,
    df: pd.DataFrame,
    custom: Sequence[CustomExpectation] = (),
    now: dt.datetime | None = None,
) -> list[Suite]:
    """The suites of one relation: its profile's rules plus analysts' expectations, and volume."""
    profile = profile_for(node)
    schema, table = _schema_table(node)
    suite = f"{schema}.{table}"
    specs = []
    if profile:
        df = _normalise_dates(
            df,
            {*profile.date_columns, profile.freshness_date, profile.volume_date} - {None},
            profile.timezone,
        )
        specs += table_specs(profile, df.columns, as_of, _today(profile, now))
    specs += [c.to_spec() for c in custom if c.target == node]
    index = [c for c in (profile.unique_key if profile else ()) if c in df.columns]
    suites = [Suite(suite, df, specs, index)] if specs else []
    if profile and profile.volume_date and profile.volume_date in df.columns:
        vol = volume_frame(df[profile.volume_date], as_of)
        suites.append(Suite(f"{suite}.volume", vol, volume_specs(profile), ["day"]))
    return suites


def run_node(
    warehouse: Warehouse,
    node: str,
    as_of: dt.date,
    custom: Sequence[CustomExpectation] = (),
    now: dt.datetime | None = None,
    frame: pd.DataFrame | None = None,
    reuse: bool = False,
) -> list[SuiteRun]:
    """Validate one relation's suites. With `reuse`, outcomes stored for the very same frames and
    specs are used instead (judged.py), and new outcomes are stored for the next run."""
    schema, table = _schema_table(node)
    df = frame if frame is not None else read_relation(warehouse, schema, table)
    suites = node_suites(node, as_of, pd.DataFrame() if df is None else df, custom, now)
    return _judge(warehouse, node, suites, reuse)


def _judge(warehouse: Warehouse, node: str, suites: Sequence[Suite], reuse: bool) -> list[SuiteRun]:
    """Validate the suites of `node`; with `reuse`, the outcomes stored for the very same frames
    and specs instead (judged.py), and new outcomes are stored for the next run."""
    key = suites_key(node, suites) if reuse and suites else None
    if key is not None and (runs := recall(warehouse, node, key, suites)) is not None:
        return runs
    runs = [validate_frame(s.frame, s.name, s.specs, node, s.index_columns) for s in suites]
    if key is not None:
        remember(warehouse, node, key, suites, runs)
    return runs


def check_names_of(node: str, custom: Sequence[CustomExpectation] = ()) -> set[str]:
    from pipelines.quality.suites import check_names

    profile = profile_for(node)
    names = set(check_names(profile)) if profile else set()
    return names | {c.check_name for c in custom if c.target == node}


def run_source_checks(
    warehouse: Warehouse,
    as_of: dt.date,
    lineage: dict[str, set[str]],
    custom: Sequence[CustomExpectation] = (),
    metrics_in_use: set[str] | None = None,
    nodes: Iterable[str] | None = None,
    now: dt.datetime | None = None,
    shared: dict[str, NodeQuality] | None = None,
    reuse: bool = False,
) -> SourceQuality:
    """Validate every profiled relation (or just `nodes`) and the custom-expectation targets.
    `shared` (`run_results`): relations already judged in this run are taken from it, and the
    ones judged here are added to it. `reuse`: a relation whose frames and specs are the same as
    when it was last validated takes that validation's outcomes (judged.py)."""
    wanted = (
        list(nodes)
        if nodes is not None
        else [p.node for p in ALL_PROFILES]
        + sorted({c.target for c in custom} - {p.node for p in ALL_PROFILES})
    )
    # Without stored KR definitions every metric counts as read.
    metrics = set(lineage) if metrics_in_use is None else metrics_in_use
    in_use = {n for m in metrics for n in lineage.get(m, {m})}
    out = SourceQuality(lineage=lineage)
    shared = {} if shared is None else shared
    for node in wanted:
        if node not in shared:
            shared[node] = _judge_node(warehouse, node, as_of, custom, in_use, now, reuse)
        judged = shared[node]
        if judged.skipped is not None:
            out.skipped[node] = judged.skipped
            continue
        out.checks_run |= judged.checks_run
        out.runs += judged.runs
    out.blocked = blocked_metrics(out.runs, lineage)
    return out


def _judge_node(
    warehouse: Warehouse,
    node: str,
    as_of: dt.date,
    custom: Sequence[CustomExpectation],
    in_use: set[str] | None,
    now: dt.datetime | None,
    reuse: bool = False,
) -> NodeQuality:
    schema, table = _schema_table(node)
    df = read_relation(warehouse, schema, table)
    if df is None:
        return NodeQuality([], set(), "does not exist in the warehouse")
    if df.empty and in_use is not None and node not in in_use and not any(c.target == node for c in custom):
        return NodeQuality([], set(), "empty, and no KR reads it")
    runs = run_node(warehouse, node, as_of, custom, now=now, frame=df, reuse=reuse)
    return NodeQuality(runs, check_names_of(node, custom))


def blocked_metrics(runs: Sequence[SuiteRun], lineage: dict[str, set[str]]) -> dict[str, str]:
    """metric -> reason, for every metric downstream of a failed ERROR expectation."""
    reasons: dict[str, list[str]] = {}
    for run in runs:
        for o in run.outcomes:
            if o.success or o.severity is not Severity.ERROR or not o.spec.node:
                continue
            for metric in metrics_fed_by(lineage, o.spec.node) or ([o.spec.metric] if o.spec.metric else []):
                reasons.setdefault(metric, []).append(f"{o.spec.node}: {o.describe()}")
    out = {}
    for metric, texts in reasons.items():
        text = "; ".join(dict.fromkeys(texts))
        out[metric] = text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"
    return out


def run_kr_checks(
    warehouse: Warehouse, as_of: dt.date, reuse: bool = False
) -> tuple[SuiteRun | None, pd.DataFrame]:
    """The off-track suite on analytics.kr_scores for as_of, as one validation over every KR's row;
    (None, empty) before scoring exists. With `reuse`, the outcome stored for the very same KR
    phases and statuses is used instead (judged.py), as for the source checks."""
    scores = read_relation(warehouse, "analytics", "kr_scores")
    if scores is None:
        return None, pd.DataFrame()
    if "as_of" in scores.columns:
        scores = scores[pd.to_datetime(scores["as_of"]).dt.date == as_of].reset_index(drop=True)
    definitions = read_relation(warehouse, "raw", "okr_key_results")
    if definitions is None or definitions.empty:
        definitions = scores
    phases = kr_phases(definitions, as_of)
    if phases.empty:
        return None, scores
    status = scores[["kr_id", "status"]].drop_duplicates("kr_id").astype({"kr_id": str})
    frame = phases.merge(status, on="kr_id", how="left")
    (run,) = _judge(warehouse, "kr_scores", [Suite(KR_SUITE, frame, kr_rule_specs(), ["kr_id"])], reuse)
    return per_kr_outcomes(run, phases), scores
