"""Sign-in for children: picture passwords, sign-in windows and the sign-in itself."""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, SignInAttempt, SignInWindow, User
from accounts.pictures import (
    PASSWORD_LENGTH,
    PICTURES,
    format_picture_password,
    parse_picture_password,
)
from accounts.throttle import throttle_wait, wait_in_seconds
from schools.display_names import sorted_by_display_name
from schools.models import Classroom, Pupil

logger = logging.getLogger(__name__)

# A teacher may keep the window open for a whole school day, never longer.
MAX_WINDOW_MINUTES = 12 * 60
# Roles that open sign-in windows and print cards, within the classes they may see.
SIGNIN_MANAGER_ROLES = (Role.TEACHER, Role.COORDINATOR, Role.ADMINISTRATOR)


def may_manage_signin(user: User) -> bool:
    """Tell whether `user` has a role that manages pupils' sign-in."""
    return user.is_authenticated and (
        user.is_superuser or user.role in SIGNIN_MANAGER_ROLES
    )


# Picture passwords.


def generate_picture_password() -> str:
    """Draw a sequence of distinct pictures from a cryptographic random source."""
    keys = secrets.SystemRandom().sample(sorted(PICTURES), PASSWORD_LENGTH)
    return format_picture_password(keys)


def has_valid_picture_password(pupil: Pupil) -> bool:
    """Tell whether the stored sequence is one a pupil can tap on today's keypad."""
    keys = parse_picture_password(pupil.picture_password)
    return (
        len(keys) == PASSWORD_LENGTH
        and len(set(keys)) == PASSWORD_LENGTH
        and all(key in PICTURES for key in keys)
    )


def ensure_picture_passwords(classroom: Classroom) -> int:
    """Give a picture password to each enrolled pupil lacking a valid one.

    Pupils imported from ONDE arrive without one. Returns how many were given.
    """
    lacking = [
        pupil
        for pupil in enrolled_pupils(classroom)
        if not has_valid_picture_password(pupil)
    ]
    now = timezone.now()
    for pupil in lacking:
        pupil.picture_password = generate_picture_password()
        pupil.updated_at = now
    Pupil.objects.bulk_update(lacking, ["picture_password", "updated_at"])
    if lacking:
        logger.info(
            "Gave picture passwords to %d pupils of class %s.",
            len(lacking),
            classroom.pk,
        )
    return len(lacking)


def reset_picture_password(pupil: Pupil) -> str:
    """Replace the pupil's picture password with a new, different one."""
    old = pupil.picture_password
    new = generate_picture_password()
    while new == old:
        new = generate_picture_password()
    pupil.picture_password = new
    pupil.save(update_fields=["picture_password", "updated_at"])
    logger.info("Reset the picture password of pupil %s.", pupil.pk)
    return new


# Classes and their pupils.


def normalize_class_code(raw: str) -> str:
    """Remove every space and upper-case the code, as children type it loosely."""
    return "".join(raw.split()).upper()


def find_classroom_by_code(raw: str) -> Classroom | None:
    """Return the class whose code matches `raw` despite spaces and case, or None."""
    code = normalize_class_code(raw)
    if not code:
        return None
    return (
        Classroom.objects.select_related("school__academie").filter(code=code).first()
    )


def enrolled_pupils(classroom: Classroom) -> list[Pupil]:
    """Return the pupils currently in `classroom`, in alphabetical order of name."""
    pupils = Pupil.objects.filter(classroom=classroom, left_on__isnull=True)
    return sorted_by_display_name(pupils)


def get_enrolled_pupil(classroom: Classroom, pupil_id: int) -> Pupil | None:
    """Return the pupil `pupil_id` if enrolled in `classroom` now, else None."""
    return Pupil.objects.filter(
        pk=pupil_id, classroom=classroom, left_on__isnull=True
    ).first()


# Sign-in windows.


def current_signin_window(
    classroom: Classroom, now: datetime | None = None
) -> SignInWindow | None:
    """Return the window open now for the class, or None."""
    now = now or timezone.now()
    return (
        classroom.signin_windows.filter(opens_at__lte=now, closes_at__gt=now)
        .order_by("-closes_at")
        .first()
    )


