"""Tax ids as Stripe types them: a Chilean RUT is ``cl_tin``, a Brazilian CNPJ ``br_cnpj``
and a CPF ``br_cpf``. Each is checked by its check digits before it is kept, so Stripe
never refuses one we accepted; a tax id of any other country is kept as it is and shown
on invoices as a custom field instead (docs/billing.md, "Fiscal data")."""

from __future__ import annotations

import re

from chalicelib.domain.errors import Invalid

_RUT = re.compile(r"^(\d{1,2})\.?(\d{3})\.?(\d{3})-?([\dkK])$")
_CNPJ = re.compile(r"^\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}$")
_CPF = re.compile(r"^\d{3}\.?\d{3}\.?\d{3}-?\d{2}$")


def _rut_digit(body: str) -> str:
    total, factor = 0, 2
    for digit in reversed(body):
        total += int(digit) * factor
        factor = 2 if factor == 7 else factor + 1
    rest = 11 - total % 11
    return {11: "0", 10: "K"}.get(rest, str(rest))


def _mod11_digits(digits: str, weights: list[int]) -> str:
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=False))
    rest = total % 11
    return "0" if rest < 2 else str(11 - rest)


def _cnpj_ok(digits: str) -> bool:
    if len(set(digits)) == 1:
        return False
    first = _mod11_digits(digits[:12], [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
    second = _mod11_digits(digits[:12] + first, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
    return digits[12:] == first + second


def _cpf_ok(digits: str) -> bool:
    if len(set(digits)) == 1:
        return False
    first = _mod11_digits(digits[:9], list(range(10, 1, -1)))
    second = _mod11_digits(digits[:9] + first, list(range(11, 1, -1)))
    return digits[9:] == first + second


def _refuse(kind: str) -> Invalid:
    return Invalid(
        f"The tax id looks like a {kind} but its check digit is wrong.",
        code="validation_error",
        details=[{"loc": ["body", "fiscal", "tax_id"], "msg": f"not a valid {kind}",
                  "type": "tax_id"}],
    )  # fmt: skip


def stripe_tax_id(value: str | None) -> tuple[str, str] | None:
    """``(type, value)`` as Stripe takes it, ``None`` for a tax id of another country (or
    none); ``Invalid`` for a RUT, CNPJ or CPF whose check digits are wrong."""
    text = (value or "").strip()
    if not text:
        return None
    rut = _RUT.match(text)
    if rut:
        body = "".join(rut.groups()[:3]).lstrip("0") or "0"
        digit = rut.group(4).upper()
        if _rut_digit(body) != digit:
            raise _refuse("Chilean RUT")
        n = int(body)
        return "cl_tin", f"{n:,}".replace(",", ".") + f"-{digit}"
    digits = re.sub(r"\D", "", text)
    if _CNPJ.match(text):
        if not _cnpj_ok(digits):
            raise _refuse("Brazilian CNPJ")
        return "br_cnpj", f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"
    if _CPF.match(text):
        if not _cpf_ok(digits):
            raise _refuse("Brazilian CPF")
        return "br_cpf", f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"
    return None


def check(value: str | None) -> None:
    """Refuse a RUT, CNPJ or CPF with wrong check digits (``Invalid``)."""
    stripe_tax_id(value)
