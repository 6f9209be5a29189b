"""`make run` as a person uses it: the whole stack starts, answers /v1/status with
every component ok, stops on Ctrl-C leaving nothing behind, and keeps its data
for the next start."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from devstack.ddb_local import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def start(env: dict[str, str], port: int) -> tuple[subprocess.Popen, float]:
    started = time.monotonic()
    stack = subprocess.Popen(
        [sys.executable, "-m", "devstack.run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = started + 90
    while time.monotonic() < deadline:
        assert stack.poll() is None, "make run stopped by itself"
        try:
            status, body = request(port, "GET", "/v1/status")
            if status == 200 and body["status"] == "ok":
                return stack, time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    stack.kill()
    raise AssertionError("GET /v1/status was not ok within 90 s")


def stop(stack: subprocess.Popen, ports: list[int]) -> None:
    stack.send_signal(signal.SIGINT)  # what Ctrl-C sends
    assert stack.wait(timeout=60) == 0
    import socket

    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"something still listens on {port}"


def test_make_run_starts_everything_stops_cleanly_and_keeps_data(tmp_path):
    ports = [free_port() for _ in range(3)]
    api, ddb, moto_port = ports
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DYNAMODB_ENDPOINT", "AWS_ENDPOINT_URL", "ATIENDE_STAGE", "ATIENDE_TABLE")
    }
    env.update(
        ATIENDE_PORT=str(api),
        ATIENDE_DYNAMODB_PORT=str(ddb),
        ATIENDE_MOTO_PORT=str(moto_port),
        ATIENDE_VAR=str(tmp_path / "var"),
    )
    stack, took = start(env, api)
    try:
        status, body = request(api, "GET", "/v1/status")
        assert {c["name"]: c["state"] for c in body["components"]} == {
            "database": "ok",
            "queues": "ok",
            "storage": "ok",
            "scheduler": "ok",
        }
        created, _ = request(
            api,
            "POST",
            "/v1/signup",
            {
                "company_name": "Acme",
                "first_name": "Ana",
                "last_name": "Admin",
                "email": "ana@acme.example.com",
                "password": PASSWORD,
            },
        )
        assert created == 201
        deadline = time.monotonic() + 20  # the worker sends the welcome email
        while not list((tmp_path / "var" / "mail").glob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert list((tmp_path / "var" / "mail").glob("*.eml")), "no email in var/mail"
    finally:
        stop(stack, ports)
    assert took < 90
    stack, _ = start(env, api)
    try:
        status, session = request(
            api, "POST", "/v1/auth/login", {"email": "ana@acme.example.com", "password": PASSWORD}
        )
        assert status == 200, session  # the tenant written before the restart is still there
    finally:
        stop(stack, ports)
    assert (tmp_path / "var" / "ddb").is_dir()
