"""Tests of the class list and class pages."""

import pytest
from django.urls import reverse

from iota.testing import make_pupil, make_pupil_user
from schools.models import Classroom

pytestmark = pytest.mark.django_db

LIST_URL = reverse("schools:class-list")


def detail_url(classroom) -> str:
    return reverse("schools:class-detail", args=[classroom.pk])


@pytest.fixture
def pupils(classroom, other_classroom):
    return [
        make_pupil(classroom, "Léa", "Martin", display_name="Léa M."),
        make_pupil(classroom, "Léa", "Dupont", display_name="Léa D."),
        make_pupil(other_classroom, "Hugo", "Petit"),
    ]


def test_teacher_lists_own_classes(client, teacher, classroom, other_classroom, pupils):
    client.force_login(teacher)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert list(response.context["classes"]) == [classroom]
    assert response.context["classes"][0].pupil_count == 2
    assert "ROUX24" in response.text
    assert "MART25" not in response.text


def test_coordinator_lists_all_classes(client, coordinator, classroom, other_classroom):
    client.force_login(coordinator)
    response = client.get(LIST_URL)
    assert set(response.context["classes"]) == {classroom, other_classroom}
    assert "Importer une liste ONDE" in response.text


def test_researcher_list_without_codes(client, researcher, classroom, pupils):
    client.force_login(researcher)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert list(response.context["classes"]) != []
    assert "ROUX24" not in response.text


def test_left_pupils_not_counted(client, teacher, classroom, pupils):
    pupils[0].left_on = pupils[0].birth_month
    pupils[0].save(update_fields=["left_on"])
    client.force_login(teacher)
    response = client.get(LIST_URL)
    assert response.context["classes"][0].pupil_count == 1


def test_list_queries_bounded(
    client, coordinator, school, school_year, django_assert_max_num_queries
):
    for index in range(10):
        Classroom.objects.create(
            school=school,
            school_year=school_year,
            label=f"CM1 {index}",
            code=f"CODE{index:02d}",
        )
    client.force_login(coordinator)
    with django_assert_max_num_queries(8):
        client.get(LIST_URL)


def test_pupil_forbidden(client, classroom, pupils):
    client.force_login(make_pupil_user(pupils[0]))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(detail_url(classroom)).status_code == 403


def test_anonymous_sent_to_login(client, classroom):
    response = client.get(detail_url(classroom))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_teacher_sees_names_in_class(client, teacher, classroom, pupils):
    client.force_login(teacher)
    response = client.get(detail_url(classroom))
    assert response.status_code == 200
    assert [pupil.display_name for pupil in response.context["pupils"]] == [
        "Léa D.",
        "Léa M.",
    ]
    assert "Martin" in response.text
    assert "ROUX24" in response.text


def test_names_in_alphabetical_order_despite_accents(client, teacher, classroom):
    for first_name in ("Zoé", "Élodie", "emma", "Ethan"):
        make_pupil(classroom, first_name, "Martin")
    client.force_login(teacher)
    response = client.get(detail_url(classroom))
    assert [pupil.display_name for pupil in response.context["pupils"]] == [
        "Élodie",
        "emma",
        "Ethan",
        "Zoé",
    ]


def test_colleague_gets_not_found(client, colleague, classroom):
    client.force_login(colleague)
    assert client.get(detail_url(classroom)).status_code == 404


def test_researcher_sees_counts_not_names(client, researcher, classroom, pupils):
    client.force_login(researcher)
    response = client.get(detail_url(classroom))
    assert response.status_code == 200
    assert response.context["pupil_count"] == 2
    assert response.context["level_counts"] == [("CM1", 2)]
    assert "pupils" not in response.context
    assert "Léa" not in response.text
    assert "Martin" not in response.text
    assert "ROUX24" not in response.text
    assert reverse("accounts:signin-cards", args=[classroom.pk]) not in response.text


def test_left_pupils_listed_apart(client, teacher, classroom, pupils):
    pupils[1].left_on = pupils[1].birth_month
    pupils[1].save(update_fields=["left_on"])
    client.force_login(teacher)
    response = client.get(detail_url(classroom))
    assert [pupil.display_name for pupil in response.context["pupils"]] == ["Léa M."]
    assert list(response.context["left_pupils"]) == [pupils[1]]


def test_class_actions_link_sign_in(client, teacher, classroom):
    client.force_login(teacher)
    response = client.get(detail_url(classroom))
    assert reverse("accounts:signin-cards", args=[classroom.pk]) in response.text
    assert 'class="class-actions"' in response.text
