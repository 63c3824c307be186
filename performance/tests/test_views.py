"""The teachers' task pages, the pupils' pages and the event API."""

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from performance.models import Group, Observation, TaskEvent, TaskRun, TaskSession
from performance.services import (
    GroupDraft,
    close_task,
    form_groups,
    open_task,
    record_event,
    start_run,
)
from performance.tests.conftest import make_pupil

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def puzzles(tasks, wave, classroom, teacher):
    return open_task(tasks["perseverance-puzzles"], wave, classroom, teacher)


@pytest.fixture
def pictures(tasks, wave, classroom, teacher):
    return open_task(tasks["communication-pictures"], wave, classroom, teacher)


@pytest.fixture
def pair(pictures, pupil, classmate, teacher) -> Group:
    (group,) = form_groups(
        pictures, [GroupDraft(1, [pupil, classmate])], "devices", teacher
    )
    return group


def page_data(response) -> dict:
    return response.context["player_data"]


# Teachers.


def test_wave_tasks_lists_four_tasks(tasks, wave, classroom, teacher):
    response = client_of(teacher).get(
        reverse("performance:wave-tasks", args=[wave.pk, classroom.pk])
    )
    assert response.status_code == 200
    assert [row["task"].key for row in response.context["rows"]] == [
        "collaboration-code",
        "communication-pictures",
        "cooperation-sharing",
        "perseverance-puzzles",
    ]


def test_teacher_opens_and_closes_task(tasks, wave, classroom, teacher):
    client = client_of(teacher)
    task = tasks["cooperation-sharing"]
    client.post(reverse("performance:task-open", args=[wave.pk, classroom.pk, task.pk]))
    session = TaskSession.objects.get(task=task, classroom=classroom)
    assert session.closed_at is None
    client.post(reverse("performance:session-close", args=[session.pk]))
    session.refresh_from_db()
    assert session.closed_at is not None


def test_session_detail_names_for_teacher_only(puzzles, teacher, researcher, pupil):
    url = reverse("performance:session-detail", args=[puzzles.pk])
    teacher_page = client_of(teacher).get(url).content.decode()
    researcher_page = client_of(researcher).get(url).content.decode()
    assert pupil.display_name in teacher_page
    assert pupil.display_name not in researcher_page


def test_session_detail_partial_for_htmx(puzzles, teacher):
    response = client_of(teacher).get(
        reverse("performance:session-detail", args=[puzzles.pk]),
        headers={"HX-Request": "true"},
    )
    assert response.content.decode().lstrip().startswith('<div id="progress"')


def test_groups_form_by_hand(pictures, teacher, pupil, classmate):
    response = client_of(teacher).post(
        reverse("performance:session-groups", args=[pictures.pk]),
        {
            "device_mode": "shared",
            f"pupil_{pupil.pk}": "4",
            f"pupil_{classmate.pk}": "4",
            "save": "",
        },
    )
    group = Group.objects.get(session=pictures)
    assert response.status_code == 302
    assert group.number == 4
    assert group.device_mode == "shared"


def test_groups_form_reports_bad_size(pictures, teacher, pupil, classmate):
    response = client_of(teacher).post(
        reverse("performance:session-groups", args=[pictures.pk]),
        {"device_mode": "devices", f"pupil_{pupil.pk}": "1", "save": ""},
    )
    assert response.status_code == 200
    assert "Le groupe 1 a 1 élève(s)" in response.content.decode()
    assert not Group.objects.exists()


def test_groups_drawn_at_random(pictures, teacher, pupil, classmate):
    client_of(teacher).post(
        reverse("performance:session-groups", args=[pictures.pk]),
        {"device_mode": "devices", "draw": ""},
    )
    assert TaskRun.objects.filter(session=pictures, group__isnull=False).count() == 2


def test_groups_page_of_solo_task_not_found(puzzles, teacher):
    response = client_of(teacher).get(
        reverse("performance:session-groups", args=[puzzles.pk])
    )
    assert response.status_code == 404


def test_observation_grid_saved(tasks, wave, classroom, teacher, pupil, classmate):
    session = open_task(tasks["collaboration-code"], wave, classroom, teacher)
    (group,) = form_groups(
        session, [GroupDraft(1, [pupil, classmate])], "devices", teacher
    )
    response = client_of(teacher).post(
        reverse("performance:observation", args=[group.pk]), {"O1": "3", "O4": "2"}
    )
    assert response.status_code == 302
    assert Observation.objects.get(group=group).ratings == {"O1": 3, "O4": 2}


