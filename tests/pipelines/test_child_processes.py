"""A child started inside `children_die_with_parent` dies when its parent is killed (`kill -9`)."""

import os
import signal
import subprocess
import sys

import pytest

from tests.helpers import is_running, wait_until

PARENT = """
import subprocess, sys
from pipelines.child_processes import children_die_with_parent
with children_die_with_parent() as active:
    child = subprocess.Popen(["sleep", "120"])
    print(child.pid, active, flush=True)
    child.wait()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_dies_with_its_killed_parent() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    try:
        assert parent.stdout is not None
        pid, active = parent.stdout.readline().split()
        assert active == "True"
        assert is_running(int(pid))
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.communicate(timeout=30)
    wait_until(lambda: not is_running(int(pid)), 30, f"the child {pid} to die with its parent")
