"""Manual check-ins (`okrs/checkins.csv`) for goals that no system measures."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.okr_definitions.errors import DefinitionError

COLUMNS = ["kr_id", "date", "value", "note"]


@dataclass(frozen=True)
class Checkin:
    kr_id: str
    checkin_date: dt.date
    value: float
    note: str | None


def load_checkins(
    path: Path, key_results: dict[str, Any], display: str, errors: list[DefinitionError]
) -> list[Checkin]:
    """Read check-ins; each bad cell is reported with its line and column."""
    out: list[Checkin] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in COLUMNS[:3] if c not in header]
        if missing:
            errors.append(
                DefinitionError(
                    display,
                    1,
                    "",
                    f"missing column(s) {', '.join(missing)}; expected header {','.join(COLUMNS)}",
                )
            )
            return out
        for row in reader:
            line = reader.line_num
            kr_id = (row.get("kr_id") or "").strip()
            kr = key_results.get(kr_id)
            ok = True
            if kr is None:
                errors.append(DefinitionError(display, line, "kr_id", f"unknown key result {kr_id!r}"))
                ok = False
            elif kr.metric != "checkins":
                errors.append(
                    DefinitionError(
                        display,
                        line,
                        "kr_id",
                        f"key result {kr_id!r} uses metric {kr.metric!r}, not checkins",
                    )
                )
                ok = False
            try:
                day = dt.date.fromisoformat((row.get("date") or "").strip())
            except ValueError:
                errors.append(
                    DefinitionError(
                        display, line, "date", f"{row.get('date')!r} is not a date like 2026-10-15"
                    )
                )
                ok = False
            try:
                value = float((row.get("value") or "").strip())
            except ValueError:
                errors.append(
                    DefinitionError(display, line, "value", f"{row.get('value')!r} is not a number")
                )
                ok = False
            if ok:
                out.append(Checkin(kr_id, day, value, (row.get("note") or "").strip() or None))
    return out
