import json

from openapi_spec_validator import validate

from chalicelib.http.routing import REGISTRY


def test_openapi_document_is_valid_and_lists_every_route(api):
    response = api.get("/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.body)
    validate(document)
    assert document["openapi"].startswith("3.1")
    listed = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    assert listed == {(r.path, r.method) for r in REGISTRY}


def test_docs_page_renders_the_routes(api):
    response = api.get("/docs")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.body.decode()
    for route in REGISTRY:
        assert f"<code>{route.path}</code>" in html


def refs_in(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield item
            else:
                yield from refs_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from refs_in(item)


def test_every_reference_points_at_the_model_the_route_reads(api):
    document = json.loads(api.get("/v1/openapi.json").body)
    schemas = document["components"]["schemas"]
    missing = {ref for ref in refs_in(document) if ref.rsplit("/", 1)[-1] not in schemas}
    assert missing == set()
    # two request models are named TemplateIn (a template to define, a template to send): each
    # route points at its own
    for route in REGISTRY:
        if route.body is None:
            continue
        op = document["paths"][route.path][route.method.lower()]
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = schemas[ref.rsplit("/", 1)[-1]]
        # a field named as JSON names it (``from`` is ``from_`` in Python)
        fields = {field.alias or name for name, field in route.body.model_fields.items()}
        assert set(schema.get("properties", {})) == fields, route.path


def test_each_operation_declares_the_errors_its_route_answers(api):
    document = json.loads(api.get("/v1/openapi.json").body)
    for route in REGISTRY:
        declared = set(document["paths"][route.path][route.method.lower()]["responses"])
        assert {str(s) for s in route.error_statuses()} <= declared, route.path
        if not route.public:
            assert {"401", "403"} <= declared
        if route.reads_body:
            assert {"413", "415"} <= declared
    login = document["paths"]["/v1/auth/login"]["post"]["responses"]
    assert {"401", "403", "429"} <= set(login)
