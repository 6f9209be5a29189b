"""infra/: the templates lint clean, the package is what we deploy, and the stack works.

moto's CloudFormation cannot run the SAM transform, so the packaged template is linted
and inspected, and the stateful template (infra/resources.yaml) is deployed into moto
and smoke-tested. The console's template (infra/console.yaml: S3 behind CloudFront) is
linted, its routing, headers and caching are read from it (CloudFront's own semantics:
the first matching path pattern wins), and it is deployed into moto, whose
CloudFormation creates its bucket but none of its CloudFront resources (moto 5.2.5).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
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

from chalicelib.api.route_table import ROUTES
from chalicelib.settings import QUEUES, Settings
from devstack.front import API_PREFIXES, WIDGET, WIDGET_CACHE, WIDGET_HEADERS, security_headers
from devstack.template import RESOURCES_TEMPLATE, Resolver, load
from infra import console
from infra.console import API_PATHS, CONSOLE_TEMPLATE, IMMUTABLE, REVALIDATE
from infra.package import (
    API_DOMAIN,
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
def fake_console(root: Path) -> Path:
    """A console build as web/build.mjs lays it out (without running it)."""
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "app-ABC123.js").write_text("console.log('atiende')\n")
    (root / "assets" / "app-DEF456.css").write_text("body{margin:0}\n")
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    (root / "widget.js").write_text("(()=>{})();\n")  # the chat widget, at a stable URL
    (root / "build.json").write_text('{"gzipped": {"total": 100}}\n')
    (root / "index.html").write_text(
        '<!doctype html><link rel="stylesheet" href="/assets/app-DEF456.css">'
        '<script type="module" src="/assets/app-ABC123.js"></script>\n'
    )
    return root


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m infra.package --stage dev`` into a temporary directory, once."""
    out = tmp_path_factory.mktemp("package") / STAGE
    dist = fake_console(tmp_path_factory.mktemp("console") / "dist")
    env = {key: value for key, value in os.environ.items() if key != "ATIENDE_STAGE"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "infra.package",
            "--stage",
            STAGE,
            "--out",
            str(out),
            "--console-dist",
            str(dist),
        ],
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


