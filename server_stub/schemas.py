"""Request and response bodies of the API (the report itself is `agent.report.Report`)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from agent.report import Report as AgentReport
from server_stub import crud, device_list, models

Grade = Literal["A", "B", "C", "D"]
ErasureStatus = Literal["none", "erased", "incomplete", "failed"]
SignatureStatus = Literal["none", "valid", "invalid"]
Role = Literal["admin", "supervisor", "technician", "donor"]
OutcomeKind = Literal["donated", "lent", "sold", "recycled", "parts"]
DeviceSort = Literal["recent", "oldest", "run-desc", "run-asc"]

Name = Field(min_length=1, max_length=200)
#: Database ids: positive 32-bit integers (a larger number would overflow SQLite/PostgreSQL integers).
MAX_ID = 2**31 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    detail: str
    field: str | None = None


# -- auth --------------------------------------------------------------------------------------


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    id: int
    username: str
    role: Role
    donor_id: int | None
    active: bool

    @classmethod
    def of(cls, user: models.User) -> UserOut:
        return cls(
            id=user.id, username=user.username, role=user.role, donor_id=user.donor_id, active=user.active
        )


class LoginOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    user: UserOut


class UserIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=1024)
    role: Role
    donor_id: int | None = Field(default=None, ge=1, le=MAX_ID)


# -- stations ----------------------------------------------------------------------------------


class StationIn(Strict):
    name: str = Name
    public_key: str | None = Field(default=None, max_length=128, description="Base64 raw Ed25519 public key.")


class EnrollIn(Strict):
    code: str = Field(min_length=1, max_length=64)
    name: str = Name
    public_key: str = Field(min_length=1, max_length=128)


class StationOut(BaseModel):
    id: int
    name: str
    public_key: str | None
    key_fingerprint: str | None
    revoked: bool
    created_at: dt.datetime
    last_seen_at: dt.datetime | None

    @classmethod
    def of(cls, station: models.Station) -> StationOut:
        return cls(
            id=station.id,
            name=station.name,
            public_key=station.public_key,
            key_fingerprint=station.key_fingerprint,
            revoked=station.revoked,
            created_at=station.created_at,
            last_seen_at=station.last_seen_at,
        )


class StationTokenOut(BaseModel):
    station_id: int
    name: str
    #: Shown once: the server keeps only its hash.
    token: str


class EnrollmentCodeIn(Strict):
    hours: int = Field(default=24, ge=1, le=24 * 30)


class EnrollmentCodeOut(BaseModel):
    code: str
    expires_at: dt.datetime


# -- intake ------------------------------------------------------------------------------------


class DonorIn(Strict):
    name: str = Name
    note: str = Field(default="", max_length=5000)


class DonorPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=5000)


class DonorOut(BaseModel):
    id: int
    name: str
    note: str
    created_at: dt.datetime

    @classmethod
    def of(cls, donor: models.Donor) -> DonorOut:
        return cls(id=donor.id, name=donor.name, note=donor.note, created_at=donor.created_at)


class BatchIn(Strict):
    donor_id: int = Field(ge=1, le=MAX_ID)
    reference: str = Field(
        min_length=1, max_length=64, description="Short code an agent may send as `batch`."
    )
    label: str = Name
    units_announced: int | None = Field(default=None, ge=0, le=10_000_000)
    received_on: dt.date | None = None
    note: str = Field(default="", max_length=5000)


class BatchPatch(Strict):
    label: str | None = Field(default=None, min_length=1, max_length=200)
    units_announced: int | None = Field(default=None, ge=0, le=10_000_000)
    received_on: dt.date | None = None
    note: str | None = Field(default=None, max_length=5000)


class BatchOut(BaseModel):
    id: int
    donor_id: int
    reference: str
    label: str
    units_announced: int | None
    received_on: dt.date | None
    note: str
    created_at: dt.datetime
    devices: int | None = None

    @classmethod
    def of(cls, batch: models.Batch, devices: int | None = None) -> BatchOut:
        return cls(
            id=batch.id,
            donor_id=batch.donor_id,
            reference=batch.reference,
            label=batch.label,
            units_announced=batch.units_announced,
            received_on=batch.received_on,
            note=batch.note,
            created_at=batch.created_at,
            devices=devices,
        )


class AssetsIn(Strict):
    asset_codes: list[str] = Field(min_length=1, max_length=5000)
    #: Move devices already in another batch instead of reporting them as conflicts.
    move: bool = False


class AssetsOut(BaseModel):
    created: list[str]
    attached: list[str]
    already: list[str]
    conflicts: list[str]


# -- outcomes ----------------------------------------------------------------------------------


class OutcomeIn(Strict):
    kind: OutcomeKind
    date: dt.date
    channel: str | None = Field(
        default=None,
        max_length=200,
        description="The referring school, social centre or buyer type — no person.",
    )
    recycler_pickup_ref: str | None = Field(default=None, max_length=200)
    note: str = Field(default="", max_length=2000)


class OutcomeOut(BaseModel):
    id: int
    kind: OutcomeKind
    date: dt.date
    channel: str | None
    recycler_pickup_ref: str | None
    note: str
    created_at: dt.datetime

    @classmethod
    def of(cls, outcome: models.Outcome) -> OutcomeOut:
        return cls(
            id=outcome.id,
            kind=outcome.kind,
            date=outcome.date,
            channel=outcome.channel,
            recycler_pickup_ref=outcome.recycler_pickup_ref,
            note=outcome.note,
            created_at=outcome.created_at,
        )


# -- devices and reports -----------------------------------------------------------------------


class DeviceSummary(BaseModel):
    asset_code: str
    serial: str | None
    manufacturer: str | None
    product: str | None
    form_factor: str | None
    cpu_model: str | None
    memory_bytes: int | None
    storage_bytes: int | None
    grade: Grade | None
    grade_outcome: str | None
    erasure_status: ErasureStatus
    signature_status: SignatureStatus
    batch_id: int | None
    report_count: int
    latest_report_id: uuid.UUID | None
    last_run_at: dt.datetime | None
    erased_at: dt.datetime | None
    updated_at: dt.datetime

    @classmethod
    def of(cls, d: models.Device) -> DeviceSummary:
        return cls(
            asset_code=d.asset_code,
            serial=d.serial,
            manufacturer=d.manufacturer,
            product=d.product,
            form_factor=d.form_factor,
            cpu_model=d.cpu_model,
            memory_bytes=d.memory_bytes,
            storage_bytes=d.storage_bytes,
            grade=d.grade,
            grade_outcome=d.grade_outcome,
            erasure_status=d.erasure_status,
            signature_status=d.signature_status,
            batch_id=d.batch_id,
            report_count=d.report_count,
            latest_report_id=d.latest_report_id,
            last_run_at=d.last_run_at,
            erased_at=d.erased_at,
            updated_at=d.updated_at,
        )


class DevicePage(BaseModel):
    total: int = Field(
        description=(
            "Devices matching the filters: exact when `total_capped` is false; when it is true, "
            f"{device_list.COUNT_CAP:,} and more match (a filtered list stops counting there)."
        )
    )
    limit: int
    offset: int
    items: list[DeviceSummary]
    total_capped: bool = Field(
        default=False,
        description=(
            "True when `total` is a lower bound: more devices match than were counted. Page on "
            "with `offset` while `has_more` is true."
        ),
    )
    has_more: bool = Field(
        default=False, description="True when devices follow this page (at `offset + limit`)."
    )


class HistoryOut(BaseModel):
    report_id: uuid.UUID
    received_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    station: str | None
    agent_version: str | None
    grade: Grade | None
    grade_outcome: str | None
    erasure_status: ErasureStatus
    signature_status: SignatureStatus
    problems: list[str]

    @classmethod
    def of(cls, e: crud.HistoryEntry) -> HistoryOut:
        return cls(
            report_id=e.report_id,
            received_at=e.received_at,
            started_at=e.started_at,
            finished_at=e.finished_at,
            station=e.station_name,
            agent_version=e.agent_version,
            grade=e.grade,
            grade_outcome=e.grade_outcome,
            erasure_status=e.erasure_status,
            signature_status=e.signature_status,
            problems=list(e.problems or []),
        )


class CertificateOut(BaseModel):
    certificate_id: uuid.UUID
    report_id: uuid.UUID
    kind: str
    result: str
    technique: str
    category: str | None
    verification_method: str | None
    verification_passed: bool
    verification_coverage: float | None
    disk_serial: str | None
    disk_model: str | None
    disk_size_bytes: int | None
    finished_at: dt.datetime | None
    key_fingerprint: str | None
    valid_signature: bool
    problems: list[str]

    @classmethod
    def of(cls, c: models.Certificate) -> CertificateOut:
        return cls(
            certificate_id=c.certificate_id,
            report_id=c.report_id,
            kind=c.kind,
            result=c.result,
            technique=c.technique,
            category=c.category,
            verification_method=c.verification_method,
            verification_passed=c.verification_passed,
            verification_coverage=c.verification_coverage,
            disk_serial=c.disk_serial,
            disk_model=c.disk_model,
            disk_size_bytes=c.disk_size_bytes,
            finished_at=c.finished_at,
            key_fingerprint=c.key_fingerprint,
            valid_signature=c.valid_signature,
            problems=list(c.problems or []),
        )


class DeviceDetail(DeviceSummary):
    history: list[HistoryOut]
    certificates: list[CertificateOut]
    outcomes: list[OutcomeOut]
    #: The newest report as the agent sent it (omitted for station tokens: they only need identity).
    latest_report: AgentReport | None = None


class ReportOut(BaseModel):
    report_id: uuid.UUID
    asset_code: str
    station: str | None
    received_at: dt.datetime
    grade: Grade | None
    erasure_status: ErasureStatus
    signature_status: SignatureStatus
    problems: list[str]
    certificates: list[CertificateOut]
    body_sha256: str
    report: AgentReport


class IngestCertificate(BaseModel):
    certificate_id: str
    result: str
    valid_signature: bool
    problems: list[str]


class IngestOut(BaseModel):
    report_id: str
    asset_code: str
    received_at: str
    grade: Grade | None
    erasure_status: ErasureStatus
    signature_status: SignatureStatus
    problems: list[str]
    certificates: list[IngestCertificate]


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


__all__ = [
    "AssetsIn",
    "AssetsOut",
    "BatchIn",
    "BatchOut",
    "BatchPatch",
    "CertificateOut",
    "DeviceDetail",
    "DevicePage",
    "DeviceSort",
    "DeviceSummary",
    "DonorIn",
    "DonorOut",
    "DonorPatch",
    "EnrollIn",
    "EnrollmentCodeIn",
    "EnrollmentCodeOut",
    "HistoryOut",
    "IngestOut",
    "LoginIn",
    "LoginOut",
    "OutcomeIn",
    "OutcomeOut",
    "Problem",
    "ReportOut",
    "StationIn",
    "StationOut",
    "StationTokenOut",
    "UserIn",
    "UserOut",
]
