"""Domain errors raised by `crud` and turned into precise HTTP answers (never a 500) by `main`."""

from __future__ import annotations


class ServiceError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: Dotted path of the input field at fault, for 422 answers ("body.asset_code").
        self.field = field


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    status_code = 409


class Forbidden(ServiceError):
    status_code = 403


class Unauthorized(ServiceError):
    status_code = 401


class InvalidInput(ServiceError):
    status_code = 422


__all__ = ["Conflict", "Forbidden", "InvalidInput", "NotFound", "ServiceError", "Unauthorized"]
