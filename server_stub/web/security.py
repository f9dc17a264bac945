"""Who is looking at a page, and the CSRF tokens of its forms.

The session is the API's: the same signed cookie (`auth.SESSION_COOKIE`), read by the same
`deps.user_from_token`, so revoking a user's sessions logs them out of both. A page answers a
redirect to the login form where the API answers 401.

CSRF: every POST form carries a token derived from the session (HMAC of the session token under
the app's signing key), so it needs no server-side storage and dies with the session. The login
form, before any session exists, uses a double-submit cookie signed the same way. SameSite=Lax on
the session cookie already stops most cross-site posts; the token also covers same-site
attackers and old browsers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from server_stub import auth
from server_stub.api.deps import Principal, SessionDep, user_from_token
from server_stub.models import User

LOGIN_CSRF_COOKIE = "atelier_login_csrf"
CSRF_FIELD = "csrf_token"
STAFF_ROLES = frozenset({"admin", "supervisor", "technician"})
MANAGER_ROLES = frozenset({"admin", "supervisor"})


class LoginRequired(Exception):
    """No valid session: the page redirects to the login form, then back to `next_url`."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class PageForbidden(Exception):
    """Logged in, but this role may not open the page (answered 403 with a French page)."""


class CsrfRejected(Exception):
    """A POST without the form's token (answered 403)."""


def _mac(key: bytes, purpose: str, value: str) -> str:
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def session_csrf_token(key: bytes, session_token: str) -> str:
    return _mac(key, "csrf", session_token)


def login_csrf_token(key: bytes, nonce: str) -> str:
    return _mac(key, "login-csrf", nonce)


def new_login_nonce() -> str:
    return secrets.token_urlsafe(24)


def check_token(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(
        expected.encode("ascii"), (given or "").encode("ascii", "replace")
    )


@dataclass(frozen=True)
class Viewer:
    """The logged-in user of a page, with what the templates need to decide what to show."""

    user: User
    csrf_token: str

    @property
    def principal(self) -> Principal:
        return Principal(user=self.user)

    @property
    def donor_scope(self) -> int | None:
        return self.principal.donor_scope

    @property
    def is_staff(self) -> bool:
        """May record outcomes (technicians, supervisors, admins)."""
        return self.user.role in STAFF_ROLES

    @property
    def is_manager(self) -> bool:
        """May manage intake and stations (supervisors, admins)."""
        return self.user.role in MANAGER_ROLES

    @property
    def is_donor(self) -> bool:
        return self.user.role == "donor"


def _current_url(request: Request) -> str:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return path


def safe_next(value: str | None) -> str:
    """Only local paths: an open redirect after login would make a convincing phishing link."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def login_url(next_url: str) -> str:
    return "/connexion?next=" + quote(next_url, safe="/")


def viewer_from_request(request: Request, session: Session) -> Viewer | None:
    token = request.cookies.get(auth.SESSION_COOKIE, "").strip()
    if not token:
        return None
    key: bytes = request.app.state.signing_key
    user = user_from_token(session, key, token)
    if user is None:
        return None
    return Viewer(user=user, csrf_token=session_csrf_token(key, token))


def get_viewer(request: Request, session: SessionDep) -> Viewer:
    viewer = viewer_from_request(request, session)
    if viewer is None:
        raise LoginRequired(_current_url(request))
    request.state.viewer = viewer
    return viewer


def get_staff(viewer: Annotated[Viewer, Depends(get_viewer)]) -> Viewer:
    if not viewer.is_staff:
        raise PageForbidden()
    return viewer


def get_manager(viewer: Annotated[Viewer, Depends(get_viewer)]) -> Viewer:
    if not viewer.is_manager:
        raise PageForbidden()
    return viewer


async def check_csrf(request: Request) -> None:
    """Dependency of every POST page: the form's token must match the session's."""
    form = await request.form()
    given = form.get(CSRF_FIELD)
    token = request.cookies.get(auth.SESSION_COOKIE, "").strip()
    key: bytes = request.app.state.signing_key
    if not token or not isinstance(given, str) or not check_token(session_csrf_token(key, token), given):
        raise CsrfRejected()


ViewerDep = Annotated[Viewer, Depends(get_viewer)]
StaffViewer = Annotated[Viewer, Depends(get_staff)]
ManagerViewer = Annotated[Viewer, Depends(get_manager)]
CsrfChecked = Depends(check_csrf)

__all__ = [
    "CSRF_FIELD",
    "LOGIN_CSRF_COOKIE",
    "CsrfChecked",
    "CsrfRejected",
    "LoginRequired",
    "ManagerViewer",
    "PageForbidden",
    "StaffViewer",
    "Viewer",
    "ViewerDep",
    "check_csrf",
    "check_token",
    "get_viewer",
    "login_csrf_token",
    "login_url",
    "new_login_nonce",
    "safe_next",
    "session_csrf_token",
    "viewer_from_request",
]
