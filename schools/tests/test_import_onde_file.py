"""Tests of schools.services.import_onde_file against the real database."""

import datetime as dt
import gc
import hashlib
import hmac
import json
import logging
from collections import Counter

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from schools import services
from schools.import_writes import CLASS_INSERT_COLUMNS, INSERT_COLUMNS
from schools.models import Academie, Classroom, Pupil, School, SchoolYear
from schools.services import (
    CLASS_CODE_ALPHABET,
    ImportChangedError,
    OndeImportError,
    hash_ine,
    import_onde_file,
)
from schools.tests.onde_files import OTHER_UAI, TODAY, UAI, onde_csv, pupil_line
from schools.uai import uai_check_letter

pytestmark = pytest.mark.django_db


def run_import(lines, *, uai=UAI, today=TODAY, **options):
    return import_onde_file(onde_csv(lines), uai=uai, today=today, **options)


def pupil(ine: str) -> Pupil:
    return Pupil.objects.select_related("classroom").get(ine_hash=hash_ine(ine))


def uai_for(first_seven: str) -> str:
    return first_seven + uai_check_letter(first_seven)


CLASS_A = [
    pupil_line("Martin", "Léa", "0000000001A"),
    pupil_line("Dupont", "Hugo", "0000000002A"),
    pupil_line("Moreau", "Zoé", "0000000003A"),
]


# The reference exports


def test_reference_export_imports_61_pupils(reference_data):
    data = (reference_data / "onde" / "onde_ecole_utf8_bom.csv").read_bytes()
    report = import_onde_file(data, uai=UAI, today=TODAY)
    assert report.created == 61
    assert report.skipped == 8
    assert report.rejected == 0
    assert Pupil.objects.count() == 61
    assert Classroom.objects.count() == 3
    assert [(c.label, c.levels, c.pupil_count) for c in report.classes] == [
        ("CM1 A - Mme Roux", ("CM1",), 24),
        ("CM1-CM2 - M. Payet", ("CM1", "CM2"), 23),
        ("CE2-CM1 - Mme Hoarau", ("CE2", "CM1"), 14),
    ]


def test_reference_exports_store_same_pupils(reference_data):
    folder = reference_data / "onde"
    stored = []
    for name in ("onde_ecole_utf8_bom.csv", "onde_ecole_cp1252.csv"):
        import_onde_file((folder / name).read_bytes(), uai=UAI, today=TODAY)
        stored.append(
            sorted(
                Pupil.objects.values_list(
                    "ine_hash",
                    "last_name",
                    "first_name",
                    "display_name",
                    "level",
                    "birth_month",
                    "classroom__label",
                )
            )
        )
        Pupil.objects.all().delete()
        Classroom.objects.all().delete()
    assert len(stored[0]) == 61
    assert stored[0] == stored[1]


def test_reference_export_again_changes_nothing(reference_data):
    folder = reference_data / "onde"
    import_onde_file(
        (folder / "onde_ecole_utf8_bom.csv").read_bytes(), uai=UAI, today=TODAY
    )
    before = list(Pupil.objects.order_by("pk").values())
    with CaptureQueriesContext(connection) as queries:
        report = import_onde_file(
            (folder / "onde_ecole_cp1252.csv").read_bytes(), uai=UAI, today=TODAY
        )
    assert report.unchanged == 61
    assert report.counts == {
        "created": 0,
        "updated": 0,
        "moved": 0,
        "returned": 0,
        "left": 0,
        "unchanged": 61,
        "skipped": 8,
        "rejected": 0,
    }
    assert list(Pupil.objects.order_by("pk").values()) == before
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []


# School, académie and school year


def test_new_school_gets_academie_from_uai():
    report = run_import(CLASS_A, school_name="École des Lilas")
    school = School.objects.get(uai=UAI)
    assert report.school_created is True
    assert school.name == "École des Lilas"
    assert school.academie.code == "paris"
    assert school.academie.time_zone == "Europe/Paris"
    assert school.academie.holiday_zone == "C"
    assert report.school_id == school.pk


