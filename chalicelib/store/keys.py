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
