"""axe-core's accessibility rules on the pupils' pages and the teachers' plan pages.

Each page is opened in Debian's Chromium as its user sees it, then axe-core (the npm
package, from node_modules) checks it. A serious or critical violation fails the test
with the rule, its help text and the elements at fault.

The pages' Content Security Policy lets only scripts from the site or with the page's
nonce run, so a `<script>` tag with axe's source would be blocked. The test instead
passes axe's source to `page.evaluate`, which Playwright sends through the DevTools
protocol's Runtime.evaluate: the browser runs it as a debugger would, outside the
page's CSP. The pages keep their real CSP, so a page that breaks it still fails the
other tests, and no context here needs `bypass_csp`.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.services import ensure_picture_passwords, open_signin_window
from accounts.tests.helpers import sign_in_in_browser, sign_in_pupil_in_browser
from iota.testing import make_pupil
from learning.models import PupilProfile
from learning.tests.helpers import (
    CODING_KEY,
    QUIZ_KEY,
    UNPLUGGED_KEY,
    make_assignment,
    make_attempt,
    publish_starter,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SOURCE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
# Runs every rule axe-core 4.14 enables by default (its WCAG A and AA rules and its
# best practices) and returns only what a test needs to name a violation.
RUN_AXE = """
async () => {
  const results = await window.axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }));
}
"""


def axe_violations(page) -> list[str]:
    """Return the page's serious and critical axe violations, one line each."""
    if not AXE_SOURCE.exists():
        pytest.fail(f"{AXE_SOURCE} is missing: run `make install` to get axe-core")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    violations = page.evaluate(RUN_AXE)
    return [
        f"{item['id']} ({item['impact']}): {item['help']} at {item['targets']}"
        for item in violations
        if item["impact"] in FAILING_IMPACTS
    ]


def check(page, name: str) -> list[str]:
    return [f"{name}: {line}" for line in axe_violations(page)]


@pytest.fixture
def plan(classroom):
    return {
        "quiz": make_assignment(publish_starter(QUIZ_KEY), classroom),
        "coding": make_assignment(publish_starter(CODING_KEY), classroom, position=2),
        "unplugged": make_assignment(
            publish_starter(UNPLUGGED_KEY), classroom, position=3
        ),
    }


@pytest.fixture
def pupil(classroom):
    return make_pupil(classroom, "Léa")


def test_pupil_sign_in_pages(page, live_server, classroom, pupil):
    open_signin_window(classroom, None)
    ensure_picture_passwords(classroom)
    found = []
    page.goto(live_server.url + reverse("accounts:pupil-start"))
    found += check(page, "class code")
    page.locator("input[name=code]").fill(classroom.code)
    page.locator("form.class-code-form button[type=submit]").click()
    page.wait_for_selector(f'[data-pupil="{pupil.pk}"]')
    found += check(page, "names")
    page.locator(f'[data-pupil="{pupil.pk}"]').click()
    page.wait_for_selector("[data-picture-keypad]")
    found += check(page, "pictures")
    assert found == []


