"""Account contacts (SPEC §2, seed 004): who at the customer company gets system emails,
and, with portal access, logs in as an ``account_contact`` user (the seed's "Sub-Conta").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import EmailStr, Field

from chalicelib.api.settings_crud import crud_routes
from chalicelib.domain.accounts import people
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.settings_items import ACCOUNT_CONTACTS, Kind, SettingsItem
from chalicelib.domain.errors import NotFound
from chalicelib.http.routing import RequestModel, Resource, ResponseModel
from chalicelib.store.accounts import User

log = logging.getLogger(__name__)
resource = Resource(__name__, "account_contacts")

PROFILE = ("first_name", "last_name", "email")  # what the portal user shares with the contact


class EmailPreferences(RequestModel):
    """Which system emails the contact gets (recipients.EMAIL_KINDS)."""

    general: bool = True
    products: bool = False
    channels: bool = False
    billing: bool = False
    support: bool = False


class ContactIn(RequestModel):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    company: str = Field("", max_length=200)
    email: EmailStr
    address: str = Field("", max_length=300)
    neighbourhood: str = Field("", max_length=100)
    city: str = Field("", max_length=100)
    state: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    country: str = Field("", max_length=100)
    phone: str = Field("", max_length=40)
    tax_id: str | None = Field(
        None,
        max_length=50,
        exclude=True,
        description="Accepted and ignored, as in the seed: not stored.",
    )
    portal_access: bool = False
    email_preferences: EmailPreferences = Field(default_factory=EmailPreferences)


class ContactPatch(RequestModel):
    """``email_preferences`` may name only the kinds that change."""

    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    company: str | None = Field(None, max_length=200)
    email: EmailStr | None = None
    address: str | None = Field(None, max_length=300)
    neighbourhood: str | None = Field(None, max_length=100)
    city: str | None = Field(None, max_length=100)
    state: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=40)
    tax_id: str | None = Field(None, max_length=50, exclude=True)
    portal_access: bool | None = None
    email_preferences: EmailPreferences | None = None


class EmailPreferencesOut(ResponseModel):
    general: bool
    products: bool
    channels: bool
    billing: bool
    support: bool


class ContactOut(ResponseModel):
    id: str
    first_name: str
    last_name: str
    company: str
    email: str
    address: str
    neighbourhood: str
    city: str
    state: str
    postal_code: str
    country: str
    phone: str
    portal_access: bool
    portal_user_id: str | None
    email_preferences: EmailPreferencesOut
    created_at: datetime
    updated_at: datetime


def contact_out(item: SettingsItem) -> ContactOut:
    return ContactOut(
        id=item.item_id,
        created_at=item.created_at,
        updated_at=item.updated_at,
        **{"portal_user_id": None, **item.data},
    )


def _portal_user(tenant_id: str, contact: SettingsItem) -> User | None:
    """The contact's portal user, if it still exists and still belongs to this contact."""
    user_id = contact.data.get("portal_user_id")
    if not user_id:
        return None
    try:
        user = people.get_user(tenant_id, user_id)
    except NotFound:  # deleted through /v1/users: access turned on again invites anew
        return None
    return user if user.contact_id == contact.item_id else None


def _invite(principal: Principal, contact_id: str, data: dict[str, Any]) -> User:
    user, _sent = people.invite_user(
        principal,
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        role="account_contact",
        permissions=[],
        departments=[],
        contact_id=contact_id,
    )
    return user


def _undo(steps: list[Callable[[], Any]]) -> None:
    """Best effort, newest first: a failed undo is logged, the original error still raised."""
    for step in reversed(steps):
        try:
            step()
        except Exception:
            log.exception("could not undo a portal user change")


class PortalContacts(Kind):
    """ACCOUNT_CONTACTS whose ``portal_access`` keeps an ``account_contact`` user in step.

    The user is created through the invitation flow, deactivated when access is turned
    off, reactivated when turned on again, renamed with the contact, deleted with it.
    A user's id cannot be known before it is created, nor a contact's, so each write
    comes in the order that leaves nothing half-done when a later one fails and undoes
    the earlier ones then.
    """

    def create(self, principal: Principal, data: dict[str, Any]) -> SettingsItem:
        data = {**data, "portal_user_id": None}
        if not data["portal_access"]:
            return super().create(principal, data)
        # the usual refusal (the address is already an Atiende user) before any write;
        # a race past this check is undone below
        if people.email_in_use(data["email"]):
            raise people.email_taken()
        contact = super().create(principal, data)
        undo: list[Callable[[], Any]] = [lambda: Kind.delete(self, principal, contact.item_id)]
        try:
            user = _invite(principal, contact.item_id, data)
            undo.append(lambda: people.delete_user(principal, user.user_id))
            return super().update(principal, contact.item_id, {"portal_user_id": user.user_id})
        except Exception:
            _undo(undo)
            raise

    def update(
        self,
        principal: Principal,
        item_id: str,
        changes: dict[str, Any],
        validate: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> SettingsItem:
        current = self.get(principal.tenant_id, item_id)
        changes = dict(changes)
        if "email_preferences" in changes:
            changes["email_preferences"] = {
                **current.data["email_preferences"],
                **changes["email_preferences"],
            }
        merged = {**current.data, **changes}
        if validate is not None:  # an invalid edit must not touch the user first
            merged = validate(merged)
        user = _portal_user(principal.tenant_id, current)
        undo: list[Callable[[], Any]] = []
        try:
            if merged["portal_access"] and user is None:
                user = _invite(principal, item_id, merged)
                undo.append(lambda: people.delete_user(principal, user.user_id))
                changes["portal_user_id"] = user.user_id
            elif user is not None:
                self._follow(principal, user, merged, changes, undo)
            return super().update(principal, item_id, changes, validate)
        except Exception:
            _undo(undo)
            raise

    @staticmethod
    def _follow(
        principal: Principal,
        user: User,
        merged: dict[str, Any],
        changes: dict[str, Any],
        undo: list[Callable[[], Any]],
    ) -> None:
        """Bring an existing portal user in line with the edited contact."""
        renamed = {f: merged[f] for f in PROFILE if f in changes and merged[f] != getattr(user, f)}
        if renamed:
            before = {f: getattr(user, f) for f in renamed}
            people.update_user(principal, user.user_id, renamed)
            undo.append(lambda: people.update_user(principal, user.user_id, before))
        active = bool(merged["portal_access"])
        if bool(user.active) != active:
            people.set_active(principal, user.user_id, active)
            undo.append(lambda: people.set_active(principal, user.user_id, not active))

    def delete(self, principal: Principal, item_id: str) -> None:
        """The portal user goes first: if it cannot (it is the caller), the contact stays."""
        user = _portal_user(principal.tenant_id, self.get(principal.tenant_id, item_id))
        if user is not None:
            people.delete_user(principal, user.user_id)
        super().delete(principal, item_id)


CONTACTS = PortalContacts(
    ACCOUNT_CONTACTS.entity,
    ACCOUNT_CONTACTS.counter,
    ACCOUNT_CONTACTS.unique_field,
    ACCOUNT_CONTACTS.label,
)

crud_routes(
    resource,
    path="/v1/account-contacts",
    kind=CONTACTS,
    body=ContactIn,
    patch=ContactPatch,
    out=ContactOut,
    read_action="account_contacts.read",
    manage_action="account_contacts.manage",
    to_out=contact_out,
)
