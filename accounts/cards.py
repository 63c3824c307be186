"""Sign-in cards: what each card shows, and the A4 PDF of a class's cards.

A card carries the class code, a QR code of the class's sign-in page, the pupil's
display name and their picture password in order with each picture's name. The PDF
puts 8 cards (2 columns, 4 rows of 105 × 74.25 mm) on each A4 page, with dashed cut
lines, the same layout as the HTML print view.
"""

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import segno
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from svglib.svglib import svg2rlg

from accounts.pictures import Picture, pictures_of
from iota.pdf_fonts import BOLD_FONT, FONT, register_fonts
from schools.models import Classroom, Pupil

COLUMNS, ROWS = 2, 4
CARD_WIDTH = A4[0] / COLUMNS
CARD_HEIGHT = A4[1] / ROWS
PADDING = 5 * mm
QR_SIZE = 26 * mm
PICTURE_SIZE = 20 * mm


@dataclass(frozen=True)
class Card:
    display_name: str
    pictures: list[Picture]


def build_cards(pupils: list[Pupil]) -> list[Card]:
    """Return one card per pupil, in the order given."""
    return [
        Card(pupil.display_name, pictures_of(pupil.picture_password))
        for pupil in pupils
    ]


def class_qr_code(url: str) -> segno.QRCode:
    """Return the QR code of the class's sign-in page."""
    # Level M survives a crumpled or smudged card and keeps the modules large.
    return segno.make(url, error="m", boost_error=False)


@cache
def _picture_drawing(key: str, file: Path) -> Drawing:
    drawing = svg2rlg(str(file))
    if drawing is None:
        raise ValueError(f"The picture file {file} could not be read as SVG.")
    return drawing


def _draw_svg(canvas: Canvas, picture: Picture, x: float, y: float) -> None:
    drawing = _picture_drawing(picture.key, picture.file)
    scale = PICTURE_SIZE / max(drawing.width, drawing.height)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(scale, scale)
    renderPDF.draw(drawing, canvas, 0, 0)
    canvas.restoreState()


def _draw_qr(canvas: Canvas, qr: segno.QRCode, x: float, y: float) -> None:
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=0)]
    module = QR_SIZE / len(rows)
    path = canvas.beginPath()
    for row_index, row in enumerate(rows):
        top = y + QR_SIZE - (row_index + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            path.rect(x + start * module, top, (column - start) * module, module)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, fill=1, stroke=0)
    canvas.restoreState()


def _fitted_size(text: str, font: str, size: float, width: float) -> float:
    """Shrink `size` until `text` fits in `width`, down to 7 points."""
    while size > 7 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _draw_card(
    canvas: Canvas,
    card: Card,
    classroom: Classroom,
    qr: segno.QRCode,
    x: float,
    y: float,
) -> None:
    left = x + PADDING
    top = y + CARD_HEIGHT - PADDING
    text_width = CARD_WIDTH - 2 * PADDING - QR_SIZE - 3 * mm

    _draw_qr(canvas, qr, x + CARD_WIDTH - PADDING - QR_SIZE, top - QR_SIZE)

    name_size = _fitted_size(card.display_name, BOLD_FONT, 18, text_width)
    canvas.setFont(BOLD_FONT, name_size)
    canvas.drawString(left, top - name_size, card.display_name)
    label_size = _fitted_size(classroom.label, FONT, 9, text_width)
    canvas.setFont(FONT, label_size)
    canvas.drawString(left, top - name_size - 5 * mm, classroom.label)
    canvas.setFont(FONT, 9)
    canvas.drawString(left, top - name_size - 11 * mm, _("Code de la classe :"))
    canvas.setFont(BOLD_FONT, 16)
    canvas.drawString(left, top - name_size - 17.5 * mm, classroom.code)

    gap = (CARD_WIDTH - 2 * PADDING - len(card.pictures) * PICTURE_SIZE) / max(
        len(card.pictures) - 1, 1
    )
    picture_y = y + PADDING + 5 * mm
    for index, picture in enumerate(card.pictures):
        picture_x = left + index * (PICTURE_SIZE + gap)
        _draw_svg(canvas, picture, picture_x, picture_y)
        canvas.setFont(BOLD_FONT, 9)
        canvas.drawString(picture_x, picture_y + PICTURE_SIZE - 2 * mm, str(index + 1))
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(
            picture_x + PICTURE_SIZE / 2, y + PADDING + 1 * mm, picture.name("fr")
        )
        if index < len(card.pictures) - 1:
            _draw_arrow(canvas, picture_x + PICTURE_SIZE, picture_y, gap)


def _draw_arrow(canvas: Canvas, x: float, y: float, gap: float) -> None:
    middle = y + PICTURE_SIZE / 2
    start, end = x + gap * 0.25, x + gap * 0.75
    canvas.saveState()
    canvas.setLineWidth(1.5)
    canvas.line(start, middle, end, middle)
    canvas.line(end - 2 * mm, middle + 1.5 * mm, end, middle)
    canvas.line(end - 2 * mm, middle - 1.5 * mm, end, middle)
    canvas.restoreState()


def _draw_cut_lines(canvas: Canvas) -> None:
    width, height = A4
    canvas.saveState()
    canvas.setDash(4, 3)
    canvas.setLineWidth(0.5)
    canvas.setStrokeColorRGB(0.5, 0.5, 0.5)
    for column in range(1, COLUMNS):
        canvas.line(column * CARD_WIDTH, 0, column * CARD_WIDTH, height)
    for row in range(1, ROWS):
        canvas.line(0, row * CARD_HEIGHT, width, row * CARD_HEIGHT)
    canvas.restoreState()


def render_cards_pdf(classroom: Classroom, cards: list[Card], class_url: str) -> bytes:
    """Return the A4 PDF of `cards`, 8 per page, for printing and cutting."""
    register_fonts()
    qr = class_qr_code(class_url)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    # The title names the class only: a pupil's name must not travel in metadata.
    canvas.setTitle(
        _("Cartes de connexion, classe %(code)s") % {"code": classroom.code}
    )
    canvas.setAuthor("IOTA")
    per_page = COLUMNS * ROWS
    for start in range(0, max(len(cards), 1), per_page):
        _draw_cut_lines(canvas)
        for offset, card in enumerate(cards[start : start + per_page]):
            column, row = offset % COLUMNS, offset // COLUMNS
            x = column * CARD_WIDTH
            y = A4[1] - (row + 1) * CARD_HEIGHT
            _draw_card(canvas, card, classroom, qr, x, y)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
