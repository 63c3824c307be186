"""A4 PDFs of a lesson sheet for the teacher and of its handout for pupils.

Both follow the HTML print views. The teacher's sheet lists the objectives, the
materials, the timed steps with the teacher's script, the variants and the written
trace. The handout has a name line, the instructions and each task with lines to
write on, in large type for 9 to 11 year olds.
"""

import io

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from activities.crcn import competencies
from activities.markdown import parse_blocks
from activities.schemas import Text, UnpluggedContent
from iota.pdf_fonts import BOLD_FONT, FONT, register_fonts

MARGIN = 18 * mm


def _styles(base_size: float) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=base_size, leading=base_size * 1.35
    )
    return {
        "body": body,
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontName=BOLD_FONT,
            fontSize=base_size + 8,
            leading=(base_size + 8) * 1.25,
            spaceAfter=3 * mm,
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName=BOLD_FONT,
            fontSize=base_size + 2,
            leading=(base_size + 2) * 1.3,
            spaceBefore=4 * mm,
            spaceAfter=1.5 * mm,
        ),
        "small": ParagraphStyle(
            "small",
            parent=body,
            fontSize=base_size - 1,
            textColor=colors.HexColor("#444444"),
        ),
    }


def _setup_fonts() -> None:
    register_fonts()
    # Lets <strong> pick the bold face; italics stay upright, with no oblique face.
    registerFontFamily(
        FONT, normal=FONT, bold=BOLD_FONT, italic=FONT, boldItalic=BOLD_FONT
    )


def _text(text: Text | None) -> str:
    return text.get(get_language() or "fr") if text is not None else ""


def _rich(text: Text | None, style: ParagraphStyle) -> list[Flowable]:
    """Return a Markdown text as reportlab paragraphs and lists."""
    flowables: list[Flowable] = []
    for block in parse_blocks(_text(text)):
        if block.kind == "paragraph":
            flowables.append(Paragraph("<br/>".join(block.lines), style))
        else:
            flowables.append(
                _list(
                    [Paragraph(line, style) for line in block.lines],
                    numbered=block.kind == "numbers",
                    style=style,
                )
            )
    return flowables


def _list(
    items: list[Flowable], *, numbered: bool, style: ParagraphStyle
) -> ListFlowable:
    return ListFlowable(
        [ListItem(item) for item in items],
        bulletType="1" if numbered else "bullet",
        bulletFontName=FONT,
        bulletFontSize=style.fontSize,
        leftIndent=6 * mm,
    )


def render_sheet_pdf(content: UnpluggedContent, version_number: int) -> bytes:
    """Return the teacher's A4 lesson sheet of `content` as PDF bytes."""
    _setup_fonts()
    styles = _styles(10)
    story = _sheet_header(content, version_number, styles)
    story.extend(_sheet_lists(content, styles))
    story.append(Paragraph(_("Déroulement"), styles["heading"]))
    story.append(_steps_table(content, styles))
    variants: list[Flowable] = [Paragraph(_("Variantes"), styles["heading"])]
    for label, text in (
        (_("Plus facile"), content.variants.easier),
        (_("Plus difficile"), content.variants.harder),
    ):
        variants.append(Paragraph(f"<strong>{label}</strong>", styles["body"]))
        variants.extend(_rich(text, styles["body"]))
    story.append(KeepTogether(variants))
    trace = [
        Paragraph(_("Trace écrite"), styles["heading"]),
        _boxed(_rich(content.trace, styles["body"])),
    ]
    story.append(KeepTogether(trace))
    return _build(story, _text(content.title))


def _sheet_header(
    content: UnpluggedContent, version_number: int, styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    known = competencies()
    crcn = ", ".join(f"{code} {known[code].name}" for code in content.crcn)
    meta = _("%(levels)s · %(minutes)s min · CRCN %(crcn)s · version %(version)s") % {
        "levels": ", ".join(content.levels),
        "minutes": content.duration_minutes,
        "crcn": crcn,
        "version": version_number,
    }
    return [
        Paragraph(_text(content.title), styles["title"]),
        Paragraph(meta, styles["small"]),
        *_rich(content.summary, styles["body"]),
    ]


def _sheet_lists(
    content: UnpluggedContent, styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    """Return the objectives, the materials and the preparation."""
    story: list[Flowable] = []
    for heading, items in (
        (_("Objectifs"), content.objectives),
        (_("Matériel"), content.materials),
    ):
        paragraphs = [Paragraph(_text(item), styles["body"]) for item in items]
        story.append(Paragraph(heading, styles["heading"]))
        story.append(_list(paragraphs, numbered=False, style=styles["body"]))
    if content.preparation is not None:
        story.append(Paragraph(_("Préparation"), styles["heading"]))
        story.extend(_rich(content.preparation, styles["body"]))
    return story


def _steps_table(content: UnpluggedContent, styles: dict[str, ParagraphStyle]) -> Table:
    rows: list[list[object]] = [
        [
            Paragraph(_("Durée"), styles["small"]),
            Paragraph(_("Étape"), styles["small"]),
        ]
    ]
    for step in content.steps:
        cell: list[Flowable] = [
            Paragraph(f"<strong>{_inline_text(step.title)}</strong>", styles["body"])
        ]
        cell.extend(_rich(step.instructions, styles["body"]))
        if step.teacher_says is not None:
            cell.append(Paragraph(_("L’enseignant·e dit :"), styles["small"]))
            cell.extend(_rich(step.teacher_says, styles["body"]))
        rows.append(
            [
                Paragraph(
                    _("%(minutes)s min") % {"minutes": step.minutes}, styles["body"]
                ),
                cell,
            ]
        )
    table = Table(rows, colWidths=[18 * mm, A4[0] - 2 * MARGIN - 18 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#bbbbbb")),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
            ]
        )
    )
    return table


def _inline_text(text: Text) -> str:
    """Return a short text as one line of inline markup, its own markup escaped."""
    blocks = parse_blocks(_text(text))
    return " ".join(line for block in blocks for line in block.lines)


def _boxed(flowables: list[Flowable]) -> Table:
    table = Table([[flowables]], colWidths=[A4[0] - 2 * MARGIN])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, colors.HexColor("#333333")),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return table


def render_handout_pdf(content: UnpluggedContent) -> bytes:
    """Return the pupils' A4 handout of `content` as PDF bytes.

    Raises ValueError when the sheet has no handout.
    """
    if content.handout is None:
        raise ValueError(_("Cette fiche n’a pas de fiche élève."))
    _setup_fonts()
    styles = _styles(14)
    handout = content.handout
    story: list[Flowable] = [
        Paragraph(
            _("Prénom : ____________________   Date : ____________"), styles["body"]
        ),
        Spacer(0, 4 * mm),
        Paragraph(_text(handout.title), styles["title"]),
    ]
    story.extend(_rich(handout.instructions, styles["body"]))
    line = "_" * 52
    for number, task in enumerate(handout.tasks, start=1):
        block: list[Flowable] = [
            Paragraph(
                f"<strong>{number}.</strong> {_inline_text(task)}", styles["heading"]
            )
        ]
        block.extend(
            Paragraph(line, styles["body"]) for _index in range(handout.answer_lines)
        )
        story.append(KeepTogether(block))
    return _build(story, _text(handout.title))


def _build(story: list[Flowable], title: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="IOTA",
    )
    document.build(story)
    return buffer.getvalue()
