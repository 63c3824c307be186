"""Picture passwords: generation, giving them to a class, and resets."""

import datetime as dt

import pytest

from accounts.pictures import PICTURES, parse_picture_password
from accounts.services import (
    ensure_picture_passwords,
    generate_picture_password,
    has_valid_picture_password,
    reset_picture_password,
)
from iota.testing import make_pupil


def test_generated_password_has_three_distinct_known_pictures():
    for _ in range(50):
        keys = parse_picture_password(generate_picture_password())
        assert len(keys) == 3
        assert len(set(keys)) == 3
        assert set(keys) <= set(PICTURES)


def test_generated_passwords_vary():
    assert len({generate_picture_password() for _ in range(20)}) > 1


@pytest.mark.django_db
class TestEnsurePicturePasswords:
    def test_gives_one_to_each_pupil_lacking(self, classroom):
        pupils = [make_pupil(classroom, name) for name in ("Léa", "Tom", "Inès")]
        assert ensure_picture_passwords(classroom) == 3
        for pupil in pupils:
            pupil.refresh_from_db()
            assert has_valid_picture_password(pupil)

    def test_keeps_existing_passwords(self, classroom):
        pupil = make_pupil(classroom, "Léa", picture_password="sun,cat,boat")
        assert ensure_picture_passwords(classroom) == 0
        pupil.refresh_from_db()
        assert pupil.picture_password == "sun,cat,boat"

    def test_replaces_invalid_password(self, classroom):
        pupil = make_pupil(classroom, "Léa", picture_password="sun,dragon")
        assert ensure_picture_passwords(classroom) == 1
        pupil.refresh_from_db()
        assert has_valid_picture_password(pupil)

    def test_skips_pupils_who_left(self, classroom):
        pupil = make_pupil(classroom, "Léa", left_on=dt.date(2026, 10, 1))
        assert ensure_picture_passwords(classroom) == 0
        pupil.refresh_from_db()
        assert pupil.picture_password == ""

    def test_skips_other_classes(self, classroom, other_classroom):
        other = make_pupil(other_classroom, "Noé")
        ensure_picture_passwords(classroom)
        other.refresh_from_db()
        assert other.picture_password == ""


@pytest.mark.django_db
def test_reset_gives_a_different_password(classroom):
    pupil = make_pupil(classroom, "Léa", picture_password="sun,cat,boat")
    new = reset_picture_password(pupil)
    pupil.refresh_from_db()
    assert pupil.picture_password == new
    assert new != "sun,cat,boat"
    assert has_valid_picture_password(pupil)
