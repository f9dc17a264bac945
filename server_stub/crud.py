"""Everything the API and the web UI do to the database: keyword-only functions on a `Session`.

Functions flush but never commit: the caller owns the transaction (`Database.session()` or the
request's session dependency). Errors are `server_stub.errors` exceptions with a precise message.
Donor users are confined with `donor_scope=<donor id>`: anything outside it is "not found".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from agent.report import Report as AgentReport
from agent.report import SignedCertificate
from server_stub import auth
from server_stub.device_list import DeviceFilter
from server_stub.driver_sql import DriverCursor, DriverStatement
from server_stub.errors import Conflict, Forbidden, InvalidInput, NotFound
from server_stub.models import (
    ASSET_CODE_MAX,
    ROLES,
    AuditLog,
    Batch,
    Certificate,
    Device,
    Donor,
    EnrollmentCode,
    Outcome,
    Report,
    Station,
    User,
    utcnow,
)
from server_stub.signatures import check_for_station, fingerprint, valid_public_key

# --------------------------------------------------------------------------------------------------
# Audit


def audit(
    session: Session, *, actor: str, action: str, target: str = "", detail: dict[str, Any] | None = None
) -> None:
    session.add(AuditLog(actor=actor, action=action, target=target[:200], detail=detail or {}))


# --------------------------------------------------------------------------------------------------
# Users


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    donor_id: int | None = None,
    log2_n: int = 17,
    actor: str = "system",
) -> User:
    username = username.strip()
    if not username or len(username) > 64:
        raise InvalidInput("user name must be 1 to 64 characters", field="username")
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
    if len(password) < 8:
        raise InvalidInput("password must have at least 8 characters", field="password")
    if role == "donor":
        if donor_id is None:
            raise InvalidInput("a donor account needs the donor it belongs to", field="donor_id")
        get_donor(session, donor_id=donor_id)
    elif donor_id is not None:
        raise InvalidInput("only donor accounts belong to a donor", field="donor_id")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists", field="username")
    user = User(
        username=username,
        password_hash=auth.hash_password(password, log2_n=log2_n),
        role=role,
        donor_id=donor_id,
    )
    session.add(user)
    session.flush()
    audit(session, actor=actor, action="user.create", target=f"user:{user.id}", detail={"role": role})
    return user


def authenticate(session: Session, *, username: str, password: str, log2_n: int = 17) -> User | None:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        auth.verify_password(password, auth.dummy_hash(log2_n))  # same time as a real check
        return None
    return user if auth.verify_password(password, user.password_hash) else None


def get_user(session: Session, *, user_id: int) -> User | None:
    return session.get(User, user_id)


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.username)).all()


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0


def set_password(session: Session, *, user: User, password: str, log2_n: int = 17) -> None:
    if len(password) < 8:
        raise InvalidInput("password must have at least 8 characters", field="password")
    user.password_hash = auth.hash_password(password, log2_n=log2_n)
    user.session_version += 1


# --------------------------------------------------------------------------------------------------
# Donors and batches


def _check_name(value: str, field_name: str, limit: int = 200) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise InvalidInput(f"{field_name} must be 1 to {limit} characters", field=field_name)
    return value


def create_donor(session: Session, *, name: str, note: str = "", actor: str = "system") -> Donor:
    name = _check_name(name, "name")
    if session.scalar(select(Donor.id).where(Donor.name == name)) is not None:
        raise Conflict(f"donor {name!r} already exists", field="name")
    donor = Donor(name=name, note=note)
    session.add(donor)
    session.flush()
    audit(session, actor=actor, action="donor.create", target=f"donor:{donor.id}")
    return donor


def get_donor(session: Session, *, donor_id: int, donor_scope: int | None = None) -> Donor:
    donor = session.get(Donor, donor_id)
    if donor is None or (donor_scope is not None and donor.id != donor_scope):
        raise NotFound(f"no donor {donor_id}")
    return donor


def list_donors(session: Session, *, donor_scope: int | None = None) -> Sequence[Donor]:
    query = select(Donor).order_by(Donor.name)
    if donor_scope is not None:
        query = query.where(Donor.id == donor_scope)
    return session.scalars(query).all()


def update_donor(
    session: Session,
    *,
    donor_id: int,
    name: str | None = None,
    note: str | None = None,
    actor: str = "system",
) -> Donor:
    donor = get_donor(session, donor_id=donor_id)
    if name is not None:
        name = _check_name(name, "name")
        other = session.scalar(select(Donor.id).where(Donor.name == name, Donor.id != donor_id))
        if other is not None:
            raise Conflict(f"donor {name!r} already exists", field="name")
        donor.name = name
    if note is not None:
        donor.note = note
    audit(session, actor=actor, action="donor.update", target=f"donor:{donor_id}")
    return donor


def delete_donor(session: Session, *, donor_id: int, actor: str = "system") -> None:
    donor = get_donor(session, donor_id=donor_id)
    if session.scalar(select(Batch.id).where(Batch.donor_id == donor_id).limit(1)) is not None:
        raise Conflict("this donor still has batches: delete or move them first")
    if session.scalar(select(User.id).where(User.donor_id == donor_id).limit(1)) is not None:
        raise Conflict("this donor still has user accounts")
    session.delete(donor)
    audit(session, actor=actor, action="donor.delete", target=f"donor:{donor_id}")


def create_batch(
    session: Session,
    *,
    donor_id: int,
    reference: str,
    label: str,
    units_announced: int | None = None,
    received_on: dt.date | None = None,
    note: str = "",
    actor: str = "system",
) -> Batch:
    get_donor(session, donor_id=donor_id)
    reference = _check_name(reference, "reference", 64)
    label = _check_name(label, "label")
    if units_announced is not None and units_announced < 0:
        raise InvalidInput("units announced cannot be negative", field="units_announced")
    if session.scalar(select(Batch.id).where(Batch.reference == reference)) is not None:
        raise Conflict(f"batch reference {reference!r} already exists", field="reference")
    batch = Batch(
        donor_id=donor_id,
        reference=reference,
        label=label,
        units_announced=units_announced,
        received_on=received_on,
        note=note,
    )
    session.add(batch)
    session.flush()
    audit(session, actor=actor, action="batch.create", target=f"batch:{batch.id}")
    return batch


def get_batch(session: Session, *, batch_id: int, donor_scope: int | None = None) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None or (donor_scope is not None and batch.donor_id != donor_scope):
        raise NotFound(f"no batch {batch_id}")
    return batch


def list_batches(
    session: Session, *, donor_id: int | None = None, donor_scope: int | None = None
) -> Sequence[Batch]:
    query = select(Batch).order_by(Batch.received_on.desc().nulls_last(), Batch.id.desc())
    if donor_id is not None:
        query = query.where(Batch.donor_id == donor_id)
    if donor_scope is not None:
        query = query.where(Batch.donor_id == donor_scope)
    return session.scalars(query).all()


def update_batch(
    session: Session,
    *,
    batch_id: int,
    label: str | None = None,
    units_announced: int | None = None,
    received_on: dt.date | None = None,
    note: str | None = None,
    actor: str = "system",
) -> Batch:
    batch = get_batch(session, batch_id=batch_id)
    if label is not None:
        batch.label = _check_name(label, "label")
    if units_announced is not None:
        if units_announced < 0:
            raise InvalidInput("units announced cannot be negative", field="units_announced")
        batch.units_announced = units_announced
    if received_on is not None:
        batch.received_on = received_on
    if note is not None:
        batch.note = note
    audit(session, actor=actor, action="batch.update", target=f"batch:{batch_id}")
    return batch


def batch_device_count(session: Session, *, batch_id: int) -> int:
    return session.scalar(select(func.count(Device.id)).where(Device.batch_id == batch_id)) or 0


@dataclass
class AttachResult:
    created: list[str] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    #: Asset codes already in another batch (left there unless `move` was asked).
    conflicts: list[str] = field(default_factory=list)


def attach_assets(
    session: Session, *, batch_id: int, asset_codes: Sequence[str], move: bool = False, actor: str = "system"
) -> AttachResult:
    """Intake: put asset labels in a batch, creating devices that no report has announced yet."""
    batch = get_batch(session, batch_id=batch_id)
    result = AttachResult()
    codes = list(dict.fromkeys(check_asset_code(code, field_name="asset_codes") for code in asset_codes))
    existing = {d.asset_code: d for d in session.scalars(select(Device).where(Device.asset_code.in_(codes)))}
    for code in codes:
        device = existing.get(code)
        if device is None:
            device = Device(asset_code=code, batch_id=batch.id, search_text=code.lower())
            session.add(device)
            result.created.append(code)
        elif device.batch_id == batch.id:
            result.already.append(code)
        elif device.batch_id is not None and not move:
            result.conflicts.append(code)
        else:
            device.batch_id = batch.id
            device.updated_at = utcnow()
            result.attached.append(code)
    session.flush()
    audit(
        session,
        actor=actor,
        action="batch.attach",
        target=f"batch:{batch_id}",
        detail={
            "created": len(result.created),
            "attached": len(result.attached),
            "conflicts": result.conflicts,
        },
    )
    return result


# --------------------------------------------------------------------------------------------------
# Stations and enrollment


def _check_public_key(public_key: str | None) -> str | None:
    if public_key is None:
        return None
    public_key = public_key.strip()
    if not valid_public_key(public_key):
        raise InvalidInput("public key must be a base64 raw 32-byte Ed25519 key", field="public_key")
    return public_key


def create_station(
    session: Session, *, name: str, public_key: str | None = None, actor: str = "system"
) -> tuple[Station, str]:
    """Register a station; returns it with its bearer token (shown once, stored hashed)."""
    name = _check_name(name, "name")
    public_key = _check_public_key(public_key)
    if session.scalar(select(Station.id).where(Station.name == name)) is not None:
        raise Conflict(f"station {name!r} already exists", field="name")
    token = auth.new_station_token()
    station = Station(
        name=name,
        public_key=public_key,
        key_fingerprint=fingerprint(public_key) if public_key else None,
        token_hash=auth.token_hash(token),
    )
    session.add(station)
    session.flush()
    audit(session, actor=actor, action="station.create", target=f"station:{station.id}")
    return station, token


def get_station(session: Session, *, station_id: int) -> Station:
    station = session.get(Station, station_id)
    if station is None:
        raise NotFound(f"no station {station_id}")
    return station


def list_stations(session: Session) -> Sequence[Station]:
    return session.scalars(select(Station).order_by(Station.name)).all()


def reissue_station_token(session: Session, *, station_id: int, actor: str = "system") -> tuple[Station, str]:
    """A new token (the old one stops working); also un-revokes the station."""
    station = get_station(session, station_id=station_id)
    token = auth.new_station_token()
    station.token_hash = auth.token_hash(token)
    station.revoked = False
    audit(session, actor=actor, action="station.token", target=f"station:{station_id}")
    return station, token


def revoke_station(session: Session, *, station_id: int, actor: str = "system") -> Station:
    station = get_station(session, station_id=station_id)
    station.revoked = True
    audit(session, actor=actor, action="station.revoke", target=f"station:{station_id}")
    return station


def set_station_key(session: Session, *, station_id: int, public_key: str, actor: str = "system") -> Station:
    station = get_station(session, station_id=station_id)
    key = _check_public_key(public_key)
    assert key is not None
    station.public_key = key
    station.key_fingerprint = fingerprint(key)
    audit(session, actor=actor, action="station.key", target=f"station:{station_id}")
    return station


def station_by_token(session: Session, *, token: str) -> Station | None:
    """The station owning this bearer token, unless revoked."""
    if not token.startswith(auth.STATION_TOKEN_PREFIX) or len(token) > 128:
        return None
    station = session.scalar(select(Station).where(Station.token_hash == auth.token_hash(token)))
    if station is None or station.revoked:
        return None
    return station


_SELECT_POSTING_STATION = select(Station.id, Station.name, Station.public_key, Station.revoked).where(
    Station.token_hash == bindparam("_token_hash")
)


def posting_station_by_token(connection: Connection, *, token: str) -> tuple[int, str, str | None] | None:
    """(id, name, public key) of the station owning this token, unless revoked.

    `station_by_token` without the ORM: read on every report posted, where loading a `Station`
    entity in a session of its own cost more than the query.
    """
    if not token.startswith(auth.STATION_TOKEN_PREFIX) or len(token) > 128:
        return None
    statement = _ingest_statements(connection.dialect).select_posting_station
    cursor = DriverCursor(connection)
    try:
        row = cursor.first(statement, {"_token_hash": auth.token_hash(token)})
    finally:
        cursor.close()
    if row is None or row[3]:
        return None
    return int(row[0]), str(row[1]), row[2]


def create_enrollment_code(
    session: Session, *, hours: int = 24, user_id: int | None = None, actor: str = "system"
) -> tuple[EnrollmentCode, str]:
    code = auth.new_enrollment_code()
    row = EnrollmentCode(
        code_hash=auth.token_hash(auth.normalise_code(code)),
        created_by=user_id,
        expires_at=utcnow() + dt.timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    audit(session, actor=actor, action="enrollment.create", target=f"enrollment:{row.id}")
    return row, code


def enroll_station(session: Session, *, code: str, name: str, public_key: str) -> tuple[Station, str]:
    """`atelier station register`: trade a one-time code for a station token."""
    row = session.scalar(
        select(EnrollmentCode).where(EnrollmentCode.code_hash == auth.token_hash(auth.normalise_code(code)))
    )
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at < now:
        # One answer for unknown, used and expired codes: nothing to learn by guessing.
        raise Forbidden("enrollment code unknown, already used or expired: ask a supervisor for a new one")
    if not public_key:
        raise InvalidInput("a station must register its public key", field="public_key")
    station, token = create_station(session, name=name, public_key=public_key, actor="enrollment")
    row.used_at = now
    row.station_id = station.id
    return station, token


# --------------------------------------------------------------------------------------------------
# Reports


_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f]")


def check_asset_code(code: str | None, *, field_name: str = "asset_code") -> str:
    if code is None:
        raise InvalidInput("the report has no asset code: scan or type the machine's label", field=field_name)
    code = code.strip()
    if not code or len(code) > ASSET_CODE_MAX:
        raise InvalidInput(f"asset code must be 1 to {ASSET_CODE_MAX} characters", field=field_name)
    if _CONTROL_CHARACTER.search(code):
        raise InvalidInput("asset code contains control characters", field=field_name)
    return code


def report_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def erasure_summary(report: AgentReport) -> str:
    """ "erased" only when every certificate passed and every disk of the machine has one."""
    if not report.certificates:
        return "none"
    results = {signed.certificate.result for signed in report.certificates}
    if results & {"failed", "verification_failed"}:
        return "failed"
    if "incomplete" in results:
        return "incomplete"
    covered_serials = {s.certificate.disk.serial for s in report.certificates if s.certificate.disk.serial}
    covered_names = {s.certificate.disk.name for s in report.certificates if s.certificate.disk.name}
    for disk in report.disks:
        if disk.is_boot_medium:
            continue
        if not ((disk.serial and disk.serial in covered_serials) or disk.name in covered_names):
            return "incomplete"
    return "erased"


def _text(value: str | None, limit: int = 200) -> str | None:
    return value[:limit] if value else None


def _certificate_row(
    signed: SignedCertificate, *, position: int, report: AgentReport, station_public_key: str | None
) -> dict[str, Any]:
    """The `certificates` row of one signed certificate (without its report and device ids).

    A plain dict, not an ORM `Certificate`: built for every certificate of every report posted,
    where the ORM's instrumentation cost more than the insert.
    """
    cert = signed.certificate
    check, signed_json = check_for_station(signed, station_public_key)
    problems = list(check.problems)
    if cert.asset_code is not None and cert.asset_code != report.asset_code:
        problems.append("certificate asset code differs from the report's")
    if cert.report_id is not None and cert.report_id != report.report_id:
        problems.append("certificate belongs to another report")
    return {
        "certificate_id": cert.certificate_id,
        "position": position,
        "kind": cert.kind,
        "result": cert.result,
        "technique": cert.technique,
        "category": cert.category,
        "verification_method": cert.verification.method,
        "verification_passed": cert.verification.passed,
        "verification_coverage": cert.verification.coverage_percent,
        "disk_serial": _text(cert.disk.serial),
        "disk_model": _text(cert.disk.model),
        "disk_size_bytes": cert.disk.size_bytes,
        "finished_at": cert.finished_at,
        "key_fingerprint": signed.key_fingerprint[:64],
        "valid_signature": check.valid,
        "problems": problems,
        "signed_json": signed_json,
    }


@dataclass(frozen=True)
class IngestResult:
    created: bool
    #: The answer to POST /reports (see `report_answer`): the same for a repeat of the report.
    answer: dict[str, Any]


# Built once: constructing statements per call cost more than executing them (SQLAlchemy's
# coercion and cache-key work on every .values(...) call).
_INSERT_DEVICE = insert(Device).returning(Device.id)
_INSERT_REPORT = insert(Report)
_INSERT_CERTIFICATE = insert(Certificate)
_UPDATE_DEVICE = (
    update(Device).where(Device.id == bindparam("_device_id")).values(report_count=Device.report_count + 1)
)
_TOUCH_STATION = update(Station).where(Station.id == bindparam("_station_id"))
_SELECT_REPORT = (
    select(
        Report.id,
        Report.body_sha256,
        Report.body,
        Report.received_at,
        Report.grade,
        Report.erasure_status,
        Report.signature_status,
        Report.problems,
        Device.asset_code,
    )
    .join(Device, Device.id == Report.device_id)
    .where(Report.id == bindparam("_report_id"))
)
_SELECT_REPORT_CERTIFICATES = (
    select(Certificate.certificate_id, Certificate.result, Certificate.valid_signature, Certificate.problems)
    .where(Certificate.report_id == bindparam("_report_id"))
    .order_by(Certificate.position)
)
_SELECT_DEVICE = select(
    Device.id,
    Device.serial,
    Device.batch_id,
    Device.last_run_at,
    Device.manufacturer,
    Device.product,
    Device.cpu_model,
    Device.form_factor,
    Device.memory_bytes,
    Device.storage_bytes,
).where(Device.asset_code == bindparam("_asset_code"))
_SELECT_BATCH = select(Batch.id).where(Batch.reference == bindparam("_reference"))
_DEVICE_COLUMNS = tuple(str(column.key) for column in _SELECT_DEVICE.selected_columns)


@dataclass
class PreparedReport:
    """Everything about a report that needs no database: done before taking the write lock."""

    report: AgentReport
    asset_code: str
    #: The report's JSON text as stored: the bytes the station sent, when the API received them.
    body: str
    sha256: str
    #: `certificates` rows without their report and device ids (see `_certificate_row`).
    certificates: list[dict[str, Any]]
    erasure_status: str
    signature_status: str


def prepare_report(
    report: AgentReport, *, station_public_key: str | None, body: bytes | str | None = None
) -> PreparedReport:
    """Validate the asset code, verify every certificate (CPU only).

    `body` is the report's JSON as received (already validated into `report`): it is stored as it
    is, so nothing is serialised again; without it (seeding, tests) the report is serialised.
    """
    asset_code = check_asset_code(report.asset_code)
    if body is None:
        text = report.model_dump_json()
    elif isinstance(body, bytes):
        text = body.decode("utf-8")
    else:
        text = body
    rows = [
        _certificate_row(signed, position=i, report=report, station_public_key=station_public_key)
        for i, signed in enumerate(report.certificates)
    ]
    if not rows:
        signature = "none"
    elif all(r["valid_signature"] and not r["problems"] for r in rows):
        signature = "valid"
    else:
        signature = "invalid"
    return PreparedReport(
        report=report,
        asset_code=asset_code,
        body=text,
        sha256=report_sha256(text),
        certificates=rows,
        erasure_status=erasure_summary(report),
        signature_status=signature,
    )


def ingest_report(
    session: Session, *, report: AgentReport, station: Station, now: dt.datetime | None = None
) -> IngestResult:
    """Store one agent report (idempotent by `report_id`) and update its device's current state.

    Certificates are verified against the station's registered key; a bad one is stored with
    `valid_signature=False` and its problems, and the report is flagged `signature_status="invalid"`.
    """
    prepared = prepare_report(report, station_public_key=station.public_key)
    return store_report(session, prepared=prepared, station_id=station.id, now=now)


class _IngestStatements:
    """The statements of `store_report`, compiled for one dialect (see server_stub.driver_sql)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.select_report_sha = DriverStatement(
            select(Report.body_sha256).where(Report.id == bindparam("_report_id")), dialect
        )
        self.select_posting_station = DriverStatement(_SELECT_POSTING_STATION, dialect)
        self.select_device = DriverStatement(_SELECT_DEVICE, dialect)
        self.select_batch = DriverStatement(_SELECT_BATCH, dialect)
        self.insert_device = DriverStatement(_INSERT_DEVICE, dialect, _DEVICE_KEYS)
        self.insert_report = DriverStatement(_INSERT_REPORT.inline(), dialect, _REPORT_KEYS)
        self.insert_certificate = DriverStatement(_INSERT_CERTIFICATE.inline(), dialect, _CERTIFICATE_KEYS)
        self._updates: dict[tuple[str, ...], DriverStatement] = {}

    def update_device(self, keys: tuple[str, ...]) -> DriverStatement:
        """The device update setting exactly `keys` (which columns change depends on the report)."""
        statement = self._updates.get(keys)
        if statement is None:
            statement = self._updates[keys] = DriverStatement(_UPDATE_DEVICE, self.dialect, keys)
        return statement


