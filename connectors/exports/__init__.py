"""Hand exports from the drop folder: read (any encoding/delimiter/number format), match a
preset, load once per content. See README.md."""

from __future__ import annotations

import importlib
from typing import Any

# Imported on first use, so that `connectors.exports.values` (which `okr validate` uses for
# check-ins) does not pull in pandas and the warehouse with the loader.
_LAZY = {
    "FileResult": "loader",
    "LoadProblem": "loader",
    "export_load_problems": "loader",
    "folder_fingerprint": "loader",
    "list_export_files": "loader",
    "load_export_folder": "loader",
    "PRESETS": "presets",
    "UnknownLayout": "presets",
    "match_preset": "presets",
    "ExportFileError": "reader",
    "read_cells": "reader",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
