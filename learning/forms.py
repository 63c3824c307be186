"""Forms of the learning app: library filters, assignments, unplugged completions."""

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from activities.models import Kind
from assessment.forms import IsoDateInput
from schools.display_names import sorted_by_display_name
from schools.models import Classroom, Pupil

DURATION_CHOICES = [
    ("", _("Toutes les durées")),
    ("15", _("15 minutes ou moins")),
    ("30", _("30 minutes ou moins")),
    ("45", _("45 minutes ou moins")),
]
MODE_CHOICES = [
    ("", _("Avec ou sans écran")),
    ("unplugged", _("Débranchée (sans écran)")),
    ("on_screen", _("Sur écran")),
]


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    level = forms.ChoiceField(label=_("Niveau"), required=False)
    duration = forms.ChoiceField(
        label=_("Durée"), required=False, choices=DURATION_CHOICES
    )
    mode = forms.ChoiceField(label=_("Écran"), required=False, choices=MODE_CHOICES)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    crcn = forms.ChoiceField(label=_("Compétence CRCN"), required=False)

    def __init__(
        self,
        *args: Any,
        levels: list[str],
        competencies: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["level"]).choices = [
            ("", _("Tous les niveaux")),
            *((level, level) for level in levels),
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", _("Tous les types")),
            *Kind.choices,
        ]
        cast(forms.ChoiceField, self.fields["crcn"]).choices = [
            ("", _("Toutes les compétences")),
            *((code, f"{code} {name}".strip()) for code, name in competencies),
        ]


class _ByFoldedName(ModelChoiceIterator):
    """The pupils in French alphabetical order, which no database collation gives."""

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        for pupil in sorted_by_display_name(self.queryset):
            yield self.choice(pupil)


class PupilChoiceField(forms.ModelMultipleChoiceField):
    iterator = _ByFoldedName

    def label_from_instance(self, obj: Pupil) -> str:
        return obj.display_name


class AssignForm(forms.Form):
    classroom = forms.ModelChoiceField(
        label=_("Classe"), queryset=Classroom.objects.none(), empty_label=None
    )
    starts_on = forms.DateField(label=_("À partir du"), widget=IsoDateInput())
    due_on = forms.DateField(
        label=_("Jusqu’au (facultatif)"),
        required=False,
        widget=IsoDateInput(),
    )
    pupils = PupilChoiceField(
        label=_("Groupe d’élèves (laissez vide pour toute la classe)"),
        queryset=Pupil.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        classes: QuerySet[Classroom],
        selected: Classroom | None,
        today: dt.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        classroom_field = cast(forms.ModelChoiceField, self.fields["classroom"])
        classroom_field.queryset = classes
        self.fields["starts_on"].initial = today
        if selected is not None:
            classroom_field.initial = selected.pk
            pupils_field = cast(PupilChoiceField, self.fields["pupils"])
            pupils_field.queryset = selected.pupils.filter(left_on__isnull=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, due_on = cleaned.get("starts_on"), cleaned.get("due_on")
        if starts_on and due_on and due_on < starts_on:
            self.add_error(
                "due_on",
                _("La date de fin doit être le jour du début ou après."),
            )
        return cleaned


class CompletionForm(forms.Form):
    done_on = forms.DateField(label=_("Fait en classe le"), widget=IsoDateInput())
    pupils = PupilChoiceField(
        label=_("Élèves qui l’ont faite"),
        queryset=Pupil.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, pupils: list[Pupil], today: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["done_on"].initial = today
        pupils_field = cast(PupilChoiceField, self.fields["pupils"])
        pupils_field.queryset = Pupil.objects.filter(
            pk__in=[pupil.pk for pupil in pupils]
        )
