"""The scorecard's messages: gettext catalogs managed with Babel, looked up by symbolic id.

The wording lives in `locale/<lang>/LC_MESSAGES/messages.po` (English too: `locale/en` is the
source wording), never in Python. Ids are symbolic (`status.on_track`, `reason.stale`), so
rewording the English text does not orphan every translation, and templates and code read
`t("status.on_track")` whatever the language. Placeholders use `str.format` names (`{count}`).

Plurals are gettext plurals: a message with plural forms picks its form by its `count` value,
and a placeholder may name a plural message as its format (`{days:count.days}` renders the number
through `count.days`: "1 day", "3 days"; Finnish "1 päivän", "3 päivää").

Adding a language: one catalog (`pybabel init`, translate, `make messages`) plus its line in
LOCALES of pipelines/languages.py; see docs/scorecard-site.md, "Languages".

Compiled `.mo` files are not committed: `make install` (and `make messages`) compile them, and a
catalog whose `.mo` is missing or older than its `.po` is compiled in memory when loaded, so a
fresh clone, an edited catalog and an installed package all read the current wording.
"""

from __future__ import annotations

import io
import logging
import re
import string
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from pipelines.languages import LANGUAGES, LOCALES
from pipelines.reporting.statuses import STATUS_ICONS, STATUSES  # noqa: F401 - re-exported

log = logging.getLogger(__name__)


LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


def N_(key: str) -> str:
    """Marks an id looked up by a computed name (`status.<code>`) for `pybabel extract`."""
    return key


def N_plural(key: str) -> str:
    """Marks an id with plural forms looked up by a computed name."""
    return key


# Ids looked up with a computed name (t.optional("status", code), f"reason.{code}", ...): listed
# here so `pybabel extract` finds them. tests/pipelines/reporting/test_messages.py checks that
# every id the code uses has an English and a Finnish text.
CODED = (
    N_("status.on_track"), N_("status.at_risk"), N_("status.off_track"), N_("status.stale"),
    N_("status.no_data"), N_("status.not_started"), N_("status.achieved"), N_("status.missed"),
    N_("level.company"), N_("level.team"),
    N_("confidence.low"), N_("confidence.medium"), N_("confidence.high"),
    N_("measure.sum"), N_("measure.avg"), N_("measure.last"), N_("measure.min"), N_("measure.max"),
    N_("measure.ratio"),
    N_("kr_type.progress"), N_("kr_type.stay_above"), N_("kr_type.stay_below"),
    N_("commitment.committed"), N_("commitment.aspirational"),
    N_("initiative.planned"), N_("initiative.in_progress"), N_("initiative.done"),
    N_("initiative.dropped"),
    N_("field.target"), N_("field.baseline"), N_("field.start_date"), N_("field.end_date"),
    N_("field.start"), N_("field.end"),
    N_("severity.ERROR"), N_("severity.WARN"), N_("severity.INFO"),
    N_("series_actual"), N_("series_target"), N_("series_pace"), N_("series_forecast"),
    N_("series_score"), N_("series_expected"),
    N_("forecast_method.run_rate_14d"), N_("forecast_method.hold_level"),
    N_("source.ga4"), N_("source.hubspot"), N_("source.ads"), N_("source.matomo"),
    N_("source.plausible"), N_("source.pipedrive"), N_("source.salesforce"), N_("source.okr"),
    N_("source.metrics"), N_("source.key_results"), N_("source.exports"),
    N_("check.kr_not_off_track"), N_("check.kr_not_at_risk"), N_("check.kr_achieved_after_period"),
    N_("check_kind.structure"), N_("check_kind.values"), N_("check_kind.freshness"),
    N_("check_kind.volume"), N_("check_kind.custom"),
    N_("health_failure_between"), N_("health_failure_null"), N_("health_failure_unique"),
    N_("health_failure_set"),
    # The scoring's reason codes (docs/scoring.md, "Reasons"), with their variants (reasons.py).
    N_("reason.not_started"), N_("reason.blocked_by_check"), N_("reason.no_data_metric"),
    N_("reason.no_data_zero_denominator"), N_("reason.no_data_no_matching_rows"),
    N_("reason.stale_source_failed"), N_plural("reason.stale_data"), N_("reason.achieved"),
    N_("reason.missed"), N_("reason.threshold_broken"), N_("reason.threshold_broken_final"),
    N_("reason.threshold_held"), N_("reason.behind_pace"), N_("reason.behind_pace_forecast"),
    N_("reason.forecast_below_target"), N_("reason.ahead_of_pace"), N_("reason.on_pace"),
    N_("objective_reason.not_started"), N_("objective_reason.no_data"),
    N_("objective_reason.achieved"), N_("objective_reason.missed"),
    N_("objective_reason.behind_pace"), N_("objective_reason.behind_pace_dragged"),
    N_("objective_reason.ahead_of_pace"), N_("objective_reason.on_pace"),
    N_plural("count.days"), N_plural("count.checks"), N_plural("count.errors"),
    N_plural("count.warnings"), N_plural("count.key_results"), N_plural("count.objectives"),
    N_plural("count.initiatives"), N_plural("count.rows"),
    N_("md_title"),  # exports.py reads it inside an f-string, where extraction cannot see it
    # Sentences with plural forms (chosen by their `count`), used as t("alert_intro", count=n).
    N_plural("alert_intro"), N_plural("data_health_late"), N_plural("kr_without_fresh_data"),
    N_plural("data_health_source_failed"), N_plural("data_health_files_rejected"),
    N_plural("health_source_krs"), N_plural("health_file_rejected"), N_plural("health_more_problems"),
    N_plural("data_health_definitions"), N_plural("health_pace_fallback.no_history"),
    N_plural("health_pace_fallback.history_not_positive"),
    N_plural("health_pace_fallback.period_over_a_year"), N_plural("health_pace_fallback.other"),
)  # fmt: skip

