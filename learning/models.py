"""Learning: what a class is asked to do, what each pupil did, and how pupils work.

An `Assignment` puts one `activities.Activity` in a class's plan, for the whole class
or for a group of its pupils, between two dates and at a position in the plan. Pupils
play the activity's current published version. Each time a pupil submits a quiz or
runs a coding program, the browser queues an `Attempt` with a key of its own, so an
attempt resent after a network drop is stored once. The attempt keeps the version it
was played on, the score the server computed (never the browser's), the time spent,
the hints opened and the blocks used.

An unplugged activity has no attempts: the teacher records who did it in class, and
each pupil who did gets a `Completion`, which counts in their progress as a
succeeded attempt does.

A `PupilProfile` stores the accommodations a teacher sets for one pupil: read-aloud,
larger text and a dyslexia-friendly font. Every pupil page honours them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PupilProfile(models.Model):
    pupil = models.OneToOneField(
        "schools.Pupil", on_delete=models.CASCADE, related_name="learning_profile"
    )
    read_aloud = models.BooleanField(_("lecture à voix haute"), default=False)
    larger_text = models.BooleanField(_("texte plus grand"), default=False)
    dyslexia_font = models.BooleanField(
        _("police adaptée à la dyslexie"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("profil d’élève")
        verbose_name_plural = _("profils d’élèves")

    def __str__(self) -> str:
        return f"profile of pupil {self.pupil_id}"


class Assignment(models.Model):
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("activité"),
    )
    classroom = models.ForeignKey(
        "schools.Classroom",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("classe"),
    )
    # Empty means the whole class.
    pupils = models.ManyToManyField(
        "schools.Pupil",
        related_name="assignments",
        blank=True,
        verbose_name=_("groupe d’élèves"),
    )
    starts_on = models.DateField(_("à partir du"))
    due_on = models.DateField(_("jusqu’au"), null=True, blank=True)
    position = models.PositiveIntegerField(_("ordre dans le plan"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["classroom", "position", "pk"]
        verbose_name = _("activité attribuée")
        verbose_name_plural = _("activités attribuées")
        indexes = [models.Index(fields=["classroom", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__isnull=True)
                | models.Q(due_on__gte=models.F("starts_on")),
                name="assignment_due_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"assignment {self.pk} of class {self.classroom_id}"


class Outcome(models.TextChoices):
    # A quiz ends as `finished`. A coding run ends as `success` or `not_yet`, and the
    # attempt's `detail` keeps the engine's own outcome.
    FINISHED = "finished", _("terminé")
    SUCCESS = "success", _("réussi")
    NOT_YET = "not_yet", _("pas encore réussi")


# The outcomes that count an activity as done.
SUCCESS_OUTCOMES = (Outcome.FINISHED, Outcome.SUCCESS)


class Attempt(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="attempts"
    )
    pupil = models.ForeignKey(
        "schools.Pupil", on_delete=models.CASCADE, related_name="attempts"
    )
    version = models.ForeignKey(
        "activities.ActivityVersion", on_delete=models.PROTECT, related_name="+"
    )
    client_key = models.UUIDField(unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    # Quizzes give partial credit, so a score may be a fraction of a point.
    score = models.FloatField()
    max_score = models.PositiveIntegerField()
    time_spent_seconds = models.PositiveIntegerField()
    hints_used = models.PositiveSmallIntegerField(default=0)
    blocks_used = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    # The engine's own outcome of a coding run (wall_hit, goal_not_reached, …).
    detail = models.CharField(max_length=40, blank=True)
    # What the pupil sent: quiz answers or the Blockly program, as JSON.
    submission = models.JSONField()

    class Meta:
        ordering = ["assignment", "pupil", "finished_at"]
        indexes = [models.Index(fields=["pupil", "assignment"])]

    def __str__(self) -> str:
        return f"attempt {self.pk}"

    @property
    def succeeded(self) -> bool:
        return self.outcome in SUCCESS_OUTCOMES


class Completion(models.Model):
    """An unplugged assignment a pupil did in class, as the teacher recorded it."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="completions"
    )
    pupil = models.ForeignKey(
        "schools.Pupil", on_delete=models.CASCADE, related_name="completions"
    )
    done_on = models.DateField(_("fait le"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assignment", "pupil"]
        verbose_name = _("activité débranchée faite")
        verbose_name_plural = _("activités débranchées faites")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "pupil"], name="unique_completion_per_pupil"
            )
        ]

    def __str__(self) -> str:
        return f"completion of assignment {self.assignment_id} by pupil {self.pupil_id}"
