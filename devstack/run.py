"""``make run``: the whole Atiende stack on this machine.

Starts DynamoDB Local (data under ``var/ddb``, kept across restarts), moto's
server for SQS, S3, SES and KMS, creates the resources of infra/resources.yaml,
then runs ``chalice local`` (on the internal ``ATIENDE_API_PORT``), the front that serves
the console and the API on ``ATIENDE_PORT`` (devstack/front.py), the queue worker and the
scheduler. Ctrl-C stops every child process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from devstack import ddb_local
from devstack.template import ROOT

LOCAL_ENV = {
    "ATIENDE_STAGE": "local",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


def _say(message: str) -> None:
    print(f"[make run] {message}", flush=True)


def _orphans() -> list[int]:
    """Our child processes that no list knows about (Ctrl-C landed while one was spawning)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            found.append(int(stat.parent.name))
    return found


def _stop(children: list[tuple[str, subprocess.Popen]]) -> None:
    """Stop the newest first (scheduler, worker, API), then the engines they talk to."""
    for _name, child in reversed(children):
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    for pid in _orphans():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)


def main() -> int:
    try:
        ddb_local.java_major_version()
        ddb_local.jar_dir()
    except ddb_local.MissingPrerequisite as exc:
        _say(str(exc))
        return 2

    env = {**os.environ, **{k: v for k, v in LOCAL_ENV.items() if k not in os.environ}}
    env["ATIENDE_STAGE"] = "local"
    var = Path(env.get("ATIENDE_VAR", "var"))
    var = (var if var.is_absolute() else ROOT / var).resolve()
    env["ATIENDE_VAR"] = str(var)
    (var / "log").mkdir(parents=True, exist_ok=True)
    (var / "mail").mkdir(parents=True, exist_ok=True)
    (var / "outbox").mkdir(parents=True, exist_ok=True)
    port = int(env.get("ATIENDE_PORT", "8000"))
    # chalice local behind the front; ATIENDE_PORT stays the public one (email links)
    api_port = int(env.get("ATIENDE_API_PORT") or port + 10)
    children: list[tuple[str, subprocess.Popen]] = []

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # explicit for SIGINT too: a shell that starts us in the background ignores it
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        if not env.get("DYNAMODB_ENDPOINT"):
            ddb_port = int(env.get("ATIENDE_DYNAMODB_PORT", "8001"))
            _say(f"starting DynamoDB Local on 127.0.0.1:{ddb_port} (data in {var / 'ddb'})")
            children.append(
                ("dynamodb", ddb_local.start(ddb_port, var / "ddb", var / "log" / "dynamodb.log"))
            )
            env["DYNAMODB_ENDPOINT"] = f"http://127.0.0.1:{ddb_port}"
        if not env.get("AWS_ENDPOINT_URL"):
            moto_port = int(env.get("ATIENDE_MOTO_PORT", "8002"))
            _say(f"starting moto's server (SQS, S3, SES, KMS) on 127.0.0.1:{moto_port}")
            log = open(var / "log" / "moto.log", "ab")  # noqa: SIM115
            moto = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
            children.append(("moto", moto))
            ddb_local.wait_for_port(moto_port, process=moto)
            env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"

        if env.get("ATIENDE_FAKE_PROVIDERS", "1") != "0":
            fakes_port = int(env.get("ATIENDE_FAKES_PORT") or port + 20)
            _say(f"starting the fake providers (Meta, X) on 127.0.0.1:{fakes_port}")
            log = open(var / "log" / "fake-providers.log", "ab")  # noqa: SIM115
            fakes = subprocess.Popen(
                [sys.executable, "-m", "devstack.fake_providers", "--port", str(fakes_port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=ROOT,
            )
            children.append(("fake providers", fakes))
            ddb_local.wait_for_port(fakes_port, process=fakes)
            fakes_url = f"http://127.0.0.1:{fakes_port}"
            env["ATIENDE_FAKES_URL"] = fakes_url
            from devstack.fake_providers import base_url_settings

            for name in base_url_settings():
                env.setdefault(name, fakes_url)

        if env.get("ATIENDE_FAKE_STRIPE") == "1":
            from devstack.fake_stripe import start_for_stack

            children.append(("fake Stripe", start_for_stack(env, port, var, _say)))

        _say("creating the table, queues, bucket and key from infra/resources.yaml")
        bootstrap = subprocess.run(
            [sys.executable, "-m", "devstack.bootstrap_local"], env=env, cwd=ROOT
        )
        if bootstrap.returncode != 0:
            _say("could not create the local resources (see above)")
            return 1

        children.append(
            (
                "api",
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "devstack.local_api",
                        "local",
                        "--stage",
                        "local",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(api_port),
                        "--no-autoreload",
                    ],
                    env=env,
                    cwd=ROOT,
                ),
            )
        )
        api = children[-1][1]
        if not (ROOT / "web" / "dist" / "index.html").is_file():
            _say("the console is not built (make run builds it: node web/build.mjs)")
        children.append(
            (
                "front",
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "devstack.front",
                        "--port",
                        str(port),
                        "--api-port",
                        str(api_port),
                    ],
                    env=env,
                    cwd=ROOT,
                ),
            )
        )
        front = children[-1][1]
        children.append(
            (
                "worker",
                subprocess.Popen([sys.executable, "-m", "devstack.worker"], env=env, cwd=ROOT),
            )
        )
        children.append(
            (
                "scheduler",
                subprocess.Popen([sys.executable, "-m", "devstack.scheduler"], env=env, cwd=ROOT),
            )
        )
        ddb_local.wait_for_port(api_port, timeout=60, process=api)
        ddb_local.wait_for_port(port, timeout=30, process=front)
        _print_banner(port, api_port, var, env)
        while True:
            for name, child in children:
                if child.poll() is not None:
                    _say(f"{name} stopped (exit {child.returncode}); stopping everything")
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        _say("stopping")
        return 0
    finally:
        _stop(children)


