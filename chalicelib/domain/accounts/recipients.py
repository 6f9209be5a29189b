"""Who receives a system email of a given kind (SPEC §2, seed 004).

The one function every sender asks. Account contacts choose the kinds they get:
``general`` (announcements, password resets), ``products`` (subscription changes,
welcome), ``channels`` (a channel disconnected or its credentials expiring),
``billing`` (invoices, reminders), ``support`` (the tenant's support requests).
"""

from __future__ import annotations

from typing import Any, Literal

EmailKind = Literal["general", "products", "channels", "billing", "support"]
EMAIL_KINDS: tuple[EmailKind, ...] = ("general", "products", "channels", "billing", "support")


def account_recipients(tenant_id: str, kind: EmailKind) -> list[str]:
    """Addresses of the tenant's account contacts whose preferences cover ``kind``."""
    from chalicelib.domain.accounts.settings_items import ACCOUNT_CONTACTS
    from chalicelib.store.base import every_item

    found = [
        item.data["email"]
        for item in every_item(lambda cursor: ACCOUNT_CONTACTS.page(tenant_id, 100, cursor))
        if (item.data.get("email_preferences") or {}).get(kind)
    ]
    return sorted(set(found), key=str.lower)


def may_receive(user: Any, kind: EmailKind) -> bool:
    """Whether a personal email of ``kind`` (e.g. a password reset) may go to ``user``.

    Staff always get their own account emails; a portal user (account_contact) gets
    them only if their contact record's preferences cover the kind.
    """
    if user.role != "account_contact" or not user.contact_id:
        return True
    from chalicelib.domain.accounts.settings_items import ACCOUNT_CONTACTS
    from chalicelib.domain.errors import NotFound

    try:
        contact = ACCOUNT_CONTACTS.get(user.tenant_id, user.contact_id)
    except NotFound:
        return True
    return bool((contact.data.get("email_preferences") or {}).get(kind))
