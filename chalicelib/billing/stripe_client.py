"""The one door to Stripe: the official SDK, imported on first use (cold starts of the
routes that never bill do not pay for it), pointed at ``STRIPE_API_BASE`` when set (the
fake Stripe server of the tests and ``make run``).

Every call goes through ``call``: it returns Stripe's object as plain ``dict``s and turns
Stripe's errors into the domain's (a declined card is 402 ``card_declined``, Stripe
unreachable is 503), never showing a key. Every POST carries an Idempotency-Key derived
from what the request asks and the state it asks it of (``idempotency_key``), so a
retried Lambda never charges twice and a later, different change is never answered with
an earlier one's result.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from chalicelib.domain.errors import Conflict, Invalid, NotFound, PaymentFailed, Unavailable
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)

NOT_CONFIGURED = "Billing is not configured on this Atiende: there are no Stripe keys. The Free plan works; paid plans need STRIPE_API_KEY."


def configured() -> bool:
    return get_settings().stripe_api_key is not None


def require_configured() -> None:
    if not configured():
        raise Unavailable(NOT_CONFIGURED, code="billing_not_configured")


@cache
def _client(api_key: str, api_base: str | None) -> Any:
    import stripe  # lazily: ~100 ms and several MB that only billing needs

    bases: Any = {"api": api_base.rstrip("/")} if api_base else None
    return stripe.StripeClient(api_key, base_addresses=bases, max_network_retries=2)


def client() -> Any:
    """The configured ``StripeClient``; 503 ``billing_not_configured`` without keys."""
    settings = get_settings()
    require_configured()
    assert settings.stripe_api_key is not None
    return _client(settings.stripe_api_key.get_secret_value(), settings.stripe_api_base)


def idempotency_key(*parts: Any) -> str:
    """A key for one intended change: the same request against the same state gives the
    same key (a retry is answered by Stripe with the first result, not done twice)."""
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return "atiende-" + hashlib.sha256(blob.encode()).hexdigest()[:48]


def as_dict(obj: Any) -> Any:
    """A Stripe object (or list of them) as plain JSON-like data."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return obj


def call(
    operation: Callable[..., Any],
    *ids: str,
    params: dict[str, Any] | None = None,
    key: str | None = None,
) -> Any:
    """``operation(*ids, params=…, options=…)`` (e.g. ``client().v1.customers.update``,
    ``"cus_…"``) with Stripe's errors as the domain's; ``key``: the Idempotency-Key."""
    import stripe

    options: dict[str, Any] = {"idempotency_key": key} if key else {}
    try:
        result = operation(*ids, params=params or {}, options=options)
    except stripe.CardError as exc:
        raise PaymentFailed(
            _message(exc) or "The card was declined.",
            details={"decline_code": getattr(exc, "code", None)},
        ) from exc
    except stripe.InvalidRequestError as exc:
        if getattr(exc, "http_status", None) == 404:
            raise NotFound(_message(exc) or "Not found at Stripe.", code="not_found") from exc
        raise Invalid(_message(exc) or "Stripe refused the request.",
                      code="stripe_invalid_request",
                      details={"param": getattr(exc, "param", None)}) from exc  # fmt: skip
    except stripe.IdempotencyError as exc:
        raise Conflict("A retried billing request did not match its first attempt.",
                       code="idempotency_conflict") from exc  # fmt: skip
    except stripe.AuthenticationError as exc:
        log.error("Stripe refused the API key")
        raise Unavailable("Stripe refused Atiende's API key; billing is unavailable.",
                          code="billing_unavailable") from exc  # fmt: skip
    except stripe.StripeError as exc:  # connection, rate limit, Stripe's own failure
        log.warning("Stripe did not answer: %s", type(exc).__name__)
        raise Unavailable("Stripe did not answer; nothing was changed. Try again in a moment.",
                          code="billing_unavailable") from exc  # fmt: skip
    return as_dict(result)


def _message(exc: Any) -> str | None:
    error = getattr(exc, "error", None)
    return getattr(error, "message", None) or getattr(exc, "user_message", None)
