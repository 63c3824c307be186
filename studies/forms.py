"""Forms of the study pages: a study, its arms and draws, consent and its import."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.models import Campaign
from schools.models import Classroom
from studies.models import Arm, Stratification, Study

# A class's consent sheet is a few kilobytes; this leaves room for long names.
MAX_CONSENT_FILE_BYTES = 1_000_000


class StudySettingsForm(forms.ModelForm):
    class Meta:
        model = Study
        fields = ["name", "long_string_share", "min_seconds_per_item"]
        help_texts = {
            "long_string_share": _(
                "Entre 0,01 et 1. Avec 0,75 et un questionnaire de 8 questions, 6 "
                "réponses identiques à la suite sont signalées."
            ),
            "min_seconds_per_item": _(
                "Temps médian entre deux réponses en dessous duquel un questionnaire "
                "est signalé comme trop rapide ; 0 désactive la règle."
            ),
        }


class StudyForm(StudySettingsForm):
    class Meta(StudySettingsForm.Meta):
        fields = ["name", "campaign", "long_string_share", "min_seconds_per_item"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaign = cast(forms.ModelChoiceField, self.fields["campaign"])
        campaign.queryset = Campaign.objects.filter(study__isnull=True)
        campaign.empty_label = None


class ClassChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Classroom) -> str:
        return f"{obj.school.name} · {obj.label}"


class AssignmentForm(forms.Form):
    classes = ClassChoiceField(
        label=_("Classes volontaires"),
        queryset=Classroom.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    stratify_by = forms.ChoiceField(
        label=_("Tirer au sort"),
        choices=Stratification.choices,
        initial=Stratification.ACADEMIE,
        widget=forms.RadioSelect,
    )
    seed = forms.IntegerField(
        label=_("Graine"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_(
            "Laissez vide pour une graine au hasard. Avec la graine d’un tirage "
            "précédent et les mêmes classes, le tirage est identique."
        ),
    )
    force = forms.BooleanField(
        label=_("Forcer, même si des élèves ont déjà répondu"), required=False
    )

    def __init__(self, *args: Any, study: Study, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        classes = cast(forms.ModelMultipleChoiceField, self.fields["classes"])
        classes.queryset = study.campaign.classes.select_related(
            "school__academie"
        ).order_by("school__academie__name", "school__name", "label")


class ClassArmForm(forms.Form):
    arm = forms.ChoiceField(label=_("Groupe"), choices=Arm.choices)
    force = forms.BooleanField(
        label=_("Forcer, même si des élèves ont déjà répondu"), required=False
    )


class ConsentImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_(
            "Une ligne d’en-tête, puis une ligne par élève : colonne « numero » (ou "
            "« eleve » avec le nom affiché) et colonne « consentement » (donné, "
            "refusé ou inconnu)."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CONSENT_FILE_BYTES:
            raise forms.ValidationError(
                _("Le fichier fait %(size)d octets ; la limite est %(limit)d.")
                % {"size": upload.size, "limit": MAX_CONSENT_FILE_BYTES}
            )
        return upload
