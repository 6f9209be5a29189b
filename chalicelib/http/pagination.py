"""Paging at the edge: the query every list takes and its cursors (:mod:`chalicelib.cursors`),
refused with a 400 ``invalid_cursor`` when forged or made for another list."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chalicelib import cursors
from chalicelib.cursors import encode_cursor
from chalicelib.domain.errors import Invalid
from chalicelib.http.errors import as_http
from chalicelib.http.routing import RequestModel

__all__ = ["PageQuery", "decode_cursor", "encode_cursor"]


class PageQuery(RequestModel):
    limit: int = Field(25, ge=1, le=100)
    cursor: str | None = Field(None, max_length=4096)


def decode_cursor(
    cursor: str | None, partition: str, partition_attribute: str = "PK"
) -> dict[str, Any] | None:
    """The LastEvaluatedKey behind ``cursor``; 400 if forged or from another listing."""
    try:
        return cursors.decode_cursor(cursor, partition, partition_attribute)
    except Invalid as exc:
        raise as_http(exc) from exc
