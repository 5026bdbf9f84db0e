"""What the browser tests check on every page of a published site, in a real Chromium:
no console errors or requests outside the site, no horizontal overflow, charts drawn, and
axe-core (vendored from npm, tests/pipelines/reporting/vendor/) reporting no WCAG 2.1 AA violation."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (1440, 390)

_AXE_RUN = """async (tags) => {
  // preload: false: axe would fetch the stylesheets itself (for css-orientation-lock), which
  // Chromium refuses on file:// with a console error that arrives after the run, on the next page.
  const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'], preload: false};
  const result = await axe.run(document, options);
  return result.violations.map(
    v => `${v.id} (${v.impact}): ${v.nodes.length}× e.g. ${v.nodes[0].target.join(' ')}`);
}"""
_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def site_pages(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.html"))


def links_of(page, root: Path) -> Iterable[str]:
    """Problems with the page's links: leaving the site, or pointing at a missing file."""
    for href in page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)"):
        url, _ = urldefrag(href)
        if not url or url.startswith(("data:", "mailto:")):
            continue
        parts = urlsplit(url)
        if parts.scheme != "file":
            continue  # a hyperlink to the web (e.g. GX's newsletter) is not a request; requests are watched
        if not Path(unquote(parts.path)).exists():
            yield f"broken link {href}"


def audit(browser, root: Path, pages: Iterable[Path], widths: Iterable[int] = WIDTHS) -> list[str]:
    """Every problem on these pages at these widths, as 'page @width: problem' lines.

    One tab per width visits the pages in turn. A tab per page cost a renderer process each (a
    third of the audit's time), and reusing the tab cannot hide a problem: what it records is
    cleared before each visit, so a late message from the previous page could only be counted
    against the next one, never lost.

    axe-core is given to the tab once, as a script every page runs on load: injected into each
    page instead, its 650 KB crossed Playwright's pipe and was compiled again on every visit
    (a third of the audit's time)."""
    problems: list[str] = []
    for width in widths:
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_init_script(path=str(AXE))
        page, seen = _watched_tab(context)
        for path in pages:
            seen.clear()
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            if page.locator("[data-chart]").count():
                page.wait_for_function(
                    "() => [...document.querySelectorAll('[data-chart]')].every(e => e.querySelector('svg'))"
                )
            overflow = page.evaluate(_OVERFLOW)
            if overflow > 0:
                seen.append(f"horizontal overflow of {overflow}px")
            seen.extend(links_of(page, root))
            seen.extend(f"axe {v}" for v in page.evaluate(_AXE_RUN, WCAG_21_AA))
            problems += [f"{path.relative_to(root)} @{width}: {p}" for p in seen]
        context.close()
    return problems


def _watched_tab(context) -> tuple:
    """A new tab and the list it records console errors, page errors and outside requests in."""
    page = context.new_page()
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    page.on(
        "request",
        lambda r: None if r.url.startswith(("file://", "data:")) else seen.append(f"request {r.url}"),
    )
    return page, seen
