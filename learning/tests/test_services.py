"""Services of the learning app: class plans, today's list, attempts, progress."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from activities.tests.blockly_programs import workspace
from iota.testing import make_pupil
from learning.models import Attempt, Completion, Outcome, PupilProfile
from learning.services import (
    AttemptKeyConflictError,
    AttemptRejectedError,
    AttemptSubmission,
    LearningError,
    assign_activity,
    assignment_results,
    badge_for,
    class_plan,
    completion_rows,
    move_assignment,
    plan_progress,
    pupil_progress,
    quiz_feedback,
    quiz_layout,
    record_attempt,
    record_completions,
    remove_assignment,
    set_accommodations,
    today_activities,
)
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
RIGHT_QUIZ = {
    "q1": {"screen": "screen", "keyboard": "keyboard", "mouse": "mouse"},
    "q2": "keyboard",
    "q3": ["wait", "cables", "adult"],
    "q4": 8,
}


def submission(**fields) -> AttemptSubmission:
    now = timezone.now()
    values = {
        "key": uuid.uuid4(),
        "started_at": now - dt.timedelta(minutes=2),
        "finished_at": now,
        "time_spent_seconds": 120,
        "hints_used": 1,
    }
    values.update(fields)
    return AttemptSubmission(**values)


@pytest.fixture
def coding(classroom):
    return make_assignment(publish_starter(CODING_KEY), classroom)


@pytest.fixture
def quiz(classroom):
    return make_assignment(publish_starter(QUIZ_KEY), classroom, position=2)


@pytest.fixture
def pupil(classroom):
    return make_pupil(classroom, "Léa")


class TestAssignActivity:
    def test_appends_to_plan(self, classroom, teacher):
        first = assign_activity(
            publish_starter(CODING_KEY),
            classroom,
            starts_on=TODAY,
            due_on=None,
            assigned_by=teacher,
        )
        second = assign_activity(
            publish_starter(QUIZ_KEY),
            classroom,
            starts_on=TODAY,
            due_on=TODAY + dt.timedelta(days=7),
            assigned_by=teacher,
        )
        assert [item.pk for item in class_plan(classroom)] == [first.pk, second.pk]
        assert second.position == first.position + 1
        assert second.assigned_by == teacher

    def test_group_of_pupils(self, classroom, teacher, pupil):
        assignment = assign_activity(
            publish_starter(CODING_KEY),
            classroom,
            starts_on=TODAY,
            due_on=None,
            pupils=[pupil],
            assigned_by=teacher,
        )
        assert list(assignment.pupils.all()) == [pupil]

    def test_due_before_start_rejected(self, classroom, teacher):
        with pytest.raises(LearningError) as raised:
            assign_activity(
                publish_starter(CODING_KEY),
                classroom,
                starts_on=TODAY,
                due_on=TODAY - dt.timedelta(days=1),
                assigned_by=teacher,
            )
        assert raised.value.code == "invalid_dates"

    def test_pupil_of_other_class_rejected(self, classroom, other_classroom, teacher):
        outsider = make_pupil(other_classroom, "Tom")
        with pytest.raises(LearningError) as raised:
            assign_activity(
                publish_starter(CODING_KEY),
                classroom,
                starts_on=TODAY,
                due_on=None,
                pupils=[outsider],
                assigned_by=teacher,
            )
        assert raised.value.code == "pupil_not_in_class"
        assert str(outsider.pk) in raised.value.message


class TestPlanOrder:
    def test_move_swaps_neighbours(self, classroom, coding, quiz):
        move_assignment(quiz, -1)
        assert [item.pk for item in class_plan(classroom)] == [quiz.pk, coding.pk]

    def test_move_past_end_does_nothing(self, classroom, coding, quiz):
        move_assignment(coding, -1)
        assert [item.pk for item in class_plan(classroom)] == [coding.pk, quiz.pk]

    def test_remove_without_attempts(self, classroom, coding):
        remove_assignment(coding)
        assert not class_plan(classroom).exists()

    def test_remove_with_attempts_rejected(self, coding, pupil):
        make_attempt(coding, pupil)
        with pytest.raises(LearningError) as raised:
            remove_assignment(coding)
        assert raised.value.code == "has_attempts"


class TestTodayActivities:
    def test_lists_open_assignments_in_order(self, classroom, coding, quiz, pupil):
        make_assignment(
            publish_starter(UNPLUGGED_KEY),
            classroom,
            starts_on=TODAY + dt.timedelta(days=3),
            position=3,
        )
        make_assignment(
            publish_starter("defi-02-tourner"),
            classroom,
            starts_on=TODAY - dt.timedelta(days=10),
            due_on=TODAY - dt.timedelta(days=1),
            position=4,
        )
        listed = today_activities(pupil)
        assert [item.assignment.pk for item in listed] == [coding.pk, quiz.pk]

    def test_group_assignment_only_for_its_pupils(self, classroom, coding, pupil):
        other = make_pupil(classroom, "Tom")
        coding.pupils.set([other])
        assert today_activities(pupil) == []
        assert [item.assignment.pk for item in today_activities(other)] == [coding.pk]

    def test_done_after_success(self, coding, pupil):
        make_attempt(coding, pupil, score=0)
        assert today_activities(pupil)[0].done is False
        make_attempt(coding, pupil, score=1)
        listed = today_activities(pupil)[0]
        assert listed.done is True
        assert listed.attempts == 2

    def test_unplugged_not_on_screen(self, classroom, pupil):
        make_assignment(publish_starter(UNPLUGGED_KEY), classroom)
        assert today_activities(pupil)[0].on_screen is False

    def test_pupil_who_left_sees_nothing(self, coding, pupil):
        pupil.left_on = TODAY
        pupil.save()
        assert today_activities(pupil) == []


class TestRecordAttempt:
    def test_coding_success_checked_by_engine(self, coding, pupil):
        program = workspace("move", "move", "move")
        outcome = record_attempt(coding, pupil, submission(program=program))
        attempt = outcome.attempt
        assert outcome.status == "created"
        assert attempt.outcome == Outcome.SUCCESS
        assert attempt.detail == "success"
        assert attempt.score == 1
        assert attempt.blocks_used == 3
        assert attempt.hints_used == 1
        assert attempt.version == coding.activity.current_version

    def test_coding_failure_recorded_as_not_yet(self, coding, pupil):
        attempt = record_attempt(
            coding, pupil, submission(program=workspace("move", "move"))
        ).attempt
        assert attempt.outcome == Outcome.NOT_YET
        assert attempt.detail == "goal_not_reached"
        assert attempt.score == 0

    def test_coding_forbidden_block_fails(self, coding, pupil):
        program = workspace("move", "move", "move", "left")
        attempt = record_attempt(coding, pupil, submission(program=program)).attempt
        assert attempt.detail == "block_not_allowed"
        assert attempt.outcome == Outcome.NOT_YET

    def test_quiz_scored_on_server(self, quiz, pupil):
        answers = answers_in_ids(quiz, pupil, RIGHT_QUIZ)
        sent = submission(answers=answers, seed=0)
        attempt = record_attempt(quiz, pupil, sent).attempt
        assert attempt.outcome == Outcome.FINISHED
        assert attempt.score == attempt.max_score
        assert attempt.blocks_used is None
        # Stored in the content's keys, so the attempt can be scored again.
        assert attempt.submission == {"answers": RIGHT_QUIZ, "seed": 0}

    def test_quiz_partial_score(self, quiz, pupil):
        answers = answers_in_ids(quiz, pupil, dict(RIGHT_QUIZ, q2="screen"))
        sent = submission(answers=answers, seed=0)
        attempt = record_attempt(quiz, pupil, sent).attempt
        assert 0 < attempt.score < attempt.max_score

    def test_quiz_content_keys_score_nothing(self, quiz, pupil):
        # Keys read from the content, not ids of the page, are unknown ids.
        attempt = record_attempt(
            quiz, pupil, submission(answers=RIGHT_QUIZ, seed=0)
        ).attempt
        statuses = {item.key: item.status for item in quiz_feedback(attempt).questions}
        assert statuses == {
            "q1": "invalid",
            "q2": "invalid",
            "q3": "invalid",
            "q4": "correct",  # a number has no ids
        }
        assert attempt.score == 1
        assert attempt.submission["answers"]["q2"] == "?keyboard"

    def test_quiz_ids_of_other_seed_score_nothing(self, quiz, pupil):
        answers = answers_in_ids(quiz, pupil, RIGHT_QUIZ, seed=1)
        attempt = record_attempt(
            quiz, pupil, submission(answers=answers, seed=0)
        ).attempt
        assert attempt.score == 1

    def test_quiz_ids_of_classmate_score_nothing(self, quiz, pupil, classroom):
        classmate = make_pupil(classroom, "Tom")
        answers = answers_in_ids(quiz, classmate, RIGHT_QUIZ)
        attempt = record_attempt(
            quiz, pupil, submission(answers=answers, seed=0)
        ).attempt
        assert attempt.score == 1

    def test_quiz_without_seed_rejected(self, quiz, pupil):
        answers = answers_in_ids(quiz, pupil, RIGHT_QUIZ)
        with pytest.raises(AttemptRejectedError) as raised:
            record_attempt(quiz, pupil, submission(answers=answers))
        assert raised.value.code == "invalid_request"
        assert "seed" in raised.value.message

    def test_quiz_layout_seed_counts_attempts(self, quiz, coding, pupil):
        assert quiz_layout(quiz, pupil).seed == 0
        make_attempt(quiz, pupil)
        make_attempt(coding, pupil)
        assert quiz_layout(quiz, pupil).seed == 1

    def test_quiz_unknown_question_rejected(self, quiz, pupil):
        with pytest.raises(AttemptRejectedError) as raised:
            record_attempt(quiz, pupil, submission(answers={"q99": "a"}, seed=0))
        assert raised.value.code == "invalid_request"

    def test_quiz_without_answers_rejected(self, quiz, pupil):
        with pytest.raises(AttemptRejectedError) as raised:
            record_attempt(quiz, pupil, submission(program=workspace("move")))
        assert raised.value.code == "invalid_request"

    def test_same_key_stored_once(self, coding, pupil):
        sent = submission(program=workspace("move", "move", "move"))
        first = record_attempt(coding, pupil, sent)
        again = record_attempt(coding, pupil, sent)
        assert again.status == "duplicate"
        assert again.attempt.pk == first.attempt.pk
        assert Attempt.objects.count() == 1

    def test_key_of_other_pupil_conflicts(self, coding, pupil, classroom):
        sent = submission(program=workspace("move"))
        record_attempt(coding, pupil, sent)
        with pytest.raises(AttemptKeyConflictError):
            record_attempt(coding, make_pupil(classroom, "Tom"), sent)

    def test_not_started_rejected(self, classroom, pupil):
        later = make_assignment(
            publish_starter(CODING_KEY),
            classroom,
            starts_on=TODAY + dt.timedelta(days=2),
        )
        with pytest.raises(AttemptRejectedError) as raised:
            record_attempt(later, pupil, submission(program=workspace("move")))
        assert raised.value.code == "not_started"

    def test_unplugged_rejected(self, classroom, pupil):
        sheet = make_assignment(publish_starter(UNPLUGGED_KEY), classroom)
        with pytest.raises(AttemptRejectedError) as raised:
            record_attempt(sheet, pupil, submission(answers={}))
        assert raised.value.code == "not_playable"


class TestAssignmentResults:
    def test_one_row_per_pupil_with_best(self, coding, pupil, classroom):
        waiting = make_pupil(classroom, "Tom")
        make_attempt(coding, pupil, score=0)
        best = make_attempt(coding, pupil, score=1)
        rows = {row.pupil.pk: row for row in assignment_results(coding)}
        assert rows[pupil.pk].done is True
        assert rows[pupil.pk].best == best
        assert rows[pupil.pk].attempts == 2
        assert rows[waiting.pk].attempts == 0
        assert rows[waiting.pk].best is None


class TestAccommodations:
    def test_set_and_clear(self, classroom, teacher, pupil):
        other = make_pupil(classroom, "Tom")
        changed = set_accommodations(
            classroom,
            {"read_aloud": {pupil.pk}, "dyslexia_font": {pupil.pk, other.pk}},
            teacher,
        )
        assert changed == 2
        profile = PupilProfile.objects.get(pupil=pupil)
        assert profile.read_aloud is True
        assert profile.dyslexia_font is True
        assert profile.larger_text is False

        set_accommodations(classroom, {}, teacher)
        profile.refresh_from_db()
        assert profile.read_aloud is False
        assert profile.dyslexia_font is False

    def test_pupil_of_other_class_untouched(self, classroom, other_classroom, teacher):
        outsider = make_pupil(other_classroom, "Tom")
        set_accommodations(classroom, {"read_aloud": {outsider.pk}}, teacher)
        assert not PupilProfile.objects.filter(pupil=outsider).exists()


class TestProgress:
    @pytest.mark.parametrize(
        ("done", "badge", "next_at"),
        [
            (0, "", 1),
            (1, "bronze", 3),
            (3, "silver", 5),
            (4, "silver", 5),
            (5, "gold", None),
        ],
    )
    def test_badge_thresholds(self, done, badge, next_at):
        assert badge_for(done) == (badge, next_at)

    def test_counts_own_successes_per_competency(self, classroom, coding, quiz, pupil):
        classmate = make_pupil(classroom, "Tom")
        make_attempt(coding, pupil, score=1)
        make_attempt(quiz, classmate, score=1)
        rows = {row.code: row for row in pupil_progress(pupil)}
        # The coding challenge works on 3.4; the quiz on 5.1 and 5.2.
        assert rows["3.4"].done == 1
        assert rows["3.4"].badge == "bronze"
        assert rows["5.1"].done == 0
        assert rows["5.1"].assigned == 1
        assert rows["5.1"].badge == ""

    def test_unplugged_counted_once_recorded(self, sheet, pupil, teacher):
        # The lesson sheet works on 1.3 and 3.2.
        before = {row.code: row for row in pupil_progress(pupil)}
        record_completions(sheet, [pupil], done_on=TODAY, recorded_by=teacher)
        after = {row.code: row for row in pupil_progress(pupil)}
        assert before["1.3"].assigned == 1
        assert before["1.3"].done == 0
        assert after["1.3"].done == 1
        assert after["3.2"].badge == "bronze"

    def test_classmate_completion_not_counted(self, sheet, pupil, classroom, teacher):
        classmate = make_pupil(classroom, "Tom")
        record_completions(sheet, [classmate], done_on=TODAY, recorded_by=teacher)
        rows = {row.code: row for row in pupil_progress(pupil)}
        assert rows["1.3"].done == 0


@pytest.fixture
def sheet(classroom):
    return make_assignment(publish_starter(UNPLUGGED_KEY), classroom, position=3)


class TestCompletions:
    def test_records_ticked_pupils(self, sheet, pupil, classroom, teacher):
        absent = make_pupil(classroom, "Tom")
        count = record_completions(sheet, [pupil], done_on=TODAY, recorded_by=teacher)
        completion = Completion.objects.get()
        assert count == 1
        assert completion.pupil == pupil
        assert completion.done_on == TODAY
        assert completion.recorded_by == teacher
        rows = {row.pupil.pk: row.done_on for row in completion_rows(sheet)}
        assert rows == {pupil.pk: TODAY, absent.pk: None}

    def test_later_day_keeps_first_days(self, sheet, pupil, classroom, teacher):
        absent = make_pupil(classroom, "Tom")
        yesterday = TODAY - dt.timedelta(days=1)
        record_completions(sheet, [pupil], done_on=yesterday, recorded_by=teacher)
        record_completions(sheet, [pupil, absent], done_on=TODAY, recorded_by=teacher)
        days = dict(Completion.objects.values_list("pupil_id", "done_on"))
        assert days == {pupil.pk: yesterday, absent.pk: TODAY}

    def test_unticked_pupil_loses_record(self, sheet, pupil, teacher):
        record_completions(sheet, [pupil], done_on=TODAY, recorded_by=teacher)
        count = record_completions(sheet, [], done_on=TODAY, recorded_by=teacher)
        assert count == 0
        assert not Completion.objects.exists()

    def test_pupil_who_left_keeps_record(self, sheet, pupil, classroom, teacher):
        leaver = make_pupil(classroom, "Tom")
        record_completions(sheet, [pupil, leaver], done_on=TODAY, recorded_by=teacher)
        leaver.left_on = TODAY
        leaver.save(update_fields=["left_on"])
        record_completions(sheet, [pupil], done_on=TODAY, recorded_by=teacher)
        assert Completion.objects.filter(pupil=leaver).exists()

    def test_pupil_outside_group_rejected(self, sheet, pupil, classroom, teacher):
        group_member = make_pupil(classroom, "Tom")
        sheet.pupils.set([group_member])
        with pytest.raises(LearningError) as raised:
            record_completions(sheet, [pupil], done_on=TODAY, recorded_by=teacher)
        assert raised.value.code == "pupil_not_in_assignment"
        assert str(pupil.pk) in raised.value.message
        assert not Completion.objects.exists()

    def test_pupil_of_other_class_rejected(self, sheet, other_classroom, teacher):
        outsider = make_pupil(other_classroom, "Tom")
        with pytest.raises(LearningError) as raised:
            record_completions(sheet, [outsider], done_on=TODAY, recorded_by=teacher)
        assert raised.value.code == "pupil_not_in_assignment"

    @pytest.mark.parametrize("days", [-2, 1], ids=["before start", "future"])
    def test_day_outside_assignment_rejected(self, sheet, pupil, teacher, days):
        day = TODAY + dt.timedelta(days=days)
        with pytest.raises(LearningError) as raised:
            record_completions(sheet, [pupil], done_on=day, recorded_by=teacher)
        assert raised.value.code == "invalid_dates"
        assert day.isoformat() in raised.value.message

    def test_on_screen_activity_rejected(self, quiz, pupil, teacher):
        with pytest.raises(LearningError) as raised:
            record_completions(quiz, [pupil], done_on=TODAY, recorded_by=teacher)
        assert raised.value.code == "not_unplugged"

    def test_done_on_today_list_and_plan(self, sheet, pupil, classroom, teacher):
        make_pupil(classroom, "Tom")
        record_completions(sheet, [pupil], done_on=TODAY, recorded_by=teacher)
        listed = {item.assignment.pk: item for item in today_activities(pupil)}
        (row,) = plan_progress(classroom, [sheet])
        assert listed[sheet.pk].done is True
        assert listed[sheet.pk].on_screen is False
        assert row.done_count == 1
        assert row.pupil_count == 2

    def test_assignment_with_completions_kept(self, sheet, pupil, teacher):
        record_completions(sheet, [pupil], done_on=TODAY, recorded_by=teacher)
        with pytest.raises(LearningError) as raised:
            remove_assignment(sheet)
        assert raised.value.code == "has_attempts"
