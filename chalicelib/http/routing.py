"""Declaring routes: a Chalice blueprint per resource plus a registry of what each route takes.

Every route states its request models (body, query), its response model and who may
call it. The wrapper parses and validates input (400 with field errors, 413 over
1 MiB, unknown fields refused), checks access, renders errors in the one format of
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

from chalice import Blueprint, CORSConfig, Response
from chalice.app import Request
from pydantic import BaseModel, ConfigDict, ValidationError

from chalicelib import logs
from chalicelib.http.errors import AppError, BadRequest, PayloadTooLarge, validation_error
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
JSON = "application/json"


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

    @property
    def path_params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]


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


def error_response(exc: AppError, request_id: str) -> Response:
    return json_response(exc.body(), exc.status, {"X-Request-Id": request_id, **exc.headers})


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


def _parse_body(request: Request, route: Route) -> Any:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    if route.body is None:
        return None
    if not raw.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(f"The body is not valid JSON: {exc}", code="invalid_json") from exc
    try:
        return route.body.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, where="body") from exc


def _parse_query(request: Request, route: Route) -> Any:
    params = dict(request.query_params or {})
    if route.query is None:
        return None
    try:
        return route.query.model_validate(params)
    except ValidationError as exc:
        raise validation_error(exc, where="query") from exc


def _request_id(request: Request) -> str:
    context = request.context or {}
    return str(context.get("requestId") or uuid.uuid4())


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
            )
            REGISTRY.append(route)
            blueprint = self.blueprint

            def view(**path_params: str) -> Response:
                request = blueprint.current_request
                request_id = _request_id(request)
                token = logs.request_id.set(request_id)
                try:
                    call = Call(request=request, route=route, request_id=request_id)
                    if not route.public:
                        # who is calling comes first: a stranger learns nothing from a 400
                        from chalicelib.http.auth import authorize

                        call.principal = authorize(call)
                    elif route.guard is not None:
                        call.extra["caller"] = route.guard(call)
                    call.body = _parse_body(request, route)
                    call.query = _parse_query(request, route)
                    return _render(handler(call, **path_params), route, request_id)
                except AppError as exc:
                    if exc.status >= 500:
                        log.warning(
                            "request failed", extra={"status": exc.status, "code": exc.code}
                        )
                    return error_response(exc, request_id)
                except Exception:
                    log.exception("unhandled error", extra={"route": f"{method} {path}"})
                    return error_response(
                        AppError("Something went wrong on our side; it has been logged."),
                        request_id,
                    )
                finally:
                    logs.request_id.reset(token)

            view.__name__ = route.name
            settings = get_settings()
            cors: bool | CORSConfig = False
            if settings.cors_allow_origin:
                cors = CORSConfig(
                    allow_origin=settings.cors_allow_origin,
                    allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
                    expose_headers=["X-Request-Id", "Retry-After"],
                    max_age=600,
                )
            blueprint.route(
                path,
                methods=[method],
                name=route.name,
                cors=cors,
                content_types=list(content_types),
            )(view)
            return handler

        return decorate
