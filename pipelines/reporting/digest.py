"""The weekly digest: per team, what changed in the week and what needs doing, posted to the
configured Slack, Teams and webhook targets (the `alerts:` ones) and, when `smtp:` is configured,
e-mailed (HTML and plain text) through a real SMTP server.

Per team (every team with key results in the current cycle):
- status changes of the week: each KR whose status differs from its status 7 days earlier
  (the score history; a KR with no history that far back has nothing to compare with);
- the attention list (off track, newly missed, at risk, stale, no data) with each reason;
- initiatives due in the next `due_days` (14) days or overdue (not done, not dropped);
- KRs without a check-in for `checkin_days` (14) days where check-ins are expected: the KRs
  measured by check-ins (`metric: checkins`) that are in progress; the KR's start counts as the
  last check-in when there is none yet.

settings.yml (every key optional; the digest is on by default):

    digest:
      enabled: true
      cron: "0 8 * * 1"        # Monday 08:00 in `timezone`
      lang: fi                 # default: `lang`
      due_days: 14
      checkin_days: 14
      recipients:              # team id -> addresses that get that team's digest (besides smtp.to)
        growth: [anna.virtanen@example.com]
    smtp:                      # no `smtp:` -> no e-mail
      host: smtp.example.com
      port: 587
      security: starttls       # starttls | ssl | none
      username: okr-bot@example.com
      password_env: OKR_SMTP_PASSWORD   # the password only ever comes from this variable
      from: "OKR scorecard <okr-bot@example.com>"
      to: [marketing-leads@example.com]

A digest goes out once per team, ISO week and channel (the ledger in the warehouse), so a rerun
of the schedule does not post it again. Sending never raises; failures are logged without
secrets (webhook URLs and the SMTP password never reach a log line).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from typing import Any

from pipelines.reporting.alerts import AlertSettings, AlertSettingsError
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
from pipelines.reporting.messages import LANGUAGES
from pipelines.reporting.reasons import reason_sentence
from pipelines.reporting.report import Report
from pipelines.reporting.site_model import KRView
from pipelines.reporting.statuses import STATUS_ICONS

log = logging.getLogger(__name__)

DEFAULT_CRON = "0 8 * * 1"  # Monday 08:00 in the workspace time zone
WEEK = 7
KIND = "digest"
SECTIONS = ("changes", "attention", "due", "quiet")
SLACK_ITEMS_PER_SECTION = 10  # 4 sections x (heading + 10 items + "more") stays under 50 blocks
_DONE = {"done", "dropped"}
_ENDED = {"not_started", "achieved", "missed"}


class DigestSettingsError(ValueError):
    pass


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


@dataclass(frozen=True)
class DigestSettings:
    enabled: bool = True
    cron: str = DEFAULT_CRON
    lang: str | None = None
    due_days: int = 14
    checkin_days: int = 14
    recipients: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None, where: str = "settings.yml: digest") -> DigestSettings:
        raw = dict(raw or {})
        known = {"enabled", "cron", "lang", "due_days", "checkin_days", "recipients"}
        problems = [
            f"{where}.{k}: unknown key; known: {', '.join(sorted(known))}" for k in raw if k not in known
        ]
        enabled = raw.get("enabled", True)
        if not isinstance(enabled, bool):
            problems.append(f"{where}.enabled: must be true or false, not {enabled!r}")
        cron = raw.get("cron", DEFAULT_CRON)
        if not isinstance(cron, str) or len(cron.split()) != 5:
            problems.append(
                f"{where}.cron: must be a cron expression of 5 fields like {DEFAULT_CRON!r}, not {cron!r}"
            )
        lang = raw.get("lang")
        if lang is not None and lang not in LANGUAGES:
            problems.append(f"{where}.lang: must be one of {', '.join(LANGUAGES)}, not {lang!r}")
        for key in ("due_days", "checkin_days"):
            if not _whole(raw.get(key, 14), 1, 365):
                problems.append(
                    f"{where}.{key}: must be a whole number of days from 1 to 365, not {raw[key]!r}"
                )
        recipients = raw.get("recipients") or {}
        if not isinstance(recipients, Mapping) or not all(
            isinstance(v, list) and all(isinstance(a, str) and "@" in a for a in v)
            for v in recipients.values()
        ):
            problems.append(f"{where}.recipients: must map a team id to a list of e-mail addresses")
            recipients = {}
        if problems:
            raise DigestSettingsError("\n".join(problems))
        return cls(
            enabled=enabled,
            cron=cron,
            lang=lang,
            due_days=raw.get("due_days", 14),
            checkin_days=raw.get("checkin_days", 14),
            recipients={str(k): list(v) for k, v in recipients.items()},
        )


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    sender: str
    to: tuple[str, ...] = ()
    port: int = 587
    security: str = "starttls"
    username: str | None = None
    password_env: str | None = None
    timeout: float = 30

    @classmethod
    def from_dict(
        cls, raw: Mapping[str, Any] | None, where: str = "settings.yml: smtp"
    ) -> SmtpSettings | None:
        """None when `smtp:` is absent (no e-mail); DigestSettingsError names every bad key."""
        if not raw:
            return None
        raw = dict(raw)
        known = {"host", "port", "security", "username", "password_env", "from", "to", "timeout"}
        problems = [
            f"{where}.{k}: unknown key; known: {', '.join(sorted(known))}" for k in raw if k not in known
        ]
        if "password" in raw:
            problems.append(f"{where}.password: not allowed; name the environment variable in password_env")
        host = raw.get("host")
        if not isinstance(host, str) or not host.strip():
            problems.append(f"{where}.host: required, the SMTP server's name")
        security = raw.get("security", "starttls")
        if security not in ("starttls", "ssl", "none"):
            problems.append(f"{where}.security: must be starttls, ssl or none, not {security!r}")
        port = raw.get("port", 465 if security == "ssl" else 587)
        if not _whole(port, 1, 65535):
            problems.append(f"{where}.port: must be a port number, not {port!r}")
        sender = raw.get("from")
        if not isinstance(sender, str) or "@" not in parseaddr(sender)[1]:
            problems.append(f"{where}.from: required, an address like 'OKR scorecard <okr@example.com>'")
        to = raw.get("to") or []
        if isinstance(to, str):
            to = [to]
        if not isinstance(to, list) or not all(isinstance(a, str) and "@" in a for a in to):
            problems.append(f"{where}.to: must be a list of e-mail addresses")
            to = []
        env = raw.get("password_env")
        if env is not None and (not isinstance(env, str) or not env.replace("_", "").isalnum()):
            problems.append(
                f"{where}.password_env: must name an environment variable (like OKR_SMTP_PASSWORD)"
            )
        username = raw.get("username")
        if username is not None and not isinstance(username, str):
            problems.append(f"{where}.username: must be text")
        if problems:
            raise DigestSettingsError("\n".join(problems))
        return cls(
            host=host.strip(),
            sender=sender,
            to=tuple(to),
            port=port,
            security=security,
            username=username,
            password_env=env,
            timeout=float(raw.get("timeout", 30)),
        )


# -- content -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestItem:
    """One line of a section: about a KR (or an initiative of it), with its sentence."""

    kr_id: str
    title: str  # the KR's title, or the initiative's
    owner: str | None
    url: str | None  # absolute when the scorecard URL is configured, else relative to the site
    status: str | None
    text: str  # what to say about it, in the digest's language
    note: str | None = None  # the latest check-in note (attention list)


@dataclass(frozen=True)
class TeamDigest:
    team: str
    team_name: str
    as_of: dt.date
    lang: str
    title: str
    sections: dict[str, list[DigestItem]]
    headings: dict[str, str]
    empty: dict[str, str]
    scorecard_url: str | None = None

    @property
    def week(self) -> str:
        year, week, _ = self.as_of.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def ledger_item(self) -> str:
        return f"{self.team}@{self.week}"


def _status_at(history: list, day: dt.date) -> str | None:
    """The KR's status on the last scored day on or before `day` (history sorted by as_of)."""
    status = None
    for row in history:
        if row.as_of > day:
            break
        if row.status:
            status = row.status
    return status


