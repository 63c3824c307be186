"""Performance tasks: short games in the browser that measure the four skills.

A `Task` is loaded from a versioned YAML file under `performance/tasks/`; the database
keeps a copy of the definition so that runs stay tied to the exact content they were
played with. A teacher opens a task in a class for one wave of a campaign: that is a
`TaskSession`. A pupil's play of the task in that session is a `TaskRun`, made of
`TaskEvent`s, each carrying the key the pupil's browser generated for it, so an event
resent after a network drop is stored once.

Pair and group tasks are played by a `Group` that the teacher forms. The server keeps
the group's shared state as JSON, with a version number that grows by one on every
change: a change is written only if the version is still the one it was computed
from, so two pupils acting at the same moment never overwrite each other. Each
member's `TaskRun` points to the group and to the member's seat in it. The teacher
may fill in an `Observation` grid for a group while it plays.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Task(models.Model):
    key = models.SlugField(max_length=80)
    version = models.CharField(max_length=20)
    schema_version = models.PositiveSmallIntegerField()
    # The game that plays the task, such as "effort-choice"; it fixes the skill and
    # whether pupils play alone, in pairs or in groups.
    type = models.CharField(max_length=40)
    skill = models.CharField(_("compétence"), max_length=40)
    title = models.CharField(_("titre"), max_length=200)
    validated = models.BooleanField(_("validée"), default=False)
    definition = models.JSONField()
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="unique_task_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.version}"


class TaskSession(models.Model):
    """A task opened in one class for one wave by its teacher."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="sessions")
    wave = models.ForeignKey(
        "assessment.Wave", on_delete=models.CASCADE, related_name="task_sessions"
    )
    classroom = models.ForeignKey(
        "schools.Classroom", on_delete=models.CASCADE, related_name="task_sessions"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "classroom", "task"], name="unique_task_session"
            )
        ]

    def __str__(self) -> str:
        return f"task session {self.pk}"


class DeviceMode(models.TextChoices):
    DEVICES = "devices", _("un appareil par élève")
    SHARED = "shared", _("un appareil pour le groupe")


class Group(models.Model):
    """Pupils who play a pair or group task together, and their shared state."""

    session = models.ForeignKey(
        TaskSession, on_delete=models.CASCADE, related_name="groups"
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    device_mode = models.CharField(
        _("appareils"), max_length=10, choices=DeviceMode.choices
    )
    state = models.JSONField(default=dict)
    # 0 until the first action; every change of `state` adds one.
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"], name="unique_group_number"
            )
        ]

    def __str__(self) -> str:
        return f"group {self.pk}"


class TaskRun(models.Model):
    """One pupil's play of a task in a task session."""

    session = models.ForeignKey(
        TaskSession, on_delete=models.CASCADE, related_name="runs"
    )
    pupil = models.ForeignKey(
        "schools.Pupil", on_delete=models.CASCADE, related_name="task_runs"
    )
    group = models.ForeignKey(
        Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    # The member's place in the group, from 0; it decides roles and turns.
    seat = models.PositiveSmallIntegerField(null=True, blank=True)
    # Content drawn for this run when it starts, such as the puzzles of each round,
    # so that scoring replays the events against what the pupil saw.
    material = models.JSONField(default=dict)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Demo data generated by the platform, shown as simulated wherever it appears.
    is_simulated = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "pupil"], name="unique_task_run"
            ),
            models.UniqueConstraint(fields=["group", "seat"], name="unique_group_seat"),
        ]

    def __str__(self) -> str:
        return f"task run {self.pk}"


class TaskEvent(models.Model):
    # The acting pupil's run; null for a teacher's action on a group, such as
    # closing a round of the class game.
    run = models.ForeignKey(
        TaskRun,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    # Set for the actions of a group; `seq` is then the group's version after the
    # action, which orders the actions of every member.
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    # For a pupil playing alone, the order the browser gave the event.
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    client_key = models.UUIDField(unique=True)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "seq", "pk"]
        indexes = [
            models.Index(fields=["run", "seq"]),
            models.Index(fields=["group", "seq"]),
        ]

    def __str__(self) -> str:
        return f"task event {self.pk}"


class Observation(models.Model):
    """The teacher's observation grid for one group, one rating per grid item."""

    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="observation"
    )
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True
    )
    # {"O1": 3, "O2": 4}: the scale point chosen for each grid item key.
    ratings = models.JSONField(default=dict)
    observed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"observation {self.pk}"
