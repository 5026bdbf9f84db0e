"""The exports beside the site: scorecard.json, scorecard.csv, scorecard.md."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from reporting_fixture import make_metrics, make_scorecard

from pipelines.reporting.exports import CSV_COLUMNS
from pipelines.reporting.publish import PublishResult, publish_scorecard


def test_json_is_the_scorecard_as_given_with_later_keys_kept(tmp_path: Path) -> None:
    card = make_scorecard()
    card["data_health"] = {"checks_failed": {"ERROR": 0, "WARN": 1}}
    card["key_results"][3]["some_future_key"] = {"nested": [1, 2]}
    publish_scorecard(card, [], make_metrics(), tmp_path / "s")
    assert json.loads((tmp_path / "s" / "scorecard.json").read_text(encoding="utf-8")) == card


def test_csv_has_one_row_per_kr_with_plain_values(published_en: PublishResult) -> None:
    raw = (published_en.out_dir / "scorecard.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads UTF-8 (ä, ö) correctly
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == CSV_COLUMNS
    card = make_scorecard()
    assert [r["kr_id"] for r in rows] == [k["id"] for k in card["key_results"]]
    by_id = {r["kr_id"]: r for r in rows}
    cpl = by_id["GROWTH-Q4-1.3"]
    assert cpl["cycle"] == "2026-Q4"
    assert cpl["objective_title"] == "Make inbound our main growth engine"
    assert (cpl["baseline"], cpl["target"], cpl["actual"], cpl["unit"]) == ("95", "75", "88.5", "EUR")
    assert (cpl["status"], cpl["score"], cpl["forecast_projected_actual"]) == ("off_track", "0.325", "")
    stale = by_id["SALES-Q4-2.3"]
    assert stale["data_through"] == "2026-11-20"
    assert stale["status_reason"].startswith("Newest data is from 2026-11-20")
    assert by_id["GROWTH-Q4-1.2"]["title"] == "Kasvata orgaanista liikennettä 125 000 istuntoon"
    assert by_id["SALES-Q4-2.2"]["actual"] == ""  # null stays empty, not "None"


def test_csv_cells_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    card = make_scorecard()
    card["key_results"][0]["title"] = '=HYPERLINK("http://evil.example","click")'
    card["key_results"][0]["owner"] = "@boss"
    publish_scorecard(card, [], make_metrics(), tmp_path / "s")
    text = (tmp_path / "s" / "scorecard.csv").read_text(encoding="utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["kr_id"] == "GROWTH-Q4-1.1")
    assert row["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["owner"] == "'@boss"


def test_markdown_lists_current_objectives_with_their_krs(published_en: PublishResult) -> None:
    md = (published_en.out_dir / "scorecard.md").read_text(encoding="utf-8")
    lines = md.splitlines()
    assert lines[0] == "# OKR scorecard 26 Nov 2026"
    assert "**Cycle:** 2026-Q4 (1 Oct 2026 – 31 Dec 2026)  " in lines
    assert (
        "## Grow recurring revenue profitably across the Nordics (COMPANY-Q4): Score 0.55, "
        "expected by now 0.62, ✔ On track"
    ) in lines
    assert (
        "### Make inbound our main growth engine (GROWTH-Q4-O1): Score 0.42, expected by now 0.56, ▲ At risk"
        in lines
    )
    assert (
        "| Cut paid cost per lead from 95 EUR to 75 EUR (GROWTH-Q4-1.3) | Paid media manager | €88.50 "
        "| €75.00 | 0.32 | 0.62 | ✖ Off track | Score 0.32 where 0.62 is expected by now. |"
    ) in lines
    assert "Q3" not in md.replace("Q4", "")  # past cycle not in the current report


def test_markdown_in_finnish_uses_finnish_labels_and_numbers(published_fi: PublishResult) -> None:
    md = (published_fi.out_dir / "scorecard.md").read_text(encoding="utf-8")
    assert md.startswith("# OKR-tuloskortti 26.11.2026\n")
    assert "| Voita 450 000 EUR" not in md  # titles are shown as written, not translated
    line = next(x for x in md.splitlines() if x.startswith("| Win 450 000 EUR of new recurring revenue"))
    # Money from 1,000 up without cents, Finnish separators, the reason in Finnish.
    assert "| 301\xa0234\xa0€ | 450\xa0000\xa0€ | 0,67 | 0,62 | ✔ Aikataulussa |" in line
