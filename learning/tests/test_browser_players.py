"""The library, the players and the results in Debian's Chromium.

A teacher assigns a coding challenge from the library, a pupil drags Blockly blocks
to solve it, and the teacher reads the result. Other tests check the quiz player, the
accommodations and the offline queue.
"""

import pytest
from django.urls import reverse

from accounts.tests.helpers import sign_in_in_browser, sign_in_pupil_in_browser
from iota.testing import make_pupil
from learning.models import Assignment, Attempt, Outcome, PupilProfile
from learning.tests.helpers import (
    CODING_KEY,
    QUIZ_KEY,
    UNPLUGGED_KEY,
    make_assignment,
    publish_starter,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# quiz-mon-ordinateur answered right, by the texts a pupil reads on the buttons:
# matching, single choice, ordering, number.
QUIZ_ANSWERS = {
    "q1": {"1": "l’écran", "2": "le clavier", "3": "la souris"},
    "q2": "le clavier",
    "q3": [
        "J’attends un peu.",
        "Je vérifie que tout est bien branché.",
        "Je demande de l’aide à un adulte.",
    ],
    "q4": "8",
}

# Page coordinates of a block's top-left corner and of its bottom-left corner.
BLOCK_BOX = """
(id) => {
  const block = window.iotaCodingPlayer.workspace.getBlockById(id);
  const box = block.getSvgRoot().getBoundingClientRect();
  const height = block.height * block.workspace.scale;
  return { left: box.left, top: box.top, bottom: box.top + height };
}
"""
LAST_IN_STACK = """
() => {
  const start = window.iotaCodingPlayer.startBlock();
  let block = start;
  while (block.getNextBlock()) { block = block.getNextBlock(); }
  return block.id;
}
"""


def drag_move_block_under_stack(page) -> None:
    """Drag the toolbox's "avance" block and drop it under the program's last block."""
    source = page.locator(".blocklyFlyout .blocklyDraggable").first
    source_box = source.bounding_box()
    assert source_box is not None
    target = page.evaluate(BLOCK_BOX, page.evaluate(LAST_IN_STACK))
    grab_x, grab_y = source_box["x"] + 8, source_box["y"] + 8
    page.mouse.move(grab_x, grab_y)
    page.mouse.down()
    page.mouse.move(grab_x + 40, grab_y + 40, steps=5)
    page.mouse.move(target["left"] + 8, target["bottom"] + 8, steps=10)
    # Blockly picks the connection on an animation frame after the last move; the
    # insertion marker shows it did, so a busy machine cannot drop the block early.
    page.wait_for_selector(".blocklyInsertionMarker")
    page.mouse.up()


def open_activity(page, live_server, assignment) -> None:
    page.goto(live_server.url + reverse("assessment:pupil-today"))
    page.click(f'[data-assignment="{assignment.pk}"] a.today-start')


@pytest.mark.parametrize("key", [CODING_KEY, QUIZ_KEY, UNPLUGGED_KEY])
def test_choosing_a_class_lists_its_pupils(
    page, live_server, classroom, other_classroom, teacher, key
):
    activity = publish_starter(key)
    other_classroom.teachers.add(teacher)
    make_pupil(classroom, "Léa")
    make_pupil(other_classroom, "Noé")
    errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append(message.text),
    )
    sign_in_in_browser(page, live_server.url, teacher)
    page.goto(
        live_server.url + reverse("learning:activity-detail", args=[activity.key])
    )
    assert page.locator("#group-pupils input[type=checkbox]").count() == 0
    page.select_option("select[name=classroom]", str(other_classroom.pk))
    page.wait_for_selector("#group-pupils input[type=checkbox]")
    assert page.locator("#group-pupils").inner_text().count("Noé") == 1
    assert "Léa" not in page.locator("#group-pupils").inner_text()
    assert errors == []


