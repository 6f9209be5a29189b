"""The signed-in user's notifications and notification settings (SPEC §5)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from chalicelib.domain import notifications
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "notifications")

_ID = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}$")


class NotificationsQuery(RequestModel):
    unread: bool = False
    limit: int = Field(25, ge=1, le=100)
    cursor: str | None = None


class NotificationOut(ResponseModel):
    id: str
    kind: Literal["sla_breach", "assigned", "mention", "escalated"]
    ticket_number: int | None
    text: str
    data: dict[str, Any]
    created_at: datetime
    read: bool
    read_at: datetime | None


class NotificationsPage(ResponseModel):
    items: list[NotificationOut]
    next_cursor: str | None
    unread_count: int


class MarkReadIn(RequestModel):
    """Either ``ids`` (the caller's notifications to mark read) or ``all: true``."""

    ids: list[str] | None = Field(None, min_length=1, max_length=100)
    all: Literal[True] | None = None

    @field_validator("ids")
    @classmethod
    def _known_form(cls, value: list[str] | None) -> list[str] | None:
        for item in value or []:
            if not _ID.match(item):
                raise ValueError(f"{item!r} is not a notification id")
        return value

    @model_validator(mode="after")
    def _one_of(self) -> MarkReadIn:
        if (self.ids is None) == (self.all is None):
            raise ValueError("give either ids or all: true")
        return self


class MarkReadOut(ResponseModel):
    marked: int
    unread_count: int


class NotificationSettingsIn(RequestModel):
    email_on_sla_breach: bool


class NotificationSettingsOut(ResponseModel):
    email_on_sla_breach: bool


def _out(n: Any) -> NotificationOut:
    return NotificationOut(
        id=n.notification_id,
        kind=n.category,
        ticket_number=int(n.ticket_number) if n.ticket_number is not None else None,
        text=n.text,
        data=dict(n.data or {}),
        created_at=n.created_at,
        read=n.read_at is not None,
        read_at=n.read_at,
    )


@resource.route(
    "/v1/notifications",
    summary="My notifications, newest first, with how many are unread.",
    query=NotificationsQuery,
    response=NotificationsPage,
    action="me.read",
)
def list_notifications(call: Call) -> NotificationsPage:
    query: NotificationsQuery = call.query
    found = notifications.notifications_page(
        call.principal, unread_only=query.unread, limit=query.limit,
        cursor=query.cursor,
    )  # fmt: skip
    return NotificationsPage(
        items=[_out(n) for n in found.items],
        next_cursor=found.next_cursor,
        unread_count=found.unread_count,
    )


@resource.route(
    "/v1/notifications/read",
    "POST",
    summary="Mark some of my notifications read ({ids: [...]}) or all of them ({all: true}).",
    body=MarkReadIn,
    response=MarkReadOut,
    action="me.read",
)
def mark_read(call: Call) -> MarkReadOut:
    body: MarkReadIn = call.body
    marked = notifications.mark_read(call.principal, body.ids)
    return MarkReadOut(marked=marked, unread_count=notifications.unread_count(call.principal))


@resource.route(
    "/v1/me/notification-settings",
    summary="My notification settings.",
    response=NotificationSettingsOut,
    action="me.read",
)
def get_settings(call: Call) -> NotificationSettingsOut:
    return NotificationSettingsOut(
        email_on_sla_breach=notifications.email_on_sla_breach(call.principal)
    )


@resource.route(
    "/v1/me/notification-settings",
    "PUT",
    summary="Change my notification settings (email me when a ticket misses its SLA).",
    body=NotificationSettingsIn,
    response=NotificationSettingsOut,
    action="me.read",
)
def put_settings(call: Call) -> NotificationSettingsOut:
    enabled = notifications.set_email_on_sla_breach(call.principal, call.body.email_on_sla_breach)
    return NotificationSettingsOut(email_on_sla_breach=enabled)
