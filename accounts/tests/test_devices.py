"""The device id that sign-in failures are counted against."""

from django.http import HttpResponse
from django.test import RequestFactory

from accounts.devices import COOKIE_NAME, COOKIE_SALT, device_id, with_device_cookie


def view(request):
    return HttpResponse("ok")


def test_first_page_sets_device_cookie():
    response = with_device_cookie(view)(RequestFactory().get("/"))
    assert COOKIE_NAME in response.cookies
    assert response.cookies[COOKIE_NAME]["httponly"]


def test_cookie_names_the_device():
    first = with_device_cookie(view)(RequestFactory().get("/"))
    request = RequestFactory().get("/")
    request.COOKIES[COOKIE_NAME] = first.cookies[COOKIE_NAME].value
    assert device_id(request).startswith("d-")


def test_valid_cookie_is_kept():
    first = with_device_cookie(view)(RequestFactory().get("/"))
    request = RequestFactory().get("/")
    request.COOKIES[COOKIE_NAME] = first.cookies[COOKIE_NAME].value
    response = with_device_cookie(view)(request)
    assert COOKIE_NAME not in response.cookies


def test_two_browsers_get_different_devices():
    ids = set()
    for _ in range(2):
        response = with_device_cookie(view)(RequestFactory().get("/"))
        request = RequestFactory().get("/")
        request.COOKIES[COOKIE_NAME] = response.cookies[COOKIE_NAME].value
        ids.add(device_id(request))
    assert len(ids) == 2


def test_no_cookie_falls_back_to_address():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7")
    assert device_id(request).startswith("ip-")
    assert "10.0.0.7" not in device_id(request)


def test_forged_cookie_falls_back_to_address():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7")
    request.COOKIES[COOKIE_NAME] = "d-forged"
    assert device_id(request).startswith("ip-")


def test_addresses_give_different_devices():
    first = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7")
    second = RequestFactory().get("/", REMOTE_ADDR="10.0.0.8")
    assert device_id(first) != device_id(second)


def test_cookie_signed_with_own_salt():
    request = RequestFactory().get("/")
    request.COOKIES[COOKIE_NAME] = "d-abc"
    assert request.get_signed_cookie(COOKIE_NAME, None, salt=COOKIE_SALT) is None