def test_teacher_assigns_pupil_drags_blocks(
    page, browser, live_server, classroom, teacher
):
    activity = publish_starter(CODING_KEY)
    pupil = make_pupil(classroom, "Léa")

    sign_in_in_browser(page, live_server.url, teacher)
    page.goto(live_server.url + reverse("learning:library") + "?mode=on_screen")
    page.fill("input[name=q]", "tout droit")
    page.click(".library-filters button[type=submit]")
    page.click(f'[data-key="{activity.key}"] h2 a')
    page.click("#assign button:text('Ajouter à la progression de la classe')")
    page.wait_for_selector("table.class-plan")
    assignment = Assignment.objects.get(activity=activity, classroom=classroom)
    assert assignment.assigned_by == teacher

    pupil_context = browser.new_context(locale="fr-FR")
    pupil_page = pupil_context.new_page()
    sign_in_pupil_in_browser(pupil_page, live_server.url, classroom, pupil)
    open_activity(pupil_page, live_server, assignment)
    pupil_page.wait_for_selector('#coding-player[data-state="ready"]')
    for _ in range(3):
        drag_move_block_under_stack(pupil_page)
    # Blockly reports a drop on a later tick, so the counter may lag the mouse.
    # A function, not an expression: Playwright polls an expression with eval,
    # which the page's CSP blocks.
    pupil_page.wait_for_function(
        "(count) => document.querySelector('.block-counter')"
        ".textContent.trim().endsWith(count)",
        arg="3",
    )
    pupil_page.click("button.run-program")
    pupil_page.wait_for_selector('#coding-player[data-outcome="success"]')
    pupil_page.wait_for_selector('#coding-player[data-recorded="success"]')
    pupil_context.close()

    attempt = Attempt.objects.get(assignment=assignment, pupil=pupil)
    assert attempt.outcome == Outcome.SUCCESS
    assert attempt.detail == "success"
    assert attempt.blocks_used == 3
    assert attempt.version == activity.current_version

    page.goto(
        live_server.url + reverse("learning:assignment-results", args=[assignment.pk])
    )
    row = page.locator(f'tr[data-pupil="{pupil.pk}"]')
    assert "terminé" in row.inner_text()
    assert "1 / 1" in row.inner_text()


def test_wrong_program_not_recorded_as_success(page, live_server, classroom):
    assignment = make_assignment(publish_starter(CODING_KEY), classroom)
    pupil = make_pupil(classroom, "Léa")
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)
    open_activity(page, live_server, assignment)
    page.wait_for_selector('#coding-player[data-state="ready"]')
    drag_move_block_under_stack(page)
    page.click("button.run-program")
    page.wait_for_selector('#coding-player[data-outcome="goal_not_reached"]')
    page.wait_for_selector('#coding-player[data-pending="0"]', state="attached")

    attempt = Attempt.objects.get(assignment=assignment, pupil=pupil)
    assert attempt.outcome == Outcome.NOT_YET
    assert attempt.detail == "goal_not_reached"
    assert attempt.blocks_used == 1


def match_pairs(page, pairs: dict) -> None:
    for left, right in pairs.items():
        page.get_by_role("button", name=left, exact=True).click()
        page.get_by_role("button", name=right, exact=True).click()


def put_in_order(page, texts: list) -> None:
    for text in texts:
        page.get_by_role("button", name=text, exact=True).click()


def answer_quiz(page, answers: dict) -> None:
    page.wait_for_selector('[data-screen="question"][data-question="q1"]')
    match_pairs(page, answers["q1"])
    page.click("button.next")
    page.get_by_role("button", name=answers["q2"], exact=True).click()
    page.click("button.next")
    put_in_order(page, answers["q3"])
    page.click("button.next")
    page.fill("input.numeric-input", answers["q4"])


def test_quiz_scored_by_server(page, live_server, classroom):
    assignment = make_assignment(publish_starter(QUIZ_KEY), classroom)
    pupil = make_pupil(classroom, "Léa")
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)
    open_activity(page, live_server, assignment)
    page.click("button.start")
    answer_quiz(page, QUIZ_ANSWERS)
    page.click("button.finish")
    page.wait_for_selector(".quiz-results")

    attempt = Attempt.objects.get(assignment=assignment, pupil=pupil)
    assert attempt.outcome == Outcome.FINISHED
    assert attempt.score == attempt.max_score
    assert str(int(attempt.max_score)) in page.locator(".quiz-score").inner_text()
    statuses = page.locator(".quiz-results li").evaluate_all(
        "items => items.map(item => item.dataset.status)"
    )
    assert set(statuses) == {"correct"}

    # Replaying loads the next attempt's layout, with new ids.
    first_ids = page.locator("#quiz-data").inner_text()
    page.click("button.replay")
    page.wait_for_selector('[data-screen="intro"]')
    data = page.evaluate("JSON.parse(document.getElementById('quiz-data').text)")
    assert data["seed"] == 1
    assert page.locator("#quiz-data").inner_text() != first_ids


def test_matching_pairs_shown_by_shape(page, live_server, classroom):
    assignment = make_assignment(publish_starter(QUIZ_KEY), classroom)
    pupil = make_pupil(classroom, "Léa")
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)
    open_activity(page, live_server, assignment)
    page.click("button.start")
    match_pairs(page, {"2": "le clavier"})
    # Screen readers hear each half of the pair in the other's name.
    left = page.get_by_role("button", name="2 (avec « le clavier »)", exact=True)
    right = page.get_by_role("button", name="le clavier (avec « 2 »)", exact=True)
    left_mark = left.locator(".pair-mark").inner_text()
    # Numbers would clash with the left items, which are the picture's numbers.
    assert not left_mark.isdigit()
    assert right.locator(".pair-mark").inner_text() == left_mark


