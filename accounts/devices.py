"""The device id the sign-in throttle counts failures against.

A device is a random id kept in a long-lived signed cookie, set by every pupil page.
A request without a valid cookie (cookies blocked, or a forged value) counts as the
device of its IP address instead, through a keyed hash so no address is stored.
A guesser who drops the cookie therefore shares one device with every cookie-less
browser behind that address. That slows only sign-ins of the pupil being guessed,
on those browsers, because the throttle never spans pupils.
"""

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

COOKIE_NAME = "iota_device"
COOKIE_SALT = "accounts.devices"
# Browsers keep a cookie at most 400 days (RFC 6265bis), so asking for more is moot.
COOKIE_MAX_AGE = 400 * 24 * 3600
_ID_PREFIX = "d-"
_IP_PREFIX = "ip-"


def _cookie_device_id(request: HttpRequest) -> str | None:
    value = request.get_signed_cookie(
        COOKIE_NAME, default=None, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE
    )
    if value and value.startswith(_ID_PREFIX) and len(value) <= 40:
        return value
    return None


def device_id(request: HttpRequest) -> str:
    """Return the id that names the requesting device in `SignInAttempt.device`."""
    cookie_id = _cookie_device_id(request)
    if cookie_id:
        return cookie_id
    address = request.META.get("REMOTE_ADDR", "")
    return (
        _IP_PREFIX
        + salted_hmac(COOKIE_SALT, address, algorithm="sha256").hexdigest()[:40]
    )


def with_device_cookie(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Give the browser a device cookie on its first pupil page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if _cookie_device_id(request) is None:
            response.set_signed_cookie(
                COOKIE_NAME,
                _ID_PREFIX + secrets.token_urlsafe(16),
                salt=COOKIE_SALT,
                max_age=COOKIE_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    return wrapped
