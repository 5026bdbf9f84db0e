"""The scorecard's quality pages (GX Data Docs in the reader's language), rebuilt only when what
they show changed.

Building the Data Docs is the costliest part of publishing on a small workspace (about 1 s: a GX
context, a page per suite). The pages are a pure function of the stored validation results of
the day, the language and the code that renders them, so a night whose checks came out as in the
published site (a re-run, or validations reused by pipelines/quality/judged.py) copies the
published pages instead. The key is written next to the pages (`.okr-built-from`), so pages
someone changed or removed by hand are simply rebuilt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

from connectors.warehouse import Warehouse

BUILT_FROM = ".okr-built-from"


def publish_quality_pages(
    warehouse: Warehouse, as_of: dt.date, lang: str, out_dir: Path, published: Path
) -> bool:
    """Write the quality pages of `as_of` into out_dir (created): copied from `published` (the
    live site's quality/ folder) when it was built from the same results, language and code,
    else built. True when they were built."""
    from pipelines.quality.store import read_suite_results

    results = read_suite_results(warehouse, as_of)
    key = _pages_key(results, lang)
    stamp = published / BUILT_FROM
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == key and (published / "index.html").is_file():
        shutil.copytree(published, out_dir)
        return False
    from pipelines.quality import build_data_docs
    from pipelines.reporting.quality_wrapper import localize_quality_pages

    build_data_docs(results, out_dir)
    localize_quality_pages(out_dir, lang)
    (out_dir / BUILT_FROM).write_text(key, encoding="utf-8")
    return True


def _pages_key(results: list[dict], lang: str) -> str:
    from pipelines.quality.judged import code_version
    from pipelines.reporting import quality_wrapper
    from pipelines.reporting.messages import catalog_path

    digest = hashlib.sha256(f"{code_version()}|{lang}".encode())
    digest.update(Path(quality_wrapper.__file__).read_bytes())
    digest.update(catalog_path(lang).read_bytes())
    digest.update(json.dumps(results, sort_keys=True, default=str).encode())
    return digest.hexdigest()