@pytest.mark.parametrize(
    ("first_seven", "code", "time_zone", "zone"),
    [
        ("0690001", "lyon", "Europe/Paris", "A"),
        ("6200001", "corse", "Europe/Paris", "corse"),
        ("9740001", "la-reunion", "Indian/Reunion", "overseas"),
        ("9730001", "guyane", "America/Cayenne", "overseas"),
    ],
)
def test_academie_follows_department(first_seven, code, time_zone, zone):
    run_import(CLASS_A, uai=uai_for(first_seven))
    academie = School.objects.get().academie
    assert academie.code == code
    assert academie.time_zone == time_zone
    assert academie.holiday_zone == zone


def test_existing_academie_reused(academie):
    run_import(CLASS_A)
    assert Academie.objects.count() == 1
    assert School.objects.get().academie == academie


def test_school_without_name_named_by_uai():
    run_import(CLASS_A, uai="0750001u")
    assert School.objects.get().name == "École 0750001U"


def test_existing_school_renamed_when_asked(school):
    run_import(CLASS_A, school_name="École Jules Ferry")
    school.refresh_from_db()
    assert school.name == "École Jules Ferry"


def test_existing_school_keeps_name(school):
    report = run_import(CLASS_A)
    school.refresh_from_db()
    assert report.school_created is False
    assert school.name == "École Test"


@pytest.mark.parametrize("uai", ["0750001A", "075001U", "ABCDEFGH"])
def test_invalid_uai_rejected(uai):
    with pytest.raises(OndeImportError) as error:
        run_import(CLASS_A, uai=uai)
    assert uai in error.value.message
    assert School.objects.count() == 0


def test_unknown_department_rejected():
    uai = uai_for("9990001")
    with pytest.raises(OndeImportError) as error:
        run_import(CLASS_A, uai=uai)
    assert "« 999 »" in error.value.message
    assert School.objects.count() == 0


@pytest.mark.parametrize(
    ("today", "label", "starts_on", "ends_on"),
    [
        (dt.date(2026, 12, 4), "2026-2027", dt.date(2026, 9, 1), dt.date(2027, 7, 3)),
        (dt.date(2027, 8, 31), "2026-2027", dt.date(2026, 9, 1), dt.date(2027, 7, 3)),
        (dt.date(2027, 9, 1), "2027-2028", dt.date(2027, 9, 1), dt.date(2028, 7, 1)),
    ],
)
def test_school_year_starts_september_first(today, label, starts_on, ends_on):
    lines = [pupil_line(birth_date="2017-03-14")]
    report = run_import(lines, today=today)
    year = SchoolYear.objects.get()
    assert report.school_year == label
    assert year.label == label
    assert year.starts_on == starts_on
    assert year.ends_on == ends_on


def test_existing_school_year_reused(school_year):
    run_import(CLASS_A)
    assert SchoolYear.objects.count() == 1
    assert Classroom.objects.get().school_year == school_year


# Classes


def test_classes_get_unique_codes():
    lines = [
        pupil_line(ine=f"00000000{index:02d}A", class_label=f"CM1 {index}")
        for index in range(12)
    ]
    run_import(lines)
    codes = list(Classroom.objects.values_list("code", flat=True))
    assert len(set(codes)) == 12
    for code in codes:
        assert len(code) == 6
        assert set(code) <= set(CLASS_CODE_ALPHABET)


def test_class_code_letters_equally_likely():
    # 186,000 letters give each of the 31 letters 6,000 draws on average, with a
    # standard deviation of 76. Without rejection sampling the first 8 letters
    # would average 6,750.
    letters = Counter("".join(services._random_class_codes(31_000)))
    assert set(letters) == set(CLASS_CODE_ALPHABET)
    assert min(letters.values()) > 5_600
    assert max(letters.values()) < 6_400


