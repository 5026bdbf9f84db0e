"""Child processes die with the `okr` process that started them.

dbt's node runs happen inside the run's process, but `dbt parse` (after the dbt project changed)
is a subprocess, and so is anything else a step starts. When `okr run` is killed (`kill -9`, OOM
killer, a closed SSH session), an orphaned dbt would keep the DuckDB file locked and keep writing
for seconds, so the next run fails on a lock it cannot explain. On Linux the kernel can deliver a
signal to a process when its parent dies (`prctl(PR_SET_PDEATHSIG)`), which also covers `kill -9`,
where no clean-up code of ours runs. The setting is made in the child between fork and exec, so it
is installed here as the default `preexec_fn` of every `subprocess.Popen` created by this process:
one documented switch, turned on by the CLI for the length of a run, instead of a wrapper around
every launcher.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_PREEXEC_POSITION = 6  # Popen(args, bufsize, executable, stdin, stdout, stderr, preexec_fn, ...)


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


@contextlib.contextmanager
def children_die_with_parent(sig: int = signal.SIGKILL) -> Iterator[bool]:
    """Inside the block, every subprocess this process starts gets `sig` when this process dies.

    Yields False (and changes nothing) where the system cannot do it (not Linux).
    """
    prctl = _prctl()
    if prctl is None or getattr(subprocess.Popen.__init__, "_okr_die_with_parent", False):
        yield prctl is not None
        return
    original = subprocess.Popen.__init__

    def init(self: subprocess.Popen, *args: Any, **kwargs: Any) -> None:
        if len(args) > _PREEXEC_POSITION:  # preexec_fn given positionally: leave the call alone
            original(self, *args, **kwargs)
            return
        parent = os.getpid()
        user_preexec = kwargs.get("preexec_fn")

        def preexec() -> None:
            # Runs in the child after fork: only async-signal-safe work (two system calls).
            prctl(_PR_SET_PDEATHSIG, sig)
            if os.getppid() != parent:  # the parent died before the line above took effect
                os._exit(1)
            if user_preexec is not None:
                user_preexec()

        kwargs["preexec_fn"] = preexec
        original(self, *args, **kwargs)

    init._okr_die_with_parent = True  # type: ignore[attr-defined]
    subprocess.Popen.__init__ = init  # type: ignore[method-assign]
    try:
        yield True
    finally:
        subprocess.Popen.__init__ = original  # type: ignore[method-assign]
