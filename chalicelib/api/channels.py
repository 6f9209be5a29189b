"""Channels: connect a provider account, configure it, disconnect it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from chalicelib.api.settings_crud import HistoryPage, history_page
from chalicelib.channels.events import ChannelType
from chalicelib.domain.channels import service
from chalicelib.domain.channels.settings import ChannelSettings
from chalicelib.http.pagination import PageQuery
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel
from chalicelib.store.channels import Channel

resource = Resource(__name__, "channels")


class ChannelIn(RequestModel):
    type: ChannelType
    name: str = Field(min_length=1, max_length=100)
    identifiers: dict[str, Any] = Field(default_factory=dict)
    credentials: dict[str, Any] = Field(default_factory=dict)
    settings: dict[str, Any] | None = None


class ChannelPatch(RequestModel):
    name: str | None = Field(None, min_length=1, max_length=100)
    #: only a chat channel's (site_name, allowed_origins), merged; others are fixed
    identifiers: dict[str, Any] | None = None
    settings: dict[str, Any] | None = None
    credentials: dict[str, Any] | None = None


class ChannelOut(ResponseModel):
    id: str
    type: ChannelType
    name: str
    status: str
    account_id: str
    identifiers: dict[str, Any]
    settings: ChannelSettings
    has_credentials: bool
    poll_error: str | None = Field(
        None, description="polled channels: why the last poll failed (e.g. refused credentials)"
    )
    poll_error_at: datetime | None = None
    polled_at: datetime | None = Field(None, description="polled channels: last good poll")
    credentials_expire_at: datetime | None = Field(
        None,
        description="when the provider says the credentials expire (Meta tokens, asked at "
        "connect and on replacement); null: never, or not known. The account contacts "
        "taking channel notices are emailed 7 days before",
    )
    created_at: datetime
    updated_at: datetime


class ChannelPage(ResponseModel):
    items: list[ChannelOut]
    next_cursor: str | None


def channel_out(channel: Channel) -> ChannelOut:
    return ChannelOut(
        id=channel.channel_id, type=channel.channel_type, name=channel.name,
        status=channel.status, account_id=channel.account_id, identifiers=channel.identifiers,
        settings=ChannelSettings.model_validate(channel.settings or {}),
        has_credentials=bool(channel.sealed_credentials), poll_error=channel.poll_error,
        poll_error_at=channel.poll_error_at, polled_at=channel.polled_at,
        credentials_expire_at=channel.credentials_expire_at,
        created_at=channel.created_at, updated_at=channel.updated_at,
    )  # fmt: skip


@resource.route(
    "/v1/channels",
    summary="The company's channels.",
    query=PageQuery,
    response=ChannelPage,
    action="channels.read",
)
def list_channels(call: Call) -> ChannelPage:
    found, next_cursor = service.channels_page(
        call.principal.tenant_id, call.query.limit, call.query.cursor
    )
    return ChannelPage(items=[channel_out(c) for c in found], next_cursor=next_cursor)


@resource.route(
    "/v1/channels",
    "POST",
    summary="Connect a channel; credentials are stored encrypted and never shown.",
    body=ChannelIn,
    response=ChannelOut,
    status=201,
    action="channels.manage",
    errors=(402, 409),
)
def connect_channel(call: Call) -> ChannelOut:
    body: ChannelIn = call.body
    return channel_out(
        service.connect(
            call.principal, body.type, body.name, body.identifiers, body.credentials, body.settings
        )
    )


@resource.route(
    "/v1/channels/{channel_id}", summary="One channel.", response=ChannelOut, action="channels.read"
)
def get_channel(call: Call, channel_id: str) -> ChannelOut:
    return channel_out(service.get_channel(call.principal.tenant_id, channel_id))


@resource.route(
    "/v1/channels/{channel_id}",
    "PATCH",
    summary=(
        "Rename, change SLA, business hours, auto-replies, a chat channel's allowed sites, "
        "or replace credentials."
    ),
    body=ChannelPatch,
    response=ChannelOut,
    action="channels.manage",
    errors=(409,),
)
def patch_channel(call: Call, channel_id: str) -> ChannelOut:
    body: ChannelPatch = call.body
    return channel_out(
        service.update(
            call.principal,
            channel_id,
            name=body.name,
            settings=body.settings,
            credentials=body.credentials,
            identifiers=body.identifiers,
        )
    )


@resource.route(
    "/v1/channels/{channel_id}",
    "DELETE",
    summary="Disconnect a channel: its webhooks stop, its tickets stay.",
    response=ChannelOut,
    action="channels.manage",
)
def disconnect_channel(call: Call, channel_id: str) -> ChannelOut:
    return channel_out(service.disconnect(call.principal, channel_id))


@resource.route(
    "/v1/channels/{channel_id}/history",
    summary="Who changed this channel, and how.",
    query=PageQuery,
    response=HistoryPage,
    action="history.read",
)
def channel_history(call: Call, channel_id: str) -> HistoryPage:
    service.get_channel(call.principal.tenant_id, channel_id)
    return history_page(call, "channel", channel_id)
