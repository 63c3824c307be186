"""Builders shared by the test suites of every app."""

import datetime as dt
import secrets

from accounts.models import Role, User
from schools.models import Classroom, Pupil


def make_pupil(
    classroom: Classroom,
    first_name: str,
    last_name: str = "Durand",
    display_name: str | None = None,
    **fields: object,
) -> Pupil:
    """Create a pupil enrolled in `classroom`, with a random INE hash."""
    values: dict[str, object] = {
        "school": classroom.school,
        "classroom": classroom,
        "ine_hash": secrets.token_hex(32),
        "first_name": first_name,
        "last_name": last_name,
        "display_name": display_name or first_name,
        "level": (classroom.levels or ["CM1"])[0],
        "birth_month": dt.date(2017, 3, 1),
    }
    values.update(fields)
    return Pupil.objects.create(**values)


def make_pupil_user(pupil: Pupil) -> User:
    """Give `pupil` the account a first sign-in would create."""
    user = User.objects.create_user(None, None, role=Role.PUPIL)
    pupil.user = user
    pupil.save(update_fields=["user"])
    return user
