"""The languages the scorecard is published in: code -> CLDR locale for numbers, money and dates.

Adding a language is one line here plus its message catalog in pipelines/reporting/locale/
(docs/scorecard-site.md, "Languages"). Here, below every layer, so settings can validate `lang:`.
"""

from __future__ import annotations

LOCALES = {
    "en": "en_GB",  # day-before-month: the readers are in the Nordics
    "fi": "fi_FI",
}
LANGUAGES = tuple(LOCALES)
