"""Make GX Data Docs work offline, light and accessible: CDN assets point at vendored copies,
the rest is dropped, and only the files a page actually uses are shipped.

Data Docs render their index tables with jQuery and bootstrap-table loaded from CDNs, so from disk
or an intranet share without internet they show nothing. The scorecard site promises to open
anywhere with no external requests, so every page is rewritten after GX builds it:
- CDN scripts and styles -> static/vendor/ copies; Vega only on a page that draws a Vega chart;
- the favicon link is recomputed per page (GX writes it one `../` short on the validation pages);
- `<html lang="en">` (GX's own texts are English), an h1 naming the page, labels for the table
  filters (okr-a11y.js), so the pages pass axe-core's WCAG 2.1 AA rules;
- afterwards every file under static/ that no page or stylesheet refers to is deleted (GX ships
  3.4 MB of GIFs and fonts that no page shows).
"""

from __future__ import annotations

import os
import re
import shutil
from functools import partial
from pathlib import Path

VENDOR_DIR = Path(__file__).parent / "static" / "vendor"
ICONS_CSS = "okr-icons.css"  # status words instead of the font-awesome icons
A11Y_JS = "okr-a11y.js"  # names the filter inputs bootstrap-table creates
_VEGA = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")

# CDN address (as GX writes it) -> vendored file name.
_TABLE = "https://unpkg.com/bootstrap-table@1.19.1/dist"
_FILTER = "extensions/filter-control/bootstrap-table-filter-control"
_DATEPICKER = "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0"
VENDORED = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap.min.css",
    f"{_TABLE}/bootstrap-table.min.js": "bootstrap-table.min.js",
    f"{_TABLE}/bootstrap-table.min.css": "bootstrap-table.min.css",
    f"{_TABLE}/{_FILTER}.min.js": "bootstrap-table-filter-control.min.js",
    f"https://unpkg.com/bootstrap-table@1.19.0/dist/{_FILTER}.css": "bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.min.js",
    f"{_DATEPICKER}/js/bootstrap-datepicker.min.js": "bootstrap-datepicker.min.js",
    f"{_DATEPICKER}/css/bootstrap-datepicker.min.css": "bootstrap-datepicker.min.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed.min.js",
}

