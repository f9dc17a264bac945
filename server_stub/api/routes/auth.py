"""Log in and out; who am I; user accounts (admin)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from server_stub import auth, crud
from server_stub.api.deps import AdminUser, CurrentUser, SessionDep, SettingsDep
from server_stub.config import Settings
from server_stub.errors import Unauthorized
from server_stub.models import User
from server_stub.schemas import LoginIn, LoginOut, UserIn, UserOut

router = APIRouter(tags=["auth"])


def start_session(response: Response, *, settings: Settings, key: bytes, user: User) -> str:
    """Sign a session for `user` and set it as the cookie; returns the token (also a bearer token)."""
    lifetime = settings.session_hours * 3600
    token = auth.sign_session(key, user_id=user.id, session_version=user.session_version, lifetime_s=lifetime)
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=lifetime,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return token


def end_session(response: Response) -> None:
    response.delete_cookie(auth.SESSION_COOKIE, path="/")


@router.post("/auth/login")
def login(
    body: LoginIn, request: Request, session: SessionDep, settings: SettingsDep, response: Response
) -> LoginOut:
    """Check a user name and password; answers a bearer token and sets the same as a session cookie."""
    user = crud.authenticate(
        session, username=body.username, password=body.password, log2_n=settings.scrypt_log2_n
    )
    if user is None:
        raise Unauthorized("wrong user name or password")
    token = start_session(response, settings=settings, key=request.app.state.signing_key, user=user)
    return LoginOut(access_token=token, expires_in=settings.session_hours * 3600, user=UserOut.of(user))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout() -> Response:
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    end_session(response)
    return response


@router.get("/auth/me")
def me(user: CurrentUser) -> UserOut:
    return UserOut.of(user)


@router.get("/users")
def list_users(session: SessionDep, user: AdminUser) -> list[UserOut]:
    return [UserOut.of(u) for u in crud.list_users(session)]


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(body: UserIn, session: SessionDep, settings: SettingsDep, user: AdminUser) -> UserOut:
    created = crud.create_user(
        session,
        username=body.username,
        password=body.password,
        role=body.role,
        donor_id=body.donor_id,
        log2_n=settings.scrypt_log2_n,
        actor=f"user:{user.id}",
    )
    session.commit()
    return UserOut.of(created)
