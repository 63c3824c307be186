"""Pages and API of the learning app, as teachers, colleagues and pupils use them."""

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.tests.blockly_programs import workspace
from iota.testing import make_pupil, make_pupil_user
from learning.models import Assignment, Attempt, Completion, PupilProfile
from learning.tests.helpers import (
    CODING_KEY,
    QUIZ_KEY,
    UNPLUGGED_KEY,
    answers_in_ids,
    make_assignment,
    make_attempt,
    publish_starter,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def published():
    return {key: publish_starter(key) for key in (CODING_KEY, QUIZ_KEY, UNPLUGGED_KEY)}


@pytest.fixture
def pupil(classroom):
    return make_pupil(classroom, "Léa")


@pytest.fixture
def pupil_client(pupil):
    client = Client()
    client.force_login(make_pupil_user(pupil))
    return client


def listed_keys(response) -> list[str]:
    return [item[0].key for item in response.context["items"]]


class TestLibrary:
    def test_lists_published_activities(self, client, teacher, published):
        client.force_login(teacher)
        response = client.get(reverse("learning:library"))
        assert response.status_code == 200
        assert sorted(listed_keys(response)) == sorted(published)

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"mode": "unplugged"}, [UNPLUGGED_KEY]),
            ({"mode": "on_screen", "kind": "coding"}, [CODING_KEY]),
            ({"crcn": "5.2"}, [QUIZ_KEY]),
            ({"q": "tout droit"}, [CODING_KEY]),
            ({"level": "CM1", "kind": "quiz"}, [QUIZ_KEY]),
        ],
    )
    def test_filters(self, client, teacher, published, query, expected):
        client.force_login(teacher)
        response = client.get(reverse("learning:library"), query)
        assert listed_keys(response) == expected

    def test_duration_filter(self, client, teacher, published):
        client.force_login(teacher)
        response = client.get(reverse("learning:library"), {"duration": "15"})
        durations = [item[0].duration_minutes for item in response.context["items"]]
        assert durations
        assert all(minutes <= 15 for minutes in durations)

    def test_pupil_rejected(self, pupil_client):
        assert pupil_client.get(reverse("learning:library")).status_code == 403


