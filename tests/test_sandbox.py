"""The code runner behind Run tests: bubblewrap namespaces, rlimits inside, comparison in the server."""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import pytest

from interviewer import sandbox
from interviewer.sandbox import run_tests, same, sandbox_status

pytestmark = pytest.mark.slow  # real bubblewrap sandboxes running code

STATUS = sandbox_status()
isolated = pytest.mark.skipif(not STATUS["available"], reason=f"no sandbox here: {STATUS['reason']} (test_refuses_without_isolation covers this)")


@pytest.fixture(scope="module")
def coding(curated):
    return {q.id: q.coding for q in curated.questions.values() if q.coding}


@pytest.fixture()
def spec(coding):
    return coding["code-next-word-prediction"]  # 7 tests; the first expects 'cat'


def fake_spec(*cases, function="f", compare="exact"):
    return SimpleNamespace(function=function, compare=compare, tests=[SimpleNamespace(args=a, expected=e) for a, e in cases])


@isolated
def test_every_reference_solution_passes_in_the_sandbox(coding):
    assert len(coding) >= 30
    for qid, spec in coding.items():
        result = run_tests(spec.reference, spec)
        assert (result["passed"], result["error"], result["timed_out"]) == (len(spec.tests), None, False), (qid, result)
        assert result["isolation"] == "bubblewrap"


@isolated
def test_wrong_code_reports_the_failing_inputs(spec):
    result = run_tests("def predict_next_word(corpus, sequence):\n    print('debug output')\n    return 'cat'\n", spec)
    assert result["passed"] == 1 and result["total"] == 7 and not result["timed_out"]
    first = result["failures"][0]
    assert first == {"args": [["a b", "a c", "a c", "a b"], "a"], "expected": "b", "got": "cat"}


@isolated
def test_an_infinite_loop_is_killed_and_earlier_results_are_kept(spec):
    code = "def predict_next_word(corpus, sequence):\n    if sequence == 'I saw the':\n        return 'cat'\n    while True:\n        pass\n"
    result = run_tests(code, spec, time_limit_s=2)
    assert result["timed_out"] and result["passed"] == 1
    assert result["failures"][0]["error"] == "timed out after 2 s" and result["failures"][0]["expected"] == "b"
    assert result["seconds"] < 10  # killed, not waited for


@isolated
def test_a_memory_bomb_hits_the_memory_limit(spec):
    code = "def predict_next_word(corpus, sequence):\n    hoard = []\n    while True:\n        hoard.append(bytearray(50_000_000))\n"
    result = run_tests(code, spec, memory_mb=256, time_limit_s=20)
    assert not result["timed_out"] and result["passed"] == 0
    assert result["failures"][0]["error"] == "MemoryError: used more than 256 MB"


@isolated
def test_syntax_errors_and_missing_functions_are_explained(spec):
    result = run_tests("def predict_next_word(corpus, sequence)\n    return None\n", spec)
    assert result["passed"] == 0 and result["error"] == "SyntaxError on line 1: expected ':'"
    assert run_tests("def predict(corpus):\n    return None\n", spec)["error"] == "define a function named predict_next_word"
    assert run_tests("raise ValueError('boom')\n", spec)["error"] == "ValueError: boom (while loading your code)"
    assert run_tests("   ", spec)["error"].startswith("No code to run")
    assert "characters long" in run_tests("#" * (sandbox.MAX_CODE_CHARS + 1), spec)["error"]


