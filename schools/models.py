"""Schools and people: where pupils are, and the minimum the programme keeps about them.

An `Academie` is a regional education authority with its own time zone and school
holiday zone. A `School` (identified by its UAI code) belongs to one académie. A
`SchoolYear` runs from early September to early July. A `Classroom` is one class of one
school in one school year; it may mix levels (CM1-CM2) and has one or more teachers.
A `Pupil` belongs to one school and, while enrolled, one classroom.

Pupils come from the school's ONDE export. Only what a teacher needs is kept: names as
written, level, and birth month. The national pupil identifier (INE) is never stored:
`ine_hash` is a keyed hash used to recognise a pupil when an updated export is imported.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schools.uai import validate_uai


class HolidayZone(models.TextChoices):
    A = "A", "Zone A"
    B = "B", "Zone B"
    C = "C", "Zone C"
    # Corsica's rectorat sets its own holiday dates, apart from zones A, B and C.
    CORSICA = "corse", "Corse"
    OVERSEAS = "overseas", _("Outre-mer")


class Academie(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    time_zone = models.CharField(_("fuseau horaire"), max_length=64)
    holiday_zone = models.CharField(
        _("zone de vacances"), max_length=10, choices=HolidayZone.choices
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    uai = models.CharField(
        _("code UAI"), max_length=8, unique=True, validators=[validate_uai]
    )
    name = models.CharField(_("nom"), max_length=200)
    academie = models.ForeignKey(
        Academie, on_delete=models.PROTECT, related_name="schools"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"

    @property
    def time_zone(self) -> str:
        return self.academie.time_zone


class SchoolYear(models.Model):
    label = models.CharField(max_length=9, unique=True)  # "2026-2027"
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.label


class Classroom(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="classes"
    )
    label = models.CharField(_("libellé"), max_length=120)
    levels = models.JSONField(_("niveaux"), default=list)  # ["CM1", "CM2"]
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="classes", blank=True
    )
    # The code pupils type or scan to find their class at sign-in.
    code = models.CharField(_("code de classe"), max_length=8, unique=True)

    class Meta:
        ordering = ["school", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "label"], name="unique_class_label"
            )
        ]

    def __str__(self) -> str:
        return self.label


class Pupil(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="pupils")
    classroom = models.ForeignKey(
        Classroom,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pupils",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pupil",
    )
    ine_hash = models.CharField(max_length=64, unique=True)
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    # First name plus the shortest initials of the last name that tell namesakes in
    # the same class apart ("Léa", "Léa M.", "Léa Ma."); recomputed on every import.
    display_name = models.CharField(_("nom affiché"), max_length=120)
    level = models.CharField(_("niveau"), max_length=4)
    birth_month = models.DateField(
        _("mois de naissance")
    )  # always the 1st of the month
    # Pictures the pupil taps to sign in, in order, as picture keys ("sun,cat,boat").
    picture_password = models.CharField(max_length=100, blank=True)
    left_on = models.DateField(_("parti le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]
        indexes = [models.Index(fields=["classroom", "left_on"])]

    def __str__(self) -> str:
        return f"pupil {self.pk}"

    @property
    def has_left(self) -> bool:
        return self.left_on is not None
