"""The authoring pages: write, preview, save, publish, and the version history."""

import textwrap

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role
from activities.authoring import content_values
from activities.content import load_content_file, stored_content
from activities.models import Activity, ActivityVersion, Status, UnfinishedDraft
from activities.tests.content_factories import CONTENT_DIR
from conftest import make_user
from iota.testing import make_pupil
from learning.tests.helpers import make_assignment, make_attempt

pytestmark = pytest.mark.django_db

# A quiz as a content file, and below the same quiz as the form sends it.
QUIZ_YAML = textwrap.dedent(
    """\
    schema_version: 1
    kind: quiz
    key: quiz-le-reseau
    title:
      fr: Le réseau de l’école
      en: The school network
    summary: Ce qui passe par le réseau quand on ouvre une page.
    levels: [CM2]
    duration_minutes: 15
    crcn: ["2.1", "5.2"]
    instructions: Lis bien chaque question.
    questions:
      - key: q1
        type: single_choice
        prompt: Que faut-il pour aller sur Internet ?
        hint: Pense au câble ou au Wi-Fi.
        choices:
          - key: a
            text: Une connexion
            correct: true
          - key: b
            text: Une imprimante
            feedback: L’imprimante sert à imprimer.
      - key: q2
        type: multiple_choice
        prompt: Lesquels sont des navigateurs ?
        points: 2
        choices:
          - key: a
            text: Firefox
            correct: true
          - key: b
            text: Chromium
            correct: true
          - key: c
            text: Un clavier
      - key: q3
        type: ordering
        prompt: Range du plus petit au plus grand.
        items:
          - key: a
            text: un octet
          - key: b
            text: un kilooctet
          - key: c
            text: un mégaoctet
      - key: q4
        type: numeric
        prompt: Combien font 1000 octets en kilooctets ?
        answer: 1
        tolerance: 0.5
        unit:
          fr: ko
          en: kB
        feedback:
          correct: Oui, un kilooctet.
    """
)
QUIZ_FORM = {
    "key": "quiz-le-reseau",
    "title.fr": "Le réseau de l’école",
    "title.en": "The school network",
    "summary.fr": "Ce qui passe par le réseau quand on ouvre une page.",
    "summary.en": "",
    "levels": ["CM2"],
    "duration_minutes": "15",
    "crcn": ["2.1", "5.2"],
    "instructions.fr": "Lis bien chaque question.",
    "questions[0].type": "single_choice",
    "questions[0].key": "q1",
    "questions[0].prompt.fr": "Que faut-il pour aller sur Internet ?",
    "questions[0].hint.fr": "Pense au câble ou au Wi-Fi.",
    "questions[0].points": "1",
    "questions[0].image.static": "",
    "questions[0].choices[0].key": "a",
    "questions[0].choices[0].text.fr": "Une connexion",
    "questions[0].choices[0].correct": "on",
    "questions[0].choices[1].key": "b",
    "questions[0].choices[1].text.fr": "Une imprimante",
    "questions[0].choices[1].feedback.fr": "L’imprimante sert à imprimer.",
    "questions[1].type": "multiple_choice",
    "questions[1].key": "q2",
    "questions[1].prompt.fr": "Lesquels sont des navigateurs ?",
    "questions[1].points": "2",
    "questions[1].choices[0].key": "a",
    "questions[1].choices[0].text.fr": "Firefox",
    "questions[1].choices[0].correct": "on",
    "questions[1].choices[1].key": "b",
    "questions[1].choices[1].text.fr": "Chromium",
    "questions[1].choices[1].correct": "on",
    "questions[1].choices[2].key": "c",
    "questions[1].choices[2].text.fr": "Un clavier",
    "questions[2].type": "ordering",
    "questions[2].key": "q3",
    "questions[2].prompt.fr": "Range du plus petit au plus grand.",
    "questions[2].items[0].key": "a",
    "questions[2].items[0].text.fr": "un octet",
    "questions[2].items[1].key": "b",
    "questions[2].items[1].text.fr": "un kilooctet",
    "questions[2].items[2].key": "c",
    "questions[2].items[2].text.fr": "un mégaoctet",
    "questions[3].type": "numeric",
    "questions[3].key": "q4",
    "questions[3].prompt.fr": "Combien font 1000 octets en kilooctets ?",
    "questions[3].answer": "1",
    "questions[3].tolerance": "0,5",
    "questions[3].unit.fr": "ko",
    "questions[3].unit.en": "kB",
    "questions[3].feedback.correct.fr": "Oui, un kilooctet.",
    "questions[3].feedback.wrong.fr": "",
}
CODING_YAML = textwrap.dedent(
    """\
    schema_version: 1
    kind: coding
    key: defi-le-couloir
    title: Le couloir aux pièces
    summary: Ramasser les pièces d’un couloir avec une boucle.
    levels: [CM1, CM2]
    duration_minutes: 15
    crcn: ["3.4"]
    concept: condition
    instructions: Ramasse les pièces, puis va au drapeau.
    grid:
      schema_version: 1
      width: 7
      height: 3
      tiles:
        - "#######"
        - "#S...G#"
        - "#######"
      robot: {x: 1, y: 1, heading: east}
      items:
        - {x: 4, y: 1}
        - {x: 2, y: 1}
      win: reach_goal_with_all_items
    allowed_blocks: [move, collect, until_goal, if_item_here]
    max_blocks: 4
    hints:
      - Y a-t-il une pièce ici ?
    solution:
      - until: goal
        do:
          - if: item_here
            do: [collect]
          - move
    """
)
CODING_FORM = {
    "key": "defi-le-couloir",
    "title.fr": "Le couloir aux pièces",
    "summary.fr": "Ramasser les pièces d’un couloir avec une boucle.",
    "levels": ["CM1", "CM2"],
    "duration_minutes": "15",
    "crcn": ["3.4"],
    "concept": "condition",
    "instructions.fr": "Ramasse les pièces, puis va au drapeau.",
    # The file lists the item at x=4 first; the hidden order keeps that.
    "grid.tiles": "#######\r\n#S*.*G#\r\n#######",
    "grid.item_order": "4,1 2,1",
    "grid.heading": "east",
    "grid.win": "reach_goal_with_all_items",
    "allowed_blocks": ["move", "collect", "until_goal", "if_item_here"],
    "max_blocks": "4",
    "max_steps": "",
    "starting_blocks": "",
    "hints[0].fr": "Y a-t-il une pièce ici ?",
    "solution": "until goal\r\n  if item_here\r\n    collect\r\n  move",
}


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def publish(client, kind, form, key=None, action="publish"):
    if key is None:
        url = reverse("activities:authoring-create", args=[kind])
    else:
        url = reverse("activities:authoring-edit", args=[key])
    return client.post(url, {**form, "action": action})


