"""Studies: the research design laid over a measurement campaign.

A `Study` evaluates the programme with one `assessment.Campaign`, and stores the
thresholds of its data-quality rules. Each class of the study has a `ClassArm`: it
is a programme class or a comparison class, chosen by the coordination or drawn by an
`AssignmentRun`. A run records the seed, the strata and who ran it, so the draw can
be reproduced. A `Consent` is the parents' answer for one pupil in one
study (given, refused or unknown). Every change to it adds a `ConsentChange` row, so
the history shows who recorded which answer and when. A pupil without a `Consent`
row has an unknown consent.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Defaults of the data-quality rules, also used for a campaign without a study.
DEFAULT_LONG_STRING_SHARE = 0.75
DEFAULT_MIN_SECONDS_PER_ITEM = 2.0


class Arm(models.TextChoices):
    PROGRAMME = "programme", _("programme")
    COMPARISON = "comparison", _("comparaison")


class AssignmentMethod(models.TextChoices):
    CHOSEN = "chosen", _("choisi")
    RANDOM = "random", _("tirage au sort")


class Stratification(models.TextChoices):
    ACADEMIE = "academie", _("par académie")
    SCHOOL = "school", _("par école")


class ConsentStatus(models.TextChoices):
    GIVEN = "given", _("donné")
    REFUSED = "refused", _("refusé")
    UNKNOWN = "unknown", _("inconnu")


class ConsentSource(models.TextChoices):
    FORM = "form", _("page de la classe")
    BULK = "bulk", _("sélection")
    CSV = "csv", _("import CSV")


class Study(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    campaign = models.OneToOneField(
        "assessment.Campaign",
        on_delete=models.PROTECT,
        related_name="study",
        verbose_name=_("campagne"),
    )
    # Long string: a run of identical consecutive answers at least this share of the
    # questionnaire's items long is flagged (rounded up to whole items).
    long_string_share = models.FloatField(
        _("part de réponses identiques à la suite"),
        default=DEFAULT_LONG_STRING_SHARE,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
    )
    # Too fast: a median gap between consecutive answers below this is flagged.
    min_seconds_per_item = models.FloatField(
        _("secondes par question, au minimum"),
        default=DEFAULT_MIN_SECONDS_PER_ITEM,
        validators=[MinValueValidator(0.0)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("étude")

    def __str__(self) -> str:
        return self.name


class AssignmentRun(models.Model):
    """One stratified random draw of programme and comparison classes."""

    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, related_name="assignment_runs"
    )
    seed = models.BigIntegerField()
    stratify_by = models.CharField(max_length=10, choices=Stratification.choices)
    # The stratum keys (académie codes or school UAIs) and the class ids in each,
    # in the order they were drawn: {"paris": [12, 15], "creteil": [3]}.
    strata = models.JSONField(default=dict)
    # True when arms were redrawn although the classes already had answers.
    forced = models.BooleanField(default=False)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    performed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-performed_at", "-pk"]

    def __str__(self) -> str:
        return f"assignment run {self.pk} of study {self.study_id}"


class ClassArm(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="arms")
    classroom = models.ForeignKey(
        "schools.Classroom", on_delete=models.CASCADE, related_name="study_arms"
    )
    arm = models.CharField(_("groupe"), max_length=12, choices=Arm.choices)
    method = models.CharField(
        _("affectation"), max_length=8, choices=AssignmentMethod.choices
    )
    # The draw that set this arm; null for a chosen arm.
    run = models.ForeignKey(
        AssignmentRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="arms",
    )
    stratum = models.CharField(max_length=40, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["study", "classroom"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "classroom"], name="unique_class_arm"
            )
        ]

    def __str__(self) -> str:
        return f"class {self.classroom_id} in study {self.study_id}: {self.arm}"


class Consent(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="consents")
    pupil = models.ForeignKey(
        "schools.Pupil", on_delete=models.CASCADE, related_name="consents"
    )
    status = models.CharField(
        _("consentement"), max_length=8, choices=ConsentStatus.choices
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "pupil"], name="unique_consent")
        ]
        indexes = [models.Index(fields=["study", "status"])]

    def __str__(self) -> str:
        return f"consent of pupil {self.pupil_id} in study {self.study_id}"


class ConsentChange(models.Model):
    """One change of a pupil's consent, kept for the audit of who recorded what."""

    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, related_name="consent_changes"
    )
    pupil = models.ForeignKey(
        "schools.Pupil", on_delete=models.CASCADE, related_name="consent_changes"
    )
    previous_status = models.CharField(max_length=8, choices=ConsentStatus.choices)
    status = models.CharField(max_length=8, choices=ConsentStatus.choices)
    source = models.CharField(max_length=8, choices=ConsentSource.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["study", "pupil"])]

    def __str__(self) -> str:
        return f"consent change {self.pk}"
