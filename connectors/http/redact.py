"""One place that scrubs secrets from URLs, headers and free text.

Every log line, exception message, Dagster metadata value and stored value that could carry a
request detail goes through `redact()`. Two kinds of secret are removed:
- values of known secret query parameters and headers, whatever their value (`api_token=...`,
  `Authorization: Bearer ...`), also when they sit inside a next-page link or an error body;
- the literal values of every secret the process registered (`register_secret`), wherever they
  appear, so a token echoed back in an odd place is still caught.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"

# Query parameters and form fields that carry credentials in the APIs we talk to.
SECRET_PARAMS = (
    "api_token",
    "token_auth",
    "access_token",
    "hapikey",
    "api_key",
    "apikey",
    "key",
    "client_secret",
    "refresh_token",
    "assertion",
    "appsecret_proof",
)
# Headers whose whole value is a credential.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-api-token",
        "x-api-key",
        "api-key",
        "developer-token",
        "cookie",
        "set-cookie",
    }
)

_PARAM_RE = re.compile(
    r"(?P<key>(?:(?<=%3[Ff])|(?<=%26)|(?<![A-Za-z0-9_]))(?:" + "|".join(SECRET_PARAMS) + r"))"
    r"(?P<sep>(?:=|%3D|\"\s*:\s*\"|'\s*:\s*'))"
    r"(?P<value>[^&\s\"'<>#,;]+)",
    re.IGNORECASE,
)
_BEARER_RE = re.compile(r"(?P<scheme>\b(?:Bearer|Basic)\s+)(?P<value>[A-Za-z0-9._~+/=-]{6,})", re.IGNORECASE)
_HEADER_LINE_RE = re.compile(
    r"(?P<key>(?:"
    + "|".join(re.escape(h) for h in SECRET_HEADERS)
    + r"))(?P<sep>\s*[:=]\s*)(?P<value>[^\r\n,}]+)",
    re.IGNORECASE,
)

_registered: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret value so `redact` removes it from any text, wherever it appears."""
    if value and len(value) >= 4:  # a 1-3 character "secret" would mask ordinary text
        with _lock:
            _registered.add(value)


def _scrub_text(text: str, extra: Iterable[str]) -> str:
    with _lock:
        literals = set(_registered)
    literals.update(s for s in extra if s and len(s) >= 4)
    # Longest first so a secret that contains another is removed whole.
    for secret in sorted(literals, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _PARAM_RE.sub(lambda m: f"{m['key']}{m['sep']}{MASK}", text)
    text = _BEARER_RE.sub(lambda m: f"{m['scheme']}{MASK}", text)
    text = _HEADER_LINE_RE.sub(lambda m: f"{m['key']}{m['sep']}{MASK}", text)
    return text


def redact(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of `value` without secrets: text (URLs, messages, bodies), header mappings,
    and lists/dicts of those. Other values come back unchanged."""
    secrets = list(secrets)
    if isinstance(value, str):
        return _scrub_text(value, secrets)
    if isinstance(value, bytes):
        return _scrub_text(value.decode("utf-8", errors="replace"), secrets)
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if isinstance(k, str) and (k.lower() in SECRET_HEADERS or k.lower() in SECRET_PARAMS):
                out[k] = MASK
            else:
                out[k] = redact(v, secrets)
        return out
    if isinstance(value, list | tuple):
        return type(value)(redact(v, secrets) for v in value)
    return value


class RedactingFilter(logging.Filter):
    """Rewrites a log record's message without secrets (for loggers we do not control, such as
    urllib3's, which logs full request URLs at DEBUG level)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to fix; let logging report it
            return True
        record.msg = _scrub_text(message, ())
        record.args = ()
        return True


_FILTERED_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "requests", "google.auth", "connectors")
_filter = RedactingFilter()
_FILTERED_PREFIXES = (*_FILTERED_LOGGERS, "urllib3.", "requests.", "google.", "connectors.")


_installed_factory: list = []


def install_log_redaction() -> None:
    """Redact every record of the loggers that can see request URLs, and of their children
    (idempotent). A logger's own filter does not apply to records of its child loggers
    (`connectors.hubspot`, `urllib3.connectionpool`, ...), so records are scrubbed when created."""
    for name in _FILTERED_LOGGERS:
        logger = logging.getLogger(name)
        if _filter not in logger.filters:
            logger.addFilter(_filter)
    if _installed_factory:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if isinstance(record.name, str) and record.name.startswith(_FILTERED_PREFIXES):
            _filter.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed_factory.append(factory)