_DEVICE_KEYS = (
    "asset_code",
    "created_at",
    "updated_at",
    "search_text",
    "erasure_status",
    "signature_status",
    "report_count",
)
_REPORT_KEYS = (
    "id",
    "device_id",
    "station_id",
    "received_at",
    "started_at",
    "finished_at",
    "agent_version",
    "schema_version",
    "body",
    "body_sha256",
    "grade",
    "grade_outcome",
    "erasure_status",
    "signature_status",
    "batch_ref",
    "problems",
)
_CERTIFICATE_KEYS = (
    "certificate_id",
    "report_id",
    "device_id",
    "position",
    "kind",
    "result",
    "technique",
    "category",
    "verification_method",
    "verification_passed",
    "verification_coverage",
    "disk_serial",
    "disk_model",
    "disk_size_bytes",
    "finished_at",
    "key_fingerprint",
    "valid_signature",
    "problems",
    "signed_json",
)
_STATEMENTS: weakref.WeakKeyDictionary[Dialect, _IngestStatements] = weakref.WeakKeyDictionary()


def _ingest_statements(dialect: Dialect) -> _IngestStatements:
    statements = _STATEMENTS.get(dialect)
    if statements is None:
        statements = _STATEMENTS[dialect] = _IngestStatements(dialect)
    return statements


