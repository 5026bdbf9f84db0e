"""Alerts after a scoring run: the KRs whose status changed since the previous scored day, posted
to a Slack incoming webhook, a Microsoft Teams webhook and/or a generic JSON webhook.

Configured in settings.yml (off when no webhook is named; the URLs are secrets, so the settings
hold only the names of the environment variables that carry them):

    alerts:
      slack_webhook_env: OKR_SLACK_WEBHOOK_URL
      teams_webhook_env: OKR_TEAMS_WEBHOOK_URL
      webhook_env: OKR_ALERT_WEBHOOK_URL
      scorecard_url: https://intranet.example.com/okr/   # optional: links in the messages
      lang: fi                                            # optional: default the run's language

Every change carries its reason (code, parameters and the sentence in the message's language).
Idempotent: with the warehouse's ledger (ledger.py) a change already posted to a channel is never
posted to it again, so rerunning a day posts nothing new; a backfill (or a run for a day older
than the newest scored one) posts nothing at all.

A post that fails (after the HTTP layer's retries) is logged with the URL redacted and never fails
the scoring run: `send_status_alerts` does not raise.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pipelines.reporting.channels import (
    NOTE_MAX,
    SLACK_HEADER_MAX,
    SLACK_SECTION_MAX,
    TITLE_MAX,
    cut,
    post_json,
    slack_link,
    slack_section,
    slack_text,
)
from pipelines.reporting.ledger import Ledger, ledger_posted, ledger_record
from pipelines.reporting.messages import LANGUAGES, Translator
from pipelines.reporting.model import ScorecardError, parse_history, parse_scorecard
from pipelines.reporting.reasons import reason_sentence
from pipelines.reporting.report import Report, texts
from pipelines.reporting.site_model import SiteModel, build_site_model
from pipelines.reporting.statuses import STATUS_ICONS

log = logging.getLogger(__name__)

CHANNELS = {"slack": "slack_webhook_env", "teams": "teams_webhook_env", "webhook": "webhook_env"}
_KNOWN_KEYS = {*CHANNELS.values(), "scorecard_url", "lang", "enabled", "max_items"}


class AlertSettingsError(ValueError):
    pass


@dataclass(frozen=True)
class AlertSettings:
    env_names: dict[str, str] = field(default_factory=dict)  # channel -> name of the env variable
    scorecard_url: str | None = None
    lang: str | None = None
    enabled: bool = True
    max_items: int = 25  # Slack allows 50 blocks per message; keep messages readable

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None, where: str = "settings.yml: alerts") -> AlertSettings:
        """Validate the `alerts:` mapping of settings.yml; every problem names its key."""
        raw = dict(raw or {})
        problems = [
            f"{where}.{k}: unknown key; known: {', '.join(sorted(_KNOWN_KEYS))}"
            for k in raw
            if k not in _KNOWN_KEYS
        ]
        env_names = {}
        for channel, key in CHANNELS.items():
            value = raw.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or not value.replace("_", "").isalnum():
                # The value is not echoed: it may be a webhook URL pasted here by mistake (a secret).
                problems.append(
                    f"{where}.{key}: must name an environment variable (like OKR_SLACK_WEBHOOK_URL) "
                    "that holds the webhook URL, not the URL itself"
                )
            else:
                env_names[channel] = value
        url = raw.get("scorecard_url")
        if url is not None and (not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https")):
            problems.append(f"{where}.scorecard_url: must be an http(s) address, not {url!r}")
        lang = raw.get("lang")
        if lang is not None and lang not in LANGUAGES:
            problems.append(f"{where}.lang: must be one of {', '.join(LANGUAGES)}, not {lang!r}")
        enabled = raw.get("enabled", True)
        if not isinstance(enabled, bool):
            problems.append(f"{where}.enabled: must be true or false, not {enabled!r}")
        max_items = raw.get("max_items", 25)
        if not isinstance(max_items, int) or isinstance(max_items, bool) or not 1 <= max_items <= 45:
            problems.append(f"{where}.max_items: must be a whole number from 1 to 45, not {max_items!r}")
        if problems:
            raise AlertSettingsError("\n".join(problems))
        return cls(env_names=env_names, scorecard_url=url, lang=lang, enabled=enabled, max_items=max_items)


@dataclass(frozen=True)
class StatusChange:
    kr_id: str
    title: str
    objective_id: str | None
    objective_title: str | None
    owner: str | None
    team: str | None
    previous_status: str
    status: str
    score: float | None
    expected_progress: float | None
    status_reason: str | None
    url: str | None
    reason_code: str | None = None  # the reason of the new status (docs/scoring.md)
    reason_params: dict[str, Any] = field(default_factory=dict)
    reason: str = ""  # that reason as one sentence of the alert's language

    @property
    def ledger_item(self) -> str:
        return f"{self.kr_id}:{self.previous_status}>{self.status}"


@dataclass(frozen=True)
class StatusChanges:
    as_of: dt.date | None
    previous_as_of: dt.date | None
    changes: list[StatusChange]


@dataclass
class AlertReport:
    changes: list[StatusChange] = field(default_factory=list)
    posted: list[str] = field(default_factory=list)  # channels that accepted the message
    failed: list[str] = field(default_factory=list)
    already_posted: list[str] = field(default_factory=list)  # channels with nothing new (ledger)
    skipped: str | None = None  # why nothing was posted, when nothing was


def detect_status_changes(
    scorecard: dict,
    history: list[dict],
    scorecard_url: str | None = None,
    model: SiteModel | None = None,
    lang: str = "en",
) -> StatusChanges:
    """KRs whose status at the scorecard's as_of differs from their status on the previous scored
    day in history (a KR new since then has nothing to compare with and is not reported).
    `model`: the run's site model, when built already (then the scorecard is not parsed again).
    `lang`: the language of each change's reason sentence."""
    card = model.card if model is not None else parse_scorecard(scorecard)
    rows = parse_history(history)
    days = sorted({r.as_of for r in rows})
    as_of = card.as_of
    previous = max((d for d in days if d < as_of), default=None)
    if previous is None or as_of not in days:
        return StatusChanges(as_of if as_of in days else None, previous, [])
    before = {r.kr_id: r.status for r in rows if r.as_of == previous}
    now = {r.kr_id: r.status for r in rows if r.as_of == as_of}
    if model is None:
        model = build_site_model(card, [], {}, {})
    views = {k.id: k for k in model.krs}
    base = scorecard_url.rstrip("/") + "/" if scorecard_url else None
    t, fmt = texts(lang).t, texts(lang).fmt
    changes = []
    for kr in card.key_results:
        old, new = before.get(kr.id), now.get(kr.id, kr.status)
        if old is None or new is None or old == new:
            continue
        view = views[kr.id]
        changes.append(
            StatusChange(
                kr_id=kr.id,
                title=kr.title,
                objective_id=kr.objective_id,
                objective_title=view.objective.title if view.objective else None,
                owner=kr.owner,
                team=kr.team,
                previous_status=old,
                status=new,
                score=kr.score,
                expected_progress=kr.expected_progress,
                status_reason=kr.status_reason,
                url=base + view.url if base else None,
                reason_code=view.reason.code if view.reason else None,
                reason_params=_plain(view.reason.params) if view.reason else {},
                reason=reason_sentence(view.reason, kr, t, fmt),
            )
        )
    return StatusChanges(as_of, previous, changes)


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    """Reason parameters as JSON values (dates as ISO strings)."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}


# -- payloads ----------------------------------------------------------------------------------


def _status_label(status: str, t: Translator) -> str:
    return f"{STATUS_ICONS.get(status, '')} {t.status(status)}".strip()


def _transition(c: StatusChange, t: Translator) -> str:
    return f"{_status_label(c.previous_status, t)} → {_status_label(c.status, t)}"


def _texts(found: StatusChanges, lang: str) -> tuple[Translator, str, str]:
    t, fmt = texts(lang).t, texts(lang).fmt
    title = t("alert_title", as_of=fmt.date(found.as_of))
    intro = t("alert_intro", count=len(found.changes), previous=fmt.date(found.previous_as_of))
    return t, title, intro


def slack_change_text(c: StatusChange, t: Translator) -> str:
    """One change as Slack mrkdwn: linked title, transition, then owner · reason (within limits)."""
    line = t(
        "alert_change",
        title=slack_link(c.url, c.title),
        old=slack_text(_status_label(c.previous_status, t), 100),
        new=slack_text(_status_label(c.status, t), 100),
    )
    extra = " · ".join(slack_text(x, limit) for x, limit in ((c.owner, 200), (c.reason, NOTE_MAX)) if x)
    return (line + (f"\n{extra}" if extra else ""))[:SLACK_SECTION_MAX]


def slack_payload(found: StatusChanges, lang: str, scorecard_url: str | None, max_items: int = 25) -> dict:
    """Slack incoming-webhook message: `text` as the notification fallback, Block Kit for the body;
    within Slack's limits whatever the titles (at most 49 blocks, 3,000 characters a section)."""
    t, title, intro = _texts(found, lang)
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": cut(title, SLACK_HEADER_MAX)}},
        slack_section(slack_text(intro, SLACK_SECTION_MAX)),
    ]
    blocks += [slack_section(slack_change_text(c, t)) for c in found.changes[:max_items]]
    if len(found.changes) > max_items:
        more = t("alert_more", count=len(found.changes) - max_items)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": slack_text(more, 300)}]})
    if scorecard_url:
        blocks.append(slack_section(slack_link(scorecard_url, t("alert_open_scorecard"))))
    return {"text": cut(f"{title}: {intro}", SLACK_SECTION_MAX), "blocks": blocks}


