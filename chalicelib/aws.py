"""boto3 clients for SQS, S3, SES and KMS, pointed at ``AWS_ENDPOINT_URL`` when set.

boto3 is imported on first use, not at import time, to keep cold starts small.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.settings import get_settings


@cache
def _session() -> Any:
    """One boto3 session for every client: its botocore loader parses each service's
    model and the endpoint data once, not once per client."""
    import boto3

    return boto3.session.Session()


@cache
def client(service: str) -> Any:
    from botocore.config import Config

    settings = get_settings()
    return _session().client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        config=Config(connect_timeout=2, read_timeout=10, retries={"mode": "standard"}),
    )


def presigner() -> Any:
    """An S3 client for presigned URLs and POSTs: Signature Version 4 (S3 refuses SigV2,
    botocore's presigning default, for buckets made since June 2020) on the region's own
    endpoint (the global one redirects a young bucket, and a redirect breaks a signature)."""
    settings = get_settings()
    return _presigner(settings.region, settings.aws_endpoint_url)


@cache
def _presigner(region: str, endpoint: str | None) -> Any:
    from botocore.config import Config

    return _session().client(
        "s3",
        region_name=region,
        endpoint_url=endpoint or f"https://s3.{region}.amazonaws.com",
        config=Config(
            signature_version="s3v4", s3={"addressing_style": "auto" if endpoint else "virtual"}
        ),
    )


def presigned_get(key: str, seconds: int, *, filename: str | None = None) -> str:
    """A URL anyone holding it may GET the bucket's file ``key`` with, for ``seconds``;
    with ``filename``, the browser saves it under that name (``Content-Disposition:
    attachment``) instead of showing it."""
    params = {"Bucket": get_settings().bucket, "Key": key}
    if filename:
        params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
    url = presigner().generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
    return str(url)


@cache
def queue_url(queue: str) -> str:
    """URL of one of the platform's queues (``inbound``, ``mail``, ... or ``<name>-dlq``)."""
    name = get_settings().queue_name(queue)
    return str(client("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def reset() -> None:
    """Forget cached clients (tests switch endpoints)."""
    client.cache_clear()
    _presigner.cache_clear()
    queue_url.cache_clear()


def probe_queues() -> dict[str, object]:
    """Depth of every queue and of its dead-letter queue (one call per queue)."""
    from chalicelib.settings import QUEUES

    sqs = client("sqs")
    depths: dict[str, object] = {}
    # effects-dlq: the table stream's batches that failed every retry (jobs/effects_sweep.py)
    for names in [*((queue, f"{queue}-dlq") for queue in QUEUES), ("effects-dlq",)]:
        for name in names:
            attributes = sqs.get_queue_attributes(
                QueueUrl=queue_url(name), AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]
            depths[name] = int(attributes["ApproximateNumberOfMessages"])
    return {"depth": depths}


def probe_bucket() -> dict[str, object]:
    bucket = get_settings().bucket
    client("s3").head_bucket(Bucket=bucket)
    return {"bucket": bucket}
