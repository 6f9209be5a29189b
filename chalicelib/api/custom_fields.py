"""Custom fields (SPEC §2): extra data an admin defines for clients and tickets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from chalicelib.api.settings_crud import crud_routes
from chalicelib.domain.accounts.custom_fields import (
    DEFINITIONS,
    KEY_PATTERN,
    AppliesTo,
    FieldType,
)
from chalicelib.domain.accounts.settings_items import SettingsItem
from chalicelib.http.errors import BadRequest
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "custom_fields")

Key = Annotated[str, Field(pattern=KEY_PATTERN)]
Option = Annotated[str, Field(min_length=1, max_length=100)]
Options = Annotated[list[Option], Field(max_length=100)]


class CustomFieldIn(RequestModel):
    applies_to: AppliesTo
    key: Key
    label: str = Field(min_length=1, max_length=100)
    type: FieldType
    options: Options = Field(default_factory=list)
    required: bool = False


class CustomFieldPatch(RequestModel):
    """``key`` and ``applies_to`` are accepted only unchanged (a client may send the whole form)."""

    applies_to: AppliesTo | None = None
    key: Key | None = None
    label: str | None = Field(None, min_length=1, max_length=100)
    type: FieldType | None = None
    options: Options | None = None
    required: bool | None = None


class CustomFieldOut(ResponseModel):
    id: str
    applies_to: AppliesTo
    key: str
    label: str
    type: FieldType
    options: list[str]
    required: bool
    created_at: datetime
    updated_at: datetime


def custom_field_out(item: SettingsItem) -> CustomFieldOut:
    return CustomFieldOut(
        id=item.item_id, created_at=item.created_at, updated_at=item.updated_at, **item.data
    )


def check_options(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """A select field needs distinct options (case aside: values match them so); others none."""
    options = data.get("options") or []
    problem = None
    if data["type"] != "select" and options:
        problem = ("only a select field has options", "options_not_allowed")
    elif data["type"] == "select" and not options:
        problem = ("a select field needs at least one option", "missing")
    elif len({o.casefold() for o in options}) != len(options):
        problem = ("options must be distinct", "unique")
    if problem:
        raise BadRequest(
            f"The options are not valid: {problem[0]}.",
            code="validation_error",
            details=[{"loc": ["body", "options"], "msg": problem[0], "type": problem[1]}],
        )
    return {**data, "options": options}


crud_routes(
    resource,
    path="/v1/custom-fields",
    kind=DEFINITIONS,
    body=CustomFieldIn,
    patch=CustomFieldPatch,
    out=CustomFieldOut,
    read_action="custom_fields.read",
    manage_action="custom_fields.manage",
    to_out=custom_field_out,
    prepare=check_options,
)
