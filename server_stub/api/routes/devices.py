"""Devices: the list with its filters, and one device's state and history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from server_stub import crud, device_list
from server_stub.api.deps import CurrentPrincipal, SessionDep
from server_stub.schemas import (
    CertificateOut,
    DeviceDetail,
    DevicePage,
    DeviceSort,
    DeviceSummary,
    ErasureStatus,
    Grade,
    HistoryOut,
    OutcomeOut,
    QueryId,
    SignatureStatus,
)

router = APIRouter(tags=["devices"])


@router.get("/devices")
def list_devices(
    session: SessionDep,
    principal: CurrentPrincipal,
    grade: Grade | None = None,
    erasure_status: ErasureStatus | None = None,
    signature_status: SignatureStatus | None = None,
    donor_id: QueryId = None,
    batch_id: QueryId = None,
    date_from: Annotated[dt.date | None, Query(description="Newest run on or after this day (UTC).")] = None,
    date_to: Annotated[dt.date | None, Query(description="Newest run on or before this day (UTC).")] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Text search. 3 characters or more: found anywhere in the asset code, serial, "
            "manufacturer, model or processor (case-insensitive). 1 or 2 characters: the start of the "
            "asset code, serial, manufacturer or model (ASCII letters in any case); like many search "
            "boxes, substring search needs 3 characters.",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    sort: Annotated[
        DeviceSort,
        Query(
            description="`recent` (default): latest activity first; `oldest`; `run-desc` / `run-asc`: "
            "by the newest run's start."
        ),
    ] = "recent",
) -> DevicePage:
    """Devices matching every filter given, one page at a time. A filtered `total` is exact up to
    2,000 matches; beyond, `total_capped` is true and `has_more` says whether to page on."""
    filters = device_list.DeviceFilter(
        grade=grade,
        erasure_status=erasure_status,
        signature_status=signature_status,
        donor_id=donor_id,
        batch_id=batch_id,
        date_from=date_from,
        date_to=date_to,
        q=q,
    )
    found = device_list.list_devices(
        session, filters=filters, sort=sort, limit=limit, offset=offset, donor_scope=principal.donor_scope
    )
    return DevicePage(
        total=found.total,
        total_capped=found.capped,
        has_more=found.has_more,
        limit=limit,
        offset=offset,
        items=[DeviceSummary.of(d) for d in found.rows],
    )


@router.get("/devices/{asset_code:path}")
def get_device(asset_code: str, session: SessionDep, principal: CurrentPrincipal) -> DeviceDetail:
    """Current state and history (newest first). A station token gets the identity only, which is
    what the agent needs to notice a wrong label (same asset code, other serial)."""
    device = crud.get_device(session, asset_code=asset_code, donor_scope=principal.donor_scope)
    summary = DeviceSummary.of(device)
    history = [HistoryOut.of(e) for e in crud.device_history(session, device=device)]
    if principal.station is not None:
        return DeviceDetail(**summary.model_dump(), history=history, certificates=[], outcomes=[])
    latest = crud.latest_report(session, device=device)
    return DeviceDetail(
        **summary.model_dump(),
        history=history,
        certificates=[CertificateOut.of(c) for c in crud.device_certificates(session, device=device)],
        outcomes=[OutcomeOut.of(o) for o in crud.device_outcomes(session, device=device)],
        latest_report=crud.parse_report_body(latest) if latest is not None else None,
    )
