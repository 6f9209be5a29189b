"""Platform routes: status, product updates, the OpenAPI document and its docs page."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from chalice import Response
from pydantic import Field

from chalicelib import aws
from chalicelib.api import lazy
from chalicelib.clock import now
from chalicelib.domain.platform.status import (
    PlatformStatus,
    check_component,
    platform_status,
    scheduler_status,
)
from chalicelib.domain.platform.updates import ProductUpdate, parse_changelog
from chalicelib.http.docs_page import render_docs
from chalicelib.http.openapi import openapi_document
from chalicelib.http.routing import Call, RequestModel, Resource, json_response
from chalicelib.jobs.scheduled import SCHEDULED_JOBS
from chalicelib.store.platform import last_heartbeats

resource = Resource(__name__, "platform")

#: chalicelib/CHANGELOG.md links to the project's CHANGELOG.md, so the deployed package carries it.
CHANGELOG = Path(__file__).resolve().parent.parent / "CHANGELOG.md"


class UpdatesQuery(RequestModel):
    limit: int = Field(20, ge=1, le=100)


@resource.route(
    "/v1/status",
    summary="Platform status: database, queues, storage and scheduler, each checked for real.",
    response=PlatformStatus,
    public=True,
    errors=(503,),
)
def get_status(call: Call) -> Response:
    heartbeats: dict = {}

    def database() -> dict:
        heartbeats.update(last_heartbeats())
        return {}

    components = [
        check_component("database", database),
        check_component("queues", aws.probe_queues),
        check_component("storage", aws.probe_bucket),
    ]
    checked_at = now()
    if components[0].state == "ok":
        components.append(scheduler_status(SCHEDULED_JOBS, heartbeats, checked_at))
    report = platform_status(components, checked_at)
    return json_response(report.model_dump(mode="json"), 200 if report.status == "ok" else 503)


def _document() -> dict:
    lazy.import_all()  # the routes of the modules no call has loaded yet
    return openapi_document()


@cache
def _updates() -> list[ProductUpdate]:
    return parse_changelog(CHANGELOG.read_text(encoding="utf-8"))


@resource.route(
    "/v1/updates",
    summary="The latest product updates, newest first (from the changelog).",
    response=list[ProductUpdate],
    query=UpdatesQuery,
    public=True,
)
def get_updates(call: Call) -> list[ProductUpdate]:
    return _updates()[: call.query.limit]


@resource.route(
    "/v1/openapi.json", summary="This API's OpenAPI 3.1 document.", response=dict, public=True
)
def get_openapi(call: Call) -> dict:
    return _document()


@resource.route("/docs", summary="The API reference for people.", public=True, produces="text/html")
def get_docs(call: Call) -> Response:
    return Response(
        body=render_docs(_document()),
        status_code=200,
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
