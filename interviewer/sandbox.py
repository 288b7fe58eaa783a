"""Run a candidate's code against a coding question's test cases, isolated with bubblewrap.

    result = run_tests(code, question.coding)
    # {"passed": 3, "total": 5, "failures": [{"args", "expected", "got" | "error"}],
    #  "timed_out": False, "error": None, "isolation": "bubblewrap", "seconds": 0.08}

Who does what:
- `bwrap` (bubblewrap, Debian's package) starts the run in new user, PID, network, mount,
  IPC, UTS and cgroup namespaces, as an unprivileged uid inside and a non-root uid outside
  (nobody, when the server runs as root), with no capabilities, `no_new_privs`, a new
  session and no further user namespaces. The file system it sees is /usr and the Python
  installation, read-only, a fresh /proc of its own PID namespace, a minimal /dev and a
  private 64 MB tmpfs at /tmp, its working directory and the only writable place (the
  sandbox's root and /dev are read-only): no data directory, no auth file, no home, no
  /etc, no other process. The network namespace holds only a loopback device of
  its own.
- `sandbox_harness.py`, the program inside, puts hard rlimits on itself before reading the
  candidate's code: address space (RLIMIT_AS), CPU seconds, file size (RLIMIT_FSIZE, which
  also bounds the result channel), open files, no core dumps, and RLIMIT_NPROC at what
  already runs, so the code can start no process and no thread: the memory limit is the
  limit of everything the run can hold.
- This module, in the server, keeps the expected values to itself: the harness returns
  each test's return value as JSON (size-capped), and the comparison happens here. A
  result line that is not what the harness writes (forged, duplicated, out of range,
  oversized) makes the run fail with a message; passed never exceeds total.
- The run is killed after a wall-clock limit: SIGKILL to bwrap's process group, and the
  kernel kills everything left in the sandbox's PID namespace with its init.

Where bubblewrap is missing or cannot create the namespaces, `sandbox_status()` says why
and `run_tests` refuses (`result["refused"]`): nothing runs unconfined.
"""

from __future__ import annotations

import functools
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

TIME_LIMIT_S = 10.0
MEMORY_LIMIT_MB = 512
TMP_MB = 64  # the sandbox's private /tmp
FILE_LIMIT_BYTES = 4 * 1024 * 1024  # RLIMIT_FSIZE: any one file the run writes, the result channel included
MAX_VALUE_CHARS = 64_000  # one return value, serialised
MAX_LINE_CHARS = MAX_VALUE_CHARS + 200
MAX_CODE_CHARS = 100_000
MAX_REPR = 300  # characters of a value shown back to the candidate
MAX_FAILURES = 5
SANDBOX_UID = 65534  # `nobody`: the uid outside the sandbox when the server runs as root
CONCURRENT_RUNS = 2  # runs at once; more wait their turn (two cores are shared with the model)
INSTALL_HINT = "install bubblewrap (as root: apt-get install bubblewrap; the README's set-up command does it)"

_HARNESS = Path(__file__).with_name("sandbox_harness.py")
_protected: set[str] = set()
_slots = threading.BoundedSemaphore(CONCURRENT_RUNS)


def protect(*paths) -> None:
    """Paths the sandbox must never see (the data directory, an auth file): a Python
    installation holding one of them is not mounted into the sandbox."""
    for path in paths:
        if path:
            _protected.add(os.path.realpath(os.path.expanduser(str(path))))
    sandbox_status.cache_clear()