def test_class_code_kept_on_reimport():
    run_import(CLASS_A)
    code = Classroom.objects.get().code
    run_import(CLASS_A)
    assert Classroom.objects.get().code == code


def test_class_levels_include_skipped_levels():
    lines = [
        pupil_line(ine="0000000001A", level="CM1", class_label="CE2-CM1"),
        pupil_line(ine="0000000002A", level="CE2", class_label="CE2-CM1"),
        pupil_line(ine="0000000003A", level="CE2", class_label="CE2 B"),
    ]
    report = run_import(lines)
    assert Classroom.objects.get().levels == ["CE2", "CM1"]
    assert [summary.label for summary in report.classes] == ["CE2-CM1"]


def test_class_levels_updated_on_reimport():
    run_import([pupil_line(ine="0000000001A", level="CM1", class_label="Double")])
    lines = [
        pupil_line(ine="0000000001A", level="CM1", class_label="Double"),
        pupil_line(ine="0000000002A", level="CM2", class_label="Double"),
    ]
    report = run_import(lines)
    assert Classroom.objects.get().levels == ["CM1", "CM2"]
    assert report.classes[0].created is False


# INE


def test_ine_stored_only_as_keyed_hash():
    run_import([pupil_line(ine="0123456789A")])
    expected = hmac.new(
        settings.PSEUDONYM_KEY.encode(), b"0123456789A", hashlib.sha256
    ).hexdigest()
    assert Pupil.objects.get().ine_hash == expected


@pytest.mark.parametrize(
    "key",
    ["k", "", "x" * 63, "x" * 64, "x" * 65, "clé secrète " * 20],
    ids=["short", "empty", "63-bytes", "64-bytes", "65-bytes", "long-non-ascii"],
)
def test_ine_hash_is_standard_hmac(key):
    with override_settings(PSEUDONYM_KEY=key):
        for ine in ("0123456789A", "123456789AB"):
            expected = hmac.new(key.encode(), ine.encode(), hashlib.sha256)
            assert hash_ine(ine) == expected.hexdigest()


def test_ine_hash_depends_on_key():
    with override_settings(PSEUDONYM_KEY="another key"):
        run_import([pupil_line(ine="0123456789A")])
    assert Pupil.objects.get().ine_hash != hash_ine("0123456789A")


def test_ine_written_nowhere_in_database():
    run_import([pupil_line(ine="0123456789A"), pupil_line(ine="123456789AB")])
    for model in apps.get_models():
        for row in model.objects.values():
            text = json.dumps(row, default=str)
            assert "0123456789" not in text, model
            assert "123456789AB" not in text, model


# Re-import of an updated export


def test_changed_fields_update_pupil():
    run_import(CLASS_A)
    lines = [
        pupil_line(
            "Martin-Roux", "Léa", "0000000001A", level="CM2", birth_date="2016-11-02"
        ),
        *CLASS_A[1:],
    ]
    report = run_import(lines)
    lea = pupil("0000000001A")
    assert report.updated == 1
    assert report.unchanged == 2
    assert report.updated_pupils[0].fields == ("last_name", "level", "birth_month")
    assert lea.last_name == "Martin-Roux"
    assert lea.level == "CM2"
    assert lea.birth_month == dt.date(2016, 11, 1)
    assert Pupil.objects.count() == 3


def test_pupil_changing_class_moved():
    run_import(CLASS_A)
    lines = [
        *CLASS_A[:2],
        pupil_line("Moreau", "Zoé", "0000000003A", class_label="CM1 B"),
    ]
    report = run_import(lines)
    zoe = pupil("0000000003A")
    assert report.moved == 1
    assert report.moved_pupils[0].class_before == "CM1 A"
    assert report.moved_pupils[0].class_after == "CM1 B"
    assert zoe.classroom.label == "CM1 B"
    assert Classroom.objects.count() == 2
    assert Pupil.objects.count() == 3


