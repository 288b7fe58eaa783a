"""Issue 16's attacks, each asserted to fail: sandbox escapes and result forgeries in Run tests,
a second user taking over the first user's session, DNS rebinding, password guessing, a
long-line resume freezing the server for everyone, and the ninth round in a row.

The sandbox attacks run when bubblewrap can isolate here (the README's set-up installs it);
where it cannot, each attack asserts that Run tests refused and ran nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from interviewer import sandbox
from interviewer.app import App
from interviewer.interview import InterviewConfig
from interviewer.llm import FakeLLM
from interviewer.sandbox import run_tests, sandbox_status
from interviewer.sessions import SessionStore, SessionStoreError, open_session
from interviewer.ui.guard import RequestGuard, served_names
from interviewer.ui.history import history_view
from interviewer.ui.live import LiveInterviews

from .helpers import cli_env, free_port, run_cli, stop_server
from .pdfs import inflating_pdf
from .scripted import QUESTIONS, STRONG

ISOLATED = sandbox_status()["available"]


def spec(*cases, function="f", compare="exact"):
    return SimpleNamespace(function=function, compare=compare, tests=[SimpleNamespace(args=a, expected=e) for a, e in cases])


ONE = spec(([], "SECRET-EXPECTED-0"))


def attack(code: str, test_spec=ONE, **kwargs) -> dict:
    """Run the attacker's code; without isolation, check that nothing ran at all."""
    result = run_tests(code, test_spec, **kwargs)
    if not ISOLATED:
        assert result["refused"] and result["passed"] == 0, result
        pytest.skip(f"no isolation here, and Run tests refused (as it must): {sandbox_status()['reason']}")
    assert result["isolation"] == "bubblewrap"
    return result


def got(result: dict):
    return result["failures"][0].get("got")


# -- 2. sandbox escapes ------------------------------------------------------------------


@pytest.fixture()
def victim_store(tmp_path):
    """Another candidate's stored session, with an answer and a score, in a data directory."""
    data = tmp_path / "data"
    store = SessionStore(data)
    store.create("victim0session", "ml-fundamentals", "general", "m", {}, ["mlf-l1-vs-l2"], owner="ana",
                 first_turn=(0, {"role": "candidate", "text": "VICTIM-ANSWER-42"}))
    store.finish("victim0session", {"overall": 1.75, "criteria": []})
    sandbox.protect(data)
    return data, store


def test_candidate_code_sees_no_host_file(victim_store, tmp_path):
    data, _ = victim_store
    auth = tmp_path / "auth"
    auth.write_text("ana:AUTH-PASSWORD-7\n")
    code = f"""
import os
def f():
    seen = {{}}
    for path in ("/etc/passwd", "/etc/shadow", {str(data / 'sessions.db')!r}, {str(auth)!r}, os.path.expanduser("~root/.bash_history")):
        try:
            seen[path] = open(path, "rb").read(200).decode("latin-1")
        except OSError as exc:
            seen[path] = type(exc).__name__
    found = []
    for root, dirs, files in os.walk("/"):
        if root.startswith(("/proc", "/sys", "/usr")):
            dirs[:] = []
            continue
        found += [os.path.join(root, name) for name in files if name.endswith((".db", "auth"))]
    leaked = any(s in str(seen) for s in ("root:", "VICTIM-ANSWER", "AUTH-PASSWORD"))
    return [sorted(set(seen.values())), len(found), leaked]
"""
    outcomes, found, leaked = got(attack(code))
    assert outcomes == ["FileNotFoundError"] and found == 0 and leaked is False


def test_candidate_code_cannot_rewrite_another_candidates_score(victim_store):
    data, store = victim_store
    code = f"""
import sqlite3
def f():
    try:
        db = sqlite3.connect({str(data / 'sessions.db')!r})
        db.execute("UPDATE sessions SET scorecard = '{{\\"overall\\": 4.0}}'")
        db.commit()
        return "rewritten"
    except Exception as exc:
        return type(exc).__name__
"""
    assert got(attack(code)) != "rewritten"
    assert store.get("victim0session")["scorecard"]["overall"] == 1.75


