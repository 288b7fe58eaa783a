"""The session store on a real PostgreSQL server (Debian's `postgresql` package), started here with
`initdb` + `pg_ctl` in a temporary directory on a loopback port, and the same contract on SQLite.

Migrations run on opening and are checked on both backends; two store objects stand for two
replicas: one writer per session, enforced by the database, and owners kept apart.
"""

from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from interviewer.sessions import SessionConflict, SessionStore, SessionStoreError, migrations

from .helpers import free_port, run_cli

pytestmark = pytest.mark.slow  # a real PostgreSQL server per module


def _pg_bin(name: str) -> str:
    """Debian keeps the server programs in /usr/lib/postgresql/N/bin, off PATH: the newest N."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise RuntimeError(f"{name} not found: install Debian's postgresql package (the README's test command does)")
    return path


class PostgresServer:
    """A throwaway PostgreSQL cluster: password login on 127.0.0.1 only, its socket in its own folder.

    initdb refuses to run as root, so as root the cluster belongs to the `postgres` system user
    (created by the Debian package) and its programs run through runuser."""

    user = "interviewer"

    def __init__(self):
        self.password = secrets.token_urlsafe(12)
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="interviewer-pg-"))  # in /tmp: reachable by the postgres user
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        pwfile = self.dir / "pw"
        pwfile.write_text(self.password + "\n")
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            import pwd

            pg = pwd.getpwnam("postgres")
            os.chown(self.dir, pg.pw_uid, pg.pw_gid)
            os.chown(pwfile, pg.pw_uid, pg.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run([_pg_bin("initdb"), "-D", str(self.data), "-U", self.user, "--pwfile", str(pwfile), "--auth", "scram-sha-256",
                   "-E", "UTF8", "--no-locale", "--no-sync"])
        pwfile.unlink()
        # listen on loopback only; no Unix socket in /var/run (ours is in self.dir); small, fast, nothing fsynced (a test cluster)
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c full_page_writes=off -c max_connections=80"
        self._run([_pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "60", "start"])

    def _run(self, args: list[str]) -> None:
        out = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed ({out.returncode}): {out.stderr[-2000:]}{log}")

    def url(self, database: str = "postgres", password: str | None = None) -> str:
        return f"postgresql://{self.user}:{password or self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A fresh database; its URL."""
        import psycopg

        name = name or f"t_{secrets.token_hex(4)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} password={self.password} dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run([_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The URL of an empty store on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'sessions.db'}"
    return request.getfixturevalue("postgres").create_database()


def _tables(store: SessionStore) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(store.engine).get_table_names())


# -- migrations -------------------------------------------------------------------------------


