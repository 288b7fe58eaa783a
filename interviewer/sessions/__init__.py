"""Stored sessions: every turn committed to SQLite before the next message shows; resume after a crash."""

from interviewer.sessions.recorder import open_session, resume_session
from interviewer.sessions.store import LOCAL_OWNER, SessionStore, SessionStoreError

__all__ = ["LOCAL_OWNER", "SessionStore", "SessionStoreError", "open_session", "resume_session"]