def store_report(
    session: Session | Connection,
    *,
    prepared: PreparedReport,
    station_id: int,
    now: dt.datetime | None = None,
    touch_station: bool = True,
    cursor: DriverCursor | None = None,
) -> IngestResult:
    """The database half of `ingest_report` (short: run it inside the write transaction).

    `touch_station=False` leaves the station's `last_seen_at` to the caller (`touch_stations`
    once per batch of reports). `cursor`: a `DriverCursor` of the same connection, to reuse.

    Statements go to the driver's cursor (server_stub.driver_sql), not through the ORM or even
    `Connection.execute`: this is the hot path of every agent run, and SQLAlchemy's bookkeeping
    per statement cost more than the statements themselves.
    """
    conn = session.connection() if isinstance(session, Session) else session
    sql = _ingest_statements(conn.dialect)
    own_cursor = cursor is None
    cur = cursor or DriverCursor(conn)
    try:
        return _store(conn, cur, sql, prepared, station_id, now or utcnow(), touch_station)
    finally:
        if own_cursor:
            cur.close()


def _run_seconds(started: dt.datetime, finished: dt.datetime | None) -> float | None:
    if finished is None:
        return None
    # Naive times are UTC, as `UTCDateTime` stores them.
    if started.tzinfo is None:
        started = started.replace(tzinfo=dt.UTC)
    if finished.tzinfo is None:
        finished = finished.replace(tzinfo=dt.UTC)
    return (finished - started).total_seconds()