def test_quiz_score_in_singular(page, live_server, classroom):
    assignment = make_assignment(publish_starter(QUIZ_KEY), classroom)
    pupil = make_pupil(classroom, "Léa")
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)
    open_activity(page, live_server, assignment)
    page.click("button.start")
    for _ in range(3):
        page.click("button.next")
    page.fill("input.numeric-input", "8")
    # With three questions left, the first tap only warns.
    page.click("button.finish")
    warning = page.locator(".unanswered-warning")
    assert warning.inner_text() == "Il te reste 3 questions sans réponse."
    assert page.locator("button.finish").inner_text() == "Finir quand même"
    page.click("button.finish")
    page.wait_for_selector(".quiz-results")
    assert page.locator(".quiz-score").inner_text() == "Tu as 1 point sur 4."
    prompts = page.locator(".quiz-results .result-prompt").all_inner_texts()
    assert prompts[1].strip() == "Avec quoi écris-tu un texte ?"


def test_quiz_answers_survive_reload_and_offline(page, live_server, classroom):
    assignment = make_assignment(publish_starter(QUIZ_KEY), classroom)
    pupil = make_pupil(classroom, "Léa")
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)
    open_activity(page, live_server, assignment)
    page.click("button.start")
    page.wait_for_selector('[data-question="q1"]')
    match_pairs(page, QUIZ_ANSWERS["q1"])
    page.click("button.next")
    keyboard = page.get_by_role("button", name=QUIZ_ANSWERS["q2"], exact=True)
    keyboard.click()

    page.reload()
    page.wait_for_selector('[data-screen="question"][data-question="q2"]')
    assert keyboard.get_attribute("aria-pressed") == "true"

    page.context.set_offline(True)
    page.click("button.next")
    put_in_order(page, QUIZ_ANSWERS["q3"])
    page.click("button.next")
    page.fill("input.numeric-input", "8")
    page.click("button.finish")
    page.wait_for_selector('#quiz-player[data-pending="1"]', state="attached")
    assert not Attempt.objects.filter(pupil=pupil).exists()

    page.context.set_offline(False)
    page.wait_for_selector('#quiz-player[data-pending="0"]', state="attached")
    attempt = Attempt.objects.get(assignment=assignment, pupil=pupil)
    assert attempt.score == attempt.max_score
    assert attempt.submission["answers"]["q2"] == "keyboard"


def rendering_fonts(page, selector: str) -> list[str]:
    """Return the fonts Chromium drew the element's text with, after fonts load.

    The computed font-family only lists the fonts asked for; the DevTools protocol
    tells which one the glyphs came from, so a font that failed to load shows up.
    """
    page.evaluate("document.fonts.ready.then(() => true)")
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
    session.detach()
    return [font["familyName"] for font in fonts["fonts"]]


def test_accommodations_on_both_players(page, live_server, classroom):
    quiz = make_assignment(publish_starter(QUIZ_KEY), classroom)
    coding = make_assignment(publish_starter(CODING_KEY), classroom, position=2)
    pupil = make_pupil(classroom, "Léa")
    PupilProfile.objects.create(
        pupil=pupil, read_aloud=True, larger_text=True, dyslexia_font=True
    )
    page.add_init_script(
        "window.spoken = []; window.voices = []; window.speechSynthesis.speak = "
        "(utterance) => { window.spoken.push(utterance.text); "
        "window.voices.push(utterance.lang); };"
    )
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)

    for assignment in (quiz, coding):
        open_activity(page, live_server, assignment)
        # The page contains the player's element at once, and its heading appears
        # once the script has drawn the first screen.
        page.wait_for_selector(
            "#quiz-player[data-screen] h1, #coding-player[data-state=ready] h1"
        )
        classes = page.evaluate("document.body.className").split()
        assert {"a11y-read-aloud", "a11y-larger-text", "a11y-dyslexia-font"} <= set(
            classes
        )
        font = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert font.split(",")[0].strip('" ') == "OpenDyslexic"
        assert rendering_fonts(page, "h1") == ["OpenDyslexic"]
        root_size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
        assert root_size == "20px"
        assert page.evaluate("window.spoken.length") >= 1
        assert set(page.evaluate("window.voices")) == {"fr-FR"}
