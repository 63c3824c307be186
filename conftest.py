"""Fixtures shared by every app's tests: places, personas and the reference data."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from accounts.models import Role, User
from schools.models import Academie, Classroom, School, SchoolYear

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def platform_language():
    """Start each test in French, since an English request leaves English active."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Empty the cache after each test: rolled-back rows give their ids to the next."""
    yield
    cache.clear()


@pytest.fixture
def reference_data() -> Path:
    """The public reference data folder; tests that need it skip when it is absent."""
    path = Path(settings.IOTA_REFERENCE_DATA)
    if not path.is_dir():
        pytest.skip(
            f"reference data not found at {path}: set IOTA_REFERENCE_DATA to the "
            "folder holding onde/, cronbach_wide_missing.csv and the other files"
        )
    return path


@pytest.fixture
def academie(db) -> Academie:
    return Academie.objects.create(
        code="paris", name="Paris", time_zone="Europe/Paris", holiday_zone="C"
    )


@pytest.fixture
def school(academie) -> School:
    return School.objects.create(uai="0750001U", name="École Test", academie=academie)


@pytest.fixture
def school_year(db) -> SchoolYear:
    return SchoolYear.objects.create(
        label="2026-2027", starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2027, 7, 3)
    )


def make_user(role: str, email: str, **fields) -> User:
    return User.objects.create_user(email, PASSWORD, role=role, **fields)


@pytest.fixture
def teacher(db) -> User:
    return make_user(Role.TEACHER, "enseignante@example.org", first_name="Claire")


@pytest.fixture
def colleague(db) -> User:
    """A teacher of another class of the same school."""
    return make_user(Role.TEACHER, "collegue@example.org", first_name="Paul")


@pytest.fixture
def coordinator(db) -> User:
    return make_user(Role.COORDINATOR, "coordination@example.org")


@pytest.fixture
def researcher(db) -> User:
    return make_user(Role.RESEARCHER, "recherche@example.org")


@pytest.fixture
def administrator(db) -> User:
    return User.objects.create_superuser("admin@example.org", PASSWORD)


@pytest.fixture
def classroom(school, school_year, teacher) -> Classroom:
    room = Classroom.objects.create(
        school=school,
        school_year=school_year,
        label="CM1 A - Mme Roux",
        levels=["CM1"],
        code="ROUX24",
    )
    room.teachers.add(teacher)
    return room


@pytest.fixture
def other_classroom(school, school_year, colleague) -> Classroom:
    room = Classroom.objects.create(
        school=school,
        school_year=school_year,
        label="CM2 B - M. Martin",
        levels=["CM2"],
        code="MART25",
    )
    room.teachers.add(colleague)
    return room


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright.

    Playwright's own browser download cannot run here, so the tests launch the
    system Chromium. CI sets IOTA_REQUIRE_BROWSER=1, which turns a missing browser
    into a failure instead of a skip.
    """
    if not CHROMIUM.exists():
        if os.environ.get("IOTA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made
    # by the test body are still synchronous, so allow them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()
