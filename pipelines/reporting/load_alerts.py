"""The operational alert of a run: which sources failed to load and which export files were
rejected, posted to the webhooks of settings.yml `alerts:` (see alerts.py) in the alert's language.

Posted after every run of the newest day while something fails to load (a failure that lasts is
reported every night until it is fixed); a run for an older day posts nothing. Each failure is one
line: the source or file and the loader's own plain, secret-free sentence. Never raises.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from pipelines.reporting.alerts import AlertReport, AlertSettings, AlertSettingsError
from pipelines.reporting.channels import post_json
from pipelines.reporting.health import load_line, source_name
from pipelines.reporting.report import texts

log = logging.getLogger(__name__)
EVENT = "okr.load_failed"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def load_failure_lines(data_health: Mapping[str, Any], lang: str) -> list[str]:
    """One line per failed source ("HubSpot: <error>") and per rejected file (its error names it)."""
    t = texts(lang).t
    lines = [f"{source_name(s, t)}: {s.get('error')}" for s in _list(data_health, "failed_sources")]
    return lines + [str(f.get("error") or f.get("file_name")) for f in _list(data_health, "rejected_files")]


def _list(data_health: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    return [x for x in data_health.get(key) or [] if isinstance(x, dict)]


def load_alert_payloads(
    data_health: Mapping[str, Any], as_of: dt.date, lang: str, scorecard_url: str | None, max_items: int
) -> dict[str, dict]:
    """channel -> payload (Slack Block Kit, a Teams Adaptive Card, plain JSON)."""
    t, fmt = texts(lang).t, texts(lang).fmt
    title = t("alert_load_title", as_of=fmt.date(as_of))
    intro = " ".join(load_line(dict(data_health), t, fmt))
    lines = load_failure_lines(data_health, lang)
    shown, more = lines[:max_items], len(lines) - max_items
    footer = [t("alert_more", count=more)] if more > 0 else []
    link = f"{scorecard_url.rstrip('/')}/data-health.html" if scorecard_url else None
    slack_lines = [_slack_escape(x)[:2900] for x in [intro, *shown, *footer]]
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": x}} for x in slack_lines]
    if link:
        text = f"<{link}|{_slack_escape(t('data_health_details'))}>"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": title, "size": "Medium", "weight": "Bolder", "wrap": True},
            *({"type": "TextBlock", "text": x, "wrap": True} for x in [intro, *shown, *footer]),
        ],
    }
    if link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": t("data_health_details"), "url": link}]
    return {
        "slack": {"text": f"{title}: {intro}"[:2900], "blocks": blocks},
        "teams": {
            "type": "message",
            "attachments": [
                {"contentType": CARD_TYPE, "contentUrl": None, "content": card},
            ],
        },
        "webhook": {
            "event": EVENT,
            "title": title,
            "as_of": as_of.isoformat(),
            "summary": intro,
            "failures": lines,
            "failed_sources": _list(data_health, "failed_sources"),
            "rejected_files": [
                {k: f.get(k) for k in ("file_name", "error", "rejected_rows")}
                for f in _list(data_health, "rejected_files")
            ],
            "scorecard_url": link,
        },
    }


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def send_load_alerts(
    data_health: Mapping[str, Any],
    alert_settings: Mapping[str, Any] | None,
    *,
    as_of: dt.date,
    lang: str = "en",
    newest_as_of: dt.date | None = None,
    environ: Mapping[str, str] | None = None,
    client_options: Mapping[str, Any] | None = None,
) -> AlertReport:
    """Post what failed to load to every configured webhook (nothing when all loaded)."""
    import os

    report = AlertReport()
    try:
        settings = AlertSettings.from_dict(alert_settings)
    except AlertSettingsError:
        report.skipped = "invalid settings"  # send_status_alerts logs the problems once
        return report
    if not settings.enabled or not settings.env_names:
        report.skipped = "off"
        return report
    if not (_list(data_health, "failed_sources") or _list(data_health, "rejected_files")):
        report.skipped = "everything loaded"
        return report
    if newest_as_of is not None and as_of < newest_as_of:
        report.skipped = f"as_of {as_of} is not the newest scored day ({newest_as_of})"
        return report
    lang = settings.lang or lang
    payloads = load_alert_payloads(data_health, as_of, lang, settings.scorecard_url, settings.max_items)
    environ = os.environ if environ is None else environ
    for channel, env_name in settings.env_names.items():
        if post_json(channel, env_name, environ, payloads[channel], client_options):
            log.info("alerts: posted the load failures of %s to %s", as_of, channel)
            report.posted.append(channel)
        else:
            report.failed.append(channel)
    return report
