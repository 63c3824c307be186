"""Tests of schools.academies: the reference table of departments and académies."""

from zoneinfo import ZoneInfo

from schools.academies import find_department, load_departments

METROPOLITAN = {f"{number:02d}" for number in range(1, 96) if number != 20} | {
    "2A",
    "2B",
}
OVERSEAS_DEPARTMENTS = {"971", "972", "973", "974", "976"}


def test_every_department_listed():
    codes = set(load_departments())
    assert codes >= METROPOLITAN
    assert codes >= OVERSEAS_DEPARTMENTS
    assert len(METROPOLITAN) == 96


def test_metropolitan_academies_in_paris_time():
    for code in METROPOLITAN:
        assert find_department(code).academie.time_zone == "Europe/Paris", code


def test_holiday_zones_of_known_academies():
    assert find_department("75").academie.holiday_zone == "C"
    assert find_department("69").academie.holiday_zone == "A"
    assert find_department("59").academie.holiday_zone == "B"
    assert find_department("2A").academie.holiday_zone == "corse"
    assert find_department("974").academie.holiday_zone == "overseas"


def test_overseas_time_zones():
    expected = {
        "971": "America/Guadeloupe",
        "972": "America/Martinique",
        "973": "America/Cayenne",
        "974": "Indian/Reunion",
        "976": "Indian/Mayotte",
    }
    for code, zone in expected.items():
        assert find_department(code).academie.time_zone == zone, code
        ZoneInfo(zone)


def test_normandie_merges_caen_and_rouen():
    for code in ("14", "27", "50", "61", "76"):
        assert find_department(code).academie.code == "normandie", code


def test_versailles_and_creteil_split_ile_de_france():
    assert {
        find_department(code).academie.code for code in ("78", "91", "92", "95")
    } == {"versailles"}
    assert {find_department(code).academie.code for code in ("77", "93", "94")} == {
        "creteil"
    }


def test_unknown_department_absent():
    assert find_department("99") is None
