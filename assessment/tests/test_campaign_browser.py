"""A coordinator plans a four-wave campaign in Chromium: propose, adjust, create."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.tests.helpers import sign_in_in_browser
from assessment.models import Campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_propose_adjust_and_create(
    page, live_server, coordinator, instrument, school_year, classroom
):
    # Content Security Policy violations show as console errors. Missing resources
    # are checked by URL instead, because Chromium also asks for /favicon.ico.
    console_errors, missing = [], []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Failed to load resource" not in message.text
            and console_errors.append(message.text)
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status == 404
            and not response.url.endswith("/favicon.ico")
            and missing.append(response.url)
        ),
    )
    sign_in_in_browser(page, live_server.url, coordinator)

    page.goto(live_server.url + reverse("assessment:campaign-create"))
    page.fill("input[name=name]", "Persévérance en quatre vagues")
    page.select_option("select[name=instrument]", str(instrument.pk))
    page.select_option("select[name=school_year]", str(school_year.pk))
    page.check(f"input[name=classes][value='{classroom.pk}']")
    page.fill("input[name=schedule-start_on]", "2026-09-28")
    page.get_by_role("button", name="Proposer les dates").click()

    page.wait_for_selector(".schedule-proposal")
    assert page.input_value("input[name=waves-0-opens_on]") == "2026-09-28"
    assert page.input_value("input[name=waves-3-closes_on]") == "2027-03-26"
    # The coordinator moves T2 one week later by hand.
    page.fill("input[name=waves-1-opens_on]", "2026-11-30")
    page.fill("input[name=waves-1-closes_on]", "2026-12-11")
    page.get_by_role("button", name="Créer la campagne", exact=True).click()

    page.wait_for_selector("table.campaign-grid")
    campaign = Campaign.objects.get()
    waves = list(campaign.waves.order_by("opens_on"))
    assert [wave.label for wave in waves] == ["T1", "T2", "T3", "T4"]
    assert waves[1].opens_on == dt.date(2026, 11, 30)
    grid = page.locator("table.campaign-grid").inner_text()
    assert classroom.label in grid
    assert "T4" in grid
    assert console_errors == []
    assert missing == []
