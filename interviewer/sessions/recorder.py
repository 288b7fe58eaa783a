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
from interviewer.sessions.store import LOCAL_OWNER, SessionStore, SessionStoreError, new_writer


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
    data["avoid"] = sorted(config.avoid)  # a set, or a dict of when each was last asked
    return data


def _attach(interview: Interview, store: SessionStore, llm: RecordingLLM, outputs_seen: int, owner: str = LOCAL_OWNER,
            config: dict | None = None, writer: str | None = None) -> None:
    """Store what the interview says from now on, as `writer` (see store.py: a session resumed
    elsewhere refuses this one's writes). With `config` the session is new: its row is
    written together with its first turn (and the model outputs before it), so an interview
    that fails before its first turn leaves nothing behind."""
    sid = interview.transcript.session_id
    state = {"n": outputs_seen, "created": config is None, "pending": []}
    interview.store_writer = writer  # read by is_current()

    def sink(text: str) -> None:
        if state["created"]:
            store.add_model_output(sid, state["n"], text, writer=writer)
        else:
            state["pending"].append(text)
        state["n"] += 1

    def on_turn(seq: int, turn: Turn) -> None:
        if state["created"]:
            store.put_turn(sid, seq, turn.as_json(), writer=writer)
            return
        t = interview.transcript
        store.create(sid, t.round, t.track, t.model, config, t.plan, owner=owner, first_turn=(seq, turn.as_json()),
                     model_outputs=state["pending"], writer=writer)
        state["created"], state["pending"] = True, []

    llm.sink = sink
    interview.on_turn = on_turn
    finish = interview.finish

    def finish_and_store() -> dict:
        card = finish()
        if not state["created"]:  # nothing was said: nothing to keep
            return card
        if interview.transcript.turns and interview.transcript.turns[-1].kind == "closing":
            store.put_turn(sid, len(interview.transcript.turns) - 1, interview.transcript.turns[-1].as_json(), writer=writer)
        store.finish(sid, card, writer=writer)
        return card

    interview.finish = finish_and_store


def open_session(app, config: InterviewConfig, store: SessionStore | None = None, owner: str = LOCAL_OWNER) -> Interview:
    """A new stored interview of `owner`; the questions of their recent sessions are left out
    (and come back oldest first when a round has nothing else left)."""
    store = store or app.sessions
    if not config.question_ids:
        recency = {qid: 0.0 for qid in config.avoid}
        recency.update(store.question_recency(owner))
        config = dataclasses.replace(config, avoid=recency)  # a dict: the plan reads when each was asked
    llm = RecordingLLM(app.llm)
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
    llm = RecordingLLM(app.llm, replay=data["model_outputs"])
    interview = app.interview(config, llm=llm)
    stored = [Turn.from_json(t) for t in data["turns"]]
    list(interview.start())
    for turn in stored:
        if turn.role == "candidate" and not interview.done:
            list(interview.answer(turn.text))
    fresh = interview.transcript.turns[len(stored):]
    interview.transcript.turns[: len(stored)] = stored  # keep the original timings
    _attach(interview, store, llm, len(data["model_outputs"]), data.get("owner") or LOCAL_OWNER, writer=writer)
    for offset, turn in enumerate(fresh):
        store.put_turn(data["id"], len(stored) + offset, turn.as_json(), writer=writer)
    if data["status"] == "finished":
        interview.done = True
        interview.transcript.scorecard = data["scorecard"]
    return interview, fresh


def is_current(app, interview) -> bool:
    """False when a stored interview was resumed elsewhere since this process took it (its
    copy here is out of date). An unsaved interview, or a store that cannot be asked, counts
    as current: there is nothing better to offer."""
    writer = getattr(interview, "store_writer", None)
    if writer is None:
        return True
    try:
        return app.sessions.writer_of(interview.transcript.session_id) == writer
    except Exception:  # SessionStoreError, or no store at all: keep the copy in memory
        return True
