"""Rows of the fault table in docs/reliability.md, written by the fault tests as they pass.

A fault test injects a fault (a killed run, a bad file, a dead API ...), asserts what must hold,
and records what it observed through the `fault_report` fixture (tests/conftest.py). Each passing
test writes its rows to one JSON file in ROWS_DIR; `make reliability` runs the fault tests and
renders the table with `scripts/reliability_report.py`. A failing test writes nothing, so the table
only ever shows behaviour that was just proven.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipelines.settings import REPO_ROOT

ROWS_DIR = Path(os.environ.get("OKR_FAULT_REPORT_DIR") or REPO_ROOT / "build" / "fault-report")


@dataclass(frozen=True)
class FaultRow:
    area: str  # groups the table: "Runs", "Export files", "APIs", "Definitions", ...
    fault: str  # what was done to the system, in a user's words
    sees: str  # what the user sees (quote the message the test observed)
    kept: str  # what stays intact, as asserted by the test
    exit_code: int | None  # of the command, when the fault is seen through one
    test: str  # pytest node id that proved the row


@dataclass
class FaultReport:
    """Collects a test's rows; see the `fault_report` fixture."""

    test: str
    rows: list[FaultRow] = field(default_factory=list)

    def __call__(self, *, area: str, fault: str, sees: str, kept: str, exit_code: int | None = None) -> None:
        for name, value in (("area", area), ("fault", fault), ("sees", sees), ("kept", kept)):
            if not str(value).strip():
                raise ValueError(f"fault_report: {name} must say something")
        self.rows.append(FaultRow(area, fault, stable(sees), kept, exit_code, self.test))

    def save(self) -> Path | None:
        if not self.rows:
            return None
        ROWS_DIR.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha1(self.test.encode(), usedforsecurity=False).hexdigest()[:16]
        path = ROWS_DIR / f"{name}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps([asdict(r) for r in self.rows], indent=1, ensure_ascii=False) + "\n")
        os.replace(tmp, path)  # parallel workers never see half a file
        return path


# What differs from one test run to the next, so the table only changes when behaviour does.
_UNSTABLE = [
    (re.compile(r"/[^\s:;,()'\"]*?/pytest-\d+(?:/popen-gw\d+)?/[^/\s:;,()'\"]+"), "<tmp>"),
    (re.compile(r"\bPID \d+"), "PID <pid>"),
    (re.compile(r"\.staging-\d+-\w+"), ".staging-<pid>-<random>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:?\d{2}| [A-Z]{2,5})?"), "<time>"),
    (re.compile(r"-\d{8}-\d{6}-\d+\.log\b"), "-<time>-<pid>.log"),
    (re.compile(r"\b127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),  # loopback fakes listen on any free port
]


def stable(text: str) -> str:
    """One line, with temporary paths, PIDs and times replaced by placeholders."""
    text = " ".join(str(text).split())
    for pattern, placeholder in _UNSTABLE:
        text = pattern.sub(placeholder, text)
    return text


def load_rows(rows_dir: Path = ROWS_DIR) -> list[FaultRow]:
    rows = []
    for path in sorted(rows_dir.glob("*.json")):
        for r in json.loads(path.read_text(encoding="utf-8")):
            rows.append(FaultRow(**{**r, "sees": stable(r["sees"])}))
    return sorted(rows, key=lambda r: (r.area, r.test))  # stable: a test's rows in the order it found them