# -- availability ---------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def sandbox_status() -> dict[str, Any]:
    """{"available", "reason", "tool", "python", "outer_uid"}: probed once, by running the
    harness in the sandbox and checking that it cannot start a process."""
    status: dict[str, Any] = {"available": False, "reason": "", "tool": None, "python": None, "outer_uid": None}
    if not sys.platform.startswith("linux"):
        status["reason"] = "the sandbox needs Linux namespaces (bubblewrap); this is " + sys.platform
        return status
    bwrap = shutil.which("bwrap")
    if not bwrap:
        status["reason"] = f"bubblewrap (bwrap) is not installed: {INSTALL_HINT}"
        return status
    try:
        version = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        status["reason"] = f"bwrap cannot be run ({exc})"
        return status
    status["tool"] = version or "bubblewrap"
    reasons = []
    for python, prefix in _interpreters():
        why = _unusable_prefix(prefix)
        if why:
            reasons.append(f"{python}: {why}")
            continue
        probe = _run_in_sandbox(bwrap, python, prefix, _PROBE_CODE, "probe", [[]], 20.0, 128)
        if probe["status"] != "ok" or probe["lines"] != [{"i": 0, "value": "blocked"}]:
            detail = probe["stderr"] or probe["status"]
            if probe["lines"] == [{"i": 0, "value": "allowed"}]:
                detail = "the process limit is not enforced, so the memory limit would not hold across processes"
            reasons.append(f"{python}: {detail}")
            continue
        status.update(available=True, python=python, prefix=prefix, bwrap=bwrap, outer_uid=_outer_uid())
        return status
    status["reason"] = "bubblewrap cannot isolate a Python here: " + "; ".join(reasons)[:600]
    return status


_PROBE_CODE = """
import os
def probe():
    try:
        pid = os.fork()
    except OSError:
        return "blocked"
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return "allowed"
"""


def _interpreters() -> list[tuple[str, str]]:
    """(python, installation prefix to mount) candidates: this server's own Python first,
    then the system's (when the server's lives where the sandbox user cannot read it)."""
    found: list[tuple[str, str]] = []
    own = os.path.realpath(sys.executable)
    found.append((own, os.path.realpath(sys.base_prefix)))
    for system in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(system):
            real = os.path.realpath(system)
            if real not in [f[0] for f in found]:
                found.append((real, "/usr"))
    return found


def _unusable_prefix(prefix: str) -> str | None:
    if prefix in ("/", os.path.realpath(os.path.expanduser("~"))):
        return f"its installation prefix {prefix} would expose too much"
    for path in _protected:
        if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
            return f"its installation prefix {prefix} holds {path}"
    return None


def _outer_uid() -> int:
    return SANDBOX_UID if os.geteuid() == 0 else os.geteuid()