def _store(
    conn: Connection,
    cur: DriverCursor,
    sql: _IngestStatements,
    prepared: PreparedReport,
    station_id: int,
    now: dt.datetime,
    touch_station: bool,
) -> IngestResult:
    report = prepared.report
    existing_sha = cur.scalar(sql.select_report_sha, {"_report_id": report.report_id})
    if existing_sha is not None:
        # A repeat (the agent re-sends until it got an answer): rare, answered through Core.
        existing = conn.execute(_SELECT_REPORT, {"_report_id": report.report_id}).one()
        if existing_sha != prepared.sha256 and not _same_content(existing.body, report):
            raise Conflict(
                "this report_id was already used for a different report: a new run needs a new report_id",
                field="report_id",
            )
        certificates = conn.execute(_SELECT_REPORT_CERTIFICATES, {"_report_id": report.report_id}).all()
        return IngestResult(created=False, answer=_answer(existing, certificates))

    device = cur.first(sql.select_device, {"_asset_code": prepared.asset_code})
    if device is None:
        device_id = cur.scalar(
            sql.insert_device,
            {
                "asset_code": prepared.asset_code,
                "created_at": now,
                "updated_at": now,
                "search_text": prepared.asset_code.lower(),
                "erasure_status": "none",
                "signature_status": "none",
                "report_count": 0,
            },
        )
        known: dict[str, Any] = {"serial": None, "batch_id": None, "last_run_at": None}
    else:
        device_id = device[0]
        known = dict(zip(_DEVICE_COLUMNS, device, strict=True))

    problems: list[str] = []
    system = report.machine.system
    if known["serial"] and system.serial and known["serial"] != system.serial:
        problems.append(
            f"machine serial {system.serial!r} differs from {known['serial']!r} known for this asset code"
        )
    values: dict[str, Any] = {"_device_id": device_id, "updated_at": now}
    batch_ref = _text(report.batch, 64)
    if batch_ref:
        batch_id = cur.scalar(sql.select_batch, {"_reference": batch_ref})
        if batch_id is None:
            problems.append(f"unknown batch reference {batch_ref!r}")
        elif known["batch_id"] is None:
            values["batch_id"] = batch_id
        elif known["batch_id"] != batch_id:
            problems.append(f"report names batch {batch_ref!r} but the device is in another batch")

    grade = report.grade
    cur.execute(
        sql.insert_report,
        dict(
            id=report.report_id,
            device_id=device_id,
            station_id=station_id,
            received_at=now,
            started_at=report.started_at,
            finished_at=report.finished_at,
            agent_version=_text(report.agent_version, 64),
            schema_version=_text(report.schema_version, 16),
            body=prepared.body,
            body_sha256=prepared.sha256,
            grade=grade.grade if grade else None,
            grade_outcome=grade.outcome if grade else None,
            erasure_status=prepared.erasure_status,
            signature_status=prepared.signature_status,
            batch_ref=batch_ref,
            problems=problems,
        ),
    )
    certs = prepared.certificates
    if certs:
        cur.executemany(
            sql.insert_certificate,
            [{**c, "report_id": report.report_id, "device_id": device_id} for c in certs],
        )

    if known["last_run_at"] is None or report.started_at >= known["last_run_at"]:
        summary = {
            "serial": _text(system.serial) or known.get("serial"),
            "manufacturer": _text(system.manufacturer) or known.get("manufacturer"),
            "product": _text(system.product) or known.get("product"),
            "form_factor": report.machine.chassis.form_factor or known.get("form_factor"),
            "cpu_model": (_text(report.cpus[0].model) if report.cpus else None) or known.get("cpu_model"),
            "memory_bytes": report.memory.total_bytes or known.get("memory_bytes"),
        }
        sizes = [d.size_bytes for d in report.disks if d.size_bytes and not d.is_boot_medium]
        summary["storage_bytes"] = sum(sizes) if sizes else known.get("storage_bytes")
        values.update(summary, latest_report_id=report.report_id, last_run_at=report.started_at)
        # What the dashboard reads of the newest run (migration 0003).
        seconds = _run_seconds(report.started_at, report.finished_at)
        values["last_run_seconds"] = seconds if seconds is not None and seconds >= 0 else None
        values["last_run_techniques"] = "\n".join(c["technique"] for c in certs) if certs else None
        parts = (
            prepared.asset_code,
            summary["serial"],
            summary["manufacturer"],
            summary["product"],
            summary["cpu_model"],
        )
        values["search_text"] = " ".join(str(p) for p in parts if p).lower()
        if grade is not None:
            values.update(grade=grade.grade, grade_outcome=grade.outcome)
        if certs:
            values.update(
                erasure_status=prepared.erasure_status,
                signature_status=prepared.signature_status,
                erased_at=max((c["finished_at"] for c in certs if c["finished_at"]), default=None),
            )
    cur.execute(sql.update_device(tuple(sorted(values))), values)
    if touch_station:
        conn.execute(_TOUCH_STATION, {"_station_id": station_id, "last_seen_at": now})
    answer = {
        "report_id": str(report.report_id),
        "asset_code": prepared.asset_code,
        "received_at": now.astimezone(dt.UTC).isoformat(),
        "grade": grade.grade if grade else None,
        "erasure_status": prepared.erasure_status,
        "signature_status": prepared.signature_status,
        "problems": problems,
        "certificates": [
            {
                "certificate_id": str(c["certificate_id"]),
                "result": c["result"],
                "valid_signature": c["valid_signature"],
                "problems": list(c["problems"]),
            }
            for c in certs
        ],
    }
    return IngestResult(created=True, answer=answer)


