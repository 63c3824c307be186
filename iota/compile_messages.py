"""Compile the .po translation catalogues to .mo with polib.

Django's `compilemessages` needs GNU gettext's msgfmt on the machine; polib is a locked
Python dependency, so `make install` works wherever the virtual environment does.
"""

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def main() -> None:
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


if __name__ == "__main__":
    main()
