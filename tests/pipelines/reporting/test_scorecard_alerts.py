"""Alerts: which status changes are posted, the webhook payloads (to a real local HTTP server),
and that a failing webhook is logged without its URL and never raises."""

from __future__ import annotations

import logging

import pytest
from reporting_fixture import REASONS, make_history, make_scorecard
from webhook_receiver import Receiver

from pipelines.reporting.alerts import (
    AlertSettings,
    AlertSettingsError,
    detect_status_changes,
    send_status_alerts,
)

SETTINGS = {
    "slack_webhook_env": "OKR_SLACK_WEBHOOK_URL",
    "teams_webhook_env": "OKR_TEAMS_WEBHOOK_URL",
    "webhook_env": "OKR_ALERT_WEBHOOK_URL",
    "scorecard_url": "https://intranet.example.com/okr/",
}
FAST = {"backoff_base_s": 0.01, "backoff_max_s": 0.05}  # the real client, with short waits


def _env(receiver: Receiver) -> dict[str, str]:
    return {
        "OKR_SLACK_WEBHOOK_URL": receiver.url("/services/T000/B000/slack-secret-token"),
        "OKR_TEAMS_WEBHOOK_URL": receiver.url("/workflows/teams-secret-sig"),
        "OKR_ALERT_WEBHOOK_URL": receiver.url("/hook/generic-secret"),
    }


def test_detects_the_krs_whose_status_changed_since_the_previous_scored_day() -> None:
    found = detect_status_changes(make_scorecard(), make_history(), "https://intranet.example.com/okr")
    assert (str(found.as_of), str(found.previous_as_of)) == ("2026-11-26", "2026-11-25")
    assert [(c.kr_id, c.previous_status, c.status) for c in found.changes] == [
        ("GROWTH-Q4-1.2", "on_track", "at_risk"),
        ("SALES-Q4-2.3", "on_track", "stale"),
    ]
    stale = found.changes[1]
    assert stale.url == "https://intranet.example.com/okr/krs/SALES-Q4-2.3.html"
    assert stale.objective_title == "Turn pipeline into revenue"
    assert stale.status_reason.startswith("Newest data is from 2026-11-20")


def test_nothing_changed_means_no_changes_and_no_post(receiver: Receiver) -> None:
    history = make_history()
    today = {h["kr_id"]: h["status"] for h in history if h["as_of"] == "2026-11-26"}
    for h in history:
        if h["as_of"] == "2026-11-25":
            h["status"] = today[h["kr_id"]]
    assert detect_status_changes(make_scorecard(), history).changes == []
    report = send_status_alerts(make_scorecard(), history, SETTINGS, environ=_env(receiver))
    assert report.skipped == "no status changed"
    assert receiver.posts == []


def test_first_run_and_new_krs_have_nothing_to_compare() -> None:
    only_today = [h for h in make_history() if h["as_of"] == "2026-11-26"]
    assert detect_status_changes(make_scorecard(), only_today).changes == []
    history = [h for h in make_history() if not (h["kr_id"] == "SALES-Q4-2.3" and h["as_of"] == "2026-11-25")]
    assert [c.kr_id for c in detect_status_changes(make_scorecard(), history).changes] == ["GROWTH-Q4-1.2"]


def test_a_backfilled_old_day_is_not_alerted(receiver: Receiver) -> None:
    card = make_scorecard()
    card["as_of"] = "2026-11-25"
    report = send_status_alerts(card, make_history(), SETTINGS, environ=_env(receiver))
    assert report.skipped.startswith("as_of 2026-11-25 is not the newest scored day")
    # The same when the caller cut history at the run's as_of and names the newest day instead.
    cut = [h for h in make_history() if h["as_of"] <= "2026-11-25"]
    report = send_status_alerts(card, cut, SETTINGS, environ=_env(receiver), newest_as_of="2026-11-26")
    assert report.skipped.startswith("as_of 2026-11-25 is not the newest scored day")
    assert receiver.posts == []


def test_off_by_default() -> None:
    assert send_status_alerts(make_scorecard(), make_history(), {}).skipped == "off"
    assert send_status_alerts(make_scorecard(), make_history(), None).skipped == "off"
    disabled = {**SETTINGS, "enabled": False}
    assert send_status_alerts(make_scorecard(), make_history(), disabled).skipped == "off"


