"""Everything needed to call dbt the same way from Dagster, the CLI and tests.

dbt gets one var, `metric_models` (every .sql file in models/metrics), because dbt cannot discover
refs from the file system and the scoring models must ref every metric to be ordered after them.
The scoring dates are data, not a var (raw.okr_run_context, see run_context.py), so that a new
date does not force a full re-parse.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipelines.okr_definitions.metric_catalog import metric_model_names
from pipelines.settings import DBT_PROJECT_DIR, Settings
from pipelines.transform.run_context import write_run_context

DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))


def dbt_vars() -> dict:
    return {"metric_models": metric_model_names(DBT_PROJECT_DIR)}


def dbt_env(settings: Settings) -> dict[str, str]:
    """Environment for dbt: which warehouse file/target, and logs kept out of the repo."""
    return {
        "OKR_WAREHOUSE_PATH": str(settings.warehouse_path),
        "OKR_DBT_TARGET": settings.target,
        "DBT_LOG_PATH": str(settings.work_dir / "dbt-logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # dbt.log rotates at this size (5 backups): bounded disk however many nights run.
        "DBT_LOG_FILE_MAX_BYTES": str(2 * 2**20),
        # dbt's file log defaults to debug: every SQL statement and node event as JSON, about 10 MB
        # a demo night, all of it serialised and written by dbt. Info keeps one line per node.
        "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE", "info"),
        # dbt's documented faster way to order a build's models after the tests of their parents
        # (same order, fewer edges): its default walks every node's ancestors, 0.2 s a build at
        # 1,000 KRs / 200 metrics.
        "DBT_USE_FAST_TEST_EDGES": "true",
    }


@contextmanager
def dbt_environment(settings: Settings) -> Iterator[None]:
    """The dbt variables set for the duration of a dbt call made through dagster-dbt (which reads
    os.environ), and restored after it, so one workspace's settings never leak into the next."""
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    values = dbt_env(settings)
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def target_dir(settings: Settings) -> Path:
    return settings.work_dir / f"dbt-target-{settings.target}"


# What dbt writes into a project folder (its output, not its input): folders, and the anonymous
# user id it writes beside profiles.yml.
_OUTPUT_DIRS = {"target", "logs", "__pycache__"}
_OUTPUT_FILES = {".user.yml"}


def hash_project_files(digest: Any, project_dir: Path, pattern: str = "*") -> None:
    """Feed `digest` every input file of a dbt project (path and bytes; `pattern` narrows it)."""
    for path in sorted(project_dir.rglob(pattern)):
        relative = path.relative_to(project_dir)
        output = path.name in _OUTPUT_FILES or _OUTPUT_DIRS.intersection(relative.parts)
        if path.is_file() and not output:
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")


def _project_fingerprint(vars_: dict, target: str) -> str:
    digest = hashlib.sha256(json.dumps(vars_, sort_keys=True).encode() + target.encode())
    hash_project_files(digest, DBT_PROJECT_DIR)
    return digest.hexdigest()


class DbtParseError(RuntimeError):
    pass


def prepare_manifest(settings: Settings) -> Path:
    """Parse the project (only when a file changed) and return the manifest path.

    Processes that share a workspace (pytest workers, `dagster dev` beside a CLI run) may all
    find the manifest missing at once: two dbt parses writing one manifest.json interleave and
    leave a file no reader can load. The parse therefore runs under an exclusive file lock, and
    the stamp is removed before a re-parse so a reader never trusts a half-written manifest."""
    target = target_dir(settings)
    manifest = target / "manifest.json"
    stamp = target / "okr-fingerprint.txt"
    vars_ = dbt_vars()
    fingerprint = _project_fingerprint(vars_, settings.target)
    if _is_current(manifest, stamp, fingerprint):
        return manifest
    target.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(target / ".parse.lock"):
        if _is_current(manifest, stamp, fingerprint):  # another process parsed while we waited
            return manifest
        stamp.unlink(missing_ok=True)
        _parse(settings, vars_)
        stamp.write_text(fingerprint)
    _forget_cached_manifests()
    return manifest


def _is_current(manifest: Path, stamp: Path, fingerprint: str) -> bool:
    try:
        return manifest.exists() and stamp.read_text() == fingerprint
    except FileNotFoundError:
        return False


@contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def dbt_args(settings: Settings, command: list[str], vars_: dict | None = None) -> list[str]:
    """`command` with the workspace's project, profile, target folder, target and vars."""
    return [
        *command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_dir(settings)),
        "--target",
        settings.target,
        "--vars",
        json.dumps(dbt_vars() if vars_ is None else vars_),
    ]


def _parse(settings: Settings, vars_: dict) -> None:
    env = {**os.environ, **dbt_env(settings)}
    cmd = [DBT_EXECUTABLE, *dbt_args(settings, ["parse", "--quiet"], vars_)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise DbtParseError(f"dbt parse failed:\n{proc.stdout}\n{proc.stderr}".strip())


def _forget_cached_manifests() -> None:
    """dagster-dbt caches every manifest it read by path for the life of the process: after a
    re-parse a long-lived process would build its assets from the old manifest (and keep it)."""
    module = sys.modules.get("dagster_dbt.dbt_manifest")
    if module is not None:
        module.read_manifest_path.cache_clear()


class DbtRunError(RuntimeError):
    pass


def run_dbt(settings: Settings, command: list[str], as_of: str | None = None) -> str:
    """Run a dbt command for the workspace outside Dagster (tests, benchmarks, `okr backtest`),
    inside this process; returns the lines dbt's CLI would print.

    `as_of` (YYYY-MM-DD), when given, is written to raw.okr_run_context first."""
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    if as_of:
        from connectors.warehouse import open_warehouse

        day = dt.date.fromisoformat(as_of)
        write_run_context(open_warehouse(settings.target, duckdb_path=settings.warehouse_path), day)
    import orjson

    from pipelines.transform.dbt_in_process import InProcessDbt

    with dbt_environment(settings):
        # --no-write-json: as in the nightly steps (pipelines/transform/dbt_assets.py), the target
        # folder's manifest stays the one prepared for this code; rewriting it took 0.4 s a call.
        dbt = InProcessDbt(dbt_args(settings, [*command, "--log-level", "none", "--no-write-json"]))
        output = "\n".join(orjson.loads(line)["info"]["msg"] for line in dbt.stdout)
        failed = dbt.wait() != 0
    if failed:
        raise DbtRunError(f"dbt {' '.join(command)} failed:\n{output[-8000:]}")
    return output
