"""Alerts are idempotent through the warehouse's ledger (a real DuckDB file), a backfill posts
nothing, and the Slack and Teams payloads keep within the receivers' limits whatever the input
(a 5,000-character title, hostile strings in every field), posted to a real local listener."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from reporting_fixture import make_history, make_scorecard
from test_scorecard_alerts import SETTINGS, _env
from webhook_receiver import Receiver

from connectors.warehouse import DuckDBWarehouse
from pipelines.reporting.alerts import detect_status_changes, send_status_alerts, slack_payload
from pipelines.reporting.channels import SLACK_HEADER_MAX, SLACK_MAX_BLOCKS, SLACK_SECTION_MAX, cut
from pipelines.reporting.ledger import LEDGER_TABLE, Ledger

HOSTILE = '<!channel> & <script>alert("x")</script> *bold* _it_ ~s~ `code` | [x](javascript:1) @here\u202e'


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(DuckDBWarehouse(tmp_path / "warehouse.duckdb"))


def _changes_per_channel(receiver: Receiver) -> dict[str, int]:
    counts = {}
    for post in receiver.posts:
        body = post["json"]
        name = post["path"].split("/")[1]
        if name == "hook":
            counts[name] = counts.get(name, 0) + len(body["changes"])
        elif name == "workflows":
            items = body["attachments"][0]["content"]["body"]
            counts[name] = counts.get(name, 0) + sum(1 for b in items if b["type"] == "Container")
        else:
            counts[name] = counts.get(name, 0) + sum(
                1 for b in body["blocks"][2:] if "→" in json.dumps(b, ensure_ascii=False)
            )
    return counts


def test_rerunning_a_day_never_posts_the_same_change_twice(receiver: Receiver, ledger: Ledger) -> None:
    first = send_status_alerts(
        make_scorecard(), make_history(), SETTINGS, environ=_env(receiver), ledger=ledger
    )
    assert first.posted == ["slack", "teams", "webhook"]
    assert _changes_per_channel(receiver) == {"services": 2, "workflows": 2, "hook": 2}
    again = send_status_alerts(
        make_scorecard(), make_history(), SETTINGS, environ=_env(receiver), ledger=ledger
    )
    assert again.posted == []
    assert again.already_posted == ["slack", "teams", "webhook"]
    assert again.skipped == "already posted"
    assert len(receiver.posts) == 3  # nothing new reached the listener
    rows = ledger.warehouse.query(f"SELECT kind, channel, item, as_of FROM raw.{LEDGER_TABLE} ORDER BY 2, 3")
    assert len(rows) == 6
    assert rows.iloc[0]["item"] == "GROWTH-Q4-1.2:on_track>at_risk@2026-11-26"


def test_a_channel_that_failed_gets_its_changes_on_the_rerun(receiver: Receiver, ledger: Ledger) -> None:
    receiver.statuses = [403]  # Slack refuses the first post
    first = send_status_alerts(
        make_scorecard(), make_history(), SETTINGS, environ=_env(receiver), ledger=ledger,
        client_options={"backoff_base_s": 0.01, "backoff_max_s": 0.05},
    )  # fmt: skip
    assert (first.posted, first.failed) == (["teams", "webhook"], ["slack"])
    second = send_status_alerts(
        make_scorecard(), make_history(), SETTINGS, environ=_env(receiver), ledger=ledger
    )
    assert (second.posted, second.already_posted) == (["slack"], ["teams", "webhook"])


def test_only_new_changes_are_posted_when_a_day_gains_one(receiver: Receiver, ledger: Ledger) -> None:
    settings = {"webhook_env": "OKR_ALERT_WEBHOOK_URL"}
    history = make_history()
    for h in history:  # the first run sees only the growth KR's change
        if h["kr_id"] == "SALES-Q4-2.3" and h["as_of"] == "2026-11-26":
            h["status"] = "on_track"
    send_status_alerts(make_scorecard(), history, settings, environ=_env(receiver), ledger=ledger)
    send_status_alerts(make_scorecard(), make_history(), settings, environ=_env(receiver), ledger=ledger)
    assert [[c["kr_id"] for c in p["json"]["changes"]] for p in receiver.posts] == [
        ["GROWTH-Q4-1.2"],
        ["SALES-Q4-2.3"],
    ]


def test_a_backfill_posts_nothing(receiver: Receiver, ledger: Ledger) -> None:
    report = send_status_alerts(
        make_scorecard(), make_history(), SETTINGS, environ=_env(receiver), ledger=ledger, backfill=True
    )
    assert report.skipped == "backfill"
    assert receiver.posts == []
    assert ledger.posted("status_change", "slack", ["GROWTH-Q4-1.2:on_track>at_risk@2026-11-26"]) == set()


def test_a_broken_ledger_does_not_stop_alerts(receiver: Receiver, tmp_path: Path) -> None:
    (tmp_path / "not-a-db.duckdb").write_text("this is not a DuckDB file")
    broken = Ledger(DuckDBWarehouse(tmp_path / "not-a-db.duckdb"))
    report = send_status_alerts(
        make_scorecard(), make_history(), {"webhook_env": "OKR_ALERT_WEBHOOK_URL"},
        environ=_env(receiver), ledger=broken,
    )  # fmt: skip
    assert report.posted == ["webhook"]


def _hostile_card(n_changes: int) -> tuple[dict, list[dict]]:
    card, history = make_scorecard(), make_history()
    template = next(k for k in card["key_results"] if k["id"] == "GROWTH-Q4-1.2")
    rows = [h for h in history if h["kr_id"] == "GROWTH-Q4-1.2"]
    for i in range(n_changes):
        kr = copy.deepcopy(template)
        kr.update(id=f"HOSTILE-{i}", title="W" * 5000 + HOSTILE, owner=HOSTILE * 40, unit=HOSTILE)
        kr["status_reason"] = HOSTILE * 100
        card["key_results"].append(kr)
        history += [{**h, "kr_id": kr["id"]} for h in rows]
    card["key_results"][0]["title"] = "&" * 5000  # escaping makes it five times longer
    return card, history


def test_slack_payload_stays_within_slack_limits_with_hostile_input(receiver: Receiver) -> None:
    card, history = _hostile_card(60)
    settings = {"slack_webhook_env": "OKR_SLACK_WEBHOOK_URL", "max_items": 45,
                "scorecard_url": "https://intranet.example.com/okr/"}  # fmt: skip
    report = send_status_alerts(card, history, settings, environ=_env(receiver))
    assert report.posted == ["slack"]
    payload = receiver.posts[0]["json"]
    blocks = payload["blocks"]
    assert len(blocks) <= SLACK_MAX_BLOCKS
    assert len(payload["text"]) <= SLACK_SECTION_MAX
    assert len(blocks[0]["text"]["text"]) <= SLACK_HEADER_MAX
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    texts += [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert all(len(t) <= SLACK_SECTION_MAX for t in texts)
    hostile = [t for t in texts if "WWWW" in t]
    assert len(hostile) == 45 - 2  # the fixture's own two changes come first
    for text in hostile:
        assert "…" in text  # the 5,000-character title is cut with an ellipsis
        assert "<script>" not in text and "<!channel>" not in text
        assert text.count("<") == 1 and text.count(">") == 1  # only the link's own brackets
    assert "…and 17 more." in json.dumps(blocks, ensure_ascii=False)


def test_slack_cuts_escaped_text_without_going_over() -> None:
    card = make_scorecard()
    card["key_results"][1]["title"] = "<>&" * 3000
    card["key_results"][1]["owner"] = "&" * 3000
    found = detect_status_changes(card, make_history(), "https://intranet.example.com/okr/")
    for block in slack_payload(found, "fi", None)["blocks"]:
        text = block.get("text", {}).get("text", "")
        assert len(text) <= SLACK_SECTION_MAX
        assert not text.endswith("&am…")  # never an entity cut in half
    assert cut("a   b\n c", 10) == "a b c"
    assert cut("x" * 10, 5) == "xxxx…"


def test_teams_card_names_owner_and_links_each_kr_with_hostile_input(receiver: Receiver) -> None:
    card, history = _hostile_card(3)
    settings = {
        "teams_webhook_env": "OKR_TEAMS_WEBHOOK_URL",
        "scorecard_url": "https://intranet.example.com/okr/",
    }
    send_status_alerts(card, history, settings, environ=_env(receiver))
    body = receiver.posts[0]["json"]["attachments"][0]["content"]["body"]
    krs = [b for b in body if b["type"] == "Container"]
    assert len(krs) == 5
    for kr in krs:
        title = kr["items"][0]["text"]
        assert len(title) <= 200
        owner = kr["items"][1]["facts"][0]
        assert owner["title"] == "Owner" and owner["value"]
        assert kr["items"][2]["actions"][0]["url"].startswith("https://intranet.example.com/okr/krs/")
    assert len(json.dumps(receiver.posts[0]["json"])) < 28_000  # Teams refuses cards over ~28 KB
