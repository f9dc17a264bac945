"""Erasure and verification certificates (NIST SP 800-88 Rev. 1, Appendix G fields), signed Ed25519.

The certificate body is signed as canonical JSON (`canonical_json`): keys sorted, no spaces, UTF-8.
The server re-verifies it with the station's registered public key.
"""

from __future__ import annotations

import json

from agent._datetime import datetime
from agent._record import field
from agent._typing import Any, Literal
from agent._uuid import UUID
from agent.report._base import Model
from agent.report.disk import MediaType, Transport

CERTIFICATE_VERSION = "1.0"

ErasureResult = Literal["erased", "failed", "incomplete"]
VerificationResult = Literal["verified", "verification_failed"]
CertificateResult = Literal["erased", "failed", "incomplete", "verified", "verification_failed"]

Technique = Literal[
    "overwrite",
    "ata_sanitize_crypto",
    "ata_sanitize_block",
    "ata_sanitize_overwrite",
    "ata_security_erase",
    "ata_security_erase_enhanced",
    "nvme_sanitize_crypto",
    "nvme_sanitize_block",
    "nvme_sanitize_overwrite",
    "nvme_format_crypto",
    "nvme_format_user_data",
    "scsi_sanitize_crypto",
    "scsi_sanitize_block",
    "scsi_sanitize_overwrite",
    "external",
]


class CertOrganisation(Model):
    name: str | None = None
    location: str | None = None


class CertMachine(Model):
    manufacturer: str | None = None
    product: str | None = None
    serial: str | None = None
    uuid: str | None = None


class CertDisk(Model):
    name: str | None = None
    model: str | None = None
    vendor: str | None = None
    serial: str | None = None
    wwn: str | None = None
    firmware: str | None = None
    size_bytes: int | None = None
    media_type: MediaType = "unknown"
    transport: Transport = "unknown"


class FailedRange(Model):
    """Bytes [start, end) that could not be written or read; `error` is the OS error text."""

    start: int
    end: int
    error: str


class PassRecord(Model):
    pattern: Literal["zeros", "ones", "random", "byte", "verify-only", "firmware"]
    byte: int | None = None
    bytes_written: int = 0
    seconds: float = 0.0


class Verification(Model):
    method: Literal["full", "sampled", "none"]
    #: What was checked: the overwrite pattern, or the absence of canaries and known signatures.
    target: Literal["pattern", "no-canary-no-signature", "external-report"] | None = None
    coverage_percent: float = 0.0
    samples: int = 0
    bytes_read: int = 0
    passed: bool = False
    first_mismatch_offset: int | None = None
    details: list[str] = field(default_factory=list)


class ExternalReport(Model):
    """The other tool's report a verification certificate refers to (nwipe log, Blancco XML)."""

    tool: Literal["nwipe", "blancco"]
    tool_version: str | None = None
    report_id: str | None = None
    sha256: str
    method: str | None = None
    result: str | None = None
    reported_success: bool = False
    started_at: str | None = None
    finished_at: str | None = None
    signature_present: bool = False
    signature_note: str | None = None
    matched_by: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)


class Certificate(Model):
    certificate_version: str = CERTIFICATE_VERSION
    certificate_id: UUID
    kind: Literal["erasure", "verification"]
    result: CertificateResult
    #: One sentence saying why the result is what it is (English; the PDF translates the codes).
    reason: str | None = None
    report_id: UUID | None = None
    asset_code: str | None = None
    organisation: CertOrganisation = field(default_factory=CertOrganisation)
    operator: str | None = None
    station: str | None = None
    machine: CertMachine = field(default_factory=CertMachine)
    disk: CertDisk
    #: NIST SP 800-88 category actually achieved: "clear", "purge", or None when nothing was.
    category: Literal["clear", "purge"] | None = None
    technique: Technique
    policy: str | None = None
    passes: list[PassRecord] = field(default_factory=list)
    tool: str = "atelier"
    tool_version: str | None = None
    commands: list[str] = field(default_factory=list)
    verification: Verification
    hpa_dco: str | None = None
    purge_note: str | None = None
    started_at: datetime
    finished_at: datetime
    errors: list[str] = field(default_factory=list)
    failed_ranges: list[FailedRange] = field(default_factory=list)
    #: True when an earlier attempt was interrupted (power cut, crash) and the erasure started over.
    restarted: bool = False
    external: ExternalReport | None = None


class SignedCertificate(Model):
    certificate: Certificate
    algorithm: Literal["ed25519"] = "ed25519"
    #: Raw 32-byte Ed25519 public key, base64.
    public_key: str
    #: SHA-256 of the raw public key, hex — printed on the PDF.
    key_fingerprint: str
    #: Signature of `canonical_json(certificate)`, base64.
    signature: str


def canonical_json(data: Model | dict[str, Any]) -> bytes:
    """The exact bytes that are signed: JSON mode dump, sorted keys, no whitespace, UTF-8."""
    obj = data.model_dump(mode="json") if isinstance(data, Model) else data
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


__all__ = [
    "CERTIFICATE_VERSION",
    "CertDisk",
    "CertMachine",
    "CertOrganisation",
    "Certificate",
    "CertificateResult",
    "ErasureResult",
    "ExternalReport",
    "FailedRange",
    "PassRecord",
    "SignedCertificate",
    "Technique",
    "Verification",
    "VerificationResult",
    "canonical_json",
]
