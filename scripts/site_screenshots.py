"""Screenshots of the published demo scorecard for README.md and docs/scorecard-site.md.

    okr run --as-of 2026-11-26 && python scripts/site_screenshots.py [build/scorecard] [docs/images]

Takes the overview (laptop), one KR page (laptop) and the overview on a phone (390 px) in a real
headless Chromium (Debian's /usr/bin/chromium driven by Playwright), after the charts are drawn.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
KR_PAGE = "krs/SALES-Q4-3.1.html"  # at risk, with a changed target and its reason
SHOTS = [  # (file, page, viewport width, height, whole page)
    ("scorecard-overview.png", "index.html", 1440, 1100, False),
    ("scorecard-kr-page.png", KR_PAGE, 1440, 1500, False),
    ("scorecard-phone.png", "index.html", 390, 844, False),
]


def take(site: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for name, rel, width, height, full in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
            page.goto((site / rel).resolve().as_uri())
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-chart]')].every(e => e.querySelector('svg'))"
            )
            page.screenshot(path=str(out / name), full_page=full)
            written.append(out / name)
            page.close()
        browser.close()
    return written


if __name__ == "__main__":
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "build/scorecard")
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/images")
    if not (site / "index.html").is_file():
        sys.exit(f"{site}/index.html not found: run `okr run --as-of 2026-11-26` first")
    for path in take(site, out):
        print(path)
