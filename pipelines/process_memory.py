"""What a process that runs the pipeline does with its memory around a run: keep the import-time
heap out of the collector's passes, set glibc's malloc for many runs, and give a run's freed
memory back afterwards. Used by `run_nightly`/`run_range` (pipelines/scoring_run.py); measured by
the nights benchmark (benchmarks/README.md)."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import typing
from collections.abc import Iterator


@contextlib.contextmanager
def imports_frozen(thaw_after: bool) -> Iterator[None]:
    """Keep what exists before the run (imported modules, the definitions: hundreds of thousands
    of objects) out of the garbage collector's passes during the run.

    Python's collector walks every tracked object on each full pass. A run allocates enough (dbt's
    manifest, Dagster's events) to trigger many passes, and each walked the whole import-time heap
    again: about a fifth of a demo night's CPU was `gc_collect_main` (py-spy --native). `gc.freeze`
    moves those objects to a generation the passes skip. A process that goes on (`thaw_after`)
    unfreezes them afterwards, so any garbage among them is collected as before. The CLI, which
    exits after its run, freezes what the run added too: the interpreter's final collection at
    exit then has nothing to walk (it took 1.5 s of a quiet demo night, more when the night had
    imported Great Expectations)."""
    gc.freeze()
    try:
        yield
    finally:
        if thaw_after:
            gc.unfreeze()
        else:
            gc.freeze()


_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameters
_M_ARENA_MAX = -8
_MMAP_THRESHOLD = 256 * 1024


def tune_malloc_for_many_runs() -> None:
    """glibc's malloc set for a process that runs night after night: at most two arenas, and
    every block of 256 KiB or more mapped on its own, so that freeing it gives it back.

    dbt runs in this process, and with it DuckDB's worker threads: glibc gives each contending
    thread its own arena, and memory freed in those arenas stays fragmented there, out of reach
    of `malloc_trim`. Eight dbt scoring runs in one process grew by about 0.9 MB a run with the
    default arenas and about 0.35 MB with two.

    The fixed mmap threshold turns off glibc's sliding one: after a large mapped block is freed,
    glibc raises the threshold to that block's size (up to 32 MiB), so later blocks of a few MiB
    (pandas columns, query results, a resized dict) come from the heap and stay there. Three A/B
    runs of 30 demo nights in one process, at the same time: +12.3 vs +14.2, +13.2 vs +16.0 and
    +10.9 vs about +14 MiB (22 nights) after the first night, the nights as fast (benchmarks/README.md).
    Only arenas created after the call are affected."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, musl): nothing to set
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_ARENA_MAX, 2)
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)


def give_memory_back() -> None:
    """Give the run's freed memory back to the operating system. A run allocates hundreds of MB
    in pandas frames, DuckDB results and Dagster events; once freed, glibc keeps much of it in its
    heaps (fragmented), so without a trim a long-lived process (the daemon, the nights benchmark)
    keeps a higher resident size after every night.

    The typing caches go first: Great Expectations' renderer builds new pydantic model classes for
    every rendered check with a row condition (`row_condition__0`, ...) and asks typing for
    `Optional[...]` of each, so typing's caches (128 entries per operator) kept a night's classes
    alive into the next: about 650 objects a night until they filled."""
    for clear in getattr(typing, "_cleanups", ()):  # the caches' own cache_clear functions
        clear()
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        ctypes.CDLL(None).malloc_trim(0)  # the C library this process already runs on
