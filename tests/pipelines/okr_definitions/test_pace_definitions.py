"""The `pace` key (docs/scoring.md, "Pace"): per KR or per file, and monthly shares checked against
the KR's period at load time, each error with file, line and key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pipelines.okr_definitions import DefinitionErrors, load_definitions

FILE = """\
cycle: 2026-Q4
{file_pace}objectives:
  - id: O
    title: Pace
    owner: Ann
    key_results:
      - id: DEFAULT
        title: Takes the file's pace
        metric: leads
        target: 100
      - id: OWN
        title: Its own shares
        metric: leads
        target: 100
        pace: {own}
      - id: LINEAR
        title: Linear whatever the file says
        metric: leads
        target: 100
        pace: linear
      - id: THRESHOLD
        title: A threshold type ignores the file's shares
        metric: cost_per_lead
        measure: ratio
        type: stay_below
        target: 80
"""
GOOD = "{2026-10: 0.25, 2026-11: 0.45, 2026-12: 0.30}"


def load(tmp_path: Path, own: str = GOOD, file_pace: str = "") -> list:
    okrs = tmp_path / "okrs"
    okrs.mkdir(parents=True, exist_ok=True)
    text = FILE.format(own=own, file_pace=file_pace)
    (okrs / "2026-Q4.yml").write_text(textwrap.dedent(text), encoding="utf-8")
    return load_definitions(okrs).key_results


def errors(tmp_path: Path, **kwargs: str) -> list[str]:
    with pytest.raises(DefinitionErrors) as info:
        load(tmp_path, **kwargs)
    return [str(e) for e in info.value.errors]


def test_default_is_linear_and_a_kr_overrides_the_file(tmp_path: Path) -> None:
    krs = {k.kr_id: k for k in load(tmp_path, file_pace="pace: seasonal\n")}
    assert krs["DEFAULT"].pace == "seasonal"
    assert krs["LINEAR"].pace == "linear"
    assert krs["OWN"].pace == "monthly"
    assert krs["OWN"].pace_shares == (("2026-10", 0.25), ("2026-11", 0.45), ("2026-12", 0.30))
    assert {k.kr_id: k.pace for k in load(tmp_path / "plain")}["DEFAULT"] == "linear"


def test_file_shares_apply_to_its_progress_krs_only(tmp_path: Path) -> None:
    krs = {k.kr_id: k for k in load(tmp_path, file_pace=f"pace: {GOOD}\n")}
    assert krs["DEFAULT"].pace == "monthly" and krs["DEFAULT"].pace_shares == krs["OWN"].pace_shares
    assert krs["THRESHOLD"].pace == "linear"


@pytest.mark.parametrize(
    ("own", "message"),
    [
        (
            "{2026-10: 0.5, 2026-11: 0.5}",
            "okrs/2026-Q4.yml:15: objectives[0].key_results[1].pace: monthly shares must cover exactly the "
            "months of the period 2026-10-01 to 2026-12-31 (2026-10, 2026-11, 2026-12): "
            "has no share for 2026-12",
        ),
        (
            "{2026-10: 0.25, 2026-11: 0.45, 2026-12: 0.2, 2027-01: 0.1}",
            "okrs/2026-Q4.yml:15: objectives[0].key_results[1].pace: monthly shares must cover exactly the "
            "months of the period 2026-10-01 to 2026-12-31 (2026-10, 2026-11, 2026-12): 2027-01 is outside "
            "the period",
        ),
        (
            "{2026-10: 0.25, 2026-11: 0.45, 2026-12: 0.31}",
            "okrs/2026-Q4.yml:15: objectives[0].key_results[1].pace: "
            "monthly shares must add up to 1, not 1.01",
        ),
        (
            "{2026-10: 1.25, 2026-11: 0.45, 2026-12: 0.30}",
            "okrs/2026-Q4.yml:15: objectives[0].key_results[1].pace.2026-10: must be at most 1, not 1.25",
        ),
        (
            "{2026-10: '0.25', 2026-11: 0.45, 2026-12: 0.30}",
            "okrs/2026-Q4.yml:15: objectives[0].key_results[1].pace.2026-10: must be a number, not '0.25' "
            "(remove the quotes)",
        ),
        (
            "{2026-10: 0.25, 2026-13: 0.45, 2026-12: 0.30}",
            "okrs/2026-Q4.yml:15: objectives[0].key_results[1].pace.2026-13: must be a month like 2026-10, "
            "not '2026-13'",
        ),
        (
            "weekly",
            "okrs/2026-Q4.yml:15: objectives[0].key_results[1].pace: must be 'linear', 'seasonal' or monthly "
            "shares like {2026-10: 0.25, ...}, not 'weekly'",
        ),
    ],
)
def test_bad_pace_is_an_error_with_file_line_and_key(tmp_path: Path, own: str, message: str) -> None:
    assert errors(tmp_path, own=own) == [message]


def test_sum_within_1e_9_is_accepted(tmp_path: Path) -> None:
    krs = {k.kr_id: k for k in load(tmp_path, own="{2026-10: 0.1, 2026-11: 0.2, 2026-12: 0.7000000005}")}
    assert krs["OWN"].pace == "monthly"
    assert errors(tmp_path / "far", own="{2026-10: 0.1, 2026-11: 0.2, 2026-12: 0.700000002}") == [
        "okrs/2026-Q4.yml:15: objectives[0].key_results[1].pace: "
        "monthly shares must add up to 1, not 1.000000002"
    ]


def test_file_shares_that_do_not_fit_a_kr_name_the_kr(tmp_path: Path) -> None:
    assert errors(tmp_path, file_pace="pace: {2026-10: 0.5, 2026-11: 0.5}\n") == [
        "okrs/2026-Q4.yml:2: pace: monthly shares must cover exactly the months of the period 2026-10-01 to "
        "2026-12-31 (2026-10, 2026-11, 2026-12): has no share for 2026-12 (the file's pace, used by key "
        "result 'DEFAULT')"
    ]
