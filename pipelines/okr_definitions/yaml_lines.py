"""YAML loading that remembers the line of every key, so errors can point at it."""

from __future__ import annotations

from typing import Any

import yaml

Path_ = tuple[str | int, ...]


def format_path(path: Path_) -> str:
    """('objectives', 0, 'key_results', 2, 'target') -> 'objectives[0].key_results[2].target'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_with_lines(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML safely; also return {path: 1-based line} for every mapping key and list item."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[Path_, int] = {}
    if node is None:
        return None, lines
    _walk(node, (), lines)
    return yaml.safe_load(text), lines


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines)


def line_for(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of path, or of its nearest ancestor that exists (for a missing key)."""
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        path = path[:-1]