def test_new_school_year_moves_pupils_to_new_classes():
    run_import(CLASS_A)
    report = run_import(CLASS_A, today=dt.date(2027, 9, 3))
    assert report.moved == 3
    assert Classroom.objects.count() == 2
    assert pupil("0000000001A").classroom.school_year.label == "2027-2028"


def test_unlisted_pupil_marked_left():
    run_import(CLASS_A)
    report = run_import(CLASS_A[:2], today=TODAY + dt.timedelta(days=30))
    zoe = pupil("0000000003A")
    assert report.left == 1
    assert report.left_pupils[0].class_before == "CM1 A"
    assert zoe.left_on == TODAY + dt.timedelta(days=30)
    assert zoe.classroom.label == "CM1 A"
    assert report.classes[0].pupil_count == 2


def test_left_pupil_counted_once():
    run_import(CLASS_A)
    run_import(CLASS_A[:2])
    report = run_import(CLASS_A[:2])
    assert report.left == 0
    assert report.unchanged == 2


def test_pupil_back_in_export_returns():
    run_import(CLASS_A)
    run_import(CLASS_A[:2])
    report = run_import(CLASS_A)
    assert report.returned == 1
    assert report.created == 0
    assert pupil("0000000003A").left_on is None
    assert Pupil.objects.count() == 3


def test_pupil_on_rejected_line_not_left():
    run_import(CLASS_A)
    lines = [
        *CLASS_A[:2],
        pupil_line("Moreau", "Zoé", "0000000003A", birth_date="32/01/2017"),
    ]
    report = run_import(lines)
    assert report.rejected == 1
    assert report.left == 0
    assert pupil("0000000003A").left_on is None


def test_pupil_at_skipped_level_leaves():
    run_import(CLASS_A)
    lines = [*CLASS_A[:2], pupil_line("Moreau", "Zoé", "0000000003A", level="CE2")]
    report = run_import(lines)
    assert report.skipped == 1
    assert report.left == 1


def test_pupils_of_other_school_untouched():
    run_import([pupil_line(ine="0000000009A", class_label="Ailleurs")], uai=OTHER_UAI)
    run_import(CLASS_A)
    run_import(CLASS_A[:1])
    assert Pupil.objects.get(ine_hash=hash_ine("0000000009A")).left_on is None


def test_pupil_from_other_school_transferred():
    run_import(
        [pupil_line("Martin", "Léa", "0000000001A", class_label="CM1 Lyon")],
        uai=OTHER_UAI,
    )
    report = run_import(CLASS_A)
    lea = pupil("0000000001A")
    assert report.moved == 1
    assert report.created == 2
    assert lea.school.uai == UAI
    assert lea.classroom.label == "CM1 A"
    assert "autre école" in report.warnings[0].reason
    assert Pupil.objects.count() == 3


# Lines of the file


def test_exact_duplicate_row_ignored():
    report = run_import([*CLASS_A, CLASS_A[0]])
    assert report.created == 3
    assert report.rejected == 0
    assert report.warnings[0].line == 5
    assert Pupil.objects.count() == 3


def test_conflicting_ine_rejected_on_line():
    lines = [*CLASS_A, pupil_line("Martin", "Lou", "0000000001A")]
    report = run_import(lines)
    assert report.created == 3
    assert report.rejected == 1
    assert report.rejections[0].line == 5
    assert report.rejections[0].column == "INE"
    assert pupil("0000000001A").first_name == "Léa"


def test_rejected_counts_lines_not_faults():
    lines = [*CLASS_A, pupil_line(first_name="", ine="12", birth_date="x")]
    report = run_import(lines)
    assert report.rejected == 1
    assert len(report.rejections) == 3


def test_names_stored_exactly():
    lines = [
        pupil_line(" Le Gall-N'Diaye ", "Marie  Lou", "0000000001A"),
        pupil_line("D’Arcy", "Anaïs", "0000000002A"),
    ]
    run_import(lines)
    assert pupil("0000000001A").last_name == "Le Gall-N'Diaye"
    assert pupil("0000000001A").first_name == "Marie  Lou"
    assert pupil("0000000002A").last_name == "D’Arcy"


