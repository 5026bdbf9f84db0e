"""Check the loaded rows of an export against the totals the file carries itself.

Totals rows (GA4's `Grand total`, Google Ads' `Total: Account` / `Total: Campaigns`, Salesforce's
`Grand Totals (n records)` footer) are not loaded as data. For every additive numeric column, the
loaded rows must add up to at least one of the file's totals rows within the rounding the total is
written with (`Total: Account` may include campaigns the download left out, `Total: Campaigns`
is the listed rows); `(n records)` must equal the number of rows. A GA4 comparison export totals
each date range on its own. A mismatch means a truncated or hand-edited file: the file is rejected
with a message naming the file and column.
"""

from __future__ import annotations

import re

from connectors.exports import values as v
from connectors.exports.convert import Converted, RowError
from connectors.exports.presets import field_positions, norm_header

HINT = (
    " (the file looks truncated or edited by hand: export it again, or remove its totals rows if the "
    "edit was on purpose)"
)
_RECORDS = re.compile(r"\((\d+)\s+records?\)", re.IGNORECASE)


def _decimals(text: str, decimal_comma: bool) -> int:
    sep = "," if decimal_comma else "."
    digits = re.sub(r"[^0-9.,]", "", text)
    return len(digits.rsplit(sep, 1)[1]) if sep in digits else 0


def _totals_rows(conv: Converted) -> list[tuple[int, str, list[str]]]:
    """(line, label, cells) of every totals row: in the block, and in the trailer where a label
    line alone (Salesforce's `Grand Totals (3 records)`) takes its values from the next line."""
    label_re = re.compile(_strip_flags(), re.IGNORECASE)
    out = [
        (line, next((c.strip() for c in cells[:3] if label_re.fullmatch(c.strip())), ""), cells)
        for line, cells in conv.totals
    ]
    trailer = conv.cells.trailer
    for i, (line, cells) in enumerate(trailer):
        label = next((c for c in cells if c.strip()), "")
        if not label_re.fullmatch(label.strip()):
            continue
        values = cells
        if sum(1 for c in cells if c.strip()) == 1 and i + 1 < len(trailer):
            nxt_line, nxt = trailer[i + 1]
            if nxt and not nxt[0].strip() and nxt_line == line + 1:
                values = nxt
        out.append((line, label.strip(), values))
    return out


def _strip_flags() -> str:
    from connectors.exports.convert import TOTALS_LABEL

    return TOTALS_LABEL.removeprefix("(?i)")


def reconcile(conv: Converted) -> list[RowError]:
    """Mismatches between the loaded rows and the file's totals rows (empty when they agree or
    the file has no totals)."""
    rows = _totals_rows(conv)
    if not rows:
        return []
    preset, header, con = conv.preset, conv.cells.header, conv.cells.con
    pos = field_positions(preset, header)
    errors = []
    for line, label, _ in rows:
        m = _RECORDS.search(label)
        if m and int(m[1]) != conv.rows:
            errors.append(RowError(line, None, f"the file says {label!r} but {conv.rows} rows were read"))
    segment = next(
        (i for i, h in enumerate(header) for s in preset.segment_headers if norm_header(h) == norm_header(s)),
        None,
    )
    if segment is not None:
        sums_sql = (
            f"SELECT coalesce(trim(b.c{segment}), '') AS seg, {{cols}} "
            "FROM typed t JOIN body b USING (line) GROUP BY 1"
        )
    else:
        sums_sql = "SELECT '' AS seg, {cols} FROM typed"
    additive = [f for f in preset.fields if f.kind in ("int", "number") and f.additive and f.column in pos]
    if not additive:
        return errors
    cols = ", ".join(f"sum({f.column}) AS {f.column}" for f in additive)
    sums = {r[0]: r[1:] for r in con.execute(sums_sql.format(cols=cols)).fetchall()}
    for k, f in enumerate(additive):
        p = pos[f.column]
        candidates = []
        for line, label, cells in rows:
            text = cells[p].strip() if p < len(cells) else ""
            try:
                total = v.parse_number(text, conv.decimal_comma) if text else None
            except v.ValueProblem:
                total = None
            if total is None:
                continue
            seg = cells[segment].strip() if segment is not None and segment < len(cells) else ""
            candidates.append((line, label, text, total, seg))
        if not candidates:
            continue
        # Without segments one matching total is enough (Total: Account may hold more than the
        # listed campaigns); with segments (comparison ranges) every segment's total must match.
        misses = []
        for line, label, text, total, seg in candidates:
            got = (sums.get(seg) or [None] * len(additive))[k] or 0.0
            tolerance = 0.5 * 10 ** -_decimals(text, conv.decimal_comma) + 1e-9 * abs(total)
            if abs(got - total) > tolerance:
                misses.append((line, label, text, got))
        if misses and (segment is not None or len(misses) == len(candidates)):
            line, label, text, got = misses[0]
            errors.append(
                RowError(
                    line, header[p], f"the loaded rows add up to {got:.10g} but the '{label}' row says {text}"
                )
            )
    if errors:
        errors[0] = RowError(errors[0].line, errors[0].column, errors[0].problem + HINT)
    return errors
