"""Declaring routes: a Chalice blueprint per resource plus a registry of what each route takes.

Every route states its request models (body, query), its response model and who may
call it. The wrapper checks access first, then parses and validates input (415 for another
media type, 400 with field errors, JSON nested too deep or text with control
characters, 413 over 1 MiB, unknown fields refused), renders errors in the one format of
SPEC §10 and never lets an exception escape as a bare 500. The registry feeds the
OpenAPI document and the role-matrix tests.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import BaseModel, ConfigDict, ValidationError

from chalicelib import logs
from chalicelib.cursors import current_listing
from chalicelib.domain.errors import DomainError
from chalicelib.http.auth import authorize
from chalicelib.http.cors import cors_config
from chalicelib.http.errors import (
    ANSWERED,
    AppError,
    BadRequest,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    as_http,
    validation_error,
)
from chalicelib.settings import get_settings
from chalicelib.untrusted import TooDeep, clean_strings, load_json, refused_character

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
JSON = "application/json"
#: Every status a route may answer besides its success: added to each route's own list.
COMMON_ERRORS = (400, 500)
#: Query parameters that move through a list without changing which list it is.
PAGING_PARAMETERS = frozenset({"cursor", "limit"})


class RequestModel(BaseModel):
    """Base of every request body and query model: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    """Base of every response model."""

    model_config = ConfigDict(from_attributes=True)


@dataclass(frozen=True)
class Route:
    """What one route takes and gives; read by the OpenAPI generator and the access tests."""

    path: str
    method: str
    name: str
    tag: str
    summary: str
    status: int
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any  # a model class, ``list[Model]`` or None
    public: bool
    action: str | None
    content_types: tuple[str, ...]
    produces: str = JSON
    #: a public route's own check of the caller (a signature), before the body is read:
    #: a stranger gets its 401, never a 400 about the body; the result is ``call.extra["caller"]``
    guard: Callable[[Call], Any] | None = None
    #: the statuses this route answers besides the ones every route of its kind may
    #: (see :meth:`error_statuses`): 409, 410, 402, 429, 503...
    errors: tuple[int, ...] = ()

    @property
    def path_params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]

    @property
    def reads_body(self) -> bool:
        """Whether the route reads a request body (and so checks its media type)."""
        return self.body is not None or self.content_types != (JSON,)

    def error_statuses(self) -> tuple[int, ...]:
        """Every error status this route can answer: the OpenAPI document declares them and
        the tests fail on any other (tests/conftest.py)."""
        statuses = set(COMMON_ERRORS) | set(self.errors)
        if self.reads_body:
            statuses |= {413, 415}
        if not self.public:
            statuses |= {401, 403}
        if self.path_params:
            statuses.add(404)
        return tuple(sorted(statuses))


REGISTRY: list[Route] = []


@dataclass
class Call:
    """One API call as a handler sees it: validated input plus who is calling."""

    request: Request
    route: Route
    request_id: str
    body: Any = None
    query: Any = None
    principal: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in (self.request.headers or {}).items()}

    @property
    def raw_body(self) -> bytes:
        raw = self.request.raw_body or b""
        return raw.encode() if isinstance(raw, str) else raw

    @property
    def source_ip(self) -> str:
        identity = (self.request.context or {}).get("identity") or {}
        return str(identity.get("sourceIp") or "unknown")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False, default=str),
        status_code=status,
        headers={"Content-Type": f"{JSON}; charset=utf-8", **(headers or {})},
    )


def error_response(exc: AppError | DomainError, request_id: str) -> Response:
    """The answer to an error of the edge or of the domain (mapped by ``as_http``)."""
    error = as_http(exc)
    return json_response(error.body(), error.status, {"X-Request-Id": request_id, **error.headers})


def _render(result: Any, route: Route, request_id: str) -> Response:
    if isinstance(result, Response):
        result.headers = {**(result.headers or {}), "X-Request-Id": request_id}
        return result
    if result is None:
        return Response(body="", status_code=204, headers={"X-Request-Id": request_id})
    if isinstance(result, BaseModel):
        payload: Any = result.model_dump(mode="json")
    elif isinstance(result, list):
        payload = [r.model_dump(mode="json") if isinstance(r, BaseModel) else r for r in result]
    else:
        payload = result
    return json_response(payload, route.status, {"X-Request-Id": request_id})


def media_type(request: Request) -> str:
    """The request's media type, lower-cased and without parameters (JSON when absent)."""
    headers: Any = request.headers or {}
    value = headers.get("content-type") or JSON
    return value.split(";", 1)[0].strip().lower()


def _check_media_type(request: Request, route: Route) -> None:
    """A body in a media type the route does not read is a 415 (after authentication:
    a stranger learns nothing about the route from it)."""
    if not route.reads_body:
        return
    if not (request.raw_body or b"") and route.body is None:
        return
    if media_type(request) not in route.content_types:
        raise UnsupportedMediaType(
            f"This route reads {', '.join(route.content_types)}, not {media_type(request)}.",
            details={"accepted": list(route.content_types)},
        )


