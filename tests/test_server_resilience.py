"""The web server survives kill -9 with nothing lost, serves concurrent candidates on one model
in isolation, and says so clearly when its port is taken."""

import os
import shutil
import signal
import statistics
import threading
import time

import pytest

from interviewer.ui.views import message_text

from .helpers import cli_env, run_cli, start_server, stop_server
from .scripted import STRONG, VAGUE

pytestmark = pytest.mark.slow  # real `interviewer serve` processes with the default model


@pytest.fixture()
def own_env(data_dir, tmp_path, knowledge):
    """A private data dir holding a copy of the built index (no rebuild), for a server we may kill."""
    env = cli_env(data_dir)
    own = tmp_path / "data"
    shutil.copytree(data_dir / "index", own / "index")
    env["INTERVIEWER_DATA_DIR"] = str(own)
    return env, own


def test_sigkill_mid_interview_then_resume_with_every_turn_intact(own_env, tmp_path):
    from gradio_client import Client

    from interviewer.sessions import SessionStore

    env, own = own_env
    proc, url = start_server(env, tmp_path / "serve1.log")
    client = Client(url, verbose=False)
    session, *_ = client.predict("ml-fundamentals", "general", None, "", api_name="/start")
    for text in (STRONG[0], VAGUE[1]):
        client.predict(session, text, api_name="/answer")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    committed = SessionStore(own).get(session)["turns"]
    assert [t["text"] for t in committed if t["role"] == "candidate"] == [STRONG[0], VAGUE[1]]

    proc, url = start_server(env, tmp_path / "serve2.log")
    try:
        client = Client(url, verbose=False)
        resumed, chat, progress, notice, *_ = client.predict(session, api_name="/resume")
        assert resumed == session and "Resumed session" in notice
        shown = [message_text(m) for m in chat]
        for turn in committed:  # every committed turn is back, in order
            assert any(turn["text"][:60].replace("<", "&lt;") in m for m in shown)
        after = SessionStore(own).get(session)["turns"]
        assert after[: len(committed)] == committed
        chat, *_ = client.predict(session, STRONG[1], api_name="/answer")
        assert message_text(chat[-1])
        assert [t["text"] for t in SessionStore(own).get(session)["turns"] if t["role"] == "candidate"] == [STRONG[0], VAGUE[1], STRONG[1]]
    finally:
        stop_server(proc)


def test_eight_concurrent_interviews_share_one_model_in_isolation(own_env, tmp_path):
    """Bounded load on loopback: 8 candidates x 5 answers through gradio_client against one server."""
    from gradio_client import Client

    from interviewer.sessions import SessionStore

    env, own = own_env
    proc, url = start_server(env, tmp_path / "serve.log")
    results: dict[int, dict] = {}
    errors: list[BaseException] = []

    def candidate(n: int) -> None:
        try:
            client = Client(url, verbose=False)
            session, *_ = client.predict("ml-fundamentals", "general", None, "", api_name="/start")
            latencies = []
            for k in range(5):
                text = f"Candidate {n} answer {k}: I would use class weights and check the PR-AUC because the data is imbalanced, about {n}{k} percent."
                job = client.submit(session, text, api_name="/answer")
                start = time.perf_counter()
                first = None
                for _update in job:  # streamed updates: the first one after the candidate's own message is the first token
                    if first is None and len(_update[0]) >= 2 and _update[0][-1]["role"] == "assistant":
                        first = time.perf_counter() - start
                job.result()
                latencies.append(first if first is not None else time.perf_counter() - start)
            results[n] = {"session": session, "latencies": latencies}
        except BaseException as exc:  # reported below; a thread must not die silently
            errors.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=candidate, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=1200)
    elapsed = time.perf_counter() - started
    stop_server(proc)
    assert not errors, errors
    assert len(results) == 8
    store = SessionStore(own)
    for n, result in results.items():
        answers = [t["text"] for t in store.get(result["session"])["turns"] if t["role"] == "candidate"]
        assert len(answers) == 5 and all(a.startswith(f"Candidate {n} answer") for a in answers)  # only its own
    ttft = sorted(x for r in results.values() for x in r["latencies"])
    p95 = ttft[max(0, int(round(0.95 * len(ttft))) - 1)]
    print(f"\nload: 8 interviews x 5 answers in {elapsed:.1f} s = {40 / elapsed:.2f} answers/s; "
          f"time to first token p50 {statistics.median(ttft) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")


def test_second_serve_on_a_busy_port_is_a_clear_error(data_dir, web_server):
    port = web_server.rstrip("/").rsplit(":", 1)[1]
    out = run_cli(["serve", "--port", port], data_dir, timeout=120)
    assert out.returncode == 1 and f"port {port}" in out.stderr and "already in use" in out.stderr


def test_progress_shows_the_queue_while_waiting_for_the_model(knowledge, settings):
    from interviewer.interview import Interview, InterviewConfig
    from interviewer.llm import FakeLLM
    from interviewer.ui.live import Live

    class Busy(FakeLLM):
        queue_length = 2

    live = Live(Interview(InterviewConfig(question_ids=["mlf-l1-vs-l2"]), knowledge, Busy(), settings.prompts_dir))
    list(live.stream(live.interview.start()))
    assert "your turn" in live.progress()
    live.speaking = True
    assert "waiting for the model: 2 other interview(s) in the queue" in live.progress()
