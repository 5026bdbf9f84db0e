"""The weekly digest from the warehouse: what `okr digest` and the `weekly_digest` job run.

The digest reads the same marts as the scorecard (kr_scores and friends, kr_score_history) for
one scored day, by default the newest one, so it says what the published scorecard says.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping
from typing import Any, TextIO

import pandas as pd

from connectors.warehouse import Warehouse, open_warehouse
from pipelines.reporting.digest import DigestReport, DigestSettings, SmtpSettings, digest_text, send_digests
from pipelines.reporting.ledger import Ledger
from pipelines.reporting.report import Report, build_report
from pipelines.settings import Settings


class DigestError(RuntimeError):
    """Nothing to digest (no scored day) or unusable settings: one plain sentence for the user."""


def newest_scored_day(warehouse: Warehouse) -> dt.date | None:
    try:
        newest = warehouse.query("SELECT max(as_of) AS d FROM analytics.kr_score_history")["d"].iloc[0]
    except Exception:  # no table yet: nothing was ever scored
        return None
    return None if pd.isna(newest) else pd.Timestamp(newest).date()


def load_report(settings: Settings, warehouse: Warehouse, as_of: dt.date, lang: str) -> Report:
    from pipelines.reporting.scorecard_asset import chart_history, load_history
    from pipelines.reporting.scorecard_data import load_scorecard

    data = load_scorecard(warehouse, as_of, dt.datetime.now(dt.UTC))
    history = chart_history(warehouse, load_history(warehouse, as_of))
    return build_report(data, history, {}, lang=lang, teams=settings.teams)


def run_digest(
    settings: Settings,
    as_of: dt.date | None = None,
    *,
    dry_run: bool = False,
    warehouse: Warehouse | None = None,
    environ: Mapping[str, str] | None = None,
    client_options: Mapping[str, Any] | None = None,
) -> DigestReport:
    """Build (and unless `dry_run`, send) every team's digest for `as_of` (default: the newest
    scored day). Raises DigestError with a plain sentence when there is nothing to digest."""
    try:
        digest = DigestSettings.from_dict(settings.digest)
        SmtpSettings.from_dict(settings.smtp)
    except ValueError as exc:
        raise DigestError(str(exc)) from None
    wh = warehouse or open_warehouse(settings.target, duckdb_path=settings.warehouse_path)
    newest = newest_scored_day(wh)
    if newest is None:
        raise DigestError(f"nothing is scored yet in {settings.warehouse_path}: run `okr run` first")
    as_of = as_of or newest
    if as_of > newest:
        raise DigestError(f"{as_of} is not scored yet: the newest scored day is {newest}")
    report = load_report(settings, wh, as_of, digest.lang or settings.lang)
    return send_digests(
        report,
        settings.alerts,
        settings.digest,
        settings.smtp,
        environ=environ,
        ledger=None if dry_run else Ledger(wh),
        client_options=client_options,
        dry_run=dry_run,
    )


def digest_command(settings: Settings, as_of: dt.date | None, dry_run: bool, out: TextIO = sys.stdout) -> int:
    """`okr digest [--as-of D] [--dry-run]`: print every team's digest; send it unless a dry run."""
    try:
        result = run_digest(settings, as_of, dry_run=dry_run)
    except DigestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if result.skipped == "invalid settings":
        print("error: the digest settings are invalid (see the log above)", file=sys.stderr)
        return 1
    from pipelines.reporting.report import texts

    for d in result.digests:
        out.write(digest_text(d, texts(d.lang).t) + "\n")
    if not result.digests:
        out.write("No team has key results in the current cycle: no digest.\n")
    if dry_run:
        out.write("dry run: nothing was sent.\n")
        return 0
    out.write(
        f"sent: {', '.join(result.posted) or 'nothing'}"
        + (f"; already sent this week: {', '.join(result.already_posted)}" if result.already_posted else "")
        + (f"; failed: {', '.join(result.failed)}" if result.failed else "")
        + (f" ({result.skipped})" if result.skipped else "")
        + "\n"
    )
    return 1 if result.failed else 0
