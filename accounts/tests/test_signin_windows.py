"""Sign-in windows: opening, extending, closing and which one is current."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import SignInWindow
from accounts.services import (
    close_signin_window,
    current_signin_window,
    open_signin_window,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)


def test_open_uses_default_length(classroom, teacher, settings):
    settings.IOTA_SIGNIN_WINDOW_MINUTES = 45
    window = open_signin_window(classroom, teacher, now=NOW)
    assert window.closes_at == NOW + dt.timedelta(minutes=45)
    assert window.opened_by == teacher


def test_open_uses_given_length(classroom, teacher):
    window = open_signin_window(classroom, teacher, minutes=10, now=NOW)
    assert window.closes_at == NOW + dt.timedelta(minutes=10)


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60])
def test_open_rejects_invalid_length(classroom, teacher, minutes):
    with pytest.raises(ValueError, match=str(minutes)):
        open_signin_window(classroom, teacher, minutes=minutes, now=NOW)


def test_open_again_moves_end_of_open_window(classroom, teacher):
    first = open_signin_window(classroom, teacher, minutes=30, now=NOW)
    later = NOW + dt.timedelta(minutes=20)
    second = open_signin_window(classroom, teacher, minutes=30, now=later)
    assert second.pk == first.pk
    assert second.closes_at == later + dt.timedelta(minutes=30)
    assert SignInWindow.objects.count() == 1


def test_window_is_current_until_it_closes(classroom, teacher):
    window = open_signin_window(classroom, teacher, minutes=30, now=NOW)
    assert current_signin_window(classroom, NOW) == window
    assert current_signin_window(classroom, NOW + dt.timedelta(minutes=29)) == window
    assert current_signin_window(classroom, NOW + dt.timedelta(minutes=30)) is None


def test_no_window_before_any_is_opened(classroom):
    assert current_signin_window(classroom) is None


def test_close_ends_window_early(classroom, teacher):
    open_signin_window(classroom, teacher, minutes=30, now=NOW)
    closed_at = NOW + dt.timedelta(minutes=5)
    assert close_signin_window(classroom, teacher, now=closed_at) == 1
    assert current_signin_window(classroom, closed_at) is None
    assert current_signin_window(classroom, NOW + dt.timedelta(minutes=1)) is not None


def test_close_without_open_window_changes_nothing(classroom, teacher):
    assert close_signin_window(classroom, teacher) == 0


def test_window_belongs_to_its_class_only(classroom, other_classroom, teacher):
    open_signin_window(classroom, teacher)
    assert current_signin_window(other_classroom) is None


def test_window_is_open_method(classroom, teacher):
    window = open_signin_window(classroom, teacher, minutes=30)
    assert window.is_open()
    assert not window.is_open(timezone.now() + dt.timedelta(hours=1))
