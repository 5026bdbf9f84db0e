"""The shared HTTP layer against a real local server: retries, budgets, errors, redaction."""

from __future__ import annotations

import email.utils
import logging
import threading
import time

import pytest

from connectors.http import HttpClient, HttpError, RetryHint, parse_retry_after
from tests.connectors.fake_http import FakeApi, Reply, SleepRecorder, assert_no_secret

SECRET = "pat-na1-SECRETSECRET-1234"  # noqa: S105 - a fake token for the fake server


@pytest.fixture
def ok_route(fake_api: FakeApi) -> FakeApi:
    fake_api.route("GET", "/thing")(lambda req: Reply(200, {"ok": True}))
    return fake_api


def client(fake_api: FakeApi, sleeps: SleepRecorder, **kw) -> HttpClient:
    args = {
        # Generous for a local server on a busy machine: a slow answer must not look like a timeout.
        "timeout": (5.0, 10.0),
        "max_attempts": 6,
        "total_budget_s": 120,
        "sleep": sleeps,
        "secrets": [SECRET],
        "token_env": "HUBSPOT_TOKEN",
    }
    return HttpClient("hubspot", **{**args, **kw})


def test_2xx_returns_the_response(ok_route: FakeApi, sleeps: SleepRecorder) -> None:
    resp = client(ok_route, sleeps).request("GET", f"{ok_route.base_url}/thing", endpoint="thing")
    assert resp.json() == {"ok": True}
    assert sleeps.waits == []


def test_429_with_retry_after_seconds_waits_that_long(ok_route: FakeApi, sleeps: SleepRecorder) -> None:
    ok_route.fail_next(Reply(429, {"message": "slow down"}, headers={"Retry-After": "7"}))
    resp = client(ok_route, sleeps).request("GET", f"{ok_route.base_url}/thing", endpoint="thing")
    assert resp.status_code == 200
    assert sleeps.waits == [7.0]
    assert len(ok_route.requests) == 2


def test_429_with_retry_after_http_date(ok_route: FakeApi, sleeps: SleepRecorder) -> None:
    date = int(time.time()) + 30
    ok_route.fail_next(Reply(429, "busy", headers={"Retry-After": email.utils.formatdate(date, usegmt=True)}))
    before = time.time()
    client(ok_route, sleeps).request("GET", f"{ok_route.base_url}/thing", endpoint="thing")
    after = time.time()
    # The wait runs until that date, from whenever the answer was read (however slow the machine).
    assert len(sleeps.waits) == 1 and date - after - 1 <= sleeps.waits[0] <= date - before + 1


def test_429_without_retry_after_backs_off_exponentially_with_jitter(
    ok_route: FakeApi, sleeps: SleepRecorder
) -> None:
    ok_route.fail_next(*[Reply(429, "busy")] * 4)
    c = client(ok_route, sleeps, backoff_base_s=1.0, backoff_max_s=60)
    assert c.request("GET", f"{ok_route.base_url}/thing", endpoint="thing").status_code == 200
    # attempt n waits in [2^(n-1)/2, 2^(n-1)]
    for n, wait in enumerate(sleeps.waits, start=1):
        assert 2 ** (n - 1) / 2 <= wait <= 2 ** (n - 1)
    assert len(sleeps.waits) == 4


def test_burst_of_5xx_then_success(ok_route: FakeApi, sleeps: SleepRecorder) -> None:
    ok_route.fail_next(
        Reply(500, "x"), Reply(502, "<html>bad gateway</html>"), Reply(503, "x"), Reply(504, "x")
    )
    assert client(ok_route, sleeps).request("GET", f"{ok_route.base_url}/thing", endpoint="thing").ok
    assert len(ok_route.requests) == 5


def test_read_timeout_is_retried(ok_route: FakeApi, sleeps: SleepRecorder) -> None:
    hang = threading.Event()  # the first answer never comes while the client waits
    ok_route.fail_next(Reply(200, {"late": True}, hold=hang))
    try:
        resp = client(ok_route, sleeps, timeout=(5.0, 2.0)).request(
            "GET", f"{ok_route.base_url}/thing", endpoint="thing"
        )
    finally:
        hang.set()
    assert resp.json() == {"ok": True}
    assert len(sleeps.waits) == 1


def test_connection_reset_is_retried(ok_route: FakeApi, sleeps: SleepRecorder) -> None:
    ok_route.fail_next(Reply(reset=True), Reply(reset=True))
    assert client(ok_route, sleeps).request("GET", f"{ok_route.base_url}/thing", endpoint="thing").ok
    assert len(sleeps.waits) == 2


def test_body_cut_short_is_retried(ok_route: FakeApi, sleeps: SleepRecorder) -> None:
    ok_route.fail_next(Reply(200, {"results": list(range(100))}, cut_body=True))
    resp = client(ok_route, sleeps).request(
        "GET", f"{ok_route.base_url}/thing", endpoint="thing", expect_json=True
    )
    assert resp.json() == {"ok": True}


