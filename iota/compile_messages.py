"""Compile the .po translation catalogues to .mo with polib.

Django's `compilemessages` needs GNU gettext's msgfmt on the machine; polib is a locked
Python dependency, so `make install` works wherever the virtual environment does.

The source strings are French, so French needs no translation, except for plurals:
without a French catalogue, gettext picks a plural form by the English rule, and
"0 activités réussies" comes out plural where French says "0 activité réussie". The
French catalogue is therefore built here from the English one's plural entries, each
translated to itself, under French's plural rule.
"""

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
FRENCH_MO = LOCALE_DIR / "fr" / "LC_MESSAGES" / "django.mo"


def french_plurals(source: polib.POFile) -> polib.POFile:
    """Return a French catalogue of the plural entries of `source`, as written."""
    catalogue = polib.POFile()
    catalogue.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": "fr",
        "Plural-Forms": "nplurals=2; plural=(n > 1);",
    }
    for entry in source:
        if entry.msgid_plural and not entry.obsolete:
            catalogue.append(
                polib.POEntry(
                    msgctxt=entry.msgctxt,
                    msgid=entry.msgid,
                    msgid_plural=entry.msgid_plural,
                    msgstr_plural={0: entry.msgid, 1: entry.msgid_plural},
                )
            )
    return catalogue


def main() -> None:
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
    english = polib.pofile(str(LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"))
    FRENCH_MO.parent.mkdir(parents=True, exist_ok=True)
    french_plurals(english).save_as_mofile(str(FRENCH_MO))


if __name__ == "__main__":
    main()
