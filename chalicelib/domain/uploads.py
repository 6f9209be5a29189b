"""Where a tenant's uploaded files live in the bucket, and which keys it may attach.

Every upload is under ``uploads/<tenant id>/`` (``POST /v1/attachments`` signs only
keys there); replies, quick replies and the outbound worker accept an attachment only
when :func:`is_own_upload` says it is the tenant's own file.
"""

from __future__ import annotations

UPLOADS = "uploads"


def upload_area(tenant_id: str) -> str:
    return f"{UPLOADS}/{tenant_id}/"


def is_own_upload(tenant_id: str, key: str) -> bool:
    """A key a tenant may attach: a file in its own upload area, no way out of it."""
    area = upload_area(tenant_id)
    return key.startswith(area) and key != area and ".." not in key.split("/")