def test_copy_escapes_stored_exactly():
    # On PostgreSQL new pupils go in through COPY's text format, where a backslash,
    # a tab and a line break must be escaped.
    lines = [
        pupil_line("Back\\slash", "Tab\tbed", "0000000001A"),
        pupil_line('"Line\nbreak"', '"Carriage\rreturn"', "0000000002A"),
    ]
    run_import(lines)
    assert pupil("0000000001A").last_name == "Back\\slash"
    assert pupil("0000000001A").first_name == "Tab\tbed"
    assert pupil("0000000002A").last_name == "Line\nbreak"
    assert pupil("0000000002A").first_name == "Carriage\rreturn"
    assert pupil("0000000002A").display_name == "Carriage\rreturn"


def test_new_pupil_has_no_pictures_or_account():
    run_import(CLASS_A[:1])
    lea = pupil("0000000001A")
    assert lea.picture_password == ""
    assert lea.user is None
    assert lea.created_at is not None
    assert lea.updated_at is not None


# Display names


def test_namesakes_in_class_told_apart():
    lines = [
        pupil_line("Martin", "Léa", "0000000001A"),
        pupil_line("Dupont", "Léa", "0000000002A"),
        pupil_line("Moreau", "Léa", "0000000003A", class_label="CM1 B"),
    ]
    run_import(lines)
    assert pupil("0000000001A").display_name == "Léa M."
    assert pupil("0000000002A").display_name == "Léa D."
    assert pupil("0000000003A").display_name == "Léa"


def test_arriving_namesake_renames_classmate():
    run_import(CLASS_A)
    run_import([*CLASS_A, pupil_line("Mercier", "Léa", "0000000004A")])
    assert pupil("0000000001A").display_name == "Léa Ma."
    assert pupil("0000000004A").display_name == "Léa Me."


def test_leaving_namesake_restores_first_name():
    lines = [*CLASS_A, pupil_line("Mercier", "Léa", "0000000004A")]
    run_import(lines)
    run_import(CLASS_A)
    assert pupil("0000000001A").display_name == "Léa"


def test_moved_namesake_updates_both_classes():
    lines = [*CLASS_A, pupil_line("Mercier", "Léa", "0000000004A")]
    run_import(lines)
    run_import(
        [*CLASS_A, pupil_line("Mercier", "Léa", "0000000004A", class_label="CM1 B")]
    )
    assert pupil("0000000001A").display_name == "Léa"
    assert pupil("0000000004A").display_name == "Léa"


# Transactions, dry runs and fingerprints


def test_fatal_error_writes_nothing():
    header = ("Nom élève", "Prénom élève", "Niveau", "Libellé classe", "Date naissance")
    data = onde_csv([["Martin", "Léa", "CM1", "CM1 A", "2017-03-14"]], header=header)
    with pytest.raises(OndeImportError):
        import_onde_file(data, uai=UAI, today=TODAY)
    for model in (Academie, School, SchoolYear, Classroom, Pupil):
        assert model.objects.count() == 0, model


def test_garbage_collector_restored_after_import():
    assert gc.isenabled()
    run_import(CLASS_A)
    assert gc.isenabled()
    with pytest.raises(OndeImportError):
        run_import(CLASS_A, uai="0750001A")
    assert gc.isenabled()


def test_garbage_collector_left_off_when_already_off():
    gc.disable()
    try:
        run_import(CLASS_A)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_failure_while_writing_rolls_back(monkeypatch):
    run_import(CLASS_A)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "update_pupils", fail)
    with pytest.raises(RuntimeError):
        run_import(
            [
                *CLASS_A[:2],
                pupil_line("Petit", "Jade", "0000000005A", class_label="CM1 B"),
            ]
        )
    assert Classroom.objects.count() == 1
    assert Pupil.objects.count() == 3
    assert pupil("0000000003A").left_on is None


