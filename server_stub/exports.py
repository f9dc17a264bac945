"""Donor traceability documents (CSV and PDF) built from `crud.traceability_rows`.

Every cell is text from machines and people: the CSV neutralises spreadsheet formulas
(OWASP "CSV injection": a leading = + - @ tab or CR makes Excel/LibreOffice evaluate the cell),
and the PDF escapes markup, since reportlab's Paragraph interprets tags.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from agent.i18n import N_
from server_stub.crud import TraceabilityRow
from server_stub.i18n import day, translator
from server_stub.models import Batch, Donor

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = (
    N_("Asset code"),
    N_("Machine serial"),
    N_("Manufacturer"),
    N_("Model"),
    N_("Disk serial"),
    N_("Disk model"),
    N_("Erasure technique"),
    N_("NIST category"),
    N_("Verification"),
    N_("Erasure result"),
    N_("Signature"),
    N_("Certificate id"),
    N_("Erased on"),
    N_("Grade"),
    N_("Outcome"),
    N_("Channel"),
    N_("Outcome date"),
)
RESULTS = {
    "erased": N_("erased"),
    "failed": N_("failed"),
    "incomplete": N_("incomplete"),
    "verified": N_("verified"),
    "verification_failed": N_("verification failed"),
}
OUTCOMES = {
    "donated": N_("donated"),
    "lent": N_("lent"),
    "sold": N_("sold"),
    "recycled": N_("recycled"),
    "parts": N_("kept for parts"),
}
NOT_ERASED = N_("no erasure certificate")
SIGNATURE_VALID = N_("valid")
SIGNATURE_INVALID = N_("INVALID")

#: reportlab's PDF rendering of certificates switches the process-wide language: one at a time.
PDF_LOCK = threading.Lock()


def csv_safe(value: str) -> str:
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cells(row: TraceabilityRow, tr: Callable[[str], str], lang: str) -> list[str]:
    signature = ""
    if row.valid_signature is not None:
        signature = tr(SIGNATURE_VALID) if row.valid_signature else tr(SIGNATURE_INVALID)
    result = tr(RESULTS[row.result]) if row.result in RESULTS else (row.result or tr(NOT_ERASED))
    return [
        row.asset_code,
        row.serial or "",
        row.manufacturer or "",
        row.product or "",
        row.disk_serial or "",
        row.disk_model or "",
        row.technique or "",
        row.category or "",
        row.verification or "",
        result,
        signature,
        row.certificate_id or "",
        day(row.erased_at, lang),
        row.grade or "",
        tr(OUTCOMES[row.outcome]) if row.outcome in OUTCOMES else "",
        row.outcome_channel or "",
        day(row.outcome_date, lang),
    ]


def traceability_csv(rows: Sequence[TraceabilityRow], *, lang: str = "fr") -> bytes:
    """UTF-8 with BOM and ';' in French (what a French spreadsheet opens without an import dialog)."""
    tr = translator(lang)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang == "fr" else ",", lineterminator="\r\n")
    writer.writerow([tr(c) for c in COLUMNS])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in _cells(row, tr, lang)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


TITLE = N_("Traceability of donated equipment")
BATCH_LINE = N_("Batch {reference}: {label}")
DONOR_LINE = N_("Donor: {donor}")
SUMMARY_LINE = N_("{devices} machines, {erased} disks erased with a valid certificate, received on {date}")


def traceability_pdf(
    rows: Sequence[TraceabilityRow], *, batch: Batch, donor: Donor, lang: str = "fr"
) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    tr = translator(lang)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8)
    head = styles["BodyText"].clone("head", fontSize=7, leading=8, fontName="Helvetica-Bold")

    def para(text: str, style: object = small) -> Paragraph:
        return Paragraph(escape(text), style)

    shown = (0, 1, 3, 4, 6, 8, 9, 10, 11, 12, 13, 14, 16)
    data = [[para(tr(COLUMNS[i]), head) for i in shown]]
    erased = 0
    for row in rows:
        cells = _cells(row, tr, lang)
        data.append([para(cells[i]) for i in shown])
        if row.result in ("erased", "verified") and row.valid_signature:
            erased += 1
    widths = [24, 24, 26, 24, 26, 22, 16, 22, 14, 30, 17, 8, 17]
    table = LongTable(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    devices = len({r.asset_code for r in rows})
    story = [
        para(tr(TITLE), styles["Title"]),
        para(tr(BATCH_LINE).format(reference=batch.reference, label=batch.label), styles["Heading3"]),
        para(tr(DONOR_LINE).format(donor=donor.name), styles["BodyText"]),
        para(
            tr(SUMMARY_LINE).format(devices=devices, erased=erased, date=day(batch.received_on, lang) or "?"),
            styles["BodyText"],
        ),
        Spacer(1, 4 * mm),
        table,
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=8 * mm,
        rightMargin=8 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=tr(TITLE),
        author="Atelier",
    )
    doc.build(story)
    return buffer.getvalue()


def certificate_pdf(signed_json: str, *, lang: str = "fr") -> bytes:
    from agent.certs.pdf import render_certificate_pdf
    from agent.report import SignedCertificate

    signed = SignedCertificate.model_validate_json(signed_json)
    with PDF_LOCK:
        return render_certificate_pdf(signed, lang=lang)


__all__ = ["PDF_LOCK", "certificate_pdf", "csv_safe", "traceability_csv", "traceability_pdf"]
