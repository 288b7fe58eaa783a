"""SQLite (WAL) store of sessions: owner, config, turns, the model's raw outputs, and the scorecard.

Each write is its own transaction, so a crash (even kill -9) loses at most the write in
flight and never leaves half a turn behind. A session's row is written together with its
first turn, so a session that failed before saying anything leaves no row.

Every session has an owner: the signed-in user of the web app, or `local` (the CLI, and
the web app without --auth). Reads take an `owner` to filter on; None means every owner
(the CLI, run by whoever owns the data directory).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

LOCAL_OWNER = "local"

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    round TEXT NOT NULL,
    track TEXT NOT NULL,
    model TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',   -- active | finished
    config TEXT NOT NULL,                    -- JSON: what recreates the interview
    plan TEXT NOT NULL,                      -- JSON list of bank question ids
    scorecard TEXT,                          -- JSON, once finished
    owner TEXT NOT NULL DEFAULT 'local'      -- who may see and continue it
);
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    turn TEXT NOT NULL,                      -- JSON of the transcript turn
    PRIMARY KEY (session_id, seq)
);
CREATE TABLE IF NOT EXISTS model_outputs (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,                      -- raw model output, replayed on resume
    PRIMARY KEY (session_id, seq)
);
"""


class SessionStoreError(Exception):
    """The session store cannot be used; the message says where and what to do."""


def explain(path: Path, exc: BaseException, doing: str) -> str:
    """What went wrong with the store, told apart: damaged file, permissions, full disk, lock."""
    text = str(exc)
    low = text.lower()
    if isinstance(exc, sqlite3.DatabaseError) and any(w in low for w in ("not a database", "malformed", "corrupt", "file is encrypted")):
        return (f"the session store {path} is damaged ({text}); move it aside to start a fresh store "
                f"(mv {path} {path}.broken), or restore a backup, or pass --data-dir")
    if "full" in low:
        return f"could not {doing} {path} ({text}): the disk is full; nothing was half-written. Free some disk space or pass --data-dir"
    if "locked" in low or "busy" in low:
        return f"could not {doing} {path} ({text}): another process holds the store locked; try again, or pass --data-dir"
    if isinstance(exc, OSError) or any(w in low for w in ("readonly", "read-only", "unable to open", "permission", "access")):
        return f"cannot {doing} {path} ({text}); check that the data directory is writable, or pass --data-dir"
    return f"could not {doing} {path} ({text}); nothing was half-written. Pass --data-dir to use another store"


