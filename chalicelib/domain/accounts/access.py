"""Who may do what: the one table of role -> allowed actions (SPEC §2).

Every non-public route names an action; ``http/auth.py`` checks it here before the
handler runs. ``docs/roles.md`` is rendered from this module (a test keeps it so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal[
    "admin", "supervisor", "agent", "analyst", "stakeholder", "orders_admin", "account_contact"
]
ROLES: tuple[Role, ...] = (
    "admin",
    "supervisor",
    "agent",
    "analyst",
    "stakeholder",
    "orders_admin",
    "account_contact",
)

#: Optional permissions each role may carry; any other permission is refused.
PERMISSIONS_BY_ROLE: dict[Role, frozenset[str]] = {
    "admin": frozenset(),
    "supervisor": frozenset(
        {
            "orders_payments_admin",
            "payment_reconciler",
            "standalone_orders",
            "conversation_reports",
            "payment_reports",
        }
    ),
    "agent": frozenset({"conversation_dispenser", "transfer_conversations", "standalone_orders"}),
    "analyst": frozenset({"conversation_reports", "payment_reports"}),
    "stakeholder": frozenset(),
    "orders_admin": frozenset({"standalone_orders", "payment_reconciler", "payment_reports"}),
    "account_contact": frozenset(),
}
ALL_PERMISSIONS = frozenset().union(*PERMISSIONS_BY_ROLE.values())

HELP_DESK: frozenset[Role] = frozenset({"admin", "supervisor", "agent", "stakeholder"})
STAFF: frozenset[Role] = frozenset(
    {"admin", "supervisor", "agent", "analyst", "stakeholder", "orders_admin"}
)
EVERYONE: frozenset[Role] = frozenset(ROLES)
ADMIN: frozenset[Role] = frozenset({"admin"})
#: Who sees tickets at all (agents: only theirs and the unassigned ones of their channels).
TICKET_READERS: frozenset[Role] = frozenset(
    {"admin", "supervisor", "agent", "analyst", "stakeholder"}
)
MANAGERS: frozenset[Role] = frozenset({"admin", "supervisor"})
#: Staff who work in the help desk or read it (orders admins reach only the orders area).
DESK_STAFF: frozenset[Role] = STAFF - {"orders_admin"}
#: Who reaches the orders area (agents and stakeholders: see ``orders.read``).
ORDER_READERS: frozenset[Role] = frozenset(
    {"admin", "supervisor", "agent", "stakeholder", "orders_admin"}
)


@dataclass(frozen=True)
class Rule:
    """An action is allowed to ``roles``, or to a role holding one of ``with_permission``."""

    description: str
    roles: frozenset[Role]
    with_permission: dict[Role, frozenset[str]] = field(default_factory=dict)


ACTIONS: dict[str, Rule] = {
    "me.read": Rule("See and edit one's own profile and presence", EVERYONE),
    "account.read": Rule("See the establishment and the account summary", ADMIN),
    "account.manage": Rule("Edit the establishment and its fiscal data", ADMIN),
    "users.read": Rule("List and see the tenant's users", frozenset({"admin", "supervisor"})),
    "users.manage": Rule("Create, edit, deactivate, delete users; resend invitations", ADMIN),
    "departments.read": Rule("List departments", DESK_STAFF),
    "departments.manage": Rule("Create, edit and delete departments", ADMIN),
    "agent_groups.read": Rule("List agent groups", DESK_STAFF),
    "agent_groups.manage": Rule("Create, edit and delete agent groups", ADMIN),
    "quick_replies.read": Rule("List quick replies and use the '/' picker", HELP_DESK),
    "quick_replies.manage": Rule("Create, edit and delete quick replies", ADMIN),
    "custom_fields.read": Rule("See the custom fields of clients and tickets", DESK_STAFF),
    "custom_fields.manage": Rule("Define custom fields", ADMIN),
    "account_contacts.read": Rule("See account contacts", frozenset({"admin", "account_contact"})),
    "account_contacts.manage": Rule(
        "Add, edit and remove account contacts and their email preferences",
        frozenset({"admin", "account_contact"}),
    ),
    "billing.read": Rule(
        "See the plan, limits and usage, the subscription, payment methods and invoices",
        frozenset({"admin", "account_contact"}),
    ),
    "billing.manage": Rule(
        "Change the plan and add-ons, add and remove payment methods, cancel",
        frozenset({"admin", "account_contact"}),
    ),
    "channels.read": Rule(
        "List channels and see their settings (never credentials); orders admins, to name "
        "the channels of the orders' filter",
        STAFF,
    ),
    "channels.manage": Rule("Connect, configure and disconnect channels", ADMIN),
    "presence.set": Rule("Set one's own presence (online, away, offline)", HELP_DESK),
    "assignments.read": Rule(
        "See the assignment table (who takes new tickets, from which channels)",
        frozenset({"admin", "supervisor"}),
    ),
    "assignments.manage": Rule("Change who takes new tickets automatically", ADMIN),
    "tickets.read": Rule(
        "See tickets, their messages, comments, history and previous tickets, and search "
        "them (agents: their own and the unassigned ones of their channels)",
        TICKET_READERS,
    ),
    "columns.manage": Rule("Arrange one's own board of columns", TICKET_READERS),
    "tickets.work": Rule(
        "Reply, comment, change status, sentiment, department, group, tags and metadata, "
        "mark important, merge, escalate, toggle the bot (agents: on tickets they see)",
        HELP_DESK,
    ),
    "tickets.assign": Rule(
        "Assign or transfer a ticket to a user or a group",
        MANAGERS,
        {"agent": frozenset({"transfer_conversations"})},
    ),
    "tickets.next": Rule(
        "Take the next waiting ticket", MANAGERS, {"agent": frozenset({"conversation_dispenser"})}
    ),
    "clients.read": Rule("See clients", TICKET_READERS),
    "clients.manage": Rule("Edit client data and client custom fields", HELP_DESK),
    "attachments.upload": Rule(
        "Upload images and files (replies, quick replies, products, payment proofs)",
        HELP_DESK | {"orders_admin"},
    ),
    "tags.read": Rule("List the tenant's tags", TICKET_READERS),
    "tags.manage": Rule("Create, rename and delete tags", ADMIN),
    "templates.read": Rule("List WhatsApp message templates", HELP_DESK),
    "templates.manage": Rule("Create, edit and delete WhatsApp message templates", ADMIN),
    "integrations.read": Rule("See outgoing webhooks (never their secrets)", ADMIN),
    "integrations.manage": Rule("Create, edit and delete outgoing webhooks", ADMIN),
    # --- orders and payments (seed 002, docs/orders.md) ---------------------------------
    "orders.read": Rule(
        "See orders, their payments, comments and history (agents and stakeholders: the "
        "orders of the conversations they see and the ones they made)",
        ORDER_READERS,
    ),
    "orders.create": Rule(
        "Create an order from a conversation they may work",
        frozenset({"admin", "agent", "stakeholder"}),
        {"supervisor": frozenset({"orders_payments_admin"})},
    ),
    "orders.standalone": Rule(
        "Create an order without a conversation, for an existing or a new client",
        ADMIN,
        {
            "supervisor": frozenset({"orders_payments_admin", "standalone_orders"}),
            "agent": frozenset({"standalone_orders"}),
            "orders_admin": frozenset({"standalone_orders"}),
        },
    ),
    "orders.manage": Rule(
        "Annul an order, or delete it while it has no payment (standalone_orders alone: "
        "only the standalone orders one made)",
        ADMIN,
        {
            "supervisor": frozenset({"orders_payments_admin", "standalone_orders"}),
            "agent": frozenset({"standalone_orders"}),
            "orders_admin": frozenset({"standalone_orders"}),
        },
    ),
    "orders.comment": Rule(
        "Comment on an order they see (comments are never edited nor deleted)",
        frozenset({"admin", "agent", "stakeholder", "orders_admin"}),
        {
            "supervisor": frozenset(
                {"orders_payments_admin", "payment_reconciler", "standalone_orders"}
            )
        },
    ),
    "payments.record": Rule(
        "Record a payment against an order they see, with an optional proof",
        frozenset({"admin", "agent", "stakeholder", "orders_admin"}),
        {"supervisor": frozenset({"orders_payments_admin", "payment_reconciler"})},
    ),
    "payments.reconcile": Rule(
        "Reconcile or reject a pending payment, reopen a rejected one",
        ADMIN,
        {
            "supervisor": frozenset({"payment_reconciler"}),
            "orders_admin": frozenset({"payment_reconciler"}),
        },
    ),
    "products.read": Rule("See the catalogue of products", ORDER_READERS),
    "products.manage": Rule(
        "Add, edit and remove products of the catalogue",
        ADMIN,
        {"supervisor": frozenset({"orders_payments_admin"})},
    ),
    "catalogue.send": Rule(
        "Send a selection of the catalogue into a conversation they may work", HELP_DESK
    ),
    "history.read": Rule(
        "See who changed a configuration item", frozenset({"admin", "supervisor"})
    ),
    "analytics.read": Rule(
        "See Analítica: messages, tickets, response times, SLA and sentiment per day",
        frozenset({"admin", "analyst"}),
    ),
    "analytics.monitor": Rule(
        "See the monitoring table: each agent's presence and work today",
        frozenset({"admin", "supervisor", "analyst"}),
    ),
    "reports.conversations": Rule(
        "Export the conversations report (CSV, XLSX)",
        ADMIN,
        {
            "supervisor": frozenset({"conversation_reports"}),
            "analyst": frozenset({"conversation_reports"}),
        },
    ),
    "reports.payments": Rule(
        "Export the payments report (CSV, XLSX)",
        ADMIN,
        {
            "supervisor": frozenset({"payment_reports"}),
            "analyst": frozenset({"payment_reports"}),
            "orders_admin": frozenset({"payment_reports"}),
        },
    ),
    # the reports page: whoever may export either kind, and analysts (read-only without
    # a permission: the conversations reports others made, docs/analytics.md "Who may")
    "reports.read": Rule(
        "See the reports made and download them (the kinds they may read)",
        frozenset({"admin", "analyst"}),
        {
            "supervisor": frozenset({"conversation_reports", "payment_reports"}),
            "orders_admin": frozenset({"payment_reports"}),
        },
    ),
}


def can(role: str, permissions: frozenset[str] | set[str] | list[str], action: str) -> bool:
    """True when a user of ``role`` holding ``permissions`` may perform ``action``."""
    rule = ACTIONS[action]
    if role in rule.roles:
        return True
    needed = rule.with_permission.get(role)  # type: ignore[call-overload]
    return bool(needed and needed & set(permissions))


def invalid_permissions(role: str, permissions: list[str]) -> list[str]:
    """Permissions that ``role`` cannot carry (SPEC §2 lists the optional ones per role)."""
    allowed = PERMISSIONS_BY_ROLE.get(role, frozenset())  # type: ignore[call-overload]
    return sorted(set(permissions) - allowed)


def render_markdown() -> str:
    """docs/roles.md, generated from the table above."""
    lines = [
        "# Roles and what each may do",
        "",
        "Generated from `chalicelib/domain/accounts/access.py` (the table the API enforces);",
        "`make roles-doc` rewrites this file and a test checks it is current.",
        "",
        "| action | what it allows | " + " | ".join(ROLES) + " |",
        "|---|---|" + "---|" * len(ROLES),
    ]
    for name, rule in ACTIONS.items():
        cells = []
        for role in ROLES:
            if role in rule.roles:
                cells.append("yes")
            elif role in rule.with_permission:
                cells.append("with " + ", ".join(sorted(rule.with_permission[role])))
            else:
                cells.append("")
        lines.append(f"| `{name}` | {rule.description} | " + " | ".join(cells) + " |")
    lines += ["", "## Optional permissions per role", ""]
    for role in ROLES:
        permissions = ", ".join(f"`{p}`" for p in sorted(PERMISSIONS_BY_ROLE[role])) or "none"
        lines.append(f"- **{role}**: {permissions}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")
