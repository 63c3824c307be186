"""Forms of the report pages: the power calculator and the research export."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import ExportFormat


class PowerForm(forms.Form):
    """The design whose minimum detectable effect size the calculator returns."""

    n_classes = forms.IntegerField(
        label=_("Nombre de classes"),
        min_value=3,
        max_value=100_000,
        help_text=_("Classes tirées au sort, programme et comparaison ensemble."),
    )
    pupils_per_class = forms.FloatField(
        label=_("Élèves par classe"), min_value=1, max_value=60
    )
    icc = forms.FloatField(
        label=_("Corrélation intraclasse (CCI)"),
        min_value=0,
        max_value=1,
        help_text=_("Part de la variance des scores entre classes, de 0 à 1."),
    )
    treated_share = forms.FloatField(
        label=_("Part des classes dans le programme"),
        min_value=0.05,
        max_value=0.95,
        initial=0.5,
    )
    r2_individual = forms.FloatField(
        label=_("R² des covariables élève (score initial)"),
        min_value=0,
        max_value=0.99,
        initial=0,
        help_text=_("Part de la variance expliquée par le score de la vague T1."),
    )
    alpha = forms.FloatField(
        label=_("Seuil α (bilatéral)"), min_value=0.001, max_value=0.2, initial=0.05
    )
    power = forms.FloatField(
        label=_("Puissance"), min_value=0.5, max_value=0.99, initial=0.8
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportFormat.choices,
        initial=ExportFormat.CSV,
        widget=forms.RadioSelect,
    )
