"""The translation catalogues: English complete, French plurals by French rules."""

import polib
from django.utils import translation
from django.utils.translation import ngettext

from iota.compile_messages import LOCALE_DIR, french_plurals

ENGLISH_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"


def test_english_catalogue_translates_every_string():
    catalogue = polib.pofile(str(ENGLISH_PO))
    missing = [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]
    assert missing == []


def test_french_catalogue_keeps_plural_entries_as_written():
    catalogue = french_plurals(polib.pofile(str(ENGLISH_PO)))
    assert len(catalogue) > 0
    for entry in catalogue:
        assert entry.msgstr_plural == {0: entry.msgid, 1: entry.msgid_plural}


def test_zero_is_singular_in_french():
    with translation.override("fr"):
        text = ngettext(
            "%(counter)s activité réussie", "%(counter)s activités réussies", 0
        )
    assert text % {"counter": 0} == "0 activité réussie"
