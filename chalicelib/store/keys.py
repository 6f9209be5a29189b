"""Every key of the one table is built here, and only here (docs/data-model.md).

Partition keys start from the tenant (``TENANT#<id>``) so a tenant's data can be
found, exported and deleted; the few global items (platform state, global lookups)
say so in their prefix.
"""

from __future__ import annotations

SEP = "#"


def _join(*parts: object) -> str:
    return SEP.join(str(p) for p in parts)


# --- platform (not tenant data) -------------------------------------------------
def platform_pk() -> str:
    return "PLATFORM"


def heartbeat_sk(job: str) -> str:
    return _join("HEARTBEAT", job)


# --- tenants ------------------------------------------------------------------
def tenant_pk(tenant_id: str) -> str:
    return _join("TENANT", tenant_id)


def tenant_sk() -> str:
    return "TENANT"


# --- deadlines (sparse index, sharded; see docs/data-model.md) -----------------
DUE_SHARDS = 8


def due_pk(kind: str, shard: int) -> str:
    return _join("DUE", kind, shard)


def due_sk(due_at_iso: str, *identity: object) -> str:
    return _join(due_at_iso, *identity)


def user_sk(user_id: str) -> str:
    return _join("USER", user_id)


def users_prefix() -> str:
    return "USER#"


def email_gsi(email: str) -> str:
    """GSI1 partition of a user: their email, lower-cased (unique across Atiende)."""
    return _join("EMAIL", email.strip().lower())


def email_claim_pk(email: str) -> str:
    return _join("EMAIL", email.strip().lower())


def email_claim_sk() -> str:
    return "EMAIL"


def session_pk(tenant_id: str, user_id: str) -> str:
    return _join("TENANT", tenant_id, "USER", user_id)


def session_sk(session_id: str) -> str:
    return _join("SESSION", session_id)


def token_pk(token_hash: str) -> str:
    return _join("TOKEN", token_hash)


def token_sk() -> str:
    return "TOKEN"


def throttle_pk(scope: str, value: str) -> str:
    return _join("THROTTLE", "LOGIN", scope, value.lower())


def throttle_sk() -> str:
    return "THROTTLE"


def history_pk(tenant_id: str, entity: str, entity_id: str) -> str:
    return _join("TENANT", tenant_id, "HIST", entity, entity_id)


def history_sk(at_iso: str, unique: str) -> str:
    return _join(at_iso, unique)


# --- configuration items of a tenant (departments, groups, quick replies, ...) -----
def config_sk(entity: str, item_id: str) -> str:
    return _join(entity.upper(), item_id)


def config_prefix(entity: str) -> str:
    return entity.upper() + SEP


def unique_name_pk(tenant_id: str, entity: str, name: str) -> str:
    """A claim that keeps a name unique within a tenant (e.g. a quick reply's shortcut)."""
    return _join("TENANT", tenant_id, "UNIQUE", entity.upper(), name.strip().lower())


def unique_name_sk() -> str:
    return "CLAIM"


def name_index_pk(tenant_id: str, entity: str) -> str:
    """GSI3 partition listing a tenant's items of one kind by name (prefix search)."""
    return _join("TENANT", tenant_id, "NAME", entity.upper())


# --- channels -----------------------------------------------------------------------
def channel_sk(channel_id: str) -> str:
    return _join("CHANNEL", channel_id)


def channels_prefix() -> str:
    return "CHANNEL#"


def channel_lookup(channel_type: str, account_id: str) -> str:
    """GSI1 partition of a connected channel: how a webhook finds it."""
    return _join("CHANNEL", channel_type, account_id)


def channel_claim_pk(channel_type: str, account_id: str) -> str:
    """Keeps one provider account connected to at most one channel across Atiende."""
    return _join("CHANNELACCT", channel_type, account_id)


def channel_claim_sk() -> str:
    return "CLAIM"


# --- clients, tickets, messages -------------------------------------------------
def client_pk(tenant_id: str, client_id: str) -> str:
    return _join("TENANT", tenant_id, "CLIENT", client_id)


def client_sk() -> str:
    return "CLIENT"


def ticket_counter_sk() -> str:
    return "COUNTER#ticket"


def ticket_pk(tenant_id: str, number: int) -> str:
    return _join("TENANT", tenant_id, "TICKET", f"{number:010d}")


def ticket_sk() -> str:
    return "TICKET"


def message_pk(tenant_id: str, channel_id: str, provider_message_id: str) -> str:
    """A message is keyed by its provider id: storing it is also the duplicate check."""
    return _join("TENANT", tenant_id, "MSG", channel_id, provider_message_id)


def message_sk() -> str:
    return "MSG"


def timeline_pk(tenant_id: str, number: int) -> str:
    """GSI3 partition of a ticket's messages, oldest to newest by time."""
    return _join("TENANT", tenant_id, "TIMELINE", f"{number:010d}")


def queue_pk(tenant_id: str, assignee: str | None) -> str:
    """GSI2 partition of the open tickets of one agent (or of nobody)."""
    return _join("TENANT", tenant_id, "Q", assignee or "unassigned")


def status_pk(tenant_id: str, status: str) -> str:
    """GSI3 partition of a tenant's tickets in one status, by number."""
    return _join("TENANT", tenant_id, "STATUS", status)


def agent_state_sk(user_id: str) -> str:
    return _join("AGENT", user_id)


def agents_prefix() -> str:
    return "AGENT#"


def ticket_history_sk(at_iso: str, unique: str) -> str:
    return _join("HIST", at_iso, unique)


# --- chat widget (public API) -----------------------------------------------------------
def chat_throttle_pk(scope: str, value: str, window: int) -> str:
    """A fixed-window counter of the chat widget's public API: one item per (scope,
    value, window start in epoch seconds), removed by TTL. Global: the visitor and IP
    scopes are not a tenant's data."""
    return _join("THROTTLE", "CHAT", scope, value.lower(), window)


def chat_throttle_sk() -> str:
    return "THROTTLE"
