"""Badges as a print-ready PDF: one A6 badge (105 x 148 mm, portrait) per page, the page
the badge's size, so a badge printer takes it as it is and an office printer prints it
on A6 card or at its size on A4. Each shows the conference, the attendee's name (large,
shrunk to fit), organisation, ticket type and category, and the QR code of the check-in
code (error correction M, drawn as vector squares, 45 mm with its quiet zone).

Text is set in a TrueType font with CJK glyphs, embedded (the glyphs used): the one
HUIWU_BADGE_FONT names (a .ttf, or a .ttc's first face), else WenQuanYi Micro Hei or Zen
Hei where the system has them (Debian's fonts-wqy-microhei, in the service image). With
none, STSong-Light, the Adobe CID font for simplified Chinese that reportlab names
without embedding: Acrobat and most printers supply it, but a viewer without Asian
fonts shows the names blank."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import segno
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

CID_FONT = "STSong-Light"
SYSTEM_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
PAGE = A6  # 105 x 148 mm
MARGIN = 8 * mm
QR_SIDE = 45 * mm  # with its quiet zone of 4 modules
QR_QUIET = 4


@dataclass(frozen=True)
class Badge:
    name: str
    organisation: str | None
    ticket_type: str
    category: str
    code: str


def font(configured: Path | None = None) -> str:
    """The name of the font badges are set in, registered with reportlab."""
    for path in (configured, *SYSTEM_FONTS):
        if path is not None and path.is_file():
            name = f"Badge-{path.stem}"
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
            return name
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def render(conference: str, badges: Iterable[Badge], font_name: str | None = None) -> bytes:
    """The PDF of the badges, one per page, in the order given."""
    face = font_name or font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=PAGE, pageCompression=1)
    canvas.setTitle(f"Badges: {conference}")
    for badge in badges:
        _badge(canvas, face, conference, badge)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _badge(canvas: Canvas, face: str, conference: str, badge: Badge) -> None:
    width, height = PAGE
    inner = width - 2 * MARGIN
    top = height - MARGIN
    _line(canvas, face, conference, 11, top - 11, inner)
    _line(canvas, face, badge.name, 30, top - 30 * mm, inner)
    if badge.organisation:
        _line(canvas, face, badge.organisation, 12, top - 40 * mm, inner)
    _line(canvas, face, f"{badge.ticket_type} · {badge.category}", 10, top - 48 * mm, inner)
    _qr(canvas, badge.code, (width - QR_SIDE) / 2, MARGIN)


def _line(canvas: Canvas, face: str, text: str, size: float, y: float, width: float) -> None:
    """Centred, shrunk until it fits the width (never below 6 pt)."""
    while size > 6 and pdfmetrics.stringWidth(text, face, size) > width:
        size -= 0.5
    canvas.setFont(face, size)
    canvas.drawCentredString(PAGE[0] / 2, y, text)


def _qr(canvas: Canvas, code: str, x: float, y: float) -> None:
    """The code's QR symbol as one path: a rectangle per run of dark modules in a row."""
    matrix = segno.make_qr(code, error="m").matrix
    cell = QR_SIDE / (len(matrix) + 2 * QR_QUIET)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, QR_SIDE, QR_SIDE, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for row, bits in enumerate(matrix):
        top = y + QR_SIDE - (row + QR_QUIET + 1) * cell
        for start, length in _runs(bits):
            path.rect(x + (start + QR_QUIET) * cell, top, length * cell, cell)
    canvas.drawPath(path, stroke=0, fill=1)


def _runs(bits: bytearray) -> list[tuple[int, int]]:
    """(first column, length) of each run of dark modules."""
    runs: list[tuple[int, int]] = []
    start = None
    for column, dark in enumerate((*bits, 0)):
        if dark and start is None:
            start = column
        elif not dark and start is not None:
            runs.append((start, column - start))
            start = None
    return runs
