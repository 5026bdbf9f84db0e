"""Great Expectations without the two heavy modules it imports at load but never uses here.

`import great_expectations` loads `altair` and `scipy.stats` for two expectations this project does
not use (KL divergence and the KS-test p-value): 0.9 s of its 2.3 s import, paid by every night
whose data changed. Those two modules are made lazy (the standard library's
`importlib.util.LazyLoader`): the import binds a module object at once and runs the module on its
first attribute access, so a check that does need them still gets the real module.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence

# Imported by great_expectations at load (expect_column_kl_divergence_to_be_less_than and the
# KS-test metrics), used only inside those expectations' functions.
DEFERRED = ("altair", "scipy.stats")


class _DeferredModules(importlib.abc.MetaPathFinder):
    """Finds the named modules with the other finders, and loads them lazily."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = frozenset(names)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = importlib.util.LazyLoader(spec.loader)
                return spec
        return None


def defer_unused_gx_imports() -> None:
    """Make `DEFERRED` lazy for this process (once; a module already imported stays as it is)."""
    if not any(isinstance(f, _DeferredModules) for f in sys.meta_path):
        sys.meta_path.insert(0, _DeferredModules(DEFERRED))
