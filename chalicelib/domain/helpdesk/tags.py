"""Tags (SPEC §4): the tenant's list of labels that agents put on tickets and columns filter by.

A tag's name is unique in the tenant whatever its case and accents ("Envío" and "ENVIO"
are one tag). The uniqueness claim and the name index use the folded name, kept in
the item beside the name as ``name_key``; the API never shows it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from chalicelib.domain.accounts.settings_items import Kind
from chalicelib.domain.errors import Conflict, Invalid

NAME_MAX = 50
COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


def fold(name: str) -> str:
    """The form two names are compared in: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def clean_name(value: str) -> str:
    """A tag name as stored: NFC, trimmed, inner runs of spaces made one."""
    name = " ".join(unicodedata.normalize("NFC", value).split())
    if not name:
        raise ValueError("a tag needs a name")
    if len(name) > NAME_MAX:
        raise ValueError(f"use at most {NAME_MAX} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        raise ValueError("a tag name cannot hold control characters")
    if not fold(name):
        raise ValueError("a tag name needs at least one letter, digit or sign")
    return name


class TagKind(Kind):
    """Tags compare names folded; a clash names the ``name`` field the client sent."""

    def _taken(self, value: str) -> Conflict:
        return Conflict(
            f"Another tag is already called “{value}” (case and accents aside).",
            code="name_taken",
            details=[{"loc": ["body", "name"], "msg": "already in use", "type": "unique"}],
        )


TAGS = TagKind("tag", "tags", unique_field="name_key", label="tag")


def with_name_key(data: dict[str, Any]) -> dict[str, Any]:
    """The tag's fields plus the folded name its uniqueness and picker rely on."""
    color = data.get("color") or None  # "" in a patch removes the colour
    return {**data, "color": color.upper() if color else None, "name_key": fold(data["name"])}


def tag_ids_exist(tenant_id: str, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` are tags of the tenant (one BatchGetItem per 100 distinct ids)."""
    return TAGS.existing_ids(tenant_id, list(ids))


def check_tags(tenant_id: str, ids: list[str], field: str = "tags") -> None:
    """400 naming every id that is not a tag of the tenant (for ticket edits)."""
    missing = sorted(set(ids) - tag_ids_exist(tenant_id, ids))
    if missing:
        raise Invalid(
            "Unknown tags: " + ", ".join(missing) + "; use the account's tags (see /v1/tags).",
            code="validation_error",
            details=[
                {"loc": ["body", field], "msg": f"no tag {m}", "type": "reference"} for m in missing
            ],
        )
