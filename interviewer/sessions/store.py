"""The session store: owner, config, turns, the model's raw outputs and the scorecard, on SQLite
(the default, a file in the data directory) or PostgreSQL (shared by replicas), one interface.

Each write is its own transaction, so a crash (even kill -9) loses at most the write in
flight and never leaves half a turn behind. A session's row is written together with its
first turn, so a session that failed before saying anything leaves no row.

One writer per session: the process that started the session, or the one that resumed it
last, holds its `writer` token. Every write checks the token in the same transaction that
writes (the session row is locked while it does), so when a candidate resumes on replica B
while replica A still holds the interview, A's next write is refused instead of adding a
second turn with the same number: no turn is lost or duplicated. (session_id, seq) is the
primary key of turns, and a turn is only ever updated by the writer that inserted it.

Every session has an owner: the signed-in user of the web app, or `local` (the CLI, and
the web app without --auth). Reads take an `owner` to filter on; None means every owner
(the CLI, run by whoever administers the store).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from interviewer.sessions import backends, migrations
from interviewer.settings import Settings

LOCAL_OWNER = "local"


class SessionStoreError(Exception):
    """The session store cannot be used; the message says where and what to do."""


class SessionConflict(SessionStoreError):
    """The session was resumed elsewhere (another server or tab) since this process took it."""


def new_writer() -> str:
    return secrets.token_hex(8)


def explain(path: Path, exc: BaseException, doing: str) -> str:  # kept for callers of the SQLite-only store
    return backends.explain_sqlite(path, exc, doing)


class SessionStore:
    """`SessionStore(data_dir)`: sessions.db in the data directory; `SessionStore(url=...)`: the store
    that `sqlite:///...` or `postgresql://...` names. The schema is migrated on opening."""

    def __init__(self, data_dir: Path | None = None, max_pages: int | None = None, url: str | None = None):
        try:
            self.target = backends.target(url, data_dir)
        except backends.BadSessionsURL as exc:
            raise SessionStoreError(str(exc)) from None
        self.kind = self.target.kind
        self.path = self.target.path  # the SQLite file, or None
        self.where = self.target.where
        # SQLite has one writer at a time anyway: one lock here keeps this process's threads from waiting on the file lock.
        self._lock = threading.Lock() if self.kind == "sqlite" else _NoLock()
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise SessionStoreError(f"cannot open the session store at {self.path} ({exc}); check that the data directory is writable, or pass --data-dir") from exc
        self.engine = backends.make_engine(self.target, max_pages)
        try:
            with self._lock, self.engine.begin() as conn:
                self.migrated = migrations.migrate(conn)
                self.version = migrations.version(conn)
        except migrations.SchemaTooNew as exc:
            self.engine.dispose()
            raise SessionStoreError(f"{exc} ({self.where})") from None
        except (SQLAlchemyError, OSError) as exc:
            self.engine.dispose()
            raise SessionStoreError("cannot open the session store: " + backends.explain(self.target, exc, "open")) from None

    @classmethod
    def from_settings(cls, settings: Settings) -> "SessionStore":
        """The store the settings name: `sessions_url`, else sessions.db in the data directory."""
        return cls(settings.data_dir, url=settings.sessions_url)

    # -- plumbing --------------------------------------------------------------
    def _tx(self, work, doing: str = "save to"):
        """Run `work(conn)` in one transaction; store errors become SessionStoreError with the fix."""
        with self._lock:
            try:
                with self.engine.begin() as conn:
                    return work(conn)
            except SessionStoreError:
                raise
            except (SQLAlchemyError, OSError) as exc:
                raise SessionStoreError(backends.explain(self.target, exc, doing)) from None

    def _read(self, sql: str, params: dict | None = None) -> list[tuple]:
        return self._tx(lambda conn: conn.execute(text(sql), params or {}).fetchall(), "read")

    @staticmethod
    def _check_writer(conn, session_id: str, writer: str | None) -> None:
        """Touch the session row (locking it until commit) if `writer` still holds it; else refuse."""
        if writer is None:  # an unfenced write (tools and tests); the row must still exist
            conn.execute(text("UPDATE sessions SET updated_at = :now WHERE id = :id"), {"now": time.time(), "id": session_id})
            return
        done = conn.execute(text("UPDATE sessions SET updated_at = :now WHERE id = :id AND writer = :w"),
                            {"now": time.time(), "id": session_id, "w": writer})
        if done.rowcount == 1:
            return
        exists = conn.execute(text("SELECT 1 FROM sessions WHERE id = :id"), {"id": session_id}).fetchall()
        if not exists:
            raise SessionStoreError(f"the session {session_id} is no longer stored (deleted); nothing more of it is saved")
        raise SessionConflict(f"the session {session_id} was resumed elsewhere (another server or browser tab); "
                              f"this copy is out of date and nothing it says is saved: press Resume to continue it here")

    # -- writing ---------------------------------------------------------------
    def create(self, session_id: str, round_name: str, track: str, model: str, config: dict, plan: list[str],
               owner: str = LOCAL_OWNER, first_turn: tuple[int, dict] | None = None, model_outputs: list[str] = (),
               writer: str | None = None) -> None:
        """The session row, and with `first_turn` (seq, turn) its first turn and the model outputs
        that led to it, in the same transaction. `writer` becomes the session's writer."""
        now = time.time()

        def work(conn):
            conn.execute(text("INSERT INTO sessions (id, created_at, updated_at, round, track, model, config, plan, owner, writer) "
                              "VALUES (:id, :now, :now, :round, :track, :model, :config, :plan, :owner, :writer)"),
                         {"id": session_id, "now": now, "round": round_name, "track": track, "model": model,
                          "config": json.dumps(config), "plan": json.dumps(plan), "owner": owner, "writer": writer})
            if first_turn is not None:
                conn.execute(text("INSERT INTO turns (session_id, seq, turn, writer) VALUES (:id, :seq, :turn, :writer)"),
                             {"id": session_id, "seq": first_turn[0], "turn": json.dumps(first_turn[1]), "writer": writer})
            if model_outputs:
                conn.execute(text("INSERT INTO model_outputs (session_id, seq, text, writer) VALUES (:id, :seq, :text, :writer)"),
                             [{"id": session_id, "seq": n, "text": t, "writer": writer} for n, t in enumerate(model_outputs)])

        self._tx(work)

    def put_turn(self, session_id: str, seq: int, turn: dict, writer: str | None = None) -> None:
        """Insert turn `seq`, or update it (timings arrive after the text) when `writer` wrote it."""
        same = "turns.writer IS excluded.writer" if self.kind == "sqlite" else "turns.writer IS NOT DISTINCT FROM excluded.writer"

        def work(conn):
            self._check_writer(conn, session_id, writer)
            done = conn.execute(text("INSERT INTO turns (session_id, seq, turn, writer) VALUES (:id, :seq, :turn, :writer) "
                                     f"ON CONFLICT (session_id, seq) DO UPDATE SET turn = excluded.turn WHERE {same}"),
                                {"id": session_id, "seq": seq, "turn": json.dumps(turn), "writer": writer})
            if done.rowcount != 1:  # turn `seq` exists and is another writer's: never overwrite it
                raise SessionConflict(f"turn {seq} of session {session_id} was already saved by another server; "
                                      "nothing was overwritten: press Resume to continue the session")

        self._tx(work)

    def add_model_output(self, session_id: str, seq: int, text_: str, writer: str | None = None) -> None:
        def work(conn):
            self._check_writer(conn, session_id, writer)
            conn.execute(text("INSERT INTO model_outputs (session_id, seq, text, writer) VALUES (:id, :seq, :text, :writer) "
                              "ON CONFLICT (session_id, seq) DO UPDATE SET text = excluded.text, writer = excluded.writer"),
                         {"id": session_id, "seq": seq, "text": text_, "writer": writer})

        self._tx(work)

    def finish(self, session_id: str, scorecard: dict, writer: str | None = None) -> None:
        def work(conn):
            self._check_writer(conn, session_id, writer)
            conn.execute(text("UPDATE sessions SET status = 'finished', scorecard = :card WHERE id = :id"),
                         {"card": json.dumps(scorecard), "id": session_id})

        self._tx(work)

    def claim(self, session_id: str, owner: str | None = None) -> str | None:
        """Make this process the session's writer (resume): the writer token, or None when there is
        no such session of `owner`. Whoever held it before is refused from now on."""
        token = new_writer()
        where, params = ("id = :id", {"id": session_id, "w": token})
        if owner is not None:
            where, params = "id = :id AND owner = :owner", {**params, "owner": owner}
        n = self._tx(lambda conn: conn.execute(text(f"UPDATE sessions SET writer = :w WHERE {where}"), params).rowcount)
        return token if n == 1 else None

    def writer_of(self, session_id: str) -> str | None:
        rows = self._read("SELECT writer FROM sessions WHERE id = :id", {"id": session_id})
        return rows[0][0] if rows else None

    def delete(self, session_id: str, owner: str | None = None) -> bool:
        if owner is None:
            sql, params = "DELETE FROM sessions WHERE id = :id", {"id": session_id}
        else:
            sql, params = "DELETE FROM sessions WHERE id = :id AND owner = :owner", {"id": session_id, "owner": owner}
        return self._tx(lambda conn: conn.execute(text(sql), params).rowcount) > 0

    def wipe(self, owner: str | None = None) -> int:
        """Delete every session (or every one of `owner`'s); how many."""
        where, params = ("WHERE owner = :owner", {"owner": owner}) if owner is not None else ("", {})
        n = self._tx(lambda conn: conn.execute(text(f"DELETE FROM sessions {where}"), params).rowcount)
        if self.kind == "sqlite":
            with self._lock:
                try:  # VACUUM cannot run inside a transaction: on the raw connection, which autocommits
                    raw = self.engine.raw_connection()
                    try:
                        raw.driver_connection.execute("VACUUM")
                    finally:
                        raw.close()
                except Exception:
                    pass  # the rows are gone; compacting is a nicety
        return n

    # -- reading ---------------------------------------------------------------
    def list(self, owner: str | None = None) -> list[dict]:
        """Sessions newest first: every owner's, or only `owner`'s."""
        where, params = ("WHERE s.owner = :owner", {"owner": owner}) if owner is not None else ("", {})
        rows = self._read(
            "SELECT id, created_at, updated_at, round, track, model, status, scorecard, owner, "
            f"(SELECT COUNT(*) FROM turns t WHERE t.session_id = s.id) FROM sessions s {where} ORDER BY created_at DESC", params)
        out = []
        for sid, created, updated, rnd, track, model, status, card, who, nturns in rows:
            scorecard = self._loads(card)
            out.append({
                "id": sid, "created_at": created, "updated_at": updated, "round": rnd, "track": track, "model": model,
                "status": status, "turns": nturns, "owner": who,
                "overall": scorecard.get("overall") if isinstance(scorecard, dict) else None,
                "scores": {c["id"]: c["score"] for c in scorecard.get("criteria", [])} if isinstance(scorecard, dict) else None,
            })
        return out

    def get(self, session_id: str, owner: str | None = None) -> dict | None:
        """One session, or None when there is none by that id (or it is another owner's)."""

        def work(conn):
            rows = conn.execute(text("SELECT id, created_at, round, track, model, status, config, plan, scorecard, owner FROM sessions WHERE id = :id"),
                                {"id": session_id}).fetchall()
            if not rows:
                return None
            turns = conn.execute(text("SELECT turn FROM turns WHERE session_id = :id ORDER BY seq"), {"id": session_id}).fetchall()
            outputs = conn.execute(text("SELECT text FROM model_outputs WHERE session_id = :id ORDER BY seq"), {"id": session_id}).fetchall()
            return rows[0], turns, outputs

        found = self._tx(work, "read")
        if found is None:
            return None
        (sid, created, rnd, track, model, status, config, plan, card, who), turns, outputs = found
        if owner is not None and who != owner:
            return None
        return {"id": sid, "created_at": created, "round": rnd, "track": track, "model": model, "status": status, "owner": who,
                "config": self._loads(config), "plan": self._loads(plan), "turns": [self._loads(t) for (t,) in turns],
                "model_outputs": [t for (t,) in outputs], "scorecard": self._loads(card)}

    def question_recency(self, owner: str | None = None, sessions: int = 10) -> dict[str, float]:
        """Main questions of `owner`'s most recent sessions, with when each was last asked
        (the session's start): planning leaves them out, and brings the oldest back first
        when a round has nothing else left."""
        where, params = ("WHERE owner = :owner", {"owner": owner}) if owner is not None else ("", {})
        rows = self._read(f"SELECT plan, created_at FROM sessions {where} ORDER BY created_at DESC LIMIT :n", {**params, "n": sessions})
        last: dict[str, float] = {}
        for plan, created in rows:
            for qid in self._loads(plan) or []:
                last[qid] = max(last.get(qid, 0.0), created)
        return last

    def recent_question_ids(self, sessions: int = 10, owner: str | None = None) -> set[str]:
        """Main questions of the most recent sessions: planning avoids them so practice does not repeat."""
        return set(self.question_recency(owner, sessions))

    def close(self) -> None:
        with self._lock:
            self.engine.dispose()

    def _loads(self, value: str | None):
        if value is None:
            return None
        try:
            return json.loads(value)
        except ValueError as exc:
            move = f"move it aside (mv {self.path} {self.path}.broken) or pass --data-dir" if self.path else "restore it from a backup"
            raise SessionStoreError(f"the session store {self.where} holds a damaged record ({exc}); {move}") from exc


class _NoLock:
    """PostgreSQL serialises writers itself (row locks); threads need not queue here."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
