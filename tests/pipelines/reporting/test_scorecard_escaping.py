"""Everything taken from definitions or data shows as text: no markup from titles reaches a page."""

from __future__ import annotations

import html
import re
from pathlib import Path

from reporting_fixture import make_history, make_metrics, make_scorecard

from pipelines.reporting.publish import publish_scorecard

HOSTILE = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'


def test_hostile_titles_owners_campaigns_and_units_are_escaped_everywhere(tmp_path: Path) -> None:
    card = make_scorecard()
    kr = card["key_results"][0]
    kr["title"] = HOSTILE
    kr["owner"] = IMG
    kr["unit"] = "<b>leads</b>"
    kr["status_reason"] = HOSTILE
    kr["filter"] = {"lead_source": [HOSTILE]}
    kr["initiatives"][0]["campaigns"] = [HOSTILE]
    kr["initiatives"][0]["title"] = IMG
    kr["definition_changes"][0]["reason"] = HOSTILE
    kr["checks"][0]["name"] = HOSTILE
    card["objectives"][1]["title"] = HOSTILE
    card["objectives"][1]["team"] = "<i>growth</i>"
    card["data_health"] = {"note": HOSTILE}
    metrics = make_metrics()
    metrics["leads"]["description"] = HOSTILE
    metrics["leads"]["sql"] = f"select '{HOSTILE}'"
    out = tmp_path / "s"
    publish_scorecard(card, make_history(), metrics, out)

    pages = list(out.rglob("*.html"))
    assert len(pages) > 15
    for page in pages:
        text = page.read_text(encoding="utf-8")
        # Our own scripts only: the chart specs (JSON with <, > and & escaped) and assets/*.js.
        for spec in re.findall(r'<script type="application/json" id="chart-\w+">(.*?)</script>', text, re.S):
            assert "<" not in spec and ">" not in spec, page
        own = re.sub(r'<script type="application/json" id="chart-\w+">.*?</script>', "", text, flags=re.S)
        own = re.sub(r'<script src="(?:\.\./)*assets/[\w.-]+\.js"></script>', "", own)
        assert "<script" not in own, page
        assert "<img" not in text, page
        assert "<b>leads" not in text and "<i>growth" not in text, page
    kr_page = (out / "krs" / "GROWTH-Q4-1.1.html").read_text(encoding="utf-8")
    assert html.escape(HOSTILE, quote=False) in kr_page.replace("&#39;", "'")  # shown as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; · OKR scorecard</title>" in kr_page
    # The team name is also a file name: it is made safe, and the link to it still works.
    team_pages = sorted(p.name for p in (out / "teams").iterdir())
    assert "i_growth_i.html" in team_pages
    md = (out / "scorecard.md").read_text(encoding="utf-8")
    assert "<script>" not in md and "\\<script\\>alert\\(1\\)\\</script\\>" in md


def test_ids_that_are_not_file_names_get_safe_unique_pages(tmp_path: Path) -> None:
    card = make_scorecard()
    for old, new in (("GROWTH-Q4-1.1", "../../etc/passwd"), ("GROWTH-Q4-1.2", "..\\..\\etc\\passwd")):
        card["key_results"] = [dict(k, id=new) if k["id"] == old else k for k in card["key_results"]]
        for o in card["objectives"]:
            o["key_results"] = [new if k == old else k for k in o["key_results"]]
    publish_scorecard(card, [], make_metrics(), tmp_path / "s")
    written = sorted(p.name for p in (tmp_path / "s" / "krs").iterdir())
    assert "etc_passwd.html" in written
    assert any(name.startswith("etc_passwd-") for name in written)  # the second one, disambiguated
    assert not (tmp_path / "etc").exists()
