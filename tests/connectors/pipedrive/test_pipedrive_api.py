"""Pipedrive v2 deals against a local server: cursor paging, updated_since, header token, 429."""

from __future__ import annotations

import logging

import pytest

from connectors.http import HttpError
from connectors.pipedrive.source import PipedriveSource
from connectors.pipedrive.streams import STATE_KEY, load_pipedrive_deals, make_client
from connectors.warehouse import DuckDBWarehouse
from tests.connectors.fake_http import FakeApi, Reply, assert_no_secret
from tests.connectors.pipedrive.fake_pipedrive import TOKEN, PipedriveFake


@pytest.fixture
def pipedrive(fake_api: FakeApi) -> PipedriveFake:
    return PipedriveFake(fake_api)


def cfg(api: FakeApi) -> PipedriveSource:
    return PipedriveSource(enabled=True, base_url=api.base_url, page_size=2)


def test_cursor_pages_then_incremental(
    pipedrive: PipedriveFake, wh: DuckDBWarehouse, fast: dict, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for i in range(1, 6):
        pipedrive.put(i, f"2026-01-0{i}T09:00:00Z")
    client = make_client(cfg(pipedrive.api), TOKEN, **fast)
    assert load_pipedrive_deals(wh, client).rows == 5
    assert len(pipedrive.api.requests) == 3
    assert wh.get_state(STATE_KEY) == "2026-01-05T09:00:00"
    row = wh.query("select * from raw.pipedrive_deals where deal_id = '1'").iloc[0]
    assert (row["title"], row["value"], row["status"], row["stage_id"], row["owner_id"]) == (
        "Deal 1",
        1500.0,
        "open",
        "2",
        "7",
    )
    assert str(row["created_at"]) == "2026-01-04 12:44:11"  # local Helsinki time
    # Second run asks only for what changed since the mark; deal 3 was won meanwhile.
    pipedrive.put(3, "2026-01-06T08:00:00Z", status="won", value=1800)
    pipedrive.api.requests.clear()
    load_pipedrive_deals(wh, client)
    assert pipedrive.api.requests[0].query["updated_since"] == ["2026-01-05T09:00:00Z"]
    rows = wh.query("select deal_id, status, value from raw.pipedrive_deals order by deal_id").values.tolist()
    assert rows == [
        ["1", "open", 1500.0],
        ["2", "open", 1500.0],
        ["3", "won", 1800.0],
        ["4", "open", 1500.0],
        ["5", "open", 1500.0],
    ]
    for req in pipedrive.api.requests:
        assert "api_token" not in req.url and TOKEN not in req.url
    assert_no_secret(TOKEN, *[r.getMessage() for r in caplog.records])


def test_rate_limit_reset_header_and_connection_reset(
    pipedrive: PipedriveFake, wh: DuckDBWarehouse, fast: dict, sleeps
) -> None:
    pipedrive.put(1, "2026-01-01T00:00:00Z")
    pipedrive.api.fail_next(
        Reply(
            429,
            {"success": False, "error": "Request over limit", "errorCode": 429},
            headers={"x-ratelimit-reset": "2"},
        ),
        Reply(reset=True),
    )
    assert load_pipedrive_deals(wh, make_client(cfg(pipedrive.api), TOKEN, **fast)).rows == 1
    assert sleeps.waits[0] == 2.0 and len(sleeps.waits) == 2


def test_unauthorized(pipedrive: PipedriveFake, wh: DuckDBWarehouse, fast: dict) -> None:
    with pytest.raises(
        HttpError, match=r"pipedrive: list deals: HTTP 401.*check the token in PIPEDRIVE_API_TOKEN"
    ):
        load_pipedrive_deals(wh, make_client(cfg(pipedrive.api), "bad-token-123456", **fast))
    assert wh.get_state(STATE_KEY) is None


def test_empty_and_rerun(pipedrive: PipedriveFake, wh: DuckDBWarehouse, fast: dict) -> None:
    client = make_client(cfg(pipedrive.api), TOKEN, **fast)
    assert load_pipedrive_deals(wh, client).rows == 0
    pipedrive.put(1, "2026-01-01T00:00:00Z")
    load_pipedrive_deals(wh, client)
    q = "select * from raw.pipedrive_deals"
    before = wh.query(q)
    # updated_since is inclusive: deal 1 comes again, unchanged, and is not rewritten (_loaded_at kept)
    assert load_pipedrive_deals(wh, client).rows == 0
    assert wh.query(q).equals(before)
