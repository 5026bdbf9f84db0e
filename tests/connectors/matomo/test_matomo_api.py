"""Matomo VisitsSummary.get against a local server: token in the POST body, `[]` days,
errors in a 200 body, proxy 502s."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from connectors.http import HttpError
from connectors.matomo.source import MatomoSource
from connectors.matomo.streams import load_matomo_daily, make_client
from connectors.warehouse import DuckDBWarehouse
from tests.connectors.fake_http import FakeApi, Reply, assert_no_secret

TOKEN = "0123456789abcdef0123456789abcdef"  # noqa: S105 - a fake token for the fake server
D1, D2, D3 = dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 3)


@pytest.fixture
def matomo(fake_api: FakeApi) -> FakeApi:
    data = {
        "2026-01-01": {
            "nb_uniq_visitors": 40,
            "nb_users": 0,
            "nb_visits": 52,
            "nb_actions": 130,
            "nb_visits_converted": 3,
            "bounce_count": 20,
            "sum_visit_length": 6200,
            "max_actions": 14,
            "bounce_rate": "38%",
            "nb_actions_per_visit": 2.5,
            "avg_time_on_site": 119,
        },
        "2026-01-02": [],
        "2026-01-03": {
            "nb_visits": 7,
            "nb_actions": 9,
            "nb_visits_converted": 0,
            "bounce_count": 5,
            "sum_visit_length": 300,
            "bounce_rate": "71%",
        },
    }

    @fake_api.route("POST", "/index.php")
    def api(req):
        form = req.form()
        if form.get("token_auth") != TOKEN:
            return Reply(
                200,
                {
                    "result": "error",
                    "message": "You can't access this resource as it requires "
                    "'view' access for the website id = 1.",
                },
            )
        start, end = form["date"].split(",")
        return Reply(200, {k: v for k, v in data.items() if start <= k <= end})

    return fake_api


def cfg(api: FakeApi) -> MatomoSource:
    return MatomoSource(enabled=True, base_url=f"{api.base_url}/", site_id="1")


def test_days_with_data_land_and_empty_days_do_not(
    matomo: FakeApi, wh: DuckDBWarehouse, fast: dict, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    matomo.fail_next(Reply(502, "<html>Bad Gateway</html>"), Reply(504, "<html>Gateway Timeout</html>"))
    result = load_matomo_daily(wh, make_client(cfg(matomo), TOKEN, **fast), D1, D3)
    assert result.rows == 2
    rows = wh.query("select * from raw.matomo_daily_report order by report_date").to_dict("records")
    assert [str(r["report_date"])[:10] for r in rows] == ["2026-01-01", "2026-01-03"]
    assert rows[0]["nb_visits"] == 52 and rows[0]["bounce_rate"] == 38.0 and rows[0]["nb_uniq_visitors"] == 40
    assert rows[1]["nb_uniq_visitors"] is None or str(rows[1]["nb_uniq_visitors"]) in ("<NA>", "nan")
    # token_auth travelled in the body only, never in a URL
    for req in matomo.requests:
        assert TOKEN not in req.url and req.method == "POST"
        assert req.form()["token_auth"] == TOKEN and req.form()["period"] == "day"
    assert_no_secret(
        TOKEN, *[r.getMessage() for r in caplog.records], wh.query("select * from raw.matomo_daily_report")
    )


def test_error_in_a_200_body_fails_and_keeps_old_data(
    matomo: FakeApi, wh: DuckDBWarehouse, fast: dict
) -> None:
    load_matomo_daily(wh, make_client(cfg(matomo), TOKEN, **fast), D1, D3)
    before = wh.query("select * from raw.matomo_daily_report order by report_date")
    with pytest.raises(
        HttpError, match=r"matomo: VisitsSummary.get: the API answered with an error: You can't access"
    ) as err:
        load_matomo_daily(wh, make_client(cfg(matomo), "ffffffffffffffffffffffffffffffff", **fast), D1, D3)
    assert wh.query("select * from raw.matomo_daily_report order by report_date").equals(before)
    host = matomo.base_url.removeprefix("http://")
    assert str(err.value).endswith(f"(host {host}) - check the token in MATOMO_TOKEN")


def test_rerun_changes_nothing(matomo: FakeApi, wh: DuckDBWarehouse, fast: dict) -> None:
    client = make_client(cfg(matomo), TOKEN, **fast)
    load_matomo_daily(wh, client, D1, D3)
    q = "select * from raw.matomo_daily_report order by report_date"
    before = wh.query(q)
    load_matomo_daily(wh, client, D1, D3)
    assert wh.query(q).equals(before)  # _loaded_at included: unchanged days are not rewritten


def test_truncated_json_is_retried(matomo: FakeApi, wh: DuckDBWarehouse, fast: dict) -> None:
    matomo.fail_next(
        Reply(200, b'{"2026-01-01": {"nb_visits": 5', headers={"Content-Type": "application/json"})
    )
    assert load_matomo_daily(wh, make_client(cfg(matomo), TOKEN, **fast), D1, D3).rows == 2


def test_single_day_bare_object(fake_api: FakeApi, wh: DuckDBWarehouse, fast: dict) -> None:
    fake_api.route("POST", "/index.php")(lambda req: Reply(200, {"nb_visits": 3, "nb_actions": 4}))
    assert load_matomo_daily(wh, make_client(cfg(fake_api), TOKEN, **fast), D2, D2).rows == 1
    fake_api.route("POST", "/index.php")(lambda req: Reply(200, []))
    assert load_matomo_daily(wh, make_client(cfg(fake_api), TOKEN, **fast), D2, D2).rows == 0
    assert wh.query("select count(*) from raw.matomo_daily_report").iloc[0, 0] == 0
