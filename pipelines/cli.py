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
    backfill = sub.add_parser("backfill", help="score every day of a date range in one run")
    backfill.add_argument("--from", dest="start", type=_date, required=True)
    backfill.add_argument("--to", dest="end", type=_date, required=True)
    backfill.add_argument("--target", choices=["duckdb", "postgres"])
    backfill.add_argument(
        "--replace",
        action="store_true",
        help="rescore days that already have history (default: fill missing days)",
    )
    return parser


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
        return _run_days(settings, as_of, as_of, backfill=False)
    if args.end < args.start:
        print("error: --to is before --from", file=sys.stderr)
        return EXIT_USAGE
    return _run_days(settings, args.start, args.end, backfill=True, replace=args.replace)


def _run_days(settings: Settings, start: dt.date, end: dt.date, backfill: bool, replace: bool = False) -> int:
    """Score start..end. `okr run` (one day) publishes the day it was asked for; a backfill is one
    run over the range and publishes its newest day only if no newer day is published."""
    first, last = dt.date.fromisoformat(settings.history_start), settings.yesterday()
    for day in (start, end):
        if not first <= day <= last:
            print(
                f"error: as-of date {day} is outside the scorable range {first}..{last} "
                "(history_start in settings.yml .. yesterday)",
                file=sys.stderr,
            )
            return EXIT_USAGE
    from pipelines.scoring_run import run_nightly, run_range  # imports Dagster: only when running

    lang = os.environ.get("OKR_LANG")
    if backfill:
        result = run_range(start, end, replace=replace, lang=lang)
    else:
        result = run_nightly(start, lang=lang, publish_always=True)
    if not result.success:
        span = start if start == end else f"{start}..{end}"
        print(f"error: scoring {span} failed:\n{result.error}", file=sys.stderr)
        return EXIT_ERRORS
    print(result.summary)
    data_errors = result.blocked_krs
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
