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
  const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
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
    """Every problem on these pages at these widths, as 'page @width: problem' lines."""
    problems: list[str] = []
    for width in widths:
        context = browser.new_context(viewport={"width": width, "height": 900})
        for path in pages:
            page = context.new_page()  # a page per URL: nothing late from the previous one counts here
            seen: list[str] = []
            page.on(
                "console", lambda m, s=seen: s.append(f"console: {m.text}") if m.type == "error" else None
            )
            page.on("pageerror", lambda e, s=seen: s.append(f"page error: {e}"))
            page.on(
                "request",
                lambda r, s=seen: (
                    None if r.url.startswith(("file://", "data:")) else s.append(f"request {r.url}")
                ),
            )
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            if page.locator("[data-chart]").count():
                page.wait_for_function(
                    "() => [...document.querySelectorAll('[data-chart]')].every(e => e.querySelector('svg'))"
                )
            overflow = page.evaluate(_OVERFLOW)
            if overflow > 0:
                seen.append(f"horizontal overflow of {overflow}px")
            seen += list(links_of(page, root))
            own = list(seen)  # axe reads stylesheets itself (refused on file://): not the page's errors
            page.add_script_tag(path=str(AXE))
            own += [f"axe {v}" for v in page.evaluate(_AXE_RUN, WCAG_21_AA)]
            problems += [f"{path.relative_to(root)} @{width}: {p}" for p in own]
            page.close()
        context.close()
    return problems
