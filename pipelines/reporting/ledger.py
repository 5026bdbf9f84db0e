"""What was already posted, kept in the warehouse (`raw.okr_posted_messages`), so alerts and
digests are idempotent: rerunning a day never posts the same status change twice, and a digest
goes out once per team, week and channel.

One row per (kind, channel, item): kind `status_change` with item `<kr_id>:<old>><new>@<as_of>`,
or kind `digest` with item `<team>@<week start>`. A row is written only after the receiver
accepted the post, so a channel that failed is tried again by the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

import pandas as pd

from connectors.warehouse import Warehouse

log = logging.getLogger(__name__)

LEDGER_TABLE = "okr_posted_messages"
LEDGER_SCHEMA = {
    "kind": "VARCHAR",
    "channel": "VARCHAR",
    "item": "VARCHAR",
    "as_of": "DATE",
    "posted_at": "TIMESTAMP",
}


class Ledger:
    """The posted-messages table of one warehouse (schema `raw`, beside the other state)."""

    def __init__(self, warehouse: Warehouse, schema: str = "raw") -> None:
        self.warehouse = warehouse
        self.schema = schema

    def posted(self, kind: str, channel: str, items: Sequence[str]) -> set[str]:
        """The items of `items` already posted to this channel."""
        if not items:
            return set()
        with self.warehouse.transaction(self.schema) as tx:
            tx.ensure_table(LEDGER_TABLE, LEDGER_SCHEMA)
            marks = ", ".join(["?"] * len(items))
            rows = tx.query(
                f"SELECT item FROM {tx.qualified(LEDGER_TABLE)} "
                f"WHERE kind = ? AND channel = ? AND item IN ({marks})",
                [kind, channel, *items],
            )
        return set(rows["item"].astype(str))

    def record(self, kind: str, channel: str, items: Iterable[str], as_of: dt.date | None) -> None:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        df = pd.DataFrame(
            [{"kind": kind, "channel": channel, "item": i, "as_of": as_of, "posted_at": now} for i in items],
            columns=list(LEDGER_SCHEMA),
        )
        if df.empty:
            return
        with self.warehouse.transaction(self.schema) as tx:
            tx.upsert(LEDGER_TABLE, df, key=["kind", "channel", "item"], schema=LEDGER_SCHEMA)


# The ledger is a safeguard, not a dependency: a warehouse error is logged and posting goes on.
def ledger_posted(ledger: Ledger | None, kind: str, channel: str, items: Sequence[str]) -> set[str]:
    if ledger is None:
        return set()
    try:
        return ledger.posted(kind, channel, items)
    except Exception as exc:  # any storage failure
        log.warning("the ledger of posted messages could not be read: %s", exc)
        return set()


def ledger_record(
    ledger: Ledger | None, kind: str, channel: str, items: Sequence[str], as_of: dt.date | None
) -> None:
    if ledger is None:
        return
    try:
        ledger.record(kind, channel, items, as_of)
    except Exception as exc:  # any storage failure
        log.warning("the ledger of posted messages could not be written: %s", exc)
