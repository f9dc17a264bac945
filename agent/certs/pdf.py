"""The printed certificate: one A4 page, French by default, NIST SP 800-88 Rev. 1 Appendix G fields.

Built with reportlab's standard Helvetica so the live image needs no font files; text is folded
to the fonts' Windows-1252 repertoire (French accents are in it; a garbled drive serial is not).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from agent import fmt
from agent.i18n import N_, _, current_language, set_language
from agent.report import Certificate, SignedCertificate

RESULT_LABELS = {
    "erased": N_("ERASED"),
    "failed": N_("FAILED"),
    "incomplete": N_("INCOMPLETE"),
    "verified": N_("VERIFIED"),
    "verification_failed": N_("VERIFICATION FAILED"),
}
RESULT_EXPLAINED = {
    "erased": N_("Every byte of this disk was sanitised and the verification passed."),
    "failed": N_("The erasure did not succeed: this disk may still hold data. Do not release it."),
    "incomplete": N_("The erasure did not finish: this disk may still hold data. Erase it again."),
    "verified": N_("The erasure made by another tool was checked on the disk and found complete."),
    "verification_failed": N_(
        "The erasure made by another tool could not be confirmed: this disk may still hold data."
    ),
}
RESULT_COLOURS = {
    "erased": "#1b7f3b",
    "verified": "#1b7f3b",
    "failed": "#b3261e",
    "verification_failed": "#b3261e",
    "incomplete": "#c56a00",
}
TECHNIQUE_LABELS = {
    "overwrite": N_("Overwrite of every sector"),
    "ata_sanitize_crypto": N_("ATA SANITIZE, cryptographic erase"),
    "ata_sanitize_block": N_("ATA SANITIZE, block erase"),
    "ata_sanitize_overwrite": N_("ATA SANITIZE, overwrite"),
    "ata_security_erase": N_("ATA SECURITY ERASE UNIT"),
    "ata_security_erase_enhanced": N_("ATA SECURITY ERASE UNIT, enhanced"),
    "nvme_sanitize_crypto": N_("NVMe Sanitize, cryptographic erase"),
    "nvme_sanitize_block": N_("NVMe Sanitize, block erase"),
    "nvme_sanitize_overwrite": N_("NVMe Sanitize, overwrite"),
    "nvme_format_crypto": N_("NVMe Format, cryptographic erase (SES=2)"),
    "nvme_format_user_data": N_("NVMe Format, user data erase (SES=1)"),
    "scsi_sanitize_crypto": N_("SCSI SANITIZE, cryptographic erase"),
    "scsi_sanitize_block": N_("SCSI SANITIZE, block erase"),
    "scsi_sanitize_overwrite": N_("SCSI SANITIZE, overwrite"),
    "external": N_("Erasure made by another tool"),
}
MEDIA_LABELS = {
    "hdd": N_("Hard disk drive (HDD)"),
    "ssd": N_("Solid-state drive (SATA SSD)"),
    "nvme": N_("NVMe solid-state drive"),
    "flash": N_("Flash memory (USB stick, SD card, eMMC)"),
    "unknown": N_("unknown"),
}
CATEGORY_LABELS = {
    "clear": N_("Clear"),
    "purge": N_("Purge"),
}
VERIFICATION_METHODS = {
    "full": N_("full read-back"),
    "sampled": N_("sampled read-back (NIST)"),
    "none": N_("none"),
}
VERIFICATION_TARGETS = {
    "pattern": N_("the written pattern is present"),
    "no-canary-no-signature": N_("no canary, partition table, file system or file signature survives"),
    "external-report": N_("the other tool's report and the disk content agree"),
}
PATTERN_LABELS = {
    "zeros": N_("zeros"),
    "ones": N_("ones"),
    "random": N_("random"),
    "byte": N_("fixed byte"),
    "verify-only": N_("read-back only"),
    "firmware": N_("drive firmware command"),
}
MATCH_LABELS = {"serial": N_("serial number"), "size": N_("size"), "model": N_("model")}
MAX_LIST = 5


@contextmanager
def _language(lang: str) -> Iterator[None]:
    previous = current_language()
    set_language(lang)
    try:
        yield
    finally:
        set_language(previous)


def _fold(text: str) -> str:
    """Keep what Helvetica (WinAnsi) can draw; French typography's narrow spaces become spaces."""
    text = text.replace("\u202f", " ").replace("\u2009", " ")
    return text.encode("cp1252", errors="replace").decode("cp1252")


