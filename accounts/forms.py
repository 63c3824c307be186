from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.services import (
    MAX_WINDOW_MINUTES,
    find_classroom_by_code,
    normalize_class_code,
)
from schools.models import Classroom


class EmailLoginForm(AuthenticationForm):
    """The adults' sign-in form: e-mail and password."""

    username = forms.EmailField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    # Django's message calls the e-mail case-sensitive, which it is not here.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez-les, puis réessayez."
        ),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class ClassCodeForm(forms.Form):
    """The class code a pupil types, found despite spaces and case."""

    code = forms.CharField(
        label=_("Le code de ta classe"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "class": "class-code-input",
            }
        ),
        error_messages={"required": _("Tape le code écrit sur ta carte.")},
    )

    def clean_code(self) -> Classroom:
        typed = self.cleaned_data["code"]
        classroom = find_classroom_by_code(typed)
        if classroom is None:
            raise forms.ValidationError(
                _(
                    "Le code « %(code)s » ne correspond à aucune classe. Regarde bien "
                    "ta carte et tape le code encore une fois."
                ),
                code="unknown",
                params={"code": normalize_class_code(typed)},
            )
        return classroom


class SignInWindowForm(forms.Form):
    """How long the teacher opens the pupils' sign-in; blank means the default."""

    minutes = forms.IntegerField(
        label=_("Durée en minutes"),
        min_value=1,
        max_value=MAX_WINDOW_MINUTES,
        initial=lambda: settings.IOTA_SIGNIN_WINDOW_MINUTES,
        required=False,
    )
