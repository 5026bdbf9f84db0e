"""Posting to chat: Slack's and Teams' size limits, Slack mrkdwn escaping, and one POST helper that
never raises and never shows the webhook URL (a secret), shared by alerts and the weekly digest.

Slack (https://api.slack.com/reference/block-kit/blocks): at most 50 blocks per message, 3,000
characters per section text, 150 per header text; the `text` fallback is kept to the same 3,000.
Long user text (titles, owners, notes) is cut with "…" before it is escaped, and the escaped
result is measured again, so `&` -> `&amp;` can never push a block over the limit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from connectors.http import HttpClient, redact

log = logging.getLogger(__name__)

SLACK_MAX_BLOCKS = 50
SLACK_SECTION_MAX = 3000
SLACK_HEADER_MAX = 150
TITLE_MAX = 200  # a KR or objective title in a chat message
NOTE_MAX = 600  # a reason or a check-in note
URL_MAX = 1000  # a longer link is left out rather than cut (a cut URL leads nowhere)
ELLIPSIS = "…"


def cut(text: str | None, limit: int) -> str:
    """`text` in at most `limit` characters, cut with "…" when longer (whitespace runs folded)."""
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def slack_escape(text: str) -> str:
    # Slack's mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(text: str | None, limit: int) -> str:
    """Cut, then escape, and cut more while the escaped text is still over the limit."""
    raw = cut(text, limit)
    escaped = slack_escape(raw)
    while len(escaped) > limit and raw:
        raw = cut(raw, max(1, len(raw) - (len(escaped) - limit) - 1))
        escaped = slack_escape(raw)
    return escaped


def slack_link(url: str | None, label: str, limit: int = TITLE_MAX) -> str:
    """`<url|label>` (bold label without a usable URL); the label cut and escaped."""
    text = slack_text(label, limit).replace("|", "¦")  # a `|` would end Slack's link syntax
    if url and len(url) <= URL_MAX and urlsplit(url).scheme in ("http", "https"):
        safe = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
        return f"<{safe}|{text}>"
    return f"*{text}*"


def slack_section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SLACK_SECTION_MAX]}}


def post_json(
    channel: str,
    env_name: str,
    environ: Mapping[str, str],
    payload: dict,
    client_options: Mapping[str, Any] | None = None,
    purpose: str = "alerts",
) -> bool:
    """POST payload to the URL in environment variable `env_name`; False (logged) on any failure.
    `purpose` starts every log line ("alerts", "digest")."""
    url = (environ.get(env_name) or "").strip()
    if not url:
        log.warning(
            "%s: %s is configured but the environment variable %s is not set; skipped",
            purpose,
            channel,
            env_name,
        )
        return False
    if urlsplit(url).scheme not in ("http", "https"):
        log.error("%s: %s: the address in %s is not an http(s) URL; skipped", purpose, channel, env_name)
        return False
    options = {"timeout": (5, 30), "max_attempts": 4, "total_budget_s": 60, **(client_options or {})}
    client = HttpClient(source=channel, secrets=[url], **options)
    try:
        client.request("POST", url, endpoint="webhook", json=payload)
    except Exception as exc:  # any failure: log it, keep going, never fail the run
        log.warning(
            "%s: posting to %s (URL from %s) failed: %s", purpose, channel, env_name, redact(str(exc), [url])
        )
        return False
    finally:
        client.session.close()
    return True
