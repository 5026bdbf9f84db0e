"""Find DuckDB-only SQL in the dbt project outside dispatch macros.

The project must build unchanged on PostgreSQL (and, later, other warehouses). Engine-specific SQL
belongs in `adapter.dispatch` macros with one implementation per adapter
(`dbt_project/macros/cross_db/`). This check reads every model, macro and singular test, drops
Jinja, comments and string literals, skips the bodies of adapter-specific macros
(`duckdb__...`, `snowflake__...`), and reports DuckDB-only functions, types and clauses by file
and line. It needs neither dbt nor a database, so it runs in a second; the parity test
(`tests/dbt/test_postgres_parity.py`) is the complete check on a real PostgreSQL server.

    python scripts/check_portability.py [dbt_project_dir]     # exit 1 when something is found
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# Macros named `<adapter>__name` (other than the portable `default__` and the `postgres__` form we
# must also run) are engine-specific on purpose.
_ADAPTER_MACRO = re.compile(
    r"\{%-?\s*macro\s+(duckdb|motherduck|snowflake|bigquery|databricks|spark|redshift|trino|athena|fabric)__"
    r".*?\{%-?\s*endmacro\s*-?%\}",
    re.DOTALL | re.IGNORECASE,
)

_FUNCTIONS = {
    # dates and times
    "strftime": "format dates with a dispatch macro (PostgreSQL: to_char)",
    "strptime": "parse dates with a dispatch macro (PostgreSQL: to_date / to_timestamp)",
    "try_strptime": "parse dates with a dispatch macro",
    "date_diff": "use {{ dbt.datediff(a, b, 'day') }}",
    "datediff": "use {{ dbt.datediff(a, b, 'day') }}",
    "date_sub": "use {{ dbt.dateadd('day', -n, d) }}",
    "date_add": "use {{ dbt.dateadd('day', n, d) }}",
    "epoch": "use extract(epoch from ...)",
    "epoch_ms": "use extract(epoch from ...) * 1000",
    "today": "use current_date",
    "dayname": "use a dispatch macro (PostgreSQL: to_char(d, 'Day'))",
    "monthname": "use a dispatch macro (PostgreSQL: to_char(d, 'Month'))",
    "dayofweek": "use extract(dow from d)",
    "dayofmonth": "use extract(day from d)",
    "dayofyear": "use extract(doy from d)",
    "weekofyear": "use extract(week from d)",
    "yearweek": "use a dispatch macro",
    "last_day": "use {{ dbt.last_day(d, 'month') }}",
    # aggregates
    "arg_max": "use row_number() over (...) or a dispatch macro",
    "arg_min": "use row_number() over (...) or a dispatch macro",
    "argmax": "use row_number() over (...) or a dispatch macro",
    "argmin": "use row_number() over (...) or a dispatch macro",
    "max_by": "use row_number() over (...) or a dispatch macro",
    "min_by": "use row_number() over (...) or a dispatch macro",
    "count_if": "use sum(case when ... then 1 else 0 end)",
    "countif": "use sum(case when ... then 1 else 0 end)",
    "median": "use percentile_cont(0.5) within group (order by x)",
    "quantile": "use percentile_cont(q) within group (order by x)",
    "quantile_cont": "use percentile_cont(q) within group (order by x)",
    "quantile_disc": "use percentile_disc(q) within group (order by x)",
    "approx_count_distinct": "use count(distinct ...) or a dispatch macro",
    "any_value": "PostgreSQL 15 lacks it: use min()/max() or a dispatch macro",
    "first": "use first_value() over (...) or row_number()",
    "last": "use last_value() over (...) or row_number()",
    "product": "use exp(sum(ln(x))) or a dispatch macro",
    "fsum": "use sum()",
    "favg": "use avg()",
    "histogram": "use group by",
    "list": "use array_agg() in a dispatch macro",
    # scalars
    "ifnull": "use coalesce()",
    "iff": "use case when ... end",
    "nullifzero": "use nullif(x, 0)",
    "isnan": "compare with 'NaN'::double precision in a dispatch macro",
    "isinf": "use a dispatch macro",
    "try_cast": "use {{ dbt.safe_cast(x, type) }}",
    "instr": "use strpos() / {{ dbt.position(sub, s) }}",
    "strlen": "use length()",
    "len": "use length()",
    "contains": "use strpos(s, x) > 0 or like",
    "string_split": "use {{ dbt.split_part(s, sep, n) }}",
    "str_split": "use {{ dbt.split_part(s, sep, n) }}",
    "regexp_extract": "use substring(s from pattern) in a dispatch macro",
    "regexp_matches": "boolean in DuckDB, a set of arrays in PostgreSQL: use ~ in a dispatch macro",
    "regexp_full_match": "use ~ '^...$'",
    "sha256": "use a dispatch macro (PostgreSQL: encode(sha256(convert_to(s, 'UTF8')), 'hex'))",
    "hash": "use md5()",
    "range": "use generate_series()",
    "struct_pack": "no portable equivalent: keep it in a dispatch macro",
    "struct_extract": "no portable equivalent: keep it in a dispatch macro",
    "list_value": "no portable equivalent: keep it in a dispatch macro",
    "columns": "list the columns (or use dbt_utils.star)",
}
_LIST_FUNCTION = re.compile(r"\b(list_[a-z_]+|array_[a-z_]*distinct|unnest_struct)\s*\(")

_CLAUSES = [
    (
        re.compile(r"\bdouble\b(?!\s+precision)"),
        "type DOUBLE",
        "write double precision (or {{ okr_double() }})",
    ),
    (
        re.compile(r"\b(hugeint|ubigint|uinteger|usmallint|utinyint|uhugeint|blob)\b"),
        "DuckDB-only type",
        "use bigint / numeric(38, 0) / bytea through a dispatch macro",
    ),
    (re.compile(r"(\bas|::)\s*string\b"), "type STRING", "use {{ dbt.type_string() }} or varchar"),
    (re.compile(r"\bqualify\b"), "QUALIFY", "filter a window function in an outer select"),
    (re.compile(r"\bgroup\s+by\s+all\b"), "GROUP BY ALL", "list the grouping columns"),
    (re.compile(r"\border\s+by\s+all\b"), "ORDER BY ALL", "list the ordering columns"),
    (
        re.compile(r"\bunion\s+(all\s+)?by\s+name\b"),
        "UNION BY NAME",
        "select the same columns in the same order",
    ),
    (
        re.compile(r"\*\s*exclude\s*\("),
        "SELECT * EXCLUDE",
        "list the columns (or dbt_utils.star(except=...))",
    ),
    (re.compile(r"\*\s*replace\s*\("), "SELECT * REPLACE", "list the columns"),
    (re.compile(r"\b(pivot|unpivot)\b"), "PIVOT/UNPIVOT", "use conditional aggregation / union all"),
    (
        re.compile(r"\b(asof|positional)\s+join\b"),
        "ASOF/POSITIONAL JOIN",
        "use a lateral join or window functions",
    ),
    (re.compile(r"\busing\s+sample\b|\btablesample\s+\d"), "SAMPLE", "sampling differs between engines"),
    (re.compile(r"\binterval\s+\d"), "unquoted INTERVAL", "write interval '1 day' or {{ dbt.dateadd(...) }}"),
    (
        re.compile(r"\[\s*-?\d*\s*:\s*-?\d*\s*\]"),
        "list slice",
        "no portable equivalent: keep it in a dispatch macro",
    ),
]


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    what: str
    hint: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}: {self.hint}"


def _blank(match: re.Match[str]) -> str:
    """Replace a span with spaces but keep its newlines, so line numbers stay right."""
    return re.sub(r"[^\n]", " ", match.group(0))


def strip_non_sql(text: str) -> str:
    """The SQL text of a dbt file: adapter macros, Jinja, comments and string literals blanked."""
    text = re.sub(r"\{#.*?#\}", _blank, text, flags=re.DOTALL)
    text = _ADAPTER_MACRO.sub(_blank, text)
    text = re.sub(r"\{%.*?%\}", _blank, text, flags=re.DOTALL)
    text = re.sub(r"\{\{.*?\}\}", _blank, text, flags=re.DOTALL)
    text = re.sub(r"/\*.*?\*/", _blank, text, flags=re.DOTALL)
    text = re.sub(r"--[^\n]*", _blank, text)
    text = re.sub(r"'(?:[^']|'')*'", _blank, text)
    return text


def check_text(path: Path, text: str) -> list[Finding]:
    sql = strip_non_sql(text).lower()
    findings: list[Finding] = []

    def line_of(pos: int) -> int:
        return sql.count("\n", 0, pos) + 1

    for m in re.finditer(r"(?<![\w.])([a-z_][a-z0-9_]*)\s*\(", sql):
        name = m.group(1)
        if name in _FUNCTIONS:
            findings.append(
                Finding(path, line_of(m.start()), f"DuckDB-only function {name}()", _FUNCTIONS[name])
            )
    for m in _LIST_FUNCTION.finditer(sql):
        findings.append(
            Finding(
                path,
                line_of(m.start()),
                f"DuckDB-only function {m.group(1)}()",
                "keep it in a dispatch macro",
            )
        )
    for pattern, what, hint in _CLAUSES:
        for m in pattern.finditer(sql):
            findings.append(Finding(path, line_of(m.start()), what, hint))
    return sorted(findings, key=lambda f: (f.line, f.what))


def check_project(project_dir: Path) -> list[Finding]:
    findings: list[Finding] = []
    for sub in ("models", "macros", "tests", "snapshots", "analyses"):
        for path in sorted((project_dir / sub).rglob("*.sql")):
            findings += check_text(path.relative_to(project_dir.parent), path.read_text(encoding="utf-8"))
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parent.parent / "dbt_project"
    parser.add_argument("project_dir", nargs="?", type=Path, default=default)
    args = parser.parse_args(argv)
    if not (args.project_dir / "dbt_project.yml").is_file():
        print(f"error: {args.project_dir} is not a dbt project (no dbt_project.yml)", file=sys.stderr)
        return 2
    findings = check_project(args.project_dir.resolve())
    for f in findings:
        print(f)
    if findings:
        print(
            f"{len(findings)} DuckDB-only construct(s) outside dispatch macros: move each into a macro in "
            "dbt_project/macros/cross_db/ with duckdb__ and postgres__ implementations",
            file=sys.stderr,
        )
        return 1
    print("portable: no DuckDB-only SQL outside dispatch macros")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
