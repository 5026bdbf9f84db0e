"""Skip the staging and metric step's tests and models whose data and code did not change since
they last passed.

A night recreates the staging and metric views, gathers the metric rows KRs read
(int_metric_rows) and, before this, ran their 219 data tests (demo) over the whole history every
time, although on most nights most sources did not change: about half of the dbt step's work.
Those tests only warn (dbt_project.yml; the Great Expectations gate decides what blocks a KR), so
their outcome on data they already judged is known; a view recreated with the same SQL changes
nothing, and a table built again from the same rows holds the same rows.

How it decides:
- a fingerprint per dbt source table: its row count and an order-independent sum of row hashes
  (one DuckDB query over every source), so any insert, delete or changed value shows; a source
  whose meta lists `okr_fingerprint_columns` is fingerprinted on those columns only
  (raw.okr_run_context: its dates, not the time each call wrote them);
- the code: the project fingerprint `prepare_manifest` keeps (every dbt file and the vars);
- after a step that built every model and ran every test without an error (or skipped them as
  unchanged), both are stored (raw.load_state, `STATE_KEY`); the next run skips a test or a model
  when the code is the same and every source upstream of it (through the models between) has the
  same fingerprint, and a model only while its relation exists. The state is cleared before dbt
  starts, so a build that fails half-way leaves nothing that could pass a table built from newer
  rows as unchanged later.

When every test and model of the step is skipped, dbt is not started at all (`nothing_to_build`).

A skipped test of severity error (a blocking Dagster check) still reports its check, as passed
with a note (pipelines/transform/dbt_assets.py): a state is stored only after a build whose tests
all ran without an error. Skipped tests of severity warn report nothing: whether they warned then
is not kept.

A run tagged `okr/full_tests: true` runs every test and builds every model; so does any run
after a code change, on PostgreSQL (no fingerprints there), or when no state was stored yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from connectors.warehouse import Warehouse, quote_ident

STATE_KEY = "dbt_tests_judged_data"
FULL_TESTS_TAG = "okr/full_tests"


def full_checks_requested(tags: Mapping[str, str]) -> bool:
    """Whether a run asks for every dbt test and data check (`okr run --full-checks`), also on
    data already judged; the dbt steps and the quality steps both read it."""
    return tags.get(FULL_TESTS_TAG, "").lower() == "true"


@dataclass(frozen=True)
class SkipPlan:
    """What a dbt step skips, and what to store once it has tested everything else."""

    skip: tuple[str, ...]  # names of the tests whose code and upstream data are unchanged
    state: dict[str, Any] | None  # None: nothing to store (no fingerprints)
    same_code: bool = False  # the stored state was written by a build of this very code
    models: tuple[str, ...] = ()  # unique ids of models whose code and upstream data are unchanged
    changed: tuple[str, ...] = ()  # unique ids of the sources whose fingerprint changed


def tests_of(manifest: Mapping[str, Any], models: Iterable[str]) -> set[str]:
    """The tests `dbt build` runs with these models (a test on any of them, as dbt selects)."""
    models = set(models)
    parents = manifest.get("parent_map") or {}
    return {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and models & set(parents.get(uid, []))
    }


def dependency_order(manifest: Mapping[str, Any], models: Iterable[str]) -> list[str]:
    """The models with every one after the models among them it reads (the order dbt builds)."""
    models = sorted(models)
    wanted, parents = set(models), manifest.get("parent_map") or {}
    done: dict[str, None] = {}

    def visit(uid: str) -> None:
        if uid in done:
            return
        for parent in sorted(parents.get(uid, [])):
            if parent in wanted:
                visit(parent)
        done[uid] = None

    for uid in models:
        visit(uid)
    return list(done)


def unchanged_models(
    plan: SkipPlan, manifest: Mapping[str, Any], models: Iterable[str], warehouse: Warehouse
) -> list[str]:
    """The models among `models` (unique ids) a build can leave as they are: unchanged by the plan
    (same code, same upstream data as after the last good build) and their relation still there."""
    nodes = {uid: manifest["nodes"][uid] for uid in set(models) & set(plan.models)}
    if not nodes:  # (the plan holds models only when the code is the same)
        return []
    with warehouse.transaction() as tx:
        relations = tx.query("SELECT table_schema, table_name FROM information_schema.tables")
    present = set(zip(relations["table_schema"], relations["table_name"], strict=True))
    return sorted(uid for uid, n in nodes.items() if (n["schema"], n.get("alias") or n["name"]) in present)


def nothing_to_build(
    manifest: Mapping[str, Any], plan: SkipPlan, models: Iterable[str], unchanged: Iterable[str]
) -> bool:
    """Whether a build of these models would change nothing and test nothing: every one of them
    is unchanged (`unchanged_models`) and every test on them is skipped."""
    models = set(models)
    if not models or not models <= set(unchanged):
        return False
    return {manifest["nodes"][t]["name"] for t in tests_of(manifest, models)} <= set(plan.skip)


def source_fingerprints(warehouse: Warehouse, manifest: Mapping[str, Any]) -> dict[str, str] | None:
    """source unique_id -> fingerprint of its table ("missing" when it does not exist), or None
    where fingerprints are not available (not DuckDB)."""
    if warehouse.engine != "duckdb":
        return None
    sources = {uid: (s["schema"], s.get("identifier") or s["name"]) for uid, s in manifest["sources"].items()}
    columns = {
        uid: (s.get("meta") or {}).get("okr_fingerprint_columns") for uid, s in manifest["sources"].items()
    }
    with warehouse.session(), warehouse.transaction() as tx:
        tables = tx.query(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN "
            f"({', '.join('?' * len({s for s, _ in sources.values()}))})",
            sorted({s for s, _ in sources.values()}),
        )
        present = set(zip(tables["table_schema"], tables["table_name"], strict=True))
        parts = [
            f"SELECT '{uid}' AS uid, count(*) AS n, "
            f"coalesce(sum({_row_hash(columns[uid])}::HUGEINT), 0)::VARCHAR AS h "
            f"FROM {quote_ident(schema)}.{quote_ident(table)} AS t"
            for uid, (schema, table) in sorted(sources.items())
            if (schema, table) in present
        ]
        rows = tx.query(" UNION ALL ".join(parts)) if parts else None
    out = dict.fromkeys(sources, "missing")
    if rows is not None:
        out.update({r.uid: f"{r.n}:{r.h}" for r in rows.itertuples(index=False)})
    return out


def _row_hash(columns: list[str] | None) -> str:
    """A row's hash: of the whole row, or of the listed columns."""
    return f"hash({', '.join(f't.{quote_ident(c)}' for c in columns)})" if columns else "hash(t)"


