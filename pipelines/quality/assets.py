"""The quality step in the Dagster asset graph.

- `data_quality_gate` (asset `raw/okr_blocked_metrics`): after staging and metric models, before
  the scoring marts. Runs every data suite, stores the outcomes and writes the blocked metrics.
- `source_quality_checks`: asset checks on the raw and staging assets (one op for all, so GX is
  imported once), visible on each asset in `dagster dev`.
- `kr_score_checks`: the off-track suite as WARN checks on `kr_scores`; never fails the run.

GX is imported inside the functions: loading the code location stays fast.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

import dagster as dg

from pipelines.okr_definitions.metric_catalog import metric_model_names
from pipelines.partitions import daily_partitions, scoring_range, single_run
from pipelines.quality.custom import CustomExpectation, load_custom_expectations
from pipelines.quality.gx_validation import Outcome, SuiteRun
from pipelines.quality.krs import KR_CHECKS, kr_details
from pipelines.quality.sources import ALL_PROFILES, STAGING_PROFILES
from pipelines.quality.specs import Severity
from pipelines.quality.suites import check_names
from pipelines.resources import WarehouseResource, WorkspaceResource
from pipelines.transform.unchanged_tests import full_checks_requested

GATE_KEY = dg.AssetKey(["raw", "okr_blocked_metrics"])
KR_SCORES_KEY = dg.AssetKey(["kr_scores"])
GROUP = "quality"


def _as_of(
    context: dg.AssetCheckExecutionContext | dg.AssetExecutionContext, workspace: WorkspaceResource
) -> dt.date:
    """The scoring date: the run's partition (the newest of a range), else yesterday."""
    span = scoring_range(context.run.tags)
    return span[1] if span else workspace.settings().yesterday()


def _lineage(workspace: WorkspaceResource) -> dict[str, set[str]]:
    from pipelines.quality.lineage import load_lineage
    from pipelines.transform.dbt_setup import prepare_manifest

    return load_lineage(prepare_manifest(workspace.settings()))


def _custom_on_load() -> list[CustomExpectation]:
    # Structure only at load time (no GX import); GX validates the arguments when checks run.
    return load_custom_expectations(validate_with_gx=False)


def _check_severity(outcomes: Sequence[Outcome], default: Severity) -> dg.AssetCheckSeverity:
    failed = [o for o in outcomes if not o.success]
    worst = (
        Severity.ERROR
        if any(o.severity is Severity.ERROR for o in failed)
        else (Severity.WARN if failed else default)
    )
    return dg.AssetCheckSeverity.ERROR if worst is Severity.ERROR else dg.AssetCheckSeverity.WARN


def _outcome_metadata(outcomes: Sequence[Outcome], runs: Sequence[SuiteRun]) -> dict[str, dg.MetadataValue]:
    failed = [o for o in outcomes if not o.success]
    lines = ["| expectation | severity | result | origin |", "|---|---|---|---|"]
    lines += [
        f"| {o.describe()} | {o.severity.value} | {'ok' if o.success else 'FAILED'} | {o.spec.origin} |"
        for o in outcomes
    ]
    return {
        "suites": dg.MetadataValue.text(", ".join(r.suite_name for r in runs)),
        "expectations": dg.MetadataValue.int(len(outcomes)),
        "failed": dg.MetadataValue.int(len(failed)),
        "failures": dg.MetadataValue.json([o.to_json() for o in failed]),
        "results": dg.MetadataValue.md("\n".join(lines)),
    }


def source_check_specs(
    asset_keys: Iterable[dg.AssetKey] | None = None, custom: Sequence[CustomExpectation] | None = None
) -> dict[dg.AssetCheckKey, tuple[str, str, Severity]]:
    """check key -> (lineage node, check name, severity) for every profiled table and custom target."""
    custom = _custom_on_load() if custom is None else custom
    allowed = None if asset_keys is None else set(asset_keys)
    out: dict[dg.AssetCheckKey, tuple[str, str, Severity]] = {}
    for p in ALL_PROFILES:
        key = dg.AssetKey(list(p.asset_key))
        if allowed is None or key in allowed:
            for name, sev in check_names(p).items():
                out[dg.AssetCheckKey(key, name)] = (p.node, name, sev)
    for c in custom:
        key = dg.AssetKey(list(c.asset_key))
        if allowed is None or key in allowed:
            out.setdefault(dg.AssetCheckKey(key, c.check_name), (c.target, c.check_name, c.severity))
    return out


