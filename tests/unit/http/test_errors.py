"""The HTTP conventions of SPEC §10, checked on a throwaway resource."""

import json

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib.domain import errors as domain
from chalicelib.domain.helpdesk.bot import BotUnauthorized
from chalicelib.http import errors as http
from chalicelib.http.routing import REGISTRY, RequestModel, Resource, ResponseModel


class EchoIn(RequestModel):
    name: str
    count: int = 1


class EchoOut(ResponseModel):
    name: str
    count: int


@pytest.fixture
def client():
    before = len(REGISTRY)
    resource = Resource(__name__, "echo")

    @resource.route(
        "/echo",
        "POST",
        summary="echo",
        body=EchoIn,
        response=EchoOut,
        public=True,
        errors=(409, 429),
    )
    def echo(call):
        if call.body.name == "conflict":
            raise domain.Conflict("Already done.", code="already_done", details={"n": 1})
        if call.body.name == "slow down":
            raise domain.Throttled("Too many tries.", retry_after=30)
        if call.body.name == "edge":
            raise http.Conflict("The edge's own refusal.")
        if call.body.name == "boom":
            raise RuntimeError("secret-internal-detail")
        return EchoOut(name=call.body.name, count=call.body.count)

    app = Chalice("echo-test")
    app.register_blueprint(resource.blueprint)
    with Client(app) as test_client:
        yield test_client.http
    del REGISTRY[before:]


def post(client, body, raw=None):
    return client.post(
        "/echo",
        headers={"Content-Type": "application/json"},
        body=raw if raw is not None else json.dumps(body),
    )


def error_of(response):
    body = json.loads(response.body)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_a_valid_body_is_answered_with_the_response_model(client):
    response = post(client, {"name": "José 😀", "count": 2})
    assert response.status_code == 200
    assert json.loads(response.body) == {"name": "José 😀", "count": 2}
    assert response.headers["X-Request-Id"]


def test_field_errors_name_each_field(client):
    response = post(client, {"count": "many"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    locs = {tuple(d["loc"]) for d in error["details"]}
    assert locs == {("body", "name"), ("body", "count")}


def test_unknown_fields_are_refused(client):
    error = error_of(post(client, {"name": "a", "admin": True}))
    assert error["details"][0]["loc"] == ["body", "admin"]
    assert error["details"][0]["type"] == "extra_forbidden"


def test_invalid_json_is_a_400(client):
    response = post(client, None, raw="{not json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


def test_a_body_over_one_mebibyte_is_413(client):
    response = post(client, None, raw=json.dumps({"name": "x" * (1024 * 1024)}))
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_domain_errors_keep_their_status_and_headers(client):
    conflict = post(client, {"name": "conflict"})
    assert conflict.status_code == 409
    assert error_of(conflict) == {
        "code": "already_done",
        "message": "Already done.",
        "details": {"n": 1},
    }
    throttled = post(client, {"name": "slow down"})
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "30"
    assert error_of(throttled)["code"] == "throttled"
    assert post(client, {"name": "edge"}).status_code == 409


@pytest.mark.parametrize(
    ("refusal", "status", "code"),
    [
        (domain.Invalid("x"), 400, "bad_request"),
        (domain.Unauthenticated("x"), 401, "unauthorized"),
        (BotUnauthorized("x"), 401, "bot_unauthorized"),
        (domain.LimitReached("x"), 402, "plan_limit"),
        (domain.Forbidden("x"), 403, "forbidden"),
        (domain.NotFound("x"), 404, "not_found"),
        (domain.Conflict("x", code="ticket_merged"), 409, "ticket_merged"),
        (domain.Gone("x"), 410, "gone"),
        (domain.Throttled("x", retry_after=0), 429, "throttled"),
        (domain.Unavailable("x"), 503, "unavailable"),
    ],
)
def test_each_kind_of_domain_refusal_has_one_status(refusal, status, code):
    error = http.as_http(refusal)
    assert (error.status, error.code, error.message) == (status, code, "x")


def test_a_throttled_refusal_says_when_to_come_back_in_whole_seconds():
    assert http.as_http(domain.Throttled("x", retry_after=0)).headers == {"Retry-After": "1"}
    assert http.as_http(domain.Throttled("x", retry_after=42)).headers == {"Retry-After": "42"}


def test_an_unexpected_error_is_a_json_500_without_internals(client, caplog):
    response = post(client, {"name": "boom"})
    assert response.status_code == 500
    error = error_of(response)
    assert "secret-internal-detail" not in response.body.decode()
    assert error["code"] == "internal_error"
    [record] = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert "secret-internal-detail" in str(record.exc_info[1])  # logged for us, not shown
    assert record.request_id == response.headers["X-Request-Id"]


def test_a_route_must_be_public_or_name_its_action():
    resource = Resource(__name__, "bad")
    with pytest.raises(ValueError):
        resource.route("/x", summary="x")
