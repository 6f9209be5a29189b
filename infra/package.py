"""Package one stage for CloudFormation: ``chalice package`` merged with infra/resources.yaml.

    python -m infra.package --stage dev --out build/dev        (or: make package STAGE=dev)

writes ``<out>/sam.json``, one SAM template holding the Chalice functions, API and roles
together with the table, queues, bucket and key, and the console's bucket behind CloudFront
(infra/console.yaml), plus ``<out>/deployment.zip``, the generated
``<out>/merge-template.json`` and ``<out>/console`` (the built console, which
``python -m infra.console`` uploads once the stack is deployed). docs/deploy.md says how
to deploy them.

The merge template adds to Chalice's output. Names come from Chalice's application graph
(the one ``chalice package`` builds from ``app.app``), not from a hard-coded list:

- ``FunctionResponseTypes: [ReportBatchItemFailures]`` on every SQS event. Chalice does
  not set it (aws/chalice#2029), and without it Lambda ignores the ``batchItemFailures``
  our consumers return and retries the whole batch when one message fails.
- The table stream's event source (``@app.on_dynamodb_record``, the effects handler):
  Chalice only knows the placeholder ARN app.py declares (the stream exists once the
  table does), so ``Stream`` becomes ``Fn::GetAtt Table.StreamArn``; and it sets no
  failure handling, so :data:`STREAM_EVENT` adds ``ReportBatchItemFailures``, bisection,
  a bounded ``MaximumRetryAttempts`` and the ``EffectsDeadLetterQueue`` as the on-failure
  destination (nothing is dropped silently), and a filter that lets only the item kinds
  with effects invoke the function.
- ``DependsOn`` on every SQS consumer, naming its queue. Chalice names the queue with a
  ``Fn::Sub`` of its ARN, which CloudFormation does not treat as a dependency. Chalice's
  deep merge cannot replace that ``Fn::Sub`` with ``Fn::GetAtt``: it merges dictionaries
  key by key, so the event would end up with both.
- The stack's resource names as environment variables of every function, through SAM
  ``Globals``. That also covers functions the app adds later and the API handler, which
  Chalice renames to ``APIHandler``.
- API Gateway's own errors (an unknown path or method before the app's routes, a body
  over 10 MB, throttling, a Lambda that failed) in the error format of SPEC §10, as
  ``x-amazon-apigateway-gateway-responses`` in the API's definition (so a change
  redeploys the stage). The app answers unknown paths and methods itself
  (chalicelib/http/edge.py); these are what API Gateway says before it reaches the app.
- infra/console.yaml's resources, conditions, outputs and its two domain parameters, with
  its API origin bound to the stack's own ``RestAPI`` (:data:`API_DOMAIN`) and stage
  (``api_gateway_stage``): CloudFront sends ``/v1/*``, ``/webhooks/*``, ``/chat/*`` and
  ``/docs`` to it, the rest to the console's bucket.
- The resources in ``.chalice/policy-<stage>.json`` pinned to this stack: partition,
  region, account, the files bucket (its name is the ``FilesBucketName`` parameter) and the
  functions' log groups (``<stack name>-<function>-<suffix>`` once packaged). The files
  themselves stay plain IAM JSON.

After packaging, the result is checked, and this module fails if anything is off: every
resource of infra/resources.yaml and infra/console.yaml is in the template unchanged, every SQS event reports
batch item failures, the stream's event source reads the stack's table and
dead-letters, and every pinned requirement is in the zip. Any symlinked file of
``chalicelib`` (``CHANGELOG.md``) that is not in the zip as a real file is written into it.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack.template import RESOURCES_TEMPLATE, Resolver, load
from infra.console import CONSOLE_TEMPLATE, DIST, NOT_UPLOADED, ConsoleBuildError, plan

ROOT = Path(__file__).resolve().parent.parent
CHALICE_CONFIG = ROOT / ".chalice" / "config.json"
REQUIREMENTS = ROOT / "requirements.txt"
MERGE_TEMPLATE = "merge-template.json"
#: Chalice caches the built zip here, keyed by a hash of requirements and app code
CHALICE_CACHE = ROOT / ".chalice" / "deployments"
REPORT_BATCH_ITEM_FAILURES = ["ReportBatchItemFailures"]

#: Item kinds whose changes have effects (chalicelib/jobs/effects.py ``KINDS``; a test
#: keeps them equal): the stream's other records never invoke the function.
STREAM_KINDS = ["Client", "Ticket", "Message", "StripeEvent", "OrderHistory"]
#: Lambda's retries of a failing stream batch before it is described in the DLQ
STREAM_MAX_RETRIES = 10

#: What the table stream's event source is, over what Chalice generates.
STREAM_EVENT: dict[str, Any] = {
    "Stream": {"Fn::GetAtt": ["Table", "StreamArn"]},
    "FunctionResponseTypes": REPORT_BATCH_ITEM_FAILURES,
    "BisectBatchOnFunctionError": True,
    "MaximumRetryAttempts": STREAM_MAX_RETRIES,
    "DestinationConfig": {
        "OnFailure": {
            "Type": "SQS",
            "Destination": {"Fn::GetAtt": ["EffectsDeadLetterQueue", "Arn"]},
        }
    },
    "FilterCriteria": {
        "Filters": [
            {"Pattern": json.dumps({"dynamodb": {"NewImage": {"kind": {"S": STREAM_KINDS}}}})}
        ]
    },
}

#: What the functions learn about the stack. settings.py derives the same names for
#: local stages. The queues are named ``<prefix>-<queue>`` in infra/resources.yaml.
ENVIRONMENT: dict[str, Any] = {
    "ATIENDE_TABLE": {"Ref": "Table"},
    "ATIENDE_BUCKET": {"Ref": "FilesBucket"},
    "ATIENDE_KMS_KEY": {"Ref": "ChannelSecretsKeyAlias"},
    "ATIENDE_QUEUE_PREFIX": {"Fn::Sub": "atiende-${Stage}"},
}

#: infra/console.yaml's parameters that the package binds to this stack: the API Gateway
#: CloudFront sends the API's paths to is the stack's own (Chalice's ``RestAPI``).
API_DOMAIN: dict[str, Any] = {"Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
#: console.yaml's parameters that the merged template does not keep (``Stage`` is
#: resources.yaml's, fixed to the packaged stage)
CONSOLE_BOUND = ("Stage", "ApiDomainName", "ApiOriginPath")

#: Names the policy files use for things the stack names at deploy time.
POLICY_BUCKET = "atiende-{stage}-files"
POLICY_LOG_GROUPS = "log-group:/aws/lambda/atiende-{stage}"


#: API Gateway response type -> (status or None to keep API Gateway's, code, message)
GATEWAY_ERRORS: dict[str, tuple[int | None, str, str]] = {
    "MISSING_AUTHENTICATION_TOKEN": (
        404, "no_route", "There is no such route; the API's reference is at /docs."),
    "RESOURCE_NOT_FOUND": (
        404, "no_route", "There is no such route; the API's reference is at /docs."),
    "REQUEST_TOO_LARGE": (413, "payload_too_large", "The request is larger than 10 MB."),
    "THROTTLED": (429, "throttled", "Too many requests; wait a moment and try again."),
    "QUOTA_EXCEEDED": (429, "throttled", "Too many requests; wait a moment and try again."),
    "UNSUPPORTED_MEDIA_TYPE": (
        415, "unsupported_media_type", "This route does not read that media type."),
    "INTEGRATION_TIMEOUT": (504, "timeout", "Atiende took too long to answer; try again."),
    "DEFAULT_4XX": (None, "bad_request", "The request was refused before reaching Atiende."),
    "DEFAULT_5XX": (None, "unavailable", "Atiende could not answer; try again shortly."),
}  # fmt: skip


def gateway_responses() -> dict[str, Any]:
    """``x-amazon-apigateway-gateway-responses``: each of :data:`GATEWAY_ERRORS` as JSON
    ``{"error": {"code", "message", "details"}}`` with the request id (and Retry-After
    when throttled)."""
    found: dict[str, Any] = {}
    for kind, (status, code, message) in GATEWAY_ERRORS.items():
        body = {"error": {"code": code, "message": message, "details": None}}
        headers = {"gatewayresponse.header.X-Request-Id": "context.requestId"}
        if status == 429:
            headers["gatewayresponse.header.Retry-After"] = "'1'"
        response: dict[str, Any] = {
            "responseParameters": headers,
            "responseTemplates": {"application/json": json.dumps(body)},
        }
        if status is not None:
            response["statusCode"] = str(status)
        found[kind] = response
    return found


class PackagingError(RuntimeError):
    """The package would not deploy what infra/ describes."""


@dataclass(frozen=True)
class SqsConsumer:
    function: str  # logical id of the AWS::Serverless::Function
    event: str  # its key under Properties.Events
    queue: str  # logical id of the queue in infra/resources.yaml


@dataclass(frozen=True)
class StreamConsumer:
    function: str  # logical id of the AWS::Serverless::Function
    event: str  # its key under Properties.Events


@dataclass
class ChaliceShape:
    """The parts of ``chalice package``'s output that the merge template overrides."""

    consumers: list[SqsConsumer] = field(default_factory=list)
    streams: list[StreamConsumer] = field(default_factory=list)
    #: logical id of each role Chalice builds from a policy file -> that file
    roles: dict[str, Path] = field(default_factory=dict)


