"""Assessment: instruments, campaigns, waves, and the pupils' answers.

An `Instrument` is loaded from a versioned YAML file under `assessment/instruments/`;
the database keeps a copy of the definition so that answers stay tied to the exact
items they were given for. A `Campaign` measures with one instrument in a set of
classes; it has one or more `Wave`s (T1 to T4), each with a date window read in each
school's own time zone. A teacher starts a wave in class, which creates a
`WaveSession`; after the session closes, a `WaveReopening` lets the pupils who have
not finished answer for a few more days. A pupil's run through the questionnaire in a
wave is a `Response`, made of one `Answer` per item. Every answer carries the key the
pupil's browser generated for it, so an answer resent after a network drop is stored
once. A `Reminder` records each e-mail sent to a teacher about a wave, so that a
reminder is never sent twice.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Instrument(models.Model):
    key = models.SlugField(max_length=80)
    version = models.CharField(max_length=20)
    schema_version = models.PositiveSmallIntegerField()
    title = models.CharField(_("titre"), max_length=200)
    skill = models.CharField(_("compétence"), max_length=40)
    validated = models.BooleanField(_("validé"), default=False)
    definition = models.JSONField()
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="unique_instrument_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.version}"


class Campaign(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="campaigns"
    )
    school_year = models.ForeignKey(
        "schools.SchoolYear", on_delete=models.PROTECT, related_name="campaigns"
    )
    classes = models.ManyToManyField(
        "schools.Classroom", related_name="campaigns", blank=True
    )
    # A class whose wave ended with at least this share of its pupils finished counts
    # as done for that wave, and as missed below it.
    completion_target = models.PositiveSmallIntegerField(
        _("objectif de participation (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Wave(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="waves"
    )
    label = models.CharField(max_length=10)  # "T1"
    # Calendar dates, read in each school's time zone: a wave that opens on 2 March
    # opens at midnight in Paris for a Paris school and at midnight in Saint-Denis
    # for a school in La Réunion.
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(_("fermeture"))

    class Meta:
        ordering = ["campaign", "opens_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "label"], name="unique_wave_label"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.label}"


class WaveSession(models.Model):
    """A wave started in one class by its teacher."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="sessions")
    classroom = models.ForeignKey(
        "schools.Classroom", on_delete=models.CASCADE, related_name="wave_sessions"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True
    )
    started_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "classroom"], name="unique_wave_session"
            )
        ]

    def __str__(self) -> str:
        return f"wave session {self.pk}"


class WaveReopening(models.Model):
    """A closed wave opened again in one class, until `closes_at`.

    Only pupils whose response was not completed before `reopened_at` may answer.
    """

    session = models.ForeignKey(
        WaveSession, on_delete=models.CASCADE, related_name="reopenings"
    )
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True
    )
    reopened_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField()
    # Set when someone closed the reopening before `closes_at`.
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reopened_at"]
        indexes = [models.Index(fields=["session", "closes_at"])]

    def __str__(self) -> str:
        return f"reopening {self.pk} of wave session {self.session_id}"

    @property
    def end(self) -> dt.datetime:
        """The instant pupils stop answering: `ended_at` if set, else `closes_at`."""
        if self.ended_at is not None:
            return min(self.ended_at, self.closes_at)
        return self.closes_at

    def is_active(self, now: dt.datetime) -> bool:
        return self.reopened_at <= now < self.end


class ReminderKind(models.TextChoices):
    OPENING = "opening", _("avant l’ouverture")
    CLOSING = "closing", _("avant la fermeture")


class Reminder(models.Model):
    """One reminder e-mail sent to a teacher about one wave, of one kind."""

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "wave", "kind"], name="unique_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder {self.pk} of wave {self.wave_id}"


class Response(models.Model):
    """One pupil's questionnaire in one wave."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    pupil = models.ForeignKey(
        "schools.Pupil", on_delete=models.CASCADE, related_name="responses"
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Answers stored or replaced so far. The reports compare its sum over a
    # campaign to tell whether their analysis is stale, without scanning answers.
    answer_changes = models.PositiveIntegerField(default=0)
    # Demo data generated by the platform, shown as simulated wherever it appears.
    is_simulated = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "pupil"], name="unique_response")
        ]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.CharField(max_length=40)
    # The scale point chosen, from 1 to the scale's number of points; null when the
    # pupil chose "I'd rather not answer".
    value = models.PositiveSmallIntegerField(null=True)
    client_key = models.UUIDField(unique=True)
    answered_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="unique_answer")
        ]

    def __str__(self) -> str:
        return f"answer {self.pk}"