def _same_content(stored_body: str, report: AgentReport) -> bool:
    """Whether a stored report says the same as `report` although its text differs.

    Bodies are stored as received: a station that re-sends its report written differently (a
    newer agent's whitespace, or a report stored re-serialised by an older server) is still
    sending the same report, and gets the same answer.
    """
    try:
        return AgentReport.model_validate_json(stored_body) == report
    except ValueError:  # pydantic's ValidationError: a stored body the schema no longer reads
        return False


def touch_stations(session: Session | Connection, *, station_ids: Sequence[int], now: dt.datetime) -> None:
    """Record that these stations were heard from (one statement for a whole ingest batch)."""
    conn = session.connection() if isinstance(session, Session) else session
    conn.execute(
        _TOUCH_STATION, [{"_station_id": station_id, "last_seen_at": now} for station_id in station_ids]
    )


def _answer(report: Any, certificates: Sequence[Any]) -> dict[str, Any]:
    """`report_answer` from rows of `_SELECT_REPORT` and `_SELECT_REPORT_CERTIFICATES`."""
    return {
        "report_id": str(report.id),
        "asset_code": report.asset_code,
        "received_at": report.received_at.isoformat(),
        "grade": report.grade,
        "erasure_status": report.erasure_status,
        "signature_status": report.signature_status,
        "problems": list(report.problems or []),
        "certificates": [
            {
                "certificate_id": str(c.certificate_id),
                "result": c.result,
                "valid_signature": c.valid_signature,
                "problems": list(c.problems or []),
            }
            for c in certificates
        ],
    }


