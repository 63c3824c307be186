"""Finding a class from the code a pupil types."""

import pytest

from accounts.services import find_classroom_by_code, normalize_class_code

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["ROUX24", "roux24", " Roux 24 ", "r o u x 2 4\t"])
def test_find_tolerates_case_and_spaces(classroom, typed):
    assert find_classroom_by_code(typed) == classroom


@pytest.mark.parametrize("typed", ["ROUX25", "", "   ", "ROUX2"])
def test_find_unknown_code_returns_none(classroom, typed):
    assert find_classroom_by_code(typed) is None


def test_normalize_removes_spaces_and_uppercases():
    assert normalize_class_code(" ab c1 ") == "ABC1"
