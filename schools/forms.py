"""Forms of the schools app: the ONDE upload."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from schools.models import School
from schools.uai import normalize_uai, validate_uai

# A school's export is a few dozen kilobytes; 2 MiB is about 25,000 pupils.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def schools_importable_by(user: User) -> QuerySet[School] | None:
    """Return the schools `user` may import into, or None for any school.

    Coordinators and administrators may import into any school, including a new
    one; a teacher only into the schools where they teach a class.
    """
    if user.is_superuser or user.role in (Role.COORDINATOR, Role.ADMINISTRATOR):
        return None
    if user.role == Role.TEACHER:
        return School.objects.filter(classes__teachers=user).distinct()
    return School.objects.none()


class OndeUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier exporté d'ONDE (CSV)"),
        help_text=gettext_lazy(
            "La liste des élèves de l'école, telle qu'ONDE l'exporte. Les fichiers "
            "enregistrés depuis Excel sont acceptés."
        ),
    )
    uai = forms.CharField(
        label=gettext_lazy("Code UAI de l'école"),
        max_length=12,
        help_text=gettext_lazy("7 chiffres et une lettre, par exemple 0750001U."),
    )
    school_name = forms.CharField(
        label=gettext_lazy("Nom de l'école"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Pour une école nouvelle, ou pour changer son nom ; sinon laissez vide."
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        allowed = schools_importable_by(user)
        if allowed is not None and not self.is_bound:
            uais = list(allowed.values_list("uai", flat=True)[:2])
            if len(uais) == 1:
                self.fields["uai"].initial = uais[0]

    def clean_uai(self) -> str:
        code = normalize_uai(self.cleaned_data["uai"])
        validate_uai(code)
        allowed = schools_importable_by(self.user)
        if allowed is not None and not allowed.filter(uai=code).exists():
            uais = ", ".join(allowed.values_list("uai", flat=True)) or _("aucune")
            raise ValidationError(
                _(
                    "Vous ne pouvez importer que la liste de votre école (%(uais)s), "
                    "pas celle de l'école %(uai)s. Pour une autre école, demandez à "
                    "la coordination du programme."
                ),
                params={"uais": uais, "uai": code},
                code="school_not_allowed",
            )
        return code

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _(
                    "Le fichier fait %(size)d Mo, au plus %(max)d Mo : vérifiez que "
                    "c'est bien la liste des élèves d'une seule école."
                ),
                params={
                    "size": -(-upload.size // (1024 * 1024)),
                    "max": MAX_UPLOAD_BYTES // (1024 * 1024),
                },
                code="file_too_large",
            )
        return upload.read()