# --- the console behind CloudFront (infra/console.yaml) -------------------------------------
#: the managed origin request policy "AllViewerExceptHostHeader": API Gateway answers only
#: its own Host, so the viewer's is not forwarded
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
EVERY_METHOD = {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
CONSOLE_PATHS = ["/", "/login", "/signup", "/tickets/123", "/password-reset",
                 "/invitations/accept", "/index.html", "/favicon.svg", "/assets/app-ABC123.js"]  # fmt: skip


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load(CONSOLE_TEMPLATE)


def distribution(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]["ConsoleDistribution"]["Properties"]["DistributionConfig"]


def behaviour_for(path: str, config: dict[str, Any]) -> dict[str, Any]:
    """What CloudFront does with ``path``: the first behaviour whose pattern matches it
    (``*`` any characters, ``/`` included; case-sensitive), else the default."""
    for behaviour in config["CacheBehaviors"]:
        if fnmatch.fnmatchcase(path, behaviour["PathPattern"]):
            return behaviour
    return config["DefaultCacheBehavior"]


def resource_of(template: dict[str, Any], ref: Any) -> dict[str, Any]:
    return template["Resources"][ref["Ref"]]["Properties"]


def test_console_template_lints_clean():
    assert lint(CONSOLE_TEMPLATE, severities=("error", "warning", "informational")) == []


def test_every_route_of_the_api_goes_to_api_gateway_and_the_rest_to_the_bucket(template):
    config = distribution(template)
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    assert origins["api"]["DomainName"] == {"Ref": "ApiDomainName"}
    assert origins["api"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert "S3OriginConfig" in origins["console"]

    for path, method, *_ in ROUTES:
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        behaviour = behaviour_for(concrete, config)
        assert behaviour["TargetOriginId"] == "api", f"{method} {path} would reach the bucket"
        assert method in behaviour["AllowedMethods"], f"{method} {path}"
    # the local front passes the same prefixes to chalice local
    for prefix in API_PREFIXES:
        assert (
            behaviour_for(prefix if prefix == "/docs" else f"{prefix}/any", config)[
                "TargetOriginId"
            ]
            == "api"
        ), prefix
    api = {b["PathPattern"] for b in config["CacheBehaviors"] if b["TargetOriginId"] == "api"}
    assert api == set(API_PATHS) >= {"/v1/*", "/webhooks/*"}
    for path in CONSOLE_PATHS:
        assert behaviour_for(path, config)["TargetOriginId"] == "console", path


def test_the_api_gets_every_method_and_request_and_nothing_is_cached(template):
    config = distribution(template)
    for behaviour in config["CacheBehaviors"]:
        if behaviour["TargetOriginId"] != "api":
            continue
        pattern = behaviour["PathPattern"]
        assert set(behaviour["AllowedMethods"]) == EVERY_METHOD, pattern
        assert behaviour["ViewerProtocolPolicy"] == "https-only", pattern  # no POST redirected
        assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST, pattern
        # the API's own answers and headers: no console headers, no index.html rewrite
        assert (
            "ResponseHeadersPolicyId" not in behaviour and "FunctionAssociations" not in behaviour
        )
        policy = resource_of(template, behaviour["CachePolicyId"])["CachePolicyConfig"]
        assert policy["MinTTL"] == policy["DefaultTTL"] == 0 and policy["MaxTTL"] <= 1
        key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
        # CloudFront forwards Authorization on GET only when the cache policy names it
        assert key["HeadersConfig"] == {"HeaderBehavior": "whitelist", "Headers": ["Authorization"]}
        assert key["QueryStringsConfig"] == {"QueryStringBehavior": "all"}


def test_a_console_route_gets_index_html_and_the_apis_404s_stay_its_own(template):
    config = distribution(template)
    # an error response would turn the API's JSON 404s into the page too
    assert "CustomErrorResponses" not in config
    assert config["DefaultRootObject"] == "index.html"
    [association] = config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    assert association["FunctionARN"] == {"Fn::GetAtt": ["ConsoleRoutesFunction", "FunctionARN"]}
    function = template["Resources"]["ConsoleRoutesFunction"]["Properties"]
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make deps installs it)")
    uris = ["/", "/login", "/tickets/123", "/password-reset", "/invitations/accept",
            "/index.html", "/favicon.svg", "/assets/app-ABC123.js", "/assets/missing",
            "/widget.js"]  # fmt: skip
    script = function["FunctionCode"] + (
        "\nconst uris = JSON.parse(process.argv[1]);"
        "\nconsole.log(JSON.stringify(uris.map((uri) => handler({request: {uri}}).uri)));"
    )
    result = subprocess.run(
        [node, "-e", script, json.dumps(uris)], capture_output=True, text=True, check=True
    )
    assert dict(zip(uris, json.loads(result.stdout), strict=True)) == {
        "/": "/index.html",
        "/login": "/index.html",
        "/tickets/123": "/index.html",
        "/password-reset": "/index.html",
        "/invitations/accept": "/index.html",
        "/index.html": "/index.html",
        "/favicon.svg": "/favicon.svg",
        "/assets/app-ABC123.js": "/assets/app-ABC123.js",
        "/assets/missing": "/assets/missing",  # a 404 of the bucket, as locally
        "/widget.js": "/widget.js",  # the chat widget, never the page
    }


def test_the_console_sends_the_local_fronts_security_headers(template):
    config = distribution(template)
    console_behaviours = [config["DefaultCacheBehavior"]] + [
        b
        for b in config["CacheBehaviors"]
        if b["TargetOriginId"] == "console" and b["PathPattern"] != WIDGET
    ]
    assert len(console_behaviours) == 2
    for behaviour in console_behaviours:
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "ConsoleHeadersPolicy"}
        assert set(behaviour["AllowedMethods"]) == {"GET", "HEAD"}
    policy = template["Resources"]["ConsoleHeadersPolicy"]["Properties"][
        "ResponseHeadersPolicyConfig"
    ]
    security = policy["SecurityHeadersConfig"]
    sent = {
        "Content-Security-Policy": security["ContentSecurityPolicy"]["ContentSecurityPolicy"],
        "X-Content-Type-Options": "nosniff",  # ContentTypeOptions has no value: it is nosniff
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
        **{item["Header"]: item["Value"] for item in policy["CustomHeadersConfig"]["Items"]},
    }
    assert sent == security_headers(None)  # uploads go to S3 itself
    assert all(
        header["Override"] is True
        for header in [*security.values(), *policy["CustomHeadersConfig"]["Items"]]
    )
    directives = {
        name: rest
        for name, _, rest in (
            part.strip().partition(" ") for part in sent["Content-Security-Policy"].split(";")
        )
    }
    # no 'unsafe-inline', no 'unsafe-eval': our files and Stripe.js (its card form is a frame)
    assert directives["script-src"] == "'self' https://js.stripe.com https://*.js.stripe.com"
    assert "https://js.stripe.com" in directives["frame-src"]
    assert "https://api.stripe.com" in directives["connect-src"]
    assert "unsafe" not in sent["Content-Security-Policy"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000


def test_the_widget_is_served_to_any_site_as_the_local_front_serves_it(template):
    config = distribution(template)
    widget = behaviour_for(WIDGET, config)
    assert widget["PathPattern"] == WIDGET and widget["TargetOriginId"] == "console"
    assert set(widget["AllowedMethods"]) == {"GET", "HEAD"} and widget["Compress"] is True
    # the edge follows S3's Cache-Control (infra.console uploads it with WIDGET_CACHE)
    pages = resource_of(template, widget["CachePolicyId"])["CachePolicyConfig"]
    assert pages["DefaultTTL"] == 0 and pages["MaxTTL"] >= 300
    policy = resource_of(template, widget["ResponseHeadersPolicyId"])
    config = policy["ResponseHeadersPolicyConfig"]
    cors = config["CorsConfig"]
    sent = {
        "Access-Control-Allow-Origin": cors["AccessControlAllowOrigins"]["Items"][0],
        "X-Content-Type-Options": "nosniff",
        **{item["Header"]: item["Value"] for item in config["CustomHeadersConfig"]["Items"]},
    }
    assert cors["AccessControlAllowCredentials"] is False
    assert sent == {k: v for k, v in WIDGET_HEADERS.items() if k != "Cache-Control"}


def test_the_console_bucket_is_private_and_read_only_by_its_distribution(template):
    bucket = template["Resources"]["ConsoleBucket"]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert "WebsiteConfiguration" not in bucket and "AccessControl" not in bucket
    [origin] = [o for o in distribution(template)["Origins"] if o["Id"] == "console"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["ConsoleOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    access = template["Resources"]["ConsoleOriginAccessControl"]["Properties"]
    assert access["OriginAccessControlConfig"]["SigningBehavior"] == "always"

    policy = template["Resources"]["ConsoleBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "ConsoleBucket"}
    allowed = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert {s["Action"] for s in allowed} == {"s3:GetObject", "s3:ListBucket"}  # read only
    for statement in allowed:
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        source = statement["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
        assert source.endswith(":distribution/${ConsoleDistribution}")


def test_hashed_assets_are_kept_a_year_and_the_page_is_always_revalidated(template, tmp_path):
    config = distribution(template)
    assets = behaviour_for("/assets/app-ABC123.js", config)
    kept = resource_of(template, assets["CachePolicyId"])["CachePolicyConfig"]
    assert kept["MinTTL"] == kept["DefaultTTL"] == kept["MaxTTL"] == 31536000
    page = resource_of(template, config["DefaultCacheBehavior"]["CachePolicyId"])
    assert page["CachePolicyConfig"]["MinTTL"] == page["CachePolicyConfig"]["DefaultTTL"] == 0
    for behaviour in (assets, config["DefaultCacheBehavior"]):
        assert behaviour["Compress"] is True
        assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"

    uploads = console.plan(fake_console(tmp_path / "dist"))
    assert [(u.key, u.cache_control) for u in uploads] == [
        ("assets/app-ABC123.js", IMMUTABLE),  # the assets first, the page that names them last
        ("assets/app-DEF456.css", IMMUTABLE),
        ("favicon.svg", REVALIDATE),
        ("widget.js", WIDGET_CACHE),  # other sites name it for good: minutes, not a year
        ("index.html", REVALIDATE),
    ]
    assert IMMUTABLE == "public, max-age=31536000, immutable" and REVALIDATE == "no-cache"
    assert {u.key: u.content_type for u in uploads}["assets/app-ABC123.js"].startswith(
        "text/javascript"
    )


def test_a_build_missing_a_file_its_page_names_is_not_uploaded(tmp_path):
    dist = fake_console(tmp_path / "dist")
    (dist / "assets" / "app-ABC123.js").unlink()
    with pytest.raises(console.ConsoleBuildError, match=r"app-ABC123\.js"):
        console.plan(dist)
    with pytest.raises(console.ConsoleBuildError, match="make console"):
        console.plan(tmp_path / "nothing")


def test_the_package_serves_the_console_with_the_stacks_own_api(sam, packaged):
    config = distribution(sam)
    [api] = [origin for origin in config["Origins"] if origin["Id"] == "api"]
    assert api["DomainName"] == API_DOMAIN
    assert API_DOMAIN["Fn::Sub"].startswith("${RestAPI}.")
    # the stage of the API's own URL: CloudFront's /v1/me is API Gateway's /api/v1/me
    assert sam["Outputs"]["EndpointURL"]["Value"]["Fn::Sub"].endswith(api["OriginPath"] + "/")
    assert not {"ApiDomainName", "ApiOriginPath"} & set(sam["Parameters"])
    assert {"ConsoleDomainName", "ConsoleCertificateArn"} <= set(sam["Parameters"])
    assert {"ConsoleURL", "ConsoleBucketName", "ConsoleDistributionId"} <= set(sam["Outputs"])
    assert "ApiDomainName" not in json.dumps(sam)
    # the build to upload after the deploy, without its size report
    copied = sorted(p.relative_to(packaged / "console").as_posix()
                    for p in (packaged / "console").rglob("*") if p.is_file())  # fmt: skip
    assert copied == [
        "assets/app-ABC123.js",
        "assets/app-DEF456.css",
        "favicon.svg",
        "index.html",
        "widget.js",
    ]


# --- the console's template in moto's CloudFormation ----------------------------------------
#: What moto 5.2.5's CloudFormation cannot create (it skips them with a warning); the
#: tests above read them from the template, and the bucket's share is applied below
#: through the S3 API.
MOTO_SKIPS = {
    "AWS::S3::BucketPolicy",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::Function",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::CloudFront::CachePolicy",
    "AWS::CloudFront::Distribution",
}
API_GATEWAY = "abc123defg.execute-api.us-east-1.amazonaws.com"


def what_moto_creates(template: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The template without what moto's CloudFormation skips, nor the outputs naming it."""
    from moto.cloudformation.parsing import get_model_map

    supported = set(get_model_map())
    skipped = {n for n, body in template["Resources"].items() if body["Type"] not in supported}
    kept = json.loads(json.dumps(template))
    kept["Resources"] = {n: b for n, b in kept["Resources"].items() if n not in skipped}
    kept["Outputs"] = {
        key: output
        for key, output in kept["Outputs"].items()
        if not any(re.search(rf"\b{name}\b", json.dumps(output)) for name in skipped)
    }
    return kept, {template["Resources"][n]["Type"] for n in skipped}


@pytest.fixture
def console_stack(aws: dict[str, str], template: dict[str, Any]) -> dict[str, str]:
    """infra/console.yaml deployed into moto; returns its outputs."""
    deployable, skipped = what_moto_creates(template)
    assert skipped <= MOTO_SKIPS, f"moto cannot create {skipped - MOTO_SKIPS}"
    cloudformation = boto3.client("cloudformation", region_name="us-east-1")
    cloudformation.create_stack(
        StackName=f"atiende-{STAGE}-console",
        TemplateBody=json.dumps(deployable),
        Parameters=[
            {"ParameterKey": "Stage", "ParameterValue": STAGE},
            {"ParameterKey": "ApiDomainName", "ParameterValue": API_GATEWAY},
        ],
    )
    (described,) = cloudformation.describe_stacks(StackName=f"atiende-{STAGE}-console")["Stacks"]
    assert described["StackStatus"] == "CREATE_COMPLETE", described.get("StackStatusReason")
    return {output["OutputKey"]: output["OutputValue"] for output in described["Outputs"]}


def test_the_console_template_deploys_into_moto_with_a_private_bucket(console_stack, template):
    s3 = boto3.client("s3", region_name="us-east-1")
    bucket = console_stack["ConsoleBucketName"]
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"

    # moto's CloudFormation sets neither the public access block nor the bucket policy:
    # the template's own are applied through the S3 API, which takes them as they are
    properties = template["Resources"]["ConsoleBucket"]["Properties"]
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"],
    )
    resolver = Resolver({"Stage": STAGE}, region="us-east-1")
    resolver.values.update(ConsoleBucket=bucket, ConsoleDistribution="E2EXAMPLE0CONSOLE")
    document = resolver.resolve(
        template["Resources"]["ConsoleBucketPolicy"]["Properties"]["PolicyDocument"]
    )
    assert f"arn:aws:s3:::{bucket}/*" in json.dumps(document)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(document))

    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4


def test_a_build_is_uploaded_with_its_types_and_caching(console_stack, tmp_path):
    s3 = boto3.client("s3", region_name="us-east-1")
    bucket = console_stack["ConsoleBucketName"]
    uploaded = console.upload(fake_console(tmp_path / "dist"), bucket, s3)
    assert uploaded[-1].key == "index.html"

    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {"assets/app-ABC123.js", "assets/app-DEF456.css", "favicon.svg", "index.html",
                    "widget.js"}  # fmt: skip
    expected = {
        "index.html": ("text/html; charset=utf-8", "no-cache"),
        "assets/app-ABC123.js": ("text/javascript; charset=utf-8", IMMUTABLE),
        "assets/app-DEF456.css": ("text/css; charset=utf-8", IMMUTABLE),
        "favicon.svg": ("image/svg+xml", "no-cache"),
        "widget.js": ("text/javascript; charset=utf-8", WIDGET_CACHE),
    }
    for key, (kind, cache) in expected.items():
        head = s3.head_object(Bucket=bucket, Key=key)
        assert (head["ContentType"], head["CacheControl"]) == (kind, cache), key


def test_the_upload_command_finds_the_bucket_in_the_stacks_outputs(console_stack, tmp_path, capsys):
    code = console.main(
        ["--stack-name", f"atiende-{STAGE}-console", "--dist", str(fake_console(tmp_path / "d"))]
    )
    assert code == 0
    said = capsys.readouterr().out
    assert f"s3://{console_stack['ConsoleBucketName']}/index.html  text/html" in said
