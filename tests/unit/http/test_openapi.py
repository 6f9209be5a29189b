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
