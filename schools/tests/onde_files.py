"""Small ONDE exports built in the tests, so each test shows the lines it imports."""

import datetime as dt

HEADER = (
    "Nom élève",
    "Prénom élève",
    "INE",
    " Cycle",
    "Niveau",
    "Libellé classe",
    "Date naissance",
    "Sexe",
)
TODAY = dt.date(2026, 12, 4)  # school year 2026-2027; CM1 pupils were born in 2017
UAI = "0750001U"  # Paris
OTHER_UAI = "0690001B"  # Lyon


def pupil_line(
    last_name: str = "Martin",
    first_name: str = "Léa",
    ine: str = "0000000001A",
    level: str = "CM1",
    class_label: str = "CM1 A",
    birth_date: str = "2017-03-14",
    sex: str = "F",
) -> list[str]:
    cycle = "CYCLE III" if level in ("CM1", "CM2") else "CYCLE II"
    return [last_name, first_name, ine, cycle, level, class_label, birth_date, sex]


def onde_csv(
    lines: list[list[str]],
    *,
    header: tuple[str, ...] | list[str] = HEADER,
    separator: str = ";",
    newline: str = "\r\n",
    encoding: str = "utf-8",
) -> bytes:
    """Return an export with `header` and `lines`, as ONDE or Excel would write it."""
    rows = [separator.join(header)] + [separator.join(line) for line in lines]
    return (newline.join(rows) + newline).encode(encoding)
