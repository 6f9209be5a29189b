"""Outgoing webhooks (SPEC §4 "Integrations"): URLs that hear about the tenant's events.

Admins only. The signing secret is write-only: when Atiende generates it, the create
answer shows it once; no other answer (nor the history) ever holds it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, SecretStr

from chalicelib.api.settings_crud import HistoryPage, history_page
from chalicelib.domain import integrations
from chalicelib.domain.integrations import ENTITY, MAX_PER_TENANT, Event, check_url
from chalicelib.http.pagination import PageQuery
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel
from chalicelib.settings import get_settings
from chalicelib.store.integrations import Integration

resource = Resource(__name__, "integrations")


def _url(value: str) -> str:
    return check_url(value, local=get_settings().is_local)


Url = Annotated[str, Field(min_length=8, max_length=2048), AfterValidator(_url)]
Events = Annotated[list[Event], Field(min_length=1, max_length=len(integrations.EVENTS))]
Secret = Annotated[
    SecretStr,
    Field(min_length=16, max_length=256, description="Write-only: never shown again"),
]
Description = Annotated[str, Field(max_length=500)]


class IntegrationIn(RequestModel):
    url: Url = Field(description="https:// (http://127.0.0.1 or localhost only locally)")
    events: Events
    active: bool = True
    description: Description | None = None
    secret: Secret | None = Field(None, description="Leave out to have one generated")


class IntegrationPatch(RequestModel):
    """A field left out (or null) stays as it is; ``secret`` replaces the secret."""

    url: Url | None = None
    events: Events | None = None
    active: bool | None = None
    description: Description | None = None
    secret: Secret | None = None


class IntegrationOut(ResponseModel):
    id: str
    url: str
    events: list[Event]
    active: bool
    description: str | None
    secret_updated_at: datetime
    last_status: Literal["delivered", "retrying", "failed"] | None
    last_response_code: int | None
    last_error: str | None
    last_delivery_at: datetime | None
    created_at: datetime
    updated_at: datetime


class IntegrationCreated(IntegrationOut):
    secret: str | None = Field(
        description="The generated signing secret, shown only in this answer; "
        "null when the request gave one"
    )


class IntegrationPage(ResponseModel):
    items: list[IntegrationOut]
    next_cursor: str | None


def integration_out(integration: Integration) -> IntegrationOut:
    return IntegrationOut(
        id=integration.integration_id,
        url=integration.url,
        events=list(integration.events),
        active=integration.active,
        description=integration.description,
        secret_updated_at=integration.secret_updated_at,
        last_status=integration.last_status,
        last_response_code=integration.last_response_code,
        last_error=integration.last_error,
        last_delivery_at=integration.last_delivery_at,
        created_at=integration.created_at,
        updated_at=integration.updated_at,
    )


@resource.route(
    "/v1/integrations",
    summary="The account's outgoing webhooks (never their secrets).",
    query=PageQuery,
    response=IntegrationPage,
    action="integrations.read",
)
def list_integrations(call: Call) -> IntegrationPage:
    tenant_id = call.principal.tenant_id
    found, next_cursor = integrations.integrations_page(
        tenant_id, call.query.limit, call.query.cursor
    )
    return IntegrationPage(items=[integration_out(i) for i in found], next_cursor=next_cursor)


@resource.route(
    "/v1/integrations",
    "POST",
    summary=f"Add a webhook (at most {MAX_PER_TENANT}); a generated secret is shown only here.",
    body=IntegrationIn,
    response=IntegrationCreated,
    status=201,
    action="integrations.manage",
    errors=(409,),
)
def create_integration(call: Call) -> IntegrationCreated:
    body: IntegrationIn = call.body
    integration, generated = integrations.create(
        call.principal,
        url=body.url,
        events=list(body.events),
        active=body.active,
        description=body.description,
        secret=body.secret.get_secret_value() if body.secret else None,
    )
    return IntegrationCreated(**integration_out(integration).model_dump(), secret=generated)


@resource.route(
    "/v1/integrations/{integration_id}",
    summary="One webhook, with the outcome of its latest delivery.",
    response=IntegrationOut,
    action="integrations.read",
)
def get_integration(call: Call, integration_id: str) -> IntegrationOut:
    return integration_out(integrations.get_integration(call.principal.tenant_id, integration_id))


@resource.route(
    "/v1/integrations/{integration_id}",
    "PATCH",
    summary="Change a webhook's URL, events, state or description, or replace its secret.",
    body=IntegrationPatch,
    response=IntegrationOut,
    action="integrations.manage",
)
def patch_integration(call: Call, integration_id: str) -> IntegrationOut:
    body: IntegrationPatch = call.body
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if body.secret is not None:
        changes["secret"] = body.secret.get_secret_value()
    return integration_out(integrations.update(call.principal, integration_id, changes))


@resource.route(
    "/v1/integrations/{integration_id}",
    "DELETE",
    summary="Delete a webhook; deliveries still queued for it are dropped.",
    status=204,
    action="integrations.manage",
)
def delete_integration(call: Call, integration_id: str) -> None:
    integrations.delete(call.principal, integration_id)


@resource.route(
    "/v1/integrations/{integration_id}/history",
    summary="Who changed this webhook, and how (a new secret shows as a new date only).",
    query=PageQuery,
    response=HistoryPage,
    action="integrations.read",  # not history.read: supervisors do not see webhooks
)
def integration_history(call: Call, integration_id: str) -> HistoryPage:
    integrations.get_integration(call.principal.tenant_id, integration_id)
    return history_page(call, ENTITY, integration_id)


class PingQueued(ResponseModel):
    delivery_id: str = Field(description="The test's X-Atiende-Delivery, as the log shows it")
    event: Literal["ping"]


@resource.route(
    "/v1/integrations/{integration_id}/test",
    "POST",
    summary="Queue a signed ping for this webhook (even paused) through the delivery path.",
    response=PingQueued,
    status=202,
    action="integrations.manage",
    errors=(503,),
)
def send_test_ping(call: Call, integration_id: str) -> PingQueued:
    message = integrations.send_test(call.principal.tenant_id, integration_id)
    return PingQueued(delivery_id=message.delivery_id, event="ping")


class DeliveryOut(ResponseModel):
    delivery_id: str = Field(description="The same on every attempt of one event")
    event: str
    at: datetime
    attempt: int
    status: Literal["delivered", "retrying", "failed"]
    response_code: int | None
    error: str | None
    duration_ms: int | None


class DeliveryPage(ResponseModel):
    items: list[DeliveryOut]
    next_cursor: str | None


@resource.route(
    "/v1/integrations/{integration_id}/deliveries",
    summary="The webhook's delivery attempts of the last 30 days, newest first.",
    query=PageQuery,
    response=DeliveryPage,
    action="integrations.read",
)
def list_deliveries(call: Call, integration_id: str) -> DeliveryPage:
    found, next_cursor = integrations.deliveries_page(
        call.principal.tenant_id, integration_id, call.query.limit, call.query.cursor
    )
    return DeliveryPage(
        items=[
            DeliveryOut(
                delivery_id=a.delivery_id,
                event=a.event,
                at=a.at,
                attempt=int(a.attempt),
                status=a.status,
                response_code=int(a.response_code) if a.response_code is not None else None,
                error=a.error,
                duration_ms=int(a.duration_ms) if a.duration_ms is not None else None,
            )
            for a in found
        ],
        next_cursor=next_cursor,
    )
