"""Display names that tell namesakes apart within a class.

A pupil is shown by first name alone when no classmate shares it. Namesakes get the
shortest start of their last name that no other namesake's last name begins with:
"Léa M." next to "Léa D.", "Léa Ma." next to "Léa Mo.". Names are compared without
case or accents, because "Lea" and "Léa" look alike to a child scanning a list.
Pupils with the same first and last name are numbered in birth-month order.
"""

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from schools.models import Pupil

MAX_LENGTH = 120  # Pupil.display_name's max_length
_SEPARATORS = " -'’"


class NamedPupil(Protocol):
    @property
    def first_name(self) -> str: ...

    @property
    def last_name(self) -> str: ...

    @property
    def birth_month(self) -> date: ...

    display_name: str


class _FoldTable(dict[int, str]):
    """A str.translate table that folds each character the first time it is seen.

    One character in, one character out, so a prefix length measured on the folded
    name is also a prefix length of the name as written.
    """

    def __missing__(self, code_point: int) -> str:
        base = unicodedata.normalize("NFD", chr(code_point))[:1]
        folded = base.lower()[:1] or base
        self[code_point] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold_name(name: str) -> str:
    """Return `name` lower-cased and without accents, one character per character."""
    if name.isascii():
        # The same result as the table, several times faster for the most common case.
        return name.lower()
    return name.translate(_FOLD_TABLE)


def _common_prefix_length(first: str, second: str) -> int:
    length = 0
    for left, right in zip(first, second, strict=False):
        if left != right:
            break
        length += 1
    return length


def _shortened_last_names(original: dict[str, str]) -> dict[str, str]:
    """Map each folded last name to the shortest start that sets it apart.

    `original` maps each folded last name to the name as written. In sorted order a
    name shares its longest prefix with a neighbour, so one more character than
    that prefix distinguishes it from every other name.
    """
    folded = sorted(original)
    lengths: dict[str, int] = {}
    for index, key in enumerate(folded):
        longest_shared = 0
        if index > 0:
            longest_shared = _common_prefix_length(key, folded[index - 1])
        if index + 1 < len(folded):
            longest_shared = max(
                longest_shared, _common_prefix_length(key, folded[index + 1])
            )
        lengths[key] = longest_shared + 1
    result: dict[str, str] = {}
    for key, length in lengths.items():
        name = original[key]
        # "Le Gall" next to "Le Bris" becomes "Le G.", not "Le.": a start that ends
        # on a space or hyphen takes the next letter too.
        while length < len(name) and name[length - 1] in _SEPARATORS:
            length += 1
        if length >= len(name):
            # The whole last name: either it is the start of a classmate's ("Ma"
            # next to "Martin") or the short form would be as long as the name.
            result[key] = name
        else:
            result[key] = name[:length] + "."
    return result


def compute_display_names(pupils: Iterable[NamedPupil]) -> None:
    """Set `display_name` on each pupil of one class, in place."""
    by_first_name: dict[str, list[NamedPupil]] = defaultdict(list)
    for pupil in pupils:
        by_first_name[fold_name(pupil.first_name.strip())].append(pupil)
    for namesakes in by_first_name.values():
        if len(namesakes) == 1:
            namesakes[0].display_name = namesakes[0].first_name[:MAX_LENGTH]
            continue
        same_name: dict[str, list[NamedPupil]] = defaultdict(list)
        written: dict[str, str] = {}
        for pupil in namesakes:
            last_name = pupil.last_name.strip()
            key = fold_name(last_name)
            same_name[key].append(pupil)
            written[key] = last_name
        shortened = _shortened_last_names(written)
        for key, group in same_name.items():
            if len(group) == 1:
                pupil = group[0]
                pupil.display_name = f"{pupil.first_name} {shortened[key]}"[:MAX_LENGTH]
                continue
            group.sort(key=_birth_order)
            for number, pupil in enumerate(group, start=1):
                suffix = f" ({number})"
                base = f"{pupil.first_name} {shortened[key]}"
                pupil.display_name = base[: MAX_LENGTH - len(suffix)] + suffix


def sorted_by_display_name(pupils: Iterable["Pupil"]) -> list["Pupil"]:
    """Return `pupils` in alphabetical order of display name, then of primary key.

    Database collations differ (SQLite sorts "Élodie" after "Zoé"), so the sort runs
    here on the folded name.
    """
    return sorted(pupils, key=lambda pupil: (fold_name(pupil.display_name), pupil.pk))


def _birth_order(pupil: NamedPupil) -> tuple[str, str]:
    # The keyed INE hash breaks ties between twins, so the numbering is the same on
    # every import.
    return (str(pupil.birth_month), getattr(pupil, "ine_hash", ""))
