"""Custom fields of clients and tickets: their definitions and the values that fill them.

An admin defines fields (``/v1/custom-fields``); clients and tickets carry values
keyed by the field's ``key``. Every writer of values calls ``validate_values`` so a
value is checked the same way wherever it comes from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Literal

from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.settings_items import CUSTOM_FIELDS, Kind, SettingsItem
from chalicelib.domain.errors import Invalid
from chalicelib.store.base import every_item

AppliesTo = Literal["client", "ticket"]
FieldType = Literal["text", "number", "date", "select"]
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
MAX_TEXT = 2000
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Definitions(Kind):
    """CUSTOM_FIELDS, refusing a new ``key`` or ``applies_to``: stored values are keyed by them."""

    def update(
        self,
        principal: Principal,
        item_id: str,
        changes: dict[str, Any],
        validate: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> SettingsItem:
        current = self.get(principal.tenant_id, item_id)
        fixed = [f for f in ("key", "applies_to") if f in changes and changes[f] != current.data[f]]
        if fixed:
            raise Invalid(
                "The key and what a custom field applies to cannot change once created: "
                "data already refers to them. Create another field instead.",
                code="validation_error",
                details=[
                    {"loc": ["body", f], "msg": "cannot change", "type": "immutable"} for f in fixed
                ],
            )
        return super().update(principal, item_id, changes, validate)


DEFINITIONS = Definitions(
    CUSTOM_FIELDS.entity, CUSTOM_FIELDS.counter, CUSTOM_FIELDS.unique_field, CUSTOM_FIELDS.label
)


PAGE_SIZE = 100


def definitions(tenant_id: str, applies_to: AppliesTo) -> dict[str, dict[str, Any]]:
    """The tenant's fields for clients or tickets, by key."""
    pages = every_item(lambda cursor: CUSTOM_FIELDS.page(tenant_id, PAGE_SIZE, cursor))
    return {i.data["key"]: i.data for i in pages if i.data["applies_to"] == applies_to}


def _text(value: Any, field: dict[str, Any]) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text", "string_type")
    if len(value) > MAX_TEXT:
        raise ValueError(f"at most {MAX_TEXT} characters", "string_too_long")
    return value


def _number(value: Any, field: dict[str, Any]) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("must be a number", "number_type")
    return value


def _date(value: Any, field: dict[str, Any]) -> str:
    try:
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise ValueError("must be a date as YYYY-MM-DD", "date_format")


def _select(value: Any, field: dict[str, Any]) -> str:
    """One of the options; matched regardless of case, returned as the option is spelt."""
    if isinstance(value, str):
        for option in field["options"]:
            if option.casefold() == value.casefold():
                return str(option)
    raise ValueError("must be one of: " + ", ".join(field["options"]), "enum")


CHECKS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "text": _text,
    "number": _number,
    "date": _date,
    "select": _select,
}


def validate_values(
    tenant_id: str,
    applies_to: AppliesTo,
    values: dict[str, Any],
    *,
    loc: Sequence[str | int] = ("body", "custom_fields"),
) -> dict[str, Any]:
    """Check ``values`` against the tenant's definitions; return them normalised.

    Text is stripped; an empty or null value means "not filled" and is left out of
    the result (a required field then reports it missing). Every problem is reported
    at once, each under ``loc + [key]``.
    """
    fields = definitions(tenant_id, applies_to)
    problems = [
        (key, "no such custom field", "extra_forbidden") for key in values if key not in fields
    ]
    clean: dict[str, Any] = {}
    for key, field in fields.items():
        value = values.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if field.get("required"):
                problems.append((key, "required", "missing"))
            continue
        try:
            clean[key] = CHECKS[field["type"]](value, field)
        except ValueError as exc:
            problems.append((key, *exc.args))
    if problems:
        raise Invalid(
            "Some custom fields are not valid: "
            + ", ".join(sorted({p[0] for p in problems}))
            + ".",
            code="validation_error",
            details=[{"loc": [*loc, key], "msg": msg, "type": kind} for key, msg, kind in problems],
        )
    return clean
