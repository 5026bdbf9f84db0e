"""What `okr run` shows while it works: a compact progress display, with everything else in a log.

A run prints, by default, dbt's line per model and test, Dagster's warnings and the libraries'
chatter: hundreds of lines in which the outcome is hard to find. `captured_output` sends all of it
(Python output, warnings, logging and subprocess output, at the file-descriptor level) to a log
file, and hands back the real terminal streams for what the user should see: the `Progress`
display (stage, elapsed time, counts), the summary and errors.

On a terminal the progress is one status line redrawn in place plus a line per finished stage;
elsewhere (cron, CI, a pipe) it is plain lines, one when a stage starts and one when it ends:

    [0:09] dbt: staging and metrics ...
    [0:40] dbt: staging and metrics: done in 31.3 s (31 assets, 122 checks)

The progress is fed with the run's Dagster events (`Progress.on_event`, passed to the runner).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

KEEP_LOGS = 30  # newest run logs kept per workspace

# Dagster step keys of the nightly job, in words; other steps fall back to their key.
STAGE_LABELS = {
    "export_folder": "load export files",
    "okr_definitions": "store the OKR definitions",
    "dbt_staging_and_metrics": "dbt: staging and metrics",
    "raw__okr_blocked_metrics": "quality gate",
    "source_quality_checks": "check source data",
    "dbt_scoring": "dbt: scoring",
    "kr_score_checks": "check the scores",
    "scorecard": "publish the scorecard",
}


def stage_label(step_key: str) -> str:
    if step_key in STAGE_LABELS:
        return STAGE_LABELS[step_key]
    if step_key.startswith("raw__"):  # an API source's raw table
        return "load " + step_key.removeprefix("raw__").replace("_", " ")
    return step_key.replace("__", " ").replace("_", " ")


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


# ---------------------------------------------------------------- log file and output capture


def new_log_path(log_dir: Path, command: str) -> Path:
    """A fresh log file name for a run (older ones beyond KEEP_LOGS are removed)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    old = sorted(log_dir.glob("okr-*.log"), key=lambda p: p.stat().st_mtime)
    for path in old[: max(0, len(old) - (KEEP_LOGS - 1))]:
        with contextlib.suppress(OSError):
            path.unlink()
    return log_dir / f"okr-{command}-{stamp}-{os.getpid()}.log"


@dataclass
class Terminal:
    """The user's real output streams while everything else goes to the log."""

    out: TextIO
    err: TextIO

    @property
    def interactive(self) -> bool:
        return self.err.isatty() and os.environ.get("TERM", "") != "dumb"


@contextlib.contextmanager
def captured_output(log_path: Path | None) -> Iterator[Terminal]:
    """Inside the block, file descriptors 1 and 2 (and so sys.stdout, sys.stderr, warnings,
    logging and child processes) write to `log_path`; the yielded Terminal writes to the real ones.
    With `log_path` None nothing is redirected (`--debug`)."""
    if log_path is None:
        yield Terminal(sys.stdout, sys.stderr)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    out = os.fdopen(os.dup(saved[0]), "w", buffering=1, encoding="utf-8", errors="replace")
    err = os.fdopen(os.dup(saved[1]), "w", buffering=1, encoding="utf-8", errors="replace")
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        yield Terminal(out, err)
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, log_fd):
            os.close(fd)
        out.close()
        err.close()


# ---------------------------------------------------------------- progress


@dataclass
class _Stage:
    key: str
    planned_assets: int = 0
    planned_checks: int = 0
    assets: int = 0
    checks: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # severity -> failed checks
    started: float | None = None
    ended: float | None = None
    ok: bool | None = None

    def counts(self, running: bool) -> str:
        parts = []
        for done, planned, noun in (
            (self.assets, self.planned_assets, "asset"),
            (self.checks, self.planned_checks, "check"),
        ):
            if planned:
                noun += "" if planned == 1 else "s"
                parts.append(f"{done}/{planned} {noun}" if running else f"{done} {noun}")
        failed = sum(self.failed.values())
        if failed:
            parts.append(", ".join(f"{n} {sev} failed" for sev, n in sorted(self.failed.items())))
        return ", ".join(parts)