@isolated
def test_runs_in_a_private_tmp_with_a_minimal_environment(monkeypatch):
    monkeypatch.setenv("INTERVIEWER_PROBE_SECRET", "do-not-leak")
    code = ("import os, sys\ndef f():\n"
            "    open('scratch.txt', 'w').write('x')\n"
            "    return [os.getcwd(), sorted(os.listdir('.')), dict(os.environ), sys.flags.isolated, sys.flags.no_site, os.getuid()]\n")
    got = run_tests(code, fake_spec(([], None)))["failures"][0]["got"]
    cwd, listing, env, flag_isolated, no_site, uid = got
    assert cwd == "/tmp" and listing == ["scratch.txt"]
    assert env == {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8", "PWD": "/tmp"}  # nothing of the server's
    assert (flag_isolated, no_site) == (1, 1) and uid == 65534
    again = run_tests("import os\ndef f():\n    return os.listdir('.')\n", fake_spec(([], None)))
    assert again["failures"][0]["got"] == []  # every run starts from an empty /tmp


@isolated
def test_return_values_are_serialised_and_capped():
    spec = fake_spec(([1], [1, 2]), ([2], [[1, 2]]), ([3], "x"), ([4], 1.0), function="f")
    code = ("def f(n):\n"
            "    return [(1, 2), [(1, 2)], {1, 2}, 'y' * 100_000][n - 1]\n")
    result = run_tests(code, spec)
    assert result["passed"] == 2  # tuples are lists once serialised
    kinds = {f["args"][0]: f for f in result["failures"]}
    assert "not a JSON value" in kinds[3]["error"] and kinds[3]["got"] == "{1, 2}"
    assert "characters long as JSON" in kinds[4]["error"]


def test_compare_modes():
    assert same([[2, 4], [1, 5]], [[1, 5], [2, 4]], "unordered") and not same([[1, 5]], [[1, 5], [2, 4]], "unordered")
    assert same((1, 2), [1, 2], "exact") and not same([1, 2], [2, 1], "exact")
    assert same([0.1 + 0.2, 1], [0.3, 1.0], "approx") and not same([0.31], [0.3], "approx")
    assert not same(True, 1.0, "approx") and not same({1, 2}, [1, 2], "exact")  # a set is not JSON


def test_the_channel_is_validated_in_the_server():
    """What comes back is parsed here with limits: duplicates, unknown tests, junk and floods fail the run."""
    ok = b'{"i": 0, "value": 3}\n{"i": 1, "error": "ValueError: x"}\n{"done": true}\n'
    records, problem = sandbox._parse_channel(ok, 2)
    assert problem is None and [r["i"] for r in records] == [0, 1]
    for data, why in ((b'{"i": 0, "value": 1}\n{"i": 0, "value": 2}\n', "twice"),
                      (b'{"i": 7, "value": 1}\n', "does not exist"),
                      (b'{"i": true, "value": 1}\n', "does not exist"),
                      (b'not json\n', "not JSON"),
                      (b'{"i": 0, "value": 1, "passed": 99}\n', "not a result record"),
                      (b'[' * 50_000 + b'\n', "not JSON"),  # nesting deep enough to overflow a parser
                      (b'"' * 70_000 + b'\n', "longer than any result"),
                      (b'{"done": true}\n{"i": 0, "value": 1}\n', "after the end marker")):
        assert why in sandbox._parse_channel(data, 2)[1], data[:40]


def test_refuses_without_isolation(monkeypatch, tmp_path):
    """No bubblewrap (or no namespaces): Run tests says so and runs nothing."""
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))  # bwrap is found on PATH, and here it is not
    sandbox_status.cache_clear()
    try:
        marker = tmp_path / "ran"
        result = run_tests(f"open({str(marker)!r}, 'w').write('x')\ndef f():\n    return 1\n", fake_spec(([], 1)))
        assert result["refused"] and result["passed"] == 0 and not marker.exists()
        assert "bubblewrap" in result["error"] and "apt-get install bubblewrap" in result["error"]
    finally:
        monkeypatch.undo()
        sandbox_status.cache_clear()


@isolated
def test_status_names_the_tool_and_an_unprivileged_outer_user():
    status = sandbox_status()
    assert status["tool"].startswith("bubblewrap") and status["outer_uid"] != 0
    probe = json.loads(json.dumps(status))  # plain data, printable at server start
    assert probe["available"] is True
    if os.geteuid() == 0:
        assert status["outer_uid"] == sandbox.SANDBOX_UID
