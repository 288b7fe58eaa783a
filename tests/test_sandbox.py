"""The code runner behind Run tests: a separate process with time, memory and network limits."""

from __future__ import annotations

import os
import socket
import sys
import threading

import pytest

from interviewer.sandbox import network_namespace_available, run_tests, same


@pytest.fixture(scope="module")
def coding(curated):
    return {q.id: q.coding for q in curated.questions.values() if q.coding}


@pytest.fixture()
def spec(coding):
    return coding["code-next-word-prediction"]  # 7 tests; the first expects 'cat'


def test_every_reference_solution_passes_in_the_sandbox(coding):
    assert len(coding) >= 30
    for qid, spec in coding.items():
        result = run_tests(spec.reference, spec)
        assert (result["passed"], result["error"], result["timed_out"]) == (len(spec.tests), None, False), (qid, result)


def test_wrong_code_reports_the_failing_inputs(spec):
    result = run_tests("def predict_next_word(corpus, sequence):\n    print('debug output')\n    return 'cat'\n", spec)
    assert result["passed"] == 1 and result["total"] == 7 and not result["timed_out"]
    first = result["failures"][0]
    assert first == {"args": [["a b", "a c", "a c", "a b"], "a"], "expected": "b", "got": "cat"}


def test_an_infinite_loop_is_killed_and_earlier_results_are_kept(spec):
    code = "def predict_next_word(corpus, sequence):\n    if sequence == 'I saw the':\n        return 'cat'\n    while True:\n        pass\n"
    result = run_tests(code, spec, time_limit_s=2)
    assert result["timed_out"] and result["passed"] == 1
    assert result["failures"][0]["error"] == "timed out after 2 s" and result["failures"][0]["expected"] == "b"
    assert result["seconds"] < 10  # killed, not waited for


def test_a_memory_bomb_hits_the_memory_limit(spec):
    code = "def predict_next_word(corpus, sequence):\n    hoard = []\n    while True:\n        hoard.append(bytearray(50_000_000))\n"
    result = run_tests(code, spec, memory_mb=256, time_limit_s=20)
    assert not result["timed_out"] and result["passed"] == 0
    assert result["failures"][0]["error"] == "MemoryError: used more than 256 MB"


def test_syntax_errors_and_missing_functions_are_explained(spec):
    result = run_tests("def predict_next_word(corpus, sequence)\n    return None\n", spec)
    assert result["passed"] == 0 and result["error"] == "SyntaxError on line 1: expected ':'"
    assert run_tests("def predict(corpus):\n    return None\n", spec)["error"] == "define a function named predict_next_word"
    assert run_tests("raise ValueError('boom')\n", spec)["error"] == "ValueError: boom (while loading your code)"
    assert run_tests("   ", spec)["error"].startswith("No code to run")


def test_runs_in_a_fresh_temporary_directory_with_a_minimal_environment(spec, monkeypatch):
    monkeypatch.setenv("INTERVIEWER_PROBE_SECRET", "do-not-leak")
    code = ("import os\ndef predict_next_word(corpus, sequence):\n"
            "    return [os.getcwd(), sorted(os.listdir('.')), os.environ.get('INTERVIEWER_PROBE_SECRET')]\n")
    result = run_tests(code, spec)
    cwd, listing, secret = result["failures"][0]["got"]
    assert cwd != os.getcwd() and "interviewer-run-" in cwd and listing == [] and secret is None
    assert not os.path.exists(cwd)  # removed afterwards


def _listener():
    """A loopback server in this process that counts the connections it receives."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    hits, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                hits.append(1)
                conn.close()
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server.getsockname()[1], hits, lambda: (stop.set(), thread.join(), server.close())


@pytest.mark.parametrize("use_namespace", [False, True], ids=["socket-disabled", "namespace"])
def test_candidate_code_cannot_open_a_connection(spec, use_namespace):
    if use_namespace and not network_namespace_available():
        pytest.skip("unshare -n is not permitted here; the socket-disabled case covers the fallback")
    port, hits, close = _listener()
    code = ("import socket\ndef predict_next_word(corpus, sequence):\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n    return 'connected'\n")
    try:
        result = run_tests(code, spec, use_namespace=use_namespace)
    finally:
        close()
    assert result["network"] == ("namespace" if use_namespace else "socket-disabled")
    assert result["passed"] == 0 and hits == []
    assert result["failures"][0]["error"] == "OSError: network access is disabled while running your code"


def test_the_namespace_also_cuts_off_subprocesses(spec):
    if not network_namespace_available():
        pytest.skip("unshare -n is not permitted here; only the in-process socket guard applies")
    port, hits, close = _listener()
    probe = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2); print('connected')"
    code = ("import subprocess, sys\ndef predict_next_word(corpus, sequence):\n"
            f"    run = subprocess.run([sys.executable, '-c', {probe!r}], capture_output=True, text=True, timeout=5)\n"
            "    return run.stdout.strip() or run.stderr.strip().splitlines()[-1]\n")
    try:
        result = run_tests(code, spec)
    finally:
        close()
    assert hits == [] and result["passed"] == 0
    got = result["failures"][0]["got"]
    assert "connected" != got and ("Network is unreachable" in got or "Connection refused" in got), got


def test_compare_modes():
    assert same([[2, 4], [1, 5]], [[1, 5], [2, 4]], "unordered") and not same([[1, 5]], [[1, 5], [2, 4]], "unordered")
    assert same((1, 2), [1, 2], "exact") and not same([1, 2], [2, 1], "exact")
    assert same([0.1 + 0.2, 1], [0.3, 1.0], "approx") and not same([0.31], [0.3], "approx")
    assert not same(True, 1.0, "approx") and not same({1, 2}, [1, 2], "exact")  # a set is not JSON


def test_the_child_runs_isolated_python(spec):
    code = "import sys\ndef predict_next_word(corpus, sequence):\n    return [sys.flags.isolated, sys.executable]\n"
    got = run_tests(code, spec)["failures"][0]["got"]
    assert got == [1, sys.executable]
