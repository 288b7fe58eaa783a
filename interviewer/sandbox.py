"""Run a candidate's code against a coding question's test cases, in a separate process.

    result = run_tests(code, question.coding)
    # {"passed": 3, "total": 5, "failures": [{"args", "expected", "got" | "error"}],
    #  "timed_out": False, "error": None, "network": "namespace", "seconds": 0.08}

The guard rails are against mistakes (an infinite loop, a memory bomb, a stray
download), not against a determined attacker: the candidate runs their own code on
their own machine. Each run gets
- a fresh `python -I` process (no site-packages of the user, no PYTHON* variables,
  a minimal environment) in its own process group, killed after a wall-clock limit;
- RLIMIT_AS (memory), RLIMIT_CPU, RLIMIT_FSIZE and RLIMIT_CORE set by the child
  itself before it reads the candidate's code;
- a new empty temporary directory as working directory, deleted afterwards;
- no network: under `unshare -n` (a network namespace with no interfaces up) when
  the system allows it, and in every case the socket module is disabled inside the
  child before the candidate's code runs (the only guard when namespaces are not
  available; it does not stop a subprocess, the namespace does).
Results come back as JSON lines on the child's stdout, one per test as it finishes,
so a test that hangs still leaves the results of the ones before it.

This file is also the child program: `python -I sandbox.py` imports only the stdlib.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

TIME_LIMIT_S = 10.0
MEMORY_LIMIT_MB = 512
MAX_REPR = 300  # characters of a value shown back to the candidate
MAX_FAILURES = 5
_RESULT_MARK = "\x1esandbox-result "



def network_namespace_available() -> bool:
    """Whether `unshare -n` works here (as root, or as a user through a user namespace)."""
    return _unshare_prefix() is not None


@functools.lru_cache(maxsize=1)
def _unshare_prefix() -> tuple[str, ...] | None:
    exe = shutil.which("unshare")
    if not exe:
        return None
    for flags in (["-n"], ["-r", "-n"]):  # as root; as a user through a user namespace
        try:
            probe = subprocess.run([exe, *flags, "true"], capture_output=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return (exe, *flags)
    return None


def run_tests(
    code: str,
    spec,
    time_limit_s: float = TIME_LIMIT_S,
    memory_mb: int = MEMORY_LIMIT_MB,
    use_namespace: bool | None = None,
) -> dict[str, Any]:
    """Run `code` against `spec.tests` (a CodingSpec); never raises for bad candidate code."""
    tests = [{"args": t.args, "expected": t.expected} for t in spec.tests]
    result: dict[str, Any] = {"passed": 0, "total": len(tests), "failures": [], "timed_out": False, "error": None}
    if not code or not code.strip():
        result["error"] = f"No code to run: write a function named {spec.function}."
        return result
    prefix = _unshare_prefix() if use_namespace is not False else None
    if use_namespace and prefix is None:
        raise RuntimeError("a network namespace was required but `unshare -n` is not available")
    result["network"] = "namespace" if prefix else "socket-disabled"
    workdir = tempfile.mkdtemp(prefix="interviewer-run-")
    try:
        payload = {"code": code, "function": spec.function, "compare": spec.compare, "tests": tests,
                   "memory_mb": memory_mb, "cpu_s": int(time_limit_s) + 1}
        with open(os.path.join(workdir, "payload.json"), "w", encoding="utf-8") as fh:
            json.dump(payload, fh)
        command = [*(prefix or []), sys.executable, "-I", os.path.abspath(__file__), "payload.json"]
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": workdir, "TMPDIR": workdir}
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=time_limit_s)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            result["timed_out"] = True
            try:
                out, err = proc.communicate(timeout=5)
            except subprocess.TimeoutExpired:  # a process that left the group still holds the pipes
                proc.kill()
                out, err = b"", b""
        result["seconds"] = round(time.perf_counter() - started, 3)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    _collect(result, tests, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), proc.returncode, time_limit_s)
    return result


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, 9)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _collect(result: dict, tests: list[dict], out: str, err: str, returncode: int | None, time_limit_s: float) -> None:
    seen: set[int] = set()
    for line in out.split("\n"):  # not splitlines(): it also splits on the \x1e of the mark
        if not line.startswith(_RESULT_MARK):
            continue
        record = json.loads(line[len(_RESULT_MARK):])
        if "fatal" in record:
            result["error"] = record["fatal"]
            continue
        seen.add(record["i"])
        if record["ok"]:
            result["passed"] += 1
        elif len(result["failures"]) < MAX_FAILURES:
            failure = {"args": tests[record["i"]]["args"], "expected": tests[record["i"]]["expected"]}
            failure.update({k: record[k] for k in ("got", "error") if k in record})
            result["failures"].append(failure)
    missing = [i for i in range(len(tests)) if i not in seen]
    if not missing or result["error"]:
        return
    if result["timed_out"]:
        reason = f"timed out after {time_limit_s:g} s"
    elif returncode is not None and returncode < 0 and -returncode in (9, 24):  # SIGKILL / SIGXCPU
        reason = "stopped by the CPU time limit"
    else:
        reason = "the program stopped before this test ran" + (f": {_last_line(err)}" if err.strip() else "")
    if len(result["failures"]) < MAX_FAILURES:
        first = tests[missing[0]]
        result["failures"].append({"args": first["args"], "expected": first["expected"], "error": reason})
    if len(missing) == len(tests) and not result["timed_out"]:
        result["error"] = reason


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:MAX_REPR] if lines else ""


def summary(result: dict) -> str:
    """One line for people: `3/5 tests passed (timed out)`."""
    text = f"{result['passed']}/{result['total']} tests passed"
    if result.get("timed_out"):
        text += " (timed out)"
    if result.get("error"):
        text += f" - {result['error']}"
    return text


# ---------------------------------------------------------------------------------
# The child. Everything below runs inside the sandboxed process; stdlib only.
# ---------------------------------------------------------------------------------


def same(actual: Any, expected: Any, mode: str) -> bool:
    """Compare a result with the expected JSON value: exact, unordered (a list in any order) or approx (floats)."""
    import math

    if mode == "approx":
        if isinstance(expected, list):
            return isinstance(actual, (list, tuple)) and len(actual) == len(expected) and all(same(a, e, mode) for a, e in zip(actual, expected))
        if isinstance(expected, (int, float)) and not isinstance(expected, bool):
            return isinstance(actual, (int, float)) and not isinstance(actual, bool) and math.isclose(actual, expected, rel_tol=1e-6, abs_tol=1e-6)
        return actual == expected
    try:
        actual = json.loads(json.dumps(actual))  # tuples -> lists, as the expected values are JSON
    except (TypeError, ValueError):
        return False
    if mode == "unordered":
        return isinstance(actual, list) and isinstance(expected, list) and sorted(map(json.dumps, actual)) == sorted(map(json.dumps, expected))
    return actual == expected


def _limit(memory_mb: int, cpu_s: int) -> None:
    import resource

    memory = memory_mb * 1024 * 1024
    for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu_s), (resource.RLIMIT_FSIZE, 1024 * 1024), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(which, (value, value))


def _disable_network() -> None:
    """Make every socket unusable for the code that follows (the fallback when there is no namespace)."""
    import socket

    def refuse(*_args, **_kwargs):
        raise OSError("network access is disabled while running your code")

    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            refuse()

    socket.socket = NoSocket
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "socketpair", "fromfd", "create_server"):
        setattr(socket, name, refuse)
    for name in ("_socket", "_ssl"):
        sys.modules[name] = None  # a fresh `import _socket` now raises ImportError


def _show(value: Any) -> Any:
    """A JSON value to show back; long or non-JSON values as a bounded repr."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)[:MAX_REPR]
    return value if len(text) <= MAX_REPR else text[:MAX_REPR] + "..."


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:MAX_REPR]


