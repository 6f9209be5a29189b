"""Search (SPEC §4): tickets by number, client name, email or Chilean RUT."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, model_validator

from chalicelib.domain.helpdesk.search import Hit, search_tickets
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "search")
CRITERIA = ("number", "name", "email", "rut")


class SearchQuery(RequestModel):
    """Exactly one of the four."""

    number: int | None = Field(None, ge=1, le=9_999_999_999)
    name: str | None = Field(None, min_length=1, max_length=200)
    email: str | None = Field(None, min_length=1, max_length=254)
    rut: str | None = Field(None, min_length=1, max_length=20)

    @model_validator(mode="after")
    def _exactly_one(self) -> SearchQuery:
        given = [c for c in CRITERIA if getattr(self, c) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of number, name, email or rut"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class ClientBrief(ResponseModel):
    id: str
    name: str | None
    email: str | None
    rut: str | None


class TicketHit(ResponseModel):
    number: int
    status: str
    channel_type: str
    client: ClientBrief | None
    assignee_id: str | None
    last_activity_at: datetime


class SearchResults(ResponseModel):
    items: list[TicketHit]


def hit_out(hit: Hit) -> TicketHit:
    ticket, client = hit.ticket, hit.client
    brief = None
    if client is not None:
        brief = ClientBrief(
            id=client.client_id, name=client.name, email=client.email, rut=client.rut
        )
    return TicketHit(
        number=ticket.number, status=ticket.status, channel_type=ticket.channel_type,
        client=brief, assignee_id=ticket.assignee_id, last_activity_at=ticket.last_activity_at,
    )  # fmt: skip


@resource.route(
    "/v1/search/tickets",
    summary="Find tickets by number, client name (word prefixes), email or RUT.",
    query=SearchQuery, response=SearchResults, action="tickets.read",
)  # fmt: skip
def tickets(call: Call) -> SearchResults:
    query: SearchQuery = call.query
    hits = search_tickets(
        call.principal, number=query.number, name=query.name, email=query.email, rut=query.rut
    )
    return SearchResults(items=[hit_out(h) for h in hits])
