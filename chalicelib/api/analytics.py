"""Analítica (SPEC §8, docs/analytics.md "The API"): the summary of a range of the
tenant's days and the monitoring table, both read from the counters kept as things
happen (never from the tickets).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.analytics import monitor
from chalicelib.domain.analytics import summary as domain
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "analytics")


class SummaryQuery(RequestModel):
    from_: date | None = Field(None, alias="from", description="the tenant's local date")
    to: date | None = Field(None, description="inclusive; at most 366 days after from")
    channel: str | None = Field(None, min_length=1, max_length=64)
    agent: str | None = Field(None, min_length=1, max_length=64)


class DurationStats(BaseModel):
    count: int
    mean_seconds: float | None
    p90_seconds: float | None


class Clocks(BaseModel):
    calendar: DurationStats
    business: DurationStats


class Target(BaseModel):
    met: int
    breached: int
    compliance: float | None = Field(description="met / (met + breached)")


class Sla(BaseModel):
    first_response: Target
    resolution: Target


class Sentiments(BaseModel):
    happy: int
    neutral: int
    angry: int


class Sentiment(BaseModel):
    start: Sentiments
    end: Sentiments


class Messages(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    in_: int = Field(alias="in")
    out: int
    bot: int
    auto: int


class Tickets(BaseModel):
    opened: int
    closed: int
    reopened: int


class Orders(BaseModel):
    created: int


class Payments(BaseModel):
    recorded: int


class Metrics(BaseModel):
    messages: Messages
    tickets: Tickets
    first_response: Clocks
    first_resolution: Clocks
    full_resolution: Clocks
    sla: Sla
    sentiment: Sentiment
    orders: Orders
    payments: Payments


class Day(Metrics):
    date: str


class Bucket(BaseModel):
    from_seconds: float
    to_seconds: float
    count: int


class ClockBuckets(BaseModel):
    calendar: list[Bucket]
    business: list[Bucket]


class Distributions(BaseModel):
    first_response: ClockBuckets
    first_resolution: ClockBuckets
    full_resolution: ClockBuckets


class Total(Metrics):
    distributions: Distributions


class Series(BaseModel):
    kind: str = Field(description="all, channel or agent")
    id: str | None


class SummaryOut(ResponseModel):
    model_config = ConfigDict(from_attributes=True, serialize_by_alias=True, validate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    timezone: str
    series: Series
    percentile_error: float = Field(description="the 90th percentile's relative error bound")
    days: list[Day]
    total: Total


@resource.route(
    "/v1/analytics/summary",
    summary="Messages, tickets, response and resolution times, SLA and sentiment, per day.",
    query=SummaryQuery,
    response=SummaryOut,
    action="analytics.read",
    errors=(404,),
)
def get_summary(call: Call) -> SummaryOut:
    query: SummaryQuery = call.query
    found = domain.summary(call.principal, query.from_, query.to, query.channel, query.agent)
    return SummaryOut.model_validate(found)


class FirstResponseToday(BaseModel):
    count: int
    mean_seconds: float | None


class AgentRow(BaseModel):
    user_id: str
    name: str
    role: str
    presence: str
    open_tickets: int
    replies_today: int
    first_response_today: FirstResponseToday
    orders_today: int
    sla_breaches_today: int


class MonitoringOut(ResponseModel):
    date: str
    timezone: str
    agents: list[AgentRow]


@resource.route(
    "/v1/analytics/agents",
    summary="The monitoring table: each agent's presence and work today.",
    response=MonitoringOut,
    action="analytics.monitor",
)
def get_agents(call: Call) -> MonitoringOut:
    return MonitoringOut.model_validate(monitor.monitoring_table(call.principal))
