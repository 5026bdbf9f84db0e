"""Make GX Data Docs work offline: CDN assets point at vendored copies, the rest is dropped.

Data Docs render their index tables with jQuery and bootstrap-table loaded from CDNs, so from disk
or an intranet share without internet they show nothing. The scorecard site promises to open
anywhere with no external requests, so every page is rewritten after GX builds it.
"""

from __future__ import annotations

import os
import re
import shutil
from functools import partial
from pathlib import Path

VENDOR_DIR = Path(__file__).parent / "static" / "vendor"
ICONS_CSS = "okr-icons.css"  # status words instead of the font-awesome icons

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
        new = _IMG.sub(lambda m: m.group(1) or "", new)
        if ICONS_CSS not in new:
            new = new.replace("</head>", f'<link rel="stylesheet" href="{prefix}/{ICONS_CSS}"></head>', 1)
        if new != text:
            page.write_text(new, encoding="utf-8")
            pages += 1
    return pages


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
