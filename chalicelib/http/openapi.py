"""The OpenAPI 3.1 document, generated from the route registry and its pydantic models."""

from __future__ import annotations

import typing
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from chalicelib.http.routing import JSON, REGISTRY, Route

REF = "#/components/schemas/{model}"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {},
            },
        }
    },
}

_ERROR_TEXT = {
    400: "The request is not valid (field errors in details).",
    401: "Not authenticated.",
    402: "A plan limit is reached; the message names it and how to lift it.",
    403: "The caller's role does not allow this.",
    404: "Not found.",
    409: "Conflict: an action that cannot be repeated or undone, or a lost race.",
    410: "Expired.",
    413: "The body is larger than 1 MiB.",
    415: "The body's media type is not one this route reads.",
    429: "Throttled; see Retry-After.",
    500: "Unexpected error.",
    503: "A dependency is not configured or not reachable.",
}


def _models(route: Route) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    for candidate in (route.body, route.query, route.response):
        if candidate is None:
            continue
        inner = typing.get_args(candidate) or (candidate,)
        found.extend(m for m in inner if isinstance(m, type) and issubclass(m, BaseModel))
    return found


#: a model's reference in the document, as pydantic named it (two models of one name in
#: different modules get different names: ``__name__`` alone would point at the wrong one)
Refs = dict[type[BaseModel], dict[str, Any]]


def _response_schema(response: Any, refs: Refs) -> dict[str, Any]:
    if isinstance(response, type) and issubclass(response, BaseModel):
        return refs[response]
    inner = typing.get_args(response)
    if typing.get_origin(response) is list and inner and inner[0] in refs:
        return {"type": "array", "items": refs[inner[0]]}
    schema: dict[str, Any] = TypeAdapter(response).json_schema(ref_template=REF)
    return schema


def _operation(route: Route, refs: Refs) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.name,
        "summary": route.summary,
        "tags": [route.tag],
        "parameters": [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
            for p in route.path_params
        ],
        "responses": {},
    }
    if route.query is not None:
        schema = route.query.model_json_schema(ref_template=REF)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            operation["parameters"].append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    if route.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {ct: {"schema": refs[route.body]} for ct in route.content_types},
        }
    if route.status == 204 or route.response is None:
        operation["responses"][str(route.status)] = {"description": "Done."}
    else:
        operation["responses"][str(route.status)] = {
            "description": "Success.",
            "content": {
                route.produces: {"schema": _response_schema(route.response, refs)}
                if route.produces == JSON
                else {"schema": {"type": "string"}}
            },
        }
    if not route.public:
        operation["security"] = [{"bearer": []}]
        operation["x-atiende-action"] = route.action
    for status in route.error_statuses():
        operation["responses"][str(status)] = {
            "description": _ERROR_TEXT[status],
            "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return operation


def _drop_impossible_defaults(schema: Any) -> Any:
    """pydantic writes ``default: null`` for optional fields typed without null; OpenAPI
    validators rightly reject a default the schema does not admit."""
    if isinstance(schema, dict):
        kind = schema.get("type")
        if "default" in schema and schema["default"] is None and kind not in (None, "null"):
            schema = {k: v for k, v in schema.items() if k != "default"}
        return {k: _drop_impossible_defaults(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_drop_impossible_defaults(v) for v in schema]
    return schema


@cache
def openapi_document() -> dict[str, Any]:
    """Built once per process, from the routes registered so far: import every route
    module first (``chalicelib.api.lazy.import_all``), as ``GET /v1/openapi.json`` does."""
    models = {m for route in REGISTRY for m in _models(route)}
    ordered = sorted(models, key=lambda m: (m.__name__, m.__module__))
    found, defs = models_json_schema([(m, "validation") for m in ordered], ref_template=REF)
    refs: Refs = {model: found[(model, "validation")] for model in ordered}
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    schemas["Error"] = ERROR_SCHEMA
    paths: dict[str, dict[str, Any]] = {}
    for route in REGISTRY:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, refs)
    return _drop_impossible_defaults(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "Atiende API",
                "version": "1",
                "description": "Multi-tenant omnichannel helpdesk. Errors are "
                '`{"error": {"code", "message", "details"}}`.',
            },
            "paths": dict(sorted(paths.items())),
            "components": {
                "schemas": dict(sorted(schemas.items())),
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
                },
            },
        }
    )
