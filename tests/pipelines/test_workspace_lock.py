"""The workspace lock, between real processes: busy, waiting, and taken over from a killed holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipelines.settings import REPO_ROOT
from pipelines.workspace_lock import WorkspaceBusy, WorkspaceLock, read_holder

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pipelines.workspace_lock import WorkspaceLock
    with WorkspaceLock(Path(sys.argv[1]), command="okr run --as-of 2026-11-26").acquire(
        wait=sys.argv[2] == "wait", on_wait=lambda h: print("waiting for", h.pid, flush=True)
    ):
        print("holding", flush=True)
        sys.stdin.readline()  # hold until the test says so (or kills us)
    print("released", flush=True)
    """
)


def _holder(path: Path, mode: str = "nowait") -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), mode],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return proc


def test_second_holder_is_refused_with_the_first_named(tmp_path: Path) -> None:
    path = tmp_path / "data" / ".okr" / "run.lock"
    first = _holder(path)
    try:
        assert first.stdout.readline().strip() == "holding"
        with pytest.raises(WorkspaceBusy) as busy, WorkspaceLock(path).acquire():
            pytest.fail("acquired a lock that another process holds")
        assert busy.value.holder is not None and busy.value.holder.pid == first.pid
        message = str(busy.value)
        assert f"PID {first.pid}" in message and "okr run --as-of 2026-11-26" in message
        assert "started" in message and "\n" not in message
    finally:
        first.communicate("\n", timeout=60)
    with WorkspaceLock(path).acquire() as lock:  # free again once the holder let go
        assert lock.held and read_holder(path).pid == os.getpid()


def test_waiter_gets_the_lock_when_the_holder_ends(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    with WorkspaceLock(path).acquire():
        waiter = _holder(path, "wait")
        assert waiter.stdout.readline().split() == ["waiting", "for", str(os.getpid())]
        assert waiter.poll() is None  # still queued while we hold it
    assert waiter.stdout.readline().strip() == "holding"
    assert read_holder(path).pid == waiter.pid
    waiter.communicate("\n", timeout=60)


def test_lock_of_a_killed_holder_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    holder = _holder(path)
    assert holder.stdout.readline().strip() == "holding"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=60)
    assert read_holder(path).pid == holder.pid  # its record is still there ...
    with WorkspaceLock(path).acquire():  # ... but the lock died with it
        assert read_holder(path).pid == os.getpid()
