"""Fictional schools and pupils in the ONDE export format, for the demo and benchmarks.

The names are common French first and last names drawn at random with a fixed seed;
they are no real pupils. The output has the columns, separator and line endings of a
real ONDE export. Fictional schools get a valid UAI (department prefix, serial
number and check letter) in a range of numbers chosen for the demo.
"""

import datetime as dt
import random
from dataclasses import dataclass

from schools.uai import uai_check_letter

FIRST_NAMES = (
    "Léa", "Lucas", "Chloé", "Hugo", "Inès", "Noah", "Zoé", "Adam", "Maëlys", "Éloïse",
    "Gabriel", "Anaïs", "Raphaël", "Jade", "Théo", "Manon", "Nathan", "Lina", "Loïc",
    "Emma", "Jules", "Aïcha", "Mathis", "Océane", "Sacha", "Célia", "Yanis", "Rose",
    "Marie-Lou", "Jean-Baptiste", "Naël", "Élise",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
    "Dupont-Moreau", "N'Diaye", "Le Gall", "Hoarau", "Payet", "Fontaine", "Chevalier",
)  # fmt: skip
HEADER = (
    "Nom élève;Prénom élève;INE; Cycle;Niveau;Libellé classe;Date naissance;Sexe;"
    "Date inscription"
)
# A pupil born in year Y starts CM1 in September of Y + 9, if never held back.
_AGE_AT_LEVEL = {"CE2": 8, "CM1": 9, "CM2": 10}


# Words of fictional school names ("École élémentaire des Cerisiers") and the
# departments they are placed in: Rhône, Bouches-du-Rhône, Gironde, Nord,
# Ille-et-Vilaine and Haute-Garonne, six académies over the three holiday zones.
SCHOOL_NAMES = (
    "des Cerisiers", "du Moulin", "des Glycines", "de la Source", "des Tilleuls",
    "du Port", "des Hirondelles", "de la Colline", "des Marronniers", "du Canal",
    "des Peupliers", "de la Garenne",
)  # fmt: skip
SCHOOL_DEPARTMENTS = ("069", "013", "033", "059", "035", "031")
# Serial numbers of fictional UAIs start here, after those the demo school uses.
_FIRST_UAI_SERIAL = 9001


@dataclass(frozen=True)
class ClassSpec:
    label: str
    levels: dict[str, int]  # level → number of pupils


@dataclass(frozen=True)
class SchoolSpec:
    uai: str
    name: str
    classes: list[ClassSpec]


def fictional_uai(department: str, serial: int) -> str:
    """Return a valid UAI in `department` ("069") with the four-digit `serial`."""
    first_seven = f"{department}{serial:04d}"
    if len(first_seven) != 7 or not first_seven.isdigit():
        raise ValueError(
            f"department {department!r} and serial {serial} do not make 7 digits"
        )
    return first_seven + uai_check_letter(first_seven)


def fictional_schools(
    class_counts: list[int],
    *,
    pupils_per_class: int,
    size_spread: int = 0,
    seed: int = 20261204,
) -> list[SchoolSpec]:
    """Return fictional schools with `class_counts[i]` CM1 or CM2 classes each.

    Class sizes are drawn uniformly within `size_spread` of `pupils_per_class`.
    A school's classes alternate between CM1 and CM2, and a school with an odd
    number of classes gets one mixed CM1-CM2 class.
    """
    if len(class_counts) > len(SCHOOL_NAMES):
        raise ValueError(
            f"{len(class_counts)} schools requested; at most {len(SCHOOL_NAMES)}"
        )
    if not 0 <= size_spread < pupils_per_class:
        raise ValueError(
            f"size_spread {size_spread} must lie in [0, {pupils_per_class})"
        )
    rng = random.Random(seed)
    schools = []
    for index, count in enumerate(class_counts):
        department = SCHOOL_DEPARTMENTS[index % len(SCHOOL_DEPARTMENTS)]
        classes = []
        for number in range(count):
            size = pupils_per_class + rng.randint(-size_spread, size_spread)
            if count % 2 and number == count - 1:
                cm1 = size // 2
                classes.append(ClassSpec("CM1-CM2", {"CM1": cm1, "CM2": size - cm1}))
            else:
                level = "CM1" if number % 2 == 0 else "CM2"
                group = "ABCDEFGH"[number // 2]
                classes.append(ClassSpec(f"{level} {group}", {level: size}))
        schools.append(
            SchoolSpec(
                uai=fictional_uai(department, _FIRST_UAI_SERIAL + index),
                name=f"École élémentaire {SCHOOL_NAMES[index]}",
                classes=classes,
            )
        )
    return schools


def fictional_onde_export(
    classes: list[ClassSpec],
    *,
    school_year_start: int,
    seed: int = 20261204,
    first_serial: int = 1,
) -> bytes:
    """Return an ONDE export (UTF-8, `;`, CRLF) of fictional pupils in `classes`.

    INEs are numbered from `first_serial`: exports meant to sit in one database
    need ranges that do not overlap, since a pupil is matched by INE.
    """
    rng = random.Random(seed)
    lines = [HEADER]
    serial = first_serial - 1
    for spec in classes:
        for level, count in spec.levels.items():
            birth_year = school_year_start - _AGE_AT_LEVEL[level]
            for _ in range(count):
                serial += 1
                birthday = dt.date(birth_year, 1, 1) + dt.timedelta(
                    days=rng.randrange(365)
                )
                letters = rng.choice("ABCDEFGHJK") + rng.choice("ABCDEFGHJK")
                lines.append(
                    ";".join(
                        [
                            rng.choice(LAST_NAMES),
                            rng.choice(FIRST_NAMES),
                            f"{serial:09d}{letters}",
                            "CYCLE II" if level == "CE2" else "CYCLE III",
                            level,
                            spec.label,
                            birthday.isoformat(),
                            rng.choice("FM"),
                            f"{school_year_start - 1}-09-01",
                        ]
                    )
                )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
