"""Hand exports from the drop folder: read (any encoding/delimiter/number format), match a
preset, load once per content. See README.md."""

from connectors.exports.loader import (
    FileResult,
    LoadProblem,
    export_load_problems,
    folder_fingerprint,
    list_export_files,
    load_export_folder,
)
from connectors.exports.presets import PRESETS, UnknownLayout, match_preset
from connectors.exports.reader import ExportFileError, read_cells

__all__ = [
    "PRESETS",
    "ExportFileError",
    "FileResult",
    "LoadProblem",
    "UnknownLayout",
    "export_load_problems",
    "folder_fingerprint",
    "list_export_files",
    "load_export_folder",
    "match_preset",
    "read_cells",
]
