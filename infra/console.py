"""The console in production: the upload of a build to the stack's console bucket.

    python -m infra.console --stack-name atiende-prod --dist build/prod/console

infra/console.yaml (merged into the package by infra/package.py) serves the bucket
through CloudFront and sends the API's paths (:data:`API_PATHS`) to API Gateway.
This module uploads one build of the console (``web/dist``, which ``make package``
copies to ``build/<stage>/console``) to the bucket the stack names in its
``ConsoleBucketName`` output:

- ``assets/*`` first: their names carry a hash, so they are cached for a year
  (``immutable``) and a new build never overwrites one that a page still uses;
- then the other files (``favicon.svg``; ``widget.js``, the chat widget that other sites
  load from a URL that never changes, with :data:`WIDGET_CACHE`: kept 5 minutes, so a
  new widget reaches every site within minutes, docs/widget.md), and ``index.html`` last, with
  ``Cache-Control: no-cache``: a browser (and CloudFront's edge) asks again every time,
  so the new page, which names the new assets, is seen at once, and only once they
  are all there. No CloudFront invalidation is needed.

``build.json`` (the build's sizes) is not uploaded. Old assets are kept: a page loaded
before the deployment still finds its bundle (docs/deploy.md says how to prune them).
"""

from __future__ import annotations

import argparse
import mimetypes
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.front import TYPES, WIDGET, WIDGET_CACHE

ROOT = Path(__file__).resolve().parent.parent
CONSOLE_TEMPLATE = ROOT / "infra" / "console.yaml"
#: The built console, as web/build.mjs writes it.
DIST = ROOT / "web" / "dist"

#: CloudFront path patterns sent to API Gateway (the distribution's cache behaviours;
#: devstack/front.py passes the same prefixes to chalice local). A test checks that every
#: route of the app falls under one of them.
API_PATHS = ("/v1/*", "/webhooks/*", "/chat/*", "/docs")

#: Cache-Control of the hashed files and of everything else.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
#: Files of the build that are not served.
NOT_UPLOADED = frozenset({"build.json"})


class ConsoleBuildError(RuntimeError):
    """The folder is not a complete build of the console."""


@dataclass(frozen=True)
class Upload:
    path: Path
    key: str
    content_type: str
    cache_control: str


def cache_control(key: str) -> str:
    if "/" + key == WIDGET:
        return WIDGET_CACHE
    return IMMUTABLE if key.startswith("assets/") else REVALIDATE


def content_type(key: str) -> str:
    suffix = Path(key).suffix
    return TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def plan(dist: Path) -> list[Upload]:
    """What to upload from ``dist``, in order: assets, other files, ``index.html``."""
    index = dist / "index.html"
    if not index.is_file():
        raise ConsoleBuildError(f"{index} is missing: build the console first (make console)")
    files = sorted(
        path.relative_to(dist).as_posix()
        for path in dist.rglob("*")
        if path.is_file() and path.relative_to(dist).as_posix() not in NOT_UPLOADED
    )
    named = {f"/{src}" for src in re.findall(r'(?:src|href)="/([^"]+)"', index.read_text())}
    missing = sorted(name for name in named if name.lstrip("/") not in files)
    if missing:
        raise ConsoleBuildError(f"index.html names files the build lacks: {missing}")

    def order(key: str) -> tuple[int, str]:
        return (0 if key.startswith("assets/") else 2 if key == "index.html" else 1, key)

    return [
        Upload(dist / key, key, content_type(key), cache_control(key))
        for key in sorted(files, key=order)
    ]


def upload(dist: Path, bucket: str, s3: Any) -> list[Upload]:
    """Put every file of :func:`plan` into ``bucket``; returns what was uploaded."""
    uploads = plan(dist)
    for item in uploads:
        s3.put_object(
            Bucket=bucket,
            Key=item.key,
            Body=item.path.read_bytes(),
            ContentType=item.content_type,
            CacheControl=item.cache_control,
        )
    return uploads


def stack_outputs(stack_name: str, cloudformation: Any) -> dict[str, str]:
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.console",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stack-name", required=True, help="the deployed stack (atiende-prod)")
    parser.add_argument(
        "--dist", type=Path, default=DIST, help="the built console (default: web/dist)"
    )
    args = parser.parse_args(argv)

    import boto3

    try:
        outputs = stack_outputs(args.stack_name, boto3.client("cloudformation"))
        bucket = outputs["ConsoleBucketName"]
        uploads = upload(args.dist, bucket, boto3.client("s3"))
    except ConsoleBuildError as exc:
        print(f"infra.console: {exc}", file=sys.stderr)
        return 1
    except KeyError:
        print(f"infra.console: {args.stack_name} has no ConsoleBucketName output", file=sys.stderr)
        return 1
    for item in uploads:
        print(f"s3://{bucket}/{item.key}  {item.content_type}  {item.cache_control}")
    print(f"the console is at {outputs.get('ConsoleURL', '(no ConsoleURL output)')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
