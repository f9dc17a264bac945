"""The app factory: `create_app(settings)` builds one independent service (its own database).

Nothing is created at import, so tests, benchmarks and the demo each run their own database.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server_stub import auth, crud, signatures
from server_stub.config import Settings
from server_stub.db import Database, make_database
from server_stub.errors import ServiceError
from server_stub.ingest import IngestWriter

API_PREFIX = "/api/v1"
log = logging.getLogger("atelier.server")


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body larger than {limit} bytes")


class BodyLimitMiddleware:
    """413 for bodies over the limit: announced (Content-Length) or streamed (chunked)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send: Send, status: int, detail: str) -> None:
        body = JSONResponse({"detail": detail}, status_code=status)
        await send({"type": "http.response.start", "status": status, "headers": body.raw_headers})
        await send({"type": "http.response.body", "body": body.body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    announced = int(value)
                except ValueError:
                    await self._reject(send, 400, "invalid Content-Length header")
                    return
                if announced > self.max_bytes:
                    await self._reject(send, 413, f"request body larger than {self.max_bytes} bytes")
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(send, 413, f"request body larger than {self.max_bytes} bytes")


class ServerTimingMiddleware:
    """`Server-Timing: app;dur=<ms>` on every answer: the time spent in the app (benchmarks, UI)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed = (time.perf_counter() - start) * 1000
                headers = [*message.get("headers", []), (b"server-timing", f"app;dur={elapsed:.2f}".encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed_send)


class IngestFastPath:
    """`POST /api/v1/reports` handed straight to its endpoint, past FastAPI's router.

    Every agent run ends with this request, and the machinery around a plain endpoint (route
    matching over every API and web route, dependency solving, the exit-stack middleware,
    response validation) cost about as much CPU as validating the report. The endpoint is the
    same function FastAPI registers (so OpenAPI documents it and the router still serves it if
    this is removed); errors go through the app's own exception handlers, and the body limit and
    Server-Timing middlewares still wrap it.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        path: str,
        endpoint: Callable[[Request], Awaitable[Response]],
        handlers: Callable[[], dict[Any, Any]],
    ) -> None:
        self.app = app
        self.path = path
        self.endpoint = endpoint
        self.handlers = handlers
        self._inner: ASGIApp | None = None

    async def _call_endpoint(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.endpoint(Request(scope, receive, send))
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        if self._inner is None:
            # Built at the first report: the handlers are complete once the app is.
            handlers = {k: v for k, v in self.handlers().items() if k not in (500, Exception)}
            self._inner = ExceptionMiddleware(self._call_endpoint, handlers=handlers)
        await self._inner(scope, receive, send)


def _problem(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        if exc.status_code == 422:
            loc: list[str] = exc.field.split(".") if exc.field else []
            if not loc or loc[0] not in ("body", "query", "path", "header", "cookie"):
                loc = ["body", *loc]
            return _problem(422, [{"loc": loc, "msg": exc.message, "type": "value_error"}])
        return _problem(exc.status_code, exc.message, headers)

    @app.exception_handler(IntegrityError)
    async def integrity_error(_request: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error answered 409: %s", exc.orig)
        return _problem(409, "conflicts with existing data (duplicate or still referenced)")

    @app.exception_handler(DataError)
    async def data_error(_request: Request, exc: DataError) -> JSONResponse:
        log.info("data error answered 422: %s", exc.orig)
        return _problem(
            422, [{"loc": ["body"], "msg": "value out of range for the database", "type": "value_error"}]
        )

    @app.exception_handler(OverflowError)
    async def overflow_error(_request: Request, exc: OverflowError) -> JSONResponse:
        # SQLite integers are 64-bit: a larger number in a report cannot be stored.
        return _problem(422, [{"loc": ["body"], "msg": "number too large to store", "type": "value_error"}])

    @app.exception_handler(OperationalError)
    async def operational_error(_request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database busy or unavailable: %s", exc.orig)
        return _problem(503, "database busy or unavailable, retry shortly", {"Retry-After": "2"})

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for error in exc.errors():
            item = {k: error[k] for k in ("loc", "msg", "type") if k in error}
            errors.append(item)
        return _problem(422, errors)


def bootstrap_admin(db: Database, settings: Settings) -> str | None:
    """Create the first admin when there is no user at all; returns its password to print once."""
    with db.session(write=True) as session:
        if crud.count_users(session):
            return None
        password = settings.admin_password.get_secret_value() or auth.generate_password()
        crud.create_user(
            session,
            username="admin",
            password=password,
            role="admin",
            log2_n=settings.scrypt_log2_n,
            actor="system",
        )
        return password


def _include_routes(app: FastAPI) -> None:
    from server_stub.api.routes import auth as auth_routes
    from server_stub.api.routes import devices, exports, health, intake, outcomes, reports, stations

    # Devices last: "/devices/{asset_code:path}" (asset codes may hold "/", e.g. "2025/0042")
    # would otherwise swallow "/devices/{asset_code}/outcomes" and "/glpi.json".
    for module in (health, auth_routes, reports, outcomes, exports, stations, intake, devices):
        app.include_router(module.router, prefix=API_PREFIX)


def _include_web(app: FastAPI) -> None:
    """The web UI (server_stub.web) registers its pages when it is present."""
    import importlib
    import importlib.util

    if importlib.util.find_spec("server_stub.web") is None:
        return
    web = importlib.import_module("server_stub.web")
    register = getattr(web, "register", None)
    if callable(register):
        register(app)


def prepare_for_serving() -> None:
    """Ready a serving process once its app is built: report validators built, collector tuned.

    The report schema's validators are built on first use (about a second of CPU: the schema
    reads its own docstrings): done here, not in the first agent's request. A posted report becomes tens of thousands of Python objects that live a few milliseconds;
    with the default threshold (700 allocations) the collector ran dozens of times per report and,
    every few reports, walked every object of the process (FastAPI, SQLAlchemy, the schema):
    ~2 ms of CPU per report, a fifth of the whole request. Objects built at start-up are frozen
    out of the collector's walks, and the youngest generation is collected every 50 000
    allocations: most of a request's objects are then freed by reference counting before any
    collection sees them.
    """
    from pydantic import ValidationError

    from agent.report import Report

    with contextlib.suppress(ValidationError):  # expected: only building the validator mattered
        Report.model_validate_json("{}")
    signatures.warm_up()
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def create_app_from_environment() -> FastAPI:
    """The app of one uvicorn worker process (`atelier-server --workers N`).

    Settings come from the `ATELIER_SERVER_*` variables the parent process set; the parent already
    migrated the database and created the first admin, so workers only open it.
    """
    app = create_app(Settings(migrate_on_start=False))
    prepare_for_serving()
    return app


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    settings = settings or Settings()
    db = database or make_database(settings)
    if settings.migrate_on_start:
        from server_stub.migrate import upgrade

        upgrade(settings, db.engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        db.dispose()

    app = FastAPI(
        title="Atelier — central inventory",
        version="1.0",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.ingest = IngestWriter(db, group_commit=settings.ingest_group_commit)
    app.state.signing_key = settings.signing_key()
    app.state.first_admin_password = bootstrap_admin(db, settings)
    from server_stub.api.routes.reports import post_report

    app.add_middleware(
        IngestFastPath,
        path=f"{API_PREFIX}/reports",
        endpoint=post_report,
        handlers=lambda: dict(app.exception_handlers),
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(ServerTimingMiddleware)
    install_error_handlers(app)
    _include_routes(app)
    if settings.web_ui:
        _include_web(app)
    return app


__all__ = [
    "API_PREFIX",
    "BodyLimitMiddleware",
    "IngestFastPath",
    "bootstrap_admin",
    "create_app",
    "create_app_from_environment",
    "prepare_for_serving",
]