def test_candidate_code_cannot_read_the_servers_command_line_or_see_other_processes():
    """The auth file's passwords were read through /proc/<parent>/cmdline: no host process is visible."""
    marker = f"--auth=ana:PROC-SECRET-{uuid.uuid4().hex[:6]}"
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
    try:
        code = """
import os
def f():
    texts = []
    for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
        for what in ("cmdline", "environ"):
            try:
                texts.append(open(f"/proc/{pid}/{what}", "rb").read().decode("latin-1"))
            except OSError:
                pass
    text = " ".join(texts)
    return [sorted(int(p) for p in os.listdir("/proc") if p.isdigit()), os.getppid(), "PROC-SECRET" in text, "pytest" in text]
"""
        pids, ppid, secret_seen, server_seen = got(attack(code))
        assert pids == [1, 2] and ppid == 1  # its own PID namespace: the sandbox's init and itself
        assert secret_seen is False and server_seen is False
    finally:
        bystander.kill()
        bystander.wait()


def test_candidate_code_cannot_write_outside_its_private_tmp(tmp_path):
    outside = tmp_path / "written-by-candidate"
    code = f"""
def f():
    results = {{}}
    for path in ({str(outside)!r}, "/usr/pwned", "/pwned", "/proc/pwned", "/dev/pwned", "/dev/shm/pwned"):
        try:
            open(path, "w").write("x")
            results[path] = "written"
        except OSError as exc:
            results[path] = type(exc).__name__
    open("/tmp/fine.txt", "w").write("scratch space is allowed")
    return sorted(set(results.values()))
"""
    results = got(attack(code))
    assert "written" not in results, results
    assert not outside.exists()


def test_candidate_code_cannot_start_processes_or_threads():
    code = """
import os, subprocess, threading
def f():
    out = {}
    try:
        subprocess.run(["/bin/true"])
        out["subprocess"] = "ran"
    except OSError as exc:
        out["subprocess"] = type(exc).__name__
    try:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        out["fork"] = "forked"
    except OSError as exc:
        out["fork"] = type(exc).__name__
    try:
        threading.Thread(target=lambda: None).start()
        out["thread"] = "started"
    except RuntimeError as exc:
        out["thread"] = type(exc).__name__
    return out
"""
    assert got(attack(code)) == {"subprocess": "BlockingIOError", "fork": "BlockingIOError", "thread": "RuntimeError"}


def _harness_processes() -> list[int]:
    """Host processes running the sandbox harness (its source is on their command line)."""
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            try:
                if b"MAX_PAYLOAD_BYTES" in Path(f"/proc/{name}/cmdline").read_bytes():
                    pids.append(int(name))
            except OSError:
                pass
    return pids


def test_no_process_outlives_the_run_and_the_server_cannot_be_killed():
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        code = f"""
import os, signal, time
def f():
    for target in (os.getppid(), 1, -1, {os.getpid()}, {victim.pid}):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    try:
        if os.fork() == 0:
            os.setsid()
            time.sleep(3600)
    except OSError:
        pass
    while True:
        time.sleep(1)
"""
        result = attack(code, time_limit_s=2)
        assert result["timed_out"] and result["passed"] == 0
        assert victim.poll() is None  # a process outside the sandbox is out of reach
        time.sleep(0.5)
        assert _harness_processes() == []  # nothing left running after the run
    finally:
        victim.kill()
        victim.wait()


def test_memory_is_capped_for_everything_the_run_holds():
    """Four forked children held 1.6 GB against a 512 MB limit: now no child can be forked at all,
    so the address-space limit of the one process is the limit of the run."""
    code = """
import os
def f(n):
    if n == 0:
        children = 0
        for _ in range(4):
            try:
                if os.fork() == 0:
                    bytearray(400_000_000)
                    os._exit(0)
                children += 1
            except OSError:
                pass
        return children
    hoard = []
    while True:
        hoard.append(bytearray(50_000_000))
"""
    result = attack(code, spec(([0], "x"), ([1], "x")), memory_mb=256, time_limit_s=20)
    failures = {f["args"][0]: f for f in result["failures"]}
    assert failures[0]["got"] == 0
    assert failures[1]["error"] == "MemoryError: used more than 256 MB"


def _listener():
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


