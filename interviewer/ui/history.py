"""The page's seam with the session store (`interviewer.sessions`): interviews started in
the browser are stored like `interviewer chat` ones, and the History tab lists the
finished ones with their scores over time.

Everything the page knows about the store is in this file. If the store cannot be used
(an unwritable data directory), interviews still run, unsaved, and the page says so.
"""

from __future__ import annotations

import time

import pandas as pd

from interviewer.sessions.store import LOCAL_OWNER
from interviewer.ui.views import md_text, short_name

NO_SESSIONS = "No stored sessions yet: finished interviews are listed here."


def open_interview(app, config, owner: str = LOCAL_OWNER):
    """(Interview, note): a stored interview of `owner` when the store works, else an unsaved one and why."""
    try:
        from interviewer.sessions import SessionStoreError, open_session
    except ImportError:  # a build without the session store
        return app.interview(config), ""
    try:
        return open_session(app, config, owner=owner), ""
    except SessionStoreError as exc:
        return app.interview(config), f"This interview is not being saved: {exc}"


def past_sessions(app, owner: str = LOCAL_OWNER) -> list[dict]:
    """`owner`'s finished sessions, oldest first: date, round, track, overall and per-criterion scores."""
    try:
        from interviewer.sessions import SessionStoreError

        rows = app.sessions.list(owner=owner)
    except (ImportError, AttributeError):
        return []
    except SessionStoreError:
        return []
    names = {c.id: short_name(c.name) for c in app.knowledge.curated.criteria}
    finished = [r for r in rows if r.get("overall") is not None]
    return [
        {"when": r["created_at"], "round": r["round"], "track": r["track"], "overall": r["overall"],
         "scores": {names.get(k, k): v for k, v in (r.get("scores") or {}).items()}}
        for r in sorted(finished, key=lambda r: r["created_at"])
    ]


def unfinished_note(app, owner: str = LOCAL_OWNER) -> str:
    """`owner`'s stopped sessions (closed tab, crash, restart) that the Resume button can bring back."""
    try:
        rows = [r for r in app.sessions.list(owner=owner) if r["status"] != "finished" and r["turns"] > 0]
    except Exception:  # no store: nothing to resume
        return ""
    if not rows:
        return ""
    items = "; ".join(f"`{md_text(r['id'])}` ({md_text(r['round'])}, {_date(r['created_at'])}, {r['turns']} turns)" for r in rows[:10])
    return f"\n\nUnfinished sessions you can resume: {items}."


def history_view(app, owner: str = LOCAL_OWNER) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """(message, table newest first, chart rows) for the History tab: `owner`'s sessions only."""
    sessions = past_sessions(app, owner)
    if not sessions:
        return NO_SESSIONS + unfinished_note(app, owner), pd.DataFrame(), pd.DataFrame(columns=["date", "score", "criterion"])
    table = pd.DataFrame(
        [{"date": _date(s["when"]), "round": s["round"], "track": s["track"], "overall": s["overall"], **s["scores"]} for s in reversed(sessions)]
    )
    chart = pd.DataFrame(
        [{"date": pd.Timestamp.fromtimestamp(s["when"]), "score": value, "criterion": name}
         for s in sessions for name, value in {"Overall": s["overall"], **s["scores"]}.items()]
    )
    latest = sessions[-1]
    message = f"{len(sessions)} finished session(s); the latest: {_date(latest['when'])}, {md_text(latest['round'])}, overall {latest['overall']} / 4."
    return message + unfinished_note(app, owner), table, chart


def _date(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch))
