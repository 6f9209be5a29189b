"""Setting a tenant's plan and add-ons as the Stripe webhook would leave them, straight in
the table: for tests whose world needs more users or channels than Free allows."""

from __future__ import annotations

from chalicelib.store import keys
from chalicelib.store.accounts import Tenant


def on_plan(tenant_id: str, plan: str = "pro", addons: dict[str, int] | None = None) -> None:
    """The tenant is on ``plan`` with ``addons`` (``{"users": 2}``) from now on."""
    actions = [Tenant.plan.set(plan)]
    if addons is not None:
        actions.append(Tenant.addons.set(addons))
    Tenant(keys.tenant_pk(tenant_id), keys.tenant_sk()).update_only(actions=actions)
