"""Tie an Interview to the store: persist every turn and model output; rebuild a session by replay.

Resuming replays the stored answers through the engine with the stored model outputs,
so the engine's state (plan position, follow-up depth, assessments, ledger) comes back
exactly; calls beyond what was stored go to the real model.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from interviewer.interview import Interview, InterviewConfig
from interviewer.interview.transcript import Turn
from interviewer.llm.base import Completion
from interviewer.sessions.store import SessionStore, SessionStoreError


class RecordingLLM:
    """Answers from `replay` first (a resumed session), then from the real model; records new outputs."""

    def __init__(self, inner, sink: Callable[[str], None] | None = None, replay: list[str] | None = None):
        self.inner = inner
        self.sink = sink
        self.replay = list(replay or [])

    def complete(self, messages, max_tokens, stop=None, temperature=0.3, on_token=None) -> Completion:
        if self.replay:
            return Completion(text=self.replay.pop(0))
        completion = self.inner.complete(messages, max_tokens, stop=stop, temperature=temperature, on_token=on_token)
        if self.sink:
            self.sink(completion.text)
        return completion

    def __getattr__(self, name):  # name, n_ctx, count_tokens, info, queue_length ...
        return getattr(self.inner, name)


def _config_json(config: InterviewConfig) -> dict:
    data = dataclasses.asdict(config)
    data["avoid"] = sorted(config.avoid)
    return data


def _attach(interview: Interview, store: SessionStore, llm: RecordingLLM, outputs_seen: int) -> None:
    sid = interview.transcript.session_id
    counter = {"n": outputs_seen}

    def sink(text: str) -> None:
        store.add_model_output(sid, counter["n"], text)
        counter["n"] += 1

    llm.sink = sink
    interview.on_turn = lambda seq, turn: store.put_turn(sid, seq, turn.as_json())
    finish = interview.finish

    def finish_and_store() -> dict:
        card = finish()
        if interview.transcript.turns and interview.transcript.turns[-1].kind == "closing":
            store.put_turn(sid, len(interview.transcript.turns) - 1, interview.transcript.turns[-1].as_json())
        store.finish(sid, card)
        return card

    interview.finish = finish_and_store


def open_session(app, config: InterviewConfig, store: SessionStore | None = None) -> Interview:
    """A new stored interview; recently practised questions are avoided."""
    store = store or app.sessions
    if not config.question_ids:
        config = dataclasses.replace(config, avoid=set(config.avoid) | store.recent_question_ids())
    llm = RecordingLLM(app.llm)
    interview = app.interview(config, llm=llm)
    t = interview.transcript
    store.create(t.session_id, t.round, t.track, t.model, _config_json(config), t.plan)
    _attach(interview, store, llm, 0)
    return interview


def resume_session(app, session_id: str, store: SessionStore | None = None) -> tuple[Interview, list[Turn]]:
    """Rebuild a stored session; returns it and the turns that were not stored yet (a reply lost in a crash)."""
    store = store or app.sessions
    data = store.get(session_id)
    if data is None:
        raise SessionStoreError(f"no stored session {session_id!r}; see `interviewer sessions list`")
    config = InterviewConfig(**{**data["config"], "avoid": set(data["config"].get("avoid") or ()), "question_ids": data["plan"], "session_id": data["id"]})
    llm = RecordingLLM(app.llm, replay=data["model_outputs"])
    interview = app.interview(config, llm=llm)
    stored = [Turn.from_json(t) for t in data["turns"]]
    list(interview.start())
    for turn in stored:
        if turn.role == "candidate" and not interview.done:
            list(interview.answer(turn.text))
    fresh = interview.transcript.turns[len(stored):]
    interview.transcript.turns[: len(stored)] = stored  # keep the original timings
    _attach(interview, store, llm, len(data["model_outputs"]))
    for offset, turn in enumerate(fresh):
        store.put_turn(data["id"], len(stored) + offset, turn.as_json())
    if data["status"] == "finished":
        interview.done = True
        interview.transcript.scorecard = data["scorecard"]
    return interview, fresh
