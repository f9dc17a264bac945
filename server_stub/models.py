"""The inventory's tables (SQLAlchemy 2 typed ORM).

A `Device` is the physical machine, keyed by its asset label; every agent run posts one `Report`
(kept whole, as the agent sent it) and the device's columns summarise the latest one so that
the list pages never parse report bodies. No personal data about beneficiaries is stored: an
`Outcome` records what became of a machine and through which channel, never to whom.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal, get_args

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Role = Literal["admin", "supervisor", "technician", "donor"]
ROLES: tuple[str, ...] = get_args(Role)
OutcomeKind = Literal["donated", "lent", "sold", "recycled", "parts"]
OUTCOME_KINDS: tuple[str, ...] = get_args(OutcomeKind)
#: Summary of a device's erasure certificates (see `crud.erasure_summary`).
ErasureStatus = Literal["none", "erased", "incomplete", "failed"]
ERASURE_STATUSES: tuple[str, ...] = get_args(ErasureStatus)
#: "valid": every certificate verified against the station's key with no problem; "invalid": at
#: least one did not (stored, flagged); "none": no certificate.
SignatureStatus = Literal["none", "valid", "invalid"]
SIGNATURE_STATUSES: tuple[str, ...] = get_args(SignatureStatus)
GRADES = ("A", "B", "C", "D")

ASSET_CODE_MAX = 64
NAME_MAX = 200

# Stable constraint names: Alembic and both databases agree on them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Always an aware UTC datetime in Python; SQLite stores it naive (in UTC), PostgreSQL as timestamptz."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Donor(Base):
    __tablename__ = "donors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    #: Free text about the organisation (department, contact service) — never a private person.
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    batches: Mapped[list[Batch]] = relationship(back_populates="donor")


class Batch(Base):
    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("donors.id", ondelete="RESTRICT"), index=True)
    #: Short code the agent may carry in its report's `batch` field ("CD33-2025").
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    #: "Département de la Gironde, convention 2025".
    label: Mapped[str] = mapped_column(String(NAME_MAX))
    units_announced: Mapped[int | None] = mapped_column(Integer, nullable=True)
    received_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    donor: Mapped[Donor] = relationship(back_populates="batches")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    #: Set for role "donor": the only donor whose batches this user may read.
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donors.id", ondelete="RESTRICT"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Bumped to invalidate every session of the user (password change, deactivation).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Station(Base):
    """A workshop PC or USB stick running the agent: its Ed25519 public key and API token (hashed)."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    #: Raw 32-byte Ed25519 public key, base64 (as in the agent's SignedCertificate).
    public_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    key_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: sha256 hex of the bearer token; the token itself is shown once.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class EnrollmentCode(Base):
    """One-time code a supervisor gives to `atelier station register` (stored hashed)."""

    __tablename__ = "enrollment_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    station_id: Mapped[int | None] = mapped_column(
        ForeignKey("stations.id", ondelete="SET NULL"), nullable=True
    )


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (
        # The activity order; the run date in it so that a run-date range walks it without the
        # table (migration 0006).
        Index("ix_devices_updated", "updated_at", "id", "last_run_at"),
        Index("ix_devices_batch_updated", "batch_id", "updated_at"),
        Index("ix_devices_grade_updated", "grade", "updated_at"),
        Index("ix_devices_erasure_updated", "erasure_status", "updated_at"),
        Index("ix_devices_last_run", "last_run_at"),
        # A run-date range sorted by activity: the page's ids come from this index alone (the id
        # in it for PostgreSQL, migration 0006).
        Index("ix_devices_last_run_updated", "last_run_at", "updated_at", "id"),
        # A batch's counters (received, processed, erased, left) from the index alone, not its rows
        # (the id for PostgreSQL, migration 0007).
        Index("ix_devices_batch_counts", "batch_id", "erasure_status", "report_count", "id"),
        CheckConstraint(_in("erasure_status", ERASURE_STATUSES), name="erasure_status"),
        CheckConstraint(_in("signature_status", SIGNATURE_STATUSES), name="signature_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_code: Mapped[str] = mapped_column(String(ASSET_CODE_MAX), unique=True)
    serial: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True, index=True)
    manufacturer: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True)
    product: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True)
    form_factor: Mapped[str | None] = mapped_column(String(32), nullable=True)
    cpu_model: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True)
    memory_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    storage_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    grade: Mapped[str | None] = mapped_column(String(1), nullable=True)
    #: The grade's outcome: "reuse", "reuse-after-upgrade", "parts", "recycle".
    grade_outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    erasure_status: Mapped[str] = mapped_column(String(16), default="none")
    signature_status: Mapped[str] = mapped_column(String(16), default="none")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id", ondelete="SET NULL"), nullable=True)
    #: The newest report by reception (no foreign key: reports reference devices already).
    latest_report_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    #: Start of the newest run (the agent's `started_at`): the list's date filter and sort key.
    last_run_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: End of the newest erasure (its last certificate's `finished_at`).
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The newest run's duration (its report's `finished_at - started_at`; None when unknown or
    #: negative) and its certificates' erasure techniques, "\n"-joined: the dashboard reads them
    #: here instead of joining 100,000 reports and their certificates (migration 0003).
    last_run_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_run_techniques: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Lower-cased "asset serial manufacturer product cpu" for the list's text search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    batch: Mapped[Batch | None] = relationship()


class DeviceTotals(Base):
    """The number of devices, kept by triggers on `devices` (migration 0008): the unfiltered
    list's exact total without counting 100,000 rows on every page (10–14 ms on either
    database). One row, id 1."""

    __tablename__ = "device_totals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    devices: Mapped[int] = mapped_column(Integer)


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_device_received", "device_id", "received_at"),
        CheckConstraint(_in("erasure_status", ERASURE_STATUSES), name="erasure_status"),
        CheckConstraint(_in("signature_status", SIGNATURE_STATUSES), name="signature_status"),
    )

    #: The agent's report_id: the upload's idempotency key.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    station_id: Mapped[int | None] = mapped_column(
        ForeignKey("stations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    agent_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    schema_version: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: The report's JSON exactly as the station sent it (validated against `agent.report.Report`
    #: before it was stored; reports stored by earlier versions hold the server's re-serialisation).
    body: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64))
    grade: Mapped[str | None] = mapped_column(String(1), nullable=True)
    grade_outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    erasure_status: Mapped[str] = mapped_column(String(16), default="none")
    signature_status: Mapped[str] = mapped_column(String(16), default="none")
    batch_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Why the server flagged this report (key mismatch, unknown batch…), JSON list of strings.
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)

    device: Mapped[Device] = relationship()
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="report", order_by="Certificate.position"
    )


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("report_id", "certificate_id", name="uq_certificates_report_cert"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(String(32))
    technique: Mapped[str] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(16), nullable=True)
    verification_method: Mapped[str | None] = mapped_column(String(16), nullable=True)
    verification_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    verification_coverage: Mapped[float | None] = mapped_column(nullable=True)
    disk_serial: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True)
    disk_model: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True)
    disk_size_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    key_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    valid_signature: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Why the certificate is not trusted (bad signature, other key, asset code mismatch…).
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The signed certificate exactly as received (JSON), served by the download endpoint.
    signed_json: Mapped[str] = mapped_column(Text)

    report: Mapped[Report] = relationship(back_populates="certificates")


class Outcome(Base):
    """What became of a device. Deliberately no beneficiary name, address or contact."""

    __tablename__ = "outcomes"
    __table_args__ = (CheckConstraint(_in("kind", OUTCOME_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: The school, social centre or association that referred the beneficiary, or the buyer type.
    channel: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True)
    recycler_pickup_ref: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True)
    date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: "user:3", "station:2", "cli", "system".
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


__all__ = [
    "ASSET_CODE_MAX",
    "ERASURE_STATUSES",
    "GRADES",
    "OUTCOME_KINDS",
    "ROLES",
    "SIGNATURE_STATUSES",
    "AuditLog",
    "Base",
    "Batch",
    "Certificate",
    "Device",
    "Donor",
    "EnrollmentCode",
    "ErasureStatus",
    "Outcome",
    "OutcomeKind",
    "Report",
    "Role",
    "SignatureStatus",
    "Station",
    "User",
    "utcnow",
]
