"""Two `interviewer serve` replicas behind nothing but loopback, sharing one real PostgreSQL, one real
`llama_cpp.server` and one real `chroma run`, driven through `gradio_client` as candidates would.

- Per-user isolation across replicas (`--auth` users), and one writer per session: a session
  resumed on replica B refuses the stale copy still open on replica A.
- 16 interviews spread over both replicas; replica A is killed with SIGKILL while it streams a
  reply; its candidates Resume on B and finish. Every transcript holds exactly its own answers,
  once each, and every turn committed before the kill is still there.
- The same 16 interviews on one replica, for comparison. The figures are printed and written to
  test-artifacts/replicas.json.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from interviewer.sessions import SessionStore
from interviewer.ui.views import message_text

from .helpers import ROOT, cli_env, free_port
from .test_backends_server import Server
from .test_postgres import PostgresServer

pytestmark = pytest.mark.slow

USERS = {f"user{n}": f"pw-{n}-{os.getpid()}" for n in range(4)} | {"ana": "ana-pw-x", "bob": "bob-pw-x"}
INTERVIEWS = 16
ANSWERS = 2  # measured answers per interview (a third one is cut by the kill)


class Replica:
    def __init__(self, name: str, env: dict, auth: Path, log: Path):
        self.name, self.log = name, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        exe = Path(sys.executable).parent / "interviewer"
        with open(log, "w") as handle:
            self.proc = subprocess.Popen([str(exe), "serve", "--port", str(self.port), "--auth", str(auth)], env=env,
                                         stdout=handle, stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 600) -> None:
        deadline = time.time() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"replica {self.name} exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(self.url, timeout=2)
                return
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(f"replica {self.name} not up after {timeout}s:\n{self.log.read_text()[-3000:]}") from None
                time.sleep(0.5)

    def client(self, user: str):
        from gradio_client import Client

        return Client(self.url, auth=(user, USERS[user]), verbose=False)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, data_dir, knowledge, settings):
    """PostgreSQL + llama_cpp.server + Chroma server + replicas A and B, all on 127.0.0.1."""
    base = tmp_path_factory.mktemp("replicas")
    started: list = []
    try:
        pg = PostgresServer()
        started.append(pg)
        sessions_url = pg.create_database("interviewer")
        env = cli_env(data_dir)
        port = free_port()
        llm = Server([sys.executable, "-m", "llama_cpp.server", "--model", str(settings.resolved_model_path()), "--host", "127.0.0.1",
                      "--port", str(port), "--n_ctx", "4096", "--n_threads", str(settings.n_threads)],
                     f"http://127.0.0.1:{port}/v1/models", base / "llm.log", env)
        started.append(llm)
        # The Chroma server serves a copy of the index this session already built (its folder is what `chroma run --path` reads).
        shutil.copytree(data_dir / "index" / "chroma", base / "chroma-db")
        chroma_port = free_port()
        chroma = Server([str(Path(sys.executable).parent / "chroma"), "run", "--path", str(base / "chroma-db"), "--host", "127.0.0.1",
                         "--port", str(chroma_port)], f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", base / "chroma.log", env)
        started.append(chroma)
        auth = base / "users.txt"
        auth.write_text("".join(f"{u}:{p}\n" for u, p in USERS.items()))
        replicas = {}
        for name in ("A", "B"):
            data = base / f"data-{name}"  # nothing shared on disk: each replica has its own data directory
            (data / "index").mkdir(parents=True)
            shutil.copy(data_dir / "index" / "manifest.json", data / "index" / "manifest.json")
            renv = dict(env, INTERVIEWER_DATA_DIR=str(data), INTERVIEWER_SESSIONS_URL=sessions_url,
                        INTERVIEWER_LLM_BASE_URL=f"http://127.0.0.1:{port}/v1", INTERVIEWER_LLM_BACKEND="openai-compatible",
                        INTERVIEWER_CHROMA_MODE="http", INTERVIEWER_CHROMA_HOST="127.0.0.1", INTERVIEWER_CHROMA_PORT=str(chroma_port))
            replicas[name] = Replica(name, renv, auth, base / f"serve-{name}.log")
            started.append(replicas[name])
        for replica in replicas.values():
            replica.wait()
        assert "Sessions: postgresql at postgresql://interviewer:***@127.0.0.1" in replicas["A"].log.read_text()
        yield {"A": replicas["A"], "B": replicas["B"], "store": SessionStore(url=sessions_url), "llm": llm, "base": base}
    finally:
        for part in reversed(started):
            part.stop()


def _answers(store: SessionStore, sid: str) -> list[str]:
    data = store.get(sid)
    return [t["text"] for t in data["turns"] if t["role"] == "candidate"] if data else []


def test_users_are_kept_apart_and_a_resumed_session_refuses_its_stale_copy(deployment):
    from gradio_client.exceptions import AppError

    a, b, store = deployment["A"], deployment["B"], deployment["store"]
    ana_a, ana_b, bob_a, bob_b = a.client("ana"), b.client("ana"), a.client("bob"), b.client("bob")
    sid, *_ = ana_a.predict("ml-fundamentals", "general", None, "", api_name="/start")
    ana_a.predict(sid, "Ana's first answer: class weights and PR-AUC.", api_name="/answer")

    with pytest.raises(AppError, match="no stored session"):
        bob_b.predict(sid, api_name="/resume")  # another user's session, on the other replica: not found
    with pytest.raises(AppError, match="no stored session"):
        bob_a.predict(sid, api_name="/resume")
    bob_a.predict(sid, "Bob writes into Ana's session", api_name="/answer")  # the page finds no interview of Bob's by that id
    assert _answers(store, sid) == ["Ana's first answer: class weights and PR-AUC."]
    assert store.get(sid)["owner"] == "ana" and not [r for r in store.list(owner="bob") if r["id"] == sid]

    resumed, chat, _, notice, *_ = ana_b.predict(sid, api_name="/resume")  # the same candidate, now on replica B
    assert resumed == sid and "Resumed session" in notice
    assert any("Ana&#x27;s first answer" in message_text(m) or "Ana's first answer" in message_text(m) for m in chat)
    ana_b.predict(sid, "Ana's second answer, on replica B.", api_name="/answer")
    with pytest.raises(AppError, match="resumed elsewhere"):
        ana_a.predict(sid, "Typed into the stale tab on replica A.", api_name="/answer")
    assert _answers(store, sid) == ["Ana's first answer: class weights and PR-AUC.", "Ana's second answer, on replica B."]

    _, chat, *_ = ana_a.predict(sid, api_name="/resume")  # back on A: rebuilt from the store, not the stale copy
    assert any("second answer, on replica B" in message_text(m) for m in chat)
    ana_a.predict(sid, "Ana's third answer, back on A.", api_name="/answer")
    with pytest.raises(AppError, match="resumed elsewhere"):
        ana_b.predict(sid, "Typed into B, which lost the session to A.", api_name="/answer")
    assert _answers(store, sid) == ["Ana's first answer: class weights and PR-AUC.", "Ana's second answer, on replica B.", "Ana's third answer, back on A."]
    seqs = store._read("SELECT seq FROM turns WHERE session_id = :id ORDER BY seq", {"id": sid})
    assert [s for (s,) in seqs] == list(range(len(seqs)))  # one turn per number, no gap


def _answer_text(n: int, k: int) -> str:
    return f"Candidate {n} answer {k}: I would weight the rare class, watch PR-AUC and recall at a fixed precision, about {n}{k} percent."


def _timed_answer(client, sid: str, text: str, on_first=None) -> float:
    """Send one answer; seconds to the first streamed word of the reply."""
    job = client.submit(sid, text, api_name="/answer")
    start = time.perf_counter()
    first = None
    for update in job:  # streamed chat snapshots: the first whose last message is the interviewer's is the first word
        if first is None and len(update[0]) >= 2 and update[0][-1]["role"] == "assistant" and message_text(update[0][-1]).strip():
            first = time.perf_counter() - start
            if on_first:
                on_first()
    job.result()
    return first if first is not None else time.perf_counter() - start


def _until_killed(work, killed: threading.Event, grace: float = 5.0) -> bool:
    """Run `work` unless the replica it talks to is killed: True when it finished. A request whose
    server died can leave gradio_client waiting for ever, so it is abandoned `grace` s after the kill."""
    outcome: dict = {}

    def run():
        try:
            work()
            outcome["done"] = True
        except Exception as exc:  # the replica died under this request
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = None
    while thread.is_alive():
        thread.join(0.5)
        if killed.is_set():
            deadline = deadline or time.monotonic() + grace
            if time.monotonic() > deadline:
                break
    return bool(outcome.get("done"))


def _run(replicas: list, n0: int) -> dict:
    """INTERVIEWS interviews of ANSWERS answers each, spread round-robin over `replicas`, all at once."""
    def candidate(n: int) -> dict:
        replica = replicas[n % len(replicas)]
        client = replica.client(f"user{n % 4}")
        sid, *_ = client.predict("ml-fundamentals", "general", None, "", api_name="/start")
        latencies = [_timed_answer(client, sid, _answer_text(n, k)) for k in range(ANSWERS)]
        return {"n": n, "sid": sid, "replica": replica.name, "client": client, "user": f"user{n % 4}", "latencies": latencies}

    started = time.perf_counter()
    with ThreadPoolExecutor(INTERVIEWS) as pool:
        results = list(pool.map(candidate, range(n0, n0 + INTERVIEWS)))
    elapsed = time.perf_counter() - started
    ttft = sorted(x for r in results for x in r["latencies"])
    return {"results": results, "seconds": round(elapsed, 1), "answers": INTERVIEWS * ANSWERS,
            "answers_per_s": round(INTERVIEWS * ANSWERS / elapsed, 3),
            "ttft_ms_p50": round(statistics.median(ttft) * 1000), "ttft_ms_p95": round(ttft[max(0, int(round(0.95 * len(ttft))) - 1)] * 1000)}


def test_sixteen_interviews_on_two_replicas_survive_a_sigkill_with_nothing_lost(deployment):
    a, b, store = deployment["A"], deployment["B"], deployment["store"]
    two = _run([a, b], 0)
    results = two["results"]
    assert {r["replica"] for r in results} == {"A", "B"}
    expected = {r["sid"]: [_answer_text(r["n"], k) for k in range(ANSWERS)] for r in results}
    assert all(_answers(store, sid) == want for sid, want in expected.items())

    # A third answer from everyone; A is killed as soon as one of its replies is streaming.
    streaming, killed = threading.Event(), threading.Event()
    before: dict[str, list] = {}

    def kill_when_streaming():
        streaming.wait(timeout=300)
        for sid in expected:  # what is committed right before the kill (it can only grow until A is gone)
            before[sid] = [(t["role"], t["text"]) for t in store.get(sid)["turns"]]
        a.kill()
        killed.set()

    killer = threading.Thread(target=kill_when_streaming)
    killer.start()

    def third(r: dict) -> dict:
        text = _answer_text(r["n"], ANSWERS)
        expected[r["sid"]].append(text)
        if r["replica"] == "B":
            _timed_answer(r["client"], r["sid"], text)
            return {**r, "interrupted": False}
        interrupted = not _until_killed(lambda: _timed_answer(r["client"], r["sid"], text, on_first=streaming.set), killed)
        killed.wait(timeout=600)
        client = b.client(r["user"])  # the candidate presses Resume on the other replica
        resumed, chat, _, notice, *_ = client.predict(r["sid"], api_name="/resume")
        assert resumed == r["sid"] and "Resumed session" in notice
        if text not in _answers(store, r["sid"]):  # not committed before the kill: the candidate sends it again
            _timed_answer(client, r["sid"], text)
        client.predict(r["sid"], api_name="/end")
        return {**r, "client": client, "interrupted": interrupted}

    phase = time.perf_counter()
    with ThreadPoolExecutor(INTERVIEWS) as pool:
        after_kill = list(pool.map(third, results))
    recovery_s = round(time.perf_counter() - phase, 1)
    killer.join(timeout=60)
    assert killed.is_set() and a.proc.returncode == -signal.SIGKILL

    lost = duplicates = 0
    for r in after_kill:
        final = store.get(r["sid"])
        turns = [(t["role"], t["text"]) for t in final["turns"]]
        lost += sum(1 for i, turn in enumerate(before[r["sid"]]) if i >= len(turns) or turns[i] != turn)
        answers = [text for role, text in turns if role == "candidate"]
        duplicates += len(answers) - len(set(answers))
        assert answers == expected[r["sid"]], (r["sid"], answers)  # exactly its own answers, once each, in order
        assert all(a_.startswith(f"Candidate {r['n']} answer") for a_ in answers)
        if r["replica"] == "A":
            assert final["status"] == "finished" and final["scorecard"]
    assert lost == 0 and duplicates == 0

    one = _run([b], 100)  # the same load on one replica
    for r in one["results"]:
        assert _answers(store, r["sid"]) == [_answer_text(r["n"], k) for k in range(ANSWERS)]

    figures = {
        "interviews": INTERVIEWS, "answers_per_interview": ANSWERS,
        "two_replicas": {k: v for k, v in two.items() if k != "results"},
        "one_replica": {k: v for k, v in one.items() if k != "results"},
        "kill": {"replica_killed": "A", "interviews_on_killed_replica": sum(r["replica"] == "A" for r in after_kill),
                 "requests_cut_by_the_kill": sum(r["interrupted"] for r in after_kill),
                 "turns_committed_before_kill": sum(len(v) for v in before.values()), "turns_lost": lost, "duplicates": duplicates,
                 "third_answer_kill_resume_and_end_s": recovery_s},
        "llm_requests": deployment["llm"].requests("/v1/chat/completions"),
        "llm_server": "llama_cpp.server (one model, one request at a time)", "sessions": "PostgreSQL", "index": "chroma run",
        "machine": f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
    }
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "replicas.json").write_text(json.dumps(figures, indent=2) + "\n")
    print("\nreplicas: " + json.dumps(figures))
