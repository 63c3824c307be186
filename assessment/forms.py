"""Forms of the assessment pages: a campaign, its schedule and waves, a reopening."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from assessment.models import Instrument
from assessment.schedule import (
    DEFAULT_SCHOOL_DAYS,
    DEFAULT_SPACING_WEEKS,
    ScheduleProposal,
)
from assessment.services import MAX_REOPENING_DAYS
from schools.models import Classroom, SchoolYear

WAVE_LABELS = ["T1", "T2", "T3", "T4"]


class IsoDateInput(forms.DateInput):
    """A browser date picker: its value must be ISO 8601 whatever the language."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


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
    completion_target = forms.IntegerField(
        label=_("Objectif de participation (%)"),
        min_value=1,
        max_value=100,
        initial=80,
        help_text=_(
            "Une classe a réussi une vague quand cette part de ses élèves l’a "
            "terminée ; en dessous, la vague est manquée pour elle."
        ),
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


class ScheduleForm(forms.Form):
    """The settings of a schedule proposal: first day, spacing and window length."""

    start_on = forms.DateField(
        label=_("Début de la première vague"),
        widget=IsoDateInput(),
    )
    spacing_weeks = forms.IntegerField(
        label=_("Semaines entre deux vagues"),
        min_value=1,
        max_value=20,
        initial=DEFAULT_SPACING_WEEKS,
        help_text=_("8 semaines entre quatre vagues couvrent environ six mois."),
    )
    school_days = forms.IntegerField(
        label=_("Jours de classe par vague"),
        min_value=1,
        max_value=30,
        initial=DEFAULT_SCHOOL_DAYS,
        help_text=_(
            "Comptés sur les lundis, mardis, jeudis et vendredis hors vacances et "
            "jours fériés."
        ),
    )

    def check_school_year(self, year: SchoolYear) -> bool:
        """Tell whether the first day falls inside `year`, adding an error if not."""
        start_on = self.cleaned_data["start_on"]
        if year.starts_on <= start_on <= year.ends_on:
            return True
        self.add_error(
            "start_on",
            _(
                "Le %(day)s n’est pas dans l’année scolaire %(year)s (du %(start)s au "
                "%(end)s) : choisissez une date dans cette année."
            )
            % {
                "day": date_format(start_on, "j F Y"),
                "year": year,
                "start": date_format(year.starts_on, "j F Y"),
                "end": date_format(year.ends_on, "j F Y"),
            },
        )
        return False


class WaveForm(forms.Form):
    label = forms.CharField(label=_("Vague"), max_length=10)
    opens_on = forms.DateField(label=_("Ouverture"), widget=IsoDateInput())
    closes_on = forms.DateField(label=_("Fermeture"), widget=IsoDateInput())

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
    def __init__(
        self, *args: object, rows: list[dict] | None = None, **kwargs: object
    ) -> None:
        self.rows = rows or [{"label": label} for label in WAVE_LABELS]
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict:
        # Per-row initial values rather than formset initial data: rows with initial
        # data must be filled, while untouched extra rows are skipped.
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < len(self.rows):
            kwargs["initial"] = self.rows[index]
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


def new_wave_formset(
    data: object = None, proposal: ScheduleProposal | None = None
) -> forms.BaseFormSet:
    """Return the wave rows T1 to T4 of a new campaign. Rows left empty are skipped.

    Unbound rows start from `proposal`'s windows when one is given.
    """
    rows = None
    if proposal is not None:
        rows = [
            {
                "label": wave.label,
                "opens_on": wave.opens_on,
                "closes_on": wave.closes_on,
            }
            for wave in proposal.waves[: len(WAVE_LABELS)]
        ]
    return WaveFormSet(data, prefix="waves", rows=rows)


class ReopenForm(forms.Form):
    until = forms.DateField(
        label=_("Rouvrir jusqu’au (inclus)"),
        widget=IsoDateInput(),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["until"].help_text = _(
            "À l’heure de l’école, %(days)s jours au plus. Seuls les élèves qui "
            "n’ont pas terminé pourront répondre."
        ) % {"days": MAX_REOPENING_DAYS}
