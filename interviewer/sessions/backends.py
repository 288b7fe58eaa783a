"""The two places sessions can live, and what their failures mean to a person.

- SQLite (the default): `sessions.db` in the data directory, or `sqlite:///path/to/file.db`.
  WAL, `BEGIN IMMEDIATE` for every transaction (one writer at a time, no upgrade deadlocks).
- PostgreSQL: `postgresql://user:password@host:port/database` (psycopg 3), shared by any
  number of `interviewer serve` replicas. It must be on this machine or a private network:
  the store holds every candidate's answers.

Errors name the store without its password and say what to do; no traceback reaches the user.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError

POSTGRES_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")


class BadSessionsURL(ValueError):
    """The sessions URL cannot be used; the message says why."""


@dataclass(frozen=True)
class Target:
    kind: str  # "sqlite" | "postgresql"
    url: URL
    path: Path | None = None  # the SQLite file

    @property
    def where(self) -> str:
        """The store as shown in messages: the file, or the URL without its password."""
        if self.path is not None:
            return str(self.path)
        return self.url.set(drivername="postgresql").render_as_string(hide_password=True)


def target(url: str | None, data_dir: Path | None) -> Target:
    """Where the store is: `url` when given, else `sessions.db` in `data_dir`."""
    if not url:
        if data_dir is None:
            raise BadSessionsURL("no session store: give a data directory or a sessions URL")
        path = Path(data_dir) / "sessions.db"
        return Target("sqlite", URL.create("sqlite", database=str(path)), path)
    example = "sqlite:////absolute/path/sessions.db or postgresql://user:password@127.0.0.1:5432/interviewer"
    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError) as exc:
        raise BadSessionsURL(f"the sessions URL {_redact(url)!r} is not a URL ({exc}); use {example}") from None
    scheme = parsed.drivername
    if scheme in ("sqlite", "sqlite+pysqlite"):
        if not parsed.database or parsed.database == ":memory:":
            raise BadSessionsURL(f"the sessions URL {url!r} names no file; use {example}")
        path = Path(parsed.database).expanduser()
        return Target("sqlite", URL.create("sqlite", database=str(path)), path)
    if scheme in POSTGRES_SCHEMES:
        if not parsed.database:
            raise BadSessionsURL(f"the sessions URL {_redact(url)!r} names no database; use {example}")
        check_private(parsed)
        return Target("postgresql", parsed.set(drivername="postgresql+psycopg"))
    raise BadSessionsURL(f"sessions URLs start with sqlite:// or postgresql://, not {scheme}://; use {example}")


def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url.split("@")[-1]


def check_private(url: URL) -> None:
    """Candidates' answers stay on this machine or a private network (as with the LLM and Chroma servers)."""
    from interviewer.netguard import is_private_host

    hosts = [url.host] if url.host else []
    query_host = url.query.get("host")  # ?host=/run/postgresql: a Unix socket directory
    if isinstance(query_host, str) and not query_host.startswith("/"):
        hosts.append(query_host)
    for host in hosts:
        if not host.startswith("/") and not is_private_host(host):
            raise BadSessionsURL(f"refusing the session store at {host}: it is not on this machine or a private network "
                                 "(loopback, 10/8, 172.16/12, 192.168/16), and it would hold every candidate's answers")


def make_engine(t: Target, max_pages: int | None = None) -> Engine:
    if t.kind == "sqlite":
        engine = create_engine(t.url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            # pysqlite's own transaction handling is off; "begin" below emits the BEGIN itself.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            if max_pages:  # tests simulate a full disk with this
                cursor.execute(f"PRAGMA max_page_count={int(max_pages)}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # Take the write lock up front: a read-then-write transaction cannot fail to upgrade.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(
        t.url,
        pool_pre_ping=True,  # a replica outlives a PostgreSQL restart: stale connections are replaced
        pool_size=4,
        max_overflow=8,
        connect_args={"connect_timeout": 10, "application_name": "interviewer"},
    )


def explain(t: Target, exc: BaseException, doing: str) -> str:
    """What went wrong with the store, told apart, with the fix."""
    orig = getattr(exc, "orig", None) or exc
    if t.kind == "sqlite":
        return explain_sqlite(t.path, orig, doing)
    return explain_postgres(t, orig, doing)


def explain_sqlite(path: Path, exc: BaseException, doing: str) -> str:
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


def explain_postgres(t: Target, exc: BaseException, doing: str) -> str:
    where = t.where
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    low = str(exc).lower()
    fix = "check INTERVIEWER_SESSIONS_URL or --sessions-url"
    if "password authentication failed" in low or "no password supplied" in low or "no pg_hba.conf entry" in low:
        return f"PostgreSQL at {where} refused the login ({first}): {fix} (user and password), and the server's pg_hba.conf"
    if "does not exist" in low and "database" in low:
        return f"the database named in {where} does not exist ({first}): create it (createdb -h HOST -U USER {t.url.database}) or {fix}"
    if any(w in low for w in ("connection refused", "could not connect", "timeout expired", "could not translate host", "name or service not known",
                              "server closed the connection", "terminating connection", "connection is closed", "no such file or directory")):
        return f"cannot reach the session store at {where} ({first}): is PostgreSQL running there? Start it, or {fix}; nothing was half-written"
    if "permission denied" in low:
        return f"PostgreSQL at {where} denied the user ({first}): grant it rights on the database (see docs/deployment.md)"
    return f"could not {doing} the session store at {where} ({first}); nothing was half-written"
