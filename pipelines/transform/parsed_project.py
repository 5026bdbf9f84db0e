"""The parsed dbt project, kept in the process from one dbt call to the next.

Every dbt call starts by loading the project: reading `partial_parse.msgpack` and checking every
file against it, then rebuilding the manifest (about 0.4 s on the demo, 1 s at 200 metrics). A
process that calls dbt more than once gets the same manifest each time: a night's two dbt steps,
a long-lived process's nights, a backfill, the tests' dbt calls. dbt's documented way to skip the
load is `dbtRunner(manifest=...)` with the manifest of an earlier `parse`; `manifest_for` gives
that manifest, parsed once and kept while nothing it depends on changes.

It depends on the files of the dbt project and its profiles.yml (their bytes), the call's project,
profiles and target options and vars, the dbt variables of the environment (`OKR_*`, `DBT_*`: the
profile's warehouse path and target, the connection settings), any other variable the project
read with `env_var()` (dbt records them in the manifest), and Python's and the dbt packages'
versions; any change of one means a new parse. One manifest is kept (a new key replaces it) and
one dbt call uses it at a time.

The parse is also saved beside dbt's own partial-parse state, in the call's target folder
(`okr-parsed-manifest.pickle`: the key on its first line, then the manifest as `dbt parse` gave
it, before any call compiled into it). A new process whose key is the same loads it instead of
parsing: about 0.1 s instead of 1 s at 200 metrics (0.4 s on the demo), in every `okr` command.
A saved parse that cannot be read, or whose key or environment differs, is parsed again and
replaced. The file is this workspace's own, written by this code, like the warehouse beside it.

Not kept when the project has an ephemeral model: dbt marks a node whose ephemeral CTEs it has
injected and does not inject them again on the next compile of the same manifest object.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import gc
import hashlib
import os
import pickle
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipelines.transform.dbt_setup import hash_project_files

# The options of a dbt call that decide what a parse gives (its manifest and where its
# partial-parse state lives), with their values; everything else selects or runs nodes.
_PARSE_OPTIONS = ("--project-dir", "--profiles-dir", "--profile", "--target", "--target-path", "--vars")
# The options a `dbt parse` beside the call takes over so its log goes where the call's goes.
_LOG_OPTIONS = ("--log-path", "--log-format-file", "--log-level", "--log-level-file")
# dbt commands that load the project (and so accept a manifest).
_LOADING_COMMANDS = {"build", "run", "test", "compile", "seed", "snapshot", "list", "ls", "show"}

_SAVED_PARSE = "okr-parsed-manifest.pickle"  # in the call's --target-path
# The packages a manifest's objects come from: their versions are part of the key.
_MANIFEST_PACKAGES = (
    "dbt-core", "dbt-common", "dbt-adapters", "dbt-duckdb", "dbt-postgres", "dbt-semantic-interfaces",
    "mashumaro",
)  # fmt: skip

_lock = threading.Lock()  # held by the one dbt call that uses the kept manifest
_kept: dict[str, Any | None] = {}  # {key: manifest, or None when not keepable}, at most one entry


def option_values(args: Sequence[str], names: Sequence[str]) -> list[str]:
    """`--name value` pairs of `args` (the value after each name, or after `=`), in order."""
    out: list[str] = []
    for i, arg in enumerate(args):
        name, equals, value = arg.partition("=")
        if name in names and equals:
            out += [name, value]
        elif arg in names and i + 1 < len(args):
            out += [arg, args[i + 1]]
    return out


@functools.cache
def _versions() -> tuple[str, ...]:
    """Python's and the dbt packages' versions: what a manifest's objects are made of (a saved
    parse is read by the classes of the process that loads it)."""
    from importlib.metadata import PackageNotFoundError, version

    found = [sys.version]
    for package in _MANIFEST_PACKAGES:
        try:
            found.append(f"{package}=={version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} missing")
    return tuple(found)


def _key(args: Sequence[str]) -> str:
    options = option_values(args, _PARSE_OPTIONS)
    given = dict(zip(options[::2], options[1::2], strict=True))
    env = sorted((k, v) for k, v in os.environ.items() if k.startswith(("OKR_", "DBT_")))
    digest = hashlib.sha256(repr((options, env, _versions())).encode())
    hash_project_files(digest, Path(given.get("--project-dir", ".")).resolve())
    if "--profiles-dir" in given:
        hash_project_files(digest, Path(given["--profiles-dir"]).resolve(), "profiles.y*ml")
    return digest.hexdigest()


def _env_unchanged(manifest: Any) -> bool:
    """Every environment variable the project read while parsing (`env_var()`, which dbt records
    in the manifest) still has the value it had."""
    return all(os.environ.get(name) == value for name, value in manifest.env_vars.items())


def _saved_parse_path(args: Sequence[str]) -> Path | None:
    options = option_values(args, ("--target-path",))
    return Path(options[1]) / _SAVED_PARSE if options else None


def _load_saved(path: Path | None, key: str) -> Any | None:
    """The manifest saved at `path` for `key`, or None (no file, another key, unreadable)."""
    if path is None:
        return None
    # A manifest is a million small objects: the collector would run hundreds of times while
    # they are made (0.6 s of a 0.7 s load at 200 metrics), and none of them is garbage.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as saved:
            if saved.readline().rstrip(b"\n") != key.encode():
                return None
            # Only ever this workspace's own file, written by _save below (the module docstring).
            return pickle.load(saved)  # noqa: S301
    except Exception:  # missing, cut short, written by another dbt version: parse instead
        return None
    finally:
        if collecting:
            gc.enable()


def _save(path: Path, key: str, manifest: Any) -> None:
    """Save the fresh parse for the next process (written whole, then renamed into place, so a
    reader never sees half a file); a folder that cannot be written only means no saved parse."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as out:
            out.write(key.encode() + b"\n")
            pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dispatch_table = {**copyreg.dispatch_table, type(manifest): _manifest_fields}
            pickler.dump(manifest)
        os.replace(partial, path)
    except Exception:  # a folder that cannot be written, an object that cannot be pickled
        partial.unlink(missing_ok=True)


