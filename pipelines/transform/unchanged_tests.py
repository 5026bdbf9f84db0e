"""Skip the staging and metric tests whose data and code did not change since they last passed.

A night recreates the staging and metric views and, before this, ran their 219 data tests (demo)
over the whole history every time, although on most nights most sources did not change: about
half of the dbt step's work. Those tests only warn (dbt_project.yml; the Great Expectations gate
decides what blocks a KR), so their outcome on data they already judged is known.

How it decides:
- a fingerprint per dbt source table: its row count and an order-independent sum of row hashes
  (one DuckDB query over every source), so any insert, delete or changed value shows;
- the code: the project fingerprint `prepare_manifest` keeps (every dbt file and the vars);
- after a step that ran every staging and metric test without an error, both are stored
  (raw.load_state, `STATE_KEY`); the next run skips a test when the code is the same and every
  source upstream of it (through the models it tests) has the same fingerprint.

When every test of the step is skipped and the step's views exist as this code built them, dbt
is not started at all (`nothing_to_build`): recreating a view with the same SQL changes nothing.

A skipped test of severity error (a blocking Dagster check) still reports its check, as passed
with a note (pipelines/transform/dbt_assets.py): a state is stored only after a build whose tests
all ran without an error. Skipped tests of severity warn report nothing: whether they warned then
is not kept.

A run tagged `okr/full_tests: true` runs every test; so does any run after a code change, on
PostgreSQL (no fingerprints there), or when no state was stored yet.
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
class TestPlan:
    """What a dbt step skips, and what to store once it has tested everything else."""

    skip: tuple[str, ...]  # test node names, for `--exclude`
    state: dict[str, Any] | None  # None: nothing to store (no fingerprints)
    same_code: bool = False  # the stored state was written by a build of this very code


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


def nothing_to_build(
    manifest: Mapping[str, Any], plan: TestPlan, models: Iterable[str], warehouse: Warehouse
) -> bool:
    """Whether a build of these view models would change nothing and test nothing: the views
    exist as this code last built them, and every test on them is skipped. (Views only: a
    view's result is its SQL over its sources, read when queried.)"""
    models = list(models)
    nodes = [manifest["nodes"][uid] for uid in models]
    if not plan.same_code or not nodes or any(n["config"].get("materialized") != "view" for n in nodes):
        return False
    if not {manifest["nodes"][t]["name"] for t in tests_of(manifest, models)} <= set(plan.skip):
        return False
    with warehouse.transaction() as tx:
        views = tx.query(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'VIEW'"
        )
    present = set(zip(views["table_schema"], views["table_name"], strict=True))
    return all((n["schema"], n.get("alias") or n["name"]) in present for n in nodes)


def source_fingerprints(warehouse: Warehouse, manifest: Mapping[str, Any]) -> dict[str, str] | None:
    """source unique_id -> fingerprint of its table ("missing" when it does not exist), or None
    where fingerprints are not available (not DuckDB)."""
    if warehouse.engine != "duckdb":
        return None
    sources = {uid: (s["schema"], s.get("identifier") or s["name"]) for uid, s in manifest["sources"].items()}
    with warehouse.session(), warehouse.transaction() as tx:
        tables = tx.query(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN "
            f"({', '.join('?' * len({s for s, _ in sources.values()}))})",
            sorted({s for s, _ in sources.values()}),
        )
        present = set(zip(tables["table_schema"], tables["table_name"], strict=True))
        parts = [
            f"SELECT '{uid}' AS uid, count(*) AS n, coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR AS h "
            f"FROM {quote_ident(schema)}.{quote_ident(table)} AS t"
            for uid, (schema, table) in sorted(sources.items())
            if (schema, table) in present
        ]
        rows = tx.query(" UNION ALL ".join(parts)) if parts else None
    out = dict.fromkeys(sources, "missing")
    if rows is not None:
        out.update({r.uid: f"{r.n}:{r.h}" for r in rows.itertuples(index=False)})
    return out


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


def plan_tests(
    manifest: Mapping[str, Any],
    tests: Iterable[str],
    code: str,
    fingerprints: Mapping[str, str] | None,
    stored: Mapping[str, Any] | None,
    full: bool = False,
) -> TestPlan:
    """Which of `tests` (unique ids) to skip: those whose code and upstream data are as they were
    when the stored state was written. Tests that read no source always run."""
    if fingerprints is None:
        return TestPlan((), None)
    state = {"code": code, "sources": dict(fingerprints)}
    if full or not stored or stored.get("code") != code:
        return TestPlan((), state)
    before = stored.get("sources") or {}
    skip = []
    for uid in tests:
        upstream = upstream_sources(manifest, uid)
        if upstream and all(before.get(s) == fingerprints.get(s) for s in upstream):
            skip.append(manifest["nodes"][uid]["name"])
    return TestPlan(tuple(sorted(skip)), state, same_code=True)
