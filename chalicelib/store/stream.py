"""The table's stream, read directly: what Lambda's event source does for ``apply_effects``,
done again for a batch it gave up on (the effects sweep) and by the local worker.

DynamoDB keeps a stream's records 24 hours. Reading them costs no capacity units.
"""

from __future__ import annotations

import base64
from datetime import datetime
from functools import cache
from typing import Any

from chalicelib.store.base import Item


class RecordsExpired(Exception):
    """The records asked for are older than the stream keeps (24 hours)."""


@cache
def _session() -> Any:
    import boto3

    return boto3.session.Session()


def client() -> Any:
    """A DynamoDB Streams client where the models' table is (AWS, or DynamoDB Local)."""
    from botocore.config import Config

    return _session().client(
        "dynamodbstreams",
        region_name=Item.Meta.region,
        endpoint_url=Item.Meta.host,
        # botocore would address DynamoDB Streams by account (<account>.streams-ddb...),
        # which neither DynamoDB Local nor moto answers; the regional endpoint is AWS's too
        config=Config(account_id_endpoint_mode="disabled", retries={"mode": "standard"}),
    )


def read_range(stream_arn: str, shard_id: str, first: str, last: str) -> list[dict[str, Any]]:
    """The records of one shard from sequence number ``first`` to ``last``, in order, as
    Lambda's event carries them; ``RecordsExpired`` when the stream no longer has them."""
    streams = client()
    try:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn,
            ShardId=shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=first,
        )["ShardIterator"]
    except streams.exceptions.TrimmedDataAccessException as exc:
        raise RecordsExpired(f"{shard_id} no longer holds {first}") from exc
    except streams.exceptions.ResourceNotFoundException as exc:
        raise RecordsExpired(f"{stream_arn} or {shard_id} is gone") from exc
    found: list[dict[str, Any]] = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=1000)
        for record in page.get("Records", []):
            if int(record["dynamodb"]["SequenceNumber"]) > int(last):
                return found
            found.append(as_lambda_record(record, stream_arn))
        if not page.get("Records"):
            return found  # the end of what the shard holds so far
        iterator = page.get("NextShardIterator")
    return found


def as_lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A ``GetRecords`` record as Lambda's event carries it: the stream's ARN, times in
    epoch seconds, binary values in base64."""
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion") or Item.Meta.region,
        "dynamodb": _lambda_json(record["dynamodb"]),
        "eventSourceARN": stream_arn,
    }


def _lambda_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {key: _lambda_json(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_lambda_json(inner) for inner in value]
    return value
