"""Report pages per role, and the numbers they show against the statistics."""

import pandas as pd
import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import translation

from accounts.models import Role, User
from assessment.statistics import cronbach_alpha, mcdonald_omega
from assessment.tests.report_factories import (
    ITEMS,
    add_response,
    make_instrument,
    make_pupils,
    make_wave,
)
from conftest import PASSWORD

ANSWERS = [
    {"P1": 4, "P2": 4, "P3": 1, "P4": 3},
    {"P1": 3, "P2": 3, "P3": 2, "P4": 3},
    {"P1": 2, "P2": 1, "P3": 4, "P4": 2},
    {"P1": 1, "P2": 2, "P3": 3, "P4": 1},
    {"P1": 3, "P2": 4, "P3": 2, "P4": 4},
    {"P1": 2, "P2": 1, "P3": 3, "P4": 2},
]
NAMES = ["Léa-Rose", "Noé", "Inès", "Timéo", "Zoé", "Yanis"]


def shown(value: float) -> str:
    """The value as the French page prints it."""
    with translation.override("fr"):
        return floatformat(value, 2)


@pytest.fixture
def wave(classroom, other_classroom, school_year):
    return make_wave(make_instrument(), school_year, [classroom, other_classroom])


@pytest.fixture
def pupils(wave, classroom):
    pupils = make_pupils(classroom, NAMES)
    for pupil, values in zip(pupils, ANSWERS, strict=True):
        add_response(wave, pupil, values)
    return pupils


@pytest.fixture
def pupil_user(pupils) -> User:
    user = User.objects.create_user(None, None, role=Role.PUPIL)
    pupils[0].user = user
    pupils[0].save(update_fields=["user"])
    return user


def class_url(wave, classroom) -> str:
    return reverse("assessment:report-class-wave", args=[wave.pk, classroom.pk])


def wave_url(wave) -> str:
    return reverse("assessment:report-wave", args=[wave.pk])


def signed_in(client, user):
    if user.email:
        client.login(email=user.email, password=PASSWORD)
    else:
        client.force_login(user)
    return client


def test_class_report_teacher_sees_names(client, teacher, wave, classroom, pupils):
    response = signed_in(client, teacher).get(class_url(wave, classroom))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Léa-Rose" in content
    assert "Scores des élèves" in content


def test_class_report_colleague_not_found(client, colleague, wave, classroom, pupils):
    response = signed_in(client, colleague).get(class_url(wave, classroom))
    assert response.status_code == 404


def test_class_report_researcher_no_names(client, researcher, wave, classroom, pupils):
    response = signed_in(client, researcher).get(class_url(wave, classroom))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Alpha de Cronbach" in content
    for name in NAMES:
        assert name not in content


def test_class_report_pupil_forbidden(client, pupil_user, wave, classroom):
    response = signed_in(client, pupil_user).get(class_url(wave, classroom))
    assert response.status_code == 403


def test_class_report_anonymous_redirected(client, wave, classroom):
    response = client.get(class_url(wave, classroom))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_class_report_coordinator_sees_names(
    client, coordinator, wave, classroom, pupils
):
    response = signed_in(client, coordinator).get(class_url(wave, classroom))
    assert response.status_code == 200
    assert "Timéo" in response.content.decode()


def test_class_report_class_outside_campaign(
    client, teacher, wave, classroom, school, school_year
):
    from schools.models import Classroom

    outside = Classroom.objects.create(
        school=school, school_year=school_year, label="CM2 C", code="OUT999"
    )
    outside.teachers.add(teacher)
    response = signed_in(client, teacher).get(class_url(wave, outside))
    assert response.status_code == 404


