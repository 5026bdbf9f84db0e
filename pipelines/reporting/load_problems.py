"""What failed to load at the latest load: sources (raw.source_load_status) and rejected export
files (raw.export_files), as the run's summary, the CLI's sentences, the operational alert and the
scorecard's `data_health` tell it.

A source is one entry however many raw tables it writes (a dead API fails all of them with the
same sentence); a rejected file carries its problems (file, line, column, problem; the first
`MAX_PROBLEMS`, with the total). Any entry is a data error: `okr run` exits 1, the scorecard is
still published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from connectors.warehouse import Warehouse

EXPORTS_SOURCE = "exports"  # the export folder's name in raw.source_load_status
MAX_PROBLEMS = 20  # rows of one rejected file listed on the page (the rest are counted)


@dataclass(frozen=True)
class FailedSource:
    source: str  # the registry name (hubspot), or "exports"
    title: str  # the product's name for people (HubSpot)
    raw_tables: list[str]
    error: str  # one plain, secret-free sentence from the loader
    last_success_at: str | None  # ISO UTC; None when it never loaded
    krs_affected: int  # KRs of the current cycle stale because of it (kr_scores.failed_source)

    def sentence(self) -> str:
        kept = (
            f"data as of {self.last_success_at[:16].replace('T', ' ')} UTC kept"
            if self.last_success_at
            else "never loaded"
        )
        krs = f"; {_count(self.krs_affected, 'key result')} stale" if self.krs_affected else ""
        return f"{self.title} failed to load ({kept}{krs}): {self.error}"


@dataclass(frozen=True)
class RejectedFile:
    file_name: str  # relative to the export folder
    error: str  # one sentence naming the file, line and column of the first problems
    rejected_rows: int  # rows with a problem (0 when the whole file could not be read)
    problems: list[dict[str, Any]] = field(default_factory=list)  # {line, column, problem}, capped
    problem_count: int = 0  # every problem the loader listed

    def sentence(self) -> str:
        rows = f" ({_count(self.rejected_rows, 'row')} rejected)" if self.rejected_rows else ""
        return f"Export file rejected{rows}: {self.error}"


@dataclass(frozen=True)
class LoadProblems:
    sources: list[FailedSource] = field(default_factory=list)
    files: list[RejectedFile] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sources or self.files)

    @property
    def rejected_rows(self) -> int:
        return sum(f.rejected_rows for f in self.files)

    def summary(self) -> str:
        """e.g. "1 source failed (HubSpot), 2 export files rejected (31 rows)"; "" when none."""
        parts = []
        if self.sources:
            names = ", ".join(s.title for s in self.sources)
            parts.append(f"{_count(len(self.sources), 'source')} failed ({names})")
        if self.files:
            rows = f" ({_count(self.rejected_rows, 'row')})" if self.rejected_rows else ""
            parts.append(f"{_count(len(self.files), 'export file')} rejected{rows}")
        return ", ".join(parts)

    def sentences(self) -> list[str]:
        return [s.sentence() for s in self.sources] + [f.sentence() for f in self.files]

    def as_json(self) -> dict[str, Any]:
        """The keys added to scorecard.json's data_health (docs/scorecard-schema.md)."""
        return {
            "failed_sources": [asdict(s) for s in self.sources],
            "rejected_files": [asdict(f) for f in self.files],
            "rejected_rows": self.rejected_rows,
        }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _titles() -> dict[str, str]:
    from connectors.registry import sources

    return {EXPORTS_SOURCE: "Export files", **{d.name: d.title for d in sources()}}


def _krs_affected(warehouse: Warehouse) -> dict[str, int]:
    """KRs of the current (or a coming) cycle made stale by each failed source (past cycles' KRs
    are history, not news); empty before the first scoring."""
    try:
        df = warehouse.query(
            "SELECT failed_source, count(*) AS n FROM analytics.kr_scores WHERE failed_source IS NOT NULL"
            " AND status = 'stale' AND end_date >= as_of GROUP BY failed_source"
        )
    except Exception:  # no scores yet (or marts from before failed_source): nothing is affected
        return {}
    return {str(r.failed_source): int(r.n) for r in df.itertuples()}


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def read_load_problems(warehouse: Warehouse) -> LoadProblems:
    """The failed sources (one entry per source) and the rejected export files of the latest load."""
    from connectors.exports import export_load_problems
    from connectors.load_status import source_load_failures

    titles, affected = _titles(), _krs_affected(warehouse)
    by_source: dict[str, list] = {}
    for f in source_load_failures(warehouse):
        by_source.setdefault(f.source, []).append(f)
    failed = [
        FailedSource(
            source=name,
            title=titles.get(name, name),
            raw_tables=[f.raw_table for f in group],
            # A source fails as a whole; its tables differ only when its streams failed apart.
            error="; ".join(dict.fromkeys(f.error.removeprefix(f"{name}: ") for f in group)),
            last_success_at=_iso(min((f.last_success_at for f in group), default=None, key=_never_first)),
            krs_affected=affected.get(name, 0),
        )
        for name, group in sorted(by_source.items())
    ]
    files = [
        RejectedFile(
            file_name=p.file_name,
            error=p.error,
            rejected_rows=p.rejected_rows,
            problems=[_problem(x) for x in p.problems[:MAX_PROBLEMS]],
            problem_count=len(p.problems),
        )
        for p in export_load_problems(warehouse)
    ]
    return LoadProblems(failed, files)


def _never_first(value: dt.datetime | None) -> dt.datetime:
    # The stalest table speaks for the source: one that never loaded sorts first.
    return value or dt.datetime.min


def _problem(p: Any) -> dict[str, Any]:
    p = p if isinstance(p, dict) else {"problem": str(p)}
    return {"line": p.get("line"), "column": p.get("column"), "problem": str(p.get("problem") or "")}
