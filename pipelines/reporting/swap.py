"""Atomic replacement of a published folder.

Everything is written into a staging folder beside the target (same file system, so a rename
moves it), then swapped in. On Linux the swap is one `renameat2(RENAME_EXCHANGE)` call: at every
instant the target path holds either the complete old or the complete new folder. Where that call
is not available (other systems, some file systems) two renames are used; the target is then
missing for a moment but never half-written. If anything fails before the swap, the staging folder
is removed and the published folder is untouched. A publish killed outright (`kill -9`) leaves its
staging folder, named after its PID; the next publish (or `okr run` at its start) removes it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pipelines.workspace_lock import process_alive

log = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2  # from <linux/fs.h>
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2; False when the system cannot do it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        # The C library this process already runs on (find_library would start `ldconfig -p`).
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False  # glibc older than 2.28
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, f"cannot swap {a} and {b}: {os.strerror(err)}")


def swap_in(staging: Path, target: Path) -> None:
    """Make `staging` the folder at `target`; the previous content is deleted afterwards."""
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging)  # now holds the previous content
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(old, target)  # put the previous scorecard back
        raise
    shutil.rmtree(old, ignore_errors=True)


def _owner_pid(path: Path) -> int | None:
    """The PID in `.<name>.staging-<pid>-<random>` / `.<name>.old-<pid>`, if the name has one."""
    match = re.search(r"\.(?:staging|old)-(\d+)(?:-|$)", path.name)
    return int(match.group(1)) if match else None


def remove_leftovers(target: Path, older_than_s: float = 3600) -> list[Path]:
    """Remove staging folders of publishes that were killed mid-way; returns what was removed.

    A folder whose name carries the PID of a process that no longer runs is removed at once; one
    without a PID (or whose PID is alive, possibly reused) only when older than `older_than_s`,
    so a publish in progress right now is never touched.
    """
    target = Path(target).absolute()
    now = time.time()
    removed = []
    for pattern in (f".{target.name}.staging-*", f".{target.name}.old-*"):
        for path in target.parent.glob(pattern):
            with contextlib.suppress(OSError):
                if not path.is_dir():
                    continue
                pid = _owner_pid(path)
                dead = pid is not None and pid != os.getpid() and not process_alive(pid)
                if dead or now - path.stat().st_mtime > older_than_s:
                    log.info("removing leftover folder %s of an interrupted publish", path)
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path)
    return removed


class NotWritableError(RuntimeError):
    """The publish folder (or the folder it is created in) cannot be written."""


def check_writable(target: Path) -> None:
    """Prove that a publish to `target` can write, before any work is done: create and remove a
    staging folder beside it (and a file in it, when it exists). Raises NotWritableError naming
    the folder. A real write is tried because permission bits do not tell (root, read-only mounts,
    immutable folders)."""
    target = Path(target).absolute()
    where = target.parent
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-{os.getpid()}-", dir=target.parent)).rmdir()
        if target.is_dir():
            where = target
            fd, probe = tempfile.mkstemp(prefix=".okr-write-check-", dir=target)
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        raise NotWritableError(f"cannot write the scorecard folder {where}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield an empty staging folder next to `target`; swap it in when the block ends without error.

    A caller can put its own files into the staging folder inside the block; they are published
    together with everything else.
    """
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-{os.getpid()}-", dir=target.parent))
    try:
        yield staging
        staging.chmod(0o755)  # mkdtemp makes it 0700; a web server or share must be able to read it
        swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
