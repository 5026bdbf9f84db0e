"""The gettext catalogs: every message the code and the templates use has an English and a Finnish
text, placeholders agree across languages, plurals agree with the count, and the catalogs load
without compiled .mo files (a fresh clone)."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from pipelines.reporting import messages
from pipelines.reporting.messages import LANGUAGES, LOCALE_DIR, Translator, catalog_path
from pipelines.reporting.statuses import STATUSES
from pipelines.settings import REPO_ROOT

KEYWORDS = {
    "t": None,
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "N_plural": (1, 1),
}  # as `make messages`


def _catalog(lang: str) -> Catalog:
    with catalog_path(lang).open("rb") as fh:
        return read_po(fh)


def _used_ids() -> dict[str, list[str]]:
    """Every message id in the code and the templates, as `pybabel extract` (babel.cfg) sees it."""
    method_map = [("pipelines/reporting/**.py", "python"), ("pipelines/reporting/templates/**.j2", "jinja2")]
    options = {"**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}}
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
        REPO_ROOT, method_map, options, keywords=KEYWORDS
    ):
        key = message[0] if isinstance(message, tuple) else message
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _specs(text: str) -> set[str]:
    return {spec for _, _, spec, _ in string.Formatter().parse(text) if spec}


def test_the_babel_mapping_is_the_one_the_test_extracts_with() -> None:
    cfg = (LOCALE_DIR / "babel.cfg").read_text(encoding="utf-8")
    assert "[python: pipelines/reporting/**.py]" in cfg
    assert "[jinja2: pipelines/reporting/templates/**.j2]" in cfg


def test_the_extraction_finds_the_code_and_the_templates() -> None:
    used = _used_ids()
    assert any(loc.startswith("pipelines/reporting/templates/") for loc in used["nav_overview"])
    assert all(f"status.{s}" in used for s in STATUSES)
    assert len(used) > 200


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_in_use_is_translated(lang: str) -> None:
    """Fails when a message id used in the code or a template has no (or a fuzzy, or an empty)
    text in this language's catalog: add it with `make messages` and translate it."""
    catalog = _catalog(lang)
    missing = []
    for key, where in sorted(_used_ids().items()):
        message = catalog.get(key)
        strings = (
            message.string if message and isinstance(message.string, tuple) else [message and message.string]
        )
        if message is None or message.fuzzy or not all(strings):
            missing.append(f"{key} (used at {where[0]})")
    assert missing == [], f"{catalog_path(lang)}: untranslated messages:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_translations_match_the_english_catalog(lang: str) -> None:
    """Same ids, same plural shape, same placeholders (a translation can never raise KeyError at
    render time), and every plural spec like {days:count.days} names a plural message."""
    en, other = _catalog("en"), _catalog(lang)
    en_ids = {m.id for m in en if m.id}
    assert {m.id for m in other if m.id} == en_ids
    plural_ids = {m.id[0] for m in en if isinstance(m.id, tuple)}
    for message in en:
        if not message.id:
            continue
        theirs = other.get(message.id[0] if isinstance(message.id, tuple) else message.id)
        ours_texts = message.string if isinstance(message.string, tuple) else (message.string,)
        their_texts = theirs.string if isinstance(theirs.string, tuple) else (theirs.string,)
        assert {f for s in their_texts for f in _fields(s)} == _fields(ours_texts[-1]), message.id
        for text in (*ours_texts, *their_texts):
            assert {s for s in _specs(text) if s.startswith("count.")} <= plural_ids, (message.id, text)


def test_plural_forms() -> None:
    en, fi = Translator("en"), Translator("fi")
    assert en("kr_without_fresh_data", count=1) == "1 key result is stale or has no data."
    assert en("kr_without_fresh_data", count=3) == "3 key results are stale or have no data."
    assert en("alert_intro", count="1", previous="25 Nov") == "1 key result changed status since 25 Nov."
    # A count inside a sentence through its plural message, also when already formatted.
    assert en("person_owns", objectives="1", krs="2", initiatives="1 234") == (
        "1 objective, 2 key results, 1 234 initiatives"
    )
    assert en("data_health_late", source="HubSpot", days="1", count=4) == (
        "HubSpot data 1 day late: 4 key results affected."
    )
    assert fi("data_health_late", source="HubSpot", days="3", count=1) == (
        "Lähteen HubSpot data 3 päivää myöhässä: koskee 1 avaintulosta."
    )
    assert fi("person_owns", objectives="1", krs="2", initiatives="0") == (
        "1 tavoite, 2 avaintulosta, 0 toimenpidettä"
    )
    assert en.ngettext("count.checks", "count.checks", 1) == "1 check"


def test_unknown_ids_and_languages_are_errors() -> None:
    t = Translator("fi")
    with pytest.raises(KeyError, match="no message 'no_such_message' in the fi catalog"):
        t("no_such_message")
    assert t.optional("measure", "median") == "median"  # a coded value outside the catalog: as written
    with pytest.raises(ValueError, match="lang: must be one of en, fi, not 'de'"):
        Translator("de")


def test_a_fresh_clone_without_mo_files_reads_the_po_files(monkeypatch, tmp_path: Path) -> None:
    """The .mo files are build output (not in git): without them the .po is compiled in memory;
    a stale .mo (older than its .po) is not used either."""
    for lang in LANGUAGES:
        target = tmp_path / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        (target / "messages.po").write_bytes(catalog_path(lang).read_bytes())
    monkeypatch.setattr(messages, "LOCALE_DIR", tmp_path)
    messages.load_translations.cache_clear()
    try:
        assert not list(tmp_path.rglob("*.mo"))
        assert Translator("fi").status("off_track") == "Jäljessä"
        assert Translator("en")("count.key_results", count=2) == "2 key results"
    finally:
        messages.load_translations.cache_clear()


def test_catalogs_declare_their_language_and_plural_rule() -> None:
    for lang, locale in messages.LOCALES.items():
        catalog = _catalog(lang)
        assert str(catalog.locale) == locale
        assert catalog.num_plurals >= 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalog_message_is_found_by_extraction(lang: str) -> None:
    """`make messages` drops what extraction does not find: an id looked up with a computed name
    must be marked with N_()/N_plural() in messages.py, or the next update loses its texts."""
    unused = sorted(
        {m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalog(lang) if m.id} - set(_used_ids())
    )
    assert unused == [], f"{catalog_path(lang)}: not found by `pybabel extract`: {unused}"