def test_empty_observation_rejected(tasks, wave, classroom, teacher, pupil, classmate):
    session = open_task(tasks["collaboration-code"], wave, classroom, teacher)
    (group,) = form_groups(
        session, [GroupDraft(1, [pupil, classmate])], "devices", teacher
    )
    response = client_of(teacher).post(
        reverse("performance:observation", args=[group.pk]), {}
    )
    assert response.status_code == 200
    assert not Observation.objects.exists()


def test_close_round_of_class_game(tasks, wave, classroom, teacher, pupil, classmate):
    session = open_task(tasks["cooperation-sharing"], wave, classroom, teacher)
    third = make_pupil(classroom, "Inès")
    (group,) = form_groups(
        session, [GroupDraft(1, [pupil, classmate, third])], "devices", teacher
    )
    run = TaskRun.objects.get(group=group, seat=0)
    record_event(
        run,
        key=uuid.uuid4(),
        kind="contribute",
        payload={"round": 1, "tokens": 3},
        seq=0,
    )
    client_of(teacher).post(reverse("performance:group-close-round", args=[group.pk]))
    group.refresh_from_db()
    assert group.state["round"] == 2


def test_colleague_cannot_open_session(puzzles, colleague):
    response = client_of(colleague).get(
        reverse("performance:session-detail", args=[puzzles.pk])
    )
    assert response.status_code == 404


# Pupils.


def test_pupil_sees_open_tasks(puzzles, pictures, pupil):
    response = client_of(pupil.user).get(reverse("performance:pupil-tasks"))
    tasks = {item["session"].pk: item for item in response.context["tasks"]}
    assert set(tasks) == {puzzles.pk, pictures.pk}
    assert tasks[pictures.pk]["waits_for_group"] is True
    assert tasks[puzzles.pk]["waits_for_group"] is False


def test_run_start_redirects_to_player(puzzles, pupil):
    response = client_of(pupil.user).post(
        reverse("performance:run-start", args=[puzzles.pk])
    )
    run = TaskRun.objects.get(pupil=pupil)
    assert response.status_code == 302
    assert response.url == reverse("performance:play", args=[run.pk])


def test_run_start_without_group_explains(pictures, pupil):
    response = client_of(pupil.user).post(
        reverse("performance:run-start", args=[pictures.pk])
    )
    assert response.status_code == 409
    assert "Ton équipe n’est pas encore formée" in response.content.decode()


def test_run_start_other_class_not_found(puzzles, outsider_pupil):
    response = client_of(outsider_pupil.user).post(
        reverse("performance:run-start", args=[puzzles.pk])
    )
    assert response.status_code == 404


def test_other_pupils_run_not_shown(puzzles, pupil, classmate):
    run = start_run(puzzles, pupil)
    client = client_of(classmate.user)
    page = client.get(reverse("performance:play", args=[run.pk]))
    api = client.get(reverse("performance:events-api", args=[run.pk]))
    assert page.status_code == 404
    assert api.status_code == 404


def test_listener_page_data_hides_target(pair, classmate):
    run = TaskRun.objects.get(group=pair, pupil=classmate)
    data = page_data(
        client_of(classmate.user).get(reverse("performance:play", args=[run.pk]))
    )
    assert "trials" not in data["content"]
    assert "target" not in data["view"]
    assert data["view"]["role"] == "listener"
    assert [member["seat"] for member in data["members"]] == [0, 1]


def test_code_page_data_shows_own_clues(
    tasks, wave, classroom, teacher, pupil, classmate
):
    session = open_task(tasks["collaboration-code"], wave, classroom, teacher)
    (group,) = form_groups(
        session, [GroupDraft(1, [pupil, classmate])], "devices", teacher
    )
    run = TaskRun.objects.get(group=group, pupil=classmate)
    data = page_data(
        client_of(classmate.user).get(reverse("performance:play", args=[run.pk]))
    )
    assert "puzzles" not in data["content"]
    assert data["view"]["clues"] == {"1": ["Le cœur n’est pas au milieu."]}


def test_class_game_page_names_nobody(
    tasks, wave, classroom, teacher, pupil, classmate
):
    session = open_task(tasks["cooperation-sharing"], wave, classroom, teacher)
    third = make_pupil(classroom, "Inès")
    (group,) = form_groups(
        session, [GroupDraft(1, [pupil, classmate, third])], "devices", teacher
    )
    run = TaskRun.objects.get(group=group, pupil=pupil)
    response = client_of(pupil.user).get(reverse("performance:play", args=[run.pk]))
    assert page_data(response)["members"] == []
    assert "Inès" not in response.content.decode()


