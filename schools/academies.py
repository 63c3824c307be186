"""The reference table of académies, read from schools/data/academies.yaml.

The table maps a department code (as `schools.uai.uai_department` returns it) to its
académie, and each académie to its IANA time zone and school holiday zone. It is
checked when first loaded, so a typo in the file fails loudly instead of putting a
school in the wrong time zone.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import available_timezones

import yaml

from schools.models import HolidayZone

ACADEMIES_FILE = Path(__file__).resolve().parent / "data" / "academies.yaml"
SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class AcademieEntry:
    code: str
    name: str
    time_zone: str
    holiday_zone: str


@dataclass(frozen=True, slots=True)
class DepartmentEntry:
    code: str
    name: str
    academie: AcademieEntry


class AcademieTableError(ValueError):
    """The académies file breaks its own schema."""


@cache
def load_departments(path: Path = ACADEMIES_FILE) -> dict[str, DepartmentEntry]:
    """Read and check the académies file; return its departments by code."""
    # LibYAML's safe loader, when PyYAML was built with it, reads the file ten times
    # faster; both loaders build only plain data.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    if document.get("schema_version") != SCHEMA_VERSION:
        raise AcademieTableError(
            f"{path}: schema_version must be {SCHEMA_VERSION}, "
            f"found {document.get('schema_version')!r}"
        )
    zones = set(HolidayZone.values)
    time_zones = available_timezones()
    academies: dict[str, AcademieEntry] = {}
    for code, fields in document["academies"].items():
        if fields.get("holiday_zone") not in zones:
            raise AcademieTableError(
                f"{path}: académie {code}: holiday_zone {fields.get('holiday_zone')!r}"
                f" is not one of {sorted(zones)}"
            )
        if fields.get("time_zone") not in time_zones:
            raise AcademieTableError(
                f"{path}: académie {code}: unknown time zone "
                f"{fields.get('time_zone')!r}"
            )
        academies[code] = AcademieEntry(
            code=code,
            name=fields["name"],
            time_zone=fields["time_zone"],
            holiday_zone=fields["holiday_zone"],
        )
    departments: dict[str, DepartmentEntry] = {}
    for code, fields in document["departments"].items():
        academie = academies.get(fields.get("academie"))
        if academie is None:
            raise AcademieTableError(
                f"{path}: department {code}: unknown académie "
                f"{fields.get('academie')!r}"
            )
        departments[str(code)] = DepartmentEntry(
            code=str(code), name=fields["name"], academie=academie
        )
    return departments


def find_department(department_code: str) -> DepartmentEntry | None:
    """Return the department with this code ("75", "2A", "974"), or None."""
    return load_departments().get(department_code)
