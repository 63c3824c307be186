"""The pupils' start page, where they type their class code."""

import pytest
from django.urls import reverse

from accounts.devices import COOKIE_NAME

pytestmark = pytest.mark.django_db

URL = reverse("accounts:pupil-start")


def test_start_page_renders_code_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="code"' in response.text
    assert '<body class="pupil">' in response.text


def test_start_page_has_read_aloud_texts(client):
    response = client.get(URL)
    assert "data-read-aloud" in response.text
    assert "iota/js/readaloud.js" in response.text


def test_start_page_sets_device_cookie(client):
    response = client.get(URL)
    assert COOKIE_NAME in response.cookies


def test_known_code_redirects_to_class(client, classroom):
    response = client.get(URL, {"code": " roux 24 "})
    assert response.status_code == 302
    assert response.url == reverse("accounts:pupil-class", args=["ROUX24"])


def test_unknown_code_names_the_code(client, classroom):
    response = client.get(URL, {"code": "zz 99"})
    assert response.status_code == 404
    assert "Le code « ZZ99 » ne correspond à aucune classe." in response.text


def test_empty_code_asks_for_it(client):
    response = client.get(URL, {"code": "  "})
    assert response.status_code == 200
    assert "Tape le code écrit sur ta carte." in response.text
