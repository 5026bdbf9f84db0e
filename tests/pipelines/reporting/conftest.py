"""Fixtures of the scorecard tests: a realistic scorecard and a site published from it once per module."""

from __future__ import annotations

import pytest
from reporting_fixture import make_history, make_metrics, make_scorecard
from smtp_server import smtp_server  # noqa: F401 - fixtures for every test here
from webhook_receiver import receiver  # noqa: F401

from pipelines.reporting.publish import PublishResult, publish_scorecard


@pytest.fixture
def scorecard() -> dict:
    return make_scorecard()


@pytest.fixture
def history() -> list[dict]:
    return make_history()


@pytest.fixture
def metrics() -> dict:
    return make_metrics()


@pytest.fixture(scope="module")
def published_en(tmp_path_factory: pytest.TempPathFactory) -> PublishResult:
    out = tmp_path_factory.mktemp("site_en") / "scorecard"
    return publish_scorecard(make_scorecard(), make_history(), make_metrics(), out, lang="en")


@pytest.fixture(scope="module")
def published_fi(tmp_path_factory: pytest.TempPathFactory) -> PublishResult:
    out = tmp_path_factory.mktemp("site_fi") / "scorecard"
    return publish_scorecard(make_scorecard(), make_history(), make_metrics(), out, lang="fi")
