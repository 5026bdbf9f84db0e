"""Issue 9, "Definitions: strict and clear": hostile or careless YAML ends in one plain sentence
per problem, with file, line and key, never in a traceback or a silently wrong number."""

from __future__ import annotations

import textwrap
import tracemalloc
from pathlib import Path

import pytest

from pipelines.okr_definitions import DefinitionErrors, load_definitions
from pipelines.okr_definitions.errors import MAX_LISTED, DefinitionError

HEAD = "cycle: 2026-Q4\nobjectives:\n  - id: A\n    title: A\n    key_results:\n"


def errors_for(tmp_path: Path, text: str | bytes, name: str = "q.yml") -> list[str]:
    folder = tmp_path / "okrs"
    folder.mkdir(exist_ok=True)
    data = text if isinstance(text, bytes) else textwrap.dedent(text).encode()
    (folder / name).write_bytes(data)
    with pytest.raises(DefinitionErrors) as info:
        load_definitions(folder)
    return [str(e) for e in info.value.errors]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (".nan", "must be a finite number, not nan"),
        (".inf", "must be a finite number, not inf"),
        ("-.Inf", "must be a finite number, not -inf"),
        ("1e400", "1e400 is too large to be a number"),
        ("-2.5e+999", "-2.5e+999 is too large to be a number"),
        ("true", "must be a number, not true"),
        ("no", "must be a number, not false"),
        ("'650'", "must be a number, not '650' (remove the quotes)"),
        ("[1, 2]", "must be a number, not a list"),
    ],
)
def test_numbers_must_be_finite_numbers(tmp_path: Path, target: str, message: str) -> None:
    text = HEAD + f"      - {{id: K, title: k, metric: leads, target: {target}}}\n"
    assert errors_for(tmp_path, text) == [f"okrs/q.yml:6: objectives[0].key_results[0].target: {message}"]


def test_exponent_numbers_read_as_numbers(tmp_path: Path) -> None:
    folder = tmp_path / "okrs"
    folder.mkdir()
    (folder / "q.yml").write_text(
        HEAD + "      - {id: K, title: k, metric: leads, target: 1e6, weight: 2.5E-1}\n"
    )
    (kr,) = load_definitions(folder).key_results
    assert (kr.target, kr.weight) == (1_000_000.0, 0.25)


def test_booleans_and_nan_where_numbers_are_meant_anywhere(tmp_path: Path) -> None:
    text = """\
        cycle: 2026-Q4
        stale_after_days: yes
        thresholds: {at_risk: .nan, off_track: false}
        objectives:
          - id: A
            title: A
            weight: .inf
            key_results:
              - {id: K, title: k, metric: leads, target: 5, baseline: on, stale_after_days: 2.0}
        """
    assert errors_for(tmp_path, text) == [
        "okrs/q.yml:2: stale_after_days: must be a whole number, not true",
        "okrs/q.yml:3: thresholds.at_risk: must be a finite number, not nan",
        "okrs/q.yml:3: thresholds.off_track: must be a number, not false",
    ]


def test_duplicate_keys_name_both_lines(tmp_path: Path) -> None:
    text = HEAD + (
        "      - id: K\n        title: k\n        metric: leads\n        target: 650\n"
        "        owner: Aino\n        target: 700\n"
    )
    assert errors_for(tmp_path, text) == [
        "okrs/q.yml:11: objectives[0].key_results[0].target: the key 'target' appears twice in the same "
        "mapping (lines 9 and 11); keep one"
    ]


def test_impossible_dates_name_file_and_line(tmp_path: Path) -> None:
    text = (
        "cycle: H2\nstart: 2026-13-19\nend: 2026-11-31\nobjectives:\n  - id: A\n    title: A\n"
        "    key_results:\n      - id: K\n        title: k\n        metric: leads\n        target: 5\n"
        "        initiatives:\n          - {title: x, due: 2026-02-29}\n"
    )
    assert errors_for(tmp_path, text) == [
        "okrs/q.yml:2: start: 2026-13-19 is not a date: there is no month 13",
        "okrs/q.yml:3: end: 2026-11-31 is not a date: November 2026 has 30 days",
        "okrs/q.yml:13: objectives[0].key_results[0].initiatives[0].due: 2026-02-29 is not a date: "
        "February 2026 has 28 days",
    ]


def test_alias_bomb_is_refused_quickly_in_little_memory(tmp_path: Path) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    tracemalloc.start()
    try:
        errors = errors_for(tmp_path, "\n".join(levels) + "\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert errors == [
        "okrs/q.yml:5: expands to more than 100,000 values (through aliases `*name` or sheer size); "
        "an OKR file needs far fewer"
    ]
    assert peak < 100 * 2**20  # 10^9 values when expanded; PyYAML's own loaders grew to 5.2 GB