def test_no_network_even_through_the_raw_socket_module():
    port, hits, close = _listener()
    abstract = b"\0interviewer-attack-" + uuid.uuid4().hex[:8].encode()
    unix_server = socket.socket(socket.AF_UNIX)
    unix_server.bind(abstract)
    unix_server.listen(1)
    code = f"""
import _socket, socket
def f():
    out = {{}}
    try:
        s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect(("127.0.0.1", {port}))
        out["tcp"] = "connected"
    except OSError as exc:
        out["tcp"] = type(exc).__name__
    try:
        u = socket.socket(socket.AF_UNIX)
        u.connect({abstract!r})
        out["unix"] = "connected"
    except OSError as exc:
        out["unix"] = type(exc).__name__
    try:
        socket.getaddrinfo("example.org", 80)
        out["dns"] = "resolved"
    except OSError as exc:
        out["dns"] = type(exc).__name__
    return out
"""
    try:
        out = got(attack(code))
    finally:
        close()
        unix_server.close()
    assert hits == [] and "connected" not in out.values() and out["dns"] != "resolved", out


# -- 3. forged results -------------------------------------------------------------------

SECRETS = spec(([1], "SECRET-EXPECTED-1"), ([2], "SECRET-EXPECTED-2"), ([3], "SECRET-EXPECTED-3"))


def test_patching_the_comparison_passes_nothing():
    code = """
import __main__, builtins
__main__.same = lambda *a, **k: True
builtins.same = lambda *a, **k: True
def f(n):
    return "wrong"
"""
    result = attack(code, SECRETS)
    assert (result["passed"], result["total"]) == (0, 3)


def test_the_expected_values_are_nowhere_in_the_sandbox():
    """Reading the expected value from the caller's frame: the sandbox never receives it."""
    code = """
import gc, os, sys
import re
MARK = re.compile("SECRET-" + "EXPECTED-" + "[0-9]")  # not spelled out, so this code itself does not match
def f(n):
    found = set()
    frame = sys._getframe()
    while frame:
        found |= {"frame" for v in list(frame.f_locals.values()) + list(frame.f_globals.values()) if MARK.search(repr(v))}
        frame = frame.f_back
    for obj in gc.get_objects():
        try:
            if isinstance(obj, (str, bytes, list, dict, tuple)) and MARK.search(repr(obj)[:100000]):
                found.add("gc")
        except Exception:
            pass
    for root, dirs, files in os.walk("/tmp"):
        for name in files:
            if MARK.search(open(os.path.join(root, name), "rb").read().decode("latin-1")):
                found.add(name)
    return sorted(found)[:3] or "nothing"
"""
    result = attack(code, SECRETS)
    assert result["passed"] == 0 and all(f["got"] == "nothing" for f in result["failures"]), result["failures"]


def test_fake_result_lines_fail_the_run():
    """Writing result lines to the result descriptor gave '100 of 6 tests passed'."""
    code = """
import os
def f(n):
    for fd in range(3, 64):
        try:
            os.write(fd, b"".join(b'{"i": %d, "value": "SECRET-EXPECTED-%d"}\\n' % (i, i) for i in range(100)))
        except OSError:
            pass
    return "wrong"
"""
    result = attack(code, SECRETS)
    assert result["passed"] == 0 and result["passed"] <= result["total"]
    assert "malformed" in result["error"] and "counts as failed" in result["error"]


def test_claimed_values_are_judged_by_the_server():
    """Well-formed lines written by the candidate only claim return values; the server compares them."""
    code = """
import os
def f(n):
    for fd in range(3, 64):
        try:
            os.write(fd, b"".join(b'{"i": %d, "value": "guess"}\\n' % i for i in range(3)) + b'{"done": true}\\n')
        except OSError:
            pass
    os._exit(0)
"""
    result = attack(code, SECRETS)
    assert result["passed"] == 0 and all(f["got"] == "guess" for f in result["failures"])


def test_flooding_the_result_channel_is_bounded():
    """Flooding grew the server by 300 MB a run: the channel is a file capped by RLIMIT_FSIZE, read up to a bound."""
    code = """
import os
def f(n):
    chunk = b"x" * 1_000_000
    for fd in range(1, 64):
        try:
            for _ in range(300):
                os.write(fd, chunk)
        except OSError:
            pass
    return "wrong"
"""
    import tracemalloc

    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = attack(code, SECRETS, time_limit_s=20)
    finally:
        seconds = time.perf_counter() - started
        grown_mb = tracemalloc.get_traced_memory()[1] / 1e6  # the server's peak allocation during the run
        tracemalloc.stop()
    print(f"\nflood of 300 MB per descriptor: run {seconds:.2f} s, server allocated at most {grown_mb:.1f} MB for it")
    assert result["passed"] == 0 and result["error"]
    assert grown_mb < 64 and seconds < 20


