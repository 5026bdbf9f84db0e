"""A process that runs night after night sets glibc's malloc so freed memory can go back
(pipelines/process_memory.py, `tune_malloc_for_many_runs`). Checked in a fresh interpreter, by what
glibc does, not by reading the setting back (glibc has no call for that)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import ctypes, json
class Mallinfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd",
        "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Mallinfo2
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
def mapped_after_a_big_free():
    libc.free(libc.malloc(16 << 20))  # a mapped 16 MiB block freed: glibc's threshold slides up to it
    before = libc.mallinfo2().hblks
    block = libc.malloc(1 << 20)
    mapped = libc.mallinfo2().hblks - before
    libc.free(block)
    return mapped
default = mapped_after_a_big_free()
from pipelines.process_memory import tune_malloc_for_many_runs
tune_malloc_for_many_runs()
print(json.dumps({"default": default, "tuned": mapped_after_a_big_free()}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_megabyte_is_mapped_on_its_own_even_after_a_bigger_block_was_freed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=REPO, capture_output=True, text=True, check=False, timeout=120
    )
    if "undefined symbol: mallinfo2" in done.stderr:
        pytest.skip("not glibc 2.33 or newer")
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    # glibc's own sliding threshold keeps the megabyte in the heap, where it stays when freed;
    # the fixed 256 KiB threshold maps it, and freeing it unmaps it.
    assert seen == {"default": 0, "tuned": 1}
