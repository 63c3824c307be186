"""Tests of schools.uai: the UAI code and its check letter."""

import pytest
from django.core.exceptions import ValidationError

from schools.models import Academie, School
from schools.uai import normalize_uai, uai_check_letter, uai_department, validate_uai


# UAIs of real lycées, listed in the Bulletin officiel spécial n° 8 of 1 October 2009.
@pytest.mark.parametrize(
    "uai",
    [
        "0040003G",  # André Honnorat, Barcelonnette
        "0130001F",  # Émile Zola, Aix-en-Provence
        "0130040Y",  # Thiers, Marseille (remainder 21)
        "0132410Z",  # Maurice Genevoix, Marignane (remainder 22)
    ],
)
def test_published_uai_accepted(uai):
    validate_uai(uai)
    assert uai_check_letter(uai[:7]) == uai[7]


@pytest.mark.parametrize(
    ("first_seven", "letter"),
    [
        ("0000000", "A"),  # remainder 0
        ("0000008", "J"),  # I is skipped
        ("0000013", "P"),  # O is skipped
        ("0000014", "R"),  # Q is skipped
        ("0000022", "Z"),  # remainder 22, the last letter
        ("0000023", "A"),  # 23 wraps round to A
    ],
)
def test_check_letter_skips_i_o_q(first_seven, letter):
    assert uai_check_letter(first_seven) == letter


def test_wrong_check_letter_names_expected():
    with pytest.raises(ValidationError) as error:
        validate_uai("0130001G")
    assert error.value.code == "uai_check_letter"
    message = error.value.messages[0]
    assert "« 0130001G »" in message
    assert "devrait être F" in message


@pytest.mark.parametrize(
    "value", ["013001F", "01300010F", "0130001", "A130001F", "0130001-F", ""]
)
def test_malformed_uai_rejected(value):
    with pytest.raises(ValidationError) as error:
        validate_uai(value)
    assert error.value.code == "uai_format"
    assert "7 chiffres puis une lettre" in error.value.messages[0]


def test_lower_case_and_spaces_accepted():
    validate_uai(" 0130001f ")
    assert normalize_uai(" 0130001f ") == "0130001F"


@pytest.mark.parametrize(
    ("uai", "department"),
    [
        ("0130001F", "13"),
        ("0010001W", "01"),
        ("6200001G", "2A"),
        ("7200001N", "2B"),
        ("9740001H", "974"),
    ],
)
def test_department_from_prefix(uai, department):
    assert uai_department(uai) == department


@pytest.mark.django_db
def test_school_model_checks_letter():
    academie = Academie.objects.create(
        code="paris", name="Paris", time_zone="Europe/Paris", holiday_zone="C"
    )
    school = School(uai="0130001G", name="École", academie=academie)
    with pytest.raises(ValidationError) as error:
        school.full_clean()
    assert "uai" in error.value.message_dict