def teams_change(c: StatusChange, t: Translator) -> dict:
    """One change as an Adaptive Card container: title, owner, transition, reason, and a link."""
    facts = [{"title": t("owner"), "value": cut(c.owner, TITLE_MAX) or t("none_value")}]
    facts.append({"title": t("status"), "value": _transition(c, t)})
    if c.reason:
        facts.append({"title": t("reason"), "value": cut(c.reason, NOTE_MAX)})
    items: list[dict] = [
        {"type": "TextBlock", "text": cut(c.title, TITLE_MAX), "weight": "Bolder", "wrap": True},
        {"type": "FactSet", "facts": facts},
    ]
    container: dict[str, Any] = {"type": "Container", "separator": True, "items": items}
    if c.url:
        link = {"type": "Action.OpenUrl", "title": t("alert_open_kr"), "url": c.url}
        items.append({"type": "ActionSet", "actions": [link]})
        container["selectAction"] = {"type": "Action.OpenUrl", "url": c.url}
    return container


def teams_card(
    title: str, intro: str, items: list[dict], footer: str | None, url: str | None, t: Translator
) -> dict:
    """An Adaptive Card in a message envelope: what Teams Workflows ("post to a channel when a
    webhook request is received") and the older incoming-webhook connectors both accept."""
    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": cut(title, TITLE_MAX),
            "size": "Medium",
            "weight": "Bolder",
            "wrap": True,
        },
        {"type": "TextBlock", "text": intro, "wrap": True},
        *items,
    ]
    if footer:
        body.append({"type": "TextBlock", "text": footer, "isSubtle": True, "wrap": True})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": t("alert_open_scorecard"), "url": url}]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def teams_payload(found: StatusChanges, lang: str, scorecard_url: str | None, max_items: int = 25) -> dict:
    """The changes as an Adaptive Card: per KR its title, owner, transition, reason and link."""
    t, title, intro = _texts(found, lang)
    more = len(found.changes) - max_items
    footer = t("alert_more", count=more) if more > 0 else None
    items = [teams_change(c, t) for c in found.changes[:max_items]]
    return teams_card(title, intro, items, footer, scorecard_url, t)