def _team_of(k: KRView) -> str | None:
    return k.team or (k.objective.team if k.objective is not None else None)


def build_digests(
    report: Report, settings: DigestSettings | None = None, scorecard_url: str | None = None
) -> list[TeamDigest]:
    """One digest per team with key results in the current cycle, in the report's language."""
    settings = settings or DigestSettings()
    model, t, fmt = report.model, report.texts.t, report.texts.fmt
    as_of = model.card.as_of
    week_ago, due_by = as_of - dt.timedelta(days=WEEK), as_of + dt.timedelta(days=settings.due_days)
    base = scorecard_url.rstrip("/") + "/" if scorecard_url else None

    def url(k: KRView) -> str:
        return base + k.url if base else k.url

    def status(code: str | None) -> str:
        return f"{STATUS_ICONS.get(code or '', '')} {t.status(code)}".strip()

    def reason(k: KRView) -> str:
        return reason_sentence(k.reason, k.kr, t, fmt)

    attention = model.attention()
    digests = []
    for team in model.teams:
        krs = [k for k in model.active_krs if _team_of(k) == team.id]
        if not krs:
            continue
        changes = []
        for k in krs:
            before = _status_at(sorted(k.history, key=lambda r: r.as_of), week_ago)
            if before and before != k.status:
                text = t("digest_change", old=status(before), new=status(k.status), reason=reason(k) or "")
                changes.append(DigestItem(k.id, k.title, k.owner, url(k), k.status, text.strip()))
        flagged = []
        for k in attention:
            if _team_of(k) == team.id:
                latest = max(k.checkins, key=lambda c: c.date, default=None)
                flagged.append(
                    DigestItem(k.id, k.title, k.owner, url(k), k.status, f"{status(k.status)}: {reason(k)}",
                               note=latest.note if latest else None)
                )  # fmt: skip
        due = []
        for k in krs:
            for i in k.initiatives:
                if (i.status or "") in _DONE or i.due is None or i.due > due_by:
                    continue
                when, kr_title = fmt.date(i.due), k.title
                overdue = i.overdue or i.due < as_of
                text = (
                    t("digest_overdue", due=when, kr=kr_title)
                    if overdue
                    else t("digest_due", due=when, kr=kr_title)
                )
                due.append((i.due, DigestItem(k.id, i.title, i.owner or k.owner, url(k), i.status, text)))
        quiet = []
        for k in krs:
            if k.metric != "checkins" or k.status in _ENDED:
                continue
            last = max((c.date for c in k.checkins if c.date <= as_of), default=None)
            days = (as_of - (last or k.start)).days
            if days >= settings.checkin_days:
                text = (
                    t("digest_last_checkin", date=fmt.date(last), days=fmt.integer(days))
                    if last
                    else t("digest_no_checkin", start=fmt.date(k.start))
                )
                quiet.append(DigestItem(k.id, k.title, k.owner, url(k), k.status, text))
        digests.append(
            TeamDigest(
                team=team.id,
                team_name=team.name,
                as_of=as_of,
                lang=report.lang,
                title=t("digest_title", team=team.name, date=fmt.date(as_of)),
                sections={
                    "changes": changes,
                    "attention": flagged,
                    "due": [item for _, item in sorted(due, key=lambda d: d[0])],
                    "quiet": quiet,
                },
                headings={
                    "changes": t("digest_changes", since=fmt.date(week_ago)),
                    "attention": t("attention_title"),
                    "due": t("digest_due_title", date=fmt.date(due_by)),
                    "quiet": t("digest_quiet_title", days=fmt.integer(settings.checkin_days)),
                },
                empty={
                    "changes": t("digest_changes_none"),
                    "attention": t("digest_attention_none"),
                    "due": t("digest_due_none"),
                    "quiet": t("digest_quiet_none"),
                },
                scorecard_url=scorecard_url,
            )
        )
    return digests


