"""The establishment (company data, fiscal data) and the account page's summary."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, EmailStr, Field

from chalicelib.api.auth import _validate_timezone
from chalicelib.domain.accounts import people, tenants
from chalicelib.domain.accounts.people import UserOut
from chalicelib.domain.accounts.settings_items import DEPARTMENTS, QUICK_REPLIES
from chalicelib.domain.billing import customers, tax_ids
from chalicelib.domain.channels.service import list_channels
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "establishment")


class Fiscal(RequestModel):
    legal_name: str | None = Field(None, max_length=200)
    tax_id: str | None = Field(None, max_length=50)
    billing_address: str | None = Field(None, max_length=300)
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    purchase_order: str | None = Field(None, max_length=100)


class EstablishmentOut(ResponseModel):
    id: str
    name: str
    admin_email: str
    address: str | None
    locale: Literal["es", "pt", "en"]
    timezone: str
    plan: str
    fiscal: Fiscal


class EstablishmentPatch(RequestModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    admin_email: EmailStr | None = None
    address: str | None = Field(None, max_length=300)
    locale: Literal["es", "pt", "en"] | None = None
    timezone: str | None = Field(None, min_length=1, max_length=64)
    fiscal: Fiscal | None = None


class NamedItem(BaseModel):
    id: str
    name: str


class ChannelItem(NamedItem):
    type: str
    status: str


class Section(BaseModel):
    count: int
    first: list[Any]


class SummaryOut(ResponseModel):
    establishment: EstablishmentOut
    users: Section
    channels: Section
    quick_replies: Section
    departments: Section


def _out(tenant: Any) -> EstablishmentOut:
    return EstablishmentOut(
        id=tenant.tenant_id,
        name=tenant.name,
        admin_email=tenant.admin_email,
        address=tenant.address,
        locale=tenant.locale,
        timezone=tenant.timezone,
        plan=tenant.plan,
        fiscal=Fiscal(**(tenant.fiscal or {})),
    )


@resource.route(
    "/v1/establishment",
    summary="The company's data and fiscal data.",
    response=EstablishmentOut,
    action="account.read",
)
def get_establishment(call: Call) -> EstablishmentOut:
    return _out(tenants.get_tenant(call.principal.tenant_id))


@resource.route(
    "/v1/establishment",
    "PATCH",
    summary="Edit the company's data and fiscal data.",
    body=EstablishmentPatch,
    response=EstablishmentOut,
    action="account.manage",
)
def patch_establishment(call: Call) -> EstablishmentOut:
    changes = call.body.model_dump(exclude_unset=True, exclude_none=True)
    if "timezone" in changes:
        _validate_timezone(changes["timezone"])
    if "admin_email" in changes:
        changes["admin_email"] = str(changes["admin_email"])
    if "tax_id" in changes.get("fiscal", {}):
        tax_ids.check(changes["fiscal"]["tax_id"])  # a RUT, CNPJ or CPF: its check digits
    tenant = tenants.update_establishment(call.principal, changes)
    if {"fiscal", "name", "admin_email", "locale"} & set(changes):
        customers.follow(tenant)  # the Stripe customer, if there is one, follows
    return _out(tenant)


@resource.route(
    "/v1/account/summary",
    summary="The account page: counts and first items of users, channels, quick replies, departments.",
    response=SummaryOut,
    action="account.read",
)
def account_summary(call: Call) -> SummaryOut:
    tenant_id = call.principal.tenant_id
    tenant = tenants.get_tenant(tenant_id)
    counts = dict(
        tenant.counts.as_dict() if hasattr(tenant.counts, "as_dict") else tenant.counts or {}
    )
    users, _ = people.list_users(tenant_id, 5, None)
    replies, _ = QUICK_REPLIES.page(tenant_id, 5, None)
    departments, _ = DEPARTMENTS.page(tenant_id, 5, None)
    channels, _ = list_channels(tenant_id, 5, None)
    return SummaryOut(
        establishment=_out(tenant),
        users=Section(count=int(counts.get("users", 0)), first=[UserOut.of(u) for u in users]),
        channels=Section(
            count=int(counts.get("channels", 0)),
            first=[
                ChannelItem(id=c.channel_id, name=c.name, type=c.channel_type, status=c.status)
                for c in channels
            ],
        ),
        quick_replies=Section(
            count=int(counts.get("quick_replies", 0)),
            first=[NamedItem(id=r.item_id, name=r.data["shortcut"]) for r in replies],
        ),
        departments=Section(
            count=int(counts.get("departments", 0)),
            first=[NamedItem(id=d.item_id, name=d.data["name"]) for d in departments],
        ),
    )
