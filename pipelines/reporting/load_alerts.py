"""The operational alert of a run: which sources failed to load and which export files were
rejected, posted to the webhooks of settings.yml `alerts:` (see alerts.py) in the alert's language.

Posted after every run of the newest day while something fails to load (a failure that lasts is
reported every night until it is fixed); a run for an older day or a backfill posts nothing, and
rerunning a day does not post the same failures to a channel again (the ledger of posted messages,
kind `load_failure`, item `source:<source>@<day>` or `file:<file name>@<day>`). Each failure is
one line: the source or file and the loader's own plain, secret-free sentence, cut to Slack's
limits (channels.py). Never raises.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from pipelines.reporting.alerts import AlertReport, AlertSettings, AlertSettingsError
from pipelines.reporting.channels import (
    NOTE_MAX,
    SLACK_HEADER_MAX,
    SLACK_SECTION_MAX,
    cut,
    post_json,
    slack_section,
    slack_text,
)
from pipelines.reporting.health import load_line, source_name
from pipelines.reporting.ledger import Ledger, ledger_posted, ledger_record
from pipelines.reporting.report import texts

log = logging.getLogger(__name__)
EVENT = "okr.load_failed"
KIND = "load_failure"
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
    shown = [cut(x, NOTE_MAX) for x in shown]  # a loader's error can be long; the page has it all
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": cut(title, SLACK_HEADER_MAX)}}
    ]
    blocks += [slack_section(slack_text(x, SLACK_SECTION_MAX)) for x in [intro, *shown, *footer]]
    if link:
        blocks.append(slack_section(f"<{link}|{slack_text(t('data_health_details'), 200)}>"))
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
        "slack": {"text": slack_text(f"{title}: {intro}", SLACK_SECTION_MAX), "blocks": blocks},
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


def load_failure_items(data_health: Mapping[str, Any], as_of: dt.date) -> list[str]:
    """The ledger items of a day's failures: one per failed source and per rejected file."""
    items = [
        f"source:{s.get('source') or s.get('title')}@{as_of}" for s in _list(data_health, "failed_sources")
    ]
    return items + [f"file:{f.get('file_name')}@{as_of}" for f in _list(data_health, "rejected_files")]


def send_load_alerts(
    data_health: Mapping[str, Any],
    alert_settings: Mapping[str, Any] | None,
    *,
    as_of: dt.date,
    lang: str = "en",
    newest_as_of: dt.date | None = None,
    environ: Mapping[str, str] | None = None,
    client_options: Mapping[str, Any] | None = None,
    ledger: Ledger | None = None,
    backfill: bool = False,
) -> AlertReport:
    """Post what failed to load to every configured webhook (nothing when all loaded).

    ledger: what was posted before; a channel that already has every failure of this day is
    skipped, and what a channel accepts is recorded. backfill: the run posts nothing."""
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
    if backfill:
        report.skipped = "backfill"
        return report
    if newest_as_of is not None and as_of < newest_as_of:
        report.skipped = f"as_of {as_of} is not the newest scored day ({newest_as_of})"
        return report
    lang = settings.lang or lang
    payloads = load_alert_payloads(data_health, as_of, lang, settings.scorecard_url, settings.max_items)
    environ = os.environ if environ is None else environ
    items = load_failure_items(data_health, as_of)
    for channel, env_name in settings.env_names.items():
        if len(ledger_posted(ledger, KIND, channel, items)) == len(set(items)):
            log.info("alerts: %s already has the load failures of %s; nothing posted", channel, as_of)
            report.already_posted.append(channel)
        elif post_json(channel, env_name, environ, payloads[channel], client_options):
            log.info("alerts: posted the load failures of %s to %s", as_of, channel)
            report.posted.append(channel)
            ledger_record(ledger, KIND, channel, items, as_of)
        else:
            report.failed.append(channel)
    if report.already_posted and not report.posted and not report.failed:
        report.skipped = "already posted"
    return report
