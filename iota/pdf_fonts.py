"""The fonts of the PDFs the platform prints (sign-in cards, lesson sheets)."""

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

# DejaVu covers the letters of names from many languages; reportlab's bundled Vera
# (Latin-1 only) is the fallback when the system has no DejaVu.
_FONT_CANDIDATES = (
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    ("Vera.ttf", "VeraBd.ttf"),
)
FONT, BOLD_FONT = "IotaSans", "IotaSans-Bold"


@cache
def register_fonts() -> None:
    """Register FONT and BOLD_FONT with reportlab, once per process."""
    for regular, bold in _FONT_CANDIDATES:
        try:
            pdfmetrics.registerFont(TTFont(FONT, str(regular)))
            pdfmetrics.registerFont(TTFont(BOLD_FONT, str(bold)))
        except (TTFError, OSError):
            continue
        return