def edit_values(activity_key, **changes):
    """Return the edit form of the latest version of an activity, with `changes`."""
    activity = Activity.objects.get(key=activity_key)
    values = content_values(activity.kind, activity.versions.last().content)
    form = {
        name: value if len(value) > 1 else value[0] for name, value in values.items()
    }
    form.update(changes)
    return form


@pytest.mark.parametrize(
    ("kind", "form", "yaml_text"),
    [("quiz", QUIZ_FORM, QUIZ_YAML), ("coding", CODING_FORM, CODING_YAML)],
    ids=["quiz", "coding"],
)
def test_form_and_file_store_equal_content(
    coordinator_client, tmp_path, kind, form, yaml_text
):
    response = publish(coordinator_client, kind, form)
    assert response.status_code == 302
    written = tmp_path / "written"
    written.mkdir()
    (written / f"{form['key']}.yaml").write_text(yaml_text, encoding="utf-8")
    from_file = stored_content(load_content_file(written / f"{form['key']}.yaml"))

    version = Activity.objects.get(key=form["key"]).current_version
    assert version.content == from_file

    dumped = tmp_path / "dumped"
    call_command("content", "dump", str(dumped))
    reloaded = load_content_file(dumped / f"{form['key']}.yaml")
    assert stored_content(reloaded) == from_file


