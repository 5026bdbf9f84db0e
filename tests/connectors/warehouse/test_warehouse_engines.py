"""The storage contract, run unchanged against DuckDB and a real PostgreSQL server.

Every case reads the tables back with SQL that both engines accept (dates cast to VARCHAR) and
compares plain Python rows, so a difference between the engines shows up as a failing assert.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pandas as pd
import psycopg2
import pytest

from connectors.warehouse import Warehouse

SPEND_SCHEMA = {"spend_date": "DATE", "campaign": "VARCHAR", "cost": "DOUBLE", "clicks": "BIGINT"}


def rows(wh: Warehouse, sql: str) -> list[tuple]:
    """Query rows as plain tuples: NULL/NaN as None, numpy scalars as Python values."""
    out = []
    for rec in wh.query(sql).astype(object).itertuples(index=False):
        vals = []
        for v in rec:
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
                vals.append(None)
            elif hasattr(v, "item"):
                vals.append(v.item())
            else:
                vals.append(v)
        out.append(tuple(vals))
    return out


def spend_rows(wh: Warehouse) -> list[tuple]:
    return rows(
        wh,
        "SELECT CAST(spend_date AS VARCHAR), campaign, cost, clicks FROM raw.spends "
        "ORDER BY spend_date, campaign",
    )


def spends(*recs: tuple) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"spend_date": dt.date.fromisoformat(d), "campaign": c, "cost": cost, "clicks": k}
            for d, c, cost, k in recs
        ]
    )


def test_insert_creates_the_table_from_the_schema_and_appends(warehouse: Warehouse) -> None:
    with warehouse.transaction() as tx:
        assert tx.insert("spends", spends(("2026-09-01", "a", 1.5, 3)), SPEND_SCHEMA) == 1
    with warehouse.transaction() as tx:
        tx.insert(
            "spends", spends(("2026-09-02", "b", 2.25, 4), ("2026-09-01", "c", None, None)), SPEND_SCHEMA
        )
    assert warehouse.table_columns("spends") == ["spend_date", "campaign", "cost", "clicks"]
    assert spend_rows(warehouse) == [
        ("2026-09-01", "a", 1.5, 3),
        ("2026-09-01", "c", None, None),  # NaN and None both land as NULL
        ("2026-09-02", "b", 2.25, 4),
    ]


def test_inferred_types_round_trip_without_a_schema(warehouse: Warehouse) -> None:
    df = pd.DataFrame(
        {
            "name": ["x", None],
            "n": [1, 2],
            "ratio": [0.1, float("nan")],
            "flag": [True, False],
            "seen_at": pd.to_datetime(["2026-11-26 01:02:03", "2026-11-27 00:00:00"]),
            "day": [dt.date(2026, 11, 26), dt.date(2026, 11, 27)],
        }
    )
    with warehouse.transaction() as tx:
        tx.insert("mixed", df)
    got = rows(
        warehouse,
        "SELECT name, n, ratio, flag, CAST(seen_at AS VARCHAR), CAST(day AS VARCHAR) "
        "FROM raw.mixed ORDER BY n",
    )
    assert got == [
        ("x", 1, 0.1, True, "2026-11-26 01:02:03", "2026-11-26"),
        (None, 2, None, False, "2026-11-27 00:00:00", "2026-11-27"),
    ]
    # Query results carry the same dtypes on both engines.
    typed = warehouse.query("SELECT day, seen_at, n, ratio FROM raw.mixed ORDER BY n")
    assert str(typed["day"].dtype) == "datetime64[us]"
    assert str(typed["seen_at"].dtype) == "datetime64[us]"
    assert typed["n"].tolist() == [1, 2]


def test_replace_all_leaves_exactly_the_new_rows(warehouse: Warehouse) -> None:
    with warehouse.transaction() as tx:
        tx.insert("spends", spends(("2026-09-01", "a", 1.0, 1), ("2026-09-02", "b", 2.0, 2)), SPEND_SCHEMA)
    with warehouse.transaction() as tx:
        assert tx.replace_all("spends", spends(("2026-10-01", "z", 9.0, 9)), SPEND_SCHEMA) == 1
    assert spend_rows(warehouse) == [("2026-10-01", "z", 9.0, 9)]
    with warehouse.transaction() as tx:
        tx.replace_all("spends", spends()[[]].reindex(columns=list(SPEND_SCHEMA)), SPEND_SCHEMA)
    assert spend_rows(warehouse) == []


def test_replace_where_swaps_only_the_named_partitions(warehouse: Warehouse) -> None:
    first = spends(("2026-09-01", "a", 1.0, 1), ("2026-09-02", "a", 2.0, 2), ("2026-09-03", "a", 3.0, 3))
    with warehouse.transaction() as tx:
        tx.insert("spends", first, SPEND_SCHEMA)
    again = spends(("2026-09-02", "a", 20.0, 20), ("2026-09-02", "b", 21.0, 21))
    with warehouse.transaction() as tx:
        tx.replace_where("spends", again, "spend_date", [dt.date(2026, 9, 2)], SPEND_SCHEMA)
    # A second identical load changes nothing: loads are idempotent.
    with warehouse.transaction() as tx:
        tx.replace_where("spends", again, "spend_date", [dt.date(2026, 9, 2)], SPEND_SCHEMA)
    assert spend_rows(warehouse) == [
        ("2026-09-01", "a", 1.0, 1),
        ("2026-09-02", "a", 20.0, 20),
        ("2026-09-02", "b", 21.0, 21),
        ("2026-09-03", "a", 3.0, 3),
    ]


def test_replace_where_with_text_partitions(warehouse: Warehouse) -> None:
    df = pd.DataFrame({"_partition": ["f1.csv", "f1.csv", "f2.csv"], "v": [1, 2, 3]})
    with warehouse.transaction() as tx:
        tx.insert("files", df, {"_partition": "VARCHAR", "v": "BIGINT"})
    with warehouse.transaction() as tx:
        tx.replace_where(
            "files", pd.DataFrame({"_partition": ["f1.csv"], "v": [10]}), "_partition", ["f1.csv"]
        )
    assert rows(warehouse, "SELECT _partition, v FROM raw.files ORDER BY v") == [
        ("f2.csv", 3),
        ("f1.csv", 10),
    ]


def test_upsert_newest_version_wins_inside_the_batch_and_against_stored_rows(warehouse: Warehouse) -> None:
    schema = {"contact_id": "VARCHAR", "stage": "VARCHAR", "updated_at": "TIMESTAMP"}

    def batch(*recs: tuple) -> pd.DataFrame:
        return pd.DataFrame(
            [{"contact_id": c, "stage": s, "updated_at": pd.Timestamp(u)} for c, s, u in recs]
        )

    with warehouse.transaction() as tx:
        n = tx.upsert(
            "contacts",
            batch(
                ("1", "lead", "2026-09-02"), ("1", "subscriber", "2026-09-01"), ("2", "lead", "2026-09-01")
            ),
            key=["contact_id"],
            version_column="updated_at",
            schema=schema,
        )
    assert n == 2
    with warehouse.transaction() as tx:
        tx.upsert(
            "contacts",
            # 1 arrives with an OLDER version (must not overwrite); 2 newer; 3 new.
            batch(("1", "other", "2026-08-01"), ("2", "mql", "2026-09-05"), ("3", "lead", "2026-09-05")),
            key=["contact_id"],
            version_column="updated_at",
            schema=schema,
        )
    got = rows(
        warehouse,
        "SELECT contact_id, stage, CAST(updated_at AS VARCHAR) FROM raw.contacts ORDER BY contact_id",
    )
    assert got == [
        ("1", "lead", "2026-09-02 00:00:00"),
        ("2", "mql", "2026-09-05 00:00:00"),
        ("3", "lead", "2026-09-05 00:00:00"),
    ]


def test_upsert_with_a_composite_date_key_and_no_version(warehouse: Warehouse) -> None:
    key = ["spend_date", "campaign"]
    with warehouse.transaction() as tx:
        tx.upsert(
            "spends",
            spends(("2026-09-01", "a", 1.0, 1), ("2026-09-01", "b", 2.0, 2)),
            key,
            schema=SPEND_SCHEMA,
        )
    with warehouse.transaction() as tx:
        tx.upsert(
            "spends",
            spends(("2026-09-01", "b", 5.0, 5), ("2026-09-02", "b", 6.0, 6)),
            key,
            schema=SPEND_SCHEMA,
        )
    assert spend_rows(warehouse) == [
        ("2026-09-01", "a", 1.0, 1),
        ("2026-09-01", "b", 5.0, 5),
        ("2026-09-02", "b", 6.0, 6),
    ]


def test_state_commits_with_its_data_and_round_trips_json(warehouse: Warehouse) -> None:
    assert warehouse.get_state("hubspot:contacts") is None
    with warehouse.transaction() as tx:
        tx.insert("spends", spends(("2026-09-01", "a", 1.0, 1)), SPEND_SCHEMA)
        tx.set_state("hubspot:contacts", {"after": "2026-09-01T00:00:00Z", "pages": 3})
    with warehouse.transaction() as tx:
        tx.set_state("hubspot:contacts", {"after": "2026-09-02T00:00:00Z", "pages": 4})
        assert tx.get_state("hubspot:contacts") == {"after": "2026-09-02T00:00:00Z", "pages": 4}
    assert warehouse.get_state("hubspot:contacts") == {"after": "2026-09-02T00:00:00Z", "pages": 4}
    assert rows(warehouse, "SELECT count(*) FROM raw.load_state") == [(1,)]


def test_an_error_mid_transaction_leaves_the_previous_rows_exactly(warehouse: Warehouse) -> None:
    before = spends(("2026-09-01", "a", 1.0, 1), ("2026-09-02", "b", 2.0, 2))
    with warehouse.transaction() as tx:
        tx.insert("spends", before, SPEND_SCHEMA)
        tx.set_state("ads", {"cursor": 1})
    expected = spend_rows(warehouse)

    # A Python error after several writes (replace, a new table, state): nothing may stick.
    with pytest.raises(RuntimeError, match="connector broke"), warehouse.transaction() as tx:
        tx.replace_all("spends", spends(("2026-12-01", "x", 0.0, 0)), SPEND_SCHEMA)
        tx.insert("other_stream", pd.DataFrame({"v": [1]}))
        tx.set_state("ads", {"cursor": 2})
        raise RuntimeError("connector broke half-way")
    assert spend_rows(warehouse) == expected
    assert warehouse.table_columns("other_stream") == []
    assert warehouse.get_state("ads") == {"cursor": 1}

    # A database error (a value the column type refuses) after a delete: same.
    bad = pd.DataFrame({"spend_date": ["not a date"], "campaign": ["x"], "cost": [1.0], "clicks": [1]})
    with pytest.raises((duckdb.Error, psycopg2.Error)), warehouse.transaction() as tx:
        tx.execute("DELETE FROM raw.spends")
        tx.insert("spends", bad, SPEND_SCHEMA)
    assert spend_rows(warehouse) == expected


def test_ensure_table_adds_new_columns_to_an_existing_table(warehouse: Warehouse) -> None:
    with warehouse.transaction() as tx:
        tx.insert("spends", spends(("2026-09-01", "a", 1.0, 1)), SPEND_SCHEMA)
    extra = spends(("2026-09-02", "b", 2.0, 2)).assign(platform="google")
    with warehouse.transaction() as tx:
        tx.insert("spends", extra, {**SPEND_SCHEMA, "platform": "VARCHAR"})
    assert warehouse.table_columns("spends") == ["spend_date", "campaign", "cost", "clicks", "platform"]
    assert rows(warehouse, "SELECT campaign, platform FROM raw.spends ORDER BY campaign") == [
        ("a", None),
        ("b", "google"),
    ]


def test_ensure_tables_creates_the_missing_extends_the_older_and_keeps_rows(warehouse: Warehouse) -> None:
    with warehouse.transaction() as tx:
        tx.insert("spends", spends(("2026-09-01", "a", 1.0, 1)), SPEND_SCHEMA)
    wanted = {
        "spends": {**SPEND_SCHEMA, "platform": "VARCHAR"},
        "clicks_by_day": {"day": "DATE", "clicks": "BIGINT"},
    }
    for _ in range(2):  # the second time finds everything in place
        with warehouse.transaction() as tx:
            tx.ensure_tables(wanted)
    with warehouse.transaction() as tx:
        found = tx.schema_columns()
    assert found["spends"] == ["spend_date", "campaign", "cost", "clicks", "platform"]
    assert found["clicks_by_day"] == ["day", "clicks"]
    assert rows(warehouse, "SELECT campaign, platform FROM raw.spends") == [("a", None)]
    assert rows(warehouse, "SELECT count(*) FROM raw.clicks_by_day") == [(0,)]


@pytest.mark.parametrize("bad", ['spends"; DROP TABLE x; --', "1abc", "with space", ""])
def test_identifiers_are_validated_before_any_sql(warehouse: Warehouse, bad: str) -> None:
    with pytest.raises(ValueError, match="not a valid SQL identifier"), warehouse.transaction() as tx:
        tx.insert(bad, pd.DataFrame({"v": [1]}))
    with pytest.raises(ValueError, match="not a valid SQL identifier"), warehouse.transaction() as tx:
        tx.insert("ok_table", pd.DataFrame([[1]], columns=[bad]))
    assert warehouse.table_columns("ok_table") == []


def test_parameters_bind_values_never_sql(warehouse: Warehouse) -> None:
    sneaky = "a'); DELETE FROM raw.spends; --"
    with warehouse.transaction() as tx:
        tx.insert("spends", spends(("2026-09-01", "a", 1.0, 1)), SPEND_SCHEMA)
        tx.execute("INSERT INTO raw.spends (campaign, cost) VALUES (?, ?)", [sneaky, 5.0])
        # '?' and '%' inside a literal are text, not placeholders.
        tx.execute("INSERT INTO raw.spends (campaign, cost) VALUES ('50% off?', ?)", [6.0])
    got = rows(warehouse, "SELECT campaign, cost FROM raw.spends ORDER BY cost")
    assert got == [("a", 1.0), (sneaky, 5.0), ("50% off?", 6.0)]
    found = warehouse.query("SELECT cost FROM raw.spends WHERE campaign LIKE ?", ["50%"])
    assert found["cost"].tolist() == [6.0]
