"""Forms of the assessment pages: a campaign and its waves."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from assessment.models import Instrument
from schools.models import Classroom, SchoolYear

WAVE_LABELS = ["T1", "T2", "T3", "T4"]


class InstrumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Instrument) -> str:
        label = f"{obj.title} (v{obj.version})"
        if not obj.validated:
            label += " · " + str(_("pas encore validé"))
        return label


class ClassroomChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Classroom) -> str:
        return f"{obj.school.name} · {obj.label} ({obj.school_year})"


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Nom de la campagne"), max_length=200)
    instrument = InstrumentChoiceField(
        label=_("Questionnaire"),
        queryset=Instrument.objects.order_by("key", "-version"),
        empty_label=None,
    )
    school_year = forms.ModelChoiceField(
        label=_("Année scolaire"), queryset=SchoolYear.objects.all(), empty_label=None
    )
    classes = ClassroomChoiceField(
        label=_("Classes"),
        queryset=Classroom.objects.select_related("school", "school_year"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les classes de l’année scolaire choisie qui passent le test."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        current = SchoolYear.objects.filter(starts_on__lte=today).first()
        if current is not None:
            self.fields["school_year"].initial = current.pk

    def clean(self) -> dict:
        data = super().clean()
        year = data.get("school_year")
        for classroom in data.get("classes") or []:
            if year is not None and classroom.school_year_id != year.pk:
                self.add_error(
                    "classes",
                    _(
                        "La classe « %(label)s » est de l’année %(other)s : "
                        "choisissez des classes de %(year)s."
                    )
                    % {
                        "label": classroom.label,
                        "other": classroom.school_year,
                        "year": year,
                    },
                )
        return data


class WaveForm(forms.Form):
    label = forms.CharField(label=_("Vague"), max_length=10)
    opens_on = forms.DateField(
        label=_("Ouverture"), widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        label=_("Fermeture"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error(
                "closes_on",
                _("La fermeture (%(end)s) doit venir après l’ouverture (%(start)s).")
                % {
                    "end": date_format(closes_on, "j F Y"),
                    "start": date_format(opens_on, "j F Y"),
                },
            )
        return data


class BaseWaveFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index: int | None) -> dict:
        # Per-row initial labels rather than formset initial data: rows with initial
        # data must be filled, while untouched extra rows are skipped.
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < len(WAVE_LABELS):
            kwargs["initial"] = {"label": WAVE_LABELS[index]}
        return kwargs

    def clean(self) -> None:
        if any(self.errors):
            return
        labels: set[str] = set()
        for form in self.forms:
            label = form.cleaned_data.get("label")
            if not label:
                continue
            if label in labels:
                form.add_error(
                    "label",
                    _("Deux vagues s’appellent « %(label)s » : changez un des noms.")
                    % {"label": label},
                )
            labels.add(label)


WaveFormSet = forms.formset_factory(
    WaveForm,
    formset=BaseWaveFormSet,
    extra=len(WAVE_LABELS) - 1,
    min_num=1,
    validate_min=True,
    max_num=len(WAVE_LABELS),
    validate_max=True,
)


def new_wave_formset(data: object = None) -> forms.BaseFormSet:
    """Return the wave rows T1 to T4 of a new campaign. Rows left empty are skipped."""
    return WaveFormSet(data, prefix="waves")
