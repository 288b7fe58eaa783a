"""The program that runs inside the sandbox: load the candidate's code, call the function on
each test's arguments, write back what it returned. Standard library only.

It never sees the expected values and compares nothing: `interviewer.sandbox` (the
server) alone knows the expected values and decides what passed. What this program
writes is therefore only a claim about return values, and the server treats it as
untrusted input (the candidate's code runs in this same process and could write to
the channel itself; all it could claim that way is a return value it could also have
returned).

Protocol. The server writes one JSON document on standard input:
    {"code", "function", "args": [[...], ...], "memory_mb", "cpu_s", "file_bytes", "max_value_chars"}
and this program writes JSON lines on its standard output (a file on the server's side),
one per test as it finishes, then a last `{"done": true}`:
    {"i": 0, "value": <the JSON return value>}
    {"i": 1, "error": "ValueError: ..."}
    {"i": 2, "unserialisable": "<repr>", "type": "set"}
    {"i": 3, "too_large": 123456}
    {"fatal": "SyntaxError on line 1: ..."}
"""

import json
import os
import sys

MAX_REPR = 300
MAX_PAYLOAD_BYTES = 4 * 1024 * 1024


def _limit(memory_mb: int, cpu_s: int, file_bytes: int) -> None:
    """Caps set by this process on itself before the candidate's code is read; hard limits,
    so the code cannot raise them again."""
    import resource

    memory = memory_mb * 1024 * 1024
    for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu_s), (resource.RLIMIT_FSIZE, file_bytes),
                         (resource.RLIMIT_CORE, 0), (resource.RLIMIT_NOFILE, 64)):
        resource.setrlimit(which, (value, value))
    # No new process or thread: the count is what already runs in this PID namespace (the
    # sandbox's init and this process). The kernel counts it per user namespace, so it is
    # this sandbox's own count; it is not enforced for real root, which the server never uses.
    here = sum(1 for name in os.listdir("/proc") if name.isdigit())
    resource.setrlimit(resource.RLIMIT_NPROC, (here, here))


def _describe(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - an exception whose __str__ fails
        text = ""
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:MAX_REPR]


def _safe_repr(value) -> str:
    try:
        return repr(value)[:MAX_REPR]
    except BaseException:  # noqa: BLE001
        return f"<{type(value).__name__} object>"


def main() -> None:
    raw = sys.stdin.buffer.read(MAX_PAYLOAD_BYTES)
    payload = json.loads(raw.decode("utf-8"))
    del raw
    _limit(payload["memory_mb"], payload["cpu_s"], payload["file_bytes"])
    max_value = payload["max_value_chars"]
    memory_mb = payload["memory_mb"]

    import copy
    import io

    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)  # what the candidate prints goes nowhere
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(), io.StringIO(), io.StringIO()

    def emit(line: str) -> None:
        channel.write(line + "\n")
        channel.flush()

    code, function, all_args = payload["code"], payload["function"], payload["args"]
    del payload
    namespace = {"__name__": "solution", "__builtins__": __builtins__}
    try:
        exec(compile(code, "solution.py", "exec"), namespace)  # noqa: S102 - the candidate's code, sandboxed
    except SyntaxError as exc:
        emit(json.dumps({"fatal": f"SyntaxError on line {exc.lineno}: {exc.msg}"}))
        return
    except MemoryError:
        emit(json.dumps({"fatal": "MemoryError while loading your code"}))
        return
    except BaseException as exc:  # noqa: BLE001 - anything the module body raises is the candidate's error
        emit(json.dumps({"fatal": f"{_describe(exc)} (while loading your code)"}))
        return
    fn = namespace.get(function)
    if not callable(fn):
        emit(json.dumps({"fatal": f"define a function named {function}"}))
        return
    for i, args in enumerate(all_args):
        sys.stdout = io.StringIO()  # drop what the previous test printed
        try:
            got = fn(*copy.deepcopy(args))
        except RecursionError:
            emit(json.dumps({"i": i, "error": "RecursionError: maximum recursion depth exceeded"}))
            continue
        except MemoryError:
            emit(json.dumps({"i": i, "error": f"MemoryError: used more than {memory_mb} MB"}))
            continue
        except BaseException as exc:  # noqa: BLE001
            emit(json.dumps({"i": i, "error": _describe(exc)}))
            continue
        try:
            text = json.dumps(got, allow_nan=True)
        except (TypeError, ValueError, RecursionError, OverflowError):
            emit(json.dumps({"i": i, "unserialisable": _safe_repr(got), "type": type(got).__name__}))
            continue
        except BaseException as exc:  # noqa: BLE001 - a custom type whose serialisation runs code
            emit(json.dumps({"i": i, "error": f"{_describe(exc)} (while reading the return value)"}))
            continue
        if len(text) > max_value:
            emit(json.dumps({"i": i, "too_large": len(text)}))
            continue
        emit('{"i": %d, "value": %s}' % (i, text))
    emit('{"done": true}')


if __name__ == "__main__":
    main()
