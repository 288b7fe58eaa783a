"""SQLite (WAL) store of sessions: config, turns, the model's raw outputs, and the scorecard.

Each write is its own transaction, so a crash (even kill -9) loses at most the write in
flight and never leaves half a turn behind.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

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
    scorecard TEXT                           -- JSON, once finished
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


class SessionStore:
    def __init__(self, data_dir: Path, max_pages: int | None = None):
        self.path = Path(data_dir) / "sessions.db"
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            if max_pages:  # tests simulate a full disk with this
                self.db.execute(f"PRAGMA max_page_count={int(max_pages)}")
            self.db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise SessionStoreError(f"cannot open the session store at {self.path} ({exc}); check that the data directory is writable and has free space, or pass --data-dir") from exc

    def _write(self, sql: str, params: tuple) -> None:
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                self.db.execute(sql, params)
                self.db.execute("COMMIT")
            except sqlite3.Error as exc:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise SessionStoreError(f"could not save to {self.path} ({exc}); nothing was half-written. Free some disk space or pass --data-dir") from exc

    # -- writing ---------------------------------------------------------------
    def create(self, session_id: str, round_name: str, track: str, model: str, config: dict, plan: list[str]) -> None:
        now = time.time()
        self._write(
            "INSERT INTO sessions (id, created_at, updated_at, round, track, model, config, plan) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, now, now, round_name, track, model, json.dumps(config), json.dumps(plan)),
        )

    def put_turn(self, session_id: str, seq: int, turn: dict) -> None:
        """Insert or update turn `seq` (timings arrive after the text)."""
        self._write("INSERT INTO turns (session_id, seq, turn) VALUES (?, ?, ?) ON CONFLICT(session_id, seq) DO UPDATE SET turn = excluded.turn", (session_id, seq, json.dumps(turn)))
        self._touch(session_id)

    def add_model_output(self, session_id: str, seq: int, text: str) -> None:
        self._write("INSERT OR REPLACE INTO model_outputs (session_id, seq, text) VALUES (?, ?, ?)", (session_id, seq, text))

    def finish(self, session_id: str, scorecard: dict) -> None:
        self._write("UPDATE sessions SET status = 'finished', scorecard = ?, updated_at = ? WHERE id = ?", (json.dumps(scorecard), time.time(), session_id))

    def _touch(self, session_id: str) -> None:
        with self._lock:
            self.db.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (time.time(), session_id))

    def delete(self, session_id: str) -> bool:
        with self._lock:
            cur = self.db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        return cur.rowcount > 0

    def wipe(self) -> int:
        with self._lock:
            n = self.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
            self.db.execute("DELETE FROM sessions")
            self.db.execute("VACUUM")
        return n

    # -- reading ---------------------------------------------------------------
    def list(self) -> list[dict]:
        rows = self.db.execute("SELECT id, created_at, updated_at, round, track, model, status, scorecard, (SELECT COUNT(*) FROM turns t WHERE t.session_id = s.id) FROM sessions s ORDER BY created_at DESC").fetchall()
        out = []
        for sid, created, updated, rnd, track, model, status, card, nturns in rows:
            scorecard = json.loads(card) if card else None
            out.append({
                "id": sid, "created_at": created, "updated_at": updated, "round": rnd, "track": track, "model": model,
                "status": status, "turns": nturns, "overall": scorecard["overall"] if scorecard else None,
                "scores": {c["id"]: c["score"] for c in scorecard["criteria"]} if scorecard else None,
            })
        return out

    def get(self, session_id: str) -> dict | None:
        row = self.db.execute("SELECT id, created_at, round, track, model, status, config, plan, scorecard FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            return None
        sid, created, rnd, track, model, status, config, plan, card = row
        turns = [json.loads(t) for (t,) in self.db.execute("SELECT turn FROM turns WHERE session_id = ? ORDER BY seq", (sid,))]
        outputs = [t for (t,) in self.db.execute("SELECT text FROM model_outputs WHERE session_id = ? ORDER BY seq", (sid,))]
        return {"id": sid, "created_at": created, "round": rnd, "track": track, "model": model, "status": status,
                "config": json.loads(config), "plan": json.loads(plan), "turns": turns, "model_outputs": outputs,
                "scorecard": json.loads(card) if card else None}

    def recent_question_ids(self, sessions: int = 10) -> set[str]:
        """Main questions of the most recent sessions: planning avoids them so practice does not repeat."""
        rows = self.db.execute("SELECT plan FROM sessions ORDER BY created_at DESC LIMIT ?", (sessions,)).fetchall()
        return {qid for (plan,) in rows for qid in json.loads(plan)}

    def close(self) -> None:
        with self._lock:
            self.db.close()
