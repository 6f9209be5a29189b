"""What changed on the desk since the console last asked: its live updates (issue 12, item 6;
docs/decisions.md, "Live updates")."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.domain.helpdesk.live import MAX_SEQ, Change, Feed, changes_since
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "changes")


class ChangesQuery(RequestModel):
    since: int | None = Field(
        None, ge=0, le=MAX_SEQ,
        description="The `seq` of the previous answer; without it, where the feed stands now.",
    )  # fmt: skip


class ChangeOut(ResponseModel):
    """A ticket changed (``ticket``: created, or any field, its assignee, its status...), or
    one of its messages (``message``: stored, or its delivery status changed). The hints
    are the first four base-36 digits of the 32-bit FNV-1a hash of the channel's and the
    assignee's ids, to tell which views may show the ticket without reading it; null for an
    unassigned ticket, and for a ``message`` change."""

    ticket: int
    kind: Literal["ticket", "message"]
    seq: int
    at: datetime
    status: Literal["open", "pending", "closed", "escalated", "merged"] | None
    channel_type: str | None
    channel_hint: str | None
    assignee_hint: str | None
    assignee_hint_before: str | None


class ChangesOut(ResponseModel):
    """``seq``: pass it as ``since`` next time. ``complete`` false: changes were dropped
    since then (refresh everything shown). ``poll_seconds``: when to ask again."""

    seq: int
    at: datetime | None
    complete: bool
    changes: list[ChangeOut]
    poll_seconds: int


def _out(change: Change) -> ChangeOut:
    return ChangeOut(
        ticket=change.ticket, kind=change.kind, seq=change.seq, at=change.at,
        status=change.status, channel_type=change.channel_type,
        channel_hint=change.channel_hint, assignee_hint=change.assignee_hint,
        assignee_hint_before=change.assignee_hint_before,
    )  # fmt: skip


@resource.route(
    "/v1/changes",
    summary="Which tickets and messages changed since `since` (one small read: poll it).",
    query=ChangesQuery,
    response=ChangesOut,
    action="tickets.read",
)
def get_changes(call: Call) -> ChangesOut:
    query: ChangesQuery = call.query
    feed: Feed = changes_since(call.principal, query.since)
    return ChangesOut(
        seq=feed.seq, at=feed.at, complete=feed.complete,
        changes=[_out(c) for c in feed.changes], poll_seconds=feed.poll_seconds,
    )  # fmt: skip
