"""Accounts: who signs in, with which role, and how children sign in without a password.

A `User` is any account. Adults (teachers, coordinators, researchers, administrators)
sign in with e-mail and password. A pupil's `User` has no e-mail and no usable password:
it is created the first time the pupil signs in through a `SignInWindow` with the class
code, their name and their picture password, and it is linked one-to-one to the
`schools.Pupil` record. `SignInAttempt` rows feed the throttle that slows guessing per
pupil and per device without ever locking the whole class out.
"""

from datetime import datetime
from typing import ClassVar

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("coordinateur·rice")
    TEACHER = "teacher", _("enseignant·e")
    PUPIL = "pupil", _("élève")
    RESEARCHER = "researcher", _("chercheur·se")
    ADMINISTRATOR = "administrator", _("administrateur·rice")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, email: str | None, password: str | None = None, **fields: object
    ) -> "User":
        email = self.normalize_email(email).lower() if email else None
        user = self.model(email=email, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, **fields: object
    ) -> "User":
        fields.setdefault("role", Role.ADMINISTRATOR)
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("adresse e-mail"), unique=True, null=True, blank=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        if self.role == Role.PUPIL:
            return f"pupil account {self.pk}"
        return self.email or f"user {self.pk}"

    @property
    def is_pupil(self) -> bool:
        return self.role == Role.PUPIL

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.TEACHER

    @property
    def is_coordinator(self) -> bool:
        return self.role in {Role.COORDINATOR, Role.ADMINISTRATOR}

    @property
    def is_researcher(self) -> bool:
        return self.role == Role.RESEARCHER


class SignInWindow(models.Model):
    """A time-limited period in which a class's pupils may sign in with pictures."""

    classroom = models.ForeignKey(
        "schools.Classroom", on_delete=models.CASCADE, related_name="signin_windows"
    )
    opened_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True)
    opens_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["classroom", "closes_at"])]

    def __str__(self) -> str:
        return f"sign-in window {self.pk} of class {self.classroom_id}"

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


class SignInAttempt(models.Model):
    """One picture-password attempt, kept for throttling and the audit of guessing."""

    pupil = models.ForeignKey(
        "schools.Pupil", on_delete=models.CASCADE, related_name="signin_attempts"
    )
    device = models.CharField(max_length=64)
    succeeded = models.BooleanField()
    attempted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["pupil", "device", "attempted_at"]),
        ]

    def __str__(self) -> str:
        return f"sign-in attempt {self.pk}"
