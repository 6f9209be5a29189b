"""Clients (SPEC §4): see and edit a client's name, email, phone, RUT and custom fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from chalicelib.domain.helpdesk.clients import load_client, update_client
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel
from chalicelib.store.helpdesk import Client

resource = Resource(__name__, "clients")


class ClientPatch(RequestModel):
    """Only the fields given change. ``null`` removes an email, phone or RUT; in
    ``custom``, a key given ``null`` empties that field and keys left out stay."""

    name: str | None = Field(None, min_length=1, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    rut: str | None = Field(
        None, max_length=20, description="12.345.678-5, 12345678-5 or 123456785"
    )
    custom: dict[str, Any] | None = Field(None, max_length=100)

    @field_validator("name", "custom")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null")
        return value


class ClientOut(ResponseModel):
    id: str
    channel_id: str
    channel_type: str
    name: str | None
    handle: str | None
    email: str | None
    phone: str | None
    rut: str | None
    custom: dict[str, Any]
    open_ticket: int | None
    tickets: list[int]
    created_at: datetime
    updated_at: datetime | None


def client_out(client: Client) -> ClientOut:
    return ClientOut(
        id=client.client_id, channel_id=client.channel_id, channel_type=client.channel_type,
        name=client.name, handle=client.handle, email=client.email, phone=client.phone,
        rut=client.rut, custom=dict(client.custom or {}),
        open_ticket=int(client.open_ticket) if client.open_ticket is not None else None,
        tickets=[int(str(n)) for n in client.tickets or []],
        created_at=client.created_at, updated_at=client.updated_at,
    )  # fmt: skip


@resource.route(
    "/v1/clients/{client_id}", summary="A client (agents: of a ticket they may see).",
    response=ClientOut, action="clients.read",
)  # fmt: skip
def get(call: Call, client_id: str) -> ClientOut:
    return client_out(load_client(call.principal, client_id))


@resource.route(
    "/v1/clients/{client_id}", "PATCH",
    summary="Edit a client's name, email, phone, RUT or custom fields (recorded in history).",
    body=ClientPatch, response=ClientOut, action="clients.manage",
)  # fmt: skip
def patch(call: Call, client_id: str) -> ClientOut:
    changes = call.body.model_dump(exclude_unset=True)
    return client_out(update_client(call.principal, client_id, changes))
