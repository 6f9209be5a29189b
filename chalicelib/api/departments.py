"""Departments of the company (seed 000): a name and a description."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from chalicelib.api.settings_crud import crud_routes
from chalicelib.domain.accounts.settings_items import DEPARTMENTS, SettingsItem
from chalicelib.http.routing import RequestModel, Resource, ResponseModel

resource = Resource(__name__, "departments")


class DepartmentIn(RequestModel):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=500)


class DepartmentPatch(RequestModel):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=500)


class DepartmentOut(ResponseModel):
    id: str
    name: str
    description: str
    created_at: datetime
    updated_at: datetime


def department_out(item: SettingsItem) -> DepartmentOut:
    return DepartmentOut(
        id=item.item_id, created_at=item.created_at, updated_at=item.updated_at, **item.data
    )


crud_routes(
    resource,
    path="/v1/departments",
    kind=DEPARTMENTS,
    body=DepartmentIn,
    patch=DepartmentPatch,
    out=DepartmentOut,
    read_action="departments.read",
    manage_action="departments.manage",
    to_out=department_out,
)
