"""Import slow libraries in the background while a step only waits for a subprocess.

Great Expectations takes about 2 s to import (scipy, pydantic models for every pandas reader),
and a night needs it for its data checks. A dbt step spends seconds waiting for dbt's
subprocess, with this process idle; importing GX then costs nothing. A module registers what
it will need (`register`), a step about to wait calls `start()`, and code about to use the
library calls `finish()` first: it returns at once when the import is done (or never started)
and otherwise waits for it, so the library is never imported twice or half.

The import runs only while the main thread waits on a subprocess, not beside other Python work:
two threads importing modules that import each other could deadlock on Python's import locks.
A failed background import is forgotten; the caller's own import then raises the real error.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from collections.abc import Callable

_wanted: dict[str, Callable[[], object] | None] = {}
_thread: threading.Thread | None = None
_lock = threading.Lock()


def register(module: str, warm_up: Callable[[], object] | None = None) -> None:
    """Import `module` (then call `warm_up`) at the next `start()`."""
    _wanted.setdefault(module, warm_up)


def _load(todo: dict[str, Callable[[], object] | None]) -> None:
    for module, warm_up in todo.items():
        with contextlib.suppress(Exception):  # the caller's own import shows the real error
            importlib.import_module(module)
            if warm_up is not None:
                warm_up()


def start() -> None:
    """Begin importing what was registered and is not imported yet, in a daemon thread."""
    global _thread
    with _lock:
        todo = {m: w for m, w in _wanted.items() if m not in sys.modules}
        if _thread is not None or not todo:
            return
        _thread = threading.Thread(target=_load, args=(todo,), name="okr-preload", daemon=True)
        _thread.start()


def finish() -> None:
    """Wait for a background import that is under way (returns at once when there is none)."""
    global _thread
    with _lock:
        thread, _thread = _thread, None
    if thread is not None:
        thread.join()
