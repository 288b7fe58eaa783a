"""Stored sessions: committed turn by turn, resumed after kill -9 with nothing lost, managed from the CLI."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from interviewer.app import App
from interviewer.interview import InterviewConfig
from interviewer.sessions import SessionStore, SessionStoreError, open_session, resume_session

from .conftest import cli_env, run_cli
from .scripted import QUESTIONS, STRONG, VAGUE


@pytest.fixture()
def app(tmp_path, settings, knowledge, real_llm):
    """An App on a private data dir that reuses the session's index and model (no rebuild)."""
    application = App(settings.model_copy(update={"data_dir": tmp_path}))
    application.__dict__["knowledge"] = knowledge
    application.__dict__["llm"] = real_llm
    return application


def test_every_turn_is_committed_before_the_next_message(app):
    interview = open_session(app, InterviewConfig(question_ids=QUESTIONS))
    sid = interview.transcript.session_id
    list(interview.start())
    events = interview.answer(VAGUE[0])
    next(events)  # the candidate turn event: it is on disk already
    stored = SessionStore(app.settings.data_dir).get(sid)
    assert stored["turns"][-1]["role"] == "candidate" and stored["turns"][-1]["text"] == VAGUE[0]
    for event in events:
        if type(event).__name__ == "TokenEvent":  # the reply is on disk before its first token shows
            assert SessionStore(app.settings.data_dir).get(sid)["turns"][-1]["role"] == "interviewer"
            break
    list(events)


def test_resume_restores_state_exactly(app):
    original = open_session(app, InterviewConfig(question_ids=QUESTIONS))
    list(original.start())
    for text in (STRONG[0], VAGUE[1]):
        list(original.answer(text))
    resumed, fresh = resume_session(app, original.transcript.session_id)
    assert fresh == []
    assert [t.as_json() for t in resumed.transcript.turns] == [t.as_json() for t in original.transcript.turns]
    assert (resumed.index, resumed.depth, resumed.asked) == (original.index, original.depth, original.asked)
    list(resumed.answer(STRONG[1]))
    list(original.answer(STRONG[1]))
    assert resumed.transcript.turns[-1].text == original.transcript.turns[-1].text
    card = resumed.finish()
    assert SessionStore(app.settings.data_dir).get(original.transcript.session_id)["scorecard"]["overall"] == card["overall"]


def test_unknown_session_and_recent_questions_avoided(app):
    with pytest.raises(SessionStoreError, match="no stored session"):
        resume_session(app, "does-not-exist")
    first = open_session(app, InterviewConfig(round="genai"))
    second = open_session(app, InterviewConfig(round="genai"))
    assert not set(first.transcript.plan) & set(second.transcript.plan)


def test_full_disk_fails_cleanly_without_half_written_session(tmp_path):
    store = SessionStore(tmp_path, max_pages=8)
    store.create("s1", "genai", "general", "m", {}, [])
    with pytest.raises(SessionStoreError, match="nothing was half-written"):
        for i in range(200):
            store.put_turn("s1", i, {"text": "x" * 4000})
    kept = store.get("s1")["turns"]
    assert all(t == {"text": "x" * 4000} for t in kept)  # whole turns only


def test_unwritable_data_dir_is_a_clear_error(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    with pytest.raises(SessionStoreError, match="cannot open the session store"):
        SessionStore(blocker / "data")


def _read_until(proc, marker: str, timeout: float = 300) -> str:
    seen = ""
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen += line
        if marker in line:
            return seen
    raise AssertionError(f"never saw {marker!r} in: {seen[-2000:]}")


def test_kill_9_mid_interview_then_continue(data_dir, tmp_path):
    own = tmp_path / "data"
    env = cli_env(data_dir)
    env["INTERVIEWER_DATA_DIR"] = str(own)
    shutil_index = data_dir / "index"
    if shutil_index.exists():  # reuse the built index instead of building another
        import shutil

        shutil.copytree(shutil_index, own / "index")
    exe = Path(sys.executable).parent / "interviewer"
    args = [str(exe), "chat"] + [a for q in QUESTIONS for a in ("--question", q)]
    proc = subprocess.Popen(args, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    head = _read_until(proc, "interviewer chat --continue")
    sid = head.split("--continue ")[1].split(")")[0].strip()
    _read_until(proc, "?")  # the first question
    for text in (STRONG[0], VAGUE[1]):
        proc.stdin.write(text + "\n")
        proc.stdin.flush()
        _read_until(proc, "interviewer>")
    time.sleep(1.0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    store = SessionStore(own)
    before = store.get(sid)["turns"]
    assert [t["role"] for t in before].count("candidate") == 2
    answers = tmp_path / "rest.txt"
    answers.write_text(STRONG[1])
    out = subprocess.run([str(exe), "chat", "--continue", sid, "--answers", str(answers), "--json"], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    transcript = json.loads(out.stdout)
    after = transcript["turns"]
    assert after[: len(before)] == before  # every committed turn intact, timings included
    assert [t["text"] for t in after if t["role"] == "candidate"] == [STRONG[0], VAGUE[1], STRONG[1]]
    assert transcript["scorecard"] and store.get(sid)["status"] == "finished"


def test_sessions_commands(app, data_dir):
    interview = open_session(app, InterviewConfig(question_ids=QUESTIONS[:1]))
    list(interview.start())
    list(interview.answer(STRONG[0]))
    interview.finish()
    sid = interview.transcript.session_id
    own = app.settings.data_dir
    listed = json.loads(run_cli(["--data-dir", str(own), "sessions", "list", "--json"], data_dir).stdout)
    assert [r["id"] for r in listed] == [sid] and listed[0]["status"] == "finished" and listed[0]["overall"] is not None
    md = run_cli(["--data-dir", str(own), "sessions", "export", sid, "--format", "md"], data_dir).stdout
    assert STRONG[0] in md and "Scorecard" in md
    exported = json.loads(run_cli(["--data-dir", str(own), "sessions", "export", sid, "--format", "json"], data_dir).stdout)
    assert exported["session_id"] == sid and exported["turns"][-1]["kind"] == "closing"
    assert "Technical Depth" in run_cli(["--data-dir", str(own), "sessions", "show", sid], data_dir).stdout
    assert run_cli(["--data-dir", str(own), "sessions", "delete", sid], data_dir).returncode == 0
    assert run_cli(["--data-dir", str(own), "sessions", "delete", sid], data_dir).returncode == 1
    assert "deleted 0" in run_cli(["--data-dir", str(own), "sessions", "wipe", "--yes"], data_dir).stdout
