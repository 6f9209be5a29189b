"""What the product refuses, in its own words.

The domain raises these and knows nothing of HTTP: one mapping at the edge
(:func:`chalicelib.http.errors.as_http`) gives each kind its status, and a job reads them
as they are. ``code`` names the refusal for programs (``ticket_merged``, ``plan_limit``),
``message`` says it to people and ``details`` points at the fields or values concerned.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


class DomainError(Exception):
    """A refusal the caller can act on. Subclasses say which kind."""

    code = "refused"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class Invalid(DomainError):
    """The input cannot be taken as it is (a field, a reference, a token's form)."""

    code = "bad_request"


class Unauthenticated(DomainError):
    """Who is calling is not known: no credentials, wrong ones or an ended session."""

    code = "unauthorized"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    code = "forbidden"


class NotFound(DomainError):
    """There is no such thing, or not one the caller may know of."""

    code = "not_found"


class Conflict(DomainError):
    """The thing is not in a state that allows this (closed, merged, changed meanwhile)."""

    code = "conflict"


class Gone(DomainError):
    """The thing existed and was ended for good (a disconnected chat, an expired link)."""

    code = "gone"


class LimitReached(DomainError):
    """The account's plan allows no more of this."""

    code = "plan_limit"


class PaymentFailed(DomainError):
    """The payment provider refused the charge (a declined card); nothing changed."""

    code = "card_declined"


class Throttled(DomainError):
    """Too many attempts: try again in ``retry_after`` seconds (at least one)."""

    code = "throttled"

    def __init__(self, message: str, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))


class Unavailable(DomainError):
    """A part the product needs is not configured or not answering; nothing was done."""

    code = "unavailable"


def field_problems(exc: ValidationError, *, where: str = "body") -> list[dict[str, Any]]:
    """Pydantic's field errors as ``details``: where, what and which kind, for each field.

    The rejected input itself is left out: it may hold a password or a secret.
    """
    return [
        {"loc": [where, *err["loc"]], "msg": err["msg"], "type": err["type"]}
        for err in exc.errors(include_url=False, include_input=False, include_context=False)
    ]


def invalid_fields(exc: ValidationError, *, where: str = "body") -> Invalid:
    """A refusal of the input whose details name each field pydantic refused."""
    return Invalid(
        "The request is not valid.",
        code="validation_error",
        details=field_problems(exc, where=where),
    )
