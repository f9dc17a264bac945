"""Stations (workshop PCs and USB sticks running the agent): list, enrollment codes, revocation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from server_stub import crud
from server_stub.api.deps import SessionDep, SettingsDep
from server_stub.web.security import CsrfChecked, ManagerViewer
from server_stub.web.templating import render

router = APIRouter()


def _server_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/postes")
def stations_page(request: Request, session: SessionDep, viewer: ManagerViewer) -> Response:
    return render(
        request,
        "stations.html",
        {
            "stations": crud.list_stations(session),
            "code": None,
            "server_url": _server_url(request),
            "revoked": request.query_params.get("revoque"),
        },
    )


@router.post("/postes/code", dependencies=[CsrfChecked])
def create_code(
    request: Request, session: SessionDep, settings: SettingsDep, viewer: ManagerViewer
) -> Response:
    """The code is shown on the answer to this POST only (never in a URL or a log)."""
    row, code = crud.create_enrollment_code(
        session, hours=settings.enrollment_code_hours, user_id=viewer.user.id, actor=f"user:{viewer.user.id}"
    )
    session.commit()
    return render(
        request,
        "stations.html",
        {
            "stations": crud.list_stations(session),
            "code": code,
            "expires_at": row.expires_at,
            "server_url": _server_url(request),
            "revoked": None,
        },
    )


@router.post("/postes/{station_id}/revoquer", dependencies=[CsrfChecked])
def revoke(station_id: int, session: SessionDep, viewer: ManagerViewer) -> Response:
    station = crud.revoke_station(session, station_id=station_id, actor=f"user:{viewer.user.id}")
    session.commit()
    return RedirectResponse(f"/postes?revoque={station.id}", status_code=303)


__all__ = ["router"]
