"""The authoring screens in Debian's Chromium.

A coordinator writes a quiz from the template and watches the preview. The server
finds a problem, the coordinator fixes it and publishes, and a teacher then finds
version 1 in the library. The coordinator edits the quiz into version 2, and the
history words the change. Other tests add and move entries, switch a question's
type and paint a grid.
"""

import re

import pytest
from django.urls import reverse

from accounts.tests.helpers import sign_in_in_browser
from activities.models import Activity, Status
from activities.services import content_of
from learning.tests.helpers import CODING_KEY, publish_starter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUIZ_KEY = "les-ecrans-et-moi"


def preview_text(page) -> str:
    return page.locator("#preview").inner_text()


def wait_for_preview(page, text: str) -> None:
    page.wait_for_function(
        "(text) => document.getElementById('preview').innerText.includes(text)",
        arg=text,
    )


def errors_of(page, dom_id: str) -> str:
    return page.locator(f"#{dom_id}-errors").inner_text()


def test_quiz_written_and_published_twice(
    page, browser, live_server, coordinator, teacher
):
    sign_in_in_browser(page, live_server.url, coordinator)
    page.click("nav >> text=Rédaction")
    page.click("text=Nouvelle activité")
    page.click('[data-kind="quiz"] h2 a')
    page.wait_for_selector("#preview .preview-problems")
    # The blank template does not open in red: only changed fields show problems.
    assert page.locator("[data-error-slot] li").count() == 0

    page.fill('input[name="title.fr"]', "Les écrans et moi")
    assert page.input_value('input[name="key"]') == QUIZ_KEY
    page.fill('textarea[name="summary.fr"]', "Bien vivre avec les écrans.")
    page.check('input[name="crcn"][value="4.3"]')
    page.fill('input[name="questions[0].prompt.fr"]', "Combien d’heures dors-tu ?")
    page.fill(
        'input[name="questions[0].choices[0].text.fr"]', "Assez pour être en forme"
    )
    page.fill('input[name="questions[0].choices[1].text.fr"]', "Le moins possible")
    page.check('input[name="questions[0].choices[0].correct"]')
    wait_for_preview(page, "Combien d’heures dors-tu ?")
    assert "Contenu valide." in preview_text(page)

    page.click('[data-list="questions"] > [data-add]')
    assert page.input_value('input[name="questions[1].key"]') == "q2"
    page.select_option('select[name="questions[1].type"]', "numeric")
    page.fill('input[name="questions[1].prompt.fr"]', "Combien de minutes d’écran ?")
    page.fill('input[name="questions[1].answer"]', "trente")
    wait_for_preview(page, "'trente'")
    assert "1 problème à corriger" in preview_text(page)
    assert "doit être un nombre (trouvé : 'trente')" in errors_of(
        page, "f-questions--1---answer"
    )

    # Publishing is refused, and the page shows the reason next to the field.
    page.click("button[value=publish]")
    page.wait_for_selector("#form-problems")
    assert "Questions n° 2 › Réponse attendue" in page.inner_text("#form-problems")
    assert "trente" in errors_of(page, "f-questions--1---answer")
    assert not Activity.objects.filter(key=QUIZ_KEY).exists()

    page.fill('input[name="questions[1].answer"]', "30")
    wait_for_preview(page, "Combien de minutes d’écran ?")
    assert errors_of(page, "f-questions--1---answer") == ""
    page.click("button[value=publish]")
    page.wait_for_selector("text=Version 1 de « Les écrans et moi » publiée.")

    activity = Activity.objects.get(key=QUIZ_KEY)
    assert activity.current_version.number == 1
    content = content_of(activity.current_version)
    assert [question.type for question in content.questions] == [
        "single_choice",
        "numeric",
    ]
    assert content.questions[1].answer == 30

    teacher_context = browser.new_context(locale="fr-FR")
    teacher_page = teacher_context.new_page()
    sign_in_in_browser(teacher_page, live_server.url, teacher)
    teacher_page.goto(live_server.url + reverse("learning:library") + "?q=écrans")
    teacher_page.click(f'[data-key="{QUIZ_KEY}"] h2 a')
    facts = teacher_page.inner_text(".activity-facts-list")
    assert re.search(r"Version\s+1", facts)
    assert "Rédaction" not in teacher_page.inner_text("nav")

    page.click(f'[data-key="{QUIZ_KEY}"] >> text=Modifier')
    assert page.input_value('input[name="questions[0].prompt.fr"]') == (
        "Combien d’heures dors-tu ?"
    )
    page.fill(
        'input[name="questions[0].prompt.fr"]', "Combien d’heures dors-tu la nuit ?"
    )
    wait_for_preview(page, "dors-tu la nuit")
    page.click("button[value=publish]")
    page.wait_for_selector("text=Version 2 de « Les écrans et moi » publiée.")
    assert activity.versions.filter(status=Status.PUBLISHED).count() == 2

    teacher_page.goto(live_server.url + reverse("activities:history", args=[QUIZ_KEY]))
    changes = teacher_page.inner_text(".history-changes")
    assert "Questions q1 › Question (en français)" in changes
    assert "« Combien d’heures dors-tu ? » devient" in changes
    assert "« Combien d’heures dors-tu la nuit ? »" in changes
    teacher_context.close()