class Progress:
    """Renders a run's progress from its Dagster events (pass `on_event` to the runner).

    Thread-safe: events arrive on the run's thread, the clock ticks on its own on a terminal.
    """

    def __init__(self, term: Terminal, title: str, interactive: bool | None = None):
        self.term = term
        self.title = title
        self.interactive = term.interactive if interactive is None else interactive
        self.started = time.monotonic()
        self.stages: dict[str, _Stage] = {}
        self.current: _Stage | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._status_shown = False

    # -- lifecycle
    def __enter__(self) -> Progress:
        self.started = time.monotonic()
        self._line(f"{self.title}")
        self.note("preparing (Dagster and dbt) ...")
        if self.interactive:
            self._ticker = threading.Thread(target=self._tick, name="okr-progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            self._clear_status()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def note(self, text: str) -> None:
        """A plain progress message (a stage outside Dagster, e.g. preparing dbt)."""
        with self._lock:
            self._note = text
            if self.interactive:
                self._draw_status()
            else:
                self._line(f"[{_clock(self.elapsed())}] {text}")

    # -- events
    def on_event(self, entry: Any) -> None:
        """Dagster `EventLogEntry` callback."""
        event = getattr(entry, "dagster_event", None)
        if event is None or not entry.step_key:
            return
        kind = event.event_type_value
        with self._lock:
            stage = self.stages.setdefault(entry.step_key, _Stage(entry.step_key))
            if kind == "ASSET_MATERIALIZATION_PLANNED":
                stage.planned_assets += 1
            elif kind == "ASSET_CHECK_EVALUATION_PLANNED":
                stage.planned_checks += 1
            elif kind == "STEP_START":
                stage.started = self.elapsed()
                self.current = stage
                self._note = ""
                if not self.interactive:
                    self._line(f"[{_clock(stage.started)}] {stage_label(stage.key)} ...")
            elif kind == "ASSET_MATERIALIZATION":
                stage.assets += 1
            elif kind == "ASSET_CHECK_EVALUATION":
                stage.checks += 1
                data = event.event_specific_data
                if data is not None and not data.passed:
                    severity = getattr(getattr(data, "severity", None), "value", "ERROR")
                    stage.failed[severity] = stage.failed.get(severity, 0) + 1
            elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
                stage.ended, stage.ok = self.elapsed(), kind == "STEP_SUCCESS"
                self._finish_line(stage)
                if self.current is stage:
                    self.current = None
            else:
                return
            if self.interactive:
                self._draw_status()

    # -- rendering (called with the lock held)
    _note = ""

    def _finish_line(self, stage: _Stage) -> None:
        took = (stage.ended or 0) - (stage.started or stage.ended or 0)
        counts = stage.counts(running=False)
        outcome = "done" if stage.ok else "FAILED"
        detail = f" ({counts})" if counts else ""
        if self.interactive:
            self._clear_status()
            mark = "✓" if stage.ok else "✗"
            self._line(f"  {mark} {stage_label(stage.key):<28} {took:6.1f} s  {counts}".rstrip())
        else:
            self._line(
                f"[{_clock(stage.ended or 0)}] {stage_label(stage.key)}: {outcome} in {took:.1f} s{detail}"
            )

    def _status_text(self) -> str:
        done = sum(1 for s in self.stages.values() if s.ended is not None)
        total = len(self.stages)
        if self.current is not None:
            counts = self.current.counts(running=True)
            text = f"[{done + 1}/{total}] {stage_label(self.current.key)}" + (
                f" · {counts}" if counts else ""
            )
        else:
            text = self._note or "working ..."
        return f"  {_clock(self.elapsed())} {text}"

    def _draw_status(self) -> None:
        width = max(20, _columns(self.term.err) - 1)
        self.term.err.write("\r\x1b[K" + self._status_text()[:width])
        self.term.err.flush()
        self._status_shown = True

    def _clear_status(self) -> None:
        if self._status_shown:
            self.term.err.write("\r\x1b[K")
            self.term.err.flush()
            self._status_shown = False

    def _line(self, text: str) -> None:
        self._clear_status()
        self.term.err.write(text + "\n")
        self.term.err.flush()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                self._draw_status()


def _columns(stream: TextIO) -> int:
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        columns = 0
    return columns or 100  # a pseudo-terminal without a size says 0