class TestAssign:
    def url(self, key: str = CODING_KEY) -> str:
        return reverse("learning:activity-detail", args=[key])

    def test_form_offers_own_classes_only(
        self, client, teacher, classroom, other_classroom, published
    ):
        client.force_login(teacher)
        response = client.get(self.url())
        page = response.content.decode()
        assert response.status_code == 200
        assert f'value="{classroom.pk}"' in page
        assert f'value="{other_classroom.pk}"' not in page

    def test_unplugged_page_links_printed_sheets(self, client, teacher, published):
        client.force_login(teacher)
        page = client.get(self.url(UNPLUGGED_KEY)).content.decode()
        assert reverse("activities:sheet", args=[UNPLUGGED_KEY]) in page
        assert reverse("activities:sheet-pdf", args=[UNPLUGGED_KEY]) in page

    def test_pupils_listed_in_french_order(self, client, teacher, classroom, published):
        for name in ("Zoé", "Éloïse", "Mathis", "Maëlys"):
            make_pupil(classroom, name)
        client.force_login(teacher)
        response = client.get(self.url(), {"classroom": classroom.pk})
        names = [
            label for _value, label in response.context["form"].fields["pupils"].choices
        ]
        assert names == ["Éloïse", "Maëlys", "Mathis", "Zoé"]

    def test_assigns_to_group(self, client, teacher, classroom, published, pupil):
        client.force_login(teacher)
        response = client.post(
            self.url(),
            {
                "classroom": classroom.pk,
                "starts_on": TODAY.isoformat(),
                "due_on": (TODAY + dt.timedelta(days=5)).isoformat(),
                "pupils": [pupil.pk],
            },
        )
        assert response.status_code == 302
        assert response.url == reverse("learning:class-plan", args=[classroom.pk])
        assignment = Assignment.objects.get(classroom=classroom)
        assert list(assignment.pupils.all()) == [pupil]
        assert assignment.due_on == TODAY + dt.timedelta(days=5)

    def test_colleague_class_rejected(
        self, client, teacher, other_classroom, published
    ):
        client.force_login(teacher)
        response = client.post(
            self.url(),
            {"classroom": other_classroom.pk, "starts_on": TODAY.isoformat()},
        )
        assert response.status_code == 400
        assert "classroom" in response.context["form"].errors
        assert not Assignment.objects.exists()

    def test_due_before_start_names_field(self, client, teacher, classroom, published):
        client.force_login(teacher)
        response = client.post(
            self.url(),
            {
                "classroom": classroom.pk,
                "starts_on": TODAY.isoformat(),
                "due_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            },
        )
        assert response.status_code == 400
        assert "due_on" in response.context["form"].errors

    def test_researcher_cannot_assign(self, client, researcher, classroom, published):
        client.force_login(researcher)
        response = client.post(
            self.url(), {"classroom": classroom.pk, "starts_on": TODAY.isoformat()}
        )
        assert response.status_code == 403

    def test_unpublished_key_not_found(self, client, teacher):
        client.force_login(teacher)
        assert client.get(self.url("nothing-here")).status_code == 404

    def test_texts_in_page_language(self, client, teacher, published):
        client.force_login(teacher)
        client.cookies.load({"django_language": "en"})
        page = client.get(self.url(QUIZ_KEY)).content.decode()
        assert "<h1>My computer</h1>" in page
        # The questions have no English text, so they fall back on French.
        assert "Avec quoi écris-tu un texte ?" in page


class TestClassPlanAndResults:
    def test_plan_counts_finished_pupils(self, client, teacher, classroom, pupil):
        assignment = make_assignment(publish_starter(CODING_KEY), classroom)
        make_pupil(classroom, "Tom")
        make_attempt(assignment, pupil)
        client.force_login(teacher)
        response = client.get(reverse("learning:class-plan", args=[classroom.pk]))
        ((_term, is_current, (row,)),) = response.context["terms"]
        assert is_current is True
        assert row.done_count == 1
        assert row.pupil_count == 2

    def test_move_reorders(self, client, teacher, classroom):
        first = make_assignment(publish_starter(CODING_KEY), classroom, position=1)
        second = make_assignment(publish_starter(QUIZ_KEY), classroom, position=2)
        client.force_login(teacher)
        client.post(
            reverse("learning:assignment-move", args=[second.pk]), {"direction": "up"}
        )
        order = list(
            Assignment.objects.filter(classroom=classroom)
            .order_by("position")
            .values_list("pk", flat=True)
        )
        assert order == [second.pk, first.pk]

    def test_results_name_pupils(self, client, teacher, classroom, pupil):
        assignment = make_assignment(publish_starter(QUIZ_KEY), classroom)
        make_attempt(assignment, pupil, score=3, max_score=6)
        client.force_login(teacher)
        response = client.get(
            reverse("learning:assignment-results", args=[assignment.pk])
        )
        page = response.content.decode()
        assert "Léa" in page
        assert "3 / 6 (50 %)" in page

    def test_colleague_gets_not_found(self, client, colleague, classroom):
        assignment = make_assignment(publish_starter(QUIZ_KEY), classroom)
        client.force_login(colleague)
        url = reverse("learning:assignment-results", args=[assignment.pk])
        assert client.get(url).status_code == 404


class TestAssignmentDone:
    def url(self, assignment) -> str:
        return reverse("learning:assignment-done", args=[assignment.pk])

    def test_every_pupil_ticked_at_first(self, client, teacher, classroom, pupil):
        sheet = make_assignment(publish_starter(UNPLUGGED_KEY), classroom)
        absent = make_pupil(classroom, "Tom")
        client.force_login(teacher)
        response = client.get(self.url(sheet))
        page = response.content.decode()
        assert response.status_code == 200
        for someone in (pupil, absent):
            assert f'value="{someone.pk}" id="done-{someone.pk}" checked' in page

    def test_untick_absent_and_save(self, client, teacher, classroom, pupil):
        sheet = make_assignment(publish_starter(UNPLUGGED_KEY), classroom)
        absent = make_pupil(classroom, "Tom")
        client.force_login(teacher)
        response = client.post(
            self.url(sheet), {"done_on": TODAY.isoformat(), "pupils": [pupil.pk]}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "learning:class-plan", args=[classroom.pk]
        )
        assert list(Completion.objects.values_list("pupil_id", flat=True)) == [pupil.pk]
        page = client.get(self.url(sheet)).content.decode()
        assert f'id="done-{pupil.pk}" checked' in page
        assert f'id="done-{absent.pk}">' in page

    def test_future_day_names_it(self, client, teacher, classroom, pupil):
        sheet = make_assignment(publish_starter(UNPLUGGED_KEY), classroom)
        later = TODAY + dt.timedelta(days=3)
        client.force_login(teacher)
        response = client.post(
            self.url(sheet), {"done_on": later.isoformat(), "pupils": [pupil.pk]}
        )
        assert response.status_code == 400
        assert later.isoformat() in response.content.decode()
        assert not Completion.objects.exists()

    def test_quiz_not_found(self, client, teacher, classroom):
        quiz = make_assignment(publish_starter(QUIZ_KEY), classroom)
        client.force_login(teacher)
        assert client.get(self.url(quiz)).status_code == 404

    def test_plan_links_unplugged_row(self, client, teacher, classroom, pupil):
        sheet = make_assignment(publish_starter(UNPLUGGED_KEY), classroom)
        client.force_login(teacher)
        client.post(
            self.url(sheet), {"done_on": TODAY.isoformat(), "pupils": [pupil.pk]}
        )
        page = client.get(
            reverse("learning:class-plan", args=[classroom.pk])
        ).content.decode()
        assert f'href="{self.url(sheet)}"' in page
        assert "1 / 1" in page

    def test_today_page_shows_done(self, client, teacher, classroom, pupil):
        sheet = make_assignment(publish_starter(UNPLUGGED_KEY), classroom)
        client.force_login(teacher)
        client.post(
            self.url(sheet), {"done_on": TODAY.isoformat(), "pupils": [pupil.pk]}
        )
        pupil_client = Client()
        pupil_client.force_login(make_pupil_user(pupil))
        page = pupil_client.get(reverse("assessment:pupil-today")).content.decode()
        card = page[page.index(f'data-assignment="{sheet.pk}"') :]
        assert "Fini" in card[: card.index("</section>")]


class TestAccommodationsPage:
    def test_teacher_saves_checkboxes(self, client, teacher, classroom, pupil):
        client.force_login(teacher)
        url = reverse("learning:accommodations", args=[classroom.pk])
        response = client.post(url, {"larger_text": [str(pupil.pk)]})
        assert response.status_code == 302
        profile = PupilProfile.objects.get(pupil=pupil)
        assert profile.larger_text is True
        assert profile.read_aloud is False
        assert profile.updated_by == teacher

    def test_body_class_on_pupil_pages(self, pupil_client, pupil):
        PupilProfile.objects.create(pupil=pupil, dyslexia_font=True)
        page = pupil_client.get(reverse("assessment:pupil-today")).content.decode()
        assert 'class="pupil a11y-dyslexia-font"' in page


class TestPlay:
    def player_data(self, response, element_id: str) -> dict:
        html = response.content.decode()
        start = html.index(f'id="{element_id}"')
        start = html.index(">", start) + 1
        return json.loads(html[start : html.index("</script>", start)])

    def quiz_data(self, client, assignment) -> dict:
        response = client.get(reverse("learning:play", args=[assignment.pk]))
        assert response.status_code == 200
        return self.player_data(response, "quiz-data")

    def test_quiz_data_hides_answers(self, pupil_client, classroom):
        assignment = make_assignment(publish_starter(QUIZ_KEY), classroom)
        data = self.quiz_data(pupil_client, assignment)
        text = json.dumps(data)
        assert [question["key"] for question in data["questions"]] == [
            "q1",
            "q2",
            "q3",
            "q4",
        ]
        assert '"correct"' not in text
        assert '"answer"' not in text
        assert "feedback" not in text
        # The content's keys of choices, items and pairs stay on the server.
        for key in ("screen", "keyboard", "mouse", "speaker", "wait", "cables"):
            assert f'"{key}"' not in text

    def test_quiz_matching_sides_unrelated(self, pupil_client, classroom):
        assignment = make_assignment(publish_starter(QUIZ_KEY), classroom)
        matching = self.quiz_data(pupil_client, assignment)["questions"][0]
        left_ids = {item["id"] for item in matching["left"]}
        right_ids = {item["id"] for item in matching["right"]}
        assert matching["type"] == "matching"
        assert left_ids.isdisjoint(right_ids)
        assert len(left_ids) == len(right_ids) == 3

    def test_quiz_layout_kept_on_reload(self, pupil_client, classroom):
        assignment = make_assignment(publish_starter(QUIZ_KEY), classroom)
        first = self.quiz_data(pupil_client, assignment)
        again = self.quiz_data(pupil_client, assignment)
        assert first["seed"] == 0
        assert again["questions"] == first["questions"]

    def test_quiz_layout_new_after_attempt(self, pupil_client, classroom, pupil):
        assignment = make_assignment(publish_starter(QUIZ_KEY), classroom)
        first = self.quiz_data(pupil_client, assignment)
        make_attempt(assignment, pupil)
        second = self.quiz_data(pupil_client, assignment)
        first_ids = [choice["id"] for choice in first["questions"][1]["choices"]]
        second_ids = [choice["id"] for choice in second["questions"][1]["choices"]]
        assert second["seed"] == 1
        assert set(first_ids).isdisjoint(second_ids)

    def test_coding_data_hides_solution(self, pupil_client, classroom):
        assignment = make_assignment(publish_starter(CODING_KEY), classroom)
        response = pupil_client.get(reverse("learning:play", args=[assignment.pk]))
        data = self.player_data(response, "coding-data")
        assert "solution" not in data
        assert data["toolbox"] == ["robot_move_forward"]
        assert data["grid"]["width"] == 6

    def test_other_class_assignment_not_found(self, pupil_client, other_classroom):
        assignment = make_assignment(publish_starter(QUIZ_KEY), other_classroom)
        url = reverse("learning:play", args=[assignment.pk])
        assert pupil_client.get(url).status_code == 404


class TestAttemptsApi:
    def post(self, client, assignment, body) -> object:
        return client.post(
            reverse("learning:attempts-api", args=[assignment.pk]),
            data=json.dumps(body),
            content_type="application/json",
        )

    def body(self, **fields) -> dict:
        now = timezone.now()
        values = {
            "key": str(uuid.uuid4()),
            "started_at": (now - dt.timedelta(minutes=1)).isoformat(),
            "finished_at": now.isoformat(),
            "time_spent_seconds": 60,
            "hints_used": 0,
        }
        values.update(fields)
        return values

    def test_created_then_duplicate(self, pupil_client, classroom):
        assignment = make_assignment(publish_starter(CODING_KEY), classroom)
        body = self.body(program=workspace("move", "move", "move"))
        first = self.post(pupil_client, assignment, body)
        again = self.post(pupil_client, assignment, body)
        assert first.status_code == 201
        assert first.json()["outcome"] == "success"
        assert again.status_code == 200
        assert again.json()["status"] == "duplicate"
        assert Attempt.objects.count() == 1

    def test_client_score_ignored(self, pupil_client, classroom):
        assignment = make_assignment(publish_starter(CODING_KEY), classroom)
        body = self.body(program=workspace("move"), score=1, outcome="success")
        response = self.post(pupil_client, assignment, body)
        assert response.json()["score"] == 0
        assert response.json()["outcome"] == "not_yet"

    def test_quiz_returns_feedback(self, pupil_client, classroom, pupil):
        assignment = make_assignment(publish_starter(QUIZ_KEY), classroom)
        answers = answers_in_ids(assignment, pupil, {"q2": "screen"})
        response = self.post(
            pupil_client, assignment, self.body(answers=answers, seed=0)
        )
        questions = {item["key"]: item for item in response.json()["questions"]}
        assert questions["q2"]["status"] == "wrong"
        assert questions["q2"]["feedback"][0]["text"].startswith("L’écran")
        assert questions["q1"]["status"] == "unanswered"

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"key": "not-a-uuid"}, "key"),
            ({"finished_at": "2026-12-01T10:00:00"}, "finished_at"),
            ({"time_spent_seconds": -3}, "time_spent_seconds"),
            ({"program": None}, "program"),
            ({"seed": -1}, "seed"),
            ({"seed": "0"}, "seed"),
            ({"seed": 2**40}, "seed"),
        ],
    )
    def test_invalid_body_names_field(self, pupil_client, classroom, change, field):
        assignment = make_assignment(publish_starter(CODING_KEY), classroom)
        body = self.body(program=workspace("move"))
        body.update(change)
        response = self.post(pupil_client, assignment, body)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_request"
        assert field in response.json()["message"]

    def test_not_json_rejected(self, pupil_client, classroom):
        assignment = make_assignment(publish_starter(CODING_KEY), classroom)
        response = pupil_client.post(
            reverse("learning:attempts-api", args=[assignment.pk]),
            data="{",
            content_type="application/json",
        )
        assert response.status_code == 400

    def test_signed_out_gets_401(self, client, classroom):
        assignment = make_assignment(publish_starter(CODING_KEY), classroom)
        response = self.post(client, assignment, self.body(program=workspace()))
        assert response.status_code == 401
        assert response.json()["code"] == "signed_out"

    def test_other_class_assignment_not_found(self, pupil_client, other_classroom):
        assignment = make_assignment(publish_starter(CODING_KEY), other_classroom)
        response = self.post(pupil_client, assignment, self.body(program=workspace()))
        assert response.status_code == 404
        assert not Attempt.objects.exists()


class TestProgressPage:
    def test_shows_own_badge_only(self, pupil_client, classroom, pupil):
        assignment = make_assignment(publish_starter(CODING_KEY), classroom)
        classmate = make_pupil(classroom, "Tom")
        make_attempt(assignment, pupil)
        make_attempt(assignment, classmate)
        response = pupil_client.get(reverse("learning:progress"))
        page = response.content.decode()
        assert response.status_code == 200
        assert 'data-code="3.4" data-badge="bronze"' in page
        assert "Tom" not in page