def _print_banner(port: int, api_port: int, var: Path, env: dict[str, str]) -> None:
    from chalicelib.settings import LOCAL_DEFAULTS, LOCAL_PLAIN_DEFAULTS, Settings

    lines = [
        f"Atiende is running: http://127.0.0.1:{port}",
        f"  console:     http://127.0.0.1:{port}/  (sign up, then the board)",
        f"  API:         http://127.0.0.1:{port}/v1/...  (chalice local on 127.0.0.1:{api_port})",
        f"  status:      curl http://127.0.0.1:{port}/v1/status",
        f"  API docs:    http://127.0.0.1:{port}/docs",
        f"  chat widget: http://127.0.0.1:{port}/widget.js  (docs/widget.md)",
        "  providers:   "
        + (
            f"fake Meta and X at {env['ATIENDE_FAKES_URL']}, for the base URLs not set "
            "(docs/channels.md)"
            if env.get("ATIENDE_FAKES_URL")
            else "as set in the environment (no fakes)"
        ),
        "  billing:     "
        + (
            f"fake Stripe at {env['ATIENDE_FAKE_STRIPE_URL']}: a stand-in for local use only "
            "(cards 4242 4242 4242 4242 ok, 4000 0000 0000 0002 declined)"
            if env.get("ATIENDE_FAKE_STRIPE_URL")
            else "Stripe as set in the environment"
            if env.get("STRIPE_API_KEY")
            else "not configured (ATIENDE_FAKE_STRIPE=1: a local stand-in for Stripe)"
        ),
        f"  emails:      {var / 'mail'}/*.eml",
        f"  outbox:      {var / 'outbox'}/*.json",
        "  local-only secrets (never used outside the local stage):",
        *[
            f"    {Settings.model_fields[name].validation_alias}={value}"
            for name, value in LOCAL_DEFAULTS.items()
        ],
        "  local-only values of plain settings:",
        *[
            f"    {Settings.model_fields[name].validation_alias}={value}"
            for name, value in LOCAL_PLAIN_DEFAULTS.items()
        ],
        "  Ctrl-C stops everything; data stays in var/ddb for next time.",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