# -- formats -----------------------------------------------------------------------------------


def _who(item: DigestItem) -> str:
    return f" ({item.owner})" if item.owner else ""


def digest_text(d: TeamDigest, t: Callable[..., str]) -> str:
    """Plain text: the e-mail's text part and what `okr digest` prints."""
    lines = [d.title, "=" * min(len(d.title), 78)]
    for name in SECTIONS:
        lines += ["", d.headings[name]]
        items = d.sections[name]
        if not items:
            lines.append(f"  {d.empty[name]}")
        for item in items:
            lines.append(f"- {item.title}{_who(item)}: {item.text}")
            if item.note:
                lines.append(f"  {t('latest_checkin')}: {item.note}")
    if d.scorecard_url:
        lines += ["", f"{t('alert_open_scorecard')}: {d.scorecard_url}"]
    return "\n".join(lines) + "\n"


def digest_html(d: TeamDigest, t: Callable[..., str]) -> str:
    """The e-mail's HTML part (autoescaped Jinja2: titles and notes are shown as text)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from pipelines.reporting.site import TEMPLATES_DIR

    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(default=True))
    return env.get_template("digest_email.html.j2").render(d=d, t=t, sections=SECTIONS, icons=STATUS_ICONS)


def _slack_items(d: TeamDigest, name: str, t: Callable[..., str]) -> list[dict]:
    items = d.sections[name]
    blocks = [slack_section(f"*{slack_text(d.headings[name], 300)}*")]
    if not items:
        blocks.append(slack_section(slack_text(d.empty[name], 500)))
    for item in items[:SLACK_ITEMS_PER_SECTION]:
        line = f"{slack_link(item.url if d.scorecard_url else None, item.title)}{slack_text(_who(item), 200)}"
        text = f"{line}\n{slack_text(item.text, NOTE_MAX * 2)}"
        if item.note:
            text += f"\n_{slack_text(t('latest_checkin'), 100)}: {slack_text(item.note, NOTE_MAX)}_"
        blocks.append(slack_section(text[:SLACK_SECTION_MAX]))
    if len(items) > SLACK_ITEMS_PER_SECTION:
        more = t("alert_more", count=len(items) - SLACK_ITEMS_PER_SECTION)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": slack_text(more, 300)}]})
    return blocks


def digest_slack(d: TeamDigest, t: Callable[..., str]) -> dict:
    """Slack Block Kit, within Slack's limits (at most 4 x 12 + 2 blocks)."""
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": cut(d.title, SLACK_HEADER_MAX)}}
    ]
    for name in SECTIONS:
        blocks += _slack_items(d, name, t)
    if d.scorecard_url:
        blocks.append(slack_section(slack_link(d.scorecard_url, t("alert_open_scorecard"))))
    return {"text": cut(d.title, SLACK_SECTION_MAX), "blocks": blocks}


