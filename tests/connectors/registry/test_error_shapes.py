"""Every registered source against error answers of every shape and against network faults,
through its own descriptor (client factory and stream loads) and a real server on loopback.

Whatever comes back (a JSON object, a bare string, a list, an HTML page, nothing), each load
ends in one `HttpError` that names the source, the endpoint and the host, never a crash of
another type; network causes are named in words; nothing secret appears."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Any

import pytest

from connectors.http import HttpError
from connectors.registry import LoadRequest, SourceDescriptor, Stream, sources
from connectors.warehouse import DuckDBWarehouse
from tests.connectors.fake_http import FakeApi, Reply, SleepRecorder, assert_no_secret

SECRET = "tok-0123456789abcdef0123456789"  # noqa: S105 - a fake token for the fake server
DAY = dt.date(2026, 1, 15)

SHAPES: dict[str, tuple[Any, str]] = {
    # body -> what the error must say about it
    "object": ({"error": {"code": 400, "message": "Invalid argument: date"}}, "Invalid argument: date"),
    "string": ({"error": "Too many API requests."}, "Too many API requests."),
    "bare string": ("plain words from a proxy", "plain words from a proxy"),
    "list": ([{"error": {"message": "quota exceeded for this key"}}], "quota exceeded for this key"),
    "html": (
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        "an HTML page: 502 Bad Gateway",
    ),
    "empty": (b"", "empty body"),
}


# What a source needs beyond its required keys so that every request goes to the fake server.
EXTRA: dict[str, Any] = {
    "google_ads": lambda url: {"customer_ids": ["1234567890"], "token_url": f"{url}/token"},
    "meta_ads": lambda url: {"ad_account_ids": ["1"]},
    "linkedin_ads": lambda url: {"account_ids": ["1"]},
}


def _config(d: SourceDescriptor, base_url: str) -> Any:
    required = {k: "1" for k in d.required_keys if k != "base_url"}
    extra = EXTRA[d.name](base_url) if d.name in EXTRA else {}
    return d.config_model(enabled=True, base_url=base_url, **{**required, **extra})


def _load(
    d: SourceDescriptor,
    stream: Stream,
    api: FakeApi,
    wh: DuckDBWarehouse,
    sleeps: SleepRecorder,
    read_timeout: float = 0.5,
):
    http = {"timeout": (1.0, read_timeout), "max_attempts": 2, "total_budget_s": 60, "sleep": sleeps}
    client = d.make_client(_config(d, api.base_url), {c.key: SECRET for c in d.credentials}, **http)
    daily = stream.kind == "daily"
    request = LoadRequest(
        config=_config(d, api.base_url),
        client=client,
        warehouse=wh,
        timezone="Europe/Helsinki",
        start=DAY if daily else None,
        end=DAY if daily else None,
    )
    return stream.load(request)


def _streams() -> list[tuple[SourceDescriptor, Stream]]:
    return [(d, s) for d in sources() for s in d.streams]


def _id(case: tuple[SourceDescriptor, Stream]) -> str:
    return f"{case[0].name}-{case[1].name}"


@pytest.mark.parametrize("case", _streams(), ids=_id)
@pytest.mark.parametrize("status", [400, 429, 503])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_error_body_shape_is_one_named_error(
    case: tuple[SourceDescriptor, Stream],
    status: int,
    shape: str,
    fake_api: FakeApi,
    wh: DuckDBWarehouse,
    sleeps: SleepRecorder,
) -> None:
    d, stream = case
    body, said = SHAPES[shape]
    fake_api.fail_next(*[Reply(status, body)] * 2)
    with pytest.raises(HttpError) as err:
        _load(d, stream, fake_api, wh, sleeps)
    text = str(err.value)
    host = fake_api.base_url.removeprefix("http://")
    assert text.startswith(f"{d.name}: {err.value.endpoint}: HTTP {status}: "), text
    assert said in text and f"(host {host})" in text
    assert err.value.source == d.name and err.value.host == host
    assert_no_secret(SECRET, text)


@pytest.mark.parametrize("case", _streams(), ids=_id)
@pytest.mark.parametrize("body", [b"[1, 2]", b'"just a string"', b"null"], ids=["list", "string", "null"])
def test_a_2xx_answer_of_the_wrong_shape_is_a_named_error(
    case: tuple[SourceDescriptor, Stream], body: bytes, fake_api: FakeApi, wh: DuckDBWarehouse, sleeps
) -> None:
    d, stream = case
    fake_api.fail_next(*[Reply(200, body, headers={"Content-Type": "application/json"})] * 2)
    with pytest.raises(HttpError, match=rf"^{d.name}: .*(expected a JSON object|unexpected answer)"):
        _load(d, stream, fake_api, wh, sleeps)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("case", _streams(), ids=_id)
def test_network_causes_in_words(
    case: tuple[SourceDescriptor, Stream], fake_api: FakeApi, wh, sleeps
) -> None:
    d, stream = case
    refused = FakeApi.__new__(FakeApi)  # only its base_url is used: nothing listens there
    port = _free_port()
    causes = {
        f"http://127.0.0.1:{port}": ("the connection was refused", f"127.0.0.1:{port}"),
        "http://no-such-host.invalid": ("could not be resolved (DNS)", "no-such-host.invalid"),
        # TLS spoken to a plain-HTTP server: the handshake fails
        fake_api.base_url.replace("http://", "https://"): ("TLS handshake failed", fake_api.base_url[7:]),
    }
    for base_url, (cause, host) in causes.items():
        refused.__dict__["server"] = None
        api = _UrlOnly(base_url)
        with pytest.raises(HttpError) as err:
            _load(d, stream, api, wh, sleeps)  # type: ignore[arg-type]
        assert cause in str(err.value) and f"(host {host})" in str(err.value), str(err.value)
        assert str(err.value).startswith(f"{d.name}: ")


def _first_streams() -> list[tuple[SourceDescriptor, Stream]]:
    return [(d, d.streams[0]) for d in sources()]


@pytest.mark.parametrize("case", _first_streams(), ids=_id)
def test_a_read_timeout_is_named_in_words(
    case: tuple[SourceDescriptor, Stream], fake_api: FakeApi, wh: DuckDBWarehouse, sleeps
) -> None:
    # Once per source, not per stream: the wait is the shared HTTP layer's, and every stream's
    # errors are already shown to carry its source's name (test_network_causes_in_words).
    d, stream = case
    # A short read timeout (two attempts wait 0.2 s, not 1 s), the answer far later: 0.5 s of
    # margin, so a loaded machine cannot make the late answer look in time.
    fake_api.fail_next(*[Reply(200, {"late": True}, delay_s=0.6)] * 2)
    with pytest.raises(
        HttpError, match=rf"^{d.name}: .*timed out waiting for an answer \(read timeout of 0.1 s\)"
    ):
        _load(d, stream, fake_api, wh, sleeps, read_timeout=0.1)


class _UrlOnly:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
