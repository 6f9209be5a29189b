"""Money: integer amounts of a currency's minor unit, with the currency's own ISO 4217
exponent (CLP has none, BRL and USD two). The currencies Atiende takes are the table
below; any other code is refused."""

from __future__ import annotations

from chalicelib.domain.errors import Invalid

#: ISO 4217 code -> exponent (digits of the minor unit)
EXPONENTS: dict[str, int] = {
    # the Americas
    "ARS": 2, "BOB": 2, "BRL": 2, "CAD": 2, "CLP": 0, "COP": 2, "CRC": 2, "DOP": 2,
    "GTQ": 2, "HNL": 2, "MXN": 2, "NIO": 2, "PAB": 2, "PEN": 2, "PYG": 0, "USD": 2,
    "UYU": 2, "VES": 2, "BZD": 2, "JMD": 2, "TTD": 2, "HTG": 2, "BSD": 2,
    # Europe
    "EUR": 2, "GBP": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2,
    "HUF": 2, "RON": 2, "ISK": 0, "TRY": 2,
    # Asia, Oceania, Africa
    "JPY": 0, "KRW": 0, "CNY": 2, "HKD": 2, "SGD": 2, "INR": 2, "IDR": 2, "VND": 0,
    "AUD": 2, "NZD": 2, "ZAR": 2, "ILS": 2, "AED": 2, "KWD": 3, "BHD": 3, "JOD": 3,
    "OMR": 3, "TND": 3,
}  # fmt: skip


def exponent(currency: str) -> int:
    """Digits of ``currency``'s minor unit; 400 for a code not in the table."""
    found = EXPONENTS.get(currency)
    if found is None:
        raise Invalid(
            f"The currency {currency!r} is not one Atiende takes (an ISO 4217 code in "
            "upper case, such as CLP, BRL or USD).",
            code="validation_error",
            details=[{"loc": ["body", "currency"], "msg": "unknown currency",
                      "type": "unknown_currency"}],
        )  # fmt: skip
    return found


def check_currency(currency: str) -> str:
    """``currency`` if Atiende takes it; 400 otherwise."""
    exponent(currency)
    return currency


def payment_state(total: int, paid: int) -> str:
    """What the reconciled money ``paid`` makes of an order of ``total``."""
    if paid > total:
        return "overpaid"
    if paid == total:
        return "paid"
    return "partially_paid" if paid > 0 else "unpaid"
