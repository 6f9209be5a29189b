"""WhatsApp message templates (SPEC §4): what may be sent after the 24-hour window closes.

Atiende keeps the tenant's list (name, language, category, body, status as Meta gave
it); submitting a template to Meta for review is done in Meta's tools, not here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from chalicelib.api.settings_crud import crud_routes
from chalicelib.domain.accounts.settings_items import SettingsItem
from chalicelib.domain.errors import NotFound
from chalicelib.domain.helpdesk.templates import (
    BODY_MAX,
    LANGUAGE_PATTERN,
    NAME_PATTERN,
    TEMPLATES,
    Category,
    Status,
    parameter_count,
    public_view,
    template_fields,
)
from chalicelib.http.errors import BadRequest
from chalicelib.http.pagination import PageQuery
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "templates")


def _body(value: str) -> str:
    parameter_count(value)  # ValueError names what is wrong with the placeholders
    return value


Name = Annotated[str, Field(pattern=NAME_PATTERN, description="Meta's rule: a-z, 0-9 and _")]
Language = Annotated[str, Field(pattern=LANGUAGE_PATTERN, examples=["es", "es_MX", "pt_BR"])]
Body = Annotated[str, Field(min_length=1, max_length=BODY_MAX), AfterValidator(_body)]
ChannelId = Annotated[str, Field(min_length=1, max_length=64)]


class TemplateIn(RequestModel):
    name: Name
    language: Language
    category: Category
    body: Body = Field(description="Text with {{1}}..{{n}} for its parameters")
    channel_id: ChannelId | None = Field(None, description="The WhatsApp channel it belongs to")
    status: Status = "approved"


class TemplatePatch(RequestModel):
    """A field left out (or null) stays as it is; ``channel_id: ""`` unlinks the channel."""

    name: Name | None = None
    language: Language | None = None
    category: Category | None = None
    body: Body | None = None
    channel_id: str | None = Field(None, max_length=64)
    status: Status | None = None


class TemplateOut(ResponseModel):
    id: str
    name: str
    language: str
    category: Category
    body: str
    parameter_count: int
    channel_id: str | None
    status: Status
    created_at: datetime
    updated_at: datetime


class TemplateQuery(PageQuery):
    """With ``prefix``: the first ``limit`` templates whose name starts with it, by name."""

    prefix: str | None = Field(None, pattern=r"^[a-z0-9_]*$", max_length=512)


def template_out(item: SettingsItem) -> TemplateOut:
    return TemplateOut(**public_view(item))


def check_channel(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """The channel, if named, must be one of the tenant's WhatsApp channels."""
    from chalicelib.domain.channels.service import get_channel

    data = {**data, "channel_id": data.get("channel_id") or None}
    if data["channel_id"]:
        try:
            channel = get_channel(call.principal.tenant_id, data["channel_id"])
            problem = None if channel.channel_type == "whatsapp" else "not a WhatsApp channel"
        except NotFound:
            problem = "no such channel"
        if problem:
            raise BadRequest(
                "A template belongs to one of this account's WhatsApp channels.",
                code="validation_error",
                details=[{"loc": ["body", "channel_id"], "msg": problem, "type": "reference"}],
            )
    return template_fields(data)


def list_templates(call: Call) -> tuple[list[SettingsItem], str | None]:
    tenant_id, query = call.principal.tenant_id, call.query
    if query.prefix is not None:
        return TEMPLATES.by_prefix(tenant_id, query.prefix, query.limit), None
    return TEMPLATES.listing(tenant_id, query.limit, query.cursor)


crud_routes(
    resource,
    path="/v1/templates",
    kind=TEMPLATES,
    body=TemplateIn,
    patch=TemplatePatch,
    out=TemplateOut,
    read_action="templates.read",
    manage_action="templates.manage",
    to_out=template_out,
    prepare=check_channel,
    list_query=TemplateQuery,
    list_items=list_templates,
)
