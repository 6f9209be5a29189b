"""Every error the API returns: ``{"error": {"code", "message", "details"}}`` (SPEC §10).

The edge raises these itself (a body that is not JSON, an unknown route); the domain raises
its own (:mod:`chalicelib.domain.errors`), which :func:`as_http` maps to a status here and
nowhere else.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from chalicelib.domain import errors as domain


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
    """Turn pydantic's field errors into a 400 whose details name each field (never the
    rejected input: it may hold a password or a secret)."""
    details = domain.field_problems(exc, where=where)
    return BadRequest("The request is not valid.", code="validation_error", details=details)


#: The status of each kind of domain refusal: the one place a domain error becomes HTTP.
STATUS_OF: dict[type[domain.DomainError], type[AppError]] = {
    domain.Invalid: BadRequest,
    domain.Unauthenticated: Unauthorized,
    domain.LimitReached: PaymentRequired,
    domain.PaymentFailed: PaymentRequired,
    domain.Forbidden: Forbidden,
    domain.NotFound: NotFound,
    domain.Conflict: Conflict,
    domain.Gone: Gone,
    domain.Throttled: TooManyRequests,
    domain.Unavailable: ServiceUnavailable,
}

#: What a route's handler may raise and have answered in the format above.
ANSWERED = (AppError, domain.DomainError)


def as_http(exc: AppError | domain.DomainError) -> AppError:
    """The HTTP error that answers ``exc``: itself if it is one, else its kind's status with
    the domain's code, message and details (a refusal of no known kind is a 500)."""
    if isinstance(exc, AppError):
        return exc
    if isinstance(exc, domain.Throttled):
        return TooManyRequests(
            exc.message, code=exc.code, details=exc.details, retry_after=exc.retry_after
        )
    kind = next((STATUS_OF[k] for k in type(exc).__mro__ if k in STATUS_OF), AppError)
    return kind(exc.message, code=exc.code, details=exc.details)
