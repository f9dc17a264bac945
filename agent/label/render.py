"""PDF labels: 62 mm continuous tape (Brother QL) and an A4 sheet of 14 stickers (99 × 38 mm)."""

from __future__ import annotations

import io
from typing import Literal

from agent.label.content import LabelContent

Format = Literal["tape62", "a4"]

MM = 72.0 / 25.4
#: One tape label: 62 mm across the tape, 100 mm along it.
TAPE = (100 * MM, 62 * MM)
#: Avery L7163-style sheet: 2 × 7 stickers of 99.1 × 38.1 mm.
SHEET_COLS, SHEET_ROWS = 2, 7
STICKER = (99.1 * MM, 38.1 * MM)
SHEET_MARGIN = (4.65 * MM, 15.15 * MM)
SHEET_GAP = 2.5 * MM


def _draw_label(canvas: object, content: LabelContent, x: float, y: float, w: float, h: float) -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode import code128, qr
    from reportlab.graphics.shapes import Drawing
    from reportlab.pdfgen.canvas import Canvas

    assert isinstance(canvas, Canvas)
    pad = 2 * MM
    qr_size = min(h - 2 * pad, w * 0.32)
    widget = qr.QrCodeWidget(content.asset_code, barLevel="M")
    bx0, by0, bx1, by1 = widget.getBounds()
    drawing = Drawing(qr_size, qr_size, transform=[qr_size / (bx1 - bx0), 0, 0, qr_size / (by1 - by0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x + pad, y + h - pad - qr_size)

    text_x = x + 2 * pad + qr_size
    text_w = w - (text_x - x) - pad
    top = y + h - pad
    code_size = min(16.0, h / 5)
    canvas.setFont("Helvetica-Bold", code_size)
    canvas.drawString(text_x, top - code_size, content.asset_code)
    if content.grade:
        canvas.setFont("Helvetica-Bold", code_size * 1.3)
        canvas.drawRightString(x + w - pad, top - code_size * 1.2, content.grade)

    bar_h = max(6 * MM, h * 0.16)
    barcode = code128.Code128(content.asset_code, barHeight=bar_h, barWidth=0.9, humanReadable=False)
    if barcode.width > text_w:
        barcode = code128.Code128(
            content.asset_code, barHeight=bar_h, barWidth=0.9 * text_w / barcode.width, humanReadable=False
        )
    barcode.drawOn(canvas, text_x - barcode.lquiet if hasattr(barcode, "lquiet") else text_x, y + pad)

    line_top = top - code_size - 3
    available = line_top - (y + pad + bar_h + 2)
    size = max(5.0, min(11.0, available / max(1, len(content.lines)) / 1.25))
    canvas.setFont("Helvetica", size)
    cursor = line_top - size
    for label, value in content.lines:
        if cursor < y + pad + bar_h:
            break
        # Helvetica (WinAnsi) has no narrow no-break space: the ordinary one reads the same on paper.
        text = f"{label} : {value}".replace("\u202f", " ")
        while canvas.stringWidth(text, "Helvetica", size) > text_w and len(text) > 4:
            text = text[:-2] + "…"
        canvas.drawString(text_x, cursor, text)
        cursor -= size * 1.25


def render_label(content: LabelContent, fmt: Format = "tape62") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    if fmt == "tape62":
        canvas = Canvas(buffer, pagesize=TAPE, invariant=1)
        canvas.setTitle(f"Atelier {content.asset_code}")
        _draw_label(canvas, content, 0, 0, TAPE[0], TAPE[1])
    else:
        canvas = Canvas(buffer, pagesize=A4, invariant=1)
        canvas.setTitle(f"Atelier {content.asset_code}")
        width, height = STICKER
        for row in range(SHEET_ROWS):
            for col in range(SHEET_COLS):
                x = SHEET_MARGIN[0] + col * (width + SHEET_GAP)
                y = A4[1] - SHEET_MARGIN[1] - (row + 1) * height
                _draw_label(canvas, content, x, y, width, height)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


__all__ = ["Format", "render_label"]