class SessionStore:
    def __init__(self, data_dir: Path, max_pages: int | None = None):
        self.path = Path(data_dir) / "sessions.db"
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SessionStoreError(f"cannot open the session store at {self.path} ({exc}); check that the data directory is writable, or pass --data-dir") from exc
        try:
            self.db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise SessionStoreError("cannot open the session store: " + explain(self.path, exc, "open")) from exc
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            if max_pages:  # tests simulate a full disk with this
                self.db.execute(f"PRAGMA max_page_count={int(max_pages)}")
            self.db.executescript(SCHEMA)
            self._migrate()
        except sqlite3.Error as exc:
            self.db.close()
            raise SessionStoreError("cannot open the session store: " + explain(self.path, exc, "open")) from exc

    def _migrate(self) -> None:
        """Stores written before sessions had owners: their sessions belong to the local user."""
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(sessions)")}
        if "owner" not in columns:
            self.db.execute("ALTER TABLE sessions ADD COLUMN owner TEXT NOT NULL DEFAULT 'local'")

    def _write(self, *statements: tuple[str, tuple]) -> int:
        """Run the statements in one transaction; the row count of the last one."""
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                cur = None
                for sql, params in statements:
                    cur = self.db.execute(sql, params)
                self.db.execute("COMMIT")
                return cur.rowcount if cur is not None else 0
            except sqlite3.Error as exc:
                try:
                    if self.db.in_transaction:
                        self.db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                raise SessionStoreError(explain(self.path, exc, "save to")) from exc

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self.db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise SessionStoreError(explain(self.path, exc, "read")) from exc

    # -- writing ---------------------------------------------------------------
    def create(self, session_id: str, round_name: str, track: str, model: str, config: dict, plan: list[str],
               owner: str = LOCAL_OWNER, first_turn: tuple[int, dict] | None = None, model_outputs: list[str] = ()) -> None:
        """The session row, and with `first_turn` (seq, turn) its first turn and the model outputs
        that led to it, in the same transaction."""
        now = time.time()
        statements = [(
            "INSERT INTO sessions (id, created_at, updated_at, round, track, model, config, plan, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, now, now, round_name, track, model, json.dumps(config), json.dumps(plan), owner),
        )]
        if first_turn is not None:
            statements.append(("INSERT INTO turns (session_id, seq, turn) VALUES (?, ?, ?)", (session_id, first_turn[0], json.dumps(first_turn[1]))))
        statements += [("INSERT INTO model_outputs (session_id, seq, text) VALUES (?, ?, ?)", (session_id, n, text)) for n, text in enumerate(model_outputs)]
        self._write(*statements)

    def put_turn(self, session_id: str, seq: int, turn: dict) -> None:
        """Insert or update turn `seq` (timings arrive after the text)."""
        self._write(
            ("INSERT INTO turns (session_id, seq, turn) VALUES (?, ?, ?) ON CONFLICT(session_id, seq) DO UPDATE SET turn = excluded.turn", (session_id, seq, json.dumps(turn))),
            ("UPDATE sessions SET updated_at = ? WHERE id = ?", (time.time(), session_id)),
        )

    def add_model_output(self, session_id: str, seq: int, text: str) -> None:
        self._write(("INSERT OR REPLACE INTO model_outputs (session_id, seq, text) VALUES (?, ?, ?)", (session_id, seq, text)))

    def finish(self, session_id: str, scorecard: dict) -> None:
        self._write(("UPDATE sessions SET status = 'finished', scorecard = ?, updated_at = ? WHERE id = ?", (json.dumps(scorecard), time.time(), session_id)))

    def delete(self, session_id: str, owner: str | None = None) -> bool:
        if owner is None:
            return self._write(("DELETE FROM sessions WHERE id = ?", (session_id,))) > 0
        return self._write(("DELETE FROM sessions WHERE id = ? AND owner = ?", (session_id, owner))) > 0

    def wipe(self) -> int:
        n = self._read("SELECT COUNT(*) FROM sessions")[0][0]
        self._write(("DELETE FROM sessions", ()))
        with self._lock:
            try:
                self.db.execute("VACUUM")
            except sqlite3.Error:
                pass  # the rows are gone; compacting is a nicety
        return n

    # -- reading ---------------------------------------------------------------
    def list(self, owner: str | None = None) -> list[dict]:
        """Sessions newest first: every owner's, or only `owner`'s."""
        where, params = ("WHERE s.owner = ?", (owner,)) if owner is not None else ("", ())
        rows = self._read(
            "SELECT id, created_at, updated_at, round, track, model, status, scorecard, owner, "
            f"(SELECT COUNT(*) FROM turns t WHERE t.session_id = s.id) FROM sessions s {where} ORDER BY created_at DESC", params)
        out = []
        for sid, created, updated, rnd, track, model, status, card, who, nturns in rows:
            scorecard = _loads(card, self.path)
            out.append({
                "id": sid, "created_at": created, "updated_at": updated, "round": rnd, "track": track, "model": model,
                "status": status, "turns": nturns, "owner": who,
                "overall": scorecard.get("overall") if isinstance(scorecard, dict) else None,
                "scores": {c["id"]: c["score"] for c in scorecard.get("criteria", [])} if isinstance(scorecard, dict) else None,
            })
        return out

    def get(self, session_id: str, owner: str | None = None) -> dict | None:
        """One session, or None when there is none by that id (or it is another owner's)."""
        rows = self._read("SELECT id, created_at, round, track, model, status, config, plan, scorecard, owner FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            return None
        sid, created, rnd, track, model, status, config, plan, card, who = rows[0]
        if owner is not None and who != owner:
            return None
        turns = [_loads(t, self.path) for (t,) in self._read("SELECT turn FROM turns WHERE session_id = ? ORDER BY seq", (sid,))]
        outputs = [t for (t,) in self._read("SELECT text FROM model_outputs WHERE session_id = ? ORDER BY seq", (sid,))]
        return {"id": sid, "created_at": created, "round": rnd, "track": track, "model": model, "status": status, "owner": who,
                "config": _loads(config, self.path), "plan": _loads(plan, self.path), "turns": turns, "model_outputs": outputs,
                "scorecard": _loads(card, self.path)}

    def question_recency(self, owner: str | None = None, sessions: int = 10) -> dict[str, float]:
        """Main questions of `owner`'s most recent sessions, with when each was last asked
        (the session's start): planning leaves them out, and brings the oldest back first
        when a round has nothing else left."""
        where, params = ("WHERE owner = ?", (owner,)) if owner is not None else ("", ())
        rows = self._read(f"SELECT plan, created_at FROM sessions {where} ORDER BY created_at DESC LIMIT ?", (*params, sessions))
        last: dict[str, float] = {}
        for plan, created in rows:
            for qid in _loads(plan, self.path) or []:
                last[qid] = max(last.get(qid, 0.0), created)
        return last

    def recent_question_ids(self, sessions: int = 10, owner: str | None = None) -> set[str]:
        """Main questions of the most recent sessions: planning avoids them so practice does not repeat."""
        return set(self.question_recency(owner, sessions))

    def close(self) -> None:
        with self._lock:
            self.db.close()


def _loads(text: str | None, path: Path):
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SessionStoreError(f"the session store {path} holds a damaged record ({exc}); move it aside (mv {path} {path}.broken) or pass --data-dir") from exc
