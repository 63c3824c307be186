"""A teacher records consent in a real browser: radio buttons, then a bulk "given"."""

import pytest
from django.urls import reverse

from accounts.tests.helpers import sign_in_in_browser
from iota.testing import make_pupil
from studies.models import Consent, ConsentChange, ConsentSource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_radios_then_bulk_given(page, live_server, study, classroom, teacher):
    lea = make_pupil(classroom, "Léa")
    noe = make_pupil(classroom, "Noé")
    zoe = make_pupil(classroom, "Zoé")
    sign_in_in_browser(page, live_server.url, teacher)

    url = reverse("studies:consent-class", args=[study.pk, classroom.pk])
    page.goto(live_server.url + url)
    page.check(f"#consent-{lea.pk}-refused")
    page.get_by_role("button", name="Enregistrer les consentements").click()
    page.wait_for_selector(".messages")
    assert "1 consentement(s) modifié(s)" in page.locator(".messages").inner_text()
    assert page.is_checked(f"#consent-{lea.pk}-refused")

    page.check(f"#select-{noe.pk}")
    page.check(f"#select-{zoe.pk}")
    page.get_by_role("button", name="Marquer « donné »").click()
    page.wait_for_selector(".messages")
    assert "2 consentement(s) modifié(s)" in page.locator(".messages").inner_text()
    assert page.is_checked(f"#consent-{noe.pk}-given")
    assert "Historique" in page.content()

    assert dict(Consent.objects.values_list("pupil_id", "status")) == {
        lea.pk: "refused",
        noe.pk: "given",
        zoe.pk: "given",
    }
    assert ConsentChange.objects.filter(source=ConsentSource.BULK).count() == 2
