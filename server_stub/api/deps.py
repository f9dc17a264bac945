"""Request dependencies: the database session and who is calling (user or station).

Use them as annotations: `def route(session: SessionDep, user: CurrentUser) -> ...`. Sessions are
never committed here: a write route commits itself, so an error anywhere rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from server_stub import auth, crud
from server_stub.config import Settings
from server_stub.db import Database
from server_stub.errors import Forbidden, Unauthorized
from server_stub.models import Station, User

_bearer = HTTPBearer(auto_error=False, description="A user session token (login) or a station token.")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_session(request: Request) -> Iterator[Session]:
    """A read session for GET, a write session (BEGIN IMMEDIATE on SQLite) for anything else."""
    db = get_database(request)
    factory = db.read if request.method in READ_METHODS else db.write
    with factory() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class Principal:
    user: User | None = None
    station: Station | None = None

    @property
    def donor_scope(self) -> int | None:
        """The donor a donor account is confined to; None for staff and stations."""
        if self.user is not None and self.user.role == "donor":
            return self.user.donor_id if self.user.donor_id is not None else -1
        return None

    @property
    def actor(self) -> str:
        if self.user is not None:
            return f"user:{self.user.id}"
        if self.station is not None:
            return f"station:{self.station.id}"
        return "anonymous"


def _token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    if credentials is not None and credentials.scheme.lower() == "bearer":
        return credentials.credentials.strip()
    cookie = request.cookies.get(auth.SESSION_COOKIE)
    return cookie.strip() if cookie else None


def user_from_token(session: Session, key: bytes, token: str) -> User | None:
    claims = auth.read_session(key, token)
    if claims is None:
        return None
    user = crud.get_user(session, user_id=claims.user_id)
    if user is None or not user.active or user.session_version != claims.session_version:
        return None
    return user


def get_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Whoever the bearer token or session cookie names; 401 when missing, unknown or revoked."""
    token = _token(request, credentials)
    if not token:
        raise Unauthorized("log in, or send a station token as 'Authorization: Bearer …'")
    if token.startswith(auth.STATION_TOKEN_PREFIX):
        station = crud.station_by_token(session, token=token)
        if station is None:
            raise Unauthorized(
                "station token unknown or revoked: ask a supervisor to re-register the station"
            )
        return Principal(station=station)
    user = user_from_token(session, request.app.state.signing_key, token)
    if user is None:
        raise Unauthorized("session expired or invalid: log in again")
    return Principal(user=user)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def get_user_principal(principal: CurrentPrincipal) -> Principal:
    if principal.user is None:
        raise Forbidden("this needs a user login, not a station token")
    return principal


UserPrincipal = Annotated[Principal, Depends(get_user_principal)]


def get_current_user(principal: UserPrincipal) -> User:
    assert principal.user is not None
    return principal.user


def get_current_station(principal: CurrentPrincipal) -> Station:
    if principal.station is None:
        raise Forbidden("this needs a station token")
    return principal.station


@dataclass(frozen=True)
class StationAuth:
    """The posting station, read in a session of its own that is closed at once (see reports)."""

    id: int
    name: str
    public_key: str | None


def bearer_credentials(request: Request) -> HTTPAuthorizationCredentials | None:
    """What `HTTPBearer(auto_error=False)` gives, read directly (for routes without dependencies)."""
    authorization = request.headers.get("authorization")
    if not authorization:
        return None
    scheme, _, credentials = authorization.partition(" ")
    if not credentials or scheme.lower() != "bearer":
        return None
    return HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials)


def get_ingest_station(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> StationAuth:
    token = _token(request, credentials)
    if not token:
        raise Unauthorized("send the station token as 'Authorization: Bearer …'")
    if not token.startswith(auth.STATION_TOKEN_PREFIX):
        # A valid user session is refused with 403, anything else with 401.
        with get_database(request).read() as session:
            if user_from_token(session, request.app.state.signing_key, token) is not None:
                raise Forbidden("this needs a station token")
        raise Unauthorized("session expired or invalid: log in again")
    with get_database(request).engine.connect() as connection:
        station = crud.posting_station_by_token(connection, token=token)
    if station is None:
        raise Unauthorized("station token unknown or revoked: ask a supervisor to re-register the station")
    station_id, name, public_key = station
    return StationAuth(id=station_id, name=name, public_key=public_key)


IngestStation = Annotated[StationAuth, Depends(get_ingest_station)]
CurrentUser = Annotated[User, Depends(get_current_user)]
CurrentStation = Annotated[Station, Depends(get_current_station)]


def require_roles(*roles: str) -> Callable[[User], User]:
    def dependency(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")
        return user

    return dependency


AdminUser = Annotated[User, Depends(require_roles("admin"))]
SupervisorUser = Annotated[User, Depends(require_roles("admin", "supervisor"))]
#: Staff who may record outcomes: everyone but donors.
StaffUser = Annotated[User, Depends(require_roles("admin", "supervisor", "technician"))]

__all__ = [
    "AdminUser",
    "CurrentPrincipal",
    "CurrentStation",
    "CurrentUser",
    "IngestStation",
    "Principal",
    "SessionDep",
    "SettingsDep",
    "StaffUser",
    "StationAuth",
    "SupervisorUser",
    "UserPrincipal",
    "bearer_credentials",
    "get_ingest_station",
    "get_principal",
    "require_roles",
    "user_from_token",
]