# --- what Chalice will generate -------------------------------------------------------------
def queue_logical_ids(stage: str) -> dict[str, str]:
    """Queue name -> logical id, for every queue of infra/resources.yaml in ``stage``."""
    resolver = Resolver({"Stage": stage}, region="us-east-1")
    return {
        resolver.resolve(body["Properties"]["QueueName"]): logical
        for logical, body in load(RESOURCES_TEMPLATE)["Resources"].items()
        if body["Type"] == "AWS::SQS::Queue"
    }


def chalice_shape(stage: str) -> ChaliceShape:
    """Read the function, event and role names from Chalice's own application graph."""
    from chalice.cli.factory import CLIFactory
    from chalice.deploy import models
    from chalice.deploy.appgraph import ApplicationGraphBuilder, DependencyBuilder
    from chalice.utils import to_cfn_resource_name

    if "app" in sys.modules:
        # app.py reads the stage (and so its queue names) once, when it is imported
        raise PackagingError("run infra.package in a process that has not imported app.py")
    os.environ["ATIENDE_STAGE"] = stage
    factory = CLIFactory(project_dir=str(ROOT), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    graph = DependencyBuilder().build_dependencies(ApplicationGraphBuilder().build(config, stage))

    queues = queue_logical_ids(stage)
    shape = ChaliceShape()
    for resource in graph:
        if isinstance(resource, models.SQSEventSource):
            queue = resource.queue
            name = queue.arn.rsplit(":", 1)[-1] if isinstance(queue, models.QueueARN) else queue
            function = resource.lambda_function.resource_name
            if name not in queues:
                raise PackagingError(
                    f"{function} consumes the queue {name!r}, which infra/resources.yaml "
                    f"does not create in stage {stage} ({', '.join(sorted(queues))})"
                )
            shape.consumers.append(
                SqsConsumer(
                    function=to_cfn_resource_name(function),
                    event=to_cfn_resource_name(resource.resource_name),
                    queue=queues[name],
                )
            )
        elif isinstance(resource, models.DynamoDBEventSource):
            shape.streams.append(
                StreamConsumer(
                    function=to_cfn_resource_name(resource.lambda_function.resource_name),
                    event=to_cfn_resource_name(resource.resource_name),
                )
            )
        elif isinstance(resource, models.ManagedIAMRole) and isinstance(
            resource.policy, models.FileBasedIAMPolicy
        ):
            shape.roles[to_cfn_resource_name(resource.resource_name)] = Path(
                resource.policy.filename
            )
    return shape


# --- the merge template ---------------------------------------------------------------------
def bind_policy(document: dict[str, Any], stage: str) -> dict[str, Any]:
    """The policy file with its resource ARNs pinned to the stack it is deployed in."""
    bucket = POLICY_BUCKET.format(stage=stage)
    log_groups = POLICY_LOG_GROUPS.format(stage=stage)

    def bind(arn: Any) -> Any:
        if not isinstance(arn, str) or not arn.startswith("arn:aws:"):
            return arn
        _, _, service, region, account, rest = arn.split(":", 5)
        rest = rest.replace("${", "${!")  # IAM policy variables are not Fn::Sub variables
        if service == "s3":
            rest = re.sub(rf"^{re.escape(bucket)}(?=/|$)", "${FilesBucket}", rest)
        if service == "logs" and rest.startswith(log_groups):
            rest = "log-group:/aws/lambda/${AWS::StackName}" + rest[len(log_groups) :]
        region = "${AWS::Region}" if region == "*" else region
        account = "${AWS::AccountId}" if account == "*" else account
        return {"Fn::Sub": f"arn:${{AWS::Partition}}:{service}:{region}:{account}:{rest}"}

    bound = copy.deepcopy(document)
    for statement in bound["Statement"]:
        for key in ("Resource", "NotResource"):
            if isinstance(statement.get(key), list):
                statement[key] = [bind(arn) for arn in statement[key]]
            elif key in statement:
                statement[key] = bind(statement[key])
    return bound


def api_origin_path(stage: str) -> str:
    """The API Gateway stage of ``stage`` as a CloudFront origin path (``/api``)."""
    config = json.loads(CHALICE_CONFIG.read_text(encoding="utf-8"))
    name = config["stages"].get(stage, {}).get("api_gateway_stage")
    return "/" + (name or config.get("api_gateway_stage") or "api")


def console_template(stage: str) -> dict[str, Any]:
    """infra/console.yaml bound to this stack: its API origin is the stack's RestAPI."""
    template = load(CONSOLE_TEMPLATE)
    refs = {"ApiDomainName": API_DOMAIN, "ApiOriginPath": api_origin_path(stage)}

    def bind(value: Any) -> Any:
        if isinstance(value, list):
            return [bind(v) for v in value]
        if isinstance(value, dict):
            if set(value) == {"Ref"} and value["Ref"] in refs:
                return copy.deepcopy(refs[value["Ref"]])
            return {k: bind(v) for k, v in value.items()}
        return value

    bound = bind(template)
    for name in CONSOLE_BOUND:
        bound["Parameters"].pop(name)
    left = [name for name in refs if f"${{{name}}}" in json.dumps(bound)]
    if left:
        raise PackagingError(f"infra/console.yaml uses {left} in a Fn::Sub: use Ref")
    return bound


def stack_resources(stage: str) -> dict[str, Any]:
    """The resources the package adds to Chalice's, as they must appear in sam.json."""
    resources = dict(load(RESOURCES_TEMPLATE)["Resources"])
    for name, body in console_template(stage)["Resources"].items():
        if name in resources:
            raise PackagingError(f"{name} is in both infra/resources.yaml and infra/console.yaml")
        resources[name] = body
    return resources


def merge_template(stage: str, shape: ChaliceShape) -> dict[str, Any]:
    """infra/resources.yaml and infra/console.yaml, plus the overrides of the
    Chalice-generated resources."""
    infra = load(RESOURCES_TEMPLATE)
    console = console_template(stage)
    ours = stack_resources(stage)
    resources: dict[str, Any] = copy.deepcopy(ours)

    def override(logical_id: str) -> dict[str, Any]:
        if logical_id in ours:
            raise PackagingError(
                f"Chalice generates {logical_id!r}, which is also a resource of "
                "infra/resources.yaml or infra/console.yaml: rename one of them"
            )
        return resources.setdefault(logical_id, {})

    for consumer in shape.consumers:
        function = override(consumer.function)
        depends_on = function.setdefault("DependsOn", [])
        if consumer.queue not in depends_on:
            depends_on.append(consumer.queue)
        events = function.setdefault("Properties", {}).setdefault("Events", {})
        events[consumer.event] = {
            "Properties": {"FunctionResponseTypes": list(REPORT_BATCH_ITEM_FAILURES)}
        }
    for stream in shape.streams:
        events = override(stream.function).setdefault("Properties", {}).setdefault("Events", {})
        events[stream.event] = {"Properties": copy.deepcopy(STREAM_EVENT)}
    for role, policy_file in shape.roles.items():
        document = json.loads(policy_file.read_text(encoding="utf-8"))
        # a list is replaced, not merged: this is the role's whole policy
        override(role).setdefault("Properties", {})["Policies"] = [
            {"PolicyName": f"{role}Policy", "PolicyDocument": bind_policy(document, stage)}
        ]

    # Chalice names its API RestAPI; its swagger is the DefinitionBody, deep-merged
    override("RestAPI").setdefault("Properties", {}).setdefault("DefinitionBody", {})[
        "x-amazon-apigateway-gateway-responses"
    ] = gateway_responses()

    parameters = copy.deepcopy(infra["Parameters"])
    # the package is built for one stage: its queue names and ATIENDE_STAGE are baked in
    parameters["Stage"].update(Default=stage, AllowedValues=[stage])
    parameters.update(console["Parameters"])
    return {
        "Description": f"Atiende {stage}: the Chalice app (chalice package), its "
        "stateful resources (infra/resources.yaml) and the console behind CloudFront "
        "(infra/console.yaml).",
        "Parameters": parameters,
        "Conditions": copy.deepcopy(console["Conditions"]),
        "Globals": {"Function": {"Environment": {"Variables": copy.deepcopy(ENVIRONMENT)}}},
        "Resources": resources,
        "Outputs": {**copy.deepcopy(infra["Outputs"]), **console["Outputs"]},
    }


# --- checks of the result -------------------------------------------------------------------
def template_problems(template: dict[str, Any], shape: ChaliceShape, stage: str) -> list[str]:
    """What is wrong with a packaged template; empty when it deploys what infra/ says."""
    problems: list[str] = []
    resources = template.get("Resources", {})
    for name, body in stack_resources(stage).items():
        if name not in resources:
            problems.append(f"{name} of infra/ is missing")
        elif resources[name] != body:
            problems.append(f"{name} differs from infra/ (a name clash?)")
    for name, body in resources.items():
        if "Type" not in body:
            problems.append(f"{name} has no Type: an override of a resource Chalice did not make")
        for event_name, event in body.get("Properties", {}).get("Events", {}).items():
            responses = event.get("Properties", {}).get("FunctionResponseTypes")
            if event.get("Type") == "SQS" and responses != REPORT_BATCH_ITEM_FAILURES:
                problems.append(f"{name}.{event_name} does not report batch item failures")
            if event.get("Type") == "DynamoDB":
                properties = event.get("Properties", {})
                if any(properties.get(k) != v for k, v in STREAM_EVENT.items()):
                    problems.append(f"{name}.{event_name} is not the table's stream as infra/ says")
    for consumer in shape.consumers:
        if consumer.queue not in resources.get(consumer.function, {}).get("DependsOn", []):
            problems.append(f"{consumer.function} does not depend on {consumer.queue}")
    return problems


def missing_requirements(names: list[str]) -> list[str]:
    """Pinned requirements whose ``.dist-info`` is not among the zip's ``names``."""
    present = {name.split("/", 1)[0].lower() for name in names}
    missing = []
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        requirement = line.split("#", 1)[0].strip()
        if "==" not in requirement:
            continue
        project, version = (part.strip() for part in requirement.split("==", 1))
        dist_info = f"{re.sub(r'[-_.]+', '_', project)}-{version}.dist-info".lower()
        if dist_info not in present:
            missing.append(requirement)
    return missing


def symlinked_app_files(root: Path = ROOT) -> dict[str, bytes]:
    """Files of chalicelib that are symlinks in the repository: path in the zip -> content."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted((root / "chalicelib").rglob("*"))
        if path.is_symlink() and path.is_file() and "__pycache__" not in path.parts
    }


def ensure_real_files(zip_path: Path, files: dict[str, bytes]) -> list[str]:
    """Make every one of ``files`` a regular file with that content in the zip.

    Returns the names that had to be written (missing, stored as a link, or stale).
    """
    with zipfile.ZipFile(zip_path) as archive:
        wrong = [name for name, content in files.items() if not _holds(archive, name, content)]
    if not wrong:
        return []
    rewritten = zip_path.with_name(zip_path.name + ".tmp")
    with (
        zipfile.ZipFile(zip_path) as source,
        zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename not in wrong:
                target.writestr(info, source.read(info))
        for name in wrong:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, files[name])
    rewritten.replace(zip_path)
    return wrong


def _holds(archive: zipfile.ZipFile, name: str, content: bytes) -> bool:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return False
    return not stat.S_ISLNK(info.external_attr >> 16) and archive.read(info) == content


# --- the command ----------------------------------------------------------------------------
@contextlib.contextmanager
def one_packager_at_a_time() -> Iterator[None]:
    """Chalice writes its cached zip in place, so a second packager (a parallel test
    worker, a ``make package`` in another shell) could read it half written."""
    import fcntl

    CHALICE_CACHE.mkdir(parents=True, exist_ok=True)
    with (CHALICE_CACHE / ".infra-package.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def run_chalice_package(stage: str, out: Path, merge_file: Path) -> None:
    chalice = Path(sys.executable).with_name("chalice")
    command = [
        str(chalice) if chalice.exists() else "chalice",
        "--project-dir",
        str(ROOT),
        "package",
        "--stage",
        stage,
        "--merge-template",
        str(merge_file),
        str(out),
    ]
    env = {**os.environ, "ATIENDE_STAGE": stage}
    # Chalice asks for a region only to pick the partition's service principals;
    # the template itself names no region (it uses ${AWS::Region}).
    env.setdefault("AWS_DEFAULT_REGION", env.get("AWS_REGION") or "us-east-1")
    subprocess.run(command, check=True, env=env, cwd=ROOT)


def stage_console(out: Path, dist: Path = DIST) -> Path | None:
    """Copy the built console into ``<out>/console``, the files infra.console uploads
    after the stack is deployed; None (and nothing copied) when it is not built."""
    if not (dist / "index.html").is_file():
        return None
    try:
        plan(dist)  # a complete build: index.html names only files it has
    except ConsoleBuildError as exc:
        raise PackagingError(str(exc)) from exc
    target = out / "console"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(dist, target, ignore=shutil.ignore_patterns(*NOT_UPLOADED))
    return target


def package(stage: str, out: Path, console_dist: Path = DIST) -> Path:
    """Build ``<out>/sam.json`` and ``<out>/deployment.zip`` for ``stage``, and copy the
    built console to ``<out>/console``; returns sam.json."""
    out = out.resolve()
    shape = chalice_shape(stage)
    out.mkdir(parents=True, exist_ok=True)
    merge_file = out / MERGE_TEMPLATE
    merge_file.write_text(json.dumps(merge_template(stage, shape), indent=2) + "\n")
    with one_packager_at_a_time():
        run_chalice_package(stage, out, merge_file)

    sam = out / "sam.json"
    template = json.loads(sam.read_text(encoding="utf-8"))
    # written again without Chalice's indentation: CloudFormation takes a template of at
    # most 1,000,000 bytes from S3, and the API's routes (each path's own, its 405s and
    # CORS) brought the indented one past it; compact, it is about half that
    sam.write_text(json.dumps(template, separators=(",", ":")) + "\n", encoding="utf-8")
    problems = template_problems(template, shape, stage)
    zip_path = out / "deployment.zip"
    try:
        with zipfile.ZipFile(zip_path) as archive:
            missing = missing_requirements(archive.namelist())
    except zipfile.BadZipFile as exc:
        # e.g. a build interrupted earlier left a truncated zip in Chalice's cache
        raise PackagingError(f"{zip_path} is broken ({exc}); delete {CHALICE_CACHE}") from exc
    if missing:
        problems.append(f"deployment.zip lacks requirements (did pip fail?): {missing}")
    if problems:
        raise PackagingError("the package is not deployable:\n  " + "\n  ".join(problems))
    for name in ensure_real_files(zip_path, symlinked_app_files()):
        print(f"deployment.zip: wrote {name} as a regular file")
    for consumer in shape.consumers:
        print(f"{consumer.function}: consumes {consumer.queue}, reports batch item failures")
    for stream in shape.streams:
        print(
            f"{stream.function}: follows the table's stream, dead-letters to EffectsDeadLetterQueue"
        )
    console = stage_console(out, console_dist)
    if console is None:
        print(f"the console is not built ({console_dist}): run make console, or make package")
    else:
        print(f"console: {console}, to upload once the stack is deployed (docs/deploy.md):")
        for item in plan(console):
            print(f"  {item.key}  {item.cache_control}")
    return sam


def deployable_stages() -> list[str]:
    """Chalice stages that may be deployed. ``local`` carries published secrets and writes
    email to files; it is never packaged."""
    from chalicelib.settings import Settings

    stages = json.loads(CHALICE_CONFIG.read_text(encoding="utf-8"))["stages"]
    return sorted(stage for stage in stages if not Settings(stage=stage).is_local)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.package",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stage", required=True, choices=deployable_stages())
    parser.add_argument("--out", type=Path, help="output directory (default: build/<stage>)")
    parser.add_argument(
        "--console-dist", type=Path, default=DIST, help="the built console (default: web/dist)"
    )
    args = parser.parse_args(argv)
    try:
        sam = package(args.stage, args.out or ROOT / "build" / args.stage, args.console_dist)
    except (PackagingError, subprocess.CalledProcessError) as exc:
        print(f"infra.package: {exc}", file=sys.stderr)
        return 1
    print(f"packaged {args.stage}: {sam} and {sam.with_name('deployment.zip')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