def test_teacher_cannot_write(client, teacher):
    client.force_login(teacher)
    response = publish(client, "quiz", QUIZ_FORM)
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_new_quiz_starts_from_template(coordinator_client):
    response = coordinator_client.get(
        reverse("activities:authoring-create", args=["quiz"])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="questions[0].choices[1].text.fr"' in html
    assert 'name="questions[0].key" id="f-questions--0---key-input" value="q1"' in html
    assert "<template data-item-template>" in html


def test_unknown_kind_not_found(coordinator_client):
    response = coordinator_client.get(
        reverse("activities:authoring-create", args=["poem"])
    )
    assert response.status_code == 404


def test_validate_shows_problems_only(coordinator_client):
    form = {**QUIZ_FORM, "questions[3].answer": "un"}
    response = publish(coordinator_client, "quiz", form, action="validate")
    html = response.content.decode()
    assert response.status_code == 400
    assert "1 problème à corriger" in html
    assert "Questions n° 4 › Réponse attendue" in html
    assert (
        '<ul class="errorlist" id="f-questions--3---answer-errors" data-error-slot>'
        "<li>doit être un nombre (trouvé : &#x27;un&#x27;)</li>"
    ) in html
    assert 'value="un"' in html
    assert not Activity.objects.exists()


def test_validate_valid_form_saves_nothing(coordinator_client):
    response = publish(coordinator_client, "quiz", QUIZ_FORM, action="validate")
    assert response.status_code == 200
    assert "Tout est valide" in response.content.decode()
    assert not Activity.objects.exists()


def test_draft_stays_out_of_library(coordinator_client):
    response = publish(coordinator_client, "quiz", QUIZ_FORM, action="draft")
    activity = Activity.objects.get(key="quiz-le-reseau")
    assert response.url == reverse("activities:authoring-edit", args=[activity.key])
    draft = activity.versions.get()
    assert draft.status == Status.DRAFT
    assert activity.current_version is None

    page = coordinator_client.get(response.url).content.decode()
    assert "le formulaire montre le brouillon (version 1" in page
    assert 'value="Que faut-il pour aller sur Internet ?"' in page


def test_unfinished_draft_kept_without_version(coordinator_client):
    form = {**QUIZ_FORM, "questions[3].answer": "un"}
    response = publish(coordinator_client, "quiz", form, action="draft")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Brouillon incomplet gardé" in html
    assert "1 problème à corriger" in html
    assert not Activity.objects.exists()
    assert UnfinishedDraft.objects.get().values["questions[3].answer"] == ["un"]


def test_unfinished_draft_reopens_with_problems(coordinator_client):
    form = {**QUIZ_FORM, "questions[3].answer": "un"}
    publish(coordinator_client, "quiz", form, action="draft")
    html = coordinator_client.get(
        reverse("activities:authoring-create", args=["quiz"])
    ).content.decode()
    assert "Vous reprenez le brouillon incomplet" in html
    assert "1 problème à corriger" in html
    assert 'value="un"' in html
    listing = coordinator_client.get(reverse("activities:authoring-list"))
    assert "brouillon incomplet du" in listing.content.decode()


def test_unfinished_draft_private_to_author(coordinator_client, client, coordinator):
    publish(coordinator_client, "quiz", {**QUIZ_FORM, "title.fr": ""}, action="draft")
    other = make_user(Role.COORDINATOR, "autre@example.org")
    client.force_login(other)
    html = client.get(
        reverse("activities:authoring-create", args=["quiz"])
    ).content.decode()
    assert "brouillon incomplet" not in html
    assert 'name="questions[0].key" id="f-questions--0---key-input" value="q1"' in html


def test_discarding_unfinished_draft_restores_template(coordinator_client):
    publish(coordinator_client, "quiz", {**QUIZ_FORM, "title.fr": ""}, action="draft")
    url = reverse("activities:authoring-create", args=["quiz"])
    response = coordinator_client.post(url, {"action": "discard"})
    assert response.status_code == 302
    assert not UnfinishedDraft.objects.exists()
    html = coordinator_client.get(url).content.decode()
    assert "Le brouillon incomplet est supprimé." in html
    assert "Vous reprenez" not in html


def test_saved_version_drops_unfinished_draft(coordinator_client):
    publish(coordinator_client, "quiz", {**QUIZ_FORM, "title.fr": ""}, action="draft")
    response = publish(coordinator_client, "quiz", QUIZ_FORM, action="draft")
    assert response.status_code == 302
    assert not UnfinishedDraft.objects.exists()


def test_unfinished_edit_marked_in_list(coordinator_client):
    publish(coordinator_client, "quiz", QUIZ_FORM)
    form = edit_values("quiz-le-reseau", **{"title.fr": ""})
    publish(coordinator_client, "quiz", form, key="quiz-le-reseau", action="draft")
    row = coordinator_client.get(reverse("activities:authoring-list")).content.decode()
    assert "brouillon incomplet" in row
    page = coordinator_client.get(
        reverse("activities:authoring-edit", args=["quiz-le-reseau"])
    ).content.decode()
    assert "revenir à la dernière version" in page


def test_publish_after_draft_leaves_no_draft(coordinator_client):
    publish(coordinator_client, "quiz", QUIZ_FORM, action="draft")
    form = edit_values("quiz-le-reseau", **{"title.fr": "Le réseau"})
    response = publish(coordinator_client, "quiz", form, key="quiz-le-reseau")
    assert response.status_code == 302
    activity = Activity.objects.get(key="quiz-le-reseau")
    (version,) = activity.versions.all()
    assert version.status == Status.PUBLISHED
    assert version.number == 1
    assert activity.title == "Le réseau"


def test_publish_unchanged_creates_nothing(coordinator_client):
    publish(coordinator_client, "quiz", QUIZ_FORM)
    response = publish(
        coordinator_client, "quiz", edit_values("quiz-le-reseau"), key="quiz-le-reseau"
    )
    assert ActivityVersion.objects.count() == 1
    followed = coordinator_client.get(response.url).content.decode()
    assert "Rien n’a changé depuis la version 1" in followed


def test_new_version_keeps_old_attempt(coordinator_client, classroom):
    publish(coordinator_client, "quiz", QUIZ_FORM)
    activity = Activity.objects.get(key="quiz-le-reseau")
    first = activity.current_version
    attempt = make_attempt(
        make_assignment(activity, classroom), make_pupil(classroom, "Léa")
    )

    form = edit_values("quiz-le-reseau", **{"questions[3].answer": "2"})
    response = publish(coordinator_client, "quiz", form, key=activity.key)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.current_version.number == 2
    first.refresh_from_db()
    assert first.content["questions"][3]["answer"] == 1
    attempt.refresh_from_db()
    assert attempt.version == first


def test_edit_cannot_change_key(coordinator_client):
    publish(coordinator_client, "quiz", QUIZ_FORM)
    form = edit_values("quiz-le-reseau", key="autre-chose", **{"title.fr": "Autre"})
    publish(coordinator_client, "quiz", form, key="quiz-le-reseau")
    assert list(Activity.objects.values_list("key", flat=True)) == ["quiz-le-reseau"]


def test_new_activity_cannot_take_existing_key(coordinator_client):
    publish(coordinator_client, "quiz", QUIZ_FORM)
    response = publish(coordinator_client, "quiz", {**QUIZ_FORM, "title.fr": "Copie"})
    assert response.status_code == 400
    assert "la clé « quiz-le-reseau » est déjà prise" in response.content.decode()
    assert ActivityVersion.objects.count() == 1


def test_failing_solution_refused_with_reason(coordinator_client):
    form = {**CODING_FORM, "solution": "until goal\r\n  move"}
    response = publish(coordinator_client, "coding", form)
    html = response.content.decode()
    assert response.status_code == 400
    assert "la solution de référence ne résout pas le défi" in html
    assert "le robot atteint l’arrivée avec 0 objet(s) ramassé(s) sur 2" in html
    assert not ActivityVersion.objects.exists()


# Preview.


def preview(client, kind, form):
    return client.post(reverse("activities:authoring-preview", args=[kind]), form)


def test_preview_renders_valid_quiz(coordinator_client):
    html = preview(coordinator_client, "quiz", QUIZ_FORM).content.decode()
    assert "Contenu valide." in html
    assert 'data-question="q4"' in html
    assert "Réponse attendue : 1 ko" in html
    assert "4 questions · 5 points" in html
    assert not Activity.objects.exists()


def test_preview_lists_problems_with_inputs(coordinator_client):
    form = {**QUIZ_FORM, "questions[0].prompt.fr": ""}
    html = preview(coordinator_client, "quiz", form).content.decode()
    assert 'data-slot="f-questions--0---prompt"' in html
    assert 'data-reason="en français : ne doit pas être vide"' in html
    assert "data-preview-valid" not in html


def test_preview_runs_solution(coordinator_client):
    html = preview(coordinator_client, "coding", CODING_FORM).content.decode()
    assert 'data-outcome="success"' in html
    assert "le robot réussit en" in html
    assert html.count('class="visited"') == 5


def test_preview_of_edited_activity_accepts_its_key(coordinator_client):
    publish(coordinator_client, "quiz", QUIZ_FORM)
    form = {**QUIZ_FORM, "editing": "quiz-le-reseau"}
    html = preview(coordinator_client, "quiz", form).content.decode()
    assert "Contenu valide." in html
    html = preview(coordinator_client, "quiz", QUIZ_FORM).content.decode()
    assert "est déjà prise" in html


# List and history.


def test_list_shows_versions_and_drafts(coordinator_client):
    publish(coordinator_client, "quiz", QUIZ_FORM)
    form = edit_values("quiz-le-reseau", **{"title.fr": "Le réseau"})
    publish(coordinator_client, "quiz", form, key="quiz-le-reseau", action="draft")
    html = coordinator_client.get(reverse("activities:authoring-list")).content.decode()
    assert "version 1 du" in html
    assert "version 2 en brouillon" in html
    assert "Historique (2 versions)" in html


@pytest.fixture
def two_versions(coordinator_client):
    publish(coordinator_client, "quiz", QUIZ_FORM)
    form = edit_values(
        "quiz-le-reseau",
        **{
            "duration_minutes": "20",
            "questions[0].prompt.fr": "Qu’est-ce qu’il faut ?",
        },
    )
    publish(coordinator_client, "quiz", form, key="quiz-le-reseau")
    form = edit_values("quiz-le-reseau", **{"title.fr": "Brouillon"})
    publish(coordinator_client, "quiz", form, key="quiz-le-reseau", action="draft")
    return Activity.objects.get(key="quiz-le-reseau")


def test_history_words_changes(client, teacher, two_versions):
    client.force_login(teacher)
    html = client.get(
        reverse("activities:history", args=[two_versions.key])
    ).content.decode()
    assert "De la version 1 à la version 2" in html
    assert "Durée (minutes) : « 15 » devient « 20 »." in html
    assert (
        "Questions q1 › Question (en français) : « Que faut-il pour aller sur "
        "Internet ? » devient « Qu’est-ce qu’il faut ? »."
    ) in html
    assert 'data-version="3"' not in html


def test_history_shows_draft_to_coordinator(coordinator_client, two_versions):
    url = reverse("activities:history", args=[two_versions.key])
    html = coordinator_client.get(url + "?de=2&a=3").content.decode()
    assert 'data-version="3"' in html
    assert (
        "Titre (en français) : « Le réseau de l’école » devient « Brouillon »." in html
    )


def test_history_compares_chosen_versions(client, teacher, two_versions):
    client.force_login(teacher)
    url = reverse("activities:history", args=[two_versions.key])
    html = client.get(url + "?de=2&a=1").content.decode()
    assert "De la version 2 à la version 1" in html
    assert "« 20 » devient « 15 »" in html
    assert client.get(url + "?a=3").status_code == 404
    assert client.get(url + "?de=x").status_code == 404


def test_draft_history_hidden_from_teacher(client, teacher, coordinator_client):
    publish(coordinator_client, "quiz", QUIZ_FORM, action="draft")
    client.force_login(teacher)
    url = reverse("activities:history", args=["quiz-le-reseau"])
    assert client.get(url).status_code == 404


def test_every_starter_file_opens_in_form(coordinator_client):
    call_command("content", "load", str(CONTENT_DIR))
    for activity in Activity.objects.all():
        response = coordinator_client.get(
            reverse("activities:authoring-edit", args=[activity.key])
        )
        assert response.status_code == 200, activity.key
        html = response.content.decode()
        assert f'name="key" id="f-key-input" value="{activity.key}" readonly' in html


def test_authoring_pages_in_english(coordinator_client):
    coordinator_client.cookies.load({"django_language": "en"})
    html = coordinator_client.get(reverse("activities:authoring-list")).content.decode()
    assert "Writing activities" in html
    response = publish(
        coordinator_client, "quiz", {**QUIZ_FORM, "duration_minutes": ""}
    )
    assert "required field: fill it in" in response.content.decode()


def test_form_shows_version_newer_than_draft(coordinator_client, tmp_path):
    publish(coordinator_client, "quiz", QUIZ_FORM, action="draft")
    changed = QUIZ_YAML.replace("duration_minutes: 15", "duration_minutes: 25")
    (tmp_path / "quiz-le-reseau.yaml").write_text(changed, encoding="utf-8")
    call_command("content", "load", str(tmp_path))

    url = reverse("activities:authoring-edit", args=["quiz-le-reseau"])
    html = coordinator_client.get(url).content.decode()
    assert "le formulaire montre la version publiée 2" in html
    assert 'name="duration_minutes" id="f-duration_minutes-input" value="25"' in html
