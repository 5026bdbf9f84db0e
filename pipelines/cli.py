"""The `okr` command: validate definitions, run the nightly job in-process, pull and backfill history.

Exit codes: 0 success (off-track KRs are not failures), 1 definition or data errors (or a run that
failed), 2 usage, or another run holds the workspace (without `--wait`), 130 interrupted.

A run takes the workspace lock (one run per workspace; `--wait` queues behind the holder), checks
that the warehouse and scorecard folders can be written, removes what a killed publish left, and
then runs the Dagster job with dbt, Dagster and library output in a log file under
`<warehouse folder>/.okr/logs/` while the terminal shows a compact progress display. Every failure
is one block of plain text; `--debug` shows everything on the console and stack traces.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import re
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.languages import LANGUAGES
from pipelines.okr_definitions import DefinitionErrors, load_definitions
from pipelines.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from pipelines.console import Terminal
    from pipelines.reporting.load_problems import LoadProblems

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 2, 130


class CliError(Exception):
    """A failure to report as one plain block, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_ERRORS):
        super().__init__(message)
        self.code = code


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-11-26: {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's default must not overwrite `okr --debug run`.
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="okr", description="Score marketing OKRs from the data itself.")
    parser.add_argument(
        "--workspace", type=Path, help="workspace folder (default: OKR_WORKSPACE or the repo)"
    )
    parser.add_argument(
        "--debug", action="store_true", help="show all output (dbt, Dagster) and stack traces on the console"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "validate", parents=[common], help="check okrs/*.yml and okrs/checkins.csv; exit 1 on any error"
    )
    run = sub.add_parser(
        "run", parents=[common], help="run the nightly scoring job in-process and publish the scorecard"
    )
    run.add_argument(
        "--as-of", type=_date, help="scoring date (default: yesterday in the workspace time zone)"
    )
    run.add_argument("--lang", choices=LANGUAGES, help="scorecard language (default from settings.yml)")
    run.add_argument("--target", choices=["duckdb", "postgres"], help="dbt target / warehouse engine")
    backfill = sub.add_parser("backfill", parents=[common], help="score every day of a date range in one run")
    backfill.add_argument("--from", dest="start", type=_date, required=True)
    backfill.add_argument("--to", dest="end", type=_date, required=True)
    backfill.add_argument("--target", choices=["duckdb", "postgres"])
    backfill.add_argument(
        "--replace",
        action="store_true",
        help="rescore days that already have history (default: fill missing days)",
    )
    ingest = sub.add_parser(
        "ingest", parents=[common], help="load a date range of the API sources in one run (a history pull)"
    )
    ingest.add_argument("--from", dest="start", type=_date, required=True)
    ingest.add_argument("--to", dest="end", type=_date, required=True)
    ingest.add_argument(
        "--source",
        dest="sources",
        action="append",
        default=[],
        metavar="NAME",
        help="only this source (sources.yml section name; repeat for more; default: every enabled API)",
    )
    for cmd in (run, backfill):
        cmd.add_argument(
            "--full-checks",
            action="store_true",
            help="run every dbt test and data check, also those on data unchanged since they last ran",
        )
    for cmd in (run, backfill, ingest):
        cmd.add_argument(
            "--wait",
            action="store_true",
            help="when another run holds the workspace, wait for it instead of exiting with code 2",
        )
    backtest = sub.add_parser("backtest", help="replay finished cycles: how good was the forecast interval")
    backtest.add_argument(
        "--cycle",
        required=True,
        action="append",
        help="a finished cycle, e.g. 2026-Q3; repeat it for several (reported each and pooled), or `all`",
    )
    backtest.add_argument("--at", type=_percents, default=(25, 50, 75), help="checkpoints in %% (25,50,75)")
    backtest.add_argument("--json", action="store_true", help="print JSON instead of a table")
    explain = sub.add_parser("explain", help="why one key result scores what it scores (reads the marts)")
    explain.add_argument("kr_id")
    explain.add_argument("--as-of", type=_date, help="a scored day (default: the newest)")
    explain.add_argument("--json", action="store_true", help="print JSON instead of text")
    digest = sub.add_parser(
        "digest", help="print each team's weekly digest and send it (settings.yml digest:)"
    )
    digest.add_argument("--as-of", type=_date, help="scored day to digest (default: the newest scored day)")
    digest.add_argument("--dry-run", action="store_true", help="print the digests, send nothing")
    return parser


