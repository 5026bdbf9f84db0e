"""Fuzzing the definition loader (issue 9): whatever the files hold, loading ends in definitions
or in the project's own DefinitionErrors, each a one-line sentence with its file, never in
another exception."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from pipelines.okr_definitions import DefinitionErrors, OkrDefinitions, load_definitions
from pipelines.okr_definitions.metric_catalog import load_metric_catalog
from tests.fuzzing import fuzz

METRICS = load_metric_catalog()
FUZZ = fuzz(150)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(
        ["2026-Q4", "leads", "sessions", "checkins", "progress", "stay_below", "ratio", "K1", "A"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
KR_KEYS = [
    "id",
    "title",
    "metric",
    "filter",
    "measure",
    "type",
    "baseline",
    "target",
    "commitment",
    "weight",
    "start",
    "end",
    "stale_after_days",
    "unit",
    "owner",
    "change_reason",
    "initiatives",
    "colour",
]


@st.composite
def key_results(draw: st.DrawFn) -> Any:
    kr: dict[str, Any] = {
        "id": draw(st.sampled_from(["K1", "K2", "K3"])),
        "title": "t",
        "target": 5,
        "metric": draw(st.sampled_from(["leads", "sessions", "checkins", "cost_per_lead", "nope"])),
    }
    for key in draw(st.lists(st.sampled_from(KR_KEYS), max_size=4)):
        kr[key] = draw(values)
    return draw(st.sampled_from([kr, kr, kr, draw(values)]))


@st.composite
def okr_documents(draw: st.DrawFn) -> Any:
    objectives = [
        {
            "id": draw(st.sampled_from(["A", "B", "C"])),
            "title": "o",
            "parent": draw(st.sampled_from([None, "A", "B", "Z"])),
            "key_results": draw(st.lists(key_results(), max_size=3)),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    doc: dict[str, Any] = {
        "cycle": draw(st.sampled_from(["2026-Q4", "2026-Q3", "H2", "2026-Q9"])),
        "objectives": objectives,
    }
    for key in draw(
        st.lists(st.sampled_from(["start", "end", "thresholds", "stale_after_days", "x"]), max_size=2)
    ):
        doc[key] = draw(values)
    return draw(st.sampled_from([doc, doc, doc, draw(values)]))


# Fragments YAML allows and loaders trip on: anchors, aliases, tags, merges, deep or odd nesting.
fragments = st.sampled_from(
    [
        "&a [1, *a]",
        "*missing",
        "!!python/object/apply:os.system [ls]",
        "!!binary aGVsbG8=",
        "!!set {a}",
        "{<<: [1]}",
        "? [a]\n: b",
        "2026-02-30",
        "1e400",
        ".nan",
        "0x1F",
        "1:30",
        "[" * 60 + "]" * 60,
        "|\n  text",
        "'unterminated",
        "\t- x",
        "---\nb: 1",
        "\x00",
        "~",
        "&x {a: 1}",
        "{a: 1, a: 2}",
    ]
)


def outcome(files: dict[str, bytes]) -> OkrDefinitions | DefinitionErrors:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "okrs"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        try:
            defs = load_definitions(folder, metrics=METRICS)
            event("valid definitions")
            return defs
        except DefinitionErrors as exc:
            event("definition errors")
            for error in exc.errors:
                text = str(error)
                assert text.startswith("okrs") or text.startswith(tmp), text
                assert "Input should" not in text and "Traceback" not in text
            return exc


def dump(doc: Any) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode()


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes(data: bytes) -> None:
    outcome({"q.yml": data})


@FUZZ
@given(st.text(max_size=400))
def test_any_text(text: str) -> None:
    outcome({"q.yml": text.encode("utf-8", errors="surrogatepass")})


@FUZZ
@given(okr_documents(), okr_documents())
def test_documents_with_wrong_values_anywhere(first: Any, second: Any) -> None:
    outcome({"a.yml": dump(first), "b.yml": dump(second)})


@FUZZ
@given(okr_documents(), st.lists(fragments, min_size=1, max_size=3), st.data())
def test_documents_with_hostile_yaml_spliced_in(doc: Any, pieces: list[str], data: st.DataObject) -> None:
    lines = dump(doc).decode().splitlines()
    for piece in pieces:
        at = data.draw(st.integers(0, len(lines)))
        indent = " " * data.draw(st.sampled_from([0, 2, 4, 6]))
        key = data.draw(st.sampled_from(["target", "cycle", "objectives", "key_results", "filter", "- id"]))
        lines.insert(at, f"{indent}{key}: {piece}")
    outcome({"q.yml": "\n".join(lines).encode("utf-8", errors="surrogatepass")})


cells = st.one_of(
    st.sampled_from(
        [
            "K1",
            "K2",
            "LAUNCH",
            "",
            "2026-10-15",
            "16.11.2026",
            "31.11.2026",
            "0,5",
            "1 234,5",
            "nan",
            "inf",
            "-",
            "high",
            "7",
            "11",
            "true",
            "false",
            "maybe",
            '"a;b"',
            "x",
        ]
    ),
    st.text(max_size=8),
)


@FUZZ
@given(
    st.lists(
        st.sampled_from(["kr_id", "date", "value", "confidence", "note", "author", "override", "extra"]),
        max_size=7,
    ),
    st.lists(st.lists(cells, max_size=8), max_size=6),
    st.sampled_from([",", ";"]),
)
def test_checkins_files(header: list[str], rows: list[list[str]], delimiter: str) -> None:
    okrs = dump(
        {
            "cycle": "2026-Q4",
            "objectives": [
                {
                    "id": "A",
                    "title": "A",
                    "key_results": [
                        {"id": "K1", "title": "k", "metric": "leads", "target": 5},
                        {"id": "LAUNCH", "title": "l", "metric": "checkins", "target": 1},
                    ],
                }
            ],
        }
    )
    text = "\n".join(delimiter.join(r) for r in [header, *rows]) + "\n"
    result = outcome({"q.yml": okrs, "checkins.csv": text.encode("utf-8", errors="surrogatepass")})
    if isinstance(result, OkrDefinitions):
        assert all(c.kr_id in {"K1", "LAUNCH"} for c in result.checkins)
