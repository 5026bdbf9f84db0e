"""The shared HTTP layer: `HttpClient`, `HttpError`, `RetryHint` and the `redact` function."""

from connectors.http.client import HttpClient, HttpError, RetryHint, parse_retry_after
from connectors.http.redact import install_log_redaction, redact, register_secret

__all__ = [
    "HttpClient",
    "HttpError",
    "RetryHint",
    "install_log_redaction",
    "parse_retry_after",
    "redact",
    "register_secret",
]