def _percents(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of percentages like 25,50,75: {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    try:
        return _main(args, debug)
    except CliError as exc:
        if debug:
            traceback.print_exc()
        _print_error(str(exc))
        return exc.code
    except KeyboardInterrupt:
        _print_error("interrupted; the published scorecard and the warehouse are as they were before")
        return EXIT_INTERRUPTED
    except Exception as exc:
        if debug:
            traceback.print_exc()
        _print_error(f"{_plain(exc)}\n(an unexpected error; `okr --debug ...` shows the stack trace)")
        return EXIT_ERRORS


def _print_error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)


def _plain(exc: BaseException) -> str:
    text = str(exc).strip()
    return text if text else type(exc).__name__


def _main(args: argparse.Namespace, debug: bool) -> int:
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
        raise CliError(str(exc)) from None
    try:
        defs = load_definitions(settings.okrs_dir, display_root=settings.root)
    except DefinitionErrors as exc:
        print(exc, file=sys.stderr)
        return EXIT_ERRORS
    if args.command == "validate":
        from pipelines.okr_definitions.pace_warnings import pace_warnings

        print(
            f"OK: {len(defs.files)} file(s), {len(defs.objectives)} objectives, "
            f"{len(defs.key_results)} key results, {len(defs.checkins)} check-ins"
        )
        for warning in pace_warnings(settings, defs):
            print(warning)
        return EXIT_OK
    if args.command in ("backtest", "explain"):
        from pipelines.analysis_commands import run_analysis_command

        return run_analysis_command(args, settings, defs)
    if args.command == "digest":
        from pipelines.reporting.digest_run import digest_command

        return digest_command(settings, args.as_of, args.dry_run)
    if args.command == "run":
        days = [args.as_of or settings.yesterday()]
    else:
        days = [args.start + dt.timedelta(days=i) for i in range((args.end - args.start).days + 1)]
        if not days:
            raise CliError("--to is before --from", EXIT_USAGE)
    _check_range(settings, days)
    if args.command == "ingest":
        _check_sources(settings, args.sources)
    return _run_days(settings, days, args, debug)


def _check_sources(settings: Settings, names: list[str]) -> None:
    from connectors.config import load_sources
    from connectors.registry import SourcesError

    try:
        load_sources(settings.sources_file, settings.root).choose_api_sources(names, settings.sources_file)
    except SourcesError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None


def _check_range(settings: Settings, days: list[dt.date]) -> None:
    first, last = dt.date.fromisoformat(settings.history_start), settings.yesterday()
    for day in days:
        if not first <= day <= last:
            raise CliError(
                f"as-of date {day} is outside the scorable range {first}..{last} "
                "(history_start in settings.yml .. yesterday)",
                EXIT_USAGE,
            )


def check_output_folders(settings: Settings) -> None:
    """Fail before any scoring when a result could not be written (CliError naming the folder)."""
    from pipelines.reporting.swap import NotWritableError, check_writable

    folders = [settings.work_dir]
    if settings.target == "duckdb":
        folders.insert(0, settings.warehouse_path.parent)
    for folder in folders:
        probe = folder / f".okr-write-check-{os.getpid()}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            probe.unlink()
        except OSError as exc:
            raise CliError(
                f"cannot write the warehouse folder {folder}: {exc.strerror or exc}; nothing was scored"
            ) from None
    try:
        check_writable(settings.scorecard_dir)
    except NotWritableError as exc:
        raise CliError(f"{exc}; nothing was scored, the published scorecard is as it was") from None


def _run_days(settings: Settings, days: list[dt.date], args: argparse.Namespace, debug: bool) -> int:
    """Score each day in turn under the workspace lock. `okr run` publishes the day it was asked
    for; a backfill publishes only a day that is the newest scored one, so readers keep seeing the
    latest scorecard."""
    from pipelines.workspace_lock import WorkspaceBusy, WorkspaceLock, say_waiting

    check_output_folders(settings)
    _fewer_gc_passes()

    lock = WorkspaceLock(settings.work_dir / "run.lock")
    try:
        with lock.acquire(wait=args.wait, on_wait=say_waiting):
            if args.command == "ingest":
                return _ingest_locked(settings, days, args.sources, debug)
            return _run_locked(
                settings,
                days,
                args.command == "run",
                debug,
                replace=getattr(args, "replace", False),
                full_checks=args.full_checks,
            )
    except WorkspaceBusy as exc:
        raise CliError(f"{exc}; try again later or add --wait", EXIT_BUSY) from None


def _fewer_gc_passes() -> None:
    """A run imports Dagster, dbt and pandas and builds a heap of long-lived objects; with Python's
    default thresholds (a young pass every 700 allocations) the collector ran thousands of passes
    over it, most finding nothing. Fewer young passes took about 5% off a demo night's CPU; the
    process ends after its run, so the garbage that waits a little longer costs nothing lasting."""
    gc.set_threshold(50_000, 20, 20)


def _run_locked(
    settings: Settings,
    days: list[dt.date],
    publish_always: bool,
    debug: bool,
    replace: bool = False,
    full_checks: bool = False,
) -> int:
    from pipelines.child_processes import children_die_with_parent
    from pipelines.console import Progress, captured_output, new_log_path
    from pipelines.reporting.swap import remove_leftovers

    for path in remove_leftovers(settings.scorecard_dir):
        print(f"removed {path}, left by an interrupted publish", file=sys.stderr)
    command = "run" if publish_always else "backfill"
    log_path = None if debug else new_log_path(settings.work_dir / "logs", command)
    os.environ.setdefault("OKR_LOG_LEVEL", "INFO")  # Dagster's messages: into the log (--debug: on screen)
    see_log = f"\nfull log: {log_path}" if log_path else ""
    data_errors = 0
    with captured_output(log_path) as term, children_die_with_parent():
        try:
            from pipelines.scoring_run import run_nightly, run_range  # imports Dagster: only when running

            # `okr run` scores its day; a backfill is ONE run over the whole range.
            span = str(days[0]) if publish_always else f"{days[0]}..{days[-1]}"
            title = f"okr: scoring {span}" + (f" (log: {log_path})" if log_path else "")
            lang = os.environ.get("OKR_LANG")
            exclude = [] if publish_always else _pull_api_sources(settings, days, term, log_path)
            with Progress(term, title, interactive=None if log_path else False) as progress:
                if publish_always:
                    result = run_nightly(
                        days[0],
                        lang=lang,
                        publish_always=True,
                        on_event=progress.on_event,
                        full_checks=full_checks,
                        release_memory=False,  # this process ends after its run
                    )
                else:
                    result = run_range(
                        days[0],
                        days[-1],
                        replace=replace,
                        lang=lang,
                        on_event=progress.on_event,
                        exclude=exclude,
                        full_checks=full_checks,
                        release_memory=False,
                    )
            if not result.success:
                raise CliError(f"scoring {span} failed:\n{_indent(result.error)}{see_log}")
            print(result.summary, file=term.out, flush=True)
            data_errors += result.blocked_krs
        except (CliError, KeyboardInterrupt):
            raise
        except Exception as exc:
            if debug:
                raise
            traceback.print_exc()  # into the log file
            raise CliError(
                f"{_plain(exc)}{see_log}\n(`okr --debug {command} ...` shows it on the console)"
            ) from exc
    problems = _load_problems(settings)
    for sentence in problems.sentences():
        print(f"  {sentence}")
    print(f"scorecard: {settings.scorecard_dir / 'index.html'}")
    # The scorecard is published (unaffected KRs are scored) but the data needs attention.
    if problems:
        raise CliError(
            f"{problems.summary()}; the rest is scored with the last good data "
            f"(see {settings.scorecard_dir / 'data-health.html'})"
            + (f"; {data_errors} key result(s) not scored because a data check failed" if data_errors else "")
        )
    if data_errors:
        raise CliError(
            f"{data_errors} key result(s) not scored because a data check failed with severity ERROR "
            f"(see {settings.scorecard_dir / 'quality' / 'index.html'})"
        )
    return EXIT_OK


def _pull_api_sources(settings: Settings, days: list[dt.date], term: Terminal, log_path: Path | None) -> list:
    """A backfill first pulls its range from every enabled API source in one run (`okr ingest`),
    so the scoring run after it re-reads no API; returns the assets it loaded (none without APIs)."""
    from connectors.config import load_sources
    from pipelines.ingest.command import pull_with_progress
    from pipelines.ingest.history import source_asset_keys

    if not load_sources(settings.sources_file, settings.root).enabled_api_sources():
        return []
    outcome = pull_with_progress(settings, days[0], days[-1], (), term, log_path)
    if outcome.error:
        raise CliError(f"loading {days[0]}..{days[-1]} failed: {outcome.error}")
    return source_asset_keys(p.source for p in outcome.pulls)


def _ingest_locked(settings: Settings, days: list[dt.date], names: list[str], debug: bool) -> int:
    from pipelines.child_processes import children_die_with_parent
    from pipelines.console import captured_output, new_log_path
    from pipelines.ingest.command import failure_message, pull_with_progress

    log_path = None if debug else new_log_path(settings.work_dir / "logs", "ingest")
    os.environ.setdefault("OKR_LOG_LEVEL", "INFO")
    see_log = f"\nfull log: {log_path}" if log_path else ""
    with captured_output(log_path) as term, children_die_with_parent():
        try:
            outcome = pull_with_progress(settings, days[0], days[-1], names, term, log_path)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            if debug:
                raise
            traceback.print_exc()  # into the log file
            raise CliError(
                f"{_plain(exc)}{see_log}\n(`okr --debug ingest ...` shows it on the console)"
            ) from exc
    if outcome.error or outcome.failed:
        raise CliError(failure_message(outcome) + see_log)
    return EXIT_OK


def _load_problems(settings: Settings) -> LoadProblems:
    """What failed to load at the latest load (sources, export files): a data error, exit 1."""
    from connectors.warehouse import open_warehouse
    from pipelines.reporting.load_problems import read_load_problems

    return read_load_problems(open_warehouse(settings.target, duckdb_path=settings.warehouse_path))


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # dbt colours its messages


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in _ANSI.sub("", text).strip().splitlines())


if __name__ == "__main__":
    raise SystemExit(main())
