"""Create the local stack's resources at the endpoints of the environment (idempotent)."""

from __future__ import annotations

import boto3

from chalicelib.settings import get_settings
from devstack.bootstrap import create_stack


def main() -> None:
    settings = get_settings()
    region = settings.region

    def aws(service: str):  # type: ignore[no-untyped-def]
        return boto3.client(service, region_name=region, endpoint_url=settings.aws_endpoint_url)

    created = create_stack(
        stage=settings.stage,
        bucket=settings.bucket,
        region=region,
        dynamodb=boto3.client(
            "dynamodb", region_name=region, endpoint_url=settings.dynamodb_endpoint
        ),
        sqs=aws("sqs"),
        s3=aws("s3"),
        kms=aws("kms"),
    )
    if created["Table"] != settings.table:
        raise SystemExit(f"table {created['Table']} differs from ATIENDE_TABLE={settings.table}")


if __name__ == "__main__":
    main()
