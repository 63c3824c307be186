"""Fictional pupils in the ONDE export format, for the demo and the benchmarks.

The names are common French first and last names drawn at random with a fixed seed;
they are no real pupils. The output has the columns, separator and line endings of a
real ONDE export.
"""

import datetime as dt
import random
from dataclasses import dataclass

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


@dataclass(frozen=True)
class ClassSpec:
    label: str
    levels: dict[str, int]  # level → number of pupils


def fictional_onde_export(
    classes: list[ClassSpec], *, school_year_start: int, seed: int = 20261204
) -> bytes:
    """Return an ONDE export (UTF-8, `;`, CRLF) of fictional pupils in `classes`."""
    rng = random.Random(seed)
    lines = [HEADER]
    serial = 0
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
