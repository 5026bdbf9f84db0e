"""dbt run inside this process (dbt's documented `dbtRunner`), behind dagster-dbt's event parsing.

A dbt subprocess spends about 2.5 s of a demo night before its first node: starting Python,
importing dbt, loading the project. This process has imported most of dbt already (dagster-dbt
imports it), so `dbtRunner` in a thread starts the nodes at once; the project is parsed once per
process and handed to every later call (parsed_project.py). Everything after the run is
dagster-dbt's own code: `DbtCliInvocation` reads the run's structured events as it reads a
subprocess's `--log-format json` lines and turns them into Dagster events, errors and messages.

`InProcessDbt` is the process that invocation reads: dbt's events, serialised as dbt's JSON log
lines (`msg_to_dict`), on `stdout` as they happen; the exit code dbt's CLI would give (0, 1 when
a node failed, 2 when dbt itself failed); SIGINT becomes a KeyboardInterrupt in dbt's thread,
which dbt handles like Ctrl-C (it cancels the open queries). When the run ends, what dbt would
keep until its next run is let go (`_release_dbt`): above all dbt-duckdb's open database, so the
warehouse file is not held between steps (another process may want it).
"""

from __future__ import annotations

import ctypes
import logging
import os
import queue
import signal
import threading
from collections.abc import Iterator, Sequence
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import orjson

_END = object()


class _EventLines:
    """The run's events as JSON lines, an iterable file-like object like a pipe's read end."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.closed = False

    def put(self, line: bytes) -> None:
        self._queue.put(line)

    def end(self) -> None:
        self._queue.put(_END)

    def __iter__(self) -> Iterator[bytes]:
        while (line := self._queue.get()) is not _END:
            yield line

    def __enter__(self) -> _EventLines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True


class InProcessDbt:
    """A dbt command running in a thread of this process, with a subprocess' interface."""

    def __init__(self, args: Sequence[str]) -> None:
        # Imported here, not in the thread: an interrupt must find the thread inside _run's try.
        from dbt.cli.main import dbtRunner, dbtRunnerResult
        from dbt_common.events.functions import msg_to_dict
        from dbt_common.exceptions.base import env_secrets

        from pipelines.transform.parsed_project import manifest_for

        self._to_dict = msg_to_dict  # called for every event, from dbt's threads
        self._runner, self._result, self._manifest_for = dbtRunner, dbtRunnerResult, manifest_for
        # dbt's loggers hide the values of DBT_ENV_SECRET_* variables in what they write; the
        # lines this object passes on and logs are scrubbed the same way (read once, not per line).
        self._secrets = [secret.encode() for secret in env_secrets()]
        args, self._log = _own_log_file(args)

        self.args = ["dbt", *args]  # what dagster-dbt shows as the command
        self.returncode: int | None = None
        self.stdout = _EventLines()
        self._reported_error = False
        # Set by send_signal: the interrupt raised in dbt's thread can be lost (raised inside a
        # finaliser that runs there, Python only prints it), so the run does not start after it.
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(list(args),), name="okr-dbt", daemon=True)
        self._thread.start()

    def _on_event(self, msg: Any) -> None:
        level = msg.info.level
        if level == "debug":  # the CLI's stdout shows info and above: what dagster-dbt reads
            return
        self._reported_error |= level == "error"
        line = orjson.dumps(self._to_dict(msg), default=str)
        for secret in self._secrets:
            line = line.replace(secret, b"*****")
        if self._log is not None:
            self._log.write(line)
        self.stdout.put(line)

    def _run(self, args: list[str]) -> None:
        code = 2
        try:
            try:
                with self._manifest_for(args) as manifest:  # None: dbt loads the project itself
                    if self._stopped.is_set():
                        raise KeyboardInterrupt
                    result = self._runner(manifest=manifest, callbacks=[self._on_event]).invoke(args)
            except KeyboardInterrupt as stopped:  # while the project was parsed, before the run
                result = self._result(success=False, exception=stopped)
            # dbt's CLI: 0 success, 1 a node failed (the result is there), 2 dbt itself failed.
            code = 0 if result.success else (1 if result.exception is None else 2)
            if result.exception is not None and not self._reported_error:  # e.g. a usage error
                self.stdout.put(orjson.dumps(_error_line(result.exception)))
        finally:
            _release_dbt()
            if self._log is not None:
                self._log.close()
            self.returncode = code
            self.stdout.end()

    def wait(self, timeout: float | None = None) -> int | None:
        self._thread.join(timeout)
        return self.returncode

    def poll(self) -> int | None:
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if sig != signal.SIGINT:
            return
        self._stopped.set()
        if self._thread.ident is not None and self._thread.is_alive():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._thread.ident), ctypes.py_object(KeyboardInterrupt)
            )


class _JsonLog:
    """dbt.log as dbt writes it with `--log-format-file json`: one JSON line per event of level info
    and above, rotated at DBT_LOG_FILE_MAX_BYTES with five backups (logging's handler, as dbt's)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        max_bytes = int(os.environ.get("DBT_LOG_FILE_MAX_BYTES", 10 * 2**20))
        self._handler = RotatingFileHandler(path, encoding="utf8", maxBytes=max_bytes, backupCount=5)
        self._handler.setFormatter(logging.Formatter("%(message)s"))

    def write(self, line: bytes) -> None:
        self._handler.handle(logging.makeLogRecord({"msg": line.decode(), "levelno": logging.INFO}))

    def close(self) -> None:
        self._handler.close()


def _own_log_file(args: Sequence[str]) -> tuple[list[str], _JsonLog | None]:
    """The call's arguments and the JSON log this object writes for it. dbt's own file logger
    serialises every event a second time (after the one these lines are made from) and scrubs
    it with a scan of the environment per line: about 1.3 ms a line, 0.8 s of a cold demo night.
    Only a call that names its log folder and asks for a JSON file without choosing its level
    (dagster-dbt's calls, pipelines/transform/dbt_resource.py) gets it; any other keeps dbt's."""
    from pipelines.transform.parsed_project import option_values

    args = list(args)
    found = option_values(args, ("--log-path", "--log-format-file", "--log-level-file"))
    options = dict(zip(found[::2], found[1::2], strict=True))
    if "--log-path" not in options or options.get("--log-format-file") != "json":
        return args, None
    if "--log-level-file" in options:
        return args, None
    return [*args, "--log-level-file", "none"], _JsonLog(Path(options["--log-path"]) / "dbt.log")


def _error_line(exc: BaseException) -> dict[str, Any]:
    """An exception dbt returned without logging it, as the error line its CLI would print."""
    message = f"{type(exc).__name__}: {exc}"
    return {"info": {"name": "MainEncounteredError", "level": "error", "msg": message}, "data": {}}


def _release_dbt() -> None:
    """Let go of what dbt keeps in the process after a run until the next one: its adapter (with
    the run's manifest), its loggers (dbt.log stays open) and this run's callback, and
    dbt-duckdb's open database (the warehouse file stays locked for other processes)."""
    from dbt.adapters.factory import reset_adapters
    from dbt_common.events.event_manager_client import cleanup_event_logger

    reset_adapters()
    cleanup_event_logger()
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # dbt-duckdb not installed: nothing held
        return
    with DuckDBConnectionManager._LOCK:
        env, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if env is not None:
        env.close()
