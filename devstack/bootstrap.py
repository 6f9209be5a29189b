"""Create the table, queues, bucket and key of infra/resources.yaml (idempotent).

Used by ``make run`` against DynamoDB Local and moto's server, and by the tests
against moto in-process or DynamoDB Local.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from devstack.template import Resolver, load


def _resources(template: dict[str, Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, body.get("Properties", {}))
        for name, body in template["Resources"].items()
        if body["Type"] == kind
    ]


def _stream(props: dict[str, Any]) -> dict[str, Any] | None:
    """CloudFormation's ``StreamSpecification`` as the DynamoDB API spells it."""
    spec = props.get("StreamSpecification")
    return {"StreamEnabled": True, "StreamViewType": spec["StreamViewType"]} if spec else None


def create_table(dynamodb: Any, props: dict[str, Any]) -> str:
    name = props["TableName"]
    stream = _stream(props)
    try:
        found = dynamodb.describe_table(TableName=name)["Table"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    else:
        if stream and not found.get("StreamSpecification", {}).get("StreamEnabled"):
            # a table kept from before the template had a stream (var/ddb of `make run`)
            dynamodb.update_table(TableName=name, StreamSpecification=stream)
        return name
    dynamodb.create_table(
        TableName=name,
        BillingMode=props["BillingMode"],
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
        **({"StreamSpecification": stream} if stream else {}),
    )
    dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        # DynamoDB Local accepts TTL settings but never deletes: expiry is checked in code
        with contextlib.suppress(ClientError):
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    return name


def create_stack(
    *,
    stage: str,
    bucket: str,
    region: str = "us-east-1",
    dynamodb: Any = None,
    sqs: Any = None,
    s3: Any = None,
    kms: Any = None,
) -> dict[str, str]:
    """Create every resource of the template; returns the resolved names and URLs."""
    template = load()
    resolver = Resolver(
        {"Stage": stage, "FilesBucketName": bucket, "AllowedUploadOrigin": "*"}, region
    )
    created: dict[str, str] = {}
    dynamodb = dynamodb or boto3.client("dynamodb", region_name=region)
    sqs = sqs or boto3.client("sqs", region_name=region)
    s3 = s3 or boto3.client("s3", region_name=region)
    kms = kms or boto3.client("kms", region_name=region)

    for logical, props in _resources(template, "AWS::DynamoDB::Table"):
        created[logical] = create_table(dynamodb, resolver.resolve(props))
        resolver.values[logical] = created[logical]

    # dead-letter queues first: the main queues' redrive policies point at them
    queues = sorted(
        _resources(template, "AWS::SQS::Queue"), key=lambda item: "RedrivePolicy" in item[1]
    )
    for logical, props in queues:
        props = resolver.resolve(props)
        attributes = {
            key: json.dumps(value) if isinstance(value, dict) else str(value)
            for key, value in props.items()
            if key not in ("QueueName", "SqsManagedSseEnabled")
        }
        url = sqs.create_queue(QueueName=props["QueueName"], Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        resolver.values[logical] = url
        resolver.attributes[f"{logical}.Arn"] = arn
        created[logical] = url

    for logical, props in _resources(template, "AWS::S3::Bucket"):
        props = resolver.resolve(props)
        name = props["BucketName"]
        try:
            if region == "us-east-1":
                s3.create_bucket(Bucket=name)
            else:
                s3.create_bucket(
                    Bucket=name, CreateBucketConfiguration={"LocationConstraint": region}
                )
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in (
                "BucketAlreadyOwnedByYou",
                "BucketAlreadyExists",
            ):
                raise
        if "CorsConfiguration" in props:
            # CloudFormation spells the CORS fields differently from the S3 API
            rules = [
                {
                    "AllowedMethods": rule["AllowedMethods"],
                    "AllowedOrigins": rule["AllowedOrigins"],
                    "AllowedHeaders": rule.get("AllowedHeaders", []),
                    "ExposeHeaders": rule.get("ExposedHeaders", []),
                    "MaxAgeSeconds": rule.get("MaxAge", 0),
                }
                for rule in props["CorsConfiguration"]["CorsRules"]
            ]
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
        resolver.values[logical] = name
        created[logical] = name

    for logical, props in _resources(template, "AWS::KMS::Alias"):
        props = resolver.resolve({k: v for k, v in props.items() if k != "TargetKeyId"})
        alias = props["AliasName"]
        try:
            kms.describe_key(KeyId=alias)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "NotFoundException":
                raise
            key_id = kms.create_key(Description=f"{alias} (local)")["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=alias, TargetKeyId=key_id)
        created[logical] = alias
    return created