def report_answer(report: Report, *, asset_code: str) -> dict[str, Any]:
    """The answer to POST /reports, built from stored data only, so a repeat gets the same bytes."""
    return {
        "report_id": str(report.id),
        "asset_code": asset_code,
        "received_at": report.received_at.isoformat(),
        "grade": report.grade,
        "erasure_status": report.erasure_status,
        "signature_status": report.signature_status,
        "problems": list(report.problems or []),
        "certificates": [
            {
                "certificate_id": str(c.certificate_id),
                "result": c.result,
                "valid_signature": c.valid_signature,
                "problems": list(c.problems or []),
            }
            for c in report.certificates
        ],
    }


def _visible_device(device: Device | None, donor_scope: int | None, session: Session) -> bool:
    if device is None:
        return False
    if donor_scope is None:
        return True
    if device.batch_id is None:
        return False
    donor_id = session.scalar(select(Batch.donor_id).where(Batch.id == device.batch_id))
    return donor_id == donor_scope


def get_report(session: Session, *, report_id: uuid.UUID, donor_scope: int | None = None) -> Report:
    report = session.get(Report, report_id)
    if report is None or not _visible_device(session.get(Device, report.device_id), donor_scope, session):
        raise NotFound(f"no report {report_id}")
    return report


def parse_report_body(report: Report) -> AgentReport:
    return AgentReport.model_validate_json(report.body)


