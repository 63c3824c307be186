"""A coordinator imports an ONDE export in a real browser: upload, preview, confirm."""

import pytest
from django.urls import reverse

from accounts.tests.helpers import sign_in_in_browser
from schools.models import Pupil
from schools.tests.onde_files import UAI, onde_csv, pupil_line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_preview_confirm_in_browser(page, live_server, coordinator, tmp_path):
    export = tmp_path / "onde.csv"
    export.write_bytes(
        onde_csv(
            [
                pupil_line("Lefèvre", "Zoé", "0000000001A"),
                pupil_line("Garçon", "Anaïs", "0000000002A", class_label="CM1 B"),
            ],
            encoding="cp1252",
        )
    )
    sign_in_in_browser(page, live_server.url, coordinator)
    page.goto(live_server.url + reverse("schools:import-onde"))
    page.set_input_files("input[name=file]", str(export))
    page.fill("input[name=uai]", UAI)
    page.fill("input[name=school_name]", "École des Lilas")
    page.get_by_role("button", name="Voir l'aperçu").click()

    page.wait_for_selector("#created")
    assert "Lefèvre" in page.locator("#created").inner_text()
    assert Pupil.objects.count() == 0

    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_url("**" + reverse("schools:class-list"))
    assert "2 élèves créés" in page.locator(".messages").inner_text()
    assert "CM1 B" in page.locator("table").inner_text()
    assert Pupil.objects.count() == 2
