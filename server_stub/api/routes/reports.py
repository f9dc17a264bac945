"""Reports: agents post them (station token), people read them."""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from agent.report import SCHEMA_VERSION, schema_major
from agent.report import Report as AgentReport
from server_stub import crud
from server_stub.api.deps import SessionDep, UserPrincipal, bearer_credentials, get_ingest_station
from server_stub.errors import InvalidInput
from server_stub.ingest import IngestWriter
from server_stub.schemas import CertificateOut, IngestOut, ReportOut

router = APIRouter(tags=["reports"])

#: The body is read and validated by the route itself (see `post_report`); this documents it.
_REPORT_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}},
}
_ANSWER = {"application/json": {"schema": {"$ref": "#/components/schemas/IngestOut"}}}


def _schema_errors(error: ValidationError) -> RequestValidationError:
    """pydantic's errors as the API words every 422: `loc` starts with "body"."""
    return RequestValidationError(
        [
            {"loc": ("body", *e["loc"]), "msg": e["msg"], "type": e["type"]}
            for e in error.errors(include_url=False, include_context=False, include_input=False)
        ]
    )


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=IngestOut,
    responses={
        200: {"content": _ANSWER, "description": "Already received: the same answer as the first time."},
        401: {"description": "Missing, unknown or revoked station token."},
        403: {"description": "A user session, not a station token."},
        409: {"description": "This report_id was already used for a different report."},
        413: {"description": "Body over the configured limit."},
        422: {
            "description": "Not a report of this schema (the field is named).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}},
        },
    },
    openapi_extra={"requestBody": _REPORT_BODY, "security": [{"HTTPBearer": []}]},
)
async def post_report(request: Request) -> Response:
    """Store an agent's report. `report_id` is the idempotency key: posting it again answers 200
    with the same body; the same id with different content is a 409."""
    # The hot path of every agent run, kept to the work it needs: the body is parsed and
    # validated once from the bytes received (no FastAPI body model: that decoded the JSON, then
    # validated the dict, then the report was serialised again to be stored), stored as received,
    # and the answer written directly. The database write is grouped with the other reports
    # waiting, and answered once committed (server_stub.ingest).
    station = get_ingest_station(request, bearer_credentials(request))
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise RequestValidationError(
            [{"loc": ("body",), "msg": f"body is not UTF-8 text: {err.reason}", "type": "json_invalid"}]
        ) from None
    try:
        report = AgentReport.model_validate_json(text)
    except ValidationError as err:
        raise _schema_errors(err) from None
    if schema_major(report.schema_version) != schema_major(SCHEMA_VERSION):
        raise InvalidInput(
            f"schema version {report.schema_version} is not supported (server speaks {SCHEMA_VERSION})",
            field="body.schema_version",
        )
    crud.check_asset_code(report.asset_code, field_name="body.asset_code")
    writer: IngestWriter = request.app.state.ingest
    prepared = crud.prepare_report(report, station_public_key=station.public_key, body=text)
    result = await writer.store_async(prepared, station_id=station.id)
    return Response(
        content=json.dumps(result.answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        status_code=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        media_type="application/json",
    )


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
