"""Stations: register with a public key, (re)issue or revoke tokens, one-time enrollment codes."""

from __future__ import annotations

from fastapi import APIRouter, status

from server_stub import crud
from server_stub.api.deps import SessionDep, SettingsDep, SupervisorUser
from server_stub.schemas import (
    EnrollIn,
    EnrollmentCodeIn,
    EnrollmentCodeOut,
    PathId,
    StationIn,
    StationOut,
    StationTokenOut,
)

router = APIRouter(tags=["stations"])


@router.get("/stations")
def list_stations(session: SessionDep, user: SupervisorUser) -> list[StationOut]:
    return [StationOut.of(s) for s in crud.list_stations(session)]


@router.post("/stations", status_code=status.HTTP_201_CREATED)
def create_station(body: StationIn, session: SessionDep, user: SupervisorUser) -> StationTokenOut:
    """Register a station; the answer holds its token, shown this once."""
    station, token = crud.create_station(
        session, name=body.name, public_key=body.public_key, actor=f"user:{user.id}"
    )
    session.commit()
    return StationTokenOut(station_id=station.id, name=station.name, token=token)


@router.post("/stations/enroll", status_code=status.HTTP_201_CREATED)
def enroll(body: EnrollIn, session: SessionDep) -> StationTokenOut:
    """`atelier station register`: a supervisor's one-time code, the station's name and public key."""
    station, token = crud.enroll_station(session, code=body.code, name=body.name, public_key=body.public_key)
    session.commit()
    return StationTokenOut(station_id=station.id, name=station.name, token=token)


@router.post("/stations/{station_id}/token")
def reissue_token(station_id: PathId, session: SessionDep, user: SupervisorUser) -> StationTokenOut:
    station, token = crud.reissue_station_token(session, station_id=station_id, actor=f"user:{user.id}")
    session.commit()
    return StationTokenOut(station_id=station.id, name=station.name, token=token)


@router.post("/stations/{station_id}/revoke")
def revoke(station_id: PathId, session: SessionDep, user: SupervisorUser) -> StationOut:
    station = crud.revoke_station(session, station_id=station_id, actor=f"user:{user.id}")
    session.commit()
    return StationOut.of(station)


@router.post("/enrollment-codes", status_code=status.HTTP_201_CREATED)
def create_enrollment_code(
    session: SessionDep, settings: SettingsDep, user: SupervisorUser, body: EnrollmentCodeIn | None = None
) -> EnrollmentCodeOut:
    hours = body.hours if body is not None else settings.enrollment_code_hours
    row, code = crud.create_enrollment_code(session, hours=hours, user_id=user.id, actor=f"user:{user.id}")
    session.commit()
    return EnrollmentCodeOut(code=code, expires_at=row.expires_at)