def _root_layout() -> list[str]:
    """/usr read-only, and the merged-/usr links (or the real directories on older systems)."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def _command(bwrap: str, python: str, prefix: str) -> list[str]:
    mounts = _root_layout()
    if prefix != "/usr" and not prefix.startswith("/usr/"):
        mounts += ["--ro-bind", prefix, prefix]
    return [
        bwrap,
        "--unshare-all", "--unshare-user", "--disable-userns",
        "--uid", "65534", "--gid", "65534", "--hostname", "sandbox",
        "--die-with-parent", "--new-session",
        *mounts,
        "--proc", "/proc", "--dev", "/dev",
        "--size", str(TMP_MB * 1024 * 1024), "--tmpfs", "/tmp",
        "--remount-ro", "/dev", "--remount-ro", "/",  # only /tmp (64 MB) is writable; the root is bwrap's own tmpfs
        "--chdir", "/tmp",
        "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp",
        "--setenv", "LANG", "C.UTF-8",
        "--", python, "-I", "-S", "-B", "-c", _HARNESS.read_text(encoding="utf-8"),
    ]


# -- one run ----------------------------------------------------------------------------


def _run_in_sandbox(bwrap: str, python: str, prefix: str, code: str, function: str, args: list, time_limit_s: float,
                    memory_mb: int) -> dict[str, Any]:
    """Run the harness; {"status": ok | timeout | malformed: why | failed: why, "lines", "returncode", "stderr", "seconds"}."""
    payload = json.dumps({"code": code, "function": function, "args": args, "memory_mb": memory_mb,
                          "cpu_s": int(math.ceil(time_limit_s)) + 1, "file_bytes": FILE_LIMIT_BYTES,
                          "max_value_chars": MAX_VALUE_CHARS}).encode("utf-8")
    workdir = tempfile.mkdtemp(prefix="interviewer-run-")  # the server's side only: never mounted
    data = b""
    out = {"status": "ok", "lines": [], "returncode": None, "stderr": "", "seconds": 0.0, "output_bytes": 0}
    try:
        with open(os.path.join(workdir, "out"), "w+b") as stdout, open(os.path.join(workdir, "err"), "w+b") as stderr:
            kwargs: dict[str, Any] = {}
            if os.geteuid() == 0:  # never root outside: a root-owned sandbox would own root's files
                kwargs.update(user=SANDBOX_UID, group=SANDBOX_UID, extra_groups=[])
            started = time.perf_counter()
            try:
                proc = subprocess.Popen(_command(bwrap, python, prefix), stdin=subprocess.PIPE, stdout=stdout, stderr=stderr,
                                        cwd="/", env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, start_new_session=True, **kwargs)
            except OSError as exc:
                out.update(status=f"failed: {exc}", stderr=f"bwrap could not be started ({exc})")
                return out
            try:
                proc.communicate(input=payload, timeout=time_limit_s)
            except subprocess.TimeoutExpired:
                out["status"] = "timeout"
            except OSError:  # the sandbox died before reading its input (BrokenPipe)
                pass
            finally:
                _kill(proc)
            out["seconds"] = round(time.perf_counter() - started, 3)
            out["returncode"] = proc.returncode
            stderr.seek(0)
            out["stderr"] = _last_line(stderr.read(16_384).decode("utf-8", "replace"))
            stdout.seek(0)
            data = stdout.read(FILE_LIMIT_BYTES + 1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out["output_bytes"] = len(data)
    lines, problem = _parse_channel(data, len(args))
    out["lines"] = lines
    if problem:
        out["status"] = f"malformed: {problem}"
    return out


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL bwrap's process group; the PID namespace takes every process inside with it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _parse_channel(data: bytes, total: int) -> tuple[list[dict], str | None]:
    """The harness's JSON lines, validated: (records, None) or (records so far, what is wrong)."""
    if len(data) > FILE_LIMIT_BYTES:
        return [], "more output than the harness ever writes"
    records: list[dict] = []
    seen: set[int] = set()
    text = data.decode("utf-8", "replace")
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    elif parts:  # a last line without its newline: cut off by a kill; ignored unless it is all there is
        parts.pop()
    done = False
    for number, line in enumerate(parts, 1):
        if done:
            return records, f"line {number} comes after the end marker"
        if len(line) > MAX_LINE_CHARS:
            return records, f"line {number} is longer than any result"
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            return records, f"line {number} is not JSON"
        why = _check_record(record, total, seen)
        if why:
            return records, f"line {number} {why}"
        if record.get("done") is True:
            done = True
            continue
        if "i" in record:
            seen.add(record["i"])
        records.append(record)
    return records, None


_SHAPES = ({"i", "value"}, {"i", "error"}, {"i", "unserialisable", "type"}, {"i", "too_large"}, {"fatal"}, {"done"})


def _check_record(record: Any, total: int, seen: set[int]) -> str | None:
    if not isinstance(record, dict) or set(record) not in _SHAPES:
        return "is not a result record"
    if "i" in record:
        i = record["i"]
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < total:
            return "names a test that does not exist"
        if i in seen:
            return "reports a test twice"
    for key in ("error", "unserialisable", "type", "fatal"):
        if key in record and not isinstance(record[key], str):
            return "is not a result record"
    if "too_large" in record and not isinstance(record["too_large"], int):
        return "is not a result record"
    if "done" in record and record["done"] is not True:
        return "is not a result record"
    return None


def run_tests(code: str, spec, time_limit_s: float = TIME_LIMIT_S, memory_mb: int = MEMORY_LIMIT_MB) -> dict[str, Any]:
    """Run `code` against `spec.tests` (a CodingSpec) in the sandbox; never raises for bad candidate code.

    When the sandbox cannot be had, nothing runs: `refused` is True and `error` says why."""
    tests = [{"args": t.args, "expected": t.expected} for t in spec.tests]
    result: dict[str, Any] = {"passed": 0, "total": len(tests), "failures": [], "timed_out": False, "error": None}
    if not code or not code.strip():
        result["error"] = f"No code to run: write a function named {spec.function}."
        return result
    if len(code) > MAX_CODE_CHARS:
        result["error"] = f"Your code is {len(code):,} characters long; Run tests takes up to {MAX_CODE_CHARS:,}."
        return result
    status = sandbox_status()
    if not status["available"]:
        result.update(refused=True, error=f"Run tests is unavailable on this server, so your code was not run: {status['reason']}")
        return result
    result["isolation"] = "bubblewrap"
    with _slots:
        run = _run_in_sandbox(status["bwrap"], status["python"], status["prefix"], code, spec.function,
                              [t["args"] for t in tests], time_limit_s, memory_mb)
    result["seconds"] = run["seconds"]
    result["timed_out"] = run["status"] == "timeout"
    _score(result, tests, spec.compare, run, time_limit_s, memory_mb)
    return result


