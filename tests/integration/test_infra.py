"""infra/: the templates lint clean, the package is what we deploy, and the stack works.

moto's CloudFormation cannot run the SAM transform, so the packaged template is linted
and inspected, and the stateful template (infra/resources.yaml) is deployed into moto
and smoke-tested.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from cfnlint.api import lint_file
from cfnlint.config import ManualArgs

from chalicelib.settings import QUEUES, Settings
from devstack.template import RESOURCES_TEMPLATE, load
from infra.package import (
    ENVIRONMENT,
    REPORT_BATCH_ITEM_FAILURES,
    STREAM_KINDS,
    STREAM_MAX_RETRIES,
    ensure_real_files,
    missing_requirements,
    queue_logical_ids,
)

ROOT = Path(__file__).resolve().parents[2]
STAGE = "dev"  # the conftest's own resources are stage "test": no name clashes
BUCKET = "atiende-dev-files-smoke"


def lint(path: Path, *, severities: tuple[str, ...]) -> list[str]:
    matches = lint_file(path, config=ManualArgs(regions=["us-east-1"], include_checks=["I"]))
    return [
        f"{m.rule.id} {m.message} ({m.filename}:{m.linenumber})"
        for m in matches
        if m.rule.severity in severities
    ]


# --- the stateful template ------------------------------------------------------------------
def test_resources_template_lints_clean():
    # informational too: e.g. I3011, an explicit deletion policy on every stateful resource
    assert lint(RESOURCES_TEMPLATE, severities=("error", "warning", "informational")) == []


# --- the package ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m infra.package --stage dev`` into a temporary directory, once."""
    out = tmp_path_factory.mktemp("package") / STAGE
    env = {key: value for key, value in os.environ.items() if key != "ATIENDE_STAGE"}
    result = subprocess.run(
        [sys.executable, "-m", "infra.package", "--stage", STAGE, "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def sam(packaged: Path) -> dict[str, Any]:
    return json.loads((packaged / "sam.json").read_text())


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: body
        for name, body in template["Resources"].items()
        if body["Type"] == "AWS::Serverless::Function"
    }


def sqs_events(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, event)
        for name, body in functions(template).items()
        for event in body["Properties"].get("Events", {}).values()
        if event["Type"] == "SQS"
    ]


def test_packaged_template_has_no_lint_errors(packaged):
    assert lint(packaged / "sam.json", severities=("error",)) == []