def test_truncated_json_with_a_correct_length_is_retried(ok_route: FakeApi, sleeps: SleepRecorder) -> None:
    ok_route.fail_next(Reply(200, b'{"results": [1, 2, 3', headers={"Content-Type": "application/json"}))
    resp = client(ok_route, sleeps).request(
        "GET", f"{ok_route.base_url}/thing", endpoint="thing", expect_json=True
    )
    assert resp.json() == {"ok": True}
    assert len(ok_route.requests) == 2


def test_401_is_not_retried_and_names_the_variable(ok_route: FakeApi, sleeps: SleepRecorder) -> None:
    ok_route.fail_next(Reply(401, {"status": "error", "message": "Authentication credentials not found"}))
    with pytest.raises(HttpError) as err:
        client(ok_route, sleeps).request("GET", f"{ok_route.base_url}/thing", endpoint="list contacts")
    text = str(err.value)
    assert "hubspot" in text and "list contacts" in text and "HTTP 401" in text
    assert "check the token in HUBSPOT_TOKEN" in text
    assert err.value.status == 401 and len(ok_route.requests) == 1 and sleeps.waits == []


def test_400_fails_at_once_with_source_endpoint_and_status(ok_route: FakeApi, sleeps: SleepRecorder) -> None:
    ok_route.fail_next(Reply(400, {"message": "bad filter"}))
    with pytest.raises(HttpError, match=r"hubspot: search deals: HTTP 400: .*bad filter"):
        client(ok_route, sleeps).request("GET", f"{ok_route.base_url}/thing", endpoint="search deals")


def test_attempts_are_bounded(ok_route: FakeApi, sleeps: SleepRecorder) -> None:
    ok_route.fail_next(*[Reply(503, "down")] * 10)
    with pytest.raises(HttpError, match="gave up after 3 attempts") as err:
        client(ok_route, sleeps, max_attempts=3).request(
            "GET", f"{ok_route.base_url}/thing", endpoint="thing"
        )
    assert err.value.status == 503
    assert len(ok_route.requests) == 3


def test_time_budget_stops_before_a_long_wait(ok_route: FakeApi, sleeps: SleepRecorder) -> None:
    ok_route.fail_next(Reply(429, "busy", headers={"Retry-After": "3600"}))
    with pytest.raises(HttpError, match="time budget of 300 s"):
        client(ok_route, sleeps, total_budget_s=300).request(
            "GET", f"{ok_route.base_url}/thing", endpoint="thing"
        )
    assert sleeps.waits == []


def test_hook_can_set_the_wait_and_stop_retries(ok_route: FakeApi, sleeps: SleepRecorder) -> None:
    def hook(resp):
        return (
            RetryHint(retry=False, reason="daily quota")
            if resp.headers.get("X-Daily")
            else RetryHint(wait=0.25)
        )

    ok_route.fail_next(Reply(429, "x"))
    client(ok_route, sleeps, retry_hook=hook).request("GET", f"{ok_route.base_url}/thing", endpoint="thing")
    assert sleeps.waits == [0.25]
    ok_route.fail_next(Reply(429, "x", headers={"X-Daily": "1"}))
    with pytest.raises(HttpError, match="daily quota"):
        client(ok_route, sleeps, retry_hook=hook).request(
            "GET", f"{ok_route.base_url}/thing", endpoint="thing"
        )


def test_real_short_backoff_really_waits(ok_route: FakeApi) -> None:
    ok_route.fail_next(Reply(500, "x"))
    c = HttpClient("x", timeout=(5, 10), backoff_base_s=0.01, backoff_max_s=0.02)
    assert c.request("GET", f"{ok_route.base_url}/thing", endpoint="thing").ok


def test_parse_retry_after() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    past = email.utils.formatdate(time.time() - 60, usegmt=True)
    assert parse_retry_after(past) == 0.0


def test_no_secret_in_logs_or_errors(
    fake_api: FakeApi, sleeps: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    # The server echoes the token back in its error bodies, as some APIs do with URLs.
    fake_api.route("GET", "/thing")(
        lambda req: Reply(403, f"forbidden for {req.url} with {req.headers.get('authorization')}")
    )
    fake_api.fail_next(Reply(500, f"oops api_token={SECRET}"), Reply(429, f"Bearer {SECRET} too fast"))
    caplog.set_level(logging.DEBUG)
    c = client(fake_api, sleeps)
    with pytest.raises(HttpError) as err:
        c.request(
            "GET",
            f"{fake_api.base_url}/thing?hapikey={SECRET}",
            endpoint="thing",
            headers={"Authorization": f"Bearer {SECRET}"},
        )
    assert "check the token in HUBSPOT_TOKEN" in str(err.value)
    assert caplog.records, "retries should have been logged"
    assert_no_secret(SECRET, str(err.value), repr(err.value), *[r.getMessage() for r in caplog.records])
