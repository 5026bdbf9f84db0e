"""One run at a time per workspace: an exclusive lock on a file in the workspace's work folder.

    with WorkspaceLock(settings.work_dir / "run.lock").acquire(wait=False):
        ...  # score, publish

The lock is a kernel `flock` on the open file, so it belongs to the process holding it and ends
with it: a run killed with `kill -9` leaves no lock behind, and the next run simply takes it over
(the holder details it wrote are overwritten). The file itself stays; its content names the
current (or last) holder so a second run can say who it is waiting for.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) a workspace lock."""

    pid: int
    started: dt.datetime  # aware, UTC
    command: str
    host: str

    def describe(self) -> str:
        when = self.started.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"PID {self.pid}{where} ({self.command}), started {when}"


class WorkspaceBusy(RuntimeError):
    """Another process holds the workspace lock."""

    def __init__(self, path: Path, holder: Holder | None):
        self.path, self.holder = path, holder
        who = holder.describe() if holder else "a process that has not said who it is yet"
        super().__init__(f"another run is using this workspace: {who}")


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in the lock file, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Holder(
            pid=int(data["pid"]),
            started=dt.datetime.fromisoformat(data["started"]),
            command=str(data.get("command", "")),
            host=str(data.get("host", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _command_line() -> str:
    argv = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv and sys.argv[0] else ["python"]
    if argv[0] in ("cli.py", "__main__.py", "-m"):
        argv[0] = "okr"
    return " ".join(argv)


class WorkspaceLock:
    """An exclusive, process-owned lock on `path` (created with its folders when missing)."""

    def __init__(self, path: Path, command: str | None = None):
        self.path = Path(path)
        self.command = command or _command_line()
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    @contextlib.contextmanager
    def acquire(
        self, wait: bool = False, on_wait: Callable[[Holder | None], None] | None = None
    ) -> Iterator[WorkspaceLock]:
        """Hold the lock for the block. Busy: raise WorkspaceBusy, or with `wait` block until the
        holder ends (calling `on_wait` with the holder once, first)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = self._wait_for_holder_details()
                if not wait:
                    raise WorkspaceBusy(self.path, holder) from None
                if on_wait is not None:
                    on_wait(holder)
                fcntl.flock(fd, fcntl.LOCK_EX)  # blocks until the holder ends; Ctrl-C interrupts it
            self._fd = fd
            self._write_holder(fd)
            yield self
        finally:
            self._fd = None
            os.close(fd)  # closing the last descriptor releases the flock

    def _write_holder(self, fd: int) -> None:
        record = {
            "pid": os.getpid(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": self.command,
            "host": socket.gethostname(),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)

    def _wait_for_holder_details(self) -> Holder | None:
        """The holder writes its details right after taking the lock; until it has, the file may
        still name a dead earlier holder. Give it a moment."""
        holder = None
        for _ in range(20):
            holder = read_holder(self.path)
            if holder is not None and (holder.host != socket.gethostname() or process_alive(holder.pid)):
                return holder
            time.sleep(0.05)
        return holder


def say_waiting(holder: Holder | None) -> None:
    """Tell the user (on stderr) which run this process waits for."""
    who = holder.describe() if holder else "another process"
    print(f"waiting for the run holding this workspace to finish: {who}", file=sys.stderr, flush=True)


def process_alive(pid: int) -> bool:
    """Whether a process with this PID runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