def _when(value: datetime | None) -> str:
    if value is None:
        return "?"
    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    pattern = "%d/%m/%Y %H:%M:%S" if current_language() == "fr" else "%Y-%m-%d %H:%M:%S"
    return f"{utc.strftime(pattern)} UTC"


def _or_unknown(value: object) -> str:
    if value is None or value == "":
        return _("unknown")
    return str(value)


def _size(cert: Certificate) -> str:
    n = cert.disk.size_bytes
    if n is None:
        return _("unknown")
    exact = f"{n:,}".replace(",", " " if current_language() == "fr" else ",")
    return _("{human} ({exact} bytes)").format(human=fmt.size(n), exact=exact)


def _groups(text: str, size: int = 4) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def _limited(items: list[str]) -> list[str]:
    if len(items) <= MAX_LIST:
        return items
    rest = len(items) - MAX_LIST
    return [*items[:MAX_LIST], _("… and {n} more (see the JSON file)").format(n=rest)]


def _rows(cert: Certificate, signed: SignedCertificate) -> list[tuple[str, list[tuple[str, str]]]]:
    ext = cert.external
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    sections.append(
        (
            _("Organisation"),
            [
                (_("Organisation"), _or_unknown(cert.organisation.name)),
                (_("Location"), _or_unknown(cert.organisation.location)),
                (_("Operator"), _or_unknown(cert.operator)),
                (_("Station"), _or_unknown(cert.station)),
                (_("Asset code"), _or_unknown(cert.asset_code)),
            ],
        )
    )
    machine = " ".join(p for p in (cert.machine.manufacturer, cert.machine.product) if p)
    sections.append(
        (
            _("Computer"),
            [
                (_("Make and model"), _or_unknown(machine or None)),
                (_("Serial number"), _or_unknown(cert.machine.serial)),
            ],
        )
    )
    sections.append(
        (
            _("Storage medium"),
            [
                (_("Make"), _or_unknown(cert.disk.vendor)),
                (_("Model"), _or_unknown(cert.disk.model)),
                (_("Serial number"), _or_unknown(cert.disk.serial)),
                (_("Capacity"), _size(cert)),
                (_("Media type"), _(MEDIA_LABELS.get(cert.disk.media_type, cert.disk.media_type))),
                (
                    _("Interface"),
                    cert.disk.transport.upper() if cert.disk.transport != "unknown" else _("unknown"),
                ),
                (_("Firmware"), _or_unknown(cert.disk.firmware)),
                (_("Hidden areas (HPA/DCO)"), _or_unknown(cert.hpa_dco)),
            ],
        )
    )
    category = _("none achieved") if cert.category is None else _(CATEGORY_LABELS[cert.category])
    passes = ", ".join(_(PATTERN_LABELS.get(p.pattern, p.pattern)) for p in cert.passes)
    sanitisation = [
        (_("NIST SP 800-88 category"), category),
        (_("Technique"), _(TECHNIQUE_LABELS.get(cert.technique, cert.technique))),
    ]
    if passes:
        sanitisation.append(
            (
                _("Passes"),
                f"{len(cert.passes)} : {passes}"
                if current_language() == "fr"
                else f"{len(cert.passes)}: {passes}",
            )
        )
    tool = f"{cert.tool} {cert.tool_version or ''}".strip()
    sanitisation += [
        (_("Tool and version"), tool),
        (_("Policy"), _or_unknown(cert.policy)),
        (_("Started"), _when(cert.started_at)),
        (_("Finished"), _when(cert.finished_at)),
        (_("Duration"), fmt.duration((cert.finished_at - cert.started_at).total_seconds())),
    ]
    if cert.purge_note:
        sanitisation.append((_("Note"), cert.purge_note))
    if cert.restarted:
        sanitisation.append(
            (
                _("Restarted"),
                _("An earlier attempt was interrupted; the erasure started over from the beginning."),
            )
        )
    sections.append((_("Sanitisation") if ext is None else _("Erasure checked"), sanitisation))
    ver = cert.verification
    verification = [
        (_("Method"), _(VERIFICATION_METHODS.get(ver.method, ver.method))),
        (_("What was checked"), _(VERIFICATION_TARGETS[ver.target]) if ver.target else _("unknown")),
        (
            _("Coverage"),
            (
                _("{percent} % of the medium, {samples} samples, {read} read")
                if ver.samples > 1
                else _("{percent} % of the medium, {read} read")
            ).format(
                percent=fmt.decimal(ver.coverage_percent, 2),
                samples=ver.samples,
                read=fmt.size(ver.bytes_read),
            ),
        ),
        (_("Verification result"), _("passed") if ver.passed else _("NOT passed")),
    ]
    if ver.first_mismatch_offset is not None:
        verification.append((_("First difference at byte"), str(ver.first_mismatch_offset)))
    for detail in _limited(list(ver.details))[:3]:
        verification.append((_("Detail"), detail))
    sections.append((_("Verification"), verification))
    if ext is not None:
        signature = (
            _("present (not checked: the publisher's public key is not available)")
            if ext.signature_present
            else _("absent")
        )
        external = [
            (_("Report of"), f"{ext.tool} {ext.tool_version or ''}".strip()),
            (_("Report reference"), _or_unknown(ext.report_id)),
            (_("Report SHA-256"), _groups(ext.sha256, 8)),
            (_("Method in the report"), _or_unknown(ext.method)),
            (_("Result in the report"), _or_unknown(ext.result)),
            (_("Report period"), f"{ext.started_at or '?'} – {ext.finished_at or '?'}"),
            (_("Report signature"), signature),
            (_("Matched by"), ", ".join(_(MATCH_LABELS.get(m, m)) for m in ext.matched_by) or _("nothing")),
        ]
        for mismatch in _limited(list(ext.mismatches)):
            external.append((_("Mismatch"), mismatch))
        sections.append((_("External erasure report"), external))
    errors = [(_("Error"), e) for e in _limited(list(cert.errors))]
    ranges = [
        (
            _("Failed range"),
            _("bytes {start} to {end}: {error}").format(start=r.start, end=r.end, error=r.error),
        )
        for r in cert.failed_ranges
    ]
    if len(ranges) > MAX_LIST:
        ranges = [
            *ranges[:MAX_LIST],
            (_("Failed range"), _("… and {n} more (see the JSON file)").format(n=len(ranges) - MAX_LIST)),
        ]
    sections.append((_("Errors"), (errors + ranges) or [(_("Errors"), _("none"))]))
    sections.append(
        (
            _("Electronic signature"),
            [
                (_("Certificate ID"), str(cert.certificate_id)),
                (_("Algorithm"), "Ed25519"),
                (_("Key fingerprint (SHA-256)"), _groups(signed.key_fingerprint, 4)),
                (_("How to check"), _("atelier certificate verify <JSON file>")),
            ],
        )
    )
    return sections


