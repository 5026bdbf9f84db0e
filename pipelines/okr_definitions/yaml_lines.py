"""YAML loading for OKR files: safe, bounded, and aware of the line of every key.

PyYAML's loaders trust their input more than a definitions file deserves: an alias bomb expands
to gigabytes, deep nesting and self-referencing aliases end in RecursionError, duplicate keys
silently keep the last value, and `2026-13-19` raises a bare ValueError. So the document is built
here from the parser's event stream (libyaml's when installed, which also makes it fast), one
event at a time with an explicit stack, under limits on size, depth and alias expansion.

Problems that stop the whole file (bad syntax, a limit, an alias loop) raise FileProblem; problems
of one value (a duplicate key, an impossible date, a number too large, a disallowed tag, a
mapping used as a key) are collected in `LoadedYaml.problems` so that the rest of the file is
still checked. Keys are always text (the key as written), which is what OKR files use.

One file because it is a single event-stream builder (`_Builder`) and the limits it enforces;
its parts only make sense together.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from pipelines.okr_definitions.errors import FileProblem

Path_ = tuple[str | int, ...]

MAX_FILE_BYTES = 1_000_000  # a year of OKRs for a large team is well under 100 kB
MAX_DEPTH = 40  # objectives → key_results → initiatives → campaigns is 7 levels
MAX_VALUES = 100_000  # values after expanding aliases; a 30-KR file holds about 600

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_COLLECTION_TAGS = {f"{_TAG}map", f"{_TAG}seq"}
# YAML 1.2 reads `1e6` and `1e400` as numbers; PyYAML's YAML 1.1 rules leave them as text.
_EXPONENT_NUMBER = re.compile(r"^[-+]?(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)[eE][-+]?[0-9]+$")
_DATE_PARTS = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass
class LoadedYaml:
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)  # path -> 1-based line of its key or item
    problems: list[tuple[Path_, int, str]] = field(default_factory=list)  # (path, line, sentence)


def format_path(path: Path_) -> str:
    """('objectives', 0, 'key_results', 2, 'target') -> 'objectives[0].key_results[2].target'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def line_for(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of path, or of its nearest ancestor that exists (for a missing key)."""
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        path = path[:-1]


@dataclass
class _Collection:
    value: dict | list
    path: Path_
    line: int
    anchor: str | None
    size: int = 1  # values inside, aliases expanded
    key: str | None = None  # mapping: the key whose value comes next (None: a key comes next)
    key_line: int = 0
    skip: int = 0  # values still to drop after an unusable key
    key_lines: dict[str, int] = field(default_factory=dict)
    merges: list[dict] = field(default_factory=list)

    def expects_key(self) -> bool:
        return isinstance(self.value, dict) and self.key is None and not self.skip


class _Builder:
    def __init__(self) -> None:
        self.out = LoadedYaml(data=None)
        self.stack: list[_Collection] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.values = 0
        self.documents = 0

    def run(self, text: str) -> LoadedYaml:
        try:
            for event in yaml.parse(text, Loader=_LOADER):
                self.event(event)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "the YAML syntax is broken"
            if mark and text[mark.index : mark.index + 1] == "\t":
                problem = "a tab character: YAML is indented with spaces, never tabs"
            elif _names_another_place(exc):
                start = exc.context_mark
                problem += f" {exc.context} that starts at line {start.line + 1}, column {start.column + 1}"
            raise FileProblem(
                f"is not valid YAML: {problem}",
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
            ) from None
        except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
            position = getattr(exc, "position", None)
            line = column = None
            if isinstance(position, int):
                line = text.count("\n", 0, position) + 1
                column = position - (text.rfind("\n", 0, position) + 1) + 1
            reason = getattr(exc, "reason", None) or "a character YAML does not allow"
            raise FileProblem(f"is not valid YAML: {reason}", line, column) from None
        return self.out

    def event(self, ev: yaml.Event) -> None:
        line = ev.start_mark.line + 1
        if isinstance(ev, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise FileProblem(
                    "holds more than one YAML document (a second `---`); use one per file", line
                )
        elif isinstance(ev, yaml.ScalarEvent):
            self.count(1, line)
            top = self.stack[-1] if self.stack else None
            if top is not None and top.expects_key():
                top.key, top.key_line = ev.value, line  # keys are text, as written
            else:
                self.add(self.scalar(ev, line), 1, line, ev.anchor)
        elif isinstance(ev, yaml.AliasEvent):
            self.alias(ev.anchor, line)
        elif isinstance(ev, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self.start(ev, line)
        elif isinstance(ev, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self.end()

    def count(self, n: int, line: int) -> None:
        self.values += n
        if self.values > MAX_VALUES:
            raise FileProblem(
                f"expands to more than {MAX_VALUES:,} values (through aliases `*name` or sheer size); "
                "an OKR file needs far fewer",
                line,
            )

    def here(self) -> Path_:
        """The path of the value that comes next."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.value, list):
            return (*top.path, len(top.value))
        return (*top.path, top.key) if top.key is not None else top.path

    def problem(self, path: Path_, line: int, message: str) -> None:
        self.out.problems.append((path, line, message))

    def scalar(self, ev: yaml.ScalarEvent, line: int) -> Any:
        text, tag = ev.value, ev.tag
        if tag in (None, "!"):
            if not ev.implicit[0]:  # quoted or block text, or the `!` tag: always a string
                return text
            tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
            if tag == f"{_TAG}str" and _EXPONENT_NUMBER.match(text):
                tag = f"{_TAG}float"
        if tag not in _SCALAR_TAGS:
            self.problem(
                self.here(), line, f"the tag {ev.tag} is not allowed in OKR files (write the plain value)"
            )
            return text
        try:
            if tag == f"{_TAG}float" and _EXPONENT_NUMBER.match(text):
                value: Any = float(text.replace("_", ""))
            else:
                value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, text))
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            self.problem(self.here(), line, _unreadable(text, tag, exc))
            return text
        if isinstance(value, float) and math.isinf(value) and "inf" not in text.lower():
            self.problem(self.here(), line, f"{text} is too large to be a number")
            return text
        return value

    def alias(self, name: str, line: int) -> None:
        if name in self.open_anchors:
            raise FileProblem(
                f"the alias *{name} is inside the value it refers to (&{name}), which would never end", line
            )
        if name not in self.anchors:
            raise FileProblem(f"the alias *{name} refers to no anchor &{name} above it", line)
        value, size = self.anchors[name]
        self.count(size, line)
        top = self.stack[-1] if self.stack else None
        if top is not None and top.expects_key():
            if isinstance(value, dict | list):
                self.complex_key(top, line)
            else:
                top.key, top.key_line = str(value), line
            return
        self.add(value, size, line, None)

    def start(self, ev: yaml.CollectionStartEvent, line: int) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise FileProblem(f"nests deeper than {MAX_DEPTH} levels; OKR files need far fewer", line)
        self.count(1, line)
        top = self.stack[-1] if self.stack else None
        path = self.here()
        if top is not None and top.expects_key():
            self.complex_key(top, line)
            path = (*top.path, "?")  # composed, then dropped
        if ev.tag not in (None, "!") and ev.tag not in _COLLECTION_TAGS:
            self.problem(path, line, _tag_message(ev.tag))
        if ev.anchor:
            self.open_anchors.add(ev.anchor)
        container: dict | list = {} if isinstance(ev, yaml.MappingStartEvent) else []
        self.stack.append(_Collection(container, path, line, ev.anchor))

    def complex_key(self, top: _Collection, line: int) -> None:
        """`? [a, b]: x` or `{a: 1}: x`: its value (and the key itself) are dropped."""
        self.problem(top.path, line, "a key must be a single name, not a mapping or a list")
        top.skip = 2  # the key being composed, then its value

    def end(self) -> None:
        done = self.stack.pop()
        if isinstance(done.value, dict):
            for merged in done.merges:  # `<<: *defaults`: keys written here win
                for key, value in merged.items():
                    done.value.setdefault(key, value)
        if done.anchor:
            self.open_anchors.discard(done.anchor)
            self.anchors[done.anchor] = (done.value, done.size)
        self.add(done.value, done.size, done.line, None)

    def add(self, value: Any, size: int, line: int, anchor: str | None) -> None:
        """Put a finished value where it belongs: the root, a list item or a key's value."""
        if anchor:
            self.anchors[anchor] = (value, size)
        if not self.stack:
            self.out.data = value
            self.out.lines[()] = line
            return
        top = self.stack[-1]
        top.size += size
        if isinstance(top.value, list):
            self.out.lines.setdefault((*top.path, len(top.value)), line)
            top.value.append(value)
        elif top.skip:
            top.skip -= 1
        else:
            self.set_value(top, value)
            top.key = None

    def set_value(self, top: _Collection, value: Any) -> None:
        key = top.key
        assert key is not None and isinstance(top.value, dict)
        if key == "<<":
            merged = value if isinstance(value, list) else [value]
            if not all(isinstance(m, dict) for m in merged):
                self.problem(top.path, top.key_line, "`<<:` must name a mapping (like `<<: *defaults`)")
            else:
                top.merges.extend(merged)
            return
        path = (*top.path, key)
        if key in top.key_lines:
            first = top.key_lines[key]
            self.problem(
                path,
                top.key_line,
                f"the key {key!r} appears twice in the same mapping (lines {first} and {top.key_line}); "
                "keep one",
            )
            return
        top.key_lines[key] = top.key_line
        self.out.lines[path] = top.key_line
        top.value[key] = value