def test_dry_run_writes_nothing():
    report = run_import(CLASS_A, dry_run=True)
    assert report.dry_run is True
    assert report.created == 3
    assert report.school_id is None
    for model in (Academie, School, SchoolYear, Classroom, Pupil):
        assert model.objects.count() == 0, model


def test_dry_run_of_reimport_writes_nothing():
    run_import(CLASS_A)
    before = list(Pupil.objects.order_by("pk").values())
    report = run_import(CLASS_A[:2], dry_run=True)
    assert report.left == 1
    assert list(Pupil.objects.order_by("pk").values()) == before


def test_dry_run_reports_what_import_does():
    preview = run_import(CLASS_A, dry_run=True)
    report = run_import(CLASS_A)
    assert preview.fingerprint == report.fingerprint
    assert preview.counts == report.counts


def test_changed_fingerprint_stops_import():
    preview = run_import(CLASS_A, dry_run=True)
    run_import(CLASS_A[:1])
    with pytest.raises(ImportChangedError):
        run_import(CLASS_A, expected_fingerprint=preview.fingerprint)
    assert Pupil.objects.count() == 1


def test_query_count_independent_of_pupils():
    run_import(CLASS_A)

    def count_queries(pupils: int, uai: str) -> int:
        lines = [
            pupil_line(ine=f"{uai[:7]}{index:03d}A", class_label=f"CM1 {index % 3}")
            for index in range(pupils)
        ]
        with CaptureQueriesContext(connection) as queries:
            run_import(lines, uai=uai)
        return len(queries.captured_queries)

    assert count_queries(3, uai_for("0750002")) == count_queries(
        300, uai_for("0750003")
    )


def test_insert_columns_cover_pupil_table():
    columns = {
        field.column for field in Pupil._meta.concrete_fields if not field.primary_key
    }
    assert set(INSERT_COLUMNS) == columns


def test_class_insert_columns_cover_classroom_table():
    columns = {field.column for field in Classroom._meta.concrete_fields}
    assert set(CLASS_INSERT_COLUMNS) == columns


def test_new_classes_belong_to_new_school_and_year(teacher):
    lines = [*CLASS_A, pupil_line(ine="0000000009A", class_label="CM1 B")]
    run_import(lines)
    school = School.objects.get()
    for classroom in Classroom.objects.all():
        assert classroom.school == school
        assert classroom.school_year.label == "2026-2027"
        assert classroom.levels == ["CM1"]
        classroom.teachers.add(teacher)
    later = Classroom.objects.create(
        school=school,
        school_year=SchoolYear.objects.get(),
        label="CM2 C",
        levels=["CM2"],
        code="LATER2",
    )
    assert later.pk not in {room.pk for room in Classroom.objects.exclude(pk=later.pk)}
    assert pupil("0000000009A").classroom.label == "CM1 B"


# Report and logs


def test_report_dict_is_json_without_names():
    report = run_import([*CLASS_A, pupil_line(ine="bad", first_name="Inès")])
    summary = report.to_dict()
    text = json.dumps(summary, ensure_ascii=False)
    assert summary["counts"]["created"] == 3
    assert summary["rejections"][0] == {
        "line": 5,
        "column": "INE",
        "reason": summary["rejections"][0]["reason"],
    }
    assert summary["classes"][0]["levels"] == ["CM1"]
    assert "Léa" not in text
    assert "Martin" not in text


def test_report_dict_lists_pupils_on_request():
    summary = run_import(CLASS_A).to_dict(include_pupils=True)
    assert summary["pupils"][0]["kind"] == "created"
    assert summary["pupils"][0]["first_name"] == "Léa"


def test_log_names_school_not_pupils(caplog):
    with caplog.at_level(logging.INFO, logger="schools.services"):
        report = run_import(CLASS_A)
    text = caplog.text
    assert f"school {report.school_id}" in text
    assert "3 created" in text
    for line in CLASS_A:
        assert line[0] not in text
        assert line[1] not in text