# --------------------------------------------------------------------------------------------------
# Devices


def get_device(session: Session, *, asset_code: str, donor_scope: int | None = None) -> Device:
    device = session.scalar(select(Device).where(Device.asset_code == asset_code))
    if not _visible_device(device, donor_scope, session):
        raise NotFound(f"no device with asset code {asset_code!r}")
    assert device is not None
    return device


@dataclass(frozen=True)
class HistoryEntry:
    report_id: uuid.UUID
    received_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    station_name: str | None
    agent_version: str | None
    grade: str | None
    grade_outcome: str | None
    erasure_status: str
    signature_status: str
    problems: list[str]


def device_history(session: Session, *, device: Device) -> list[HistoryEntry]:
    """One entry per report, newest run first (body not loaded)."""
    query = (
        select(
            Report.id,
            Report.received_at,
            Report.started_at,
            Report.finished_at,
            Station.name,
            Report.agent_version,
            Report.grade,
            Report.grade_outcome,
            Report.erasure_status,
            Report.signature_status,
            Report.problems,
        )
        .outerjoin(Station, Station.id == Report.station_id)
        .where(Report.device_id == device.id)
        .order_by(Report.received_at.desc())
    )
    entries = [HistoryEntry(*row) for row in session.execute(query)]
    floor = dt.datetime.min.replace(tzinfo=dt.UTC)
    entries.sort(key=lambda e: (e.started_at or floor, e.received_at), reverse=True)
    return entries


def device_certificates(
    session: Session, *, device: Device, latest_only: bool = False
) -> Sequence[Certificate]:
    query = select(Certificate).where(Certificate.device_id == device.id)
    if latest_only:
        query = query.where(Certificate.report_id == device.latest_report_id)
    return session.scalars(query.order_by(Certificate.finished_at.desc(), Certificate.position)).all()


def latest_report(session: Session, *, device: Device) -> Report | None:
    if device.latest_report_id is None:
        return None
    return session.get(Report, device.latest_report_id)


def get_certificate(
    session: Session, *, certificate_id: uuid.UUID, donor_scope: int | None = None
) -> Certificate:
    """The newest stored copy of a certificate (one id may arrive in two reports of the same run)."""
    cert = session.scalar(
        select(Certificate)
        .where(Certificate.certificate_id == certificate_id)
        .order_by(Certificate.id.desc())
        .limit(1)
    )
    if cert is None or not _visible_device(session.get(Device, cert.device_id), donor_scope, session):
        raise NotFound(f"no certificate {certificate_id}")
    return cert


# --------------------------------------------------------------------------------------------------
# Outcomes


def record_outcome(
    session: Session,
    *,
    device: Device,
    kind: str,
    date: dt.date,
    channel: str | None = None,
    recycler_pickup_ref: str | None = None,
    note: str = "",
    user_id: int | None = None,
    actor: str = "system",
) -> Outcome:
    from server_stub.models import OUTCOME_KINDS

    if kind not in OUTCOME_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(OUTCOME_KINDS)}", field="kind")
    if kind == "recycled" and not (recycler_pickup_ref and recycler_pickup_ref.strip()):
        raise InvalidInput(
            "a recycled device needs the recycler's pickup reference", field="recycler_pickup_ref"
        )
    outcome = Outcome(
        device_id=device.id,
        kind=kind,
        channel=_text(channel.strip() if channel else None),
        recycler_pickup_ref=_text(recycler_pickup_ref.strip() if recycler_pickup_ref else None),
        date=date,
        note=note,
        recorded_by=user_id,
    )
    session.add(outcome)
    device.updated_at = utcnow()
    session.flush()
    audit(session, actor=actor, action="outcome.create", target=f"device:{device.id}", detail={"kind": kind})
    return outcome


