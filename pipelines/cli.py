"""The `okr` command: validate definitions, run the nightly job in-process, backfill history.

Exit codes: 0 success (off-track KRs are not failures), 1 definition or data errors, 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from pipelines.okr_definitions import DefinitionErrors, load_definitions
from pipelines.settings import Settings, SettingsError, load_settings

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-11-26: {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="okr", description="Score marketing OKRs from the data itself.")
    parser.add_argument(
        "--workspace", type=Path, help="workspace folder (default: OKR_WORKSPACE or the repo)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="check okrs/*.yml and okrs/checkins.csv; exit 1 on any error")
    run = sub.add_parser("run", help="run the nightly scoring job in-process and publish the scorecard")
    run.add_argument(
        "--as-of", type=_date, help="scoring date (default: yesterday in the workspace time zone)"
    )
    run.add_argument("--lang", choices=["en", "fi"], help="scorecard language (default from settings.yml)")
    run.add_argument("--target", choices=["duckdb", "postgres"], help="dbt target / warehouse engine")
    backfill = sub.add_parser("backfill", help="score every day of a date range, oldest first")
    backfill.add_argument("--from", dest="start", type=_date, required=True)
    backfill.add_argument("--to", dest="end", type=_date, required=True)
    backfill.add_argument("--target", choices=["duckdb", "postgres"])
    backtest = sub.add_parser("backtest", help="replay a finished cycle: how good was the forecast interval")
    backtest.add_argument("--cycle", required=True, help="a finished cycle, e.g. 2026-Q3")
    backtest.add_argument("--at", type=_percents, default=(25, 50, 75), help="checkpoints in %% (25,50,75)")
    backtest.add_argument("--json", action="store_true", help="print JSON instead of a table")
    explain = sub.add_parser("explain", help="why one key result scores what it scores (reads the marts)")
    explain.add_argument("kr_id")
    explain.add_argument("--as-of", type=_date, help="a scored day (default: the newest)")
    explain.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parser


def _percents(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of percentages like 25,50,75: {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Settings are read at import time by the Dagster modules, so the environment comes first.
    if args.workspace:
        os.environ["OKR_WORKSPACE"] = str(args.workspace.resolve())
    if getattr(args, "target", None):
        os.environ["OKR_DBT_TARGET"] = args.target
    if getattr(args, "lang", None):
        os.environ["OKR_LANG"] = args.lang
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    try:
        defs = load_definitions(settings.okrs_dir, display_root=settings.root)
    except DefinitionErrors as exc:
        print(exc, file=sys.stderr)
        return EXIT_ERRORS
    if args.command == "validate":
        print(
            f"OK: {len(defs.files)} file(s), {len(defs.objectives)} objectives, "
            f"{len(defs.key_results)} key results, {len(defs.checkins)} check-ins"
        )
        return EXIT_OK
    if args.command == "run":
        as_of = args.as_of or settings.yesterday()
        return _run_days(settings, [as_of], publish_always=True)
    if args.command in ("backtest", "explain"):
        from pipelines.analysis_commands import run_analysis_command

        return run_analysis_command(args, settings, defs)
    days = [args.start + dt.timedelta(days=i) for i in range((args.end - args.start).days + 1)]
    if not days:
        print("error: --to is before --from", file=sys.stderr)
        return EXIT_USAGE
    return _run_days(settings, days, publish_always=False)


def _run_days(settings: Settings, days: list[dt.date], publish_always: bool) -> int:
    """Score each day in turn. `okr run` publishes the day it was asked for; a backfill publishes
    only a day that is the newest scored one, so readers keep seeing the latest scorecard."""
    first, last = dt.date.fromisoformat(settings.history_start), settings.yesterday()
    for day in days:
        if not first <= day <= last:
            print(
                f"error: as-of date {day} is outside the scorable range {first}..{last} "
                "(history_start in settings.yml .. yesterday)",
                file=sys.stderr,
            )
            return EXIT_USAGE
    from pipelines.runner import run_nightly  # imports Dagster and parses dbt: only when running

    data_errors = 0
    for day in days:
        result = run_nightly(day, lang=os.environ.get("OKR_LANG"), publish_always=publish_always)
        if not result.success:
            print(f"error: scoring {day} failed:\n{result.error}", file=sys.stderr)
            return EXIT_ERRORS
        print(result.summary)
        data_errors += result.blocked_krs
    print(f"scorecard: {settings.scorecard_dir / 'index.html'}")
    if data_errors:
        # The scorecard is published (unaffected KRs are scored) but the data needs attention.
        print(
            f"error: {data_errors} key result(s) not scored because a data check failed with severity ERROR "
            f"(see {settings.scorecard_dir / 'quality' / 'index.html'})",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
