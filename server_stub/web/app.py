"""Mount the pages, the stylesheet and the HTML error pages on the app `create_app` built.

Errors on pages are French HTML pages with the same status the API would answer (404 for what a
donor may not see, never a 500 for bad input); errors under `/api` keep the API's JSON answers:
each handler here hands them back to the handler `create_app` installed.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException

from agent.i18n import N_
from server_stub.errors import ServiceError
from server_stub.main import API_PREFIX
from server_stub.web.security import CsrfRejected, LoginRequired, PageForbidden, login_url
from server_stub.web.templating import render

STATIC = Path(__file__).resolve().parents[1] / "static"
Handler = Callable[[Request, Exception], Awaitable[Response] | Response]

ERROR_TITLES = {
    400: N_("This request is not valid"),
    401: N_("Please log in"),
    403: N_("You may not do this"),
    404: N_("Not found"),
    405: N_("This request is not valid"),
    409: N_("This conflicts with existing data"),
    413: N_("This request is too large"),
    422: N_("Some values are not valid"),
    503: N_("The inventory is busy, try again in a moment"),
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    title = ERROR_TITLES.get(status, ERROR_TITLES[400])
    return render(
        request, "error.html", {"status": status, "title": title, "detail": detail}, status_code=status
    )


def _delegate(
    app: FastAPI, exc_class: type[Exception], page: Callable[[Request, Exception], Response]
) -> None:
    """Pages get `page`; the API keeps the handler `create_app` (or FastAPI) installed before."""
    previous: Handler | None = app.exception_handlers.get(exc_class)

    async def handler(request: Request, exc: Exception) -> Response:
        if _is_api(request) and previous is not None:
            answer = previous(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        return page(request, exc)

    app.add_exception_handler(exc_class, handler)


def _service_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    # A donor asking for another donor's batch gets the same page as for a batch that does not exist.
    return error_page(request, exc.status_code, exc.message if exc.status_code != 404 else None)


def _http_error_page(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return error_page(request, status)


def _validation_page(request: Request, exc: Exception) -> Response:
    return error_page(request, 422)


def _status_page(status: int) -> Callable[[Request, Exception], Response]:
    def page(request: Request, _exc: Exception) -> Response:
        return error_page(request, status)

    return page


def register(app: FastAPI) -> None:
    from server_stub.web.pages import auth_pages, batch_pages, dashboard_pages, device_pages, station_pages

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth_pages, dashboard_pages, batch_pages, station_pages, device_pages):
        app.include_router(module.router, include_in_schema=False)

    @app.exception_handler(LoginRequired)
    async def login_required(_request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(login_url(exc.next_url), status_code=303)

    @app.exception_handler(PageForbidden)
    async def forbidden(request: Request, _exc: PageForbidden) -> Response:
        return error_page(request, 403)

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, _exc: CsrfRejected) -> Response:
        return error_page(
            request,
            403,
            N_("This form expired or did not come from this site. Go back, reload the page and try again."),
        )

    _delegate(app, ServiceError, _service_error_page)
    _delegate(app, HTTPException, _http_error_page)
    _delegate(app, RequestValidationError, _validation_page)
    # Database trouble on a page: the same statuses as the API (`create_app`'s handlers), as pages.
    _delegate(app, IntegrityError, _status_page(409))
    _delegate(app, DataError, _status_page(422))
    _delegate(app, OperationalError, _status_page(503))
    _delegate(app, OverflowError, _status_page(422))


__all__ = ["STATIC", "error_page", "register"]
