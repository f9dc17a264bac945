"""Log in and out, and the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from agent.i18n import N_
from server_stub import crud
from server_stub.api.deps import SessionDep, SettingsDep
from server_stub.api.routes.auth import end_session, start_session
from server_stub.i18n import LANGS
from server_stub.web.security import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    CsrfChecked,
    ViewerDep,
    check_token,
    login_csrf_token,
    new_login_nonce,
    safe_next,
    viewer_from_request,
)
from server_stub.web.templating import LANG_COOKIE, render

router = APIRouter()


def _login_form(
    request: Request, *, next_url: str, error: str | None = None, username: str = "", status_code: int = 200
) -> Response:
    nonce = new_login_nonce()
    response = render(
        request,
        "login.html",
        {
            "next_url": next_url,
            "error": error,
            "username": username,
            "login_csrf": login_csrf_token(request.app.state.signing_key, nonce),
        },
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, nonce, max_age=3600, httponly=True, samesite="strict", path="/connexion"
    )
    return response


@router.get("/connexion")
def login_page(request: Request, session: SessionDep, next: str | None = None) -> Response:
    if viewer_from_request(request, session) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, next_url=safe_next(next))


@router.post("/connexion")
async def login(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    form = await request.form()
    username = str(form.get("username") or "")[:64]
    password = str(form.get("password") or "")[:1024]
    next_url = safe_next(str(form.get("next") or "/"))
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    key: bytes = request.app.state.signing_key
    if not nonce or not check_token(login_csrf_token(key, nonce), str(form.get(CSRF_FIELD) or "")):
        return _login_form(
            request,
            next_url=next_url,
            username=username,
            error=N_("The login form expired: please type your password again."),
            status_code=403,
        )
    user = None
    if username.strip() and password:
        user = crud.authenticate(session, username=username, password=password, log2_n=settings.scrypt_log2_n)
    if user is None:
        return _login_form(
            request,
            next_url=next_url,
            username=username,
            error=N_("Wrong user name or password."),
            status_code=401,
        )
    response = RedirectResponse(next_url, status_code=303)
    start_session(response, settings=settings, key=key, user=user)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/connexion")
    return response


@router.post("/deconnexion", dependencies=[CsrfChecked])
def logout(viewer: ViewerDep) -> Response:
    response = RedirectResponse("/connexion", status_code=303)
    end_session(response)
    return response


@router.get("/langue")
def choose_language(lang: str = "fr", next: str | None = None) -> Response:
    """A preference, not a state change: a plain link may set it."""
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE, lang if lang in LANGS else "fr", max_age=365 * 86400, samesite="lax", path="/"
    )
    return response


__all__ = ["router"]
