"""Configuration items of a tenant (departments, agent groups, quick replies, custom
fields, account contacts): one way to create, change, delete, list and audit them.

Each item lives at ``PK = TENANT#t``, ``SK = <KIND>#<id>``. Every change is one
transaction: the item (conditional), the tenant's counter and a history entry.
A name that must be unique in the tenant gets a claim item in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import now
from chalicelib.cursors import page_of
from chalicelib.domain.accounts.history import history_entry
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Conflict, Invalid, NotFound
from chalicelib.ids import new_id
from chalicelib.store import keys
from chalicelib.store.accounts import Tenant, get_or_none
from chalicelib.store.base import Item, failed_conditions, transaction
from chalicelib.store.indexes import FacetIndex


class SettingsItem(Item, discriminator="SettingsItem"):
    """A configuration item; ``data`` holds its fields as the domain defines them.

    ``GSI3`` lists a tenant's items of one kind by name (the "/" picker's prefix search).
    """

    GSI3PK = UnicodeAttribute(null=True)
    GSI3SK = UnicodeAttribute(null=True)
    by_name = FacetIndex()

    tenant_id = UnicodeAttribute()
    entity = UnicodeAttribute()
    item_id = UnicodeAttribute()
    data = JSONAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class NameClaim(Item, discriminator="NameClaim"):
    """Keeps a name unique among a tenant's items of one kind."""

    item_id = UnicodeAttribute()