def test_a_malformed_line_is_a_failed_run_with_a_message():
    code = """
import os
def f(n):
    os.write(3, b"\\x00garbage {not json\\n")
    return "wrong"
"""
    result = attack(code, SECRETS)
    assert result["passed"] == 0 and "malformed" in result["error"]


# -- 4. sessions belong to their candidate -----------------------------------------------


@pytest.fixture()
def fake_app(tmp_path, settings, fake_knowledge):
    return App(settings.model_copy(update={"data_dir": tmp_path / "data"}), knowledge=fake_knowledge, llm=FakeLLM())


def test_a_second_user_cannot_reach_the_first_users_session(fake_app):
    lives = LiveInterviews(fake_app)
    ana = lives.create(InterviewConfig(question_ids=QUESTIONS), owner="ana")
    list(ana.stream(ana.interview.start()))
    list(ana.answer(STRONG[0]))
    sid = ana.session_id
    assert lives.get(sid, "bob") is None and lives.get(sid, "ana") is ana
    with pytest.raises(SessionStoreError, match="no stored session"):
        lives.resume(sid, "bob")
    fresh = LiveInterviews(fake_app)  # after a restart: from the store
    with pytest.raises(SessionStoreError, match="no stored session"):
        fresh.resume(sid, "bob")
    assert fresh.resume(sid, "ana")[0].session_id == sid
    assert sid not in history_view(fake_app, "bob")[0] and sid in history_view(fake_app, "ana")[0]
    assert [r["id"] for r in fake_app.sessions.list(owner="bob")] == []
    assert fake_app.sessions.get(sid, owner="bob") is None


# -- 5. the plan never runs dry ----------------------------------------------------------


def test_thirty_fundamentals_rounds_in_a_row(fake_app):
    store = fake_app.sessions
    bank = {q.id for q in fake_app.knowledge.curated.by_round("ml-fundamentals")}
    started = time.perf_counter()
    plans = []
    for n in range(30):
        interview = open_session(fake_app, InterviewConfig(round="ml-fundamentals", seed=n))
        list(interview.start())
        interview.finish()
        plans.append(interview.transcript.plan)
        plan = set(interview.transcript.plan)
        assert len(plan) == 4 and plan <= bank
        # Questions of the last ten sessions are avoided while others remain; once the bank is
        # used up (from the ninth round on) the least recently asked come back first.
        window = plans[max(0, n - 10):n]
        last = {q: i for i, p in enumerate(window) for q in p}  # later sessions overwrite: the last time asked
        unseen = bank - set(last)
        assert plan <= unseen if len(unseen) >= 4 else unseen <= plan, (n, plan)
        again = plan - unseen
        if again:
            cutoff = sorted(last.values())[len(again) - 1]
            assert all(last[q] <= cutoff for q in again), (n, again)
            assert all(q in plan for q, i in last.items() if i < cutoff), (n, again)
    seconds = time.perf_counter() - started
    rows = store.list()
    assert len(rows) == 30 and all(r["turns"] > 0 for r in rows)  # no empty session rows
    asked = {q for p in plans for q in p}
    print(f"\n30 ml-fundamentals rounds in a row: no error, {len(asked)} of {len(bank)} questions asked, {seconds:.1f} s")


def test_no_session_row_is_left_when_an_interview_fails_before_its_first_turn(fake_app):
    class Broken(FakeLLM):
        def complete(self, *args, **kwargs):
            raise RuntimeError("the model fell over")

    broken_app = App(fake_app.settings, knowledge=fake_app.knowledge, llm=Broken())
    interview = open_session(broken_app, InterviewConfig(round="ml-fundamentals"))
    with pytest.raises(RuntimeError):
        list(interview.start())
    assert broken_app.sessions.list() == []


@pytest.mark.slow
def test_the_ninth_round_in_the_cli(fake_app, data_dir, tmp_path):
    """The IndexError came after eight sessions had used every ml-fundamentals question."""
    own = fake_app.settings.data_dir
    for n in range(8):
        interview = open_session(fake_app, InterviewConfig(round="ml-fundamentals", seed=n))
        list(interview.start())
        interview.finish()
    if (data_dir / "index").exists():
        shutil.copytree(data_dir / "index", own / "index", dirs_exist_ok=True)
    answers = tmp_path / "answers.txt"
    answers.write_text("I would use class weights.\n---\n")
    out = run_cli(["--data-dir", str(own), "chat", "--round", "ml-fundamentals", "--answers", str(answers), "--json"], data_dir)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "IndexError" not in out.stderr and len(json.loads(out.stdout)["plan"]) == 4
    assert all(r["turns"] > 0 for r in SessionStore(own).list())