def parse_json_body(raw: str | bytes) -> Any:
    """A JSON body from outside: 400 when it is not JSON or nests too deep."""
    try:
        return load_json(raw)
    except TooDeep as exc:
        raise BadRequest(f"The body is refused: {exc}.", code="too_deep") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}", code="invalid_json") from exc


def _clean(data: Any, where: str) -> Any:
    """Every text of the input without control characters and in NFC, or a 400 naming
    each field that holds one."""
    cleaned, problems = clean_strings(data, (where,))
    if problems:
        raise BadRequest("The request is not valid.", code="validation_error", details=problems)
    return cleaned


def _parse_body(request: Request, route: Route) -> Any:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    if route.body is None:
        return None
    data: Any = _clean(parse_json_body(raw), "body") if raw.strip() else {}
    try:
        return route.body.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, where="body") from exc


def _parse_query(request: Request, route: Route) -> Any:
    if route.query is None:
        return None
    params = _clean(dict(request.query_params or {}), "query")
    try:
        return route.query.model_validate(params)
    except ValidationError as exc:
        raise validation_error(exc, where="query") from exc


def listing_of(request: Request, route: Route, path_params: dict[str, str]) -> str:
    """What identifies the list a request reads: route, path and filters, not the paging."""
    query = {k: v for k, v in (request.query_params or {}).items() if k not in PAGING_PARAMETERS}
    # ASCII: any character (a lone surrogate too) survives the signature's encoding
    return json.dumps([route.method, route.path, path_params, query], sort_keys=True)


def _request_id(request: Request) -> str:
    context = request.context or {}
    return str(context.get("requestId") or uuid.uuid4())


def _answer(
    route: Route,
    request: Request,
    request_id: str,
    handler: Callable[..., Any],
    path_params: dict[str, str],
) -> Response:
    try:
        call = Call(request=request, route=route, request_id=request_id)
        if route.action is not None:
            # who is calling comes first: a stranger learns nothing from a 400 or a 415
            call.principal = authorize(call.headers.get("authorization", ""), route.action)
        elif route.guard is not None:
            call.extra["caller"] = route.guard(call)
        _check_media_type(request, route)
        if any(refused_character(value) for value in path_params.values()):
            raise NotFound("There is no such item.")  # no id of ours holds such a character
        call.body = _parse_body(request, route)
        call.query = _parse_query(request, route)
        return _render(handler(call, **path_params), route, request_id)
    except ANSWERED as exc:  # the edge's own errors and the domain's, through the one mapping
        error = as_http(exc)
        if error.status >= 500:
            log.warning("request failed", extra={"status": error.status, "code": error.code})
        return error_response(error, request_id)
    except Exception:
        log.exception("unhandled error", extra={"route": f"{route.method} {route.path}"})
        return error_response(
            AppError("Something went wrong on our side; it has been logged."), request_id
        )


#: (route, status) answered but not declared in the OpenAPI document. Collected in the test
#: stage, where tests/conftest.py fails the test that caused one; logged everywhere.
UNDECLARED: list[tuple[str, int]] = []


def _undeclared(route: Route, status: int) -> None:
    log.warning("status not declared by the route", extra={"route": route.name, "status": status})
    if get_settings().stage == "test":
        UNDECLARED.append((route.name, status))


class Resource:
    """One REST resource: its Chalice blueprint and the routes it declares."""

    def __init__(self, import_name: str, tag: str) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag

    def route(
        self,
        path: str,
        method: str = "GET",
        *,
        summary: str,
        response: Any = None,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        status: int = 200,
        public: bool = False,
        action: str | None = None,
        content_types: tuple[str, ...] = (JSON,),
        produces: str = JSON,
        guard: Callable[[Call], Any] | None = None,
        errors: tuple[int, ...] = (),
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        if public == (action is not None):
            raise ValueError(f"{method} {path}: a route is either public or names its action")
        if guard is not None and not public:
            raise ValueError(
                f"{method} {path}: a guard is for public routes (others have sessions)"
            )

        def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
            route = Route(
                path=path,
                method=method,
                name=f"{self.tag}_{handler.__name__}",
                tag=self.tag,
                summary=summary,
                status=status,
                body=body,
                query=query,
                response=response,
                public=public,
                action=action,
                content_types=content_types,
                produces=produces,
                guard=guard,
                errors=errors,
            )
            REGISTRY.append(route)
            blueprint = self.blueprint

            def view(**path_params: str) -> Response:
                request = blueprint.current_request
                request_id = _request_id(request)
                token = logs.request_id.set(request_id)
                listing = current_listing.set(listing_of(request, route, path_params))
                try:
                    response = _answer(route, request, request_id, handler, path_params)
                finally:
                    current_listing.reset(listing)
                    logs.request_id.reset(token)
                declared = (route.status, *route.error_statuses())
                if response.status_code >= 400 and response.status_code not in declared:
                    _undeclared(route, response.status_code)
                return response

            view.__name__ = route.name
            cors = cors_config(get_settings().cors_allow_origin)
            blueprint.route(
                path,
                methods=[method],
                name=route.name,
                cors=cors,
                # every media type reaches the view, which checks it after authentication
                content_types=["*/*"],
            )(view)
            return handler

        return decorate
