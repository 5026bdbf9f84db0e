"""`okr digest` end to end on the demo: on a copy of the shared demo night (a real scoring run),
the digest for the demo's as-of date printed, e-mailed to a local SMTP server and posted to a local
webhook listener, once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from smtp_server import PASSWORD, USER, Inbox
from webhook_receiver import Receiver

from pipelines.settings import REPO_ROOT
from tests.conftest import DEMO_NIGHT, DemoNight

AS_OF = DEMO_NIGHT


def _okr(ws: Path, env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKR_")}
    env.update(OKR_WORKSPACE=str(ws), **env_extra)
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        env=env, capture_output=True, text=True, timeout=900, cwd=REPO_ROOT, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_okr_digest_on_the_demo(
    demo_night: DemoNight,
    tmp_path: Path,
    receiver: Receiver,
    smtp_server: tuple[Inbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, port = smtp_server
    ws = demo_night.copy_to(tmp_path / "ws")

    settings = yaml.safe_load((ws / "settings.yml").read_text(encoding="utf-8"))
    settings["alerts"] = {"webhook_env": "OKR_ALERT_WEBHOOK_URL", "scorecard_url": "https://okr.example.com/"}
    settings["smtp"] = {"host": "127.0.0.1", "port": port, "security": "none", "username": USER,
                        "password_env": "OKR_SMTP_PASSWORD", "from": "OKR <okr-bot@example.com>",
                        "to": ["leads@example.com"], "timeout": 10}  # fmt: skip
    (ws / "settings.yml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    env = {"OKR_ALERT_WEBHOOK_URL": receiver.url("/hook/secret"), "OKR_SMTP_PASSWORD": PASSWORD}

    dry = _okr(ws, env, "digest", "--as-of", AS_OF, "--dry-run")
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert "Weekly OKR digest: Demand generation, 26 Nov 2026" in dry.stdout
    assert "Needs attention" in dry.stdout and "dry run: nothing was sent." in dry.stdout
    assert receiver.posts == [] and inbox.messages == []

    sent = _okr(ws, env, "digest", "--as-of", AS_OF)
    assert sent.returncode == 0, sent.stderr[-3000:]
    teams = {p["json"]["team"] for p in receiver.posts}
    assert {"growth", "demand-gen", "sales"} <= teams
    assert len(inbox.messages) == len(teams) == len(receiver.posts)
    subjects = sorted(m["Subject"] for _, m in inbox.messages)
    assert "Weekly OKR digest: Growth, 26 Nov 2026" in subjects
    assert all(m.get_body(("html",)) is not None and m.get_body(("plain",)) for _, m in inbox.messages)
    assert PASSWORD not in sent.stdout + sent.stderr

    again = _okr(ws, env, "digest", "--as-of", AS_OF)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "sent: nothing; already sent this week:" in again.stdout
    assert len(receiver.posts) == len(teams) and len(inbox.messages) == len(teams)

    # The Dagster job the Monday schedule starts: same week, same ledger, so it sends nothing new.
    import dagster as dg

    from pipelines.reporting.digest_job import weekly_digest
    from pipelines.resources import WarehouseResource, WorkspaceResource

    for key, value in {**env, "OKR_WORKSPACE": str(ws)}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("OKR_WAREHOUSE_PATH", raising=False)
    result = weekly_digest.execute_in_process(
        resources={"workspace": WorkspaceResource(), "warehouse": WarehouseResource()},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    meta = next(e.step_output_data.metadata for e in result.all_events if e.event_type_value == "STEP_OUTPUT")
    assert meta["teams"].value == len(teams) and meta["already_sent"].value == 2 * len(teams)
    assert meta["sent"].value == 0 and meta["failed"].value == 0
    assert len(receiver.posts) == len(teams) and len(inbox.messages) == len(teams)
