"""The stored analysis tables, laid out for the dashboard and the PDF report.

`dashboard_context` turns `StudyAnalysis.results` into rows of display strings in
the active language (decimal comma in French), plus the plots, so the page and the
PDF show the same numbers rounded the same way.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.plots import figure_svg, flow_figure, growth_figure
from studies.quality import RULE_LABELS

NONE = "—"


def fmt(value: float | None, digits: int = 2) -> str:
    """Format a number for display, or a dash when there is none."""
    if value is None or not math.isfinite(value):
        return NONE
    return number_format(round(value, digits), decimal_pos=digits)


def fmt_ci(low: float | None, high: float | None, digits: int = 2) -> str:
    """Format an interval as ``[low ; high]``."""
    return f"[{fmt(low, digits)} ; {fmt(high, digits)}]"


def fmt_p(value: float | None) -> str:
    """Format a p-value with three decimals, or ``< 0.001`` below that."""
    if value is None:
        return NONE
    if value < 0.001:
        return "< " + fmt(0.001, 3)
    return fmt(value, 3)


def p_clause(value: float | None) -> str:
    """Return ``p = 0.012`` or ``p < 0.001``, for a sentence."""
    text = fmt_p(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def fmt_percent(share: float | None, digits: int = 1) -> str:
    if share is None:
        return NONE
    return fmt(100 * share, digits) + " %"


def long_date(value: str | None) -> str:
    """Return an ISO date of the stored results as the page's language writes it."""
    if not value:
        return NONE
    return date_format(dt.date.fromisoformat(value), "j F Y")


def skill_title(results: dict[str, Any], skill: str, language: str | None) -> str:
    """Return the scale's title in `language` (French by default)."""
    code = (language or "fr").split("-")[0]
    for scale in results["design"]["scales"]:
        if scale["key"] == skill:
            return scale["title"].get(code) or scale["title"].get("fr") or skill
    return skill


ARM_LABELS = {
    "programme": gettext_lazy("programme"),
    "comparison": gettext_lazy("comparaison"),
}
STAGE_LABELS = {
    "randomised": gettext_lazy("tirés au sort (classes affectées)"),
    "consented": gettext_lazy("consentement donné"),
    "tested": gettext_lazy("ont passé la vague"),
    "analysed": gettext_lazy("analysés (après exclusions)"),
}
EQUIVALENCE_LABELS = {
    "satisfied": gettext_lazy("satisfaite"),
    "adjustment_required": gettext_lazy("ajustement requis"),
    "not_satisfied": gettext_lazy("non satisfaite"),
}
INVARIANCE_LABELS = {
    "configural": gettext_lazy("configurale"),
    "metric": gettext_lazy("métrique"),
    "scalar": gettext_lazy("scalaire"),
    "strict": gettext_lazy("stricte"),
}


@dataclass
class SkillSection:
    """One skill's impact row, growth plot and invariance verdicts, for display."""

    key: str
    title: str
    impact: dict[str, str] | None
    error: str
    growth_svg: str
    growth_rows: list[dict[str, str]]
    invariance: list[dict[str, str]]
    raw: dict[str, Any] | None = None


@dataclass
class DashboardContext:
    simulated: bool
    simulated_share: str
    design: dict[str, Any]
    settings: dict[str, Any]
    skills: list[SkillSection]
    flow: list[dict[str, str]]
    flow_svg: str
    reliability: list[dict[str, str]]
    cfa: list[dict[str, str]]
    problems: list[dict[str, Any]]
    exclusions: list[dict[str, str]]
    excluded_responses: int
    completed_responses: int
    tasks: list[dict[str, str]] = field(default_factory=list)
    seconds: float | None = None


