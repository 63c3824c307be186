"""The Ministry report of a study as an A4 PDF, written from the stored analysis.

Sections: summary, design, methods, results (tables and vector plots), limitations.
The design and methods are written from what the analysis recorded (arms, seed,
strata, waves, estimators' settings, quality thresholds, consent rule), never from
fixed text, so the report states what was actually done. When any response is
simulated, every page carries the words "données simulées" and the limitations
say so first.
"""

import hashlib
import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from iota.pdf_fonts import BOLD_FONT, FONT, register_fonts
from reports.analysis import (
    CONFIGURAL_MAX_RMSEA,
    CONFIGURAL_MIN_CFI,
    MAX_CFI_DROP,
    MAX_RMSEA_RISE,
    WEBB_BELOW,
)
from reports.models import StudyAnalysis
from reports.plots import figure_drawing, flow_figure, growth_figure
from reports.presentation import (
    ARM_LABELS,
    DashboardContext,
    dashboard_context,
    fmt,
    fmt_percent,
    long_date,
    p_clause,
)
from studies.models import Stratification, Study

MARGIN = 18 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN
SIMULATED_RED = colors.HexColor("#9c4221")
HEADER_GREY = colors.HexColor("#e2e8f0")
# A report takes seconds of CPU to build. Its key changes with the analysis, so
# the day only bounds how long an unused copy stays in the cache.
PDF_CACHE_SECONDS = 24 * 60 * 60


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13)
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontName=BOLD_FONT, fontSize=18, leading=22
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=BOLD_FONT,
            fontSize=13,
            leading=17,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=BOLD_FONT,
            fontSize=10.5,
            leading=14,
            spaceBefore=6,
            spaceAfter=2,
        ),
        "body": ParagraphStyle("body-spaced", parent=body, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9),
        "banner": ParagraphStyle(
            "banner",
            parent=body,
            fontName=BOLD_FONT,
            textColor=SIMULATED_RED,
            alignment=TA_CENTER,
            fontSize=11,
            leading=14,
            spaceBefore=6,
            spaceAfter=6,
        ),
    }


