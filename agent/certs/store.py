"""Certificate files: `<asset>-<disk serial>-<id8>.json` (the signed bytes) and the matching `.pdf`."""

from __future__ import annotations

import re
from pathlib import Path

from agent.report import SignedCertificate, canonical_json
from agent.storage import atomic_write

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _part(value: str | None, fallback: str) -> str:
    text = _UNSAFE.sub("_", (value or "").strip()).strip("._-")
    return text[:64] or fallback


def certificate_stem(signed: SignedCertificate) -> str:
    cert = signed.certificate
    disk = _part(cert.disk.serial, "") or _part(cert.disk.name, "disk")
    return f"{_part(cert.asset_code, 'no-asset')}-{disk}-{cert.certificate_id.hex[:8]}"


def certificate_bytes(signed: SignedCertificate) -> bytes:
    """Exactly what `verify_certificate_bytes` accepts: the canonical JSON, no trailing newline."""
    return canonical_json(signed)


def write_certificate(signed: SignedCertificate, out_dir: Path, *, lang: str = "fr") -> tuple[Path, Path]:
    """Write the JSON (verifiable as is) first, then the PDF; both atomically."""
    from agent.certs.pdf import render_certificate_pdf

    out = Path(out_dir)
    stem = certificate_stem(signed)
    json_path = atomic_write(out / f"{stem}.json", certificate_bytes(signed))
    pdf_path = atomic_write(out / f"{stem}.pdf", render_certificate_pdf(signed, lang=lang))
    return json_path, pdf_path


__all__ = ["certificate_bytes", "certificate_stem", "write_certificate"]