def _child_main(payload_path: str) -> None:
    import copy
    import io

    with open(payload_path, encoding="utf-8") as fh:
        payload = json.load(fh)
    os.remove(payload_path)  # the candidate's code has no business reading the expected values
    _limit(payload["memory_mb"], payload["cpu_s"])
    results = os.fdopen(os.dup(1), "w", encoding="utf-8")  # our channel; the candidate's output goes nowhere
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)  # so a flood of output cannot fill the parent's memory
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()

    def emit(record: dict) -> None:
        results.write(_RESULT_MARK + json.dumps(record) + "\n")
        results.flush()

    _disable_network()
    namespace: dict[str, Any] = {"__name__": "solution"}
    try:
        exec(compile(payload["code"], "solution.py", "exec"), namespace)  # noqa: S102 - the sandboxed candidate code
    except SyntaxError as exc:
        emit({"fatal": f"SyntaxError on line {exc.lineno}: {exc.msg}"})
        return
    except BaseException as exc:  # noqa: BLE001 - anything the module body raises is the candidate's error
        emit({"fatal": f"{_describe(exc)} (while loading your code)"})
        return
    fn = namespace.get(payload["function"])
    if not callable(fn):
        emit({"fatal": f"define a function named {payload['function']}"})
        return
    for i, case in enumerate(payload["tests"]):
        sys.stdout = io.StringIO()  # drop what the previous test printed
        try:
            got = fn(*copy.deepcopy(case["args"]))
        except RecursionError:
            emit({"i": i, "ok": False, "error": "RecursionError: maximum recursion depth exceeded"})
            continue
        except MemoryError:
            emit({"i": i, "ok": False, "error": f"MemoryError: used more than {payload['memory_mb']} MB"})
            continue
        except BaseException as exc:  # noqa: BLE001
            emit({"i": i, "ok": False, "error": _describe(exc)})
            continue
        ok = same(got, case["expected"], payload["compare"])
        emit({"i": i, "ok": ok} if ok else {"i": i, "ok": False, "got": _show(got)})


if __name__ == "__main__":
    _child_main(sys.argv[1])