def _manifest_fields(manifest: Any) -> tuple[Any, tuple[dict[str, Any]]]:
    """A manifest as its public fields. dbt's own `Manifest.__reduce_ex__` passes its fields by
    position in an order that no longer matches the class (from `fixtures` on, each lookup lands
    in the field before it), so a manifest pickled that way fails its first source(). The private
    fields (lookups, caches, a lock) are rebuilt by the class as for a new manifest."""
    names = [f.name for f in dataclasses.fields(manifest) if f.init and not f.name.startswith("_")]
    return _manifest_from_fields, ({name: getattr(manifest, name) for name in names},)


def _manifest_from_fields(fields: dict[str, Any]) -> Any:
    from dbt.contracts.graph.manifest import Manifest

    return Manifest(**fields)


class _Unkeepable(Exception):
    """The project parsed, but its manifest cannot be used twice."""


def _parse(args: Sequence[str]) -> Any | None:
    """The manifest of `dbt parse` with the call's project options, or None when it fails (the
    call then loads the project itself and reports the error as it always did)."""
    from dbt.cli.main import dbtRunner
    from dbt.contracts.graph.manifest import Manifest

    parse_args = ["parse", "--no-write-json", *option_values(args, _PARSE_OPTIONS + _LOG_OPTIONS)]
    result = dbtRunner().invoke(parse_args)
    if isinstance(result.exception, KeyboardInterrupt):  # stopped: the call must not run
        raise result.exception
    manifest = result.result if result.success else None
    if not isinstance(manifest, Manifest):
        return None
    if any(getattr(node.config, "materialized", None) == "ephemeral" for node in manifest.nodes.values()):
        raise _Unkeepable
    return manifest


@contextmanager
def manifest_for(args: Sequence[str]) -> Iterator[Any | None]:
    """The parsed project for the dbt call `args` (dbt's CLI arguments, the command first), for the
    duration of the call; None when the call parses for itself: a command that does not load the
    project, a parse that failed, a project whose manifest cannot be kept, or another dbt call of
    this process using the kept manifest."""
    if not args or args[0] not in _LOADING_COMMANDS or not _lock.acquire(blocking=False):
        yield None
        return
    try:
        key = _key(args)
        manifest = _kept.get(key)
        if key not in _kept or (manifest is not None and not _env_unchanged(manifest)):
            _kept.clear()  # the old manifest goes before the new one is parsed
            saved = _saved_parse_path(args)
            manifest = _load_saved(saved, key)
            if manifest is None or not _env_unchanged(manifest):
                try:
                    manifest = _parse(args)
                except _Unkeepable:
                    manifest = None
                    _kept[key] = None  # known: every call with this key parses for itself
                else:
                    if manifest is not None and saved is not None:
                        _save(saved, key, manifest)
            if manifest is not None:
                _kept[key] = manifest
        yield manifest
    finally:
        _lock.release()


def in_use() -> bool:
    """Whether a dbt call of this process is parsing the project or running on the kept one."""
    return _lock.locked()


def kept_manifest() -> Any | None:
    """The manifest kept for the next dbt call (None when there is none)."""
    return next(iter(_kept.values()), None)


def forget_parsed_project() -> None:
    """Drop the kept manifest (the next dbt call parses)."""
    with _lock:
        _kept.clear()
