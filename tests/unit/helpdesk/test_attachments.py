"""``POST /v1/attachments``: a presigned S3 POST for a file of a private reply (SPEC §4)."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from chalicelib import aws
from chalicelib.api.attachments import FILE_MAX_BYTES, IMAGE_MAX_BYTES, key_name
from chalicelib.clock import now
from chalicelib.domain.accounts.access import ROLES, can
from chalicelib.domain.uploads import is_own_upload
from chalicelib.settings import get_settings
from tests.support.plans import on_plan
from tests.support.world import World

MB = 1024 * 1024


def upload(world: World, token: str | None, filename: str = "factura.pdf",
           content_type: str = "application/pdf", size: int = 48213) -> Any:  # fmt: skip
    body = {"filename": filename, "content_type": content_type, "size": size}
    return world.call("POST", "/v1/attachments", token, body)


def policy_of(fields: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(fields["policy"])))


def test_an_agent_gets_a_presigned_post_for_its_tenants_area(world, admin, tenant):
    agent = world.user_with_role(admin, "pat@acme.example.com", "agent")

    response = upload(world, agent, "Cotización año 2026.pdf", "application/pdf", 48213)

    assert response.status_code == 201, response.json
    out = response.json
    key = out["s3_key"]
    at = now()
    assert re.fullmatch(
        rf"uploads/{tenant}/{at:%Y}/{at:%m}/[0-9a-z]{{26}}/Cotizacion_ano_2026\.pdf", key
    ), key
    bucket = get_settings().bucket
    assert out["url"] == f"https://{bucket}.s3.us-east-1.amazonaws.com/"
    assert out["filename"] == "Cotización año 2026.pdf"
    assert (out["content_type"], out["size"], out["max_size"]) == (
        "application/pdf",
        48213,
        16 * MB,
    )
    fields = out["fields"]
    assert fields["key"] == key and fields["Content-Type"] == "application/pdf"
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256" and fields["x-amz-signature"]
    policy = policy_of(fields)
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 48213] in conditions
    assert {"Content-Type": "application/pdf"} in conditions
    assert {"bucket": bucket} in conditions and {"key": key} in conditions
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(minutes=14) < expiration - at <= timedelta(minutes=15, seconds=5)
    expires_at = datetime.fromisoformat(out["expires_at"].replace("Z", "+00:00"))
    assert abs(expires_at - expiration) < timedelta(seconds=5)


def test_the_browser_uploads_with_the_form_it_was_given(world, admin):
    out = upload(world, admin, "foto.png", "image/png", 8).json

    sent = requests.post(out["url"], data=out["fields"],
                         files={"file": ("foto.png", b"\x89PNG\r\n\x1a\n", "image/png")},
                         timeout=10)  # fmt: skip

    assert sent.status_code in (200, 201, 204), sent.text
    stored = aws.client("s3").head_object(Bucket=get_settings().bucket, Key=out["s3_key"])
    assert stored["ContentType"] == "image/png" and stored["ContentLength"] == 8


@pytest.mark.parametrize(
    ("content_type", "size", "ok"),
    [
        ("image/jpeg", IMAGE_MAX_BYTES, True),
        ("image/jpeg", IMAGE_MAX_BYTES + 1, False),
        ("image/webp", 6 * MB, False),
        ("application/pdf", FILE_MAX_BYTES, True),
        ("application/pdf", FILE_MAX_BYTES + 1, False),
        ("video/mp4", FILE_MAX_BYTES + 1, False),
        ("audio/ogg", 10 * MB, True),
    ],
)
def test_size_limits_follow_whatsapp(world, admin, content_type, size, ok):
    extension = {"image/jpeg": "jpg", "image/webp": "webp", "application/pdf": "pdf",
                 "video/mp4": "mp4", "audio/ogg": "ogg"}[content_type]  # fmt: skip
    response = upload(world, admin, f"archivo.{extension}", content_type, size)
    if ok:
        assert response.status_code == 201, response.json
        return
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "validation_error"
    [detail] = error["details"]
    assert detail["loc"] == ["body", "size"] and detail["type"] == "too_large"
    assert "MB" in detail["msg"]


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("informe.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("ventas.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("viejo.doc", "application/msword"),
        ("viejo.xls", "application/vnd.ms-excel"),
        ("nota.txt", "text/plain"),
        ("datos.csv", "text/csv; charset=utf-8"),
        ("audio.mp3", "audio/mpeg"),
        ("gif.GIF", "image/gif"),
    ],
)
def test_allowed_kinds_of_file(world, admin, filename, content_type):
    response = upload(world, admin, filename, content_type, 1000)
    assert response.status_code == 201, response.json
    assert response.json["content_type"] == content_type.split(";")[0]
    assert response.json["s3_key"].endswith("/" + filename.rsplit(".", 1)[0] + "." +
                                            filename.rsplit(".", 1)[1].lower())  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field", "kind"),
    [
        ({"content_type": "text/html", "filename": "x.html"}, "content_type", "content_type"),
        (
            {"content_type": "application/x-msdownload", "filename": "x.exe"},
            "content_type",
            "content_type",
        ),
        ({"content_type": "image/svg+xml", "filename": "x.svg"}, "content_type", "content_type"),
        ({"filename": "../../etc/passwd.pdf"}, "filename", "filename"),
        ({"filename": "a\\b.pdf"}, "filename", "filename"),
        ({"filename": "nul\x00.pdf"}, "filename", "refused_character"),
        ({"filename": ".."}, "filename", "filename"),
        ({"filename": "factura.exe"}, "filename", "extension"),
        ({"filename": "foto.png", "content_type": "image/jpeg"}, "filename", "extension"),
        ({"size": 0}, "size", "greater_than"),
        ({"filename": ""}, "filename", "string_too_short"),
        ({"filename": "x" * 256 + ".pdf"}, "filename", "string_too_long"),
    ],
)
def test_bad_files_are_400_naming_the_field(world, admin, body, field, kind):
    request = {"filename": "factura.pdf", "content_type": "application/pdf", "size": 100, **body}
    response = world.call("POST", "/v1/attachments", admin, request)
    assert response.status_code == 400, response.json
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert [(d["loc"], d["type"]) for d in error["details"]] == [(["body", field], kind)]


def test_unknown_fields_are_refused(world, admin):
    body = {"filename": "a.pdf", "content_type": "application/pdf", "size": 1, "s3_key": "x"}
    assert world.call("POST", "/v1/attachments", admin, body).status_code == 400


def test_a_file_name_without_extension_gets_its_types(world, admin):
    assert (
        upload(world, admin, "Factura", "application/pdf").json["s3_key"].endswith("/Factura.pdf")
    )
    assert key_name("Ñandú 🐦 .JPEG", "image/jpeg") == "Nandu.jpeg"
    assert key_name(".bashrc", "text/plain") == "file.txt"
    assert len(key_name("a" * 250 + ".pdf", "application/pdf")) <= 100


def test_only_help_desk_roles_and_orders_admins_upload(world, admin, tenant):
    on_plan(tenant, "lite")  # a user of every role: more than Free allows
    tokens = {"admin": admin}
    for role in ROLES:
        if role != "admin":
            tokens[role] = world.user_with_role(admin, f"{role.replace('_', '.')}@acme.example.com",
                                                role)  # fmt: skip
    allowed = {role for role in ROLES if can(role, [], "attachments.upload")}
    # orders admins attach payment proofs and product images (docs/orders.md)
    assert allowed == {"admin", "supervisor", "agent", "stakeholder", "orders_admin"}
    for role, token in tokens.items():
        response = upload(world, token)
        if role in allowed:
            assert response.status_code == 201, (role, response.json)
        else:
            assert response.status_code == 403, (role, response.json)
            assert response.json["error"]["details"]["action"] == "attachments.upload"
    assert upload(world, None).status_code == 401


def test_an_upload_key_belongs_to_its_tenant_only(world, admin, tenant):
    other_admin = world.signup(company="Otra", email="otro@otra.example.com")["access_token"]
    mine = upload(world, admin).json["s3_key"]
    theirs = upload(world, other_admin).json["s3_key"]
    assert theirs.split("/")[1] != tenant

    assert is_own_upload(tenant, mine)
    assert not is_own_upload(tenant, theirs)
    for key in (f"uploads/{tenant}/", f"uploads/{tenant}/../{theirs.split('/')[1]}/x.pdf",
                f"uploads/{tenant}x/a.pdf", f"inbound/email/{tenant}/a.pdf", mine.upper()):  # fmt: skip
        assert not is_own_upload(tenant, key), key

    # quick replies apply the same rule to their attachments
    def quick_reply(token: str, shortcut: str, key: str) -> Any:
        return world.call("POST", "/v1/quick-replies", token, {
            "shortcut": shortcut, "text": "Adjunto la factura",
            "attachments": [{"name": "factura.pdf", "content_type": "application/pdf",
                             "s3_key": key}]})  # fmt: skip

    assert quick_reply(admin, "factura", mine).status_code == 201
    refused = quick_reply(admin, "ajena", theirs)
    assert refused.status_code == 400
    assert refused.json["error"]["details"][0]["loc"] == ["body", "attachments", 0, "s3_key"]
    assert quick_reply(other_admin, "ajena", mine).status_code == 400
