"""The page listing a class's pupils, reached by code or by the card's QR code."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.services import close_signin_window, open_signin_window
from iota.testing import make_pupil

pytestmark = pytest.mark.django_db


def url(code: str) -> str:
    return reverse("accounts:pupil-class", args=[code])


def test_names_of_enrolled_pupils_listed(client, classroom, teacher):
    open_signin_window(classroom, teacher)
    make_pupil(classroom, "Léa")
    make_pupil(classroom, "Tom")
    response = client.get(url("ROUX24"))
    assert response.status_code == 200
    assert "Léa" in response.text
    assert "Tom" in response.text


def test_pupils_who_left_not_listed(client, classroom, teacher):
    open_signin_window(classroom, teacher)
    make_pupil(classroom, "Gaspard", left_on=dt.date(2026, 10, 1))
    response = client.get(url("ROUX24"))
    assert "Gaspard" not in response.text


def test_pupils_of_other_classes_not_listed(
    client, classroom, other_classroom, teacher
):
    open_signin_window(classroom, teacher)
    make_pupil(other_classroom, "Noé")
    response = client.get(url("ROUX24"))
    assert "Noé" not in response.text


def test_names_in_alphabetical_order_despite_accents(client, classroom, teacher):
    open_signin_window(classroom, teacher)
    for name in ("Zoé", "élodie", "Adam", "Émile", "Bastien"):
        make_pupil(classroom, name)
    text = client.get(url("ROUX24")).text
    positions = [text.index(name) for name in ("Adam", "Bastien", "élodie", "Émile")]
    assert positions == sorted(positions)
    assert text.index("Émile") < text.index("Zoé")


def test_names_link_to_picture_keypad(client, classroom, teacher):
    open_signin_window(classroom, teacher)
    pupil = make_pupil(classroom, "Léa")
    response = client.get(url("ROUX24"))
    assert (
        reverse("accounts:pupil-pictures", args=["ROUX24", pupil.pk]) in response.text
    )


def test_closed_window_hides_names(client, classroom):
    make_pupil(classroom, "Léa")
    response = client.get(url("ROUX24"))
    assert response.status_code == 200
    assert "Léa" not in response.text
    assert "Demande à ton enseignant·e d'ouvrir la connexion" in response.text


def test_window_closed_early_hides_names(client, classroom, teacher):
    make_pupil(classroom, "Léa")
    open_signin_window(classroom, teacher)
    close_signin_window(classroom, teacher)
    assert "Léa" not in client.get(url("ROUX24")).text


def test_loose_code_in_url_redirects_to_exact_code(client, classroom):
    response = client.get(url("roux24"))
    assert response.status_code == 302
    assert response.url == url("ROUX24")


def test_unknown_code_in_url_shows_start_page(client, classroom):
    response = client.get(url("NOPE11"))
    assert response.status_code == 404
    assert "Le code « NOPE11 » ne correspond à aucune classe." in response.text
