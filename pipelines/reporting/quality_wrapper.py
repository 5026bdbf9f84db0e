"""The quality pages' own wrapper in the scorecard's language.

Great Expectations writes the Data Docs in English (their `<html lang="en">` stays), but what
this project adds around them speaks the reader's language: the status words that stand in for
GX's icons (okr-icons.css) and the names given to the table filters and scrolling boxes
(okr-a11y.js), from the same message catalogs as the scorecard.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipelines.quality.offline import A11Y_JS, ICONS_CSS
from pipelines.reporting.report import texts

_A11Y_TEXTS = re.compile(r"^  var T = \{.*\};$", re.MULTILINE)


def _css_string(text: str) -> str:
    """A CSS string body with every non-ASCII or special character as a six-digit escape (so it
    never merges with the next character, and no @charset is needed)."""
    return "".join(c if (c.isascii() and c.isalnum()) or c == " " else f"\\{ord(c):06x}" for c in text)


def localize_quality_pages(site_dir: Path, lang: str) -> None:
    """Rewrite the wrapper's files of a Data Docs site (after make_offline) for `lang`."""
    t = texts(lang).t
    vendor = Path(site_dir) / "static" / "vendor"
    css = vendor / ICONS_CSS
    if css.is_file():
        text = css.read_text(encoding="utf-8")
        icons = {
            "fa-check-circle": ("\\002714", t("quality_passed")),
            "fa-times": ("\\002716", t("quality_failed")),
        }
        for icon, (symbol, word) in icons.items():
            content = f"{symbol}\\0000a0{_css_string(word)}"
            text = re.sub(
                rf'(i\.{re.escape(icon)}::before \{{ content: ")[^"]*(")',
                lambda m, c=content: m[1] + c + m[2],
                text,
            )
        css.write_text(text, encoding="utf-8")
    js = vendor / A11Y_JS
    if js.is_file():
        words = {
            "filter": t("quality_filter"),
            "search": t("quality_search"),
            "scrolls": t("quality_scrolls"),
        }
        line = "  var T = " + json.dumps(words, ensure_ascii=False) + ";"
        js.write_text(
            _A11Y_TEXTS.sub(lambda _: line, js.read_text(encoding="utf-8"), count=1), encoding="utf-8"
        )
