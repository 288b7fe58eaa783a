"""Tie an Interview to the store: persist every turn and model output; rebuild a session by replay.

Resuming replays the stored answers through the engine with the stored model outputs,
so the engine's state (plan position, follow-up depth, assessments, ledger) comes back
exactly; calls beyond what was stored go to the real model.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from interviewer.interview import Interview, InterviewConfig
from interviewer.interview.transcript import Transcript, Turn
from interviewer.llm.base import LLM, Completion, LLMWrapper
from interviewer.sessions.store import LOCAL_OWNER, SessionStore, SessionStoreError, new_writer


class ReplayRecordingLLM(LLMWrapper):
    """Answers from `replay` first (a resumed session's stored outputs), then from the real model; hands each new output to `sink`."""

    def __init__(self, inner: LLM, sink: Callable[[str], None] | None = None, replay: list[str] | None = None):
        super().__init__(inner)
        self.sink = sink
        self.replay = list(replay or [])

    def complete(self, messages, max_tokens, stop=None, temperature=None, on_token=None) -> Completion:
        if self.replay:
            return Completion(text=self.replay.pop(0))
        completion = self.inner.complete(messages, max_tokens, stop=stop, temperature=temperature, on_token=on_token)
        if self.sink:
            self.sink(completion.text)
        return completion


def _config_json(config: InterviewConfig) -> dict:
    data = dataclasses.asdict(config)
    data["avoid"] = sorted(config.avoid)  # a set, or a dict of when each was last asked
    return data


class SessionRecorder:
    """Listens to one interview (engine.InterviewListener) and stores what it commits, as `writer`
    (see store.py: a session resumed elsewhere refuses this one's writes), with the model outputs
    that led to it. With `config` the session is new: its row is written together with its first
    turn (and the model outputs before it), so an interview that fails before its first turn
    leaves nothing behind."""

    def __init__(self, transcript: Transcript, store: SessionStore, outputs_seen: int, owner: str = LOCAL_OWNER,
                 config: dict | None = None, writer: str | None = None):
        self.transcript = transcript
        self.store = store
        self.owner = owner
        self.config = config
        self.writer = writer  # read by is_current()
        self.outputs_seen = outputs_seen
        self.created = config is None
        self.pending_outputs: list[str] = []  # model outputs before the first turn, stored with the session row

    @property
    def session_id(self) -> str:
        return self.transcript.session_id

    def model_output(self, text: str) -> None:
        if self.created:
            self.store.add_model_output(self.session_id, self.outputs_seen, text, writer=self.writer)
        else:
            self.pending_outputs.append(text)
        self.outputs_seen += 1

    def turn_committed(self, seq: int, turn: Turn) -> None:
        if self.created:
            self.store.put_turn(self.session_id, seq, turn.as_json(), writer=self.writer)
            return
        t = self.transcript
        self.store.create(self.session_id, t.round, t.track, t.model, self.config, t.plan, owner=self.owner,
                          first_turn=(seq, turn.as_json()), model_outputs=self.pending_outputs, writer=self.writer)
        self.created, self.pending_outputs = True, []

    def finished(self, scorecard: dict) -> None:
        if self.created:  # else nothing was said: nothing to keep
            self.store.finish(self.session_id, scorecard, writer=self.writer)


def _attach(interview: Interview, store: SessionStore, llm: ReplayRecordingLLM, outputs_seen: int, owner: str = LOCAL_OWNER,
            config: dict | None = None, writer: str | None = None) -> None:
    """Store what the interview says from now on (see SessionRecorder)."""
    recorder = SessionRecorder(interview.transcript, store, outputs_seen, owner, config, writer)
    llm.sink = recorder.model_output
    interview.add_listener(recorder)


def open_session(app, config: InterviewConfig, store: SessionStore | None = None, owner: str = LOCAL_OWNER) -> Interview:
    """A new stored interview of `owner`; the questions of their recent sessions are left out
    (and come back oldest first when a round has nothing else left)."""
    store = store or app.sessions
    if not config.question_ids:
        recency = {qid: 0.0 for qid in config.avoid}
        recency.update(store.question_recency(owner))
        config = dataclasses.replace(config, avoid=recency)  # a dict: the plan reads when each was asked
    llm = ReplayRecordingLLM(app.llm)
    interview = app.interview(config, llm=llm)
    if not interview.plan:
        raise ValueError(f"the question bank has no {config.round} questions to ask")
    _attach(interview, store, llm, 0, owner, config=_config_json(config), writer=new_writer())
    return interview


def resume_session(app, session_id: str, store: SessionStore | None = None, owner: str | None = None) -> tuple[Interview, list[Turn]]:
    """Rebuild a stored session; returns it and the turns that were not stored yet (a reply lost in a crash).

    With `owner`, only that owner's session: another's is reported as not found. This process
    becomes the session's writer before reading it, so the turns read are final: a replica
    that held it before can add nothing after this point."""
    store = store or app.sessions
    writer = store.claim(session_id, owner)
    data = store.get(session_id, owner) if writer else None
    if data is None:
        raise SessionStoreError(f"no stored session {session_id!r}; see `interviewer sessions list`")
    config = InterviewConfig(**{**data["config"], "avoid": set(data["config"].get("avoid") or ()), "question_ids": data["plan"], "session_id": data["id"]})
    llm = ReplayRecordingLLM(app.llm, replay=data["model_outputs"])
    interview = app.interview(config, llm=llm)
    stored = [Turn.from_json(t) for t in data["turns"]]
    fresh = interview.restore(stored, scorecard=data["scorecard"] if data["status"] == "finished" else None)
    _attach(interview, store, llm, len(data["model_outputs"]), data.get("owner") or LOCAL_OWNER, writer=writer)
    for offset, turn in enumerate(fresh):
        store.put_turn(data["id"], len(stored) + offset, turn.as_json(), writer=writer)
    return interview, fresh


def is_current(app, interview) -> bool:
    """False when a stored interview was resumed elsewhere since this process took it (its
    copy here is out of date). An unsaved interview, or a store that cannot be asked, counts
    as current: there is nothing better to offer."""
    recorder = next((listener for listener in interview.listeners if isinstance(listener, SessionRecorder)), None)
    if recorder is None or recorder.writer is None:
        return True
    try:
        return app.sessions.writer_of(recorder.session_id) == recorder.writer
    except Exception:  # SessionStoreError, or no store at all: keep the copy in memory
        return True
