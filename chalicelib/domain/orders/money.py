"""Money: integer amounts in a currency's minor unit, and how people read them.

Every amount in orders, payments and products is an ``int`` of the currency's minor
unit with its ISO 4217 exponent: ``15000`` CLP is $15.000 (no decimals), ``15000``
BRL is R$ 150,00. Only the currencies of :data:`EXPONENTS` are accepted.

:func:`format_amount` writes an amount the way a message to a client shows it. It is
deliberately simple (no CLDR): the symbol of :data:`SYMBOLS` (or the code), then the
number grouped by thousands, with the separators of the language: Spanish and
Portuguese group with ``.`` and mark decimals with ``,``; English the other way.
The sign comes first; a one-character sign is glued to the number (``$15.000``,
``€20,00``), a longer one or a code is set apart by a space (``R$ 150,00``,
``US$ 1,500.00``, ``CHF 12.50``). The US dollar is ``US$`` so it is never read as
pesos; a negative amount starts with ``-``.
"""

from __future__ import annotations

from chalicelib.domain.errors import Invalid

EXPONENTS: dict[str, int] = {
    "CLP": 0,
    "BRL": 2,
    "USD": 2,
    "EUR": 2,
    "MXN": 2,
    "COP": 2,
    "PEN": 2,
    "ARS": 2,
    "UYU": 2,
    "PYG": 0,
    "BOB": 2,
    "GTQ": 2,
    "CRC": 2,
    "DOP": 2,
    "JPY": 0,
    "KRW": 0,
    "GBP": 2,
    "CAD": 2,
    "AUD": 2,
    "CHF": 2,
    "CNY": 2,
    "INR": 2,
}

# The sign a client of the region reads. The local currency of a "$" country keeps the
# bare "$" (CLP, MXN, COP, ARS); the US dollar is "US$" so that it is never taken for
# pesos. Currencies missing here are written with their code ("CHF 12.50").
SYMBOLS: dict[str, str] = {
    "CLP": "$",
    "MXN": "$",
    "COP": "$",
    "ARS": "$",
    "UYU": "$U",
    "USD": "US$",
    "BRL": "R$",
    "EUR": "€",
    "PEN": "S/",
    "PYG": "₲",
    "BOB": "Bs",
    "GTQ": "Q",
    "CRC": "₡",
    "DOP": "RD$",
    "JPY": "¥",
    "KRW": "₩",
    "GBP": "£",
    "CAD": "CA$",
    "AUD": "A$",
    "CNY": "CN¥",
    "INR": "₹",
}

# Languages that write 1,500.00; every other (es, pt, …) writes 1.500,00.
_DOT_DECIMAL_LANGUAGES = frozenset({"en", "ja", "ko", "zh"})


def exponent(code: str) -> int:
    """The number of decimals of ``code``'s minor unit; 400 for a currency not taken."""
    found = EXPONENTS.get(code)
    if found is None:
        raise Invalid(
            f"The currency {code!r} is not one Atiende takes (an ISO 4217 code in "
            "upper case, such as CLP, BRL or USD).",
            code="validation_error",
            details=[{"loc": ["body", "currency"], "msg": "unknown currency",
                      "type": "unknown_currency"}],
        )  # fmt: skip
    return found


def format_amount(amount: int, currency: str, locale: str) -> str:
    """``amount`` (minor units) as a client reads it: ``$15.000``, ``R$ 150,00``, ``US$ 1,500.00``."""
    digits = exponent(currency)
    language = (locale or "es").replace("_", "-").split("-")[0].lower()
    thousands, decimal = (",", ".") if language in _DOT_DECIMAL_LANGUAGES else (".", ",")
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**digits)
    number = f"{whole:,}".replace(",", thousands)
    if digits:
        number += decimal + str(fraction).rjust(digits, "0")
    symbol = SYMBOLS.get(currency, currency)
    # A one-sign symbol is glued to the number ("$15.000", "€20,00"); a longer one, or a
    # code, is set apart ("R$ 150,00", "US$ 1,500.00", "CHF 12.50").
    separator = " " if len(symbol) > 1 else ""
    return f"{sign}{symbol}{separator}{number}"


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
