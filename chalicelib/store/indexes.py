"""The table's global secondary indexes, as PynamoDB sees them.

Their names and key attributes must match ``infra/resources.yaml`` (a test checks).
All project every attribute, so polymorphic queries find their discriminator.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

#: index name -> (partition key attribute, sort key attribute)
INDEXES: dict[str, tuple[str, str]] = {
    "GSI1": ("GSI1PK", "GSI1SK"),  # global lookups: user by email, channel by provider account
    "GSI2": ("GSI2PK", "GSI2SK"),  # tickets by tenant + assignee queue, newest activity first
    "GSI3": ("GSI3PK", "GSI3SK"),  # tickets by tenant + status / channel; messages by channel
    "GSI4": ("GSI4PK", "GSI4SK"),  # tickets by client
    "Due": ("DuePK", "DueSK"),  # sparse: only items with a pending deadline
}


class LookupIndex(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class QueueIndex(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


class FacetIndex(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "GSI3"
        projection = AllProjection()

    GSI3PK = UnicodeAttribute(hash_key=True)
    GSI3SK = UnicodeAttribute(range_key=True)


class ClientIndex(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "GSI4"
        projection = AllProjection()

    GSI4PK = UnicodeAttribute(hash_key=True)
    GSI4SK = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "Due"
        projection = AllProjection()

    DuePK = UnicodeAttribute(hash_key=True)
    DueSK = UnicodeAttribute(range_key=True)
