"""Shared fixtures. Real parts where the behaviour depends on them: the real Chroma index,
the real embeddings, the real default GGUF. The fake LLM only serves unit tests of logic."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import interviewer.offline  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
EGRESS_DIR = Path(__file__).resolve().parent / "egress"
_spec = importlib.util.spec_from_file_location("egress_guard", EGRESS_DIR / "sitecustomize.py")
egress_guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(egress_guard)


@pytest.fixture(autouse=True)
def egress_guard_active():
    """Every test runs with non-loopback connections blocked."""
    egress_guard.install()
    yield egress_guard
    egress_guard.install()  # a test that lifted it must not leak that to the next


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    """One user data directory for the session: the index is built once and shared."""
    return tmp_path_factory.mktemp("interviewer-data")


@pytest.fixture(scope="session")
def settings(data_dir):
    from interviewer.settings import Settings

    return Settings(data_dir=data_dir)


@pytest.fixture(scope="session")
def knowledge(settings):
    from interviewer.knowledge.service import Knowledge

    return Knowledge(settings)


@pytest.fixture(scope="session")
def real_llm(settings):
    from interviewer.llm import load_llm

    return load_llm(settings)


@pytest.fixture(scope="session")
def curated(settings):
    from interviewer.knowledge.bank import CuratedKnowledge

    return CuratedKnowledge(settings.knowledge_dir)


def start_server(env: dict[str, str], log_path: Path, port: int | None = None, timeout: float = 300) -> tuple[subprocess.Popen, str]:
    """Start `interviewer serve` on a free loopback port and wait until it answers; (process, url)."""
    import time
    import urllib.request

    port = port or free_port()
    exe = Path(sys.executable).parent / "interviewer"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"interviewer serve exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=2)
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


@pytest.fixture(scope="session")
def web_server(data_dir, tmp_path_factory):
    """A real `interviewer serve` process on a free loopback port, default model; yields its URL."""
    proc, url = start_server(cli_env(data_dir), tmp_path_factory.mktemp("web-server") / "serve.log")
    yield url
    stop_server(proc)


def cli_env(data_dir: Path) -> dict[str, str]:
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