def test_posts_slack_teams_and_generic_payloads(receiver: Receiver) -> None:
    report = send_status_alerts(make_scorecard(), make_history(), SETTINGS, environ=_env(receiver))
    assert report.posted == ["slack", "teams", "webhook"]
    assert report.failed == []
    by_path = {p["path"].split("/")[1]: p for p in receiver.posts}
    assert all(p["type"] == "application/json" for p in receiver.posts)

    slack = by_path["services"]["json"]
    assert (
        slack["text"] == "OKR status changes on 26 Nov 2026: 2 key results changed status since 25 Nov 2026."
    )
    assert slack["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "OKR status changes on 26 Nov 2026"},
    }
    lines = [b["text"]["text"] for b in slack["blocks"] if b["type"] == "section"]
    assert lines[1] == (
        "<https://intranet.example.com/okr/krs/GROWTH-Q4-1.2.html"
        "|Kasvata orgaanista liikennettä 125 000 istuntoon>: "
        "✔ On track → ▲ At risk\nSEO specialist · Score 0.30 where 0.43 is expected by now; at this "
        "pace it ends at 60,407 sessions against a target of 125,000 sessions (48.3% of the way)."
    )
    assert lines[2].startswith(
        "<https://intranet.example.com/okr/krs/SALES-Q4-2.3.html|Reach 420 sales-qualified leads>: "
        "✔ On track → ◐ Stale data\nHead of Sales · The newest data from HubSpot is from 20 Nov 2026"
    )
    assert lines[-1] == "<https://intranet.example.com/okr/|Open the scorecard>"

    teams = by_path["workflows"]["json"]
    assert teams["type"] == "message"
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    krs = [b for b in card["content"]["body"] if b["type"] == "Container"]
    assert [k["items"][0]["text"] for k in krs] == [
        "Kasvata orgaanista liikennettä 125 000 istuntoon",
        "Reach 420 sales-qualified leads",
    ]
    # Each KR names its owner, its transition and its reason, and links to its page.
    assert krs[1]["items"][1]["facts"] == [
        {"title": "Owner", "value": "Head of Sales"},
        {"title": "Status", "value": "✔ On track → ◐ Stale data"},
        {
            "title": "Why",
            "value": "The newest data from HubSpot is from 20 Nov 2026, more than 2 days before 26 Nov 2026.",
        },
    ]
    link = krs[1]["items"][2]["actions"][0]
    assert link == {
        "type": "Action.OpenUrl",
        "title": "Open the key result",
        "url": "https://intranet.example.com/okr/krs/SALES-Q4-2.3.html",
    }
    assert krs[1]["selectAction"]["url"] == link["url"]
    assert card["content"]["actions"][0]["url"] == "https://intranet.example.com/okr/"

    generic = by_path["hook"]["json"]
    assert generic["event"] == "okr.status_changed"
    assert (generic["as_of"], generic["previous_as_of"]) == ("2026-11-26", "2026-11-25")
    assert [
        (c["kr_id"], c["previous_status"], c["status"], c["status_label"]) for c in generic["changes"]
    ] == [
        ("GROWTH-Q4-1.2", "on_track", "at_risk", "At risk"),
        ("SALES-Q4-2.3", "on_track", "stale", "Stale data"),
    ]
    stale = generic["changes"][1]
    assert stale["reason_code"] == "stale_data"  # the scoring's code and parameters, as given
    assert stale["reason_params"] == REASONS["SALES-Q4-2.3"][1]
    assert (
        stale["reason"]
        == "The newest data from HubSpot is from 20 Nov 2026, more than 2 days before 26 Nov 2026."
    )


def test_alerts_in_finnish_and_slack_markup_escaped(receiver: Receiver) -> None:
    card = make_scorecard()
    card["key_results"][1]["title"] = "<!channel> & <script>"
    settings = {"slack_webhook_env": "OKR_SLACK_WEBHOOK_URL", "lang": "fi"}
    report = send_status_alerts(card, make_history(), settings, environ=_env(receiver))
    assert report.posted == ["slack"]
    slack = receiver.posts[0]["json"]
    assert (
        slack["text"] == "OKR-tilamuutokset 26.11.2026: 2 avaintuloksen tila on muuttunut 25.11.2026 jälkeen."
    )
    assert slack["blocks"][2]["text"]["text"].startswith(
        "*&lt;!channel&gt; &amp; &lt;script&gt;*: ✔ Aikataulussa → ▲ Vaarassa"
    )


def test_failed_post_is_logged_without_the_url_and_does_not_raise(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.statuses = [403]  # Slack answers a revoked webhook with 403 invalid_token: not retried
    env = _env(receiver)
    with caplog.at_level(logging.WARNING):
        report = send_status_alerts(
            make_scorecard(), make_history(), SETTINGS, environ=env, client_options=FAST
        )
    assert report.failed == ["slack"]
    assert report.posted == ["teams", "webhook"]  # one broken webhook does not stop the others
    assert "alerts: posting to slack (URL from OKR_SLACK_WEBHOOK_URL) failed" in caplog.text
    assert "HTTP 403" in caplog.text
    for url in env.values():
        assert url not in caplog.text
    assert "slack-secret-token" not in caplog.text


def test_transient_failure_is_retried_then_posted(receiver: Receiver) -> None:
    receiver.statuses = [503, 200]
    settings = {"webhook_env": "OKR_ALERT_WEBHOOK_URL"}
    report = send_status_alerts(
        make_scorecard(), make_history(), settings, environ=_env(receiver), client_options=FAST
    )
    assert report.posted == ["webhook"]
    assert len(receiver.posts) == 2


def test_unreachable_webhook_and_missing_env_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    env = {"OKR_ALERT_WEBHOOK_URL": "http://127.0.0.1:9/hook/very-secret-path"}  # discard port: refused
    settings = {"webhook_env": "OKR_ALERT_WEBHOOK_URL", "slack_webhook_env": "OKR_SLACK_UNSET"}
    with caplog.at_level(logging.WARNING):
        report = send_status_alerts(
            make_scorecard(),
            make_history(),
            settings,
            environ=env,
            client_options={**FAST, "max_attempts": 2},
        )
    assert sorted(report.failed) == ["slack", "webhook"]
    assert "the environment variable OKR_SLACK_UNSET is not set" in caplog.text
    assert "very-secret-path" not in caplog.text


def test_settings_are_validated_by_key() -> None:
    with pytest.raises(AlertSettingsError) as err:
        AlertSettings.from_dict(
            {
                "slack_webhook_env": "https://hooks.slack.com/services/x",
                "scorecard_url": "ftp://x",
                "colour": 1,
            }
        )
    message = str(err.value)
    assert "settings.yml: alerts.colour: unknown key" in message
    assert "settings.yml: alerts.slack_webhook_env: must name an environment variable" in message
    assert "settings.yml: alerts.scorecard_url: must be an http(s) address" in message
    # A URL pasted into settings.yml by mistake is not echoed back (it is a secret).
    assert "hooks.slack.com" not in message