def impact_display(row: dict[str, Any]) -> dict[str, str]:
    """Format one skill's impact row: estimates, intervals, tests, diagnostics."""
    bootstrap = row["bootstrap_p"] is not None
    return {
        "mixed": fmt(row["mixed_estimate"], 3),
        "mixed_ci": fmt_ci(row["mixed_ci_low"], row["mixed_ci_high"], 3),
        "mixed_p": fmt_p(row["mixed_p"]),
        "did": fmt(row["did"], 3),
        "did_ci": fmt_ci(row["did_ci_low"], row["did_ci_high"], 3),
        "did_p": fmt_p(row["did_p"]),
        "bootstrap_ci": fmt_ci(row["bootstrap_ci_low"], row["bootstrap_ci_high"], 3)
        if bootstrap
        else NONE,
        "bootstrap_p": fmt_p(row["bootstrap_p"]) if bootstrap else NONE,
        "primary_ci": fmt_ci(row["bootstrap_ci_low"], row["bootstrap_ci_high"], 3)
        if bootstrap
        else fmt_ci(row["did_ci_low"], row["did_ci_high"], 3),
        "primary_p": fmt_p(row["primary_p"]),
        "holm_p": fmt_p(row["holm_p"]),
        "inference": _("bootstrap sauvage par grappes")
        if bootstrap
        else _("t CR1 par classe"),
        "g": fmt(row["g"], 2),
        "g_ci": fmt_ci(row["g_ci_low"], row["g_ci_high"], 2),
        "icc": fmt(row["icc_class"], 3),
        "icc_school": fmt(row["icc_school"], 3),
        "equivalence": fmt(row["equivalence_g"], 2),
        "equivalence_band": str(EQUIVALENCE_LABELS.get(row["equivalence_band"], NONE)),
        "attrition": fmt_percent(row["attrition_overall"]),
        "differential": fmt_percent(row["attrition_differential"]),
        "attrition_low": _("faible") if row["attrition_low"] else _("élevée"),
        "mdes": fmt(row["mdes"], 2),
        "n_pupils": str(row["n_pupils"]),
        "n_classes": str(row["n_classes"]),
        "baseline": row["baseline"],
        "endline": row["endline"],
    }


def _growth_rows(results: dict[str, Any], skill: str) -> list[dict[str, str]]:
    return [
        {
            "arm": str(ARM_LABELS.get(row["arm"], row["arm"])),
            "wave": row["wave"],
            "n": str(row["n"]),
            "classes": str(row["classes"]),
            "mean": fmt(row["mean"], 2),
            "ci": fmt_ci(row["ci_low"], row["ci_high"], 2),
        }
        for row in results["growth"]
        if row["skill"] == skill
    ]


def _invariance_rows(results: dict[str, Any], skill: str) -> list[dict[str, str]]:
    return [
        {
            "level": str(INVARIANCE_LABELS.get(row["model"], row["model"])),
            "n": str(row["n"]),
            "chi_square": fmt(row["chi_square"], 1),
            "df": str(int(row["df"])) if row["df"] is not None else NONE,
            "cfi": fmt(row["cfi"], 3),
            "rmsea": fmt(row["rmsea"], 3),
            "delta_cfi": fmt(row["delta_cfi"], 3),
            "delta_rmsea": fmt(row["delta_rmsea"], 3),
            "delta_p": fmt_p(row["delta_p_value"]),
            "supported": _("tenue") if row["supported"] else _("non tenue"),
        }
        for row in results["invariance"]
        if row["skill"] == skill
    ]


def _skill_section(
    results: dict[str, Any], skill: str, language: str | None, simulated: bool
) -> SkillSection:
    title = skill_title(results, skill, language)
    impact = next((row for row in results["impact"] if row["skill"] == skill), None)
    error = next(
        (row["message"] for row in results["impact_errors"] if row["skill"] == skill),
        "",
    )
    figure = growth_figure(results["growth"], skill, title, simulated=simulated)
    label = _("Évolution de %(skill)s par groupe, moyennes et IC à 95 %%") % {
        "skill": title
    }
    if simulated:
        label += " " + _("(données simulées)")
    return SkillSection(
        key=skill,
        title=title,
        impact=impact_display(impact) if impact else None,
        error=error,
        growth_svg=figure_svg(figure, f"growth-{skill}", label),
        growth_rows=_growth_rows(results, skill),
        invariance=_invariance_rows(results, skill),
        raw=impact,
    )