def build_source_quality_checks(
    asset_keys: Iterable[dg.AssetKey] | None = None, custom: Sequence[CustomExpectation] | None = None
) -> dg.AssetChecksDefinition:
    """Asset checks for the raw/staging assets (restricted to `asset_keys` when given)."""
    specs = source_check_specs(asset_keys, custom)

    @dg.multi_asset_check(
        name="source_quality_checks",
        specs=[
            dg.AssetCheckSpec(k.name, asset=k.asset_key, description=f"{sev.value} data checks ({node})")
            for k, (node, _, sev) in specs.items()
        ],
        can_subset=True,
        compute_kind="great_expectations",
    )
    def source_quality_checks(
        context: dg.AssetCheckExecutionContext, workspace: WorkspaceResource, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        from pipelines.quality.judged import custom_expectations
        from pipelines.quality.runner import run_results, run_source_checks, used_metrics

        as_of = _as_of(context, workspace)
        wh = warehouse.open()
        selected = [k for k in specs if k in context.selected_asset_check_keys]
        nodes = sorted({specs[k][0] for k in selected})
        reuse = not full_checks_requested(context.run.tags)
        lineage = _lineage(workspace)
        with wh.session():
            quality = run_source_checks(
                wh,
                as_of,
                lineage,
                custom_expectations(wh, reuse),
                metrics_in_use=used_metrics(wh),
                nodes=nodes,
                shared=run_results(context.run.run_id, as_of),
                reuse=reuse,
            )
        by_check: dict[str, list[Outcome]] = defaultdict(list)
        runs_of: dict[str, list[SuiteRun]] = defaultdict(list)
        for run in quality.runs:
            for o in run.outcomes:
                by_check[o.check].append(o)
                if run not in runs_of[o.check]:
                    runs_of[o.check].append(run)
        for key in selected:
            node, name, sev = specs[key]
            outcomes = by_check.get(name, [])
            if node in quality.skipped:
                yield dg.AssetCheckResult(
                    asset_key=key.asset_key,
                    check_name=name,
                    passed=True,
                    severity=dg.AssetCheckSeverity.WARN,
                    description=f"not judged: {node} {quality.skipped[node]}",
                    metadata={"as_of": as_of.isoformat(), "skipped": quality.skipped[node]},
                )
                continue
            yield dg.AssetCheckResult(
                asset_key=key.asset_key,
                check_name=name,
                passed=all(o.success for o in outcomes),
                severity=_check_severity(outcomes, sev),
                metadata={
                    "as_of": dg.MetadataValue.text(as_of.isoformat()),
                    **_outcome_metadata(outcomes, runs_of[name]),
                },
            )

    return source_quality_checks


def _gate_deps() -> list[dg.AssetKey]:
    return [dg.AssetKey([p.name]) for p in STAGING_PROFILES] + [
        dg.AssetKey([m]) for m in metric_model_names()
    ]


@dg.asset(
    key=GATE_KEY,
    deps=_gate_deps(),
    partitions_def=daily_partitions,
    backfill_policy=single_run,
    group_name=GROUP,
    kinds={"great_expectations"},
    description="Data-quality gate: runs every data suite and lists the metrics whose sources failed an "
    "ERROR check; the scoring marts mark the KRs on those metrics stale/no_data. A range run (backfill) "
    "judges the data once, as of its newest day.",
)
def data_quality_gate(
    context: dg.AssetExecutionContext, workspace: WorkspaceResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from pipelines.quality.judged import custom_expectations
    from pipelines.quality.runner import run_results, run_source_checks, used_metrics
    from pipelines.quality.store import save_runs, write_blocked

    as_of = dt.date.fromisoformat(context.partition_key_range.end)
    wh = warehouse.open()
    reuse = not full_checks_requested(context.run.tags)
    lineage = _lineage(workspace)  # may parse the dbt project: before the warehouse is held
    with wh.session():  # some 40 reads and writes: one connection
        custom = custom_expectations(wh, reuse)
        quality = run_source_checks(
            wh,
            as_of,
            lineage,
            custom,
            metrics_in_use=used_metrics(wh),
            shared=run_results(context.run_id, as_of),
            reuse=reuse,
        )
        asset_of = {
            name: "/".join(k.asset_key.path) for k, (_, name, _) in source_check_specs(custom=custom).items()
        }
        save_runs(wh, as_of, context.run_id, quality.runs, asset_of, quality.checks_run)
        write_blocked(wh, quality.blocked, quality.lineage)
    failed = [o for r in quality.runs for o in r.outcomes if not o.success]
    for metric, reason in sorted(quality.blocked.items()):
        context.log.warning(f"metric {metric} blocked: {reason}")
    return dg.MaterializeResult(
        metadata={
            "as_of": as_of.isoformat(),
            "blocked_metrics": dg.MetadataValue.json(quality.blocked),
            "failed_error": sum(o.severity is Severity.ERROR for o in failed),
            "failed_warn": sum(o.severity is Severity.WARN for o in failed),
            "suites": len(quality.runs),
            "skipped": dg.MetadataValue.json(quality.skipped),
        }
    )


def _kr_line(d: dict) -> str:
    return (
        f"{d.get('kr_id')} {d.get('title') or ''} ({d.get('status')}): score {d.get('score')}, "
        f"expected {d.get('expected_progress')}, gap {d.get('gap')}, owner {d.get('owner')}, "
        f"data through {d.get('data_through')}"
    )


@dg.multi_asset_check(
    name="kr_score_checks",
    specs=[
        dg.AssetCheckSpec(name, asset=KR_SCORES_KEY, description=desc) for name, desc in KR_CHECKS.items()
    ],
    can_subset=True,
    compute_kind="great_expectations",
)
def kr_score_checks(
    context: dg.AssetCheckExecutionContext, workspace: WorkspaceResource, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    """Off-track flags: WARN results naming each failing KR, grouped by objective."""
    from pipelines.quality.runner import run_kr_checks
    from pipelines.quality.store import save_runs

    as_of = _as_of(context, workspace)
    wh = warehouse.open()
    with wh.session():
        run, scores = run_kr_checks(wh, as_of, reuse=not full_checks_requested(context.run.tags))
        runs = [run] if run else []
        save_runs(wh, as_of, context.run.run_id, runs, dict.fromkeys(KR_CHECKS, "kr_scores"), KR_CHECKS)
    for key in context.selected_asset_check_keys:
        outcomes = [o for r in runs for o in r.outcomes if o.check == key.name]
        failing = [kr_details(scores, o.spec.kr_id or "") for o in outcomes if not o.success]
        by_objective: dict[str, list[str]] = defaultdict(list)
        for d in failing:
            by_objective[str(d.get("objective_id"))].append(_kr_line(d))
        yield dg.AssetCheckResult(
            asset_key=KR_SCORES_KEY,
            check_name=key.name,
            passed=not failing,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{len(failing)} of {len(outcomes)} KRs: {KR_CHECKS[key.name]}" if failing else None,
            metadata={
                "as_of": as_of.isoformat(),
                "krs_checked": len(outcomes),
                "failing_krs": dg.MetadataValue.json(failing),
                "by_objective": dg.MetadataValue.json(dict(by_objective)),
                "summary": dg.MetadataValue.md(
                    "\n".join(
                        f"- **{obj}**: " + "; ".join(lines) for obj, lines in sorted(by_objective.items())
                    )
                    or "all KRs as expected"
                ),
            },
        )