def render_certificate_pdf(signed: SignedCertificate, *, lang: str = "fr") -> bytes:
    """One page always: a certificate with many errors is set in smaller type rather than split."""
    with _language(lang):
        data = b""
        from reportlab.platypus.doctemplate import LayoutError

        for scale in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5):
            try:
                data, pages = _render(signed, scale)
            except LayoutError:
                continue
            if pages == 1:
                break
        return data


def _render(signed: SignedCertificate, scale: float) -> tuple[bytes, int]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    cert = signed.certificate
    buffer = io.BytesIO()
    title = (
        _("Data sanitisation certificate")
        if cert.kind == "erasure"
        else _("Certificate of verification of an erasure")
    )
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_fold(title),
        author="Atelier",
        subject=_fold(str(cert.certificate_id)),
    )
    base = ParagraphStyle("base", fontName="Helvetica", fontSize=9 * scale, leading=11 * scale)
    label = ParagraphStyle("label", parent=base, textColor=colors.HexColor("#444444"))
    head = ParagraphStyle(
        "head",
        parent=base,
        fontName="Helvetica-Bold",
        fontSize=9.4 * scale,
        leading=11.5 * scale,
        textColor=colors.white,
    )
    h1 = ParagraphStyle("h1", parent=base, fontName="Helvetica-Bold", fontSize=15 * scale, leading=18 * scale)
    sub = ParagraphStyle(
        "sub", parent=base, fontSize=8 * scale, leading=10 * scale, textColor=colors.HexColor("#555555")
    )
    colour = colors.HexColor(RESULT_COLOURS.get(cert.result, "#333333"))
    big = ParagraphStyle(
        "big",
        parent=base,
        fontName="Helvetica-Bold",
        fontSize=30 * scale,
        leading=36 * scale,
        alignment=TA_CENTER,
        textColor=colors.white,
    )
    explain = ParagraphStyle(
        "explain",
        parent=base,
        fontSize=10 * scale,
        leading=12.5 * scale,
        alignment=TA_CENTER,
        textColor=colors.white,
    )

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(_fold(text)), style)

    story: list[object] = [
        p(title, h1),
        p(
            _(
                "Fields of NIST SP 800-88 Rev. 1, Appendix G (sample certificate of sanitisation). Issued {date}."
            ).format(date=_when(cert.finished_at)),
            sub,
        ),
        Spacer(1, 3 * mm),
    ]
    lines = [[p(_(RESULT_LABELS[cert.result]), big)], [p(_(RESULT_EXPLAINED[cert.result]), explain)]]
    if cert.reason and cert.reason != "sample":
        # The one sentence the runner chose (an English msgid, translated here).
        why = _(cert.reason)
        lines.append([p(_("Why: {reason}").format(reason=why[:1].upper() + why[1:]), explain)])
    banner = Table(lines, colWidths=[doc.width])
    banner.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colour),
                ("TOPPADDING", (0, 0), (-1, 0), 5),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
                ("ROUNDEDCORNERS", [4, 4, 4, 4]),
            ]
        )
    )
    story += [banner, Spacer(1, 3 * mm)]

    half = (doc.width - 4 * mm) / 2
    blocks = []
    sizes: list[int] = []
    for heading, rows in _rows(cert, signed):
        sizes.append(len(rows) + 2 + sum(len(v) // 38 for _k, v in rows))
        data = [[p(heading, head), ""]] + [[p(k, label), p(v)] for k, v in rows]
        table = Table(data, colWidths=[half * 0.38, half * 0.62])
        table.setStyle(
            TableStyle(
                [
                    ("SPAN", (0, 0), (1, 0)),
                    ("BACKGROUND", (0, 0), (1, 0), colors.HexColor("#37474f")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#dddddd")),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        blocks.append(table)
    # Two columns of about equal height: identity first, then what was done and its proof.
    total, running, split = sum(sizes), 0, len(blocks) - 1
    for i, n in enumerate(sizes):
        if running + n / 2 > total / 2:
            split = max(i, 1)
            break
        running += n
    left, right = blocks[:split], blocks[split:]
    column = Table(
        [[[_spaced(left, Spacer, mm)], [_spaced(right, Spacer, mm)]]],
        colWidths=[half + 2 * mm, half + 2 * mm],
    )
    column.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2 * mm),
            ]
        )
    )
    story += [column, Spacer(1, 5 * mm)]
    sign = Table(
        [
            [p(_("Operator signature"), label), p(_("Validation (name, date, signature)"), label)],
            ["", ""],
        ],
        colWidths=[doc.width / 2, doc.width / 2],
        rowHeights=[None, 14 * mm],
    )
    sign.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (0, -1), 0.5, colors.HexColor("#999999")),
                ("BOX", (1, 0), (1, -1), 0.5, colors.HexColor("#999999")),
            ]
        )
    )
    story += [KeepTogether([sign]), Spacer(1, 2 * mm)]
    story.append(
        p(
            _(
                "This certificate is signed electronically; the JSON file of the same name is the reference. "
                "Any change to that file makes its signature invalid."
            ),
            sub,
        )
    )
    doc.build(story)
    return buffer.getvalue(), int(doc.page)


def _spaced(blocks: list[object], spacer: type, mm: float) -> list[object]:
    out: list[object] = []
    for block in blocks:
        if out:
            out.append(spacer(1, 2.5 * mm))
        out.append(block)
    return out


__all__ = ["render_certificate_pdf"]
