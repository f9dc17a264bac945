"""A filled-in certificate for previews, demos and tests (never written by a real erasure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.report import (
    CertDisk,
    Certificate,
    CertMachine,
    CertOrganisation,
    ExternalReport,
    FailedRange,
    PassRecord,
    Verification,
)


def sample_certificate(result: str = "erased", **overrides: Any) -> Certificate:
    start = datetime(2026, 11, 29, 9, 12, 5, tzinfo=UTC)
    failed = result in ("failed", "verification_failed")
    data: dict[str, Any] = {
        "certificate_id": uuid.UUID("3f2b8c1e-5d4a-4e7b-9c0d-1a2b3c4d5e6f"),
        "kind": "verification" if result.startswith("verif") else "erasure",
        "result": result,
        "reason": "sample",
        "asset_code": "AT-2026-0042",
        "organisation": CertOrganisation(name="Atelier Solidaire du Marais", location="Paris 3e"),
        "operator": "Camille Martin",
        "station": "poste-2",
        "machine": CertMachine(manufacturer="Dell Inc.", product="Latitude E7470", serial="4XQ2KH2"),
        "disk": CertDisk(
            name="sda",
            model="Micron_5300_MTFDDAK1T9TDS",
            vendor="Micron",
            serial="214031A57D1D",
            firmware="D3MU001",
            size_bytes=1920383410176,
            media_type="ssd",
            transport="sata",
        ),
        "category": None if failed or result == "incomplete" else "purge",
        "technique": "external" if result.startswith("verif") else "ata_sanitize_crypto",
        "policy": "default",
        "passes": [PassRecord(pattern="firmware", seconds=12.5)],
        "tool_version": "0.1.0",
        "commands": ["hdparm --yes-i-know-what-i-am-doing --sanitize-crypto-scramble /dev/sda"],
        "verification": Verification(
            method="sampled",
            target="no-canary-no-signature",
            coverage_percent=10.02,
            samples=1024,
            bytes_read=192_420_000_000,
            passed=not failed and result != "incomplete",
        ),
        "hpa_dco": "HPA disabled; DCO real max sectors 3750748848 = visible",
        "started_at": start,
        "finished_at": start + timedelta(minutes=3, seconds=41),
    }
    if failed:
        data["errors"] = ["write error at 1.2 GB: Input/output error"]
        data["failed_ranges"] = [FailedRange(start=1_200_000_000, end=1_200_065_536, error="EIO")]
    if result.startswith("verif"):
        data["external"] = ExternalReport(
            tool="nwipe",
            tool_version="0.33",
            sha256="ab" * 32,
            method="Fill With Zeros",
            result="Erased",
            reported_success=True,
            started_at="2026/11/29 08:09:43",
            finished_at="2026/11/29 08:09:46",
            matched_by=["size"],
        )
    data.update(overrides)
    return Certificate(**data)


__all__ = ["sample_certificate"]
