"""Stored sessions: every turn committed (SQLite or PostgreSQL) before the next message shows; resume after a crash."""

from interviewer.sessions.recorder import is_current, open_session, resume_session
from interviewer.sessions.store import LOCAL_OWNER, SessionConflict, SessionStore, SessionStoreError

__all__ = ["LOCAL_OWNER", "SessionConflict", "SessionStore", "SessionStoreError", "is_current", "open_session", "resume_session"]
