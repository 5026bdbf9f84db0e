"""Secrets are scrubbed from records of child loggers too (a logger's filter does not cover them)."""

from __future__ import annotations

import logging

import pytest

from connectors.http import install_log_redaction

CHILD_LOGGERS = ["connectors.hubspot.client", "urllib3.connectionpool", "google.auth.transport"]


@pytest.mark.parametrize("name", CHILD_LOGGERS)
def test_child_logger_records_are_redacted(name: str, caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    caplog.set_level(logging.DEBUG)
    logging.getLogger(name).debug("GET /v1/deals?api_token=%s&start=0", "s3cr3t-token-value")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET /v1/deals?api_token=" in text
    assert "s3cr3t-token-value" not in text
