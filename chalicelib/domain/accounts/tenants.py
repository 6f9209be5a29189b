"""Signup and the establishment (the tenant's company data, seed 000)."""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import now
from chalicelib.domain.accounts import passwords
from chalicelib.domain.accounts.history import history_entry
from chalicelib.domain.accounts.people import (
    check_password_policy,
    email_claim,
    email_taken,
    new_user,
)
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.accounts.recipients import EMAIL_KINDS, account_recipients
from chalicelib.domain.accounts.settings_items import ACCOUNT_CONTACTS
from chalicelib.ids import new_id
from chalicelib.mail import message as mail
from chalicelib.mail.templates import render
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store.accounts import EmailClaim, Tenant, User
from chalicelib.store.base import failed_conditions, transaction
from chalicelib.store.limits import SEATS

log = logging.getLogger(__name__)

ESTABLISHMENT_FIELDS = ("name", "admin_email", "address", "locale", "timezone")


def signup(
    *,
    company_name: str,
    locale: str,
    timezone: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
) -> tuple[Tenant, User]:
    """A new tenant on the Free plan and its first admin, in one transaction."""
    check_password_policy(password, email)
    at = now()
    tenant_id = new_id()
    tenant = Tenant(
        keys.tenant_pk(tenant_id),
        keys.tenant_sk(),
        tenant_id=tenant_id,
        name=company_name,
        locale=locale,
        timezone=timezone,
        plan="free",
        admin_email=email,
        fiscal={},
        counts={"users": 1, "account_contacts": 1, SEATS: 1},  # the admin takes a seat
        created_at=at,
        updated_at=at,
    )
    admin = new_user(
        tenant_id,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role="admin",
        permissions=[],
        departments=[],
        at=at,
    )
    admin.status = "active"
    admin.password_hash = passwords.hash_password(password)
    try:
        with transaction() as write:
            write.save(email_claim(admin), condition=EmailClaim.PK.does_not_exist())
            write.save(tenant, condition=Tenant.PK.does_not_exist())
            write.save(admin, condition=User.PK.does_not_exist())
            # the admin is the first account contact, with every kind of system email
            ACCOUNT_CONTACTS.add_to(write, tenant_id, first_contact(admin, company_name), at)
            write.save(
                history_entry(
                    tenant_id,
                    "establishment",
                    tenant_id,
                    admin.user_id,
                    "created",
                    at,
                    after=establishment_view(tenant),
                )
            )
    except TransactWriteError as exc:
        if (keys.email_claim_pk(email), keys.email_claim_sk()) in failed_conditions(write, exc):
            raise email_taken() from exc
        raise
    try:
        # "products" emails (welcome, subscription changes) go to the contacts who want
        # them: at signup, that is the admin, the first contact
        recipients = account_recipients(tenant_id, "products")
        if recipients:
            mail.enqueue(
                render(
                    "welcome",
                    locale,
                    recipients,
                    kind="products",
                    tenant_id=tenant_id,
                    company=company_name,
                    first_name=first_name,
                    link=get_settings().public_url,
                )
            )
    except Exception:
        log.exception("welcome email not queued", extra={"tenant_id": tenant_id})
    return tenant, admin


def first_contact(admin: User, company_name: str) -> dict[str, Any]:
    """The signing-up admin as the company's first account contact (seed 004)."""
    blank = dict.fromkeys(
        ("address", "neighbourhood", "city", "state", "postal_code", "country", "phone"), ""
    )
    return {
        "first_name": admin.first_name,
        "last_name": admin.last_name,
        "company": company_name,
        "email": admin.email,
        **blank,
        "portal_access": False,
        "portal_user_id": None,
        "email_preferences": dict.fromkeys(EMAIL_KINDS, True),
    }


def get_tenant(tenant_id: str) -> Tenant:
    return Tenant.get(keys.tenant_pk(tenant_id), keys.tenant_sk())


def establishment_view(tenant: Tenant) -> dict[str, Any]:
    view = {field: getattr(tenant, field) for field in ESTABLISHMENT_FIELDS}
    view["fiscal"] = dict(tenant.fiscal or {})
    return view


def update_establishment(principal: Principal, changes: dict[str, Any]) -> Tenant:
    tenant = get_tenant(principal.tenant_id)
    before = establishment_view(tenant)
    at = now()
    actions = [Tenant.updated_at.set(at)]
    for field in ESTABLISHMENT_FIELDS:
        if field in changes:
            actions.append(getattr(Tenant, field).set(changes[field]))
    if "fiscal" in changes:
        fiscal = {**(tenant.fiscal or {}), **changes["fiscal"]}
        actions.append(Tenant.fiscal.set(fiscal))
    after = {**before, **{k: v for k, v in changes.items() if k != "fiscal"}}
    if "fiscal" in changes:
        after["fiscal"] = {**before["fiscal"], **changes["fiscal"]}
    with transaction() as write:
        # the fiscal map is rewritten whole: only if nobody changed the tenant meanwhile
        write.update(
            Tenant(tenant.PK, tenant.SK),
            actions=actions,
            condition=Tenant.updated_at == tenant.updated_at,
        )
        write.save(
            history_entry(
                principal.tenant_id,
                "establishment",
                principal.tenant_id,
                principal.user_id,
                "updated",
                at,
                before=before,
                after=after,
            )
        )
    return get_tenant(principal.tenant_id)
