"""Activities: the templates teachers assign, each stored as a list of versions.

An `Activity` is one lesson sheet, quiz or coding challenge, named by a stable `key`.
Its content lives in `ActivityVersion` rows numbered 1, 2, … . A version is written as a
draft, then published, and a published version never changes again: publishing a change
creates the next version, so an attempt that points to a version keeps what the pupil
did. `content` is the JSON dump of the kind's pydantic model in `activities.content`,
with a French original and an optional English translation for each text.

The activity row also copies a few fields of its latest published version (title,
levels, duration, CRCN codes, whether it needs a screen) so the library can list and
filter activities without reading every version's JSON.
"""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    UNPLUGGED = "unplugged", _("activité débranchée")
    QUIZ = "quiz", _("quiz")
    CODING = "coding", _("défi de programmation")


class Status(models.TextChoices):
    DRAFT = "draft", _("brouillon")
    PUBLISHED = "published", _("publiée")


class PublishedVersionError(Exception):
    """A change to a published version, which is immutable."""


class Activity(models.Model):
    key = models.SlugField(_("clé"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    # Copies of the latest published version, refreshed when a version is published.
    current_version = models.ForeignKey(
        "ActivityVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version publiée"),
    )
    title = models.CharField(_("titre"), max_length=200, blank=True)
    levels = models.JSONField(_("niveaux"), default=list, blank=True)  # ["CM1", "CM2"]
    duration_minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"), null=True, blank=True
    )
    crcn = models.JSONField(_("compétences CRCN"), default=list, blank=True)  # ["3.4"]
    on_screen = models.BooleanField(_("sur écran"), default=False)

    class Meta:
        ordering = ["key"]
        verbose_name = _("activité")
        verbose_name_plural = _("activités")

    def __str__(self) -> str:
        return self.title or self.key


class ActivityVersion(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("numéro"))
    schema_version = models.PositiveSmallIntegerField(_("version du schéma"))
    content = models.JSONField(_("contenu"))
    # SHA-256 of the content as canonical JSON (sorted keys, no spaces), so loading
    # the same file twice is recognised without comparing whole documents.
    content_hash = models.CharField(_("empreinte du contenu"), max_length=64)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publiée par"),
    )

    class Meta:
        ordering = ["activity", "number"]
        verbose_name = _("version d’activité")
        verbose_name_plural = _("versions d’activité")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["activity", "number"], name="unique_activity_version_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="activity_version_number_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity.key} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and self._stored_as_published():
            raise PublishedVersionError(
                _("La version %(version)s est publiée : elle ne peut plus changer.")
                % {"version": self}
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.pk is not None and self._stored_as_published():
            raise PublishedVersionError(
                _("La version %(version)s est publiée : impossible de la supprimer.")
                % {"version": self}
            )
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def _stored_as_published(self) -> bool:
        return ActivityVersion.objects.filter(
            pk=self.pk, status=Status.PUBLISHED
        ).exists()


class UnfinishedDraft(models.Model):
    """An author's authoring form saved while it still has problems.

    It keeps the form's values as they were typed, one per author, kind and
    activity (none for a new one), until the author saves it as a version, publishes
    it or discards it. It is not a version: no class and no preview uses it.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The form's fields by name, each with its list of values, as a POST sends them.
    values = models.JSONField(_("valeurs du formulaire"))
    saved_at = models.DateTimeField(_("enregistré le"), auto_now=True)

    class Meta:
        verbose_name = _("brouillon incomplet")
        verbose_name_plural = _("brouillons incomplets")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["author", "kind", "activity"])
        ]

    def __str__(self) -> str:
        return f"{self.kind} draft of user {self.author_id}"
