"""Definition errors: every problem reported at once, with file, line, path and a plain sentence."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from pipelines.okr_definitions import DefinitionErrors, load_definitions
from pipelines.okr_definitions.loader import quarter_bounds

VALID = """\
cycle: 2026-Q4
objectives:
  - id: CO-1
    title: Company objective
    owner: CEO
  - id: MKT-O1
    title: Make inbound our main growth engine
    owner: Head of Growth
    team: growth
    parent: CO-1
    key_results:
      - id: MKT-1.1
        title: Generate 650 leads
        metric: leads
        filter: {lead_source: [inbound, event]}
        target: 650
        initiatives:
          - title: Webinars
            status: in_progress
            due: 2026-11-30
            campaigns: [webinar-q4]
      - id: MKT-1.2
        title: Keep cost per lead under 80 EUR
        metric: cost_per_lead
        measure: ratio
        type: stay_below
        target: 80
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    okrs = tmp_path / "okrs"
    okrs.mkdir(exist_ok=True)
    (okrs / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return okrs


def errors_of(okrs: Path) -> list[str]:
    with pytest.raises(DefinitionErrors) as info:
        load_definitions(okrs)
    return [str(e) for e in info.value.errors]


def test_valid_file_resolves_defaults(tmp_path: Path) -> None:
    defs = load_definitions(write(tmp_path, "2026-Q4.yml", VALID))
    kr = {k.kr_id: k for k in defs.key_results}
    assert kr["MKT-1.1"].start == dt.date(2026, 10, 1) and kr["MKT-1.1"].end == dt.date(2026, 12, 31)
    assert kr["MKT-1.1"].measure == "sum" and kr["MKT-1.1"].kr_type == "progress"
    assert kr["MKT-1.1"].baseline == 0 and kr["MKT-1.1"].commitment == "committed"
    assert kr["MKT-1.1"].filters == {"lead_source": ("inbound", "event")}
    assert kr["MKT-1.1"].owner == "Head of Growth" and kr["MKT-1.1"].stale_after_days == 2
    assert (kr["MKT-1.1"].at_risk, kr["MKT-1.1"].off_track) == (0.10, 0.25)
    assert kr["MKT-1.2"].baseline is None
    assert [o.objective_id for o in defs.objectives] == ["CO-1", "MKT-O1"]


@pytest.mark.parametrize(
    ("label", "bounds"),
    [
        ("2026-Q1", ("2026-01-01", "2026-03-31")),
        ("2026-Q4", ("2026-10-01", "2026-12-31")),
        ("2024-Q1", ("2024-01-01", "2024-03-31")),
        ("2026-Q3", ("2026-07-01", "2026-09-30")),
    ],
)
def test_quarter_labels(label: str, bounds: tuple[str, str]) -> None:
    assert quarter_bounds(label) == tuple(dt.date.fromisoformat(b) for b in bounds)
    assert quarter_bounds("H2-2026") is None


def test_every_error_is_reported_at_once_with_location(tmp_path: Path) -> None:
    okrs = write(
        tmp_path,
        "2026-Q4.yml",
        """\
        cycle: 2026-Q4
        objectives:
          - id: MKT-O1
            title: Grow
            parent: NOPE
            key_results:
              - id: MKT-1.1
                title: Leads
                metric: leads
                target: 650
                colour: blue
              - id: MKT-1.2
                title: No target
                metric: leads
              - id: MKT-1.3
                title: Same as baseline
                metric: leads
                baseline: 10
                target: 10
              - id: MKT-1.4
                title: Backwards
                metric: leads
                target: 5
                start: 2026-12-01
                end: 2026-11-01
              - id: MKT-1.5
                title: Unknown metric
                metric: leeds
                target: 5
              - id: MKT-1.6
                title: Bad filter
                metric: leads
                filter: {channel_group: Email}
                target: 5
              - id: MKT-1.7
                title: Ratio without parts
                metric: sessions
                measure: ratio
                target: 5
              - id: MKT-1.8
                title: Bad measure
                metric: leads
                measure: median
                target: 5
        """,
    )
    errors = errors_of(okrs)
    text = "\n".join(errors)
    assert "okrs/2026-Q4.yml:11: objectives[0].key_results[0].colour: is not a known key" in text
    assert "okrs/2026-Q4.yml:12: objectives[0].key_results[1].target: is required but missing" in text
    assert "okrs/2026-Q4.yml:19: objectives[0].key_results[2].target: target equals baseline (10)" in text
    assert (
        "okrs/2026-Q4.yml:25: objectives[0].key_results[3].end: end 2026-11-01 is before start 2026-12-01"
        in text
    )
    assert "okrs/2026-Q4.yml:28: objectives[0].key_results[4].metric: unknown metric 'leeds'" in text
    assert (
        "okrs/2026-Q4.yml:33: objectives[0].key_results[5].filter.channel_group: metric 'leads' has no "
        "column 'channel_group'"
    ) in text
    assert (
        "objectives[0].key_results[6].measure: measure ratio needs a metric with numerator and denominator"
        in text
    )
    assert (
        "objectives[0].key_results[7].measure: must be one of 'sum', 'avg', 'last', 'min', 'max' or 'ratio'"
        in text
    )
    assert "okrs/2026-Q4.yml:5: objectives[0].parent: parent 'NOPE' is not the id of any objective" in text
    assert len(errors) == 9


def test_duplicate_ids_across_files_and_parent_loop(tmp_path: Path) -> None:
    write(
        tmp_path,
        "2026-Q3.yml",
        """\
        cycle: 2026-Q3
        objectives:
          - id: A
            title: A
            parent: B
            key_results:
              - {id: KR-1, title: x, metric: leads, target: 5}
          - id: B
            title: B
            parent: A
            key_results:
              - {id: KR-2, title: x, metric: leads, target: 5}
        """,
    )
    okrs = write(
        tmp_path,
        "2026-Q4.yml",
        """\
        cycle: 2026-Q4
        objectives:
          - id: A
            title: A again
            key_results:
              - {id: KR-1, title: x, metric: leads, target: 5}
        """,
    )
    text = "\n".join(errors_of(okrs))
    assert (
        "okrs/2026-Q4.yml:3: objectives[0].id: objective id 'A' is already used in okrs/2026-Q3.yml" in text
    )
    assert (
        "okrs/2026-Q4.yml:6: objectives[0].key_results[0].id: "
        "key result id 'KR-1' is already used in okrs/2026-Q3.yml" in text
    )
    assert "parent loop: A -> B -> A" in text


def test_cycle_needs_dates_unless_quarter_and_end_after_start(tmp_path: Path) -> None:
    okrs = write(
        tmp_path,
        "h2.yml",
        """\
        cycle: H2
        objectives:
          - id: A
            title: A
            key_results:
              - {id: KR-1, title: x, metric: leads, target: 5}
        """,
    )
    assert any(
        "'H2' is not a quarter like 2026-Q4, so give start: and end: too" in e for e in errors_of(okrs)
    )
    (okrs / "h2.yml").write_text(
        "cycle: H2\nstart: 2026-12-31\nend: 2026-07-01\nobjectives:\n"
        "  - {id: A, title: A, key_results: [{id: K, title: x, metric: leads, target: 5}]}\n"
    )
    assert any("cycle end 2026-07-01 is before its start 2026-12-31" in e for e in errors_of(okrs))
    (okrs / "h2.yml").write_text(
        "cycle: H2\nstart: 2026-07-01\nend: 2026-12-31\nobjectives:\n"
        "  - {id: A, title: A, key_results: [{id: K, title: x, metric: leads, target: 5}]}\n"
    )
    defs = load_definitions(okrs)
    assert defs.key_results[0].end == dt.date(2026, 12, 31)


def test_objective_without_krs_or_children(tmp_path: Path) -> None:
    okrs = write(tmp_path, "a.yml", "cycle: 2026-Q4\nobjectives:\n  - {id: LONELY, title: Nothing here}\n")
    assert errors_of(okrs) == [
        "okrs/a.yml:3: objectives[0]: "
        "objective 'LONELY' has no key results and no objective names it as parent"
    ]


def test_bad_yaml_names_line_and_column_and_adds_no_follow_on_errors(tmp_path: Path) -> None:
    # LONELY's children might be in the unreadable b.yml: saying it has none would mislead
    # (issue 9: no follow-on errors from an earlier failure).
    write(tmp_path, "a.yml", "cycle: 2026-Q4\nobjectives:\n  - {id: LONELY, title: Nothing here}\n")
    okrs = write(tmp_path, "b.yml", "cycle: 2026-Q4\nobjectives: [unclosed\n")
    assert errors_of(okrs) == [
        "okrs/b.yml:3:1: is not valid YAML: did not find expected ',' or ']' "
        "while parsing a flow sequence that starts at line 2, column 13"
    ]


def test_checkins_kr_defaults_to_last_and_filters_itself(tmp_path: Path) -> None:
    okrs = write(
        tmp_path,
        "q.yml",
        """\
        cycle: 2026-Q4
        objectives:
          - id: A
            title: A
            key_results:
              - {id: LAUNCH, title: Launch, metric: checkins, target: 1}
        """,
    )
    (okrs / "checkins.csv").write_text("kr_id,date,value,note\nLAUNCH,2026-10-15,1,done\n", encoding="utf-8")
    defs = load_definitions(okrs)
    assert defs.key_results[0].measure == "last"
    assert defs.key_results[0].filters == {"kr_id": ("LAUNCH",)}
    assert defs.checkins[0].value == 1.0 and defs.checkins[0].note == "done"


def test_baseline_only_for_progress_and_thresholds_order(tmp_path: Path) -> None:
    okrs = write(
        tmp_path,
        "q.yml",
        """\
        cycle: 2026-Q4
        thresholds: {at_risk: 0.3, off_track: 0.2}
        objectives:
          - id: A
            title: A
            key_results:
              - {id: K, title: x, metric: leads, type: stay_above, baseline: 3, target: 5}
        """,
    )
    text = "\n".join(errors_of(okrs))
    assert "thresholds.off_track: must be larger than at_risk" in text
    assert (
        "objectives[0].key_results[0].baseline: baseline applies only to type progress, not stay_above"
        in text
    )


def test_metric_without_documented_columns_is_an_error(tmp_path: Path) -> None:
    from pipelines.okr_definitions.metric_catalog import Metric

    okrs = write(
        tmp_path,
        "q.yml",
        "cycle: 2026-Q4\nobjectives:\n  - {id: A, title: A, key_results: "
        "[{id: K, title: k, metric: fresh, target: 1}]}\n",
    )
    with pytest.raises(DefinitionErrors) as info:
        load_definitions(okrs, metrics={"fresh": Metric("fresh", ())})
    assert "metric 'fresh' has no columns documented in dbt_project/models/metrics/_metrics.yml" in str(
        info.value
    )