def post_event(client, run, body) -> tuple[int, dict]:
    response = client.post(
        reverse("performance:events-api", args=[run.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )
    return response.status_code, response.json()


def event_body(**fields) -> dict:
    body = {
        "key": str(uuid.uuid4()),
        "kind": "choose",
        "payload": {"round": 1, "level": "hard"},
        "seq": 1,
        "occurred_at": "2026-12-04T10:00:00+01:00",
    }
    body.update(fields)
    return body


def test_api_stores_event_once(puzzles, pupil):
    run = start_run(puzzles, pupil)
    client = client_of(pupil.user)
    body = event_body()
    first = post_event(client, run, body)
    again = post_event(client, run, body)
    assert first == (201, {"status": "created", "completed": False})
    assert again == (200, {"status": "duplicate", "completed": False})
    assert TaskEvent.objects.filter(run=run).count() == 1


def test_api_get_returns_stored_events(puzzles, pupil):
    run = start_run(puzzles, pupil)
    client = client_of(pupil.user)
    body = event_body()
    post_event(client, run, body)
    stored = client.get(reverse("performance:events-api", args=[run.pk])).json()
    assert stored["events"] == [
        {"key": body["key"], "kind": "choose", "payload": body["payload"], "seq": 1}
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"key": "nope"}, "is not a UUID"),
        ({"kind": ""}, "kind is missing"),
        ({"payload": [1]}, "payload must be a JSON object"),
        ({"seq": -1}, "seq -1"),
        ({"occurred_at": "2026-12-04 10:00"}, "occurred_at"),
        ({"seat": "0"}, "seat '0'"),
    ],
)
def test_api_rejects_bad_body(puzzles, pupil, fields, message):
    run = start_run(puzzles, pupil)
    status, body = post_event(client_of(pupil.user), run, event_body(**fields))
    assert status == 400
    assert body["code"] == "invalid_request"
    assert message in body["message"]


def test_api_rejects_invalid_event(puzzles, pupil):
    run = start_run(puzzles, pupil)
    body = event_body(payload={"round": 1, "level": "medium"})
    status, answer = post_event(client_of(pupil.user), run, body)
    assert status == 400
    assert answer["code"] == "invalid_event"


def test_api_closed_task_conflict(puzzles, pupil, teacher):
    run = start_run(puzzles, pupil)
    close_task(puzzles, teacher)
    status, body = post_event(client_of(pupil.user), run, event_body(occurred_at=None))
    assert status == 409
    assert body["code"] == "task_closed"


def test_api_group_action_returns_view(pair, pupil, classmate):
    speaker = TaskRun.objects.get(group=pair, pupil=pupil)
    listener = TaskRun.objects.get(group=pair, pupil=classmate)
    message = event_body(
        kind="message", payload={"trial": 0, "words": {"shape": "circle"}}, seq=0
    )
    status, body = post_event(client_of(pupil.user), speaker, message)
    assert status == 201
    assert body["view"]["phase"] == "choose"
    assert body["view"]["version"] == 1
    polled = client_of(classmate.user).get(
        reverse("performance:events-api", args=[listener.pk])
    )
    assert polled.json()["view"]["message"] == {"shape": "circle"}


def test_api_out_of_turn_conflict_with_view(pair, classmate):
    listener = TaskRun.objects.get(group=pair, pupil=classmate)
    message = event_body(
        kind="message", payload={"trial": 0, "words": {"shape": "circle"}}, seq=0
    )
    status, body = post_event(client_of(classmate.user), listener, message)
    assert status == 409
    assert body["code"] == "not_allowed"
    assert body["view"]["phase"] == "message"


def test_api_signed_out_is_401(puzzles, pupil):
    run = start_run(puzzles, pupil)
    response = Client().post(
        reverse("performance:events-api", args=[run.pk]),
        data=json.dumps(event_body()),
        content_type="application/json",
    )
    assert response.status_code == 401


def test_api_rejects_deeply_nested_body(puzzles, pupil):
    run = start_run(puzzles, pupil)
    reply = client_of(pupil.user).post(
        reverse("performance:events-api", args=[run.pk]),
        "[" * 100_000,
        content_type="application/json",
    )
    assert reply.status_code == 400
    assert "body is not JSON" in reply.json()["message"]
