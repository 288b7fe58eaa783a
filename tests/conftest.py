"""Shared fixtures, in two tiers.

Logic tests use the fake knowledge service (hashed bag-of-words vectors, no index) and the fake
LLM. Tests whose behaviour depends on the real parts use them (the real Chroma index, the real
embeddings, the real default GGUF) and are marked `slow`; `pytest -m "not slow"` runs the rest
(75 s on 2 idle cores, measured; none of it builds an index or loads a model). Helpers that tests
import live in tests/helpers.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

import interviewer.offline  # noqa: F401

from .helpers import EGRESS_DIR, cli_env, start_server, stop_server

_spec = importlib.util.spec_from_file_location("egress_guard", EGRESS_DIR / "sitecustomize.py")
egress_guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(egress_guard)

REAL_PARTS = {"knowledge", "real_llm", "web_server"}  # fixtures that build the index or load a model
HEAVY_MODULES = ("chromadb", "sentence_transformers")  # what the fast tier must never import in process


def pytest_collection_modifyitems(config, items):
    """A test that asks for a real part without the `slow` marker would slow the fast tier down unnoticed."""
    unmarked = [item.nodeid for item in items if REAL_PARTS & set(item.fixturenames) and item.get_closest_marker("slow") is None]
    if unmarked:
        raise pytest.UsageError("these tests use the real index or model but are not marked slow:\n  " + "\n  ".join(unmarked))


def pytest_sessionfinish(session, exitstatus):
    """In a run without slow tests, nothing may have built the index or loaded the embedding model."""
    ran_slow = any(item.get_closest_marker("slow") for item in session.items)
    loaded = [name for name in HEAVY_MODULES if name in sys.modules]
    if session.items and not ran_slow and loaded:
        session.config.get_terminal_writer().line(f"\nfast tier imported {', '.join(loaded)}: a test needs the slow marker or a fake", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
    """The real knowledge service: builds the Chroma index with the real embedding model (slow tests only)."""
    from interviewer.knowledge.service import Knowledge

    return Knowledge(settings)


@pytest.fixture(scope="session")
def fake_knowledge(settings):
    """The real curated files behind hashed bag-of-words retrieval: for tests of the engine's logic."""
    from interviewer.knowledge.fake import FakeKnowledge

    return FakeKnowledge(settings)


@pytest.fixture(scope="session")
def real_llm(settings):
    from interviewer.llm import load_llm

    return load_llm(settings)


@pytest.fixture(scope="session")
def curated(settings):
    from interviewer.knowledge.bank import CuratedKnowledge

    return CuratedKnowledge(settings.knowledge_dir)


@pytest.fixture(scope="session")
def web_server(data_dir, tmp_path_factory):
    """A real `interviewer serve` process on a free loopback port, default model; yields its URL."""
    proc, url = start_server(cli_env(data_dir), tmp_path_factory.mktemp("web-server") / "serve.log")
    yield url
    stop_server(proc)
