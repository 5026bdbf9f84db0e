"""Plain words for what went wrong on the wire: error bodies of any shape and network causes.

APIs answer errors as a JSON object (`{"error": {"message": ...}}`, `{"message": ...}`,
`{"error": "Too many API requests."}`), a bare JSON string or list, an HTML page from a proxy,
plain text, or nothing at all. Connection failures arrive as nested urllib3/socket exceptions.
Both are turned into one short, human sentence here, so every client reports them the same way.
"""

from __future__ import annotations

import html
import json
import re
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

import requests

_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
_MESSAGE_KEYS = ("message", "error_description", "detail", "error", "title", "errors", "policyName")


def host_of(url: str) -> str:
    """`host[:port]` of a URL, without any user:password@ part."""
    netloc = urlsplit(url).netloc
    return netloc.rsplit("@", 1)[-1] or "(no host)"


def json_body(resp: requests.Response) -> Any:
    """The body as JSON, or None when it is empty or not JSON (never raises)."""
    try:
        return resp.json()
    except ValueError:
        return None


def json_object(resp: requests.Response) -> dict[str, Any]:
    """The body when it is a JSON object, else {} (a string, list, HTML page or empty body):
    what a retry hook should read, so a body of another shape can never crash it."""
    body = json_body(resp)
    return body if isinstance(body, dict) else {}


def _message_of(value: Any, depth: int = 0) -> str:
    """The human message inside a decoded JSON error, whatever its shape."""
    if depth > 4 or value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | bool):
        return str(value)
    if isinstance(value, list):
        parts = [m for m in (_message_of(v, depth + 1) for v in value[:3]) if m]
        return "; ".join(parts)
    if isinstance(value, dict):
        for key in _MESSAGE_KEYS:
            if key in value:
                found = _message_of(value[key], depth + 1)
                if found:
                    return found
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def describe_body(resp: requests.Response, limit: int = 300) -> str:
    """A short description of an error body: its message for JSON of any shape, the title of an
    HTML page, the text itself, or "empty body"."""
    try:
        text = resp.text or ""
    except Exception:  # a body that cannot be decoded says nothing useful
        return "unreadable body"
    if not text.strip():
        return "empty body"
    body = json_body(resp)
    if body is not None:
        found = _message_of(body)
    elif "<html" in text[:500].lower() or "<!doctype" in text[:200].lower():
        title = _TITLE_RE.search(text)
        words = html.unescape(title.group(1) if title else _TAG_RE.sub(" ", text))
        found = f"an HTML page: {' '.join(words.split())}"
    else:
        found = text
    found = " ".join(found.split())
    return found[:limit] + ("…" if len(found) > limit else "")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or any(e is s for s in seen) or len(seen) > 20:
            continue
        seen.append(e)
        todo += [e.__cause__, e.__context__, *[a for a in e.args if isinstance(a, BaseException)]]
        reason = getattr(e, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
    return seen


def network_cause(exc: BaseException, timeout: tuple[float, float]) -> str:
    """A connection-level failure in words: refused, timed out, DNS, TLS, reset, cut off."""
    chain = _chain(exc)
    names = " ".join(type(e).__name__ for e in chain)
    text = " ".join(str(e) for e in chain).lower()
    if isinstance(exc, requests.exceptions.SSLError) or any(isinstance(e, ssl.SSLError) for e in chain):
        return "the TLS handshake failed (certificate or protocol problem)"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"timed out connecting (no connection within {timeout[0]:g} s)"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"timed out waiting for an answer (read timeout of {timeout[1]:g} s)"
    if any(isinstance(e, socket.gaierror) for e in chain) or "NameResolutionError" in names:
        return "the host name could not be resolved (DNS)"
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "connection refused" in text:
        return "the connection was refused (nothing is listening at that address)"
    if any(isinstance(e, ConnectionResetError) for e in chain) or "reset by peer" in text:
        return "the connection was reset by the server"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) or "IncompleteRead" in names:
        return "the answer was cut off before its end"
    if "RemoteDisconnected" in names:
        return "the server closed the connection without answering"
    if any(isinstance(e, TimeoutError | socket.timeout) for e in chain):
        return "timed out"
    return f"the connection failed ({type(exc).__name__})"
