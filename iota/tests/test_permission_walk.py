"""Every URL, requested as every role, answers the status its access rule expects.

A URL without a row in RULES fails the walk, so no view can ship without a rule.
Statuses: 200 page, 302 redirect (anonymous visitors to a sign-in page, a role to its
own start page, or a form's redirect after its action), 401 the JSON API without a
session, 403 wrong role, 404 object outside the user's scope.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import ensure_picture_passwords, open_signin_window
from activities.content import load_content_file
from activities.services import publish_content
from activities.tests.content_factories import CONTENT_DIR
from assessment.instruments import sync_instruments
from assessment.models import Campaign, Instrument, Response, Wave, WaveSession
from iota.testing import make_pupil, make_pupil_user
from learning.tests.helpers import (
    QUIZ_KEY,
    make_assignment,
    make_attempt,
    publish_starter,
)
from performance.definitions import sync_tasks
from performance.models import Task
from performance.services import GroupDraft, form_groups, open_task
from studies.models import Study

ROLES = (
    "anonymous",
    "pupil",
    "teacher",
    "colleague",
    "coordinator",
    "researcher",
    "administrator",
)
# Shorthands for the common rows: (anonymous, pupil, teacher, colleague, coordinator,
# researcher, administrator).
PUBLIC = (200,) * 7


def row(*statuses: int) -> dict[str, int]:
    assert len(statuses) == len(ROLES)
    return dict(zip(ROLES, statuses, strict=True))


# URL name → (the objects its arguments name, expected status per role). Pages are
# requested with GET; the endpoints listed in POST_ONLY with an empty POST, since a
# GET to them answers 405 before any access check. The colleague teaches another
# class, so the teacher's class is outside their scope.
RULES: dict[str, tuple[str, dict[str, int]]] = {
    "home": ("", row(200, 302, 302, 302, 302, 302, 302)),
    "set_language": ("", row(302, 302, 302, 302, 302, 302, 302)),
    # accounts
    "accounts:login": ("", row(200, 302, 302, 302, 302, 302, 302)),
    "accounts:logout": ("", row(302, 302, 302, 302, 302, 302, 302)),
    "accounts:pupil-start": ("", row(*PUBLIC)),
    "accounts:pupil-class": ("code", row(*PUBLIC)),
    "accounts:pupil-pictures": ("code,pupil_id", row(*PUBLIC)),
    "accounts:signin-class": ("pk", row(302, 403, 200, 404, 200, 403, 200)),
    "accounts:signin-window-open": ("pk", row(302, 403, 302, 404, 302, 403, 302)),
    "accounts:signin-window-close": ("pk", row(302, 403, 302, 404, 302, 403, 302)),
    "accounts:picture-password-reset": (
        "pk,pupil_id",
        row(302, 403, 302, 404, 302, 403, 302),
    ),
    "accounts:signin-cards": ("pk", row(302, 403, 200, 404, 200, 403, 200)),
    "accounts:signin-cards-pdf": ("pk", row(302, 403, 200, 404, 200, 403, 200)),
    # schools
    "schools:class-list": ("", row(302, 403, 200, 200, 200, 200, 200)),
    "schools:class-detail": ("pk", row(302, 403, 200, 404, 200, 200, 200)),
    "schools:import-onde": ("", row(302, 403, 200, 200, 200, 403, 200)),
    "schools:import-onde-confirm": ("", row(302, 403, 302, 302, 302, 403, 302)),
    # activities: published sheets hold no pupil data, so every adult may read them;
    # pupils may not, since the teacher's sheet gives the answers away.
    "activities:sheet": ("sheet_key", row(302, 403, 200, 200, 200, 200, 200)),
    "activities:sheet-pdf": ("sheet_key", row(302, 403, 200, 200, 200, 200, 200)),
    "activities:handout": ("sheet_key", row(302, 403, 200, 200, 200, 200, 200)),
    "activities:handout-pdf": ("sheet_key", row(302, 403, 200, 200, 200, 200, 200)),
    "activities:versions": ("sheet_key", row(302, 403, 200, 200, 200, 200, 200)),
    # Authoring changes what every class gets, so only coordinators and
    # administrators write; every adult reads an activity's history.
    "activities:history": ("key", row(302, 403, 200, 200, 200, 200, 200)),
    "activities:authoring-list": ("", row(302, 403, 403, 403, 200, 403, 200)),
    "activities:authoring-new": ("", row(302, 403, 403, 403, 200, 403, 200)),
    "activities:authoring-create": ("kind", row(302, 403, 403, 403, 200, 403, 200)),
    "activities:authoring-edit": ("key", row(302, 403, 403, 403, 200, 403, 200)),
    # An empty form previews as its list of problems.
    "activities:authoring-preview": (
        "kind",
        row(302, 403, 403, 403, 200, 403, 200),
    ),
    # assessment
    "assessment:campaign-list": ("", row(302, 403, 200, 200, 200, 200, 200)),
    "assessment:campaign-create": ("", row(302, 403, 403, 403, 200, 403, 200)),
    "assessment:campaign-detail": (
        "campaign_pk",
        row(302, 403, 200, 404, 200, 200, 200),
    ),
    "assessment:wave-progress": (
        "wave_pk,class_pk",
        row(302, 403, 200, 404, 200, 200, 200),
    ),
    "assessment:wave-start": (
        "wave_pk,class_pk",
        row(302, 403, 302, 404, 302, 403, 302),
    ),
    "assessment:wave-close": (
        "wave_pk,class_pk",
        row(302, 403, 302, 404, 302, 403, 302),
    ),
    # The reopen page is a form: wave runners see it, even while the wave is open.
    "assessment:wave-reopen": (
        "wave_pk,class_pk",
        row(302, 403, 200, 404, 200, 403, 200),
    ),
    "assessment:class-waves": ("class_pk", row(302, 403, 200, 404, 200, 200, 200)),
    "assessment:pupil-today": ("", row(302, 200, 403, 403, 403, 403, 403)),
    "assessment:response-start": ("wave_pk", row(302, 302, 403, 403, 403, 403, 403)),
    "assessment:player": ("response_pk", row(302, 200, 403, 403, 403, 403, 403)),
    "assessment:answers-api": ("response_pk", row(401, 200, 403, 403, 403, 403, 403)),
    "assessment:report-index": ("", row(302, 403, 200, 200, 200, 200, 200)),
    "assessment:report-wave": ("wave_pk", row(302, 403, 200, 404, 200, 200, 200)),
    "assessment:report-class-wave": (
        "wave_pk,class_pk",
        row(302, 403, 200, 404, 200, 200, 200),
    ),
    # studies: researchers see the design and pseudonymised flags, never consent
    # pages (names); teachers record their classes' consent and see no flag.
    "studies:study-list": ("", row(302, 403, 200, 200, 200, 200, 200)),
    "studies:study-create": ("", row(302, 403, 403, 403, 200, 403, 200)),
    "studies:study-detail": ("study_pk", row(302, 403, 200, 404, 200, 200, 200)),
    "studies:study-settings": ("study_pk", row(302, 403, 403, 403, 200, 403, 200)),
    "studies:assign": ("study_pk", row(302, 403, 403, 403, 200, 403, 200)),
    "studies:quality": ("study_pk", row(302, 403, 403, 403, 200, 200, 200)),
    "studies:class-arm": (
        "study_pk,class_pk",
        row(302, 403, 403, 403, 302, 403, 302),
    ),
    "studies:consent-class": (
        "study_pk,class_pk",
        row(302, 403, 200, 404, 200, 403, 200),
    ),
    "studies:consent-bulk": (
        "study_pk,class_pk",
        row(302, 403, 302, 404, 302, 403, 302),
    ),
    "studies:consent-import": (
        "study_pk,class_pk",
        row(302, 403, 200, 404, 200, 403, 200),
    ),
    # learning: every adult browses the library; class plans, results and
    # accommodations name pupils, so researchers get 403 there.
    "learning:library": ("", row(302, 403, 200, 200, 200, 200, 200)),
    "learning:activity-detail": ("key", row(302, 403, 200, 200, 200, 200, 200)),
    "learning:class-plan": ("pk", row(302, 403, 200, 404, 200, 403, 200)),
    "learning:accommodations": ("pk", row(302, 403, 200, 404, 200, 403, 200)),
    "learning:assignment-results": (
        "assignment_pk",
        row(302, 403, 200, 404, 200, 403, 200),
    ),
    "learning:assignment-done": (
        "unplugged_pk",
        row(302, 403, 200, 404, 200, 403, 200),
    ),
    "learning:assignment-move": (
        "assignment_pk",
        row(302, 403, 302, 404, 302, 403, 302),
    ),
    # The assignment has an attempt, so removing it is refused with a redirect.
    "learning:assignment-remove": (
        "assignment_pk",
        row(302, 403, 302, 404, 302, 403, 302),
    ),
    "learning:play": ("assignment_pk", row(302, 200, 403, 403, 403, 403, 403)),
    "learning:attempts-api": (
        "assignment_pk",
        row(401, 200, 403, 403, 403, 403, 403),
    ),
    "learning:progress": ("", row(302, 200, 403, 403, 403, 403, 403)),
}
# performance: researchers follow tasks without names and change nothing. Only a
# class game has rounds to close, so closing one of the pair's is not found.
RULES.update(
    {
        "performance:task-index": ("", row(302, 403, 200, 200, 200, 200, 200)),
        "performance:wave-tasks": (
            "wave_pk,class_pk",
            row(302, 403, 200, 404, 200, 200, 200),
        ),
        "performance:task-open": (
            "wave_pk,class_pk,task_pk",
            row(302, 403, 302, 404, 302, 403, 302),
        ),
        "performance:session-detail": (
            "session_pk",
            row(302, 403, 200, 404, 200, 200, 200),
        ),
        "performance:session-close": (
            "session_pk",
            row(302, 403, 302, 404, 302, 403, 302),
        ),
        "performance:session-groups": (
            "session_pk",
            row(302, 403, 200, 404, 200, 403, 200),
        ),
        "performance:observation": (
            "group_pk",
            row(302, 403, 200, 404, 200, 403, 200),
        ),
        "performance:group-close-round": (
            "group_pk",
            row(302, 403, 404, 404, 404, 403, 404),
        ),
        "performance:pupil-tasks": ("", row(302, 200, 403, 403, 403, 403, 403)),
        "performance:run-start": (
            "session_pk",
            row(302, 302, 403, 403, 403, 403, 403),
        ),
        "performance:play": ("run_pk", row(302, 200, 403, 403, 403, 403, 403)),
        "performance:events-api": ("run_pk", row(401, 200, 403, 403, 403, 403, 403)),
    }
)
# reports: the dashboard, PDF, power calculator and export are for coordinators,
# researchers and administrators; the PDF redirects to the dashboard until an
# analysis is done. Teachers see their own class's results only.
RULES.update(
    {
        "reports:index": ("", row(302, 403, 200, 200, 200, 200, 200)),
        "reports:dashboard": ("study_pk", row(302, 403, 403, 403, 200, 200, 200)),
        "reports:analyse": ("study_pk", row(302, 403, 403, 403, 302, 302, 302)),
        "reports:report-pdf": ("study_pk", row(302, 403, 403, 403, 302, 302, 302)),
        "reports:power": ("study_pk", row(302, 403, 403, 403, 200, 200, 200)),
        "reports:export": ("study_pk", row(302, 403, 403, 403, 200, 200, 200)),
        "reports:export-codebook": (
            "study_pk",
            row(302, 403, 403, 403, 200, 200, 200),
        ),
        "reports:class-report": (
            "study_pk,class_pk",
            row(302, 403, 200, 404, 200, 200, 200),
        ),
    }
)
POST_ONLY = {
    "reports:analyse",
    "activities:authoring-preview",
    "performance:task-open",
    "performance:session-close",
    "performance:group-close-round",
    "performance:run-start",
    "accounts:logout",
    "schools:import-onde-confirm",
    "accounts:signin-window-open",
    "accounts:signin-window-close",
    "accounts:picture-password-reset",
    "assessment:wave-start",
    "assessment:wave-close",
    "assessment:response-start",
    "studies:class-arm",
    "studies:consent-bulk",
    "learning:assignment-move",
    "learning:assignment-remove",
}
# Django's admin checks staff status on its own; its index stands for all its pages.
SKIPPED_NAMESPACES = {"admin"}


@dataclass
class World:
    users: dict[str, User | None]
    args: dict[str, object]


def walk_url_names(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    resolver = resolver or get_resolver()
    names = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names.extend(walk_url_names(entry, namespace))
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{prefix}{entry.name}")
    return names


@pytest.fixture
def world(
    classroom,
    other_classroom,
    teacher,
    colleague,
    coordinator,
    researcher,
    administrator,
) -> World:
    sync_instruments(settings.IOTA_INSTRUMENTS_DIR)
    instrument = Instrument.objects.get(key="perseverance-self-report")
    campaign = Campaign.objects.create(
        name="Persévérance",
        instrument=instrument,
        school_year=classroom.school_year,
        created_by=coordinator,
    )
    campaign.classes.add(classroom)
    today = timezone.localdate()
    wave = Wave.objects.create(
        campaign=campaign,
        label="T1",
        opens_on=today - dt.timedelta(days=2),
        closes_on=today + dt.timedelta(days=7),
    )
    WaveSession.objects.create(wave=wave, classroom=classroom, started_by=teacher)
    pupil = make_pupil(classroom, "Léa")
    pupil_user = make_pupil_user(pupil)
    ensure_picture_passwords(classroom)
    open_signin_window(classroom, teacher)
    response = Response.objects.create(wave=wave, pupil=pupil)
    study = Study.objects.create(name="Étude", campaign=campaign)
    sheet = publish_content(load_content_file(CONTENT_DIR / "robot-idiot.yaml"))
    sync_tasks()
    pair_task = Task.objects.get(key="collaboration-code")
    task_session = open_task(pair_task, wave, classroom, teacher)
    partner = make_pupil(classroom, "Noé")
    (group,) = form_groups(
        task_session, [GroupDraft(1, [pupil, partner])], "devices", teacher
    )
    run = group.runs.get(pupil=pupil)
    activity = publish_starter(QUIZ_KEY)
    assignment = make_assignment(activity, classroom)
    make_attempt(assignment, pupil)
    unplugged = make_assignment(sheet.activity, classroom, position=2)
    return World(
        users={
            "anonymous": None,
            "pupil": pupil_user,
            "teacher": teacher,
            "colleague": colleague,
            "coordinator": coordinator,
            "researcher": researcher,
            "administrator": administrator,
        },
        args={
            "pk": classroom.pk,
            "class_pk": classroom.pk,
            "code": classroom.code,
            "pupil_id": pupil.pk,
            "sheet_key": sheet.activity.key,
            "campaign_pk": campaign.pk,
            "wave_pk": wave.pk,
            "response_pk": response.pk,
            "study_pk": study.pk,
            "task_pk": pair_task.pk,
            "session_pk": task_session.pk,
            "group_pk": group.pk,
            "run_pk": run.pk,
            "key": activity.key,
            "kind": activity.kind,
            "assignment_pk": assignment.pk,
            "unplugged_pk": unplugged.pk,
        },
    )


def url_for(name: str, arg_names: str, world: World) -> str:
    renamed = {
        "campaign_pk": "pk",
        "sheet_key": "key",
        "unplugged_pk": "assignment_pk",
    }
    kwargs = {}
    for arg in filter(None, arg_names.split(",")):
        kwargs[renamed.get(arg, arg)] = world.args[arg]
    return reverse(name, kwargs=kwargs)


def test_every_url_has_a_rule(db):
    missing = sorted(set(walk_url_names()) - set(RULES))
    assert missing == [], f"URLs without an access rule in RULES: {missing}"


def test_rules_name_existing_urls(db):
    stale = sorted(set(RULES) - set(walk_url_names()))
    assert stale == [], f"RULES rows for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_role_status(world, role):
    user = world.users[role]
    mismatches = []
    for name in walk_url_names():
        if name not in RULES:
            continue
        arg_names, expected = RULES[name]
        url = url_for(name, arg_names, world)
        # A fresh client for each URL, so signing out or in cannot leak into the next.
        client = Client()
        if user is not None:
            client.force_login(user)
        request = client.post if name in POST_ONLY else client.get
        status = request(url).status_code
        if status != expected[role]:
            mismatches.append(f"{name} {url}: got {status}, expected {expected[role]}")
    assert mismatches == [], f"as {role}:\n" + "\n".join(mismatches)


@pytest.mark.parametrize("role", ROLES)
def test_admin_requires_staff(world, role):
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    status = client.get(reverse("admin:index")).status_code
    assert status == (200 if role == "administrator" else 302)
