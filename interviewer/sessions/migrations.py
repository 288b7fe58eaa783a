"""Versioned schema of the session store, the same on SQLite and PostgreSQL.

`schema_migrations` records which numbered steps a store has had; `migrate` runs the
missing ones in order inside one transaction when a store is opened, so a store is
always at one known version, never half upgraded. On PostgreSQL an advisory lock makes
replicas that start together take turns: the first migrates, the others find it done.
A store at a version newer than this program knows is refused (an older replica must
not write a schema it does not understand).

Add a step by appending to MIGRATIONS; never edit a step that has shipped.
"""

from __future__ import annotations

import time
from typing import Callable

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

ADVISORY_LOCK = 0x1E7E5E55  # any constant: the key of the PostgreSQL lock that serialises migrations


def _float(conn: Connection) -> str:
    # PostgreSQL's REAL is 4 bytes: a Unix time would lose its seconds.
    return "DOUBLE PRECISION" if conn.dialect.name == "postgresql" else "REAL"


def _columns(conn: Connection, table: str) -> set[str]:
    return {c["name"] for c in inspect(conn).get_columns(table)}


def _m1_base(conn: Connection) -> None:
    """Sessions with owners, their turns and the model's raw outputs. Stores made before the
    schema was versioned (SQLite files of earlier releases) already hold these tables: they
    keep their rows, and those without an owner column get one (their sessions are the local user's)."""
    real = _float(conn)
    tables = {
        "sessions": f"""CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            created_at {real} NOT NULL,
            updated_at {real} NOT NULL,
            round TEXT NOT NULL,
            track TEXT NOT NULL,
            model TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active',
            config TEXT NOT NULL,
            plan TEXT NOT NULL,
            scorecard TEXT,
            owner TEXT NOT NULL DEFAULT 'local')""",
        "turns": """CREATE TABLE turns (
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            turn TEXT NOT NULL,
            PRIMARY KEY (session_id, seq))""",
        "model_outputs": """CREATE TABLE model_outputs (
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (session_id, seq))""",
    }
    existing = set(inspect(conn).get_table_names())
    for name, ddl in tables.items():
        if name not in existing:
            conn.execute(text(ddl))
    if "sessions" in existing and "owner" not in _columns(conn, "sessions"):
        conn.execute(text("ALTER TABLE sessions ADD COLUMN owner TEXT NOT NULL DEFAULT 'local'"))


def _m2_writers(conn: Connection) -> None:
    """Who may write a session now: the process that started or last resumed it. A replica
    whose session was resumed elsewhere finds another writer and is refused (see store.py)."""
    for table in ("sessions", "turns", "model_outputs"):
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN writer TEXT"))
    conn.execute(text("CREATE INDEX sessions_owner_created ON sessions (owner, created_at)"))


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "sessions, turns and model outputs, with owners", _m1_base),
    (2, "writer of each session and turn; sessions by owner", _m2_writers),
]
LATEST = MIGRATIONS[-1][0]


class SchemaTooNew(Exception):
    """The store was upgraded by a newer interviewer."""


def migrate(conn: Connection) -> list[int]:
    """Bring the store to LATEST inside the caller's transaction; the versions applied now."""
    real = _float(conn)
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    # The bookkeeping table itself is the one thing created "if not exists": it has no versions.
    conn.execute(text(f"CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {real} NOT NULL)"))
    done = {row[0] for row in conn.execute(text("SELECT version FROM schema_migrations"))}
    if done and max(done) > LATEST:
        raise SchemaTooNew(f"the session store is at schema version {max(done)}, newer than this interviewer knows ({LATEST}): "
                           "upgrade interviewer on this machine (every replica must run the same version)")
    applied = []
    for version, name, step in MIGRATIONS:
        if version in done:
            continue
        step(conn)
        conn.execute(text("INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)"),
                     {"v": version, "n": name, "t": time.time()})
        applied.append(version)
    return applied


def version(conn: Connection) -> int:
    rows = conn.execute(text("SELECT MAX(version) FROM schema_migrations")).fetchall()
    return int(rows[0][0] or 0)
