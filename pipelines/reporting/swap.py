"""Atomic replacement of a published folder.

Everything is written into a staging folder beside the target (same file system, so a rename
moves it), then swapped in. On Linux the swap is one `renameat2(RENAME_EXCHANGE)` call: at every
instant the target path holds either the complete old or the complete new folder. Where that call
is not available (other systems, some file systems) two renames are used; the target is then
missing for a moment but never half-written. If anything fails before the swap, the staging folder
is removed and the published folder is untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2  # from <linux/fs.h>
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2; False when the system cannot do it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
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


def _remove_leftovers(target: Path, older_than_s: float = 3600) -> None:
    """Staging folders of runs that were killed mid-way (an hour old: no live run still uses them)."""
    now = time.time()
    for pattern in (f".{target.name}.staging-*", f".{target.name}.old-*"):
        for path in target.parent.glob(pattern):
            with contextlib.suppress(OSError):
                if path.is_dir() and now - path.stat().st_mtime > older_than_s:
                    log.info("removing leftover folder %s of an interrupted publish", path)
                    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield an empty staging folder next to `target`; swap it in when the block ends without error.

    A caller can put its own files into the staging folder inside the block; they are published
    together with everything else.
    """
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    try:
        yield staging
        staging.chmod(0o755)  # mkdtemp makes it 0700; a web server or share must be able to read it
        swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
