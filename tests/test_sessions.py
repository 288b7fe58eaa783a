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

from .helpers import cli_env, run_cli
from .scripted import QUESTIONS, STRONG, VAGUE


@pytest.fixture()
def app(tmp_path, settings, knowledge, real_llm):
    """An App on a private data dir that reuses the session's index and model (no rebuild)."""
    return App(settings.model_copy(update={"data_dir": tmp_path}), knowledge=knowledge, llm=real_llm)


@pytest.mark.slow
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


@pytest.mark.slow
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
    # The resumed copy is now the session's writer: the original one (a replica that lost the
    # candidate to another) is refused, and nothing it says is stored.
    from interviewer.sessions import SessionConflict

    with pytest.raises(SessionConflict, match="resumed elsewhere"):
        list(original.answer("an answer typed into the stale copy"))
    card = resumed.finish()
    stored = SessionStore(app.settings.data_dir).get(original.transcript.session_id)
    assert stored["scorecard"]["overall"] == card["overall"]
    assert [t["text"] for t in stored["turns"] if t["role"] == "candidate"] == [STRONG[0], VAGUE[1], STRONG[1]]
    assert [t["text"] for t in stored["turns"]] == [t.text for t in resumed.transcript.turns]


@pytest.mark.slow
def test_unknown_session_and_recent_questions_avoided(app):
    with pytest.raises(SessionStoreError, match="no stored session"):
        resume_session(app, "does-not-exist")
    first = open_session(app, InterviewConfig(round="genai"))
    list(first.start())  # a session is stored with its first turn
    second = open_session(app, InterviewConfig(round="genai"))
    assert not set(first.transcript.plan) & set(second.transcript.plan)


def test_full_disk_fails_cleanly_without_half_written_session(tmp_path):
    store = SessionStore(tmp_path, max_pages=16)  # room for the schema, not for 200 turns
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


@pytest.mark.slow
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


@pytest.mark.slow
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


# -- issue 16: owners, damaged stores, exports, answers files -------------------------------


def test_sessions_have_owners_and_old_stores_are_migrated(tmp_path):
    import sqlite3

    old = tmp_path / "old"
    old.mkdir()
    db = sqlite3.connect(str(old / "sessions.db"))
    db.executescript("""CREATE TABLE sessions (id TEXT PRIMARY KEY, created_at REAL NOT NULL, updated_at REAL NOT NULL, round TEXT NOT NULL,
        track TEXT NOT NULL, model TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'active', config TEXT NOT NULL, plan TEXT NOT NULL, scorecard TEXT);
        INSERT INTO sessions VALUES ('before', 1, 1, 'genai', 'general', 'm', 'active', '{}', '["q1"]', NULL);""")
    db.commit()
    db.close()
    store = SessionStore(old)
    assert store.get("before")["owner"] == "local"  # sessions from before owners belong to the local user
    store.create("anas", "genai", "general", "m", {}, ["q2"], owner="ana", first_turn=(0, {"text": "hello"}))
    assert [r["id"] for r in store.list(owner="ana")] == ["anas"] and {r["id"] for r in store.list()} == {"before", "anas"}
    assert store.get("anas", owner="bob") is None and store.get("anas", owner="ana")["turns"] == [{"text": "hello"}]
    assert set(store.question_recency("ana")) == {"q2"} and not store.delete("anas", owner="bob")


def test_a_corrupt_store_is_called_damaged_not_full(tmp_path, data_dir):
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "sessions.db").write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(SessionStoreError, match="damaged") as caught:
        SessionStore(garbage)
    assert "free space" not in str(caught.value) and "mv " in str(caught.value)
    out = run_cli(["--data-dir", str(garbage), "sessions", "list"], data_dir)
    assert out.returncode == 1 and "damaged" in out.stderr and "Traceback" not in out.stderr

    malformed = tmp_path / "malformed"  # a valid header, broken pages: found when listing
    store = SessionStore(malformed)
    for n in range(40):
        store.create(f"s{n}", "genai", "general", "m", {}, ["q"], first_turn=(0, {"text": "x" * 3000}))
    store.close()
    import sqlite3

    checkpoint = sqlite3.connect(str(malformed / "sessions.db"))  # fold the WAL into the file before damaging it
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    raw = bytearray((malformed / "sessions.db").read_bytes())
    raw[4096 * 2: 4096 * 6] = b"\xff" * (4096 * 4)
    (malformed / "sessions.db").write_bytes(bytes(raw))
    out = run_cli(["--data-dir", str(malformed), "sessions", "list"], data_dir)
    assert out.returncode == 1 and "Traceback" not in out.stderr and "damaged" in out.stderr, out.stderr[-800:]


def test_export_to_a_missing_folder_and_inert_markdown(tmp_path, data_dir):
    own = tmp_path / "data"
    store = SessionStore(own)
    evil = "<script>alert(1)</script> and ![x](http://203.0.113.9/track.png)"
    store.create("evil0session", "genai", "general", "m", {}, [], first_turn=(0, {"role": "candidate", "kind": "answer", "text": evil}))
    out = run_cli(["--data-dir", str(own), "sessions", "export", "evil0session", "--format", "md", "-o", str(tmp_path / "missing" / "x.md")], data_dir)
    assert out.returncode == 1 and "does not exist" in out.stderr and "Traceback" not in out.stderr
    target = tmp_path / "x.md"
    assert run_cli(["--data-dir", str(own), "sessions", "export", "evil0session", "--format", "md", "-o", str(target)], data_dir).returncode == 0
    for text in (target.read_text(encoding="utf-8"), run_cli(["--data-dir", str(own), "sessions", "show", "evil0session"], data_dir).stdout):
        assert "<script" not in text and "![" not in text
        assert "&lt;script>alert(1)&lt;/script> and !\\[x](http://203.0.113.9/track.png)" in text  # every character still readable


def test_answers_files_must_be_utf8(tmp_path, capsys):
    from interviewer.cli import _read_answers

    good = tmp_path / "good.txt"
    good.write_bytes("\ufeffCaf\u00e9 au lait\r\n---\r\nna\u00efve".encode("utf-8"))
    assert _read_answers(good) == ["Caf\u00e9 au lait", "na\u00efve"]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"first answer\n---\ncaf\xe9 cr\xe8me\n")
    with pytest.raises(SystemExit):
        _read_answers(bad)
    err = capsys.readouterr().err
    assert "not UTF-8" in err and "line 3" in err and "0xe9" in err
