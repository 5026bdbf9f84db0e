"""The `scorecard` asset: build/scorecard/ (scorecard.json, the site, csv and md exports)."""

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd
from dagster import AssetExecutionContext

from pipelines.partitions import daily_partitions, single_run
from pipelines.reporting.scorecard_data import load_scorecard
from pipelines.resources import WarehouseResource, WorkspaceResource
from pipelines.transform.dbt_setup import target_dir

# `okr run --as-of D` sets this tag: the user asked for that day's scorecard, even if older.
PUBLISH_TAG = "okr/publish"
# `okr backfill` sets this tag (Dagster's own backfills set `dagster/backfill`): no alerts.
BACKFILL_TAG = "okr/backfill"

SCORING_TABLES = [
    "kr_scores",
    "objective_scores",
    "initiative_contributions",
    "kr_definition_changes",
    "kr_score_history",
    "objective_score_history",
    "kr_actual_to_date",
]


def metric_docs(manifest_path: Path) -> dict[str, dict[str, str]]:
    """Each metric model's description and SQL, for the KR pages.

    The manifest is dagster-dbt's parsed copy, which the run's dbt assets were built from: read
    once per process, not parsed again here every night (0.15 s of the demo's scorecard step, and
    a second copy of it in memory)."""
    from dagster_dbt.dbt_manifest import read_manifest_path

    manifest = read_manifest_path(manifest_path)
    out = {}
    for node in manifest["nodes"].values():
        if node.get("resource_type") == "model" and "metrics" in node.get("fqn", [])[1:2]:
            out[node["name"]] = {"description": node.get("description", ""), "sql": node.get("raw_code", "")}
    return out


def load_history(warehouse: Any, as_of: dt.date) -> list[dict[str, Any]]:
    """The nightly scores kept in kr_score_history up to as_of (what alerts compare)."""
    df = warehouse.query(
        "SELECT as_of, kr_id, actual, progress, score, expected_progress, status, "
        "forecast_projected_actual FROM analytics.kr_score_history WHERE as_of <= ? ORDER BY kr_id, as_of",
        [as_of],
    )
    df["as_of"] = df["as_of"].astype(str).str[:10]
    return json.loads(df.to_json(orient="records"))


def chart_history(warehouse: Any, scored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nightly scores plus the actual at the end of every day with data (kr_actual_to_date), so the
    actual line covers the whole period even before nightly history has built up."""
    daily = warehouse.query("SELECT kr_id, metric_date, actual_to_date FROM analytics.kr_actual_to_date")
    rows = {(r["kr_id"], r["as_of"]): dict(r) for r in scored}
    for kr_id, day, actual in daily.itertuples(index=False):
        key = (kr_id, str(day)[:10])
        row = rows.setdefault(
            key,
            {
                "as_of": key[1],
                "kr_id": kr_id,
                "progress": None,
                "score": None,
                "expected_progress": None,
                "status": None,
                "forecast_projected_actual": None,
            },
        )
        row["actual"] = None if actual is None or actual != actual else float(actual)
    return sorted(rows.values(), key=lambda r: (r["kr_id"], r["as_of"]))


@dg.asset(
    key="scorecard",
    group_name="reporting",
    partitions_def=daily_partitions,
    backfill_policy=single_run,  # a range run publishes its newest day once
    deps=[dg.AssetKey(t) for t in SCORING_TABLES],
    description="build/scorecard/: scorecard.json (docs/scorecard-schema.md), the static site, "
    "scorecard.csv and scorecard.md for the run's as_of. Published atomically.",
)
def scorecard(
    context: AssetExecutionContext, workspace: WorkspaceResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from pipelines.reporting.alerts import send_status_alerts
    from pipelines.reporting.data_health import scorecard_quality, summary_counts
    from pipelines.reporting.ledger import Ledger
    from pipelines.reporting.load_alerts import send_load_alerts
    from pipelines.reporting.publish import publish_report, read_archive
    from pipelines.reporting.quality_pages import publish_quality_pages
    from pipelines.reporting.report import build_report

    settings = workspace.settings()
    as_of = dt.date.fromisoformat(context.partition_key_range.end)
    wh = warehouse.open()
    newest = wh.query("SELECT max(as_of) AS d FROM analytics.kr_score_history")["d"].iloc[0]
    newest = None if pd.isna(newest) else pd.Timestamp(newest).date()
    if newest and as_of < newest and context.run.tags.get(PUBLISH_TAG) != "always":
        # A backfill of a past day rebuilds history but must not replace what readers see today.
        context.log.info(f"scorecard for {as_of} not published: the published one shows {newest}")
        return dg.MaterializeResult(metadata={"published": False, "newest_as_of": str(newest)})
    with wh.session():  # the day's reads and the quality pages: one connection
        data = load_scorecard(wh, as_of, dt.datetime.now(dt.UTC))
        quality = scorecard_quality(wh, as_of)
        for kr in data["key_results"]:
            kr["checks"] = quality["checks_by_kr"].get(kr["id"], [])
        data["data_health"] = {
            **quality["data_health"],
            "failed_checks": summary_counts(wh, as_of, quality["results"]),
        }
        history = load_history(wh, as_of)
        metrics = metric_docs(target_dir(settings) / "manifest.json")
        lang = context.run.tags.get("okr/lang") or settings.lang
        # One reporting pass: the scorecard is validated and arranged once, for the site, the
        # exports and the alerts alike.
        report = build_report(
            data,
            chart_history(wh, history),
            metrics,
            lang=lang,
            carried=read_archive(settings.scorecard_dir),
            teams=settings.teams,
        )
        with tempfile.TemporaryDirectory(prefix="okr-quality-") as tmp:
            docs_dir = Path(tmp) / "quality"
            built = publish_quality_pages(
                wh, as_of, lang, docs_dir, published=settings.scorecard_dir / "quality"
            )
            context.log.info(
                "quality pages " + ("built" if built else "unchanged: copied from the published site")
            )
            publish_report(
                report, settings.scorecard_dir, timezone=settings.timezone, extra_dirs={"quality": docs_dir}
            )
    # Alerts only for the newest scored day: a backfill of an old date is not news.
    backfill = (
        context.run.tags.get(BACKFILL_TAG) == "true"
        or "dagster/backfill" in context.run.tags
        or context.partition_key_range.start != context.partition_key_range.end  # a range run
    )
    alerts = send_status_alerts(
        data,
        history,
        settings.alerts,
        lang=lang,
        newest_as_of=newest,
        run_report=report,
        ledger=Ledger(wh),
        backfill=backfill,
    )
    context.log.info(f"alerts: posted to {alerts.posted}, failed {alerts.failed}, skipped: {alerts.skipped}")
    # The operational alert: what failed to load (sources, export files), when anything did.
    load_alerts = send_load_alerts(
        data["data_health"],
        settings.alerts,
        as_of=as_of,
        lang=lang,
        newest_as_of=newest,
        ledger=Ledger(wh),
        backfill=backfill,
    )
    context.log.info(f"load alerts: posted to {load_alerts.posted}, failed {load_alerts.failed}")
    by_status = data["summary"]["by_status"]
    context.log.info("scorecard published to %s", settings.scorecard_dir)
    return dg.MaterializeResult(
        metadata={
            "published": True,
            "path": dg.MetadataValue.path(str(settings.scorecard_dir / "index.html")),
            "key_results": data["summary"]["key_results"],
            **{f"status_{k}": v for k, v in by_status.items()},
        }
    )