def device_outcomes(session: Session, *, device: Device) -> Sequence[Outcome]:
    return session.scalars(
        select(Outcome).where(Outcome.device_id == device.id).order_by(Outcome.date.desc(), Outcome.id.desc())
    ).all()


def latest_outcomes(session: Session, *, device_ids: Sequence[int]) -> dict[int, Outcome]:
    """The newest outcome of each device (for lists and exports)."""
    result: dict[int, Outcome] = {}
    if not device_ids:
        return result
    for chunk_start in range(0, len(device_ids), 500):
        chunk = device_ids[chunk_start : chunk_start + 500]
        rows = session.scalars(
            select(Outcome).where(Outcome.device_id.in_(chunk)).order_by(Outcome.date, Outcome.id)
        ).all()
        for row in rows:
            result[row.device_id] = row
    return result


# --------------------------------------------------------------------------------------------------
# Exports


@dataclass(frozen=True)
class TraceabilityRow:
    asset_code: str
    serial: str | None
    manufacturer: str | None
    product: str | None
    disk_serial: str | None
    disk_model: str | None
    technique: str | None
    category: str | None
    verification: str | None
    result: str | None
    valid_signature: bool | None
    certificate_id: str | None
    erased_at: dt.datetime | None
    grade: str | None
    outcome: str | None
    outcome_channel: str | None
    outcome_date: dt.date | None


def traceability_rows(session: Session, *, batch_id: int) -> list[TraceabilityRow]:
    """One row per erased disk (its certificate from the newest run), one per device without any."""
    devices = session.scalars(
        select(Device).where(Device.batch_id == batch_id).order_by(Device.asset_code)
    ).all()
    outcomes = latest_outcomes(session, device_ids=[d.id for d in devices])
    certs: dict[int, list[Certificate]] = {}
    report_ids = [d.latest_report_id for d in devices if d.latest_report_id is not None]
    for chunk_start in range(0, len(report_ids), 500):
        chunk = report_ids[chunk_start : chunk_start + 500]
        for cert in session.scalars(
            select(Certificate).where(Certificate.report_id.in_(chunk)).order_by(Certificate.position)
        ):
            certs.setdefault(cert.device_id, []).append(cert)
    rows: list[TraceabilityRow] = []
    for device in devices:
        outcome = outcomes.get(device.id)
        common: dict[str, Any] = {
            "asset_code": device.asset_code,
            "serial": device.serial,
            "manufacturer": device.manufacturer,
            "product": device.product,
            "grade": device.grade,
            "outcome": outcome.kind if outcome else None,
            "outcome_channel": outcome.channel if outcome else None,
            "outcome_date": outcome.date if outcome else None,
        }
        device_certs = certs.get(device.id, [])
        if not device_certs:
            rows.append(
                TraceabilityRow(
                    disk_serial=None,
                    disk_model=None,
                    technique=None,
                    category=None,
                    verification=None,
                    result=None,
                    valid_signature=None,
                    certificate_id=None,
                    erased_at=None,
                    **common,
                )
            )
        for cert in device_certs:
            verification = cert.verification_method or "none"
            if cert.verification_coverage is not None and cert.verification_method not in (None, "none"):
                verification += f" {cert.verification_coverage:g} %"
            verification += " ok" if cert.verification_passed else " échec"
            rows.append(
                TraceabilityRow(
                    disk_serial=cert.disk_serial,
                    disk_model=cert.disk_model,
                    technique=cert.technique,
                    category=cert.category,
                    verification=verification,
                    result=cert.result,
                    valid_signature=cert.valid_signature and not cert.problems,
                    certificate_id=str(cert.certificate_id),
                    erased_at=cert.finished_at,
                    **common,
                )
            )
    return rows


__all__ = [
    "AttachResult",
    "DeviceFilter",
    "HistoryEntry",
    "IngestResult",
    "PreparedReport",
    "TraceabilityRow",
    "attach_assets",
    "audit",
    "authenticate",
    "batch_device_count",
    "check_asset_code",
    "count_users",
    "create_batch",
    "create_donor",
    "create_enrollment_code",
    "create_station",
    "create_user",
    "delete_donor",
    "device_certificates",
    "device_history",
    "device_outcomes",
    "enroll_station",
    "erasure_summary",
    "get_batch",
    "get_certificate",
    "get_device",
    "get_donor",
    "get_report",
    "get_station",
    "get_user",
    "ingest_report",
    "latest_outcomes",
    "latest_report",
    "list_batches",
    "list_donors",
    "list_stations",
    "list_users",
    "parse_report_body",
    "prepare_report",
    "record_outcome",
    "reissue_station_token",
    "report_answer",
    "revoke_station",
    "set_password",
    "set_station_key",
    "station_by_token",
    "store_report",
    "traceability_rows",
    "update_batch",
    "update_donor",
]
