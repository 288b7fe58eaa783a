"""Helpers the tests import: paths, the CLI in a subprocess, a real server on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EGRESS_DIR = Path(__file__).resolve().parent / "egress"  # sitecustomize.py there blocks non-loopback connections


def cli_env(data_dir: Path) -> dict[str, str]:
    """The environment of a CLI subprocess: this data dir, the egress guard on, the default model."""
    env = dict(os.environ)
    env["INTERVIEWER_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = os.pathsep.join([str(EGRESS_DIR), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("INTERVIEWER_MODEL", None)
    return env


def run_cli(args: list[str], data_dir: Path, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "interviewer"
    return subprocess.run([str(exe), *args], env=cli_env(data_dir), capture_output=True, text=True, timeout=timeout, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], log_path: Path, port: int | None = None, timeout: float = 300,
                 args: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str]:
    """Start `interviewer serve` on a free loopback port and wait until it answers (an HTTP error such as 401 is an
    answer); (process, url). Its output goes to `log_path`, never to a pipe nobody reads: a full pipe blocks the
    server (a fresh build prints enough to fill one)."""
    port = port or free_port()
    exe = Path(sys.executable).parent / "interviewer"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(exe), "serve", "--port", str(port), *args], env=env, stdout=log, stderr=subprocess.STDOUT,
                                text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"interviewer serve exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except urllib.error.HTTPError:
            return proc, url
        except OSError:
            if time.time() > deadline:
                proc.kill()
                pytest.fail(f"interviewer serve did not answer within {timeout} s:\n{log_path.read_text()}")
            time.sleep(0.5)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
