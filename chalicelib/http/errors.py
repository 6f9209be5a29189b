"""Every error the API returns: ``{"error": {"code", "message", "details"}}`` (SPEC §10)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


class AppError(Exception):
    """An error with its HTTP status. Raised anywhere; rendered in one place."""

    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(AppError):
    status, code = 400, "bad_request"


class Unauthorized(AppError):
    status, code = 401, "unauthorized"


class PaymentRequired(AppError):
    status, code = 402, "plan_limit"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class MethodNotAllowed(AppError):
    status, code = 405, "method_not_allowed"


class Conflict(AppError):
    status, code = 409, "conflict"


class Gone(AppError):
    status, code = 410, "gone"


class PayloadTooLarge(AppError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(AppError):
    status, code = 415, "unsupported_media_type"


class TooManyRequests(AppError):
    status, code = 429, "throttled"

    def __init__(self, message: str, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.headers["Retry-After"] = str(max(1, retry_after))


class ServiceUnavailable(AppError):
    status, code = 503, "unavailable"


def validation_error(exc: ValidationError, *, where: str = "body") -> BadRequest:
    """Turn pydantic's field errors into a 400 whose details name each field.

    The rejected input itself is left out: it may hold a password or a secret.
    """
    details = [
        {
            "loc": [where, *exc_loc],
            "msg": err["msg"],
            "type": err["type"],
        }
        for err in exc.errors(include_url=False, include_input=False, include_context=False)
        for exc_loc in [list(err["loc"])]
    ]
    return BadRequest("The request is not valid.", code="validation_error", details=details)
