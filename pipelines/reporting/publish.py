"""Publishes a scoring run for stakeholders: the static site and its exports, swapped in atomically.

    result = publish_scorecard(scorecard, history, metrics, settings.scorecard_dir, lang=settings.lang,
                               extra_dirs={"quality": data_docs_dir}, timezone=settings.timezone)

Output folder (all relative links, opens from disk):
    index.html                overview: as-of date, counts by status, needs attention, data health
                              in one line, objective tree
    status/<status>.html      the current cycle's KRs of one status (the overview's counts link here)
    data-health.html          the checks grouped by source, failures in plain words
    people/index.html         every owner; people/<owner>.html what one owner owns
    teams/<team>.html         a page per team
    objectives/<id>.html      a page per objective
    krs/<id>.html             a page per KR with its charts
    archive/index.html        past cycles; archive/<cycle>.html their final scores
    assets/                   style.css, charts.js, chart-locale.js and the vendored vega bundle
    scorecard.json / .csv / .md   exports
    archive.json              past cycles kept for later runs (see site_model.archive_record)
    quality/                  Data Docs of the checks, kept from the previous publish or copied in
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines.reporting.exports import write_csv, write_json, write_markdown
from pipelines.reporting.model import ArchivedCycle, ScorecardError, parse_archive
from pipelines.reporting.report import Report, build_report
from pipelines.reporting.site import SiteRenderer
from pipelines.reporting.site_model import archive_record
from pipelines.reporting.swap import staged_folder

log = logging.getLogger(__name__)

ARCHIVE_FILE = "archive.json"
# Names the publisher writes itself; an extra folder may not take them.
_RESERVED = {"index.html", "assets", "teams", "objectives", "krs", "archive", "people", "status",
             "data-health.html", ARCHIVE_FILE, "scorecard.json", "scorecard.csv", "scorecard.md"}  # fmt: skip
_KEPT_FROM_PREVIOUS = ("quality",)

__all__ = ["PublishResult", "ScorecardError", "publish_report", "publish_scorecard", "read_archive"]


@dataclass(frozen=True)
class PublishResult:
    out_dir: Path
    index_html: Path
    files: list[Path]  # every file written, relative to out_dir
    kr_pages: int
    past_cycles: list[str]
    lang: str
    seconds: float


def read_archive(out_dir: Path) -> dict[str, ArchivedCycle]:
    """The past cycles the previous publish in out_dir archived (none when there is none)."""
    path = Path(out_dir).absolute() / ARCHIVE_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        # Refuse rather than silently drop past cycles from the next publish.
        raise ScorecardError(
            f"{path}: cannot read the archive of past cycles ({exc}); "
            "fix the file or delete it to start a new archive"
        ) from None
    return parse_archive(data, str(path))


def _check_extra_dirs(extra_dirs: Mapping[str, Path]) -> None:
    for name, src in extra_dirs.items():
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name) or name in _RESERVED:
            raise ScorecardError(
                f"extra_dirs[{name!r}]: must be a plain folder name other than {', '.join(sorted(_RESERVED))}"
            )
        if not Path(src).is_dir():
            raise ScorecardError(f"extra_dirs[{name!r}]: {src} is not a folder")


def publish_scorecard(
    scorecard: dict,
    history: list[dict],
    metrics: dict[str, dict],
    out_dir: Path,
    lang: str = "en",
    archive: dict | None = None,
    *,
    extra_dirs: Mapping[str, Path] | None = None,
    before_swap: Callable[[Path], None] | None = None,
    timezone: str | None = None,
    teams: Mapping | None = None,
) -> PublishResult:
    """Write the scorecard site and exports to `out_dir`, replacing the previous ones atomically.

    scorecard: the dict of docs/scorecard-schema.md (extra keys are kept; per-KR `checks` and a
        top-level `data_health` are shown when present).
    history: rows of `kr_score_history` (as_of, kr_id, actual, progress, score, expected_progress,
        status, forecast_projected_actual) for the charts over the cycle.
    metrics: metric name -> {"description": ..., "sql": ...} shown on KR pages.
    archive: past cycles to keep publishing after their definitions were removed, as written to
        `archive.json` ({"cycles": {label: {...}}}); None reads `out_dir/archive.json` of the previous
        publish.
    extra_dirs: folder name -> folder to copy into the site (e.g. {"quality": data_docs}); a
        `quality/` folder of the previous publish is kept when none is given.
    before_swap: called with the staging folder after everything is written, to add more files.
    timezone: IANA zone for showing `generated_at` (default: as written).
    teams: settings.yml `teams:` (team id -> display name, or language -> name).

    Raises ScorecardError naming the bad key for unusable input; the previous publish is then intact.
    """
    carried = parse_archive(archive, "archive") if archive is not None else read_archive(out_dir)
    report = build_report(scorecard, history, metrics, lang=lang, carried=carried, teams=teams)
    return publish_report(report, out_dir, extra_dirs=extra_dirs, before_swap=before_swap, timezone=timezone)


def publish_report(
    report: Report,
    out_dir: Path,
    *,
    extra_dirs: Mapping[str, Path] | None = None,
    before_swap: Callable[[Path], None] | None = None,
    timezone: str | None = None,
) -> PublishResult:
    """`publish_scorecard` for a report already built (the run builds it once for every output)."""
    started = time.monotonic()
    out_dir = Path(out_dir).absolute()
    model, lang = report.model, report.lang
    extra = dict(extra_dirs or {})
    for name in _KEPT_FROM_PREVIOUS:
        if name not in extra and (out_dir / name).is_dir():
            extra[name] = out_dir / name
    _check_extra_dirs(extra)
    tz = ZoneInfo(timezone) if timezone else None

    with staged_folder(out_dir) as staging:
        for name, src in extra.items():
            shutil.copytree(src, staging / name)
        quality_url = "quality/index.html" if (staging / "quality" / "index.html").is_file() else None
        write_json(report.scorecard, staging / "scorecard.json")
        write_csv(model, staging / "scorecard.csv")
        write_markdown(report, staging / "scorecard.md")
        (staging / ARCHIVE_FILE).write_text(
            json.dumps(archive_record(model), ensure_ascii=False, separators=(",", ":")) + "\n",
            encoding="utf-8",
        )
        SiteRenderer(report, tz=tz, quality_url=quality_url).render(staging)
        if before_swap is not None:
            before_swap(staging)
        files = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())

    result = PublishResult(
        out_dir=out_dir,
        index_html=out_dir / "index.html",
        files=files,
        kr_pages=len(model.krs),
        past_cycles=[c.label for c in model.past_cycles],
        lang=lang,
        seconds=round(time.monotonic() - started, 2),
    )
    log.info(
        "published the scorecard (%s, %d KR pages, %d past cycles) to %s in %.1f s",
        lang, result.kr_pages, len(result.past_cycles), out_dir, result.seconds,
    )  # fmt: skip
    return result
