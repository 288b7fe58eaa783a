"""Live interviews of the web app: one per Start, found again by its session id.

Gradio-free, so the page's behaviour can be reasoned about (and tested) without a browser.
The chat shown to the candidate is kept here, server side: the page never has to send
its copy of the conversation back.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Iterator

from interviewer.interview import InterviewConfig, TokenEvent, TurnEvent
from interviewer.sessions.store import LOCAL_OWNER, SessionStoreError
from interviewer.ui.history import open_interview
from interviewer.ui.views import coding_brief, progress_text

MAX_LIVE = 64  # interviews kept in memory; the oldest go first


def owner_of(request) -> str:
    """Whose interviews a request may touch: the signed-in user (`--auth`), else the one local user."""
    return getattr(request, "username", None) or LOCAL_OWNER


@dataclass
class Live:
    interview: object  # interviewer.interview.Interview
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    chat: list[dict] = field(default_factory=list)  # messages format: {"role", "content"}
    editor_question: str | None = None  # the coding question whose stub the editor holds
    speaking: bool = False  # the interviewer's reply is still streaming
    note: str = ""  # why this interview is not being saved, if it is not
    owner: str = LOCAL_OWNER  # the only user whose requests reach this interview
    download_key: str = field(default_factory=lambda: secrets.token_hex(16))  # unguessable folder of its transcript files

    @property
    def session_id(self) -> str:
        return self.interview.transcript.session_id

    def elapsed(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    def progress(self) -> str:
        k, n = self.interview.progress
        turn = "the interviewer is speaking" if self.speaking else "your turn"
        llm = self.interview.llm
        waiting = llm.queue_length if llm is not None else 0
        if self.speaking and waiting:
            turn = f"waiting for the model: {waiting} other interview(s) in the queue"
        line = progress_text(k, n, self.elapsed(), self.interview.config.round, self.interview.done, turn)
        if llm is not None and not llm.warm:  # the app's model is still loading or being qualified
            line += " (the model is warming up: this interview uses the interviewer's templates)"
        return line

    def coding(self):
        """The CodingSpec of the question being asked, or None."""
        current = self.interview.current
        return current.question.coding if current is not None and not self.interview.done else None

    def stream(self, events) -> Iterator[list[dict]]:
        """Feed engine events into the chat: the candidate's turn as recorded, then the
        interviewer's text word by word, replaced by the finished turn at the end."""
        self.speaking = True
        try:
            streaming = False
            for event in events:
                if isinstance(event, TokenEvent):
                    if not streaming:
                        self.chat.append({"role": "assistant", "content": ""})
                        streaming = True
                    self.chat[-1]["content"] += event.text
                elif isinstance(event, TurnEvent) and event.turn.role == "candidate":
                    self.chat.append({"role": "user", "content": event.turn.text})
                elif isinstance(event, TurnEvent):
                    if not streaming:
                        self.chat.append({"role": "assistant", "content": ""})
                    self.chat[-1]["content"] = event.turn.text
                    streaming = False
                yield self.snapshot()
        finally:
            self.speaking = False

    def answer(self, text: str) -> Iterator[list[dict]]:
        yield from self.stream(self.interview.answer(text))

    def repeat(self) -> list[dict]:
        """Show the question being discussed again; the engine and the transcript are untouched."""
        asked = [t for t in self.interview.transcript.turns if t.role == "interviewer" and t.kind in ("question", "followup")]
        if not asked or self.interview.done:
            self.chat.append({"role": "assistant", "content": "There is no open question right now."})
            return self.snapshot()
        last = asked[-1]
        text = f"Of course. The question is: {last.text}"
        current = self.interview.current
        if last.kind == "followup" and current is not None:
            text += f"\n\nIt follows up on: {current.question.text}"
        coding = self.coding()
        if coding is not None:
            text += "\n\n" + coding_brief(coding)
        self.chat.append({"role": "assistant", "content": text})
        return self.snapshot()

    def snapshot(self) -> list[dict]:
        """The chat for the Chatbot. Its messages are HTML (sanitized, but an <img> would still
        load), so every message is escaped to show exactly the text that was typed."""
        return [{"role": m["role"], "content": html.escape(m["content"], quote=False)} for m in self.chat]


class LiveInterviews:
    """Thread-safe registry of live interviews by session id, bounded in size."""

    def __init__(self, app, limit: int = MAX_LIVE):
        self.app = app
        self.limit = limit
        self._live: OrderedDict[str, Live] = OrderedDict()
        self._lock = threading.Lock()

    def create(self, config: InterviewConfig, owner: str = LOCAL_OWNER) -> Live:
        interview, note = open_interview(self.app, config, owner)
        live = Live(interview, note=note, owner=owner)
        with self._lock:
            self._live[live.session_id] = live
            while len(self._live) > self.limit:
                self._live.popitem(last=False)
        return live

    def resume(self, session_id: str, owner: str = LOCAL_OWNER) -> tuple[Live, list]:
        """A stored session of `owner` brought back (after a crash or a restart), its chat rebuilt
        from the transcript. Another owner's session is reported exactly like a missing one."""
        from interviewer.sessions import resume_session

        session_id = (session_id or "").strip()
        with self._lock:
            live = self._live.get(session_id)
        if live is not None:
            if live.owner != owner:
                raise SessionStoreError(f"no stored session {session_id!r}")
            from interviewer.sessions import is_current

            if is_current(self.app, live.interview):
                return live, []
            # resumed on another replica since: this copy is stale, rebuild it from the store below
        interview, fresh = resume_session(self.app, session_id, owner=owner)
        live = Live(interview, owner=owner)
        live.chat = [{"role": "assistant" if t.role == "interviewer" else "user", "content": t.text} for t in interview.transcript.turns]
        with self._lock:
            self._live[live.session_id] = live
        return live, fresh

    def get(self, session_id: str | None, owner: str = LOCAL_OWNER) -> Live | None:
        """The live interview by that id, if it is `owner`'s."""
        with self._lock:
            live = self._live.get(session_id or "")
        return live if live is not None and live.owner == owner else None
