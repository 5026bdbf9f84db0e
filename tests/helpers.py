"""Shared test helpers: temporary workspaces and raw rows, built with the real code paths."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import pprint
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import msgpack
import pytest
import yaml

from connectors.raw_tables import ensure_raw_tables, now_utc, to_frame
from connectors.warehouse import DuckDBWarehouse
from pipelines.settings import REPO_ROOT, Settings, load_settings
from pipelines.transform.dbt_setup import prepare_manifest, run_dbt, target_dir


def copy_demo_workspace(dest: Path) -> Path:
    """The demo workspace (settings, sources, OKRs, export files) without data/ or build/."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("settings.yml", "sources.yml"):
        shutil.copy(REPO_ROOT / name, dest / name)
    shutil.copytree(REPO_ROOT / "okrs", dest / "okrs")
    shutil.copytree(REPO_ROOT / "demo" / "exports", dest / "demo" / "exports")
    return dest


def make_workspace(root: Path, okr_files: Mapping[str, Any], checkins: Iterable[tuple] = ()) -> Settings:
    """A workspace folder with okrs/*.yml (dicts dumped as YAML) and okrs/checkins.csv."""
    okrs = root / "okrs"
    okrs.mkdir(parents=True, exist_ok=True)
    for name, doc in okr_files.items():
        text = doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False)
        (okrs / name).write_text(text, encoding="utf-8")
    rows = list(checkins)
    if rows:
        lines = ["kr_id,date,value,note", *(",".join(str(c) for c in (*r, "")[:4]) for r in rows)]
        (okrs / "checkins.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "settings.yml").write_text("warehouse: data/warehouse.duckdb\nscorecard_dir: build/scorecard\n")
    settings = load_settings(root)
    seed_dbt_parse(settings)
    return settings


# ---------------------------------------------------------------- one dbt parse for the test run

_SHARED_DIR: list[Path] = []  # set once per test process by tests/conftest.py (a folder all workers see)
_PARSE_FILES = ("manifest.json", "okr-fingerprint.txt")


def share_dbt_parse_in(folder: Path) -> None:
    """Where `seed_dbt_parse` keeps the test run's one parsed project (tests/conftest.py)."""
    _SHARED_DIR[:] = [folder]


def seed_dbt_parse(settings: Settings) -> None:
    """Give a new DuckDB workspace the dbt parse of the test run, so its first dbt call reads the
    prepared manifest and parses partially (nothing changed) instead of parsing the whole project
    again, about 5 CPU-seconds per workspace.

    dbt keeps a partial parse only when the profile's connection details are the same, and they
    name the warehouse file, which every workspace has its own: the saved state gets the hash
    dbt computes for this workspace's file (`_profile_hash`, the same formula as
    dbt.parser.manifest). Should dbt change that formula, the seed is not written and dbt parses in
    full as before: slower, never wrong. A changed dbt file makes prepare_manifest and dbt re-parse
    as they would anyway. The shared demo night is not seeded: it stays a cold night."""
    if not _SHARED_DIR or settings.target != "duckdb":
        return
    template = _parsed_template(_SHARED_DIR[0])
    if template is None:
        return
    source, state = template
    dest = target_dir(settings)
    dest.mkdir(parents=True, exist_ok=True)
    for name in _PARSE_FILES:
        shutil.copy(source / name, dest / name)
    _save_parse_state(state, settings)


_TEMPLATE: dict[Path, tuple[Path, dict] | None] = {}


@contextlib.contextmanager
def across_workers(lock_file: Path) -> Iterator[None]:
    """Only one pytest-xdist worker at a time inside the block."""
    with open(lock_file, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _parsed_template(shared: Path) -> tuple[Path, dict] | None:
    """The test run's parsed template workspace (made by the first worker to need it, under a file
    lock), with its saved partial-parse state; None when dbt's profile hash is not reproduced."""
    if shared not in _TEMPLATE:
        root = shared / "dbt-parse"
        with across_workers(shared / "dbt-parse.lock"):
            root.mkdir(parents=True, exist_ok=True)
            (root / "settings.yml").write_text("warehouse: data/warehouse.duckdb\n")
            # Parses only when a dbt file changed since the folder's last parse (its fingerprint):
            # the folder outlives the test run when pytest's cache is on (tests/conftest.py).
            settings = _own_settings(root)
            prepare_manifest(settings)
            state = _parse_state(settings)
            if state["state_check"]["profile_hash"]["checksum"] != _profile_hash(settings.warehouse_path):
                # parsed where the checkout used to be (the hash names the warehouse's full path)
                (target_dir(settings) / "okr-fingerprint.txt").unlink()
                prepare_manifest(settings)
                state = _parse_state(settings)
        stored = state["state_check"]["profile_hash"]["checksum"]
        _TEMPLATE[shared] = (
            (target_dir(settings), state) if stored == _profile_hash(settings.warehouse_path) else None
        )
    return _TEMPLATE[shared]


def _parse_state(settings: Settings) -> dict:
    """dbt's saved partial-parse state of a workspace."""
    saved = target_dir(settings) / "partial_parse.msgpack"
    return msgpack.unpackb(saved.read_bytes(), strict_map_key=False)


def rekey_dbt_parse(source: Path, copy: Path) -> None:
    """A workspace copied from `source` keeps its dbt parse: the copy's saved partial-parse state
    gets the profile hash of the copy's own warehouse file (see seed_dbt_parse), so its first dbt
    call parses partially instead of parsing the whole project again. Only when the source's state
    carries the hash this formula gives for the source's file; otherwise dbt parses in full."""
    settings = _own_settings(copy)
    saved = target_dir(settings) / "partial_parse.msgpack"
    if settings.target != "duckdb" or not saved.exists():
        return
    state = _parse_state(settings)
    keyed_to = state["state_check"]["profile_hash"]["checksum"]
    if keyed_to != _profile_hash(_own_settings(source).warehouse_path):
        return
    _save_parse_state(state, settings)


def _save_parse_state(state: dict, settings: Settings) -> None:
    """dbt's saved partial-parse state into the workspace's target folder, keyed to its own
    warehouse file (the profile hash dbt compares before it parses partially)."""
    state["state_check"]["profile_hash"]["checksum"] = _profile_hash(settings.warehouse_path)
    (target_dir(settings) / "partial_parse.msgpack").write_bytes(msgpack.packb(state))


def _own_settings(root: Path) -> Settings:
    """The template workspace's settings from its settings.yml alone: a test that sets
    OKR_WAREHOUSE_PATH or OKR_DBT_TARGET (for its own workspace) must not move the template."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("OKR_")}
    try:
        return load_settings(root)
    finally:
        os.environ.update(saved)


def _profile_hash(warehouse: Path) -> str:
    """dbt's hash of the DuckDB profile (dbt_project/profiles.yml) for this warehouse file."""
    from dbt.adapters.duckdb.credentials import DuckDBCredentials

    credentials = DuckDBCredentials.from_dict({"path": str(warehouse), "schema": "analytics"})
    return hashlib.sha256(pprint.pformat(sorted(credentials.connection_info())).encode()).hexdigest()


# ------------------------------------------------- one build of the staging and metric views

_RUN_DIR: list[Path] = []  # this test run's folder that every worker sees (tests/conftest.py)
_VIEWS_TEMPLATE: dict[Path, Path] = {}
_PREPARED: set[Path] = set()  # warehouse files that start from the template, in this process


def share_test_run_dir(folder: Path) -> None:
    """Where `prepare_views` builds the test run's one warehouse of views (tests/conftest.py)."""
    _RUN_DIR[:] = [folder]


def prepare_views(settings: Settings) -> None:
    """Start a new DuckDB workspace's warehouse from the test run's prepared one: the raw tables,
    and every staging and metric view built by dbt once for the whole run (57 views, about 1.3 s
    of every dbt module's fixture). A view holds no data and reads the raw tables by name, so the
    copy serves any workspace of the repository's dbt project; `run_scoring` then builds only the
    scoring models on it. Without a shared folder (a helper used outside pytest), the views are
    built in place."""
    if settings.target != "duckdb":
        raise ValueError("prepare_views copies a DuckDB warehouse; other targets build everything")
    if settings.warehouse_path.exists():
        raise FileExistsError(f"{settings.warehouse_path} exists: prepare_views would replace its data")
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    if _RUN_DIR:
        shutil.copy(_views_template(_RUN_DIR[0]), settings.warehouse_path)
    else:
        _build_views(settings)
    _PREPARED.add(settings.warehouse_path)


def run_scoring(settings: Settings, as_of: str | None = None) -> str:
    """`dbt run` of the project for a test workspace: on a warehouse from `prepare_views` only the
    intermediate and mart models (the views are built), on any other every model."""
    prepared = settings.target == "duckdb" and settings.warehouse_path in _PREPARED
    return run_dbt(settings, ["run", *(["--select", "intermediate marts"] if prepared else [])], as_of=as_of)


def _views_template(shared: Path) -> Path:
    """The test run's warehouse of views, built by the first worker to need it (under a lock)."""
    if shared not in _VIEWS_TEMPLATE:
        root = shared / "dbt-views"
        built = root / "built"
        with across_workers(shared / "dbt-views.lock"):
            if not built.exists():
                shutil.rmtree(root, ignore_errors=True)  # a build that failed half-way
                make_workspace(root, {})
                # Its own settings.yml alone: a test's OKR_WAREHOUSE_PATH must not move the build.
                _build_views(_own_settings(root))
                built.touch()
        _VIEWS_TEMPLATE[shared] = _own_settings(root).warehouse_path
    return _VIEWS_TEMPLATE[shared]


def _build_views(settings: Settings) -> None:
    import duckdb

    from pipelines.okr_definitions.loader import OkrDefinitions
    from pipelines.okr_definitions.store import store_definitions

    warehouse = DuckDBWarehouse(settings.warehouse_path)
    ensure_raw_tables(warehouse)
    # The okr_* tables the okr staging views read: a workspace's own definitions replace them.
    store_definitions(OkrDefinitions(), warehouse, seen_on=dt.date(2026, 1, 1))
    run_dbt(settings, ["run", "--select", "staging metrics"])
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("CHECKPOINT")  # the whole database in its one file, for copying


def insert_raw(settings: Settings, table: str, records: list[dict[str, Any]]) -> None:
    """Rows into a raw table, with load metadata, as a connector would write them."""
    warehouse = DuckDBWarehouse(settings.warehouse_path)
    ensure_raw_tables(warehouse)
    meta = {"_source": "test", "_stream": table, "_loaded_at": now_utc(), "_partition": "test"}
    with warehouse.transaction() as tx:
        tx.insert(table, to_frame(table, records, meta))


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# ---------------------------------------------------------------- the `okr` command as a process

OKR = [sys.executable, "-m", "pipelines.cli"]


def okr_env(workspace: Path) -> dict[str, str]:
    """The environment of a user running `okr` on `workspace` (no OKR_* leaking in from the tests)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKR_")}
    env["OKR_WORKSPACE"] = str(workspace)
    return env


def okr(workspace: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run `okr <args>` on the workspace to the end; output captured as text."""
    return subprocess.run(
        [*OKR, *args],
        env=okr_env(workspace),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
        check=False,
    )


class OkrProcess:
    """`okr <args>` running in the background, its stderr (the progress lines) read as it comes."""

    def __init__(self, workspace: Path, *args: str):
        self.proc = subprocess.Popen(
            [*OKR, *args],
            env=okr_env(workspace),
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.pid = self.proc.pid
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def wait_for_line(self, needle: str, timeout: float = 600) -> str:
        """Block until a stderr line contains `needle`; fail if the process ends first."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                code, seen = self.proc.wait(), "".join(self.stderr)
                raise AssertionError(f"okr ended (exit {code}) before printing {needle!r}:\n{seen}")
            if needle in line:
                return line

    def finish(self, timeout: float = 900) -> tuple[int, str, str]:
        """Exit code, stdout and stderr once it has ended."""
        out, _ = self.proc.communicate(timeout=timeout)
        self._reader.join(timeout=60)
        return self.proc.returncode, out or "", "".join(self.stderr)

    def kill(self) -> None:
        """`kill -9`, and reap it."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.communicate(timeout=60)
        self._reader.join(timeout=60)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc), children first."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                kids = [int(k) for k in (task / "children").read_text().split()]
                found += kids
                todo += kids
    return found


def is_running(pid: int) -> bool:
    """True while the process exists and is not a zombie (a killed child waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` (0.1 s) until true; fail naming `what` after `timeout` seconds. The timeout
    is a generous upper bound for a broken system, never the expected duration."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


@contextlib.contextmanager
def read_only_folder(path: Path) -> Iterator[None]:
    """Make a folder unwritable even for root (immutable attribute), else by permission bits."""
    if os.geteuid() == 0:
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)], check=False).returncode:
            pytest.skip("running as root and the file system cannot make a folder immutable (chattr +i)")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(mode)
