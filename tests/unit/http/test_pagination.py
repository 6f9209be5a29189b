"""Page cursors are signed together with the list they were made for."""

from types import SimpleNamespace

import pytest

from chalicelib.http.errors import BadRequest
from chalicelib.http.pagination import decode_cursor, encode_cursor
from chalicelib.http.routing import REGISTRY, current_listing, listing_of

LAST_KEY = {"PK": {"S": "T#acme"}, "SK": {"S": "NOTIF#2"}}


def listing(query, path_params=None):
    import app  # noqa: F401  (registers the routes)

    route = next(r for r in REGISTRY if r.path == "/v1/notifications")
    return listing_of(SimpleNamespace(query_params=query), route, path_params or {})


def cursor_in(scope):
    token = current_listing.set(scope)
    try:
        return encode_cursor(LAST_KEY)
    finally:
        current_listing.reset(token)


def decode_in(scope, cursor):
    token = current_listing.set(scope)
    try:
        return decode_cursor(cursor, "T#acme")
    finally:
        current_listing.reset(token)


def test_a_cursor_goes_on_in_its_own_list_whatever_the_page_size():
    cursor = cursor_in(listing({"unread": "true", "limit": "5"}))
    assert decode_in(listing({"unread": "true", "limit": "50", "cursor": cursor}), cursor) == (
        LAST_KEY
    )


def test_a_cursor_is_refused_by_the_same_list_with_other_filters():
    cursor = cursor_in(listing({"unread": "true"}))
    with pytest.raises(BadRequest) as refused:
        decode_in(listing({}), cursor)
    assert refused.value.code == "invalid_cursor"


def test_a_cursor_is_refused_by_another_item_of_the_same_route():
    cursor = cursor_in(listing({}, {"item_id": "A"}))
    with pytest.raises(BadRequest):
        decode_in(listing({}, {"item_id": "B"}), cursor)


@pytest.mark.parametrize("forged", ["", "x", "bm90IGpzb24", "A" * 40, "W10"])
def test_garbage_is_an_invalid_cursor_not_a_crash(forged):
    if not forged:
        assert decode_in(listing({}), forged) is None
        return
    with pytest.raises(BadRequest):
        decode_in(listing({}), forged)
