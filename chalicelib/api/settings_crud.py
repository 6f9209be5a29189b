"""The six routes every configuration item has: list, create, get, edit, delete, history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from chalicelib.domain.accounts.history import HistoryOut, entries_page
from chalicelib.domain.accounts.settings_items import Kind, SettingsItem
from chalicelib.http.pagination import PageQuery
from chalicelib.http.routing import Call, Resource, ResponseModel


class HistoryPage(ResponseModel):
    items: list[HistoryOut]
    next_cursor: str | None


def history_page(call: Call, entity: str, entity_id: str) -> HistoryPage:
    """One page of an item's history (the caller has checked the item is the tenant's)."""
    items, next_cursor = entries_page(
        call.principal.tenant_id, entity, entity_id, call.query.limit, call.query.cursor
    )
    return HistoryPage(items=items, next_cursor=next_cursor)


def crud_routes(
    resource: Resource,
    *,
    path: str,
    kind: Kind,
    body: type[BaseModel],
    patch: type[BaseModel],
    out: type[BaseModel],
    read_action: str,
    manage_action: str,
    to_out: Callable[[SettingsItem], BaseModel],
    prepare: Callable[[Call, dict[str, Any]], dict[str, Any]] = lambda call, data: data,
    list_query: type[PageQuery] = PageQuery,
    list_items: Callable[[Call], tuple[list[SettingsItem], str | None]] | None = None,
) -> type[BaseModel]:
    """Register the routes of one kind under ``path``; returns the page model.

    ``prepare`` validates a whole item (after merging a patch) and may raise a 400;
    ``list_items`` lists instead of the kind's ``listing``: items and the next page's cursor.
    """
    label = kind.label
    page = type(
        f"{out.__name__}Page",
        (ResponseModel,),
        {
            "__annotations__": {"items": list[out], "next_cursor": str | None},  # type: ignore[valid-type]
        },
    )
    item_path = path + "/{item_id}"

    def list_(call: Call) -> Any:
        if list_items is not None:
            items, next_cursor = list_items(call)
        else:
            items, next_cursor = kind.listing(
                call.principal.tenant_id, call.query.limit, call.query.cursor
            )
        return page(items=[to_out(i) for i in items], next_cursor=next_cursor)

    def create(call: Call) -> Any:
        data = prepare(call, call.body.model_dump(mode="json"))
        return to_out(kind.create(call.principal, data))

    def get(call: Call, item_id: str) -> Any:
        return to_out(kind.get(call.principal.tenant_id, item_id))

    def edit(call: Call, item_id: str) -> Any:
        # a patch names only what changes; null means "leave as is"
        changes = call.body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
        return to_out(
            kind.update(
                call.principal, item_id, changes, validate=lambda merged: prepare(call, merged)
            )
        )

    def delete(call: Call, item_id: str) -> None:
        kind.delete(call.principal, item_id)

    def history(call: Call, item_id: str) -> Any:
        kind.get(call.principal.tenant_id, item_id)
        return history_page(call, kind.entity, item_id)

    for handler, name in (
        (list_, "list"),
        (create, "create"),
        (get, "get"),
        (edit, "edit"),
        (delete, "delete"),
        (history, "history"),
    ):
        handler.__name__ = f"{name}_{kind.entity}"
    resource.route(
        path, summary=f"List {label}s.", query=list_query, response=page, action=read_action
    )(list_)
    resource.route(
        path,
        "POST",
        summary=f"Create a {label}.",
        body=body,
        response=out,
        status=201,
        action=manage_action,
        errors=(409,),  # a name already used
    )(create)
    resource.route(item_path, summary=f"One {label}.", response=out, action=read_action)(get)
    resource.route(
        item_path,
        "PATCH",
        summary=f"Edit a {label}.",
        body=patch,
        response=out,
        action=manage_action,
        errors=(409,),
    )(edit)
    resource.route(
        item_path,
        "DELETE",
        summary=f"Delete a {label}.",
        status=204,
        action=manage_action,
        errors=(409,),  # still in use, or the last one the account needs
    )(delete)
    resource.route(
        item_path + "/history",
        summary=f"Who changed this {label}, and how.",
        query=PageQuery,
        response=HistoryPage,
        action="history.read",
    )(history)
    return page