def test_entries_move_and_remove(page, live_server, coordinator):
    sign_in_in_browser(page, live_server.url, coordinator)
    page.goto(live_server.url + reverse("activities:authoring-create", args=["quiz"]))
    add = '[data-list="questions"] > [data-add]'
    page.click(add)
    page.click(add)
    keys = [
        page.input_value(f'input[name="questions[{index}].key"]') for index in range(3)
    ]
    assert keys == ["q1", "q2", "q3"]

    page.click('[data-item="questions[2]"] > .item-tools [data-move="up"]')
    moved = page.input_value('input[name="questions[1].key"]')
    assert moved == "q3"
    assert page.locator('[data-item="questions[1]"] > legend').inner_text() == (
        "Question 2"
    )

    page.click('[data-item="questions[0]"] > .item-tools [data-remove]')
    assert page.locator('[data-list="questions"] > [data-items] > *').count() == 2
    assert page.input_value('input[name="questions[0].key"]') == "q3"
    assert page.input_value('input[name="questions[1].key"]') == "q2"

    choices = '[data-list="questions[0].choices"]'
    page.click(f"{choices} > [data-add]")
    assert page.input_value('input[name="questions[0].choices[2].key"]') == "c"
    remove_buttons = page.locator(
        f"{choices} > [data-items] > * > .item-tools [data-remove]"
    )
    assert remove_buttons.nth(0).is_enabled()
    page.click('[data-item="questions[0].choices[2]"] > .item-tools [data-remove]')
    assert remove_buttons.nth(0).is_disabled()


def test_question_type_keeps_typed_fields(page, live_server, coordinator):
    sign_in_in_browser(page, live_server.url, coordinator)
    page.goto(live_server.url + reverse("activities:authoring-create", args=["quiz"]))
    page.fill('input[name="questions[0].choices[0].text.fr"]', "Oui")
    page.select_option('select[name="questions[0].type"]', "ordering")
    assert page.locator('input[name="questions[0].choices[0].text.fr"]').count() == 0
    assert page.locator('input[name="questions[0].items[1].text.fr"]').count() == 1
    page.select_option('select[name="questions[0].type"]', "single_choice")
    assert page.input_value('input[name="questions[0].choices[0].text.fr"]') == "Oui"


def test_grid_editor_paints_and_checks_solution(page, live_server, coordinator):
    activity = publish_starter(CODING_KEY)
    sign_in_in_browser(page, live_server.url, coordinator)
    page.goto(
        live_server.url + reverse("activities:authoring-edit", args=[activity.key])
    )
    wait_for_preview(page, "le robot réussit")
    before = page.input_value('textarea[name="grid.tiles"]')

    page.click('.grid-palette [data-tile="#"]')
    page.click('[data-grid-board] button[data-x="3"][data-y="1"]')
    after = page.input_value('textarea[name="grid.tiles"]')
    assert after != before
    assert after.split("\n")[1][3] == "#"
    wait_for_preview(page, "la solution de référence ne résout pas le défi")
    assert "le robot heurte un mur après 2 pas" in errors_of(page, "f-solution")

    page.click("button[value=publish]")
    page.wait_for_selector("#form-problems")
    assert activity.versions.count() == 1