# -- DNS rebinding and login guessing ----------------------------------------------------


def _asgi_status(guard, headers: dict[str, str], path: str = "/", method: str = "GET", client: str = "127.0.0.1",
                 inner_status: int = 200) -> tuple[int, dict]:
    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": inner_status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    guard.app = inner
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "client": (client, 5555),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(guard(scope, receive, send))
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


def test_the_guard_answers_only_the_served_names():
    guard = RequestGuard(None, served_names("127.0.0.1"))
    assert _asgi_status(guard, {"host": "127.0.0.1:7860"})[0] == 200
    assert _asgi_status(guard, {"host": "localhost:7860", "origin": "http://localhost:7860"})[0] == 200
    assert _asgi_status(guard, {"host": "[::1]:7860"})[0] == 200
    assert _asgi_status(guard, {"host": "attacker.example:7860"})[0] == 421  # DNS rebinding
    assert _asgi_status(guard, {"host": "127.0.0.1:7860", "origin": "http://attacker.example:7860"})[0] == 403
    assert _asgi_status(guard, {"host": "127.0.0.1:7860", "origin": "null"})[0] == 403
    assert _asgi_status(guard, {})[0] == 421
    anywhere = RequestGuard(None, served_names("0.0.0.0"), extra=["interviews.example.org"])
    assert _asgi_status(anywhere, {"host": "10.0.0.5:7860"})[0] == 200
    assert _asgi_status(anywhere, {"host": "interviews.example.org"})[0] == 200
    assert _asgi_status(anywhere, {"host": "attacker.example"})[0] == 421


def test_the_guard_limits_failed_logins():
    guard = RequestGuard(None, served_names("127.0.0.1"), login_failures=5, window_s=60)
    codes = [_asgi_status(guard, {"host": "127.0.0.1:1"}, "/login", "POST", inner_status=400)[0] for _ in range(60)]
    assert codes[:5] == [400] * 5 and set(codes[5:]) == {429}
    assert _asgi_status(guard, {"host": "127.0.0.1:1"}, "/login", "POST", client="10.0.0.9")[0] == 200  # per client address
    status, headers = _asgi_status(guard, {"host": "127.0.0.1:1"}, "/login", "POST")
    assert status == 429 and int(headers["retry-after"]) > 0


def _get(url: str, headers: dict[str, str] | None = None, timeout: float = 10):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


@pytest.mark.slow
def test_dns_rebinding_is_refused_by_the_real_server(web_server):
    port = web_server.rstrip("/").rsplit(":", 1)[1]
    assert _get(web_server)[0] == 200
    status, headers = _get(web_server + "config", {"Host": f"attacker.example:{port}"})
    assert status == 421 and "access-control-allow-origin" not in {k.lower() for k in headers}
    status, headers = _get(web_server + "config", {"Origin": f"http://attacker.example:{port}"})
    assert status == 403 and headers.get("access-control-allow-origin", "") != f"http://attacker.example:{port}"


# -- 1. a pathological resume while another client loads the page ------------------------


@pytest.mark.slow
def test_a_long_line_resume_does_not_stall_other_clients(web_server, tmp_path):
    from gradio_client import Client, handle_file

    line = tmp_path / "one-line.txt"
    line.write_text("Built a ranking model with PyTorch and cut latency by 2% " * 1800)  # ~100 KB, one line
    pdf = tmp_path / "inflating.pdf"
    pdf.write_bytes(inflating_pdf(700_000))
    assert pdf.stat().st_size < 8_000
    latencies, stop = [], threading.Event()

    def load_pages():
        while not stop.is_set():
            started = time.perf_counter()
            assert _get(web_server, timeout=30)[0] == 200
            latencies.append(time.perf_counter() - started)
            time.sleep(0.1)

    poller = threading.Thread(target=load_pages)
    poller.start()
    client = Client(web_server, verbose=False)
    timings = {}
    try:
        for upload in (line, pdf):
            started = time.perf_counter()
            _, chat, progress, notice, *_ = client.predict("resume-deep-dive", "general", handle_file(str(upload)), "", api_name="/start")
            timings[upload.name] = time.perf_counter() - started
            assert progress.startswith("**Question 1 of") and "only the first 50,000 were read" in notice
    finally:
        stop.set()
        poller.join()
    worst = max(latencies)
    print(f"\npathological resumes: start took {timings['one-line.txt']:.1f} s (100 KB line) and {timings['inflating.pdf']:.1f} s "
          f"({pdf.stat().st_size} B PDF, 700,000-character line); meanwhile {len(latencies)} page loads by another client, "
          f"slowest {worst * 1000:.0f} ms, median {sorted(latencies)[len(latencies) // 2] * 1000:.0f} ms")
    # a stall is the event loop held for the whole parse (seconds, every load waiting); one slow load on a shared machine
    # is not (seen: 143 loads, median 35 ms, one at 2.2 s while other tests ran beside it)
    p95 = sorted(latencies)[int(len(latencies) * 0.95)]
    assert len(latencies) >= 5 and p95 < 1.0 and worst < 10.0