_PLURAL_SPEC = "count."  # a format spec naming a plural message: {days:count.days}
_DIGITS = re.compile(r"[^\d.,-]")


class MissingCatalogError(RuntimeError):
    pass


def catalog_path(lang: str, suffix: str = ".po") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


@cache
def load_translations(lang: str) -> Translations:
    """The compiled catalog of a language: its .mo when current, else the .po compiled in memory."""
    po, mo = catalog_path(lang), catalog_path(lang, ".mo")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    if not po.is_file():
        raise MissingCatalogError(f"{po}: no message catalog for language {lang!r}")
    log.debug("%s is missing or older than %s: compiling the catalog in memory", mo.name, po.name)
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=LOCALES.get(lang, lang))
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def _number(value: Any) -> int | float:
    """The count a plural form is chosen by; templates pass numbers already formatted ("1 234")."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = _DIGITS.sub("", str(value)).replace(",", ".")
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return 0


class _PluralFormatter(string.Formatter):
    def __init__(self, translator: Translator) -> None:
        self.translator = translator

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith(_PLURAL_SPEC):
            return self.translator.plural(format_spec, _number(value), count=value)
        return super().format_field(value, format_spec)


class Translator:
    """Looks messages up in one language; an unknown id is a programming error and raises KeyError."""

    def __init__(self, lang: str) -> None:
        if lang not in LOCALES:
            raise ValueError(f"lang: must be one of {', '.join(LANGUAGES)}, not {lang!r}")
        self.lang = lang
        self.translations = load_translations(lang)
        catalog = self.translations._catalog
        self._plural_ids = {k[0] for k in catalog if isinstance(k, tuple)}
        self._ids = {k for k in catalog if isinstance(k, str) and k} | self._plural_ids
        self._formatter = _PluralFormatter(self)

    def __call__(self, key: str, **values: object) -> str:
        if key in self._plural_ids:
            return self.plural(key, _number(values.get("count", 0)), **values)
        if key not in self._ids:
            raise KeyError(f"no message {key!r} in the {self.lang} catalog ({catalog_path(self.lang)})")
        return self._format(self.translations.gettext(key), values)

    def plural(self, key: str, n: float, **values: object) -> str:
        if key not in self._plural_ids:
            raise KeyError(f"no plural message {key!r} in the {self.lang} catalog")
        return self._format(self.translations.ngettext(key, key, n), values)

    def _format(self, text: str, values: dict[str, object]) -> str:
        return self._formatter.vformat(text, (), values) if values else text

    # gettext-style callables for Jinja2's i18n extension (`{{ _("nav_overview") }}` in templates).
    def gettext(self, key: str, **values: object) -> str:
        return self(key, **values)

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        return self.plural(singular, n, **{"count": n, **values})

    def optional(self, prefix: str, value: object) -> str:
        """Label of a coded value (`measure.sum`); values outside the catalogue are shown as written."""
        if value is None:
            return self("none_value")
        key = f"{prefix}.{value}"
        return self(key) if key in self._ids else str(value)

    def has(self, key: str) -> bool:
        return key in self._ids

    def status(self, status: str | None) -> str:
        return self.optional("status", status)