def _score(result: dict, tests: list[dict], mode: str, run: dict, time_limit_s: float, memory_mb: int) -> None:
    """Compare the returned values with the expected ones, here in the server."""
    if run["status"].startswith("malformed"):
        result["error"] = (f"the run's output was malformed ({run['status'].split(': ', 1)[1]}), so the run counts as failed; "
                           "output written to the test harness's channel is not a test result")
        return
    seen: set[int] = set()
    for record in run["lines"]:
        if "fatal" in record:
            result["error"] = record["fatal"][:MAX_REPR]
            continue
        i = record["i"]
        seen.add(i)
        case = tests[i]
        if "value" in record and same(record["value"], case["expected"], mode):
            result["passed"] += 1
            continue
        if len(result["failures"]) >= MAX_FAILURES:
            continue
        failure = {"args": case["args"], "expected": case["expected"]}
        if "value" in record:
            failure["got"] = _show(record["value"])
        elif "error" in record:
            failure["error"] = record["error"][:MAX_REPR]
        elif "unserialisable" in record:
            failure["got"] = record["unserialisable"][:MAX_REPR]
            failure["error"] = f"returned a {record['type'][:40]}, which is not a JSON value (use lists, dicts, numbers, strings)"
        else:
            failure["error"] = f"the return value is {record['too_large']:,} characters long as JSON; the limit is {MAX_VALUE_CHARS:,}"
        result["failures"].append(failure)
    result["passed"] = min(result["passed"], result["total"])
    missing = [i for i in range(len(tests)) if i not in seen]
    if not missing or result["error"]:
        return
    code = run["returncode"]
    if result["timed_out"]:
        reason = f"timed out after {time_limit_s:g} s"
    elif code is not None and (code < 0 and -code in (9, 24) or code in (128 + 9, 128 + 24)):  # SIGKILL / SIGXCPU
        reason = "stopped by the CPU time limit"
    elif (code is not None and code in (-25, 128 + 25)) or run.get("output_bytes", 0) >= FILE_LIMIT_BYTES:  # SIGXFSZ
        reason = f"stopped: wrote more than the {FILE_LIMIT_BYTES // (1024 * 1024)} MB file size limit"
    else:
        reason = "the program stopped before this test ran" + (f": {run['stderr']}" if run["stderr"] else "")
    if len(result["failures"]) < MAX_FAILURES:
        first = tests[missing[0]]
        result["failures"].append({"args": first["args"], "expected": first["expected"], "error": reason})
    if len(missing) == len(tests) and not result["timed_out"]:
        result["error"] = reason


def same(actual: Any, expected: Any, mode: str) -> bool:
    """Compare a returned JSON value with the expected one: exact, unordered (a list in any order) or approx (floats)."""
    if mode == "approx":
        if isinstance(expected, list):
            return isinstance(actual, (list, tuple)) and len(actual) == len(expected) and all(same(a, e, mode) for a, e in zip(actual, expected, strict=True))
        if isinstance(expected, (int, float)) and not isinstance(expected, bool):
            return isinstance(actual, (int, float)) and not isinstance(actual, bool) and math.isclose(actual, expected, rel_tol=1e-6, abs_tol=1e-6)
        return actual == expected
    try:
        actual = json.loads(json.dumps(actual))  # tuples -> lists, as the expected values are JSON
    except (TypeError, ValueError, RecursionError):
        return False
    if mode == "unordered":
        return isinstance(actual, list) and isinstance(expected, list) and sorted(map(json.dumps, actual)) == sorted(map(json.dumps, expected))
    return actual == expected


def _show(value: Any) -> Any:
    """A JSON value to show back; long values as a bounded text."""
    text = json.dumps(value)
    return value if len(text) <= MAX_REPR else text[:MAX_REPR] + "..."


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