def test_aliases_and_merge_keys_within_limits_still_work(tmp_path: Path) -> None:
    folder = tmp_path / "okrs"
    folder.mkdir()
    (folder / "q.yml").write_text(
        HEAD
        + "      - &base {id: K1, title: k, metric: leads, target: 5, filter: &f {lead_source: [inbound]}}\n"
        + "      - {<<: *base, id: K2, target: 9}\n"
        + "      - {id: K3, title: k, metric: leads, target: 5, filter: *f}\n"
    )
    krs = {k.kr_id: k for k in load_definitions(folder).key_results}
    assert (krs["K2"].title, krs["K2"].target) == ("k", 9.0)
    assert krs["K3"].filters == {"lead_source": ("inbound",)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "cycle: &c [*c]\n",
            "okrs/q.yml:1: the alias *c is inside the value it refers to (&c), which would never end",
        ),
        ("cycle: *nope\n", "okrs/q.yml:1: the alias *nope refers to no anchor &nope above it"),
        (
            "cycle: 2026-Q4\nobjectives: " + "[" * 3000 + "]" * 3000 + "\n",
            "okrs/q.yml:2:1012: is not valid YAML: exceeded maximum nesting depth",
        ),
        (
            "cycle: 2026-Q4\nobjectives:\n" + "".join("  " * i + "-\n" for i in range(1, 100)),
            "okrs/q.yml:42: nests deeper than 40 levels; OKR files need far fewer",
        ),
        (
            "cycle: 2026-Q4\n---\ncycle: 2026-Q3\n",
            "okrs/q.yml:2: holds more than one YAML document (a second `---`); use one per file",
        ),
        (
            "cycle: 2026-Q4\nobjectives:\n\t- x\n",
            "okrs/q.yml:3:1: is not valid YAML: a tab character: YAML is indented with spaces, never tabs",
        ),
        (
            b"cycle: 2026-Q4\ntitle: M\xe4\xe4r\xe4\n",
            "okrs/q.yml:2:9: is not UTF-8 text (byte 0xe4 here); save the file as UTF-8",
        ),
        (
            "- just\n- a list\n",
            "okrs/q.yml:1: must be a mapping with cycle: and objectives: (see docs/okr-definitions.md)",
        ),
    ],
)
def test_file_level_failures_are_one_sentence(tmp_path: Path, text: str | bytes, expected: str) -> None:
    assert errors_for(tmp_path, text) == [expected]


def test_complex_keys_and_foreign_tags(tmp_path: Path) -> None:
    text = HEAD + (
        "      - id: K\n        title: !!python/object/apply:os.system [echo]\n        metric: leads\n"
        "        target: 5\n        ? [a, b]\n        : 1\n"
    )
    assert errors_for(tmp_path, text) == [
        "okrs/q.yml:7: objectives[0].key_results[0].title: the tag !!python/object/apply:os.system is not "
        "allowed in OKR files (write the plain value)",
        "okrs/q.yml:10: objectives[0].key_results[0]: a key must be a single name, not a mapping or a list",
    ]


def test_messages_speak_plainly(tmp_path: Path) -> None:
    text = HEAD + (
        "      - {id: K1, title: 2026, metric: leads, target: 5, measure: median}\n"
        "      - id: K2\n        title: k\n        metric: leads\n        target: 5\n"
        "        filter: {campaign: {bool: true}, lead_source: []}\n"
        "        initiatives: [{title: x, campaigns: [1]}, just text]\n"
    )
    assert errors_for(tmp_path, text) == [
        "okrs/q.yml:6: objectives[0].key_results[0].measure: must be one of 'sum', 'avg', 'last', 'min', "
        "'max' or 'ratio', not 'median'",
        "okrs/q.yml:6: objectives[0].key_results[0].title: must be text, not 2026 (put it in quotes)",
        "okrs/q.yml:11: objectives[0].key_results[1].filter.campaign: must be a value or a list of values, "
        "not a mapping or a nested list",
        "okrs/q.yml:11: objectives[0].key_results[1].filter.lead_source: must name at least one value",
        "okrs/q.yml:12: objectives[0].key_results[1].initiatives[0].campaigns[0]: must be text, not 1 "
        "(put it in quotes)",
        "okrs/q.yml:12: objectives[0].key_results[1].initiatives[1]: "
        "must be a mapping of keys, not 'just text'",
    ]


def test_a_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    assert errors_for(tmp_path, b"# " + b"x" * 1_100_000 + b"\n") == [
        "okrs/q.yml: is larger than 1 MB, far more than definitions need"
    ]


def test_listing_stops_after_200_errors_with_a_count() -> None:
    errors = [DefinitionError("okrs/q.yml", i, "target", "must be a number") for i in range(1, 251)]
    text = str(DefinitionErrors(errors))
    lines = text.splitlines()
    assert lines[0] == "250 errors in the OKR definitions:"
    assert len(lines) == 1 + MAX_LISTED + 1
    assert lines[-1] == "  and 50 more errors not listed"


def test_a_broken_objective_causes_no_follow_on_errors(tmp_path: Path) -> None:
    # PARENT has an error of its own (weight: true); CHILD names it and LONELY is named by it:
    # neither "parent does not exist" nor "has no key results and no children" may follow.
    text = """\
        cycle: 2026-Q4
        objectives:
          - {id: PARENT, title: P, weight: true, parent: LONELY}
          - id: CHILD
            title: C
            parent: PARENT
            key_results:
              - {id: K, title: k, metric: leads, target: 5}
          - {id: LONELY, title: L}
        """
    assert errors_for(tmp_path, text) == ["okrs/q.yml:3: objectives[0].weight: must be a number, not true"]