def test_migrations_run_on_opening_and_only_once(store_url):
    store = SessionStore(url=store_url)
    assert store.migrated == [v for v, _, _ in migrations.MIGRATIONS] and store.version == migrations.LATEST
    assert {"sessions", "turns", "model_outputs", "schema_migrations"} <= _tables(store)
    store.create("s1", "genai", "general", "m", {"round": "genai"}, ["q1"], owner="ana", first_turn=(0, {"text": "hi"}))
    store.close()
    again = SessionStore(url=store_url)
    assert again.migrated == [] and again.get("s1")["turns"] == [{"text": "hi"}]  # nothing re-run, nothing lost
    rows = again._read("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [r[0] for r in rows] == [1, 2] and all(r[1] for r in rows)


def test_replicas_that_start_together_migrate_once(postgres):
    url = postgres.create_database()
    stores, errors = [], []

    def open_one():
        try:
            stores.append(SessionStore(url=url))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(len(s.migrated) for s in stores) == [0, 0, 0, 0, 0, 2]  # one ran both steps, the rest found them done
    assert stores[0]._read("SELECT COUNT(*) FROM schema_migrations")[0][0] == migrations.LATEST


def test_a_store_from_a_newer_interviewer_is_refused(store_url):
    store = SessionStore(url=store_url)
    store._tx(lambda conn: conn.exec_driver_sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)"))
    store.close()
    with pytest.raises(SessionStoreError, match="schema version 99, newer than this interviewer knows"):
        SessionStore(url=store_url)


def test_a_sqlite_store_from_before_versions_is_migrated_in_place(tmp_path):
    import sqlite3

    db = sqlite3.connect(str(tmp_path / "sessions.db"))  # the release before owners and versions
    db.executescript("""CREATE TABLE sessions (id TEXT PRIMARY KEY, created_at REAL NOT NULL, updated_at REAL NOT NULL, round TEXT NOT NULL,
        track TEXT NOT NULL, model TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'active', config TEXT NOT NULL, plan TEXT NOT NULL, scorecard TEXT);
        CREATE TABLE turns (session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, seq INTEGER NOT NULL, turn TEXT NOT NULL, PRIMARY KEY (session_id, seq));
        CREATE TABLE model_outputs (session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, seq INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (session_id, seq));
        INSERT INTO sessions VALUES ('old', 1, 1, 'genai', 'general', 'm', 'active', '{}', '["q1"]', NULL);
        INSERT INTO turns VALUES ('old', 0, '{"text": "kept"}');""")
    db.commit()
    db.close()
    store = SessionStore(tmp_path)
    assert store.migrated == [1, 2] and store.version == migrations.LATEST
    old = store.get("old")
    assert old["owner"] == "local" and old["turns"] == [{"text": "kept"}]
    token = store.claim("old")  # the new columns work on the old rows
    store.put_turn("old", 1, {"text": "added"}, writer=token)
    assert [t["text"] for t in store.get("old")["turns"]] == ["kept", "added"]


# -- the store's contract, on both backends -----------------------------------------------------


def test_the_same_contract_on_both_backends(store_url):
    store = SessionStore(url=store_url)
    store.create("a1", "genai", "general", "m", {"round": "genai"}, ["q1", "q2"], owner="ana", first_turn=(0, {"text": "Q?"}),
                 model_outputs=["raw 0"], writer="wa")
    store.put_turn("a1", 1, {"text": "my answer"}, writer="wa")
    store.put_turn("a1", 1, {"text": "my answer", "total_ms": 5}, writer="wa")  # timings arrive later: the same turn updated
    store.add_model_output("a1", 1, "raw 1", writer="wa")
    time.sleep(0.01)
    store.create("b1", "coding", "general", "m", {}, ["q3"], owner="bob", first_turn=(0, {"text": "code?"}), writer="wb")
    assert [r["id"] for r in store.list()] == ["b1", "a1"] and [r["id"] for r in store.list(owner="ana")] == ["a1"]
    got = store.get("a1", owner="ana")
    assert got["turns"] == [{"text": "Q?"}, {"text": "my answer", "total_ms": 5}] and got["model_outputs"] == ["raw 0", "raw 1"]
    assert store.get("a1", owner="bob") is None and store.get("nope") is None
    assert set(store.question_recency("ana")) == {"q1", "q2"} and set(store.question_recency("bob")) == {"q3"}
    store.finish("a1", {"overall": 3.1, "criteria": [{"id": "technical-depth", "score": 3}]}, writer="wa")
    row = store.list(owner="ana")[0]
    assert row["status"] == "finished" and row["overall"] == 3.1 and row["scores"] == {"technical-depth": 3} and row["turns"] == 2
    assert not store.delete("a1", owner="bob") and store.get("a1")
    assert store.wipe(owner="bob") == 1 and [r["id"] for r in store.list()] == ["a1"]
    assert store.delete("a1", owner="ana") and store.list() == []
    assert store._read("SELECT COUNT(*) FROM turns")[0][0] == 0  # turns go with their session


def test_one_writer_per_session_a_resumed_session_refuses_the_old_copy(store_url):
    replica_a, replica_b = SessionStore(url=store_url), SessionStore(url=store_url)
    replica_a.create("s", "genai", "general", "m", {}, ["q1"], owner="ana", first_turn=(0, {"text": "Q?"}), writer="A")
    replica_a.put_turn("s", 1, {"text": "answer 1"}, writer="A")
    assert replica_b.claim("s", owner="bob") is None  # not bob's: nothing claimed
    token = replica_b.claim("s", owner="ana")
    assert token and replica_b.writer_of("s") == token
    with pytest.raises(SessionConflict, match="resumed elsewhere"):
        replica_a.put_turn("s", 2, {"text": "stale copy's answer"}, writer="A")
    with pytest.raises(SessionConflict):
        replica_a.add_model_output("s", 1, "stale output", writer="A")
    with pytest.raises(SessionConflict):
        replica_a.finish("s", {"overall": 1}, writer="A")
    with pytest.raises(SessionConflict, match="already saved by another"):
        replica_b.put_turn("s", 1, {"text": "rewrite of A's turn"}, writer=token)  # a turn is only updated by its own writer
    replica_b.put_turn("s", 2, {"text": "answer 2"}, writer=token)
    assert [t["text"] for t in replica_a.get("s")["turns"]] == ["Q?", "answer 1", "answer 2"]
    assert replica_a.get("s")["status"] == "active"


def test_racing_replicas_never_lose_or_duplicate_a_turn(postgres):
    """Two replicas write the same session as fast as they can while it is resumed back and forth:
    every turn number is written once, by whoever was the writer at that moment."""
    url = postgres.create_database()
    stores = [SessionStore(url=url) for _ in range(2)]
    stores[0].create("race", "genai", "general", "m", {}, [], first_turn=(0, {"text": "Q", "by": "start"}), writer="w0")
    tokens = ["w0", None]
    accepted: list[tuple[int, int]] = []  # (seq, replica) the store said yes to
    stop = time.monotonic() + 4

    def replica(n: int) -> None:
        while time.monotonic() < stop:
            if tokens[n] is None or (n == 1 and len(accepted) % 7 == 3):
                tokens[n] = stores[n].claim("race")  # this replica resumes the session: the other is fenced
            seq = len(stores[n].get("race")["turns"])
            try:
                stores[n].put_turn("race", seq, {"text": f"turn {seq}", "by": n}, writer=tokens[n])
                accepted.append((seq, n))
            except SessionConflict:
                tokens[n] = None  # lost it; claim again

    threads = [threading.Thread(target=replica, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    turns = stores[0].get("race")["turns"]
    seqs = [seq for seq, _ in accepted]
    assert len(seqs) == len(set(seqs)), "a turn number was accepted twice"
    assert [t["text"] for t in turns[1:]] == [f"turn {s}" for s in range(1, len(turns))]  # no gap, nothing overwritten
    assert {s: n for s, n in accepted} == {s: t["by"] for s, t in enumerate(turns) if s > 0}
    assert {n for _, n in accepted} == {0, 1} and len(turns) > 10


# -- what people see when the URL is wrong ----------------------------------------------------


def _cli(args: list[str]):
    """The CLI in this process (no start-up cost); exit code and what it printed."""
    from click.testing import CliRunner

    from interviewer.cli import main

    result = CliRunner().invoke(main, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback the user would have seen
    return result


def test_bad_sessions_urls_are_explained_without_a_traceback(postgres, tmp_path, monkeypatch):
    cases = [
        (f"postgresql://interviewer:secret-pw@127.0.0.1:{free_port()}/x", "cannot reach the session store at postgresql://interviewer:***@127.0.0.1"),
        (postgres.url("postgres", password="wrong-secret"), "refused the login"),
        (postgres.url("no_such_db"), "does not exist"),
        ("mysql://u:p@127.0.0.1/db", "start with sqlite:// or postgresql://"),
        ("postgresql://u:p@203.0.113.9/db", "not on this machine or a private network"),
        ("not a url at all", "is not a URL"),
    ]
    for url, expected in cases:
        with pytest.raises(SessionStoreError, match=expected.replace("*", r"\*").replace(".", r"\.")) as caught:
            SessionStore(url=url)
        assert "secret" not in str(caught.value)
        for args in (["--sessions-url", url, "sessions", "list"], ["serve", "--sessions-url", url, "--port", str(free_port())]):
            result = _cli(args)
            assert result.exit_code == 1 and expected.split(" at ")[0] in result.output, (args, result.output[-1500:])
            assert "secret" not in result.output
    # and as a real process, through the environment variable: one message, no traceback
    monkeypatch.setenv("INTERVIEWER_SESSIONS_URL", cases[0][0])
    out = run_cli(["sessions", "list"], tmp_path, timeout=120)
    assert out.returncode == 1 and "cannot reach the session store" in out.stderr and "is PostgreSQL running there?" in out.stderr
    assert "Traceback" not in out.stderr and "secret" not in out.stderr


def test_sessions_cli_on_postgres_per_user_and_csv(postgres, tmp_path):
    url = postgres.create_database()
    store = SessionStore(url=url)
    card = {"overall": 2.75, "criteria": [{"id": "technical-depth", "score": 3}, {"id": "communication", "score": 2}]}
    for sid, who in (("ana1", "ana"), ("ana2", "ana"), ("bob1", "=bob")):
        store.create(sid, "genai", "general", "m", {"round": "genai"}, ["q"], owner=who, first_turn=(0, {"role": "interviewer", "kind": "question", "text": f"Q for {sid}"}))
        store.finish(sid, card)
        time.sleep(0.01)
    store.create("open1", "genai", "general", "m", {}, ["q"], owner="ana", first_turn=(0, {"text": "Q"}))
    env = ["--sessions-url", url]
    listed = json.loads(_cli([*env, "sessions", "--user", "ana", "list", "--json"]).output)
    assert {r["id"] for r in listed} == {"ana1", "ana2", "open1"} and {r["owner"] for r in listed} == {"ana"}
    assert _cli([*env, "sessions", "--user", "ana", "show", "bob1"]).exit_code == 1  # another user's: not found
    out = _cli([*env, "sessions", "export-csv", "-o", str(tmp_path / "cards.csv")])
    assert out.exit_code == 0, out.output
    import csv

    rows = list(csv.DictReader((tmp_path / "cards.csv").open(newline="")))
    assert [r["session_id"] for r in rows] == ["ana1", "ana2", "bob1"]  # finished ones, oldest first
    assert rows[0]["overall"] == "2.75" and rows[0]["technical-depth"] == "3" and rows[0]["communication"] == "2"
    assert rows[2]["user"] == "'=bob"  # a spreadsheet shows it as text, never runs it as a formula
    mine = _cli([*env, "sessions", "--user", "ana", "export-csv", "--all"]).output
    assert "open1" in mine and "bob1" not in mine
    assert "deleted 3 session(s)" in _cli([*env, "sessions", "--user", "ana", "wipe", "--yes"]).output
    assert [r["id"] for r in SessionStore(url=url).list()] == ["bob1"]


def test_the_backup_recipe_restores_sessions_the_app_can_open(postgres, tmp_path):
    """docs/deployment.md's pg_dump / pg_restore, run against the live store."""
    url = postgres.create_database()
    store = SessionStore(url=url)
    store.create("kept", "genai", "general", "m", {}, ["q1"], owner="ana", first_turn=(0, {"role": "candidate", "text": "my answer"}), writer="w")
    env = dict(os.environ, PGPASSWORD=postgres.password)
    dump = tmp_path / "interviewer.dump"
    db = url.rsplit("/", 1)[1]
    conn = ["-h", "127.0.0.1", "-p", str(postgres.port), "-U", postgres.user]
    subprocess.run([_pg_bin("pg_dump"), "--format=custom", f"--file={dump}", *conn, db], env=env, check=True, capture_output=True, timeout=120)
    restored = postgres.create_database()
    subprocess.run([_pg_bin("pg_restore"), "--no-owner", *conn, "--dbname", restored.rsplit("/", 1)[1], str(dump)], env=env, check=True,
                   capture_output=True, timeout=120)
    again = SessionStore(url=restored)
    assert again.migrated == [] and again.get("kept", owner="ana")["turns"] == [{"role": "candidate", "text": "my answer"}]
