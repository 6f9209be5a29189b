"""Quick replies (SPEC §2): canned texts an agent inserts by typing "/" and a shortcut.

The shortcut is stored without its "/" and is unique per tenant whatever its case,
so the picker's case-insensitive prefix search finds exactly one reply per name.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from chalicelib.api.settings_crud import crud_routes
from chalicelib.domain.accounts.settings_items import QUICK_REPLIES, SettingsItem
from chalicelib.domain.uploads import is_own_upload, upload_area
from chalicelib.http.errors import BadRequest
from chalicelib.http.pagination import PageQuery
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "quick_replies")

#: letters (any alphabet: "saudação" is a fine shortcut), digits, "_" and "-"
SHORTCUT = re.compile(r"[\w-]{0,40}")


def _shortcut_text(value: str) -> str:
    """Without its leading "/", in NFC so "ç" typed two ways is one shortcut."""
    return unicodedata.normalize("NFC", value.removeprefix("/"))


def _shortcut(value: str) -> str:
    value = _shortcut_text(value)
    if not value or not SHORTCUT.fullmatch(value):
        raise ValueError("use 1 to 40 letters, digits, “_” or “-”, without spaces")
    return value


def _prefix(value: str) -> str:
    value = _shortcut_text(value)
    if not SHORTCUT.fullmatch(value):
        raise ValueError("a shortcut has only letters, digits, “_” or “-”")
    return value


Shortcut = Annotated[str, AfterValidator(_shortcut)]


class Attachment(RequestModel):
    name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=3, max_length=127, pattern=r"^[\w.+-]+/[\w.+-]+$")
    s3_key: str = Field(min_length=1, max_length=1024)


class QuickReplyIn(RequestModel):
    shortcut: Shortcut
    text: str = Field(min_length=1, max_length=4096)  # code points: an emoji counts once
    attachments: list[Attachment] = Field(default_factory=list, max_length=10)


class QuickReplyPatch(RequestModel):
    shortcut: Shortcut | None = None
    text: str | None = Field(None, min_length=1, max_length=4096)
    attachments: list[Attachment] | None = Field(None, max_length=10)


class QuickReplyOut(ResponseModel):
    id: str
    shortcut: str
    text: str
    attachments: list[Attachment]
    created_at: datetime
    updated_at: datetime


class QuickReplyQuery(PageQuery):
    """With ``prefix`` (the "/" picker): the first ``limit`` matches by shortcut, no cursor."""

    prefix: Annotated[str, AfterValidator(_prefix)] | None = Field(None, max_length=41)


def quick_reply_out(item: SettingsItem) -> QuickReplyOut:
    return QuickReplyOut(
        id=item.item_id, created_at=item.created_at, updated_at=item.updated_at, **item.data
    )


def check_attachments(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """An attachment must be a file uploaded to this tenant's own area of the bucket."""
    wrong = [
        i
        for i, a in enumerate(data.get("attachments") or [])
        if not is_own_upload(call.principal.tenant_id, a["s3_key"])
    ]
    if wrong:
        raise BadRequest(
            "Attach only files uploaded to this account.",
            code="validation_error",
            details=[
                {
                    "loc": ["body", "attachments", i, "s3_key"],
                    "msg": f"must start with {upload_area(call.principal.tenant_id)}",
                    "type": "s3_key",
                }
                for i in wrong
            ],
        )
    return data


def list_replies(call: Call) -> tuple[list[SettingsItem], str | None]:
    tenant_id, query = call.principal.tenant_id, call.query
    if query.prefix is not None:  # "" when just "/" was typed: all, by shortcut
        return QUICK_REPLIES.by_prefix(tenant_id, query.prefix, query.limit), None
    return QUICK_REPLIES.listing(tenant_id, query.limit, query.cursor)


crud_routes(
    resource,
    path="/v1/quick-replies",
    kind=QUICK_REPLIES,
    body=QuickReplyIn,
    patch=QuickReplyPatch,
    out=QuickReplyOut,
    read_action="quick_replies.read",
    manage_action="quick_replies.manage",
    to_out=quick_reply_out,
    prepare=check_attachments,
    list_query=QuickReplyQuery,
    list_items=list_replies,
)
