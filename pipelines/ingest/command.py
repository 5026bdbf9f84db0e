"""What `okr ingest` and `okr backfill` show of a history pull: a progress line per source's
stream while it loads, then one line per source (requests, rows, or why it failed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from pipelines.console import Progress, Terminal
from pipelines.ingest.history import IngestOutcome, enabled_sources, run_ingest
from pipelines.settings import Settings


def pull_with_progress(
    settings: Settings,
    start: dt.date,
    end: dt.date,
    names: Sequence[str],
    term: Terminal,
    log_path: Path | None,
) -> IngestOutcome:
    """Run the pull under the progress display and print its per-source lines to the terminal."""
    span = f"{start}..{end}"
    title = f"okr: loading {span} from {', '.join(enabled_sources(settings, names))}" + (
        f" (log: {log_path})" if log_path else ""
    )
    with Progress(term, title, interactive=None if log_path else False) as progress:
        outcome = run_ingest(start, end, names, on_event=progress.on_event, settings=settings)
    print_outcome(outcome, term.out)
    return outcome


def print_outcome(outcome: IngestOutcome, out: TextIO) -> None:
    for pull in outcome.pulls:
        print(f"  {pull.sentence()}", file=out, flush=True)
    print(outcome.summary(), file=out, flush=True)


def failure_message(outcome: IngestOutcome) -> str:
    """One sentence per failed source (the CLI's error block), or the run's own error."""
    if outcome.error:
        return f"loading {outcome.start}..{outcome.end} failed: {outcome.error}"
    names = ", ".join(p.title for p in outcome.failed)
    return (
        f"{len(outcome.failed)} source(s) failed to load ({names}); their earlier data is kept, "
        "the other sources are loaded"
    )