def test_api_gateway_answers_its_own_errors_in_the_api_error_format(sam):
    swagger = sam["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    responses = swagger["x-amazon-apigateway-gateway-responses"]
    expected = {"MISSING_AUTHENTICATION_TOKEN": "404", "REQUEST_TOO_LARGE": "413",
                "THROTTLED": "429", "UNSUPPORTED_MEDIA_TYPE": "415"}  # fmt: skip
    for kind, status in expected.items():
        assert responses[kind]["statusCode"] == status
        body = json.loads(responses[kind]["responseTemplates"]["application/json"])
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert responses["THROTTLED"]["responseParameters"]["gatewayresponse.header.Retry-After"]
    # the app itself answers unknown paths (404) and other methods of a path (405)
    assert {"get", "post", "delete"} <= set(swagger["paths"]["/{proxy+}"])
    assert set(swagger["paths"]["/v1/users"]) >= {"get", "post", "put", "patch", "delete"}


def test_every_sqs_event_reports_batch_item_failures(sam):
    events = sqs_events(sam)
    assert events, "the app consumes at least the mail queue"
    for name, event in events:
        assert event["Properties"]["FunctionResponseTypes"] == REPORT_BATCH_ITEM_FAILURES, name


def test_the_table_stream_feeds_the_effects_handler_and_dead_letters_what_fails(sam):
    from chalicelib.jobs.effects import KINDS
    from devstack.worker import STREAM_MAX_RETRIES as LOCAL_RETRIES

    streams = [
        (name, event["Properties"])
        for name, body in functions(sam).items()
        for event in body["Properties"].get("Events", {}).values()
        if event["Type"] == "DynamoDB"
    ]
    [(name, stream)] = streams
    assert name == "ApplyEffects"
    # the stack's own table, not the placeholder app.py declares
    assert stream["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert stream["StartingPosition"] == "TRIM_HORIZON"
    assert stream["FunctionResponseTypes"] == REPORT_BATCH_ITEM_FAILURES
    assert stream["BisectBatchOnFunctionError"] is True
    assert stream["MaximumRetryAttempts"] == STREAM_MAX_RETRIES == LOCAL_RETRIES
    failed = stream["DestinationConfig"]["OnFailure"]["Destination"]
    assert failed == {"Fn::GetAtt": ["EffectsDeadLetterQueue", "Arn"]}
    [pattern] = [json.loads(f["Pattern"]) for f in stream["FilterCriteria"]["Filters"]]
    assert pattern == {"dynamodb": {"NewImage": {"kind": {"S": list(KINDS)}}}}
    assert list(KINDS) == STREAM_KINDS
    table = sam["Resources"]["Table"]["Properties"]
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_the_functions_may_read_the_table_stream(sam):
    role_name, _ = sam["Resources"]["ApplyEffects"]["Properties"]["Role"]["Fn::GetAtt"]
    (policy,) = sam["Resources"][role_name]["Properties"]["Policies"]
    [statement] = [s for s in policy["PolicyDocument"]["Statement"] if s["Sid"] == "TableStream"]
    assert {"dynamodb:GetRecords", "dynamodb:GetShardIterator"} <= set(statement["Action"])
    assert statement["Resource"]["Fn::Sub"].endswith(":table/atiende-dev/stream/*")


def test_every_sqs_consumer_waits_for_its_queue(sam):
    queues = queue_logical_ids(STAGE)
    for name, event in sqs_events(sam):
        queue_name = event["Properties"]["Queue"]["Fn::Sub"].rsplit(":", 1)[-1]
        assert queue_name in queues, f"{name} consumes a queue the stack does not create"
        assert queues[queue_name] in sam["Resources"][name]["DependsOn"]


def test_every_function_learns_the_stack_resource_names(sam):
    assert sam["Globals"]["Function"]["Environment"]["Variables"] == ENVIRONMENT
    for name, body in functions(sam).items():
        own = body["Properties"].get("Environment", {}).get("Variables", {})
        assert own["ATIENDE_STAGE"] == STAGE, name
        assert not set(own) & set(ENVIRONMENT), f"{name} would shadow the stack's names"


def test_the_package_carries_the_stateful_resources_for_its_stage_only(sam):
    for logical, body in load(RESOURCES_TEMPLATE)["Resources"].items():
        assert sam["Resources"][logical] == body, logical
    assert sam["Parameters"]["Stage"]["AllowedValues"] == [STAGE]
    assert "FilesBucketName" in sam["Parameters"]
    assert {"TableName", "MailQueueUrl", "EndpointURL"} <= set(sam["Outputs"])


def test_roles_are_pinned_to_the_stack(sam):
    roles = [body for body in sam["Resources"].values() if body["Type"] == "AWS::IAM::Role"]
    assert roles
    for role in roles:
        (policy,) = role["Properties"]["Policies"]
        statements = policy["PolicyDocument"]["Statement"]
        resources = [
            arn
            for statement in statements
            for arn in (
                statement["Resource"]
                if isinstance(statement["Resource"], list)
                else [statement["Resource"]]
            )
        ]
        subs = [arn["Fn::Sub"] for arn in resources]
        assert all(sub.startswith("arn:${AWS::Partition}:") for sub in subs)
        assert not [sub for sub in subs if ":*:*:" in sub], "region/account left open"
        assert "arn:${AWS::Partition}:s3:::${FilesBucket}/*" in subs
        actions = {action for statement in statements for action in statement["Action"]}
        assert "dynamodb:Scan" not in actions


def test_the_package_holds_the_changelog_as_a_real_file(packaged):
    with zipfile.ZipFile(packaged / "deployment.zip") as archive:
        info = archive.getinfo("chalicelib/CHANGELOG.md")
        assert stat.S_ISREG(info.external_attr >> 16)
        assert archive.read(info) == (ROOT / "CHANGELOG.md").read_bytes()
        names = set(archive.namelist())
    assert {"app.py", "chalice/app.py", "chalicelib/settings.py"} <= names


def test_a_symlink_stored_as_a_link_is_rewritten_as_the_file(tmp_path):
    zip_path = tmp_path / "deployment.zip"
    link = zipfile.ZipInfo("chalicelib/CHANGELOG.md")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("app.py", "app = None\n")
        archive.writestr(link, "../CHANGELOG.md")
    files = {"chalicelib/CHANGELOG.md": b"# Changelog\n"}

    assert ensure_real_files(zip_path, files) == ["chalicelib/CHANGELOG.md"]
    assert ensure_real_files(zip_path, files) == []
    with zipfile.ZipFile(zip_path) as archive:
        info = archive.getinfo("chalicelib/CHANGELOG.md")
        assert stat.S_ISREG(info.external_attr >> 16)
        assert archive.read(info) == b"# Changelog\n"
        assert archive.read("app.py") == b"app = None\n"


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_policy_files_are_least_privilege(stage):
    document = json.loads((ROOT / ".chalice" / f"policy-{stage}.json").read_text())
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        assert all(":" in action and "*" not in action for action in actions), actions
        assert "dynamodb:Scan" not in actions
        resources = statement["Resource"]
        for arn in resources if isinstance(resources, list) else [resources]:
            scoped = f"atiende-{stage}" in arn
            # SES authorizes by sender identity; KMS is narrowed by the key's alias below
            assert scoped or arn.endswith((":identity/*", ":key/*")), arn
            if arn.endswith(":key/*"):
                aliases = statement["Condition"]["ForAnyValue:StringEquals"]
                assert aliases["kms:ResourceAliases"] == f"alias/atiende-{stage}-channel-secrets"


# --- the stateful template in moto's CloudFormation -----------------------------------------
@pytest.fixture
def stack(aws: dict[str, str]) -> Iterator[dict[str, str]]:
    """infra/resources.yaml deployed as a CloudFormation stack; yields its outputs."""
    cloudformation = boto3.client("cloudformation", region_name="us-east-1")
    cloudformation.create_stack(
        StackName=f"atiende-{STAGE}",
        TemplateBody=RESOURCES_TEMPLATE.read_text(),
        Parameters=[
            {"ParameterKey": "Stage", "ParameterValue": STAGE},
            {"ParameterKey": "FilesBucketName", "ParameterValue": BUCKET},
        ],
    )
    (described,) = cloudformation.describe_stacks(StackName=f"atiende-{STAGE}")["Stacks"]
    assert described["StackStatus"] == "CREATE_COMPLETE", described.get("StackStatusReason")
    yield {output["OutputKey"]: output["OutputValue"] for output in described["Outputs"]}


def test_the_stack_creates_every_resource_of_the_template(stack):
    cloudformation = boto3.client("cloudformation", region_name="us-east-1")
    summaries = cloudformation.list_stack_resources(StackName=f"atiende-{STAGE}")[
        "StackResourceSummaries"
    ]
    created = {
        s["LogicalResourceId"] for s in summaries if s["ResourceStatus"] == "CREATE_COMPLETE"
    }
    assert created == set(queue_logical_ids(STAGE).values()) | {
        "Table",
        "ChannelSecretsKey",
        "ChannelSecretsKeyAlias",
        "FilesBucket",
    }
    assert stack["TableName"] == f"atiende-{STAGE}"
    assert stack["FilesBucketName"] == BUCKET
    described = boto3.client("dynamodb", region_name="us-east-1").describe_table(
        TableName=stack["TableName"]
    )["Table"]
    assert described["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert stack["TableStreamArn"] == described["LatestStreamArn"]


def test_the_table_stores_and_finds_items_through_an_index(stack):
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    table = stack["TableName"]
    indexes = {
        index["IndexName"]
        for index in dynamodb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"]
    }
    assert indexes == {"GSI1", "GSI2", "GSI3", "GSI4", "Due"}
    item = {
        "PK": {"S": "TENANT#t1"},
        "SK": {"S": "TICKET#1"},
        "GSI1PK": {"S": "TENANT#t1#OPEN"},
        "GSI1SK": {"S": "2026-03-02T12:00:00Z"},
        "subject": {"S": "smoke"},
    }
    dynamodb.put_item(TableName=table, Item=item)
    got = dynamodb.get_item(TableName=table, Key={"PK": item["PK"], "SK": item["SK"]})
    assert got["Item"] == item
    found = dynamodb.query(
        TableName=table,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": item["GSI1PK"]},
    )
    assert found["Items"] == [item]


def test_the_inbound_queue_delivers_and_dead_letters_to_its_own_dlq(stack):
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = stack["InboundQueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody='{"provider": "whatsapp"}')
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
    assert [m["Body"] for m in received] == ['{"provider": "whatsapp"}']

    for queue in ("Inbound", "Outbound", "Mail", "Integrations"):
        attributes = sqs.get_queue_attributes(
            QueueUrl=stack[f"{queue}QueueUrl"], AttributeNames=["All"]
        )["Attributes"]
        dlq_arn = sqs.get_queue_attributes(
            QueueUrl=stack[f"{queue}DeadLetterQueueUrl"], AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        redrive = json.loads(attributes["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == dlq_arn, queue
        assert int(redrive["maxReceiveCount"]) == 5
        # longer than the consumers' Lambda timeout (30 s), or Lambda rejects the event source
        assert int(attributes["VisibilityTimeout"]) >= 6 * 30


def test_every_queue_the_app_names_exists_in_the_stack(stack):
    settings = Settings(stage=STAGE, queue_prefix=f"atiende-{STAGE}")
    urls = {url.rsplit("/", 1)[-1] for key, url in stack.items() if key.endswith("QueueUrl")}
    for queue in QUEUES:
        assert settings.queue_name(queue) in urls
        assert f"{settings.queue_name(queue)}-dlq" in urls


def test_the_bucket_keeps_files(stack):
    s3 = boto3.client("s3", region_name="us-east-1")
    bucket = stack["FilesBucketName"]
    s3.put_object(Bucket=bucket, Key="attachments/t1/smoke.txt", Body=b"hola")
    assert s3.get_object(Bucket=bucket, Key="attachments/t1/smoke.txt")["Body"].read() == b"hola"
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_the_channel_secrets_key_encrypts_through_its_alias(stack):
    kms = boto3.client("kms", region_name="us-east-1")
    alias = stack["ChannelSecretsKeyAlias"]
    assert alias == f"alias/atiende-{STAGE}-channel-secrets"
    sealed = kms.encrypt(KeyId=alias, Plaintext=b"meta-app-secret")
    opened = kms.decrypt(CiphertextBlob=sealed["CiphertextBlob"])
    assert opened["Plaintext"] == b"meta-app-secret"
    # the stack's own key, not some other key behind the alias (moto 5.2.5's describe_key
    # fails on a key created by CloudFormation: it stores the key policy as a dict)
    key = boto3.client("cloudformation", region_name="us-east-1").describe_stack_resource(
        StackName=f"atiende-{STAGE}", LogicalResourceId="ChannelSecretsKey"
    )["StackResourceDetail"]["PhysicalResourceId"]
    assert opened["KeyId"].endswith(f"key/{key}")


def test_a_zip_without_the_pinned_requirements_is_caught():
    pinned = [
        line.split("#", 1)[0].strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line.split("#", 1)[0]
    ]
    assert missing_requirements(["app.py", "chalicelib/settings.py"]) == pinned
    wheels = [
        "{}-{}.dist-info/RECORD".format(project.replace("-", "_"), version)
        for project, version in (r.split("==") for r in pinned)
    ]
    assert missing_requirements(wheels) == []