def digest_teams(d: TeamDigest, t: Callable[..., str]) -> dict:
    """An Adaptive Card: a heading per section, per item its title, owner, sentence and link."""
    from pipelines.reporting.alerts import teams_card

    body: list[dict] = []
    for name in SECTIONS:
        body.append({"type": "TextBlock", "text": d.headings[name], "weight": "Bolder", "wrap": True})
        if not d.sections[name]:
            body.append({"type": "TextBlock", "text": d.empty[name], "isSubtle": True, "wrap": True})
        for item in d.sections[name][:SLACK_ITEMS_PER_SECTION]:
            items: list[dict] = [
                {
                    "type": "TextBlock",
                    "text": cut(item.title, TITLE_MAX) + cut(_who(item), 200),
                    "wrap": True,
                },
                {"type": "TextBlock", "text": cut(item.text, NOTE_MAX * 2), "isSubtle": True, "wrap": True},
            ]
            if item.note:
                note = f"{t('latest_checkin')}: {cut(item.note, NOTE_MAX)}"
                items.append({"type": "TextBlock", "text": note, "wrap": True, "size": "Small"})
            container: dict[str, Any] = {"type": "Container", "separator": True, "items": items}
            if d.scorecard_url and item.url:
                items.append({"type": "ActionSet", "actions": [
                    {"type": "Action.OpenUrl", "title": t("alert_open_kr"), "url": item.url}]})  # fmt: skip
            body.append(container)
    return teams_card(d.title, t("digest_intro", team=d.team_name), body, None, d.scorecard_url, t)


def digest_json(d: TeamDigest) -> dict:
    """The digest as data for any other receiver."""
    return {
        "event": "okr.weekly_digest",
        "team": d.team,
        "team_name": d.team_name,
        "as_of": d.as_of.isoformat(),
        "week": d.week,
        "title": d.title,
        "scorecard_url": d.scorecard_url,
        "sections": {
            name: {
                "title": d.headings[name],
                "items": [item.__dict__ for item in d.sections[name]],
            }
            for name in SECTIONS
        },
    }


# -- sending -----------------------------------------------------------------------------------


@dataclass
class DigestReport:
    digests: list[TeamDigest] = field(default_factory=list)
    posted: list[str] = field(default_factory=list)  # "<team>:<channel>" accepted
    failed: list[str] = field(default_factory=list)
    already_posted: list[str] = field(default_factory=list)
    skipped: str | None = None