def generic_payload(found: StatusChanges, lang: str, scorecard_url: str | None) -> dict:
    """Plain JSON for any other receiver: the changes as data, with status codes, labels and reasons."""
    t, title, _ = _texts(found, lang)
    return {
        "event": "okr.status_changed",
        "title": title,
        "as_of": found.as_of.isoformat() if found.as_of else None,
        "previous_as_of": found.previous_as_of.isoformat() if found.previous_as_of else None,
        "scorecard_url": scorecard_url,
        "changes": [
            {
                **asdict(c),
                "previous_status_label": t.status(c.previous_status),
                "status_label": t.status(c.status),
            }
            for c in found.changes
        ],
    }


# -- sending -----------------------------------------------------------------------------------


def send_status_alerts(
    scorecard: dict,
    history: list[dict],
    alert_settings: Mapping[str, Any] | None,
    *,
    lang: str = "en",
    environ: Mapping[str, str] | None = None,
    client_options: Mapping[str, Any] | None = None,
    newest_as_of: dt.date | str | None = None,
    run_report: Report | None = None,
    ledger: Ledger | None = None,
    backfill: bool = False,
) -> AlertReport:
    """Post the status changes of this run to every configured webhook. Never raises: alerting is
    a side effect of scoring, and a broken webhook must not turn a good run into a failed one.

    newest_as_of: the newest day in kr_score_history, when `history` was cut at the run's as_of;
    a run for an older day (a backfill) posts nothing. Default: the newest day in `history`.
    run_report: the run's one Report (its site model is reused instead of being built again).
    ledger: what was posted before (the warehouse's table): changes already posted to a channel
    are not posted to it again, and what a channel accepts is recorded.
    backfill: the run is part of a backfill (`okr backfill`, a Dagster backfill): nothing is posted.
    """
    report = AlertReport()
    environ = os.environ if environ is None else environ
    try:
        settings = AlertSettings.from_dict(alert_settings)
    except AlertSettingsError as exc:
        log.error("alerts are not sent: %s", exc)
        report.skipped = "invalid settings"
        return report
    if not settings.enabled or not settings.env_names:
        report.skipped = "off"
        return report
    if backfill:
        report.skipped = "backfill"
        log.info("alerts: a backfill run posts nothing")
        return report
    lang = settings.lang or lang
    try:
        found = detect_status_changes(
            scorecard,
            history,
            settings.scorecard_url,
            model=run_report.model if run_report is not None else None,
            lang=lang,
        )
    except ScorecardError as exc:
        log.error("alerts are not sent: %s", exc)
        report.skipped = "invalid scorecard or history"
        return report
    latest = (
        str(newest_as_of)[:10]
        if newest_as_of
        else max((str(r.get("as_of"))[:10] for r in history), default=None)
    )
    if found.as_of is not None and latest is not None and found.as_of.isoformat() < latest:
        # Rescoring an old day (a backfill) is not news.
        report.skipped = f"as_of {found.as_of} is not the newest scored day ({latest})"
        log.info("alerts: %s; nothing posted", report.skipped)
        return report
    report.changes = found.changes
    if not found.changes:
        report.skipped = "no status changed"
        log.info("alerts: no KR changed status since %s; nothing posted", found.previous_as_of)
        return report

    builders = {
        "slack": lambda f: slack_payload(f, lang, settings.scorecard_url, settings.max_items),
        "teams": lambda f: teams_payload(f, lang, settings.scorecard_url, settings.max_items),
        "webhook": lambda f: generic_payload(f, lang, settings.scorecard_url),
    }
    for channel, env_name in settings.env_names.items():
        items = {_item(c, found): c for c in found.changes}
        done = ledger_posted(ledger, KIND, channel, list(items))
        new = [c for item, c in items.items() if item not in done]
        if not new:
            log.info("alerts: %s already has every change of %s; nothing posted", channel, found.as_of)
            report.already_posted.append(channel)
            continue
        payload = builders[channel](StatusChanges(found.as_of, found.previous_as_of, new))
        if not post_json(channel, env_name, environ, payload, client_options):
            report.failed.append(channel)
            continue
        log.info("alerts: posted %d status change(s) to %s", len(new), channel)
        report.posted.append(channel)
        ledger_record(ledger, KIND, channel, [_item(c, found) for c in new], found.as_of)
    if report.already_posted and not report.posted and not report.failed:
        report.skipped = "already posted"
    return report


KIND = "status_change"


def _item(c: StatusChange, found: StatusChanges) -> str:
    return f"{c.ledger_item}@{found.as_of}"