def upstream_sources(manifest: Mapping[str, Any], unique_id: str) -> set[str]:
    """Every source a node reads, through the models between."""
    parents = manifest.get("parent_map") or {}
    seen: set[str] = set()
    todo = [unique_id]
    while todo:
        for parent in parents.get(todo.pop(), []):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return {p for p in seen if p.startswith("source.")}


def plan_skips(
    manifest: Mapping[str, Any],
    nodes: Iterable[str],
    code: str,
    fingerprints: Mapping[str, str] | None,
    stored: Mapping[str, Any] | None,
    full: bool = False,
) -> SkipPlan:
    """Which of `nodes` (unique ids of tests and models) to skip: those whose code and upstream
    data are as they were when the stored state was written. Nodes that read no source always
    run."""
    if fingerprints is None:
        return SkipPlan((), None)
    state = {"code": code, "sources": dict(fingerprints)}
    if full or not stored or stored.get("code") != code:
        return SkipPlan((), state)
    before = stored.get("sources") or {}
    tests, models = [], []
    for uid in nodes:
        upstream = upstream_sources(manifest, uid)
        if upstream and all(before.get(s) == fingerprints.get(s) for s in upstream):
            if manifest["nodes"][uid]["resource_type"] == "test":
                tests.append(manifest["nodes"][uid]["name"])
            else:
                models.append(uid)
    changed = tuple(sorted(uid for uid, fp in fingerprints.items() if before.get(uid) != fp))
    return SkipPlan(
        tuple(sorted(tests)), state, same_code=True, models=tuple(sorted(models)), changed=changed
    )


def rebuild_selection(
    manifest: Mapping[str, Any],
    plan: SkipPlan,
    step_select: Iterable[str],
    models: Iterable[str],
    unchanged: Iterable[str],
) -> tuple[str, tuple[str, ...]]:
    """dbt's --select for what a step of unchanged code must still build and test, and the tests
    it still skips: what the changed sources feed (`source:<changed>+`, within each of the step's
    own selection terms), and the step's models that are not unchanged for another reason (their
    relation is missing; dbt then runs their tests too).

    Written from the changed sources rather than as an --exclude of every unchanged node by name:
    dbt matches each name against every node of the project, which took about 7 s for 800 names
    at 200 metrics; a handful of source terms costs a fraction of that."""
    models, changed = list(models), set(plan.changed)
    specs = []
    for uid in plan.changed:
        source = manifest["sources"][uid]
        specs += [f"source:{source['source_name']}.{source['name']}+,{item}" for item in step_select]
    selected_by_source = {uid for uid in models if changed & upstream_sources(manifest, uid)}
    left = set(unchanged) | selected_by_source
    others = [uid for uid in models if uid not in left]
    specs += sorted(manifest["nodes"][uid]["name"] for uid in others)
    tested_anyway = {manifest["nodes"][t]["name"] for t in tests_of(manifest, others)}
    return " ".join(specs), tuple(name for name in plan.skip if name not in tested_anyway)