def open_signin_window(
    classroom: Classroom,
    opened_by: User | None,
    minutes: int | None = None,
    now: datetime | None = None,
) -> SignInWindow:
    """Open the class's sign-in window for `minutes`, or move its end if it is open.

    `minutes` defaults to settings.IOTA_SIGNIN_WINDOW_MINUTES. Raises ValueError when
    it is not between 1 and MAX_WINDOW_MINUTES.
    """
    minutes = settings.IOTA_SIGNIN_WINDOW_MINUTES if minutes is None else minutes
    if not 1 <= minutes <= MAX_WINDOW_MINUTES:
        raise ValueError(
            f"The window length {minutes} is invalid: use 1 to "
            f"{MAX_WINDOW_MINUTES} minutes."
        )
    now = now or timezone.now()
    closes_at = now + timedelta(minutes=minutes)
    window = current_signin_window(classroom, now)
    if window is None:
        window = SignInWindow.objects.create(
            classroom=classroom, opened_by=opened_by, opens_at=now, closes_at=closes_at
        )
    else:
        window.closes_at = closes_at
        window.save(update_fields=["closes_at"])
    logger.info(
        "Opened sign-in window %s of class %s until %s (user %s).",
        window.pk,
        classroom.pk,
        closes_at.isoformat(),
        opened_by.pk if opened_by else None,
    )
    return window


def close_signin_window(
    classroom: Classroom, closed_by: User | None, now: datetime | None = None
) -> int:
    """Close the class's open window now. Returns how many windows were closed."""
    now = now or timezone.now()
    closed = classroom.signin_windows.filter(
        opens_at__lte=now, closes_at__gt=now
    ).update(closes_at=now)
    logger.info(
        "Closed %d sign-in windows of class %s (user %s).",
        closed,
        classroom.pk,
        closed_by.pk if closed_by else None,
    )
    return closed


# Signing in.


class SignInOutcome(StrEnum):
    SIGNED_IN = "signed-in"
    WRONG_PICTURES = "wrong-pictures"
    THROTTLED = "throttled"
    WINDOW_CLOSED = "window-closed"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None
    # Seconds before the next try is allowed; non-zero when throttled, and after a
    # wrong sequence that triggers the throttle.
    wait_seconds: int = 0


def pupil_wait_seconds(pupil: Pupil, device: str, now: datetime | None = None) -> int:
    """Return how many seconds the pupil must wait before trying on `device`."""
    return wait_in_seconds(throttle_wait(pupil.pk, device, now or timezone.now()))


def ensure_pupil_user(pupil: Pupil) -> User:
    """Return the pupil's account, creating it without e-mail or usable password."""
    if pupil.user is not None:
        return pupil.user
    user = User.objects.create_user(None, None, role=Role.PUPIL)
    pupil.user = user
    pupil.save(update_fields=["user", "updated_at"])
    logger.info("Created account %s for pupil %s.", user.pk, pupil.pk)
    return user


def sign_in_pupil(
    pupil: Pupil, device: str, keys: list[str], now: datetime | None = None
) -> SignInResult:
    """Check the tapped picture keys and return the account to log in on success.

    The pupil must be enrolled in a class whose sign-in window is open and must not
    be throttled on `device`. Each checked sequence is recorded as a SignInAttempt.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Locking the pupil row makes concurrent tries for one pupil queue, so two
        # tablets cannot both slip under the throttle or both create an account.
        pupil = (
            Pupil.objects.select_for_update(of=("self",))
            .select_related("classroom", "user")
            .get(pk=pupil.pk)
        )
        if (
            pupil.classroom is None
            or pupil.has_left
            or current_signin_window(pupil.classroom, now) is None
        ):
            return SignInResult(SignInOutcome.WINDOW_CLOSED)

        wait = pupil_wait_seconds(pupil, device, now)
        if wait:
            logger.info("Throttled a sign-in try for pupil %s for %ds.", pupil.pk, wait)
            return SignInResult(SignInOutcome.THROTTLED, wait_seconds=wait)

        succeeded = has_valid_picture_password(pupil) and secrets.compare_digest(
            format_picture_password(keys).encode(), pupil.picture_password.encode()
        )
        SignInAttempt.objects.create(
            pupil=pupil, device=device, succeeded=succeeded, attempted_at=now
        )
        if not succeeded:
            logger.info("Wrong picture password for pupil %s.", pupil.pk)
            return SignInResult(
                SignInOutcome.WRONG_PICTURES,
                wait_seconds=pupil_wait_seconds(pupil, device, now),
            )

        user = ensure_pupil_user(pupil)
    logger.info("Pupil %s signed in as account %s.", pupil.pk, user.pk)
    return SignInResult(SignInOutcome.SIGNED_IN, user=user)
