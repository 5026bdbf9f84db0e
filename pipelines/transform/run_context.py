"""The scoring dates of a dbt invocation, handed to dbt as data (`raw.okr_run_context`).

The dates used to be a dbt var; every new var value forces dbt to re-parse the whole project,
so a nightly run could never use partial parsing. A one-row table keeps the parse stable: the
manifest depends on the code only, and the dates are read by the `okr_as_of*` macros at run time.

One row: `as_of_from`..`as_of_to` is the range of scoring dates this invocation covers (a normal
night has both equal; a backfill spans many days). `replace_history` says whether days that
already have history are rescored (`okr backfill --replace`) or kept as published.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from connectors.warehouse import Warehouse

RUN_CONTEXT_TABLE = "okr_run_context"
RUN_CONTEXT_COLUMNS: dict[str, str] = {
    "as_of_from": "DATE",
    "as_of_to": "DATE",
    "replace_history": "BOOLEAN",
    "written_at": "TIMESTAMP",  # UTC
}


def write_run_context(
    warehouse: Warehouse, start: dt.date, end: dt.date | None = None, replace_history: bool = False
) -> None:
    """Make raw.okr_run_context hold exactly this invocation's dates (start..end, inclusive)."""
    end = end or start
    if end < start:
        raise ValueError(f"scoring range ends ({end}) before it starts ({start})")
    row = pd.DataFrame(
        {
            "as_of_from": [start],
            "as_of_to": [end],
            "replace_history": pd.array([replace_history], dtype="boolean"),
            "written_at": pd.to_datetime([dt.datetime.now(dt.UTC).replace(tzinfo=None)]).astype(
                "datetime64[us]"
            ),
        }
    )
    with warehouse.transaction() as tx:
        tx.replace_all(RUN_CONTEXT_TABLE, row, RUN_CONTEXT_COLUMNS)
