"""Attachments (SPEC §4): files for private replies, uploaded straight to S3.

``POST /v1/attachments`` checks what the browser is about to upload (type, size, name)
and answers with a presigned S3 POST: the browser sends the file to ``url`` with
``fields`` and the file as the last form field, within 15 minutes. S3 itself enforces
the content type and the size (``content-length-range``) the policy names. The answer's
``s3_key`` then goes with a reply (``attachments: [{s3_key, content_type, filename,
size}]``); the outbound worker gives the provider a presigned GET of it.

Limits follow WhatsApp, the strictest channel: images 5 MB, everything else 16 MB.
Every key lives under ``uploads/<tenant id>/``; :func:`chalicelib.domain.uploads.is_own_upload` is the one rule
saying a key may be attached by a tenant (quick replies and the worker check it too).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from chalicelib import aws
from chalicelib.clock import now
from chalicelib.domain.uploads import upload_area
from chalicelib.http.errors import BadRequest
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel
from chalicelib.ids import new_id
from chalicelib.settings import get_settings

resource = Resource(__name__, "attachments")

MB = 1024 * 1024
IMAGE_MAX_BYTES = 5 * MB
FILE_MAX_BYTES = 16 * MB
UPLOAD_SECONDS = 15 * 60
_OFFICE = "application/vnd.openxmlformats-officedocument."

#: content type -> the file name extensions it may carry (the first is added when none)
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg", ".jfif"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "image/gif": (".gif",),
    "application/pdf": (".pdf",),
    "text/plain": (".txt", ".text", ".log"),
    "text/csv": (".csv",),
    "audio/mpeg": (".mp3", ".mpga", ".mpeg"),
    "audio/ogg": (".ogg", ".oga", ".opus"),
    "video/mp4": (".mp4", ".m4v"),
    _OFFICE + "wordprocessingml.document": (".docx",),
    _OFFICE + "spreadsheetml.sheet": (".xlsx",),
    _OFFICE + "presentationml.presentation": (".pptx",),
    "application/msword": (".doc",),
    "application/vnd.ms-excel": (".xls",),
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_KEY_NAME_MAX = 100


def media_type(content_type: str) -> str:
    """``Text/CSV; charset=utf-8`` -> ``text/csv``."""
    return content_type.split(";", 1)[0].strip().lower()


def max_bytes(content_type: str) -> int:
    return IMAGE_MAX_BYTES if content_type.startswith("image/") else FILE_MAX_BYTES


def key_name(filename: str, content_type: str) -> str:
    """The file name as the S3 key carries it: ASCII letters, digits, ``._-``, with an
    extension of its type (the original name stays in the reply's ``filename``)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    stem, dot, extension = ascii_name.rpartition(".")
    if not dot:
        stem, extension = ascii_name, ""
    stem = _UNSAFE.sub("_", stem).strip("._-")[: _KEY_NAME_MAX - 6] or "file"
    suffix = f".{extension.lower()}"
    if suffix not in ALLOWED_TYPES[content_type]:
        suffix = ALLOWED_TYPES[content_type][0]
    return stem + suffix


class UploadIn(RequestModel):
    filename: str = Field(min_length=1, max_length=255, examples=["factura 1042.pdf"])
    content_type: str = Field(min_length=3, max_length=127, examples=["application/pdf"])
    size: int = Field(gt=0, description="Bytes; images up to 5 MB, other files up to 16 MB")


class UploadOut(ResponseModel):
    s3_key: str = Field(description="Send it with the reply's attachment")
    url: str = Field(description="POST the form here")
    fields: dict[str, str] = Field(description="Form fields to send before the file")
    filename: str
    content_type: str
    size: int
    max_size: int
    expires_at: datetime


def _problems(body: UploadIn) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []

    def problem(field: str, message: str, kind: str) -> None:
        problems.append({"loc": ["body", field], "msg": message, "type": kind})

    content_type = media_type(body.content_type)
    if content_type not in ALLOWED_TYPES:
        problem("content_type", "this kind of file cannot be sent; send images (JPEG, PNG, "
                "WebP, GIF), PDF, text, CSV, MP3, OGG, MP4 or Office documents", "content_type")  # fmt: skip
    elif body.size > max_bytes(content_type):
        limit = max_bytes(content_type) // MB
        problem("size", f"a {content_type} file may be at most {limit} MB", "too_large")
    name = body.filename
    if _CONTROL.search(name) or "/" in name or "\\" in name or name.strip(". ") == "":
        problem("filename", "a file name without “/”, “\\” or control characters", "filename")
    elif content_type in ALLOWED_TYPES and "." in name.strip("."):
        extension = "." + name.rsplit(".", 1)[1].lower()
        if extension not in ALLOWED_TYPES[content_type]:
            expected = ", ".join(ALLOWED_TYPES[content_type])
            problem("filename", f"a {content_type} file ends in {expected}", "extension")
    return problems


@resource.route(
    "/v1/attachments",
    "POST",
    summary="Get a presigned S3 POST to upload a file for a private reply (15 minutes).",
    body=UploadIn,
    response=UploadOut,
    status=201,
    action="attachments.upload",
)
def create_upload(call: Call) -> UploadOut:
    body: UploadIn = call.body
    problems = _problems(body)
    if problems:
        raise BadRequest("The file cannot be uploaded.", code="validation_error", details=problems)
    content_type = media_type(body.content_type)
    at = now()
    key = (
        f"{upload_area(call.principal.tenant_id)}{at:%Y/%m}/{new_id()}/"
        f"{key_name(body.filename, content_type)}"
    )
    post = aws.presigner().generate_presigned_post(
        Bucket=get_settings().bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, body.size]],
        ExpiresIn=UPLOAD_SECONDS,
    )
    return UploadOut(
        s3_key=key,
        url=post["url"],
        fields={name: str(value) for name, value in post["fields"].items()},
        filename=body.filename,
        content_type=content_type,
        size=body.size,
        max_size=max_bytes(content_type),
        expires_at=at + timedelta(seconds=UPLOAD_SECONDS),
    )