def _names_another_place(exc: yaml.MarkedYAMLError) -> bool:
    """True when the error's context ("while parsing a flow sequence") starts elsewhere: worth saying."""
    start, mark = exc.context_mark, exc.problem_mark
    if not (exc.context and exc.problem and start and exc.context.startswith("while parsing")):
        return False
    return mark is None or (start.line, start.column) != (mark.line, mark.column)


def _tag_message(tag: str) -> str:
    return f"the tag {tag.replace(_TAG, '!!')} is not allowed in OKR files (write the plain value)"


def _unreadable(text: str, tag: str, exc: Exception) -> str:
    if tag.endswith("timestamp") and (m := _DATE_PARTS.match(text)):
        year, month, day = (int(g) for g in m.groups())
        if not 1 <= month <= 12:
            return f"{text} is not a date: there is no month {month}"
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            days = calendar.monthrange(year, month)[1]
            return f"{text} is not a date: {dt.date(year, month, 1):%B %Y} has {days} days"
        return f"{text} is not a date or time that exists"
    if tag.endswith(("int", "float")):
        return f"{text[:40]!r} cannot be read as a number"
    return f"{text[:40]!r} cannot be read ({exc})"


def load_with_lines(text: str) -> LoadedYaml:
    """Parse one YAML document under the limits above; FileProblem when the file fails as a whole."""
    return _Builder().run(text)
