"""Connecting Meta channels as Meta expects: Facebook Login for Pages and Instagram,
a checked number and synced templates for WhatsApp (docs/channels.md "Connecting Meta").
No answer here ever holds a token."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from chalicelib.api.channels import ChannelOut, channel_out
from chalicelib.domain.channels import meta_connect
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "channels")

Url = Field(min_length=10, max_length=500, description="the console page the dialog returns to")


class LoginIn(RequestModel):
    redirect_uri: str = Url


class LoginOut(ResponseModel):
    url: str = Field(description="Facebook Login's dialog: open it in the browser")
    state: str


class CallbackIn(RequestModel):
    code: str = Field(min_length=1, max_length=2000)
    state: str = Field(min_length=1, max_length=200)
    redirect_uri: str = Url


class InstagramAccount(ResponseModel):
    id: str
    username: str


class Connected(ResponseModel):
    facebook: bool
    instagram: bool


class PageOut(ResponseModel):
    id: str
    name: str
    instagram: InstagramAccount | None
    connected: Connected = Field(description="already connected to Atiende, as either type")


class LoginPages(ResponseModel):
    login_id: str = Field(description="names this login's Pages for 30 minutes")
    pages: list[PageOut]


class PageIn(RequestModel):
    login_id: str = Field(min_length=1, max_length=100)
    page_id: str = Field(pattern=r"^[0-9]{3,32}$")
    type: Literal["facebook", "instagram"]
    name: str | None = Field(None, min_length=1, max_length=100)


class WhatsAppCheckIn(RequestModel):
    phone_number_id: str = Field(pattern=r"^[0-9]{3,32}$")
    access_token: SecretStr = Field(min_length=10, max_length=1000)


class WhatsAppNumber(ResponseModel):
    display_phone_number: str
    verified_name: str
    quality_rating: str = Field(description="GREEN, YELLOW, RED or UNKNOWN, as Graph says")


class SyncOut(ResponseModel):
    created: int
    updated: int
    removed: int


@resource.route(
    "/v1/channels/meta/login",
    "POST",
    summary="Start Facebook Login: the dialog's address and its state (10 minutes, used once).",
    body=LoginIn,
    response=LoginOut,
    action="channels.manage",
    errors=(503,),
)
def start_login(call: Call) -> LoginOut:
    url, state = meta_connect.start_login(call.principal, call.body.redirect_uri)
    return LoginOut(url=url, state=state)


@resource.route(
    "/v1/channels/meta/login/callback",
    "POST",
    summary="Finish Facebook Login: exchange the dialog's code; the Pages the user manages.",
    body=CallbackIn,
    response=LoginPages,
    action="channels.manage",
    errors=(410, 503),
)
def finish_login(call: Call) -> LoginPages:
    body: CallbackIn = call.body
    login_id, pages = meta_connect.finish_login(
        call.principal, body.code, body.state, body.redirect_uri
    )
    return LoginPages(login_id=login_id, pages=[PageOut.model_validate(p) for p in pages])


@resource.route(
    "/v1/channels/meta/pages",
    "POST",
    summary="Connect a Page (Facebook) or its Instagram account from a Facebook Login, "
    "and subscribe the app to its webhooks.",
    body=PageIn,
    response=ChannelOut,
    status=201,
    action="channels.manage",
    errors=(402, 409, 410, 503),
)
def connect_page(call: Call) -> ChannelOut:
    body: PageIn = call.body
    channel = meta_connect.connect_page(
        call.principal, body.login_id, body.page_id, body.type, body.name
    )
    return channel_out(channel)


@resource.route(
    "/v1/channels/whatsapp/check",
    "POST",
    summary="What Graph says of a WhatsApp number before it is connected: its display "
    "number, verified name and quality.",
    body=WhatsAppCheckIn,
    response=WhatsAppNumber,
    action="channels.manage",
    errors=(503,),
)
def check_whatsapp(call: Call) -> WhatsAppNumber:
    body: WhatsAppCheckIn = call.body
    return WhatsAppNumber(
        **meta_connect.check_whatsapp(body.phone_number_id, body.access_token.get_secret_value())
    )


@resource.route(
    "/v1/channels/{channel_id}/templates/sync",
    "POST",
    summary="Copy the WhatsApp Business Account's message templates into /v1/templates "
    "(created, updated, removed); running it again changes nothing.",
    response=SyncOut,
    action="templates.manage",
    errors=(409, 503),
)
def sync_templates(call: Call, channel_id: str) -> SyncOut:
    return SyncOut(**meta_connect.sync_templates(call.principal, channel_id))