def _paragraphs(texts: Sequence[str], style: ParagraphStyle) -> list[Flowable]:
    return [Paragraph(escape(text), style) for text in texts]


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    styles: dict[str, ParagraphStyle],
    widths: Sequence[float] | None = None,
) -> Table:
    cell = styles["cell"]
    data = [[Paragraph(escape(text), cell) for text in header]]
    data += [[Paragraph(escape(str(text)), cell) for text in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#a0aec0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


# Sections.


def _summary(report: DashboardContext, results: dict[str, Any]) -> list[str]:
    design = results["design"]
    waves = design["waves"]
    texts = [
        _(
            "Cette étude compare %(programme)d classes du programme IOTA et "
            "%(comparison)d classes de comparaison dans %(schools)d écoles, "
            "mesurées en %(waves)d vagues du %(first)s au %(last)s. "
            "%(pupils)d élèves dont les parents ont donné leur consentement "
            "forment l’échantillon de recherche."
        )
        % {
            "programme": design["classes"]["programme"],
            "comparison": design["classes"]["comparison"],
            "schools": design["schools"],
            "waves": len(waves),
            "first": long_date(waves[0]["opens_on"]) if waves else "—",
            "last": long_date(waves[-1]["closes_on"]) if waves else "—",
            "pupils": design["research_pupils"],
        }
    ]
    for section in report.skills:
        if section.impact is None or section.raw is None:
            texts.append(
                _("%(skill)s : effet non estimé (%(reason)s).")
                % {"skill": section.title, "reason": section.error}
            )
            continue
        impact = section.impact
        texts.append(
            _(
                "%(skill)s : entre %(baseline)s et %(endline)s, les scores des "
                "classes du programme ont progressé de %(did)s point de plus que "
                "ceux des classes de comparaison (IC à 95 %% %(ci)s, %(p)s ; "
                "après correction de Holm, %(holm)s), soit une taille d’effet g "
                "de Hedges de %(g)s (IC à 95 %% %(g_ci)s)."
            )
            % {
                "skill": section.title,
                "baseline": impact["baseline"],
                "endline": impact["endline"],
                "did": impact["did"],
                "ci": impact["primary_ci"],
                "p": p_clause(section.raw["primary_p"]),
                "holm": p_clause(section.raw["holm_p"]),
                "g": impact["g"],
                "g_ci": impact["g_ci"],
            }
        )
    return texts


def _design_texts(results: dict[str, Any]) -> list[str]:
    design = results["design"]
    instrument = design["instrument"]
    texts = []
    runs = design["assignment_runs"]
    if runs:
        run = runs[-1]
        strata = (
            _("par école")
            if run["stratify_by"] == Stratification.SCHOOL
            else _("par académie")
        )
        texts.append(
            _(
                "Affectation : tirage au sort stratifié %(strata)s (%(count)d "
                "strates, %(classes)d classes), graine %(seed)d, effectué le "
                "%(date)s. Dans chaque strate, les classes sont mélangées avec la "
                "graine puis partagées en deux moitiés ; une strate impaire donne "
                "sa classe restante alternativement à chaque groupe. Le tirage se "
                "refait à l’identique avec la graine et les identifiants des "
                "classes."
            )
            % {
                "strata": strata,
                "count": run["strata"],
                "classes": run["classes"],
                "seed": run["seed"],
                "date": long_date(run["performed_at"][:10]),
            }
        )
        if run["forced"]:
            texts.append(
                _(
                    "Attention : ce tirage a été forcé alors que des élèves "
                    "avaient déjà répondu."
                )
            )
    if "chosen" in design["assignment_methods"]:
        texts.append(
            _(
                "Certaines classes ont été placées dans leur groupe par choix de "
                "la coordination, sans tirage au sort : leur comparaison n’a pas "
                "la garantie d’un essai randomisé."
            )
        )
    texts.append(
        _(
            "Groupes : %(programme)d classes programme et %(comparison)d classes "
            "de comparaison, dans %(schools)d écoles ; %(randomised)d élèves "
            "dans les classes affectées, %(given)d consentements donnés, "
            "%(refused)d refusés."
        )
        % {
            "programme": design["classes"]["programme"],
            "comparison": design["classes"]["comparison"],
            "schools": design["schools"],
            "randomised": design["randomised_pupils"],
            "given": design["consent"]["given"],
            "refused": design["consent"]["refused"],
        }
    )
    waves = "; ".join(
        f"{wave['label']} : {long_date(wave['opens_on'])} – "
        f"{long_date(wave['closes_on'])}"
        for wave in design["waves"]
    )
    texts.append(_("Vagues de mesure : %(waves)s.") % {"waves": waves})
    validated = _("validé") if instrument["validated"] else _("pas encore validé")
    scales = ", ".join(
        f"{scale['title'].get('fr', scale['key'])} ({scale['items']} items)"
        for scale in design["scales"]
    )
    texts.append(
        _(
            "Instrument : « %(title)s » (%(key)s, version %(version)s, "
            "%(validated)s), %(items)d items sur une échelle de 1 à %(points)d ; "
            "échelles : %(scales)s."
        )
        % {
            "title": instrument["title"],
            "key": instrument["key"],
            "version": instrument["version"],
            "validated": validated,
            "items": instrument["items"],
            "points": instrument["points"],
            "scales": scales,
        }
    )
    return texts


def _methods_texts(results: dict[str, Any]) -> list[str]:
    settings = results["settings"]
    design = results["design"]
    rules = design["quality_rules"]
    shares = sorted({scale["min_answered"] for scale in design["scales"]})
    waves = [wave["label"] for wave in design["waves"]]
    baseline, endline = (waves[0], waves[-1]) if waves else ("—", "—")
    classes = sum(design["classes"].values())
    bootstrap_runs = classes < settings["bootstrap_below"]
    weights = (
        _("de Webb à six points")
        if settings["bootstrap_weights"] == "webb"
        else _("de Rademacher")
    )
    texts = [
        _(
            "Échantillon de recherche : seuls les élèves dont les parents ont donné "
            "leur consentement pour l’étude entrent dans les analyses (un "
            "consentement refusé ou inconnu exclut l’élève) ; leur classe doit "
            "avoir un groupe dans l’étude, et un élève parti de l’école avant la "
            "première vague sans avoir répondu est exclu. Les identifiants des "
            "élèves, classes et écoles sont des hachages à clé ; aucun nom ni INE "
            "n’est utilisé."
        ),
        _(
            "Scores : chaque échelle est la moyenne des items répondus après "
            "inversion des items formulés à l’envers, si au moins %(share)s des "
            "items de l’échelle sont répondus ; sinon le score manque."
        )
        % {"share": " / ".join(fmt_percent(share, 0) for share in shares)},
        _(
            "Qualité des données : une réponse est exclue des analyses si une "
            "suite de réponses identiques couvre au moins %(long)s des items, si "
            "l’écart médian entre deux réponses est inférieur à %(seconds)s s, ou "
            "si une échelle a moins d’items répondus que sa part minimale. Seuls "
            "les questionnaires terminés sont analysés."
        )
        % {
            "long": fmt_percent(rules["long_string_share"], 0),
            "seconds": fmt(rules["min_seconds_per_item"], 1),
        },
        _(
            "Modèle mixte : pour chaque compétence, score ~ groupe × vague, avec "
            "des constantes aléatoires pour l’école, la classe et l’élève, estimé "
            "par maximum de vraisemblance restreint (REML) sur tous les scores "
            "disponibles (données manquantes supposées au hasard) ; degrés de "
            "liberté de %(df)s. Le coefficient groupe × %(endline)s est l’effet "
            "estimé à la dernière vague, %(baseline)s servant de référence."
        )
        % {
            "df": _("Satterthwaite")
            if settings["df_method"] == "satterthwaite"
            else _("la loi normale"),
            "endline": endline,
            "baseline": baseline,
        },
        _(
            "Différence de différences : sur les élèves notés en %(baseline)s et "
            "en %(endline)s, régression du score sur le groupe, la période et "
            "leur produit, avec des erreurs types CR1 regroupées par classe et "
            "un test t à G − 1 degrés de liberté (G classes)."
        )
        % {"baseline": baseline, "endline": endline},
    ]
    if bootstrap_runs:
        texts.append(
            _(
                "Avec moins de %(below)d classes (ici %(classes)d), l’inférence "
                "principale est le bootstrap sauvage par grappes restreint (WCR, "
                "Cameron, Gelbach et Miller, 2008) : %(replications)d tirages de "
                "poids %(weights)s (poids de Webb sous %(webb)d classes), graine "
                "%(seed)d ; l’intervalle à 95 %% est l’ensemble des valeurs que le "
                "test ne rejette pas."
            )
            % {
                "below": settings["bootstrap_below"],
                "classes": classes,
                "replications": settings["replications"],
                "weights": weights,
                "webb": WEBB_BELOW,
                "seed": settings["bootstrap_seed"],
            }
        )
    else:
        texts.append(
            _(
                "Avec au moins %(below)d classes, l’inférence principale est le "
                "test t CR1 ; le bootstrap sauvage n’est pas utilisé."
            )
            % {"below": settings["bootstrap_below"]}
        )
    texts += [
        _(
            "Correction pour comparaisons multiples : les p-valeurs principales "
            "des compétences sont ajustées par la méthode de Holm (1979)."
        ),
        _(
            "Taille d’effet : g de Hedges selon le What Works Clearinghouse, la "
            "différence de différences divisée par l’écart type intra-groupe "
            "poolé à %(endline)s, avec la correction des petits échantillons ω "
            "et la correction de regroupement γ de Hedges (2007), qui utilise la "
            "corrélation intraclasse à %(endline)s et la taille moyenne des "
            "classes."
        )
        % {"endline": endline},
        _(
            "Diagnostics : corrélation intraclasse initiale (modèle nul à trois "
            "niveaux en %(baseline)s), équivalence initiale (écart en unités "
            "d’écart type : satisfaite jusqu’à 0,05, ajustement requis jusqu’à "
            "0,25), attrition globale et différentielle comparée à la limite "
            "%(boundary)s du WWC, et effet minimal détectable (Bloom, 2007) à "
            "α = 0,05 et puissance 0,80."
        )
        % {
            "baseline": baseline,
            "boundary": _("prudente")
            if settings["boundary"] == "cautious"
            else _("optimiste"),
        },
        _(
            "Psychométrie : alpha de Cronbach (intervalle de Feldt), oméga de "
            "McDonald (intervalle par la méthode delta) et analyse factorielle "
            "confirmatoire par vague (un facteur par échelle, puis la batterie), "
            "par maximum de vraisemblance sur les réponses traitées comme "
            "continues. Invariance longitudinale (%(levels)s) : le niveau "
            "configural est retenu si CFI ≥ %(cfi)s (Bentler et Bonett, 1980) et "
            "RMSEA ≤ %(rmsea)s (Browne et Cudeck, 1993) ; chaque "
            "niveau suivant l’est si le CFI baisse d’au plus %(drop)s (Cheung et "
            "Rensvold, 2002) et le RMSEA monte d’au plus %(rise)s (Chen, 2007)."
        )
        % {
            "levels": ", ".join(settings["invariance_levels"]),
            "cfi": fmt(CONFIGURAL_MIN_CFI, 2),
            "rmsea": fmt(CONFIGURAL_MAX_RMSEA, 2),
            "drop": fmt(MAX_CFI_DROP, 3),
            "rise": fmt(MAX_RMSEA_RISE, 3),
        },
    ]
    return texts


def _limitations(report: DashboardContext, results: dict[str, Any]) -> list[str]:
    texts = []
    if report.simulated:
        texts.append(
            _(
                "Données simulées : %(share)s des réponses de cette étude ont été "
                "générées par la plateforme pour une démonstration, avec un effet "
                "connu. Aucun résultat de ce rapport ne décrit des élèves réels."
            )
            % {"share": report.simulated_share}
        )
    if not results["design"]["instrument"]["validated"]:
        texts.append(
            _(
                "L’instrument n’est pas encore validé : ses scores sont à lire "
                "comme des indications tant que sa fiabilité et sa structure n’ont "
                "pas été confirmées sur des données pilotes."
            )
        )
    if any(row["attrition_low"] is False for row in results["impact"]):
        texts.append(
            _(
                "L’attrition dépasse la limite du WWC pour au moins une "
                "compétence : l’effet peut être biaisé par les départs."
            )
        )
    texts.append(
        _(
            "Les réponses en quatre points sont traitées comme continues dans "
            "les analyses factorielles, ce qui sous-estime les saturations des "
            "items asymétriques."
        )
    )
    texts.append(
        _(
            "Les compétences sont auto-déclarées ; une part de l’effet peut venir "
            "d’un changement de la manière de répondre plutôt que du "
            "comportement."
        )
    )
    return texts


def _impact_table(report: DashboardContext, styles: dict) -> Table:
    header = [
        _("Compétence"),
        _("DiD (points)"),
        _("IC 95 % principal"),
        _("p"),
        _("p Holm"),
        _("g de Hedges [IC 95 %]"),
        _("Modèle mixte [IC 95 %]"),
        _("Élèves / classes"),
    ]
    rows = [
        [
            section.title,
            section.impact["did"],
            section.impact["primary_ci"],
            section.impact["primary_p"],
            section.impact["holm_p"],
            f"{section.impact['g']} {section.impact['g_ci']}",
            f"{section.impact['mixed']} {section.impact['mixed_ci']}",
            f"{section.impact['n_pupils']} / {section.impact['n_classes']}",
        ]
        for section in report.skills
        if section.impact is not None
    ]
    widths = [25, 16, 30, 13, 13, 29, 30, 18]
    return _table(header, rows, styles, [width * mm for width in widths])


def _diagnostics_table(report: DashboardContext, styles: dict) -> Table:
    header = [
        _("Compétence"),
        _("CCI initiale (classe)"),
        _("Équivalence initiale (g)"),
        _("Attrition globale / différentielle"),
        _("Effet minimal détectable"),
    ]
    rows = [
        [
            section.title,
            section.impact["icc"],
            f"{section.impact['equivalence']} ({section.impact['equivalence_band']})",
            f"{section.impact['attrition']} / {section.impact['differential']} "
            f"({section.impact['attrition_low']})",
            section.impact["mdes"],
        ]
        for section in report.skills
        if section.impact is not None
    ]
    return _table(header, rows, styles)


def _results(
    report: DashboardContext, results: dict[str, Any], styles: dict
) -> list[Flowable]:
    waves = [wave["label"] for wave in results["design"]["waves"]]
    story: list[Flowable] = [
        Paragraph(_("Effet du programme par compétence"), styles["h2"]),
        _impact_table(report, styles),
        Spacer(1, 3 * mm),
        _diagnostics_table(report, styles),
        Paragraph(_("Évolution des scores par groupe"), styles["h2"]),
    ]
    drawings = [
        figure_drawing(
            growth_figure(
                results["growth"],
                section.key,
                section.title,
                simulated=report.simulated,
            ),
            CONTENT_WIDTH * 0.49,
        )
        for section in report.skills
    ]
    pairs = [drawings[index : index + 2] for index in range(0, len(drawings), 2)]
    if pairs and len(pairs[-1]) == 1:
        pairs[-1].append(Spacer(1, 1))
    if pairs:
        story.append(Table(pairs, colWidths=[CONTENT_WIDTH / 2] * 2))
    story.append(Paragraph(_("Flux des élèves"), styles["h2"]))
    flow = [[row["stage"], row["programme"], row["comparison"]] for row in report.flow]
    story.append(
        _table(
            [_("Étape"), str(ARM_LABELS["programme"]), str(ARM_LABELS["comparison"])],
            flow,
            styles,
        )
    )
    story.append(
        KeepTogether(
            figure_drawing(
                flow_figure(results["flow"], waves, simulated=report.simulated),
                CONTENT_WIDTH * 0.8,
            )
        )
    )
    story.append(Paragraph(_("Exclusions pour qualité des données"), styles["h2"]))
    story.append(
        _table(
            [_("Règle"), _("Signalements"), _("Élèves")],
            [[row["rule"], row["flags"], row["pupils"]] for row in report.exclusions],
            styles,
        )
    )
    if report.reliability:
        story.append(Paragraph(_("Fiabilité par vague"), styles["h2"]))
        story.append(
            _table(
                [_("Vague"), _("Échelle"), "n", "α", _("IC α"), "ω", _("IC ω")],
                [
                    [
                        row["wave"],
                        row["skill"],
                        row["n"],
                        row["alpha"],
                        row["alpha_ci"],
                        row["omega"],
                        row["omega_ci"],
                    ]
                    for row in report.reliability
                ],
                styles,
            )
        )
    if report.cfa:
        story.append(Paragraph(_("Analyses factorielles par vague"), styles["h2"]))
        story.append(
            _table(
                [_("Vague"), _("Modèle"), "n", "χ²", "ddl", "CFI", "TLI", "RMSEA"]
                + ["SRMR"],
                [
                    [
                        row["wave"],
                        row["model"],
                        row["n"],
                        row["chi_square"],
                        row["df"],
                        row["cfi"],
                        row["tli"],
                        row["rmsea"],
                        row["srmr"],
                    ]
                    for row in report.cfa
                ],
                styles,
            )
        )
    invariance = [
        [section.title, row["level"], row["n"], row["cfi"], row["rmsea"]]
        + [row["delta_cfi"], row["delta_rmsea"], row["supported"]]
        for section in report.skills
        for row in section.invariance
    ]
    if invariance:
        story.append(Paragraph(_("Invariance longitudinale"), styles["h2"]))
        story.append(
            _table(
                [_("Échelle"), _("Niveau"), "n", "CFI", "RMSEA", "ΔCFI", "ΔRMSEA"]
                + [_("Verdict")],
                invariance,
                styles,
            )
        )
    return story


def _decorate(simulated: bool, study_name: str):
    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#4a5568"))
        canvas.drawString(MARGIN, 10 * mm, study_name)
        canvas.drawRightString(
            A4[0] - MARGIN, 10 * mm, _("page %(page)d") % {"page": document.page}
        )
        if simulated:
            canvas.setFont(BOLD_FONT, 9)
            canvas.setFillColor(SIMULATED_RED)
            canvas.drawCentredString(
                A4[0] / 2,
                A4[1] - 10 * mm,
                _("DONNÉES SIMULÉES — démonstration, aucun élève réel"),
            )
        canvas.restoreState()

    return draw


def build_report_pdf(
    study: Study, analysis: StudyAnalysis, *, stale: bool = False
) -> bytes:
    """Write the PDF report of a finished analysis and return its bytes.

    With `stale`, the report states that the data changed after the analysis.
    """
    results = analysis.results
    report = dashboard_context(results, language=get_language())
    styles = _styles()
    story: list[Flowable] = [
        Paragraph(escape(_("Rapport d’évaluation d’impact")), styles["title"]),
        Paragraph(escape(study.name), styles["h2"]),
        Paragraph(
            escape(
                _("Analyse du %(date)s, à partir des données de la plateforme IOTA.")
                % {
                    "date": date_format(
                        timezone.localtime(analysis.finished_at), "DATETIME_FORMAT"
                    )
                }
            ),
            styles["body"],
        ),
    ]
    if report.simulated:
        story.append(
            Paragraph(
                escape(
                    _(
                        "Données simulées : ce rapport décrit des réponses générées "
                        "pour une démonstration, avec un effet connu."
                    )
                ),
                styles["banner"],
            )
        )
    if stale:
        story += _paragraphs(
            [
                _(
                    "Des données ont changé depuis cette analyse ; une analyse à "
                    "jour est en cours."
                )
            ],
            styles["body"],
        )
    story.append(Paragraph(escape(_("Résumé")), styles["h1"]))
    story += _paragraphs(_summary(report, results), styles["body"])
    story.append(Paragraph(escape(_("Plan d’évaluation")), styles["h1"]))
    story += _paragraphs(_design_texts(results), styles["body"])
    story.append(Paragraph(escape(_("Méthodes")), styles["h1"]))
    story += _paragraphs(_methods_texts(results), styles["body"])
    story.append(PageBreak())
    story.append(Paragraph(escape(_("Résultats")), styles["h1"]))
    story += _results(report, results, styles)
    story.append(Paragraph(escape(_("Limites")), styles["h1"]))
    story += _paragraphs(_limitations(report, results), styles["body"])

    buffer = io.BytesIO()
    decorate = _decorate(report.simulated, study.name)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=study.name,
        author="IOTA",
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def cached_report_pdf(
    study: Study, analysis: StudyAnalysis, *, stale: bool = False
) -> bytes:
    """Return `build_report_pdf`'s bytes, built once per analysis and kept a day.

    A finished analysis never changes, so the key names it with everything else
    the PDF shows: the study's name, the stale notice and the language.
    """
    name = hashlib.sha256(study.name.encode("utf-8")).hexdigest()[:16]
    key = f"reports:pdf:{analysis.pk}:{name}:{int(stale)}:{get_language()}"
    content = cache.get(key)
    if content is None:
        content = build_report_pdf(study, analysis, stale=stale)
        cache.set(key, content, PDF_CACHE_SECONDS)
    return content