# -- 4 (continued). two users on a real server with --auth FILE ----------------------------


@pytest.fixture(scope="module")
def auth_server(data_dir, tmp_path_factory, knowledge):
    """`interviewer serve --auth FILE` with two users, on a copy of the built index."""
    folder = tmp_path_factory.mktemp("auth-server")
    creds = folder / "credentials"
    creds.write_text("ana:ana-pass-1\nbob:bob-pass-2\n")
    own = folder / "data"
    shutil.copytree(data_dir / "index", own / "index")
    env = cli_env(data_dir)
    env["INTERVIEWER_DATA_DIR"] = str(own)
    port = free_port()
    exe = Path(sys.executable).parent / "interviewer"
    log = open(folder / "serve.log", "w")
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--auth", str(creds)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 300
    while True:
        assert proc.poll() is None, (folder / "serve.log").read_text()
        if time.time() > deadline:
            proc.kill()
            pytest.fail("the server did not come up:\n" + (folder / "serve.log").read_text())
        try:
            if _get(url, timeout=2)[0] in (200, 401):
                break
        except OSError:
            time.sleep(0.5)
    yield SimpleNamespace(url=url, data=own, proc=proc)
    stop_server(proc)
    log.close()


@pytest.mark.slow
def test_a_second_account_cannot_take_over_a_session(auth_server):
    from gradio_client import Client

    ana = Client(auth_server.url, auth=("ana", "ana-pass-1"), verbose=False)
    bob = Client(auth_server.url, auth=("bob", "bob-pass-2"), verbose=False)
    sid, *_ = ana.predict("ml-fundamentals", "general", None, "", api_name="/start")
    ana.predict(sid, STRONG[0], api_name="/answer")
    store = SessionStore(auth_server.data)
    before = store.get(sid)
    assert before["owner"] == "ana"

    chat = bob.predict(sid, api_name="/repeat")
    assert not isinstance(chat, list)  # nothing: no question, no transcript
    answered = bob.predict(sid, "bob writes into ana's interview", api_name="/answer")
    assert all(not isinstance(part, (list, str)) or part == "" for part in answered)
    ended = bob.predict(sid, api_name="/end")
    assert not any(isinstance(part, str) and ("Overall" in part or part.endswith((".md", ".json"))) for part in ended)
    assert not isinstance(bob.predict(sid, "def f(): pass", api_name="/run_tests"), str)
    with pytest.raises(Exception, match="no stored session"):
        bob.predict(sid, api_name="/resume")

    after = store.get(sid)
    assert after["turns"] == before["turns"] and after["status"] == "active"  # untouched, not ended
    assert "bob writes" not in json.dumps(after)
    resumed, chat, *_ = ana.predict(sid, api_name="/resume")
    assert resumed == sid


@pytest.mark.slow
def test_password_guessing_is_rate_limited(auth_server):
    """Last in this module: it locks 127.0.0.1 out of logging in for a minute."""
    codes = []
    started = time.perf_counter()
    for _ in range(60):
        data = urllib.parse.urlencode({"username": "ana", "password": "wrong"}).encode()
        try:
            codes.append(urllib.request.urlopen(auth_server.url + "login", data=data, timeout=10).status)
        except urllib.error.HTTPError as exc:
            codes.append(exc.code)
    seconds = time.perf_counter() - started
    print(f"\n60 wrong passwords in {seconds:.2f} s: {codes.count(400)} checked, {codes.count(429)} refused with 429")
    assert codes.count(400) == 5 and codes.count(429) == 55