def test_class_report_numbers_match_statistics(
    client, teacher, wave, classroom, pupils
):
    keyed = pd.DataFrame(ANSWERS, columns=list(ITEMS), dtype=float)
    keyed["P3"] = 5 - keyed["P3"]
    alpha = cronbach_alpha(keyed, missing="pairwise")
    omega = mcdonald_omega(keyed)
    scores = keyed.mean(axis=1)
    content = signed_in(client, teacher).get(class_url(wave, classroom))
    content = content.content.decode()
    assert shown(alpha.at[0, "alpha"]) in content
    assert shown(alpha.at[0, "ci_low"]) in content
    assert shown(alpha.at[0, "ci_high"]) in content
    assert shown(omega.at[0, "omega"]) in content
    assert shown(scores.mean()) in content
    assert shown(scores.std()) in content
    assert "6 questionnaires terminés sur 6 élèves inscrits" in content


def test_class_report_inline_svg(client, teacher, wave, classroom, pupils):
    response = signed_in(client, teacher).get(class_url(wave, classroom))
    content = response.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in content
    assert "<script>" not in content.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_class_report_too_few_responses(client, teacher, wave, classroom):
    (pupil,) = make_pupils(classroom, ["Léa"])
    add_response(wave, pupil, ANSWERS[0])
    content = signed_in(client, teacher).get(class_url(wave, classroom))
    content = content.content.decode()
    assert "Pas assez de réponses complètes : il en faut au moins 3" in content
    assert "Il faut au moins 2 scores pour l’écart-type." in content


def test_class_report_simulated_labelled(client, teacher, wave, classroom):
    (pupil,) = make_pupils(classroom, ["Léa"])
    add_response(wave, pupil, ANSWERS[0], simulated=True)
    content = signed_in(client, teacher).get(class_url(wave, classroom))
    content = content.content.decode()
    assert "1 réponse de ce rapport est simulée" in content
    assert content.count("données simulées") >= 3


def test_wave_report_coordinator_all_classes(
    client, coordinator, wave, classroom, other_classroom, pupils
):
    response = signed_in(client, coordinator).get(wave_url(wave))
    content = response.content.decode()
    assert response.status_code == 200
    assert classroom.label in content
    assert other_classroom.label in content
    assert "Léa-Rose" not in content


def test_wave_report_teacher_own_class_only(
    client, teacher, wave, classroom, other_classroom, pupils
):
    response = signed_in(client, teacher).get(wave_url(wave))
    content = response.content.decode()
    assert response.status_code == 200
    assert other_classroom.label not in content
    assert "6 questionnaires terminés sur 6 élèves inscrits" in content


def test_wave_report_teacher_outside_campaign(client, wave, school_year):
    from conftest import make_user

    outsider = make_user(Role.TEACHER, "ailleurs@example.org")
    response = signed_in(client, outsider).get(wave_url(wave))
    assert response.status_code == 404


def test_wave_report_researcher_no_names(client, researcher, wave, pupils):
    content = signed_in(client, researcher).get(wave_url(wave)).content.decode()
    for name in NAMES:
        assert name not in content


def test_wave_report_pupil_forbidden(client, pupil_user, wave):
    response = signed_in(client, pupil_user).get(wave_url(wave))
    assert response.status_code == 403


def test_index_lists_visible_waves(client, teacher, wave, classroom, other_classroom):
    content = signed_in(client, teacher).get(reverse("assessment:report-index"))
    content = content.content.decode()
    assert class_url(wave, classroom) in content
    assert class_url(wave, other_classroom) not in content
    assert wave_url(wave) in content


def test_index_colleague_without_campaign(client, wave):
    from conftest import make_user

    outsider = make_user(Role.TEACHER, "ailleurs@example.org")
    content = signed_in(client, outsider).get(reverse("assessment:report-index"))
    assert wave_url(wave) not in content.content.decode()


def test_index_pupil_forbidden(client, pupil_user):
    response = signed_in(client, pupil_user).get(reverse("assessment:report-index"))
    assert response.status_code == 403


def test_class_report_post_not_allowed(client, teacher, wave, classroom):
    response = signed_in(client, teacher).post(class_url(wave, classroom))
    assert response.status_code == 405