def test_checker_reports_violations(page, live_server):
    page.goto(live_server.url + reverse("accounts:pupil-start"))
    # Styles set through the CSSOM, since the CSP blocks style attributes in HTML.
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.append(document.createElement("button"));
          const pale = document.createElement("p");
          pale.textContent = "Texte pâle sur fond blanc";
          pale.style.color = "#cccccc";
          pale.style.background = "#ffffff";
          main.append(pale);
        }"""
    )
    rules = {line.split(" ", 1)[0] for line in axe_violations(page)}
    assert "button-name" in rules
    assert "color-contrast" in rules


# English pages show French activity texts that have no translation, so they check
# the `lang` attributes too; the accommodations change sizes, fonts and colours.
@pytest.mark.parametrize(
    ("language", "accommodated"),
    [("fr", False), ("en", True)],
    ids=["french", "english-accommodated"],
)
def test_pupil_pages(page, live_server, classroom, pupil, plan, language, accommodated):
    if accommodated:
        PupilProfile.objects.create(
            pupil=pupil, read_aloud=True, larger_text=True, dyslexia_font=True
        )
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    make_attempt(plan["coding"], pupil)
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)
    found = []
    page.goto(live_server.url + reverse("assessment:pupil-today"))
    found += check(page, "today")

    page.goto(live_server.url + reverse("learning:play", args=[plan["quiz"].pk]))
    page.wait_for_selector('[data-screen="intro"]')
    found += check(page, "quiz intro")
    page.click("button.start")
    for question in ("q1", "q2", "q3", "q4"):
        page.wait_for_selector(f'[data-question="{question}"]')
        found += check(page, f"quiz {question}")
        if question != "q4":
            page.click("button.next")
    # Nothing is answered, so the first tap warns and the second finishes.
    page.click("button.finish")
    page.wait_for_selector(".unanswered-warning")
    found += check(page, "quiz unanswered warning")
    page.click("button.finish")
    page.wait_for_selector(".quiz-results")
    found += check(page, "quiz end")

    page.goto(live_server.url + reverse("learning:play", args=[plan["coding"].pk]))
    page.wait_for_selector('#coding-player[data-state="ready"]')
    found += check(page, "coding")
    page.click("button.hint-button")
    page.click("button.run-program")
    page.wait_for_selector("#coding-player[data-outcome]")
    found += check(page, "coding after a run")

    page.goto(live_server.url + reverse("learning:play", args=[plan["unplugged"].pk]))
    found += check(page, "unplugged")

    page.goto(live_server.url + reverse("learning:progress"))
    found += check(page, "progress")
    assert found == []


# Renders one block of every type the coding player defines, then returns each
# block's fill colour and its text's fill colour, as the browser computed them.
BLOCK_COLOURS = """
() => {
  const workspace = window.iotaCodingPlayer.workspace;
  const types = Object.keys(window.Blockly.Blocks).filter(
    (type) => type.startsWith("robot_"));
  return types.map((type) => {
    const block = workspace.newBlock(type);
    block.initSvg();
    block.render();
    const root = block.getSvgRoot();
    return {
      type,
      fill: getComputedStyle(root.querySelector(".blocklyPath")).fill,
      text: getComputedStyle(root.querySelector(".blocklyText")).fill,
    };
  });
}
"""


def luminance(css_rgb: str) -> float:
    """Return the WCAG 2 relative luminance of a computed `rgb(r, g, b)` colour."""
    channels = [int(part) / 255 for part in css_rgb[4:-1].split(",")]
    linear = [
        value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
        for value in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted([luminance(first), luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_helper_matches_wcag():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)
    # Blockly's green from hue 120 behind white text.
    assert contrast("rgb(91, 166, 91)", "rgb(255, 255, 255)") == pytest.approx(
        2.98, abs=0.01
    )


def test_block_text_contrast(page, live_server, classroom, pupil, plan):
    # axe cannot compute colours inside Blockly's SVG and lists them as incomplete,
    # so the test measures each block's text against its fill itself.
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)
    page.goto(live_server.url + reverse("learning:play", args=[plan["coding"].pk]))
    page.wait_for_selector('#coding-player[data-state="ready"]')
    blocks = page.evaluate(BLOCK_COLOURS)
    assert len(blocks) == 10
    low = [
        f"{block['type']}: {contrast(block['fill'], block['text']):.2f}"
        for block in blocks
        if contrast(block["fill"], block["text"]) < 4.5
    ]
    assert low == []


def test_teacher_pages(page, live_server, classroom, teacher, pupil, plan):
    sign_in_in_browser(page, live_server.url, teacher)
    found = []
    pages = {
        "library": reverse("learning:library"),
        "activity": reverse("learning:activity-detail", args=[QUIZ_KEY]),
        "class plan": reverse("learning:class-plan", args=[classroom.pk]),
        "results": reverse("learning:assignment-results", args=[plan["quiz"].pk]),
        "done in class": reverse(
            "learning:assignment-done", args=[plan["unplugged"].pk]
        ),
        "accommodations": reverse("learning:accommodations", args=[classroom.pk]),
    }
    for name, url in pages.items():
        page.goto(live_server.url + url)
        found += check(page, name)
    assert found == []