def email_message(
    d: TeamDigest, smtp: SmtpSettings, recipients: list[str], t: Callable[..., str]
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = cut(d.title, 200)
    msg["From"] = formataddr(parseaddr(smtp.sender))
    msg["To"] = ", ".join(recipients)
    msg["Message-ID"] = make_msgid(domain=parseaddr(smtp.sender)[1].split("@")[-1] or None)
    msg.set_content(digest_text(d, t))
    msg.add_alternative(digest_html(d, t), subtype="html")
    msg["Content-Language"] = d.lang  # after the body: set_content drops Content-* headers
    return msg


def send_email(msg: EmailMessage, smtp: SmtpSettings, environ: Mapping[str, str]) -> None:
    """Deliver through the configured server; raises with a message that holds no password."""
    password = environ.get(smtp.password_env) if smtp.password_env else None
    if smtp.password_env and not password:
        raise RuntimeError(f"the environment variable {smtp.password_env} (smtp.password_env) is not set")
    context = ssl.create_default_context()
    cls = smtplib.SMTP_SSL if smtp.security == "ssl" else smtplib.SMTP
    kwargs: dict[str, Any] = {"context": context} if smtp.security == "ssl" else {}
    with cls(smtp.host, smtp.port, timeout=smtp.timeout, **kwargs) as server:
        if smtp.security == "starttls":
            server.starttls(context=context)
        if smtp.username and password:
            server.login(smtp.username, password)
        server.send_message(msg)


def send_digests(
    report: Report,
    alert_settings: Mapping[str, Any] | None,
    digest_settings: Mapping[str, Any] | None,
    smtp_settings: Mapping[str, Any] | None,
    *,
    environ: Mapping[str, str] | None = None,
    ledger: Ledger | None = None,
    client_options: Mapping[str, Any] | None = None,
    dry_run: bool = False,
) -> DigestReport:
    """Build every team's digest and deliver it to each configured channel once per week.
    Never raises; `dry_run` builds the digests and sends nothing."""
    out = DigestReport()
    environ = os.environ if environ is None else environ
    try:
        settings = DigestSettings.from_dict(digest_settings)
        alerts = AlertSettings.from_dict(alert_settings)
        smtp = SmtpSettings.from_dict(smtp_settings)
    except (DigestSettingsError, AlertSettingsError) as exc:
        log.error("digest: not sent: %s", exc)
        out.skipped = "invalid settings"
        return out
    out.digests = build_digests(report, settings, alerts.scorecard_url)
    if dry_run:
        out.skipped = "dry run"
        return out
    if not settings.enabled:
        out.skipped = "off"
        return out
    t = report.texts.t
    builders = {"slack": digest_slack, "teams": digest_teams, "webhook": lambda d, _t: digest_json(d)}
    for d in out.digests:
        for channel, env_name in alerts.env_names.items():
            if ledger_posted(ledger, KIND, channel, [d.ledger_item]):
                out.already_posted.append(f"{d.team}:{channel}")
                continue
            if post_json(
                channel, env_name, environ, builders[channel](d, t), client_options, purpose="digest"
            ):
                out.posted.append(f"{d.team}:{channel}")
                ledger_record(ledger, KIND, channel, [d.ledger_item], d.as_of)
            else:
                out.failed.append(f"{d.team}:{channel}")
        recipients = [*(smtp.to if smtp else ()), *settings.recipients.get(d.team, [])]
        if smtp is None or not recipients:
            continue
        if ledger_posted(ledger, KIND, "email", [d.ledger_item]):
            out.already_posted.append(f"{d.team}:email")
            continue
        try:
            send_email(email_message(d, smtp, recipients, t), smtp, environ)
        except Exception as exc:  # any failure: logged (never the password), the others go on
            secret = environ.get(smtp.password_env or "") or None
            text = str(exc).replace(secret, "***") if secret else str(exc)
            log.warning("digest: e-mail to %s via %s:%s failed: %s", d.team, smtp.host, smtp.port, text)
            out.failed.append(f"{d.team}:email")
        else:
            log.info("digest: e-mailed %s's digest to %d recipient(s)", d.team, len(recipients))
            out.posted.append(f"{d.team}:email")
            ledger_record(ledger, KIND, "email", [d.ledger_item], d.as_of)
    return out
