"""The weekly digest: what it says per team, and its delivery to a real local SMTP server
(aiosmtpd) and a real local webhook listener, once per team and week (ledger in DuckDB)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from reporting_fixture import make_history, make_metrics, make_scorecard
from smtp_server import PASSWORD, USER, Inbox
from webhook_receiver import Receiver

from connectors.warehouse import DuckDBWarehouse
from pipelines.reporting.channels import SLACK_HEADER_MAX, SLACK_MAX_BLOCKS, SLACK_SECTION_MAX
from pipelines.reporting.digest import (
    DigestSettings,
    DigestSettingsError,
    SmtpSettings,
    build_digests,
    digest_slack,
    send_digests,
)
from pipelines.reporting.ledger import Ledger
from pipelines.reporting.report import build_report

URL = "https://intranet.example.com/okr/"
TEAMS = {"growth": {"en": "Growth", "fi": "Kasvu"}, "sales": {"en": "Sales", "fi": "Myynti"}}


def _report(lang: str = "en", card: dict | None = None, history: list[dict] | None = None):
    return build_report(
        card or make_scorecard(), history or make_history(), make_metrics(), lang=lang, teams=TEAMS
    )


def _by_team(lang: str = "en") -> dict:
    return {d.team: d for d in build_digests(_report(lang), DigestSettings(), URL)}


def test_a_digest_per_team_with_the_weeks_changes_attention_due_and_quiet_krs() -> None:
    digests = _by_team()
    growth, sales = digests["growth"], digests["sales"]
    assert growth.title == "Weekly OKR digest: Growth, 26 Nov 2026"
    assert growth.week == "2026-W48" and growth.ledger_item == "growth@2026-W48"
    # Status changes since 19 Nov: the KRs whose status then differs from today's.
    changes = {i.kr_id: i.text for i in growth.sections["changes"]}
    assert changes["GROWTH-Q4-1.2"].startswith("✔ On track → ▲ At risk. Score 0.30 where 0.43")
    # The attention list with reasons and owners, worst first.
    first = sales.sections["attention"][0]
    assert (first.kr_id, first.status, first.owner) == ("SALES-Q4-2.3", "stale", "Head of Sales")
    assert (
        first.text
        == "◐ Stale data: The newest data from HubSpot is from 20 Nov 2026, more than 2 days before "
        "26 Nov 2026."
    )
    # Initiatives due by 10 Dec or overdue, soonest first; a done or later one is left out.
    due = [(i.title, i.text) for i in growth.sections["due"]]
    assert due == [
        ("Partner co-marketing kit",
         "overdue since 15 Nov 2026, for “Generate 2 000 inbound and event leads”."),
        ("Webinar series on data-driven marketing",
         "due 30 Nov 2026, for “Generate 2 000 inbound and event leads”."),
    ]  # fmt: skip
    assert all("LinkedIn" not in title for title, _ in due)  # due 11 Dec: after the 14 days
    # A KR measured by check-ins with none since its start (1 Oct) is listed.
    assert [(i.kr_id, i.text) for i in sales.sections["quiet"]] == [
        ("SALES-Q4-2.2", "no check-in since the start on 1 Oct 2026.")
    ]
    assert growth.sections["quiet"] == []
    assert all(
        i.url.startswith(URL + "krs/") for d in digests.values() for s in d.sections.values() for i in s
    )


def test_a_recent_checkin_takes_a_kr_off_the_quiet_list_and_shows_in_attention() -> None:
    card = make_scorecard()
    kr = next(k for k in card["key_results"] if k["id"] == "SALES-Q4-2.2")
    kr["checkins"] = [{"date": "2026-11-20", "value": 1, "note": "Two partners signed", "author": "Mia"}]
    sales = {d.team: d for d in build_digests(_report(card=card), DigestSettings(), URL)}["sales"]
    assert sales.sections["quiet"] == []
    assert (
        next(i for i in sales.sections["attention"] if i.kr_id == "SALES-Q4-2.2").note
        == "Two partners signed"
    )
    old = {d.team: d for d in build_digests(_report(card=card), DigestSettings(checkin_days=5), URL)}["sales"]
    assert [i.text for i in old.sections["quiet"]] == ["last check-in 20 Nov 2026, 6 days ago."]


def test_finnish_digest() -> None:
    growth = _by_team("fi")["growth"]
    assert growth.title == "Viikon OKR-kooste: Kasvu, 26.11.2026"
    assert growth.headings["due"] == "Toimenpiteet, joiden määräpäivä on viimeistään 10.12.2026 tai jo mennyt"
    assert growth.headings["quiet"] == "Avaintulokset ilman tilannepäivitystä 14 päivää"


def _settings(receiver: Receiver) -> tuple[dict, dict]:
    alerts = {"webhook_env": "OKR_ALERT_WEBHOOK_URL", "slack_webhook_env": "OKR_SLACK_WEBHOOK_URL",
              "teams_webhook_env": "OKR_TEAMS_WEBHOOK_URL", "scorecard_url": URL}  # fmt: skip
    env = {
        "OKR_ALERT_WEBHOOK_URL": receiver.url("/hook/generic-secret"),
        "OKR_SLACK_WEBHOOK_URL": receiver.url("/services/T0/B0/slack-secret"),
        "OKR_TEAMS_WEBHOOK_URL": receiver.url("/workflows/teams-secret"),
        "OKR_SMTP_PASSWORD": PASSWORD,
    }
    return alerts, env


def _smtp(port: int, **extra) -> dict:
    return {"host": "127.0.0.1", "port": port, "security": "none", "username": USER,
            "password_env": "OKR_SMTP_PASSWORD", "from": "OKR scorecard <okr-bot@example.com>",
            "to": ["leads@example.com"], "timeout": 10, **extra}  # fmt: skip


def test_digest_arrives_by_email_and_webhooks_once_per_week(
    receiver: Receiver, smtp_server: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp_server
    alerts, env = _settings(receiver)
    ledger = Ledger(DuckDBWarehouse(tmp_path / "warehouse.duckdb"))
    digest = {"recipients": {"growth": ["anna.virtanen@example.com"]}}
    result = send_digests(_report(), alerts, digest, _smtp(port), environ=env, ledger=ledger)
    teams = sorted(d.team for d in result.digests)
    assert result.failed == []
    assert sorted(result.posted) == sorted(
        f"{t}:{c}" for t in teams for c in ("slack", "teams", "webhook", "email")
    )
    assert set(inbox.logins) == {(USER, PASSWORD)}  # the password came from the environment variable

    # The e-mail: plain text and HTML alternatives, to smtp.to plus the team's own recipients.
    growth = next(m for rcpt, m in inbox.messages if "anna.virtanen@example.com" in rcpt)
    rcpt = next(r for r, m in inbox.messages if m is growth)
    assert sorted(rcpt) == ["anna.virtanen@example.com", "leads@example.com"]
    assert growth["Subject"] == "Weekly OKR digest: Growth, 26 Nov 2026"
    assert growth["Content-Language"] == "en"
    text = growth.get_body(("plain",)).get_content()
    html = growth.get_body(("html",)).get_content()
    assert "Status changes since 19 Nov 2026" in text and "overdue since 15 Nov 2026" in text
    assert '<html lang="en">' in html
    assert f'<a href="{URL}krs/GROWTH-Q4-1.2.html"' in html
    assert len(inbox.messages) == len(teams)

    hook = [p["json"] for p in receiver.posts if p["path"].startswith("/hook/")]
    assert sorted(p["team"] for p in hook) == teams
    assert {p["event"] for p in hook} == {"okr.weekly_digest"}
    sales = next(p for p in hook if p["team"] == "sales")
    assert sales["sections"]["attention"]["items"][0]["kr_id"] == "SALES-Q4-2.3"

    # The same week again (a rerun of the schedule): nothing is sent twice.
    posts = len(receiver.posts)
    again = send_digests(_report(), alerts, digest, _smtp(port), environ=env, ledger=ledger)
    assert again.posted == [] and len(again.already_posted) == len(result.posted)
    assert len(receiver.posts) == posts and len(inbox.messages) == len(teams)


def test_dry_run_and_off_send_nothing(receiver: Receiver, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    alerts, env = _settings(receiver)
    dry = send_digests(_report(), alerts, {}, _smtp(port), environ=env, dry_run=True)
    assert dry.skipped == "dry run" and dry.digests
    off = send_digests(_report(), alerts, {"enabled": False}, _smtp(port), environ=env)
    assert off.skipped == "off"
    assert receiver.posts == [] and inbox.messages == []


def test_a_refused_login_is_logged_without_the_password(
    receiver: Receiver, smtp_server: tuple[Inbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    inbox, port = smtp_server
    _, env = _settings(receiver)
    env["OKR_SMTP_PASSWORD"] = "wrong-" + PASSWORD
    with caplog.at_level(logging.DEBUG):
        result = send_digests(
            _report(), {"webhook_env": "OKR_ALERT_WEBHOOK_URL"}, {}, _smtp(port), environ=env
        )
    assert "growth:email" in result.failed and "growth:webhook" in result.posted  # the rest goes on
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("pipelines"))
    assert "digest: e-mail to growth via 127.0.0.1" in ours and "535" in ours
    assert PASSWORD not in ours and "generic-secret" not in ours
    assert inbox.messages == []
    env.pop("OKR_SMTP_PASSWORD")
    with caplog.at_level(logging.WARNING):
        send_digests(_report(), {}, {}, _smtp(port), environ=env)
    assert "the environment variable OKR_SMTP_PASSWORD (smtp.password_env) is not set" in caplog.text


def test_slack_digest_within_limits_with_hostile_strings() -> None:
    card, history = make_scorecard(), make_history()
    hostile = "<!channel> & <script>x</script> " + "W" * 5000
    for kr in card["key_results"]:
        kr.update(title=hostile, owner=hostile)
        for i in kr["initiatives"]:
            i["title"] = hostile
    for d in build_digests(_report(card=card, history=history), DigestSettings(), URL):
        payload = digest_slack(d, _report().texts.t)
        assert len(payload["blocks"]) <= SLACK_MAX_BLOCKS
        assert len(payload["blocks"][0]["text"]["text"]) <= SLACK_HEADER_MAX
        for block in payload["blocks"]:
            text = block.get("text", {}).get("text", "")
            assert len(text) <= SLACK_SECTION_MAX
            assert "<script>" not in text and "<!channel>" not in text


def test_settings_are_validated_by_key() -> None:
    with pytest.raises(DigestSettingsError) as err:
        DigestSettings.from_dict({"cron": "every monday", "lang": "de", "due_days": 0, "colour": 1})
    text = str(err.value)
    for part in ("digest.cron: must be a cron expression", "digest.lang: must be one of en, fi",
                 "digest.due_days: must be a whole number", "digest.colour: unknown key"):  # fmt: skip
        assert part in text
    with pytest.raises(DigestSettingsError) as err:
        SmtpSettings.from_dict({"host": "", "password": "hunter2", "from": "nobody", "security": "tls"})
    text = str(err.value)
    assert "smtp.password: not allowed; name the environment variable in password_env" in text
    assert "smtp.host: required" in text and "smtp.from: required" in text and "smtp.security" in text
    assert "hunter2" not in text
    assert SmtpSettings.from_dict(None) is None
    assert SmtpSettings.from_dict({"host": "mail", "from": "a@b.fi", "security": "ssl"}).port == 465
    assert DigestSettings.from_dict(None) == DigestSettings(enabled=True, cron="0 8 * * 1")


def test_the_schedule_runs_monday_0800_in_the_workspace_time_zone() -> None:
    import dagster as dg

    from pipelines.schedules import weekly_digest_schedule

    assert weekly_digest_schedule.cron_schedule == "0 8 * * 1"
    assert weekly_digest_schedule.execution_timezone == "Europe/Helsinki"
    assert weekly_digest_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert weekly_digest_schedule.job_name == "weekly_digest"


def test_email_escapes_hostile_strings_and_keeps_headers_on_one_line() -> None:
    from pipelines.reporting.digest import email_message

    card = make_scorecard()
    for kr in card["key_results"]:
        kr["title"] = '<script>alert("x")</script>\r\nBcc: victim@example.com'
        kr["owner"] = "<img src=x onerror=alert(1)>"
    teams = {"growth": "Growth\r\nBcc: victim@example.com <b>"}
    report = build_report(card, make_history(), make_metrics(), lang="en", teams=teams)
    smtp = SmtpSettings.from_dict({"host": "mail", "from": "OKR <okr@example.com>"})
    growth = next(d for d in build_digests(report, DigestSettings(), URL) if d.team == "growth")
    msg = email_message(growth, smtp, ["leads@example.com"], report.texts.t)
    assert "\n" not in msg["Subject"] and msg["Bcc"] is None
    html = msg.get_body(("html",)).get_content()
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
