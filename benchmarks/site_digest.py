"""What a night published, as comparable digests: so a speed change can prove it changed no result.

`site_digests(scorecard_dir)` maps every published file to its SHA-256, with `scorecard.json`
taken without `generated_at` and each page without the time it shows for it (the only values that
differ between two runs of the same day), and the floats of JSON files to 12 significant digits.
Left out: the Great Expectations Data Docs under `quality/validations/`, whose folder names and
pages carry the validation's run time, and the `quality/` index that links them.

    python -m benchmarks.site_digest <scorecard dir>      # one digest of the whole site
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

TIMESTAMPED = ("quality/",)  # GX Data Docs: one folder per validation run, named by its time
# The page header's "<as of> · Generated 3 Dec 2026, 00:12:14" (any language, any clock format).
GENERATED_TIME = re.compile(rb" \xc2\xb7 [^<]*?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?</p>")


def scorecard_without_time(path: Path) -> dict:
    card = json.loads(path.read_text(encoding="utf-8"))
    card.pop("generated_at", None)
    return card


def rounded_floats(value: object) -> object:
    """Floats to 12 significant digits: DuckDB sums doubles in parallel, in no fixed order, so a
    value can differ in its 16th digit between two runs of the same code (seen in archive.json)."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: rounded_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded_floats(v) for v in value]
    return value


def site_digests(scorecard_dir: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every published file (scorecard.json without generated_at)."""
    out: dict[str, str] = {}
    for path in sorted(p for p in scorecard_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(scorecard_dir).as_posix()
        if rel.startswith(TIMESTAMPED):
            continue
        if rel == "scorecard.json":
            data = json.dumps(rounded_floats(scorecard_without_time(path)), sort_keys=True).encode()
        elif path.suffix == ".json":
            data = json.dumps(rounded_floats(json.loads(path.read_bytes())), sort_keys=True).encode()
        elif path.suffix == ".html":
            data = GENERATED_TIME.sub(b" \xc2\xb7 (generated)</p>", path.read_bytes())
        else:
            data = path.read_bytes()
        out[rel] = hashlib.sha256(data).hexdigest()
    return out


def site_digest(scorecard_dir: Path) -> str:
    """One SHA-256 over `site_digests` (what `make bench` records for the demo and the scale run)."""
    return hashlib.sha256(json.dumps(site_digests(scorecard_dir), sort_keys=True).encode()).hexdigest()


if __name__ == "__main__":
    print(site_digest(Path(sys.argv[1])))
