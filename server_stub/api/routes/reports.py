"""Reports: agents post them (station token), people read them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from agent.report import SCHEMA_VERSION, schema_major
from agent.report import Report as AgentReport
from server_stub import crud
from server_stub.api.deps import IngestStation, SessionDep, UserPrincipal
from server_stub.errors import InvalidInput
from server_stub.ingest import IngestWriter
from server_stub.schemas import CertificateOut, IngestOut, ReportOut

router = APIRouter(tags=["reports"])


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": IngestOut, "description": "Already received: the same answer as the first time."}
    },
)
def post_report(
    report: AgentReport, request: Request, station: IngestStation, response: Response
) -> IngestOut:
    """Store an agent's report. `report_id` is the idempotency key: posting it again answers 200
    with the same body; the same id with different content is a 409."""
    if schema_major(report.schema_version) != schema_major(SCHEMA_VERSION):
        raise InvalidInput(
            f"schema version {report.schema_version} is not supported (server speaks {SCHEMA_VERSION})",
            field="body.schema_version",
        )
    crud.check_asset_code(report.asset_code, field_name="body.asset_code")
    writer: IngestWriter = request.app.state.ingest
    # Serialising and signature checks need no database: done before queueing for the writer,
    # which stores the reports waiting together in one transaction (server_stub.ingest).
    prepared = crud.prepare_report(report, station_public_key=station.public_key)
    result = writer.store(prepared, station_id=station.id)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return IngestOut.model_validate(result.answer)


@router.get("/reports/{report_id}")
def get_report(report_id: uuid.UUID, session: SessionDep, principal: UserPrincipal) -> ReportOut:
    row = crud.get_report(session, report_id=report_id, donor_scope=principal.donor_scope)
    station = row.station_id and crud.get_station(session, station_id=row.station_id)
    return ReportOut(
        report_id=row.id,
        asset_code=row.device.asset_code,
        station=station.name if station else None,
        received_at=row.received_at,
        grade=row.grade,
        erasure_status=row.erasure_status,
        signature_status=row.signature_status,
        problems=list(row.problems or []),
        certificates=[CertificateOut.of(c) for c in row.certificates],
        body_sha256=row.body_sha256,
        report=crud.parse_report_body(row),
    )