_SCRIPT = re.compile(r'<script([^>]*?)\ssrc="(https?://[^"]+)"([^>]*)>\s*</script>', re.IGNORECASE)
_LINK = re.compile(r'<link([^>]*?)\shref="(https?://[^"]+)"([^>]*)/?>', re.IGNORECASE)
_IMG = re.compile(r'<img[^>]*?\ssrc="https?://[^"]+"[^>]*?(?:alt="([^"]*)")?[^>]*>', re.IGNORECASE)
_FAVICON = re.compile(r'(<link[^>]*rel="shortcut icon"[^>]*href=")[^"]*(")', re.IGNORECASE)
_LOCAL_REF = re.compile(r'(?:src|href)="(?!https?:|data:|#|mailto:)([^"#?]+)', re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
_PREFORMATTED = re.compile(r"<(pre|textarea)[\s>]", re.IGNORECASE)
_INDENT = re.compile(r"\n[ \t]*(?:\n[ \t]*)*")
_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def make_offline(site_dir: Path) -> int:
    """Rewrite every page of a Data Docs site in place; returns the number of pages rewritten."""
    target = site_dir / "static" / "vendor"
    shutil.copytree(VENDOR_DIR, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.md"))
    pages = 0
    for page in site_dir.rglob("*.html"):
        prefix = Path(os.path.relpath(target, page.parent)).as_posix()
        text = page.read_text(encoding="utf-8")
        new = _SCRIPT.sub(partial(_script, prefix=prefix), text)
        new = _LINK.sub(partial(_link, prefix=prefix), new)
        new = _IMG.sub(lambda m: m.group(1) or "Data Docs", new)  # the logo link keeps a name
        unused = [] if "vegaEmbed(" in new else list(_VEGA)  # no chart here: 830 kB never run
        if "'datepicker'" not in new:  # only a date filter of the index table needs the picker
            unused += ["bootstrap-datepicker.min.js", "bootstrap-datepicker.min.css"]
        for name in unused:
            new = new.replace(f'<script src="{prefix}/{name}"></script>', "")
            new = re.sub(rf'<link[^>]*href="{re.escape(prefix)}/{re.escape(name)}"[^>]*>', "", new)
        favicon = Path(
            os.path.relpath(site_dir / "static" / "images" / "favicon.ico", page.parent)
        ).as_posix()
        new = _FAVICON.sub(lambda m, icon=favicon: f"{m.group(1)}{icon}{m.group(2)}", new)
        new = _accessible(new, prefix)
        if not _PREFORMATTED.search(new):
            new = _INDENT.sub("\n", new)  # GX indents deeply: a quarter of the bytes, none shown
        if new != text:
            page.write_text(new, encoding="utf-8")
            pages += 1
    for css in (site_dir / "static").rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        # A remote background image (GX's logo on S3) would be a request outside the site.
        new = _CSS_URL.sub(
            lambda m: "none" if m.group(1).startswith(("http:", "https:")) else m.group(0), text
        )
        if new != text:
            css.write_text(new, encoding="utf-8")
    _prune_static(site_dir)
    return pages


def _accessible(html: str, prefix: str) -> str:
    html = re.sub(r"<html(?![^>]*\blang=)", '<html lang="en"', html, count=1)
    if ICONS_CSS not in html:
        html = html.replace("</head>", f'<link rel="stylesheet" href="{prefix}/{ICONS_CSS}"></head>', 1)
    if A11Y_JS not in html:
        html = html.replace("</body>", f'<script src="{prefix}/{A11Y_JS}"></script></body>', 1)
    if not re.search(r"<h1[\s>]", html, re.IGNORECASE):
        title = _TITLE.search(html)
        name = title.group(1).strip() if title else "Data Docs"
        html = re.sub(r"(<body[^>]*>)", rf'\1<h1 class="sr-only">{name}</h1>', html, count=1)
    return html


def _prune_static(site_dir: Path) -> None:
    """Delete every file under static/ that no page or stylesheet refers to."""
    static = (site_dir / "static").resolve()
    used: set[Path] = set()
    for page in site_dir.rglob("*.html"):
        for ref in _LOCAL_REF.findall(page.read_text(encoding="utf-8")):
            used.add((page.parent / ref).resolve())
    for css in [p for p in used if p.suffix == ".css" and p.is_file()]:
        for ref in _CSS_URL.findall(css.read_text(encoding="utf-8")):
            if not ref.startswith(("http:", "https:", "data:")):
                used.add((css.parent / ref.split("?")[0].split("#")[0]).resolve())
    for path in sorted(static.rglob("*"), reverse=True):
        if path.is_file() and path.resolve() not in used:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


_CORS_ATTRS = re.compile(r'\s(?:integrity|crossorigin)(?:="[^"]*")?', re.IGNORECASE)


def _local_attrs(attrs: str) -> str:
    # Subresource-integrity and CORS attributes make Chromium refuse file:// scripts.
    return _CORS_ATTRS.sub("", attrs)


def _script(m: re.Match, prefix: str) -> str:
    local = VENDORED.get(m.group(2))
    if not local:
        return ""
    return f'<script{_local_attrs(m.group(1))} src="{prefix}/{local}"{_local_attrs(m.group(3))}></script>'


def _link(m: re.Match, prefix: str) -> str:
    url = m.group(2)
    local = VENDORED.get(url)
    if local:
        attrs = _local_attrs(m.group(3)).rstrip("/")
        return f'<link{_local_attrs(m.group(1))} href="{prefix}/{local}"{attrs}>'
    # Plain hyperlinks to GX's site are <a>, not <link>; any other external <link> is an asset.
    return ""