class Kind:
    """One kind of configuration item: its name, counter and optional unique field."""

    def __init__(
        self, entity: str, counter: str, unique_field: str | None = None, label: str = "item"
    ) -> None:
        self.entity = entity
        self.counter = counter
        self.unique_field = unique_field
        self.label = label

    def _claim(self, tenant_id: str, value: str) -> NameClaim:
        return NameClaim(keys.unique_name_pk(tenant_id, self.entity, value), keys.unique_name_sk())

    def _claim_key(self, tenant_id: str, value: str) -> tuple[str, str]:
        return keys.unique_name_pk(tenant_id, self.entity, value), keys.unique_name_sk()

    def _taken(self, value: str) -> Conflict:
        return Conflict(
            f"Another {self.label} already uses “{value}”.",
            code="name_taken",
            details=[
                {"loc": ["body", self.unique_field], "msg": "already in use", "type": "unique"}
            ],
        )

    def _item(
        self,
        tenant_id: str,
        item_id: str,
        data: dict[str, Any],
        at: datetime,
        created_at: datetime | None = None,
    ) -> SettingsItem:
        item = SettingsItem(
            keys.tenant_pk(tenant_id),
            keys.config_sk(self.entity, item_id),
            tenant_id=tenant_id,
            entity=self.entity,
            item_id=item_id,
            data=data,
            created_at=created_at or at,
            updated_at=at,
        )
        if self.unique_field:
            item.GSI3PK = keys.name_index_pk(tenant_id, self.entity)
            item.GSI3SK = str(data[self.unique_field]).lower() + "#" + item_id
        return item

    def add_to(
        self, write: Any, tenant_id: str, data: dict[str, Any], at: datetime
    ) -> SettingsItem:
        """Put a new item (and its name claim) inside a caller's transaction; the caller
        keeps the counter and the history."""
        item = self._item(tenant_id, new_id(), data, at)
        if self.unique_field:
            claim = self._claim(tenant_id, data[self.unique_field])
            claim.item_id = item.item_id
            write.save(claim, condition=NameClaim.PK.does_not_exist())
        write.save(item, condition=SettingsItem.PK.does_not_exist())
        return item

    def get(self, tenant_id: str, item_id: str) -> SettingsItem:
        item = get_or_none(
            SettingsItem, keys.tenant_pk(tenant_id), keys.config_sk(self.entity, item_id)
        )
        if item is None:
            raise NotFound(f"There is no such {self.label}.")
        return item

    def create(self, principal: Principal, data: dict[str, Any]) -> SettingsItem:
        at = now()
        item = self._item(principal.tenant_id, new_id(), data, at)
        try:
            with transaction() as write:
                if self.unique_field:
                    claim = self._claim(principal.tenant_id, data[self.unique_field])
                    claim.item_id = item.item_id
                    write.save(claim, condition=NameClaim.PK.does_not_exist())
                write.save(item, condition=SettingsItem.PK.does_not_exist())
                write.update(
                    Tenant(keys.tenant_pk(principal.tenant_id), keys.tenant_sk()),
                    actions=[Tenant.counts[self.counter].add(1)],
                    condition=Tenant.PK.exists(),
                )
                write.save(
                    history_entry(
                        principal.tenant_id,
                        self.entity,
                        item.item_id,
                        principal.user_id,
                        "created",
                        at,
                        after=data,
                    )
                )
        except TransactWriteError as exc:
            if self.unique_field and self._claim_key(
                principal.tenant_id, data[self.unique_field]
            ) in failed_conditions(write, exc):
                raise self._taken(data[self.unique_field]) from exc
            raise
        return item

    def update(
        self,
        principal: Principal,
        item_id: str,
        changes: dict[str, Any],
        validate: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> SettingsItem:
        """Apply ``changes``; the write is conditional on the item not having changed since read."""
        current = self.get(principal.tenant_id, item_id)
        merged = {**current.data, **changes}
        if validate is not None:
            merged = validate(merged)
        if merged == current.data:
            return current
        at = now()
        item = self._item(principal.tenant_id, item_id, merged, at, current.created_at)
        unique = self.unique_field
        renamed = bool(unique) and str(merged[unique]).lower() != str(current.data[unique]).lower()
        try:
            with transaction() as write:
                if renamed:
                    claim = self._claim(principal.tenant_id, merged[unique])
                    claim.item_id = item_id
                    write.save(claim, condition=NameClaim.PK.does_not_exist())
                    write.delete(self._claim(principal.tenant_id, current.data[unique]))
                write.save(item, condition=SettingsItem.updated_at == current.updated_at)
                write.save(
                    history_entry(
                        principal.tenant_id,
                        self.entity,
                        item_id,
                        principal.user_id,
                        "updated",
                        at,
                        before=current.data,
                        after=merged,
                    )
                )
        except TransactWriteError as exc:
            failed = failed_conditions(write, exc)
            if renamed and self._claim_key(principal.tenant_id, merged[unique]) in failed:
                raise self._taken(merged[unique]) from exc
            if failed:
                raise Conflict(
                    f"The {self.label} changed meanwhile; reload it and try again.",
                    code="edit_conflict",
                ) from exc
            raise
        return item

    def delete(self, principal: Principal, item_id: str) -> None:
        current = self.get(principal.tenant_id, item_id)
        at = now()
        try:
            with transaction() as write:
                write.delete(current, condition=SettingsItem.PK.exists())
                if self.unique_field:
                    write.delete(self._claim(principal.tenant_id, current.data[self.unique_field]))
                write.update(
                    Tenant(keys.tenant_pk(principal.tenant_id), keys.tenant_sk()),
                    actions=[Tenant.counts[self.counter].add(-1)],
                    condition=Tenant.PK.exists(),
                )
                write.save(
                    history_entry(
                        principal.tenant_id,
                        self.entity,
                        item_id,
                        principal.user_id,
                        "deleted",
                        at,
                        before=current.data,
                    )
                )
        except TransactWriteError as exc:
            if (current.PK, current.SK) in failed_conditions(write, exc):
                raise NotFound(f"There is no such {self.label}.") from exc  # deleted meanwhile
            raise

    def page(
        self, tenant_id: str, limit: int, cursor: dict[str, Any] | None
    ) -> tuple[list[SettingsItem], Any]:
        found = SettingsItem.query(
            keys.tenant_pk(tenant_id),
            SettingsItem.SK.startswith(keys.config_prefix(self.entity)),
            limit=limit,
            last_evaluated_key=cursor,
        )
        return list(found), found.last_evaluated_key

    def listing(
        self, tenant_id: str, limit: int, cursor: str | None
    ) -> tuple[list[SettingsItem], str | None]:
        """One page of the tenant's items and the opaque cursor of the next."""
        partition = keys.tenant_pk(tenant_id)
        return page_of(lambda last: self.page(tenant_id, limit, last), cursor, partition)

    def by_prefix(self, tenant_id: str, prefix: str, limit: int) -> list[SettingsItem]:
        """Items whose unique name starts with ``prefix`` (case-insensitive), in name order;
        an empty prefix lists them all (DynamoDB refuses ``begins_with ""``)."""
        assert self.unique_field
        condition = SettingsItem.GSI3SK.startswith(prefix.lower()) if prefix else None
        return list(
            SettingsItem.by_name.query(
                keys.name_index_pk(tenant_id, self.entity), condition, limit=limit
            )
        )

    def existing_ids(self, tenant_id: str, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        found = SettingsItem.batch_get(
            [(keys.tenant_pk(tenant_id), keys.config_sk(self.entity, i)) for i in set(ids)]
        )
        return {item.item_id for item in found}


DEPARTMENTS = Kind("department", "departments", unique_field="name", label="department")
AGENT_GROUPS = Kind("agent_group", "agent_groups", unique_field="name", label="agent group")
QUICK_REPLIES = Kind("quick_reply", "quick_replies", unique_field="shortcut", label="quick reply")
CUSTOM_FIELDS = Kind("custom_field", "custom_fields", unique_field="key", label="custom field")
ACCOUNT_CONTACTS = Kind(
    "account_contact", "account_contacts", unique_field="email", label="account contact"
)


def check_departments(tenant_id: str, department_ids: list[str]) -> None:
    missing = sorted(set(department_ids) - DEPARTMENTS.existing_ids(tenant_id, department_ids))
    if missing:
        raise Invalid(
            "Unknown departments: " + ", ".join(missing) + ".",
            code="validation_error",
            details=[
                {"loc": ["body", "departments"], "msg": f"no department {m}", "type": "reference"}
                for m in missing
            ],
        )