def _flow_rows(results: dict[str, Any]) -> list[dict[str, str]]:
    by_key = {(r["stage"], r["wave"], r["arm"]): r for r in results["flow"]}
    stages = [("randomised", ""), ("consented", "")]
    for wave in results["design"]["waves"]:
        stages += [("tested", wave["label"]), ("analysed", wave["label"])]
    rows = []
    for stage, wave in stages:
        cells = {}
        for arm in ("programme", "comparison"):
            row = by_key.get((stage, wave, arm))
            cells[arm] = (
                f"{row['pupils']} ({row['classes']} cl.)" if row is not None else NONE
            )
        label = str(STAGE_LABELS[stage])
        rows.append(
            {
                "stage": f"{wave} · {label}" if wave else label,
                "programme": cells["programme"],
                "comparison": cells["comparison"],
            }
        )
    return rows


def _reliability_rows(
    results: dict[str, Any], language: str | None
) -> list[dict[str, str]]:
    return [
        {
            "wave": row["wave"],
            "skill": skill_title(results, row["scale"], language),
            "n": str(row["n"]) if row.get("n") is not None else NONE,
            "alpha": fmt(row.get("alpha"), 2),
            "alpha_ci": fmt_ci(row.get("alpha_ci_low"), row.get("alpha_ci_high"), 2),
            "omega": fmt(row.get("omega"), 2),
            "omega_ci": fmt_ci(row.get("omega_ci_low"), row.get("omega_ci_high"), 2),
        }
        for row in results["reliability"]
    ]


def _cfa_rows(results: dict[str, Any], language: str | None) -> list[dict[str, str]]:
    return [
        {
            "wave": row["wave"],
            "model": _("batterie (4 facteurs)")
            if row["model"] == "battery"
            else skill_title(results, row["model"], language),
            "n": str(row["n"]),
            "chi_square": fmt(row["chi_square"], 1),
            "df": str(row["df"]),
            "cfi": fmt(row["cfi"], 3),
            "tli": fmt(row["tli"], 3),
            "rmsea": fmt(row["rmsea"], 3),
            "srmr": fmt(row["srmr"], 3),
        }
        for row in results["cfa"]
    ]


def _exclusion_rows(results: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "rule": str(RULE_LABELS[row["rule"]]),
            "flags": str(row["flags"]),
            "pupils": str(row["pupils"]),
        }
        for row in results["exclusions"]["counts"]
    ]


def _task_rows(results: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "score": row["skill"],
            "arm": str(ARM_LABELS.get(row["arm"], row["arm"])),
            "wave": row["wave"],
            "n": str(row["n"]),
            "mean": fmt(row["mean"], 2),
            "ci": fmt_ci(row["ci_low"], row["ci_high"], 2),
        }
        for row in results["tasks"]
    ]


def dashboard_context(
    results: dict[str, Any], *, language: str | None = None
) -> DashboardContext:
    """Lay out a finished analysis for display."""
    simulated_count = results["simulated"]["responses"]
    total = results["simulated"]["all_responses"]
    simulated = simulated_count > 0
    waves = [wave["label"] for wave in results["design"]["waves"]]
    flow_label = _("Élèves par groupe, du tirage au sort à l’analyse")
    if simulated:
        flow_label += " " + _("(données simulées)")
    return DashboardContext(
        simulated=simulated,
        simulated_share=fmt_percent(simulated_count / total if total else None, 0),
        design={
            **results["design"],
            "waves": [
                {
                    **wave,
                    "opens_on": long_date(wave["opens_on"]),
                    "closes_on": long_date(wave["closes_on"]),
                }
                for wave in results["design"]["waves"]
            ],
        },
        settings=results["settings"],
        skills=[
            _skill_section(results, scale["key"], language, simulated)
            for scale in results["design"]["scales"]
        ],
        flow=_flow_rows(results),
        flow_svg=figure_svg(
            flow_figure(results["flow"], waves, simulated=simulated),
            "flow",
            flow_label,
        ),
        reliability=_reliability_rows(results, language),
        cfa=_cfa_rows(results, language),
        problems=results["psychometric_problems"],
        exclusions=_exclusion_rows(results),
        excluded_responses=results["exclusions"]["excluded_responses"],
        completed_responses=results["exclusions"]["completed_responses"],
        tasks=_task_rows(results),
        seconds=results.get("seconds"),
    )
