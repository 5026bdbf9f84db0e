"""Check-ins v2 (`okrs/checkins.csv`): any KR, confidence, notes, authors, overrides, Finnish formats."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from pipelines.okr_definitions import DefinitionErrors, load_definitions

OKRS = """\
cycle: 2026-Q4
objectives:
  - id: A
    title: A
    key_results:
      - {id: LAUNCH, title: Launch, metric: checkins, target: 1}
      - {id: LEADS, title: Leads, metric: leads, target: 650}
"""


def workspace(tmp_path: Path, csv_text: str, okrs: str = OKRS) -> Path:
    folder = tmp_path / "okrs"
    folder.mkdir(exist_ok=True)
    (folder / "q.yml").write_text(textwrap.dedent(okrs), encoding="utf-8")
    (folder / "checkins.csv").write_bytes(
        textwrap.dedent(csv_text).encode() if isinstance(csv_text, str) else csv_text
    )
    return folder


def errors_of(folder: Path) -> list[str]:
    with pytest.raises(DefinitionErrors) as info:
        load_definitions(folder)
    return [str(e) for e in info.value.errors]


def test_all_columns_on_any_kr(tmp_path: Path) -> None:
    folder = workspace(
        tmp_path,
        """\
        kr_id,date,value,confidence,note,author,override
        LAUNCH,2026-10-15,1,high,"done, finally",Aino,
        LEADS,2026-11-02,,7,Webinar moved to December,Mikko,false
        LEADS,2026-11-03,310,,CRM import broke; counted by hand,Mikko,true
        """,
    )
    launch, note_only, override = load_definitions(folder).checkins
    assert (launch.kr_id, launch.checkin_date, launch.value) == ("LAUNCH", dt.date(2026, 10, 15), 1.0)
    assert (launch.confidence_score, launch.confidence_level, launch.note) == (None, "high", "done, finally")
    assert (launch.author, launch.is_override, launch.line) == ("Aino", False, 2)
    assert note_only.value is None and note_only.confidence_score == 7
    assert note_only.confidence_level == "medium" and note_only.is_override is False
    assert (override.value, override.is_override, override.line) == (310.0, True, 4)


def test_finnish_file_semicolons_dates_and_decimal_comma(tmp_path: Path) -> None:
    folder = workspace(
        tmp_path,
        "\ufeffKR_ID;Date;Value;Confidence;Note;Author\n"
        "LAUNCH;16.11.2026;0,5;2;Puolivälissä;Aino\n"
        "LEADS;1.12.2026;;HIGH;Hyvä kuukausi;\n",
    )
    half, leads = load_definitions(folder).checkins
    assert (half.checkin_date, half.value, half.note) == (dt.date(2026, 11, 16), 0.5, "Puolivälissä")
    assert (half.confidence_score, half.confidence_level) == (2, "low")
    assert (leads.checkin_date, leads.confidence_level, leads.author) == (dt.date(2026, 12, 1), "high", None)


def test_tab_separated_with_a_quoted_delimiter_in_the_header_line(tmp_path: Path) -> None:
    # The delimiter is detected as the export loader detects it (most frequent outside quotes).
    folder = workspace(tmp_path, "kr_id\tdate\tvalue\tnote\nLAUNCH\t2026-10-15\t1,25\tdone; finally, ok\n")
    (checkin,) = load_definitions(folder).checkins
    assert (checkin.value, checkin.note) == (1.25, "done; finally, ok")


def test_the_old_four_column_file_still_reads(tmp_path: Path) -> None:
    folder = workspace(tmp_path, "kr_id,date,value,note\nLAUNCH,2026-10-15,1,done\n")
    (checkin,) = load_definitions(folder).checkins
    assert (checkin.value, checkin.note, checkin.confidence_level, checkin.is_override) == (
        1.0,
        "done",
        None,
        False,
    )


def test_every_bad_cell_is_named_with_line_and_column(tmp_path: Path) -> None:
    folder = workspace(
        tmp_path,
        """\
        kr_id,date,value,confidence,note,author,override
        LAUNCH,31.11.2026,1,,,,
        LAUNCH,2026-10-16,x,,,,
        LAUNCH,2026-10-17,nan,,,,
        LEADS,2026-10-18,,11,,,
        LEADS,2026-10-19,,3.5,,,
        LEADS,2026-10-20,,,note,,maybe
        LEEDS,2026-10-21,,,note,,
        LAUNCH,2026-10-22,,low,,,
        LEADS,2026-10-23,400,,,,true
        LEADS,2026-10-24,,,why,,true
        LAUNCH,2026-10-25,1,,why,,true
        LEADS,2026-10-26,,,,Mikko,
        ,2026-10-27,,,note,,
        LEADS,,,,note,,
        LAUNCH,2026-10-28,1,,,,
        LAUNCH,2026-10-28,0,,,,
        LEADS,2026-10-29,1,,note
        """,
    )
    assert errors_of(folder) == [
        "okrs/checkins.csv:2: date: '31.11.2026' is not a date like 2026-11-16 or 16.11.2026",
        "okrs/checkins.csv:3: value: 'x' is not a number",
        "okrs/checkins.csv:4: value: 'nan' is not a number",
        "okrs/checkins.csv:5: confidence: must be a whole number 1-10 or low, medium or high, not '11'",
        "okrs/checkins.csv:6: confidence: must be a whole number 1-10 or low, medium or high, not '3.5'",
        "okrs/checkins.csv:7: override: must be true or false (or empty), not 'maybe'",
        "okrs/checkins.csv:8: kr_id: unknown key result 'LEEDS' (did you mean 'LEADS'?)",
        "okrs/checkins.csv:9: value: is required: LAUNCH uses metric checkins, so its value is the actual",
        "okrs/checkins.csv:10: note: is required when override is true: say why the data is overridden",
        "okrs/checkins.csv:11: value: is required when override is true: "
        "it replaces the data from this day on",
        "okrs/checkins.csv:12: override: applies to KRs fed by data; LAUNCH uses metric checkins, "
        "whose value is the actual already",
        "okrs/checkins.csv:13: the check-in says nothing: give a value, a confidence or a note",
        "okrs/checkins.csv:14: kr_id: is empty; name the key result the check-in is for",
        "okrs/checkins.csv:15: date: is required (like 2026-11-16 or 16.11.2026)",
        "okrs/checkins.csv:17: value: LAUNCH already has a value for 2026-10-28 (line 16); keep one",
        "okrs/checkins.csv:18: has 5 fields but the header has 7 (a ',' inside a note needs the note in "
        "double quotes)",
    ]


def test_header_problems_are_named_by_column(tmp_path: Path) -> None:
    folder = workspace(tmp_path, "kr_id;päivä;value;comment;value\nLAUNCH;2026-10-15;1;x;1\n")
    assert errors_of(folder) == [
        "okrs/checkins.csv:1: missing column(s) date; the header needs kr_id and date, then any of "
        "kr_id, date, value, confidence, note, author, override",
        "okrs/checkins.csv:1: comment: is not a known column (column 4); columns are kr_id, date, value, "
        "confidence, note, author, override",
        "okrs/checkins.csv:1: päivä: is not a known column (column 2); columns are kr_id, date, value, "
        "confidence, note, author, override",
        "okrs/checkins.csv:1: value: appears twice in the header (column 5)",
    ]


def test_a_file_that_is_not_utf8_names_line_and_column(tmp_path: Path) -> None:
    folder = workspace(tmp_path, "kr_id;date;note\nLAUNCH;16.11.2026;Puoliv\xe4liss\xe4\n".encode("cp1252"))
    assert errors_of(folder) == [
        "okrs/checkins.csv:2:25: is not UTF-8 text (byte 0xe4 here); save the file as UTF-8 "
        "(in Excel: Save as, CSV UTF-8)"
    ]


def test_no_follow_on_errors_when_a_definitions_file_cannot_be_read(tmp_path: Path) -> None:
    # LEADS2 is in a file that cannot be parsed: its check-ins are not "unknown key results".
    folder = workspace(tmp_path, "kr_id,date,value\nLEADS2,2026-10-15,1\nLAUNCH,2026-10-15,x\n")
    (folder / "broken.yml").write_text("cycle: 2026-Q4\nobjectives: [\n", encoding="utf-8")
    errors = errors_of(folder)
    assert len(errors) == 2
    assert errors[0] == "okrs/broken.yml:3:1: is not valid YAML: did not find expected node content"
    assert errors[1] == "okrs/checkins.csv:3: value: 'x' is not a number"


def test_a_kr_with_its_own_errors_is_not_unknown_to_checkins(tmp_path: Path) -> None:
    okrs = OKRS + "      - {id: BROKEN, title: Broken, metric: leads, target: .nan}\n"
    folder = workspace(tmp_path, "kr_id,date,value,note\nBROKEN,2026-10-15,,hello\n", okrs)
    assert errors_of(folder) == [
        "okrs/q.yml:8: objectives[0].key_results[2].target: must be a finite number, not nan"
    ]
