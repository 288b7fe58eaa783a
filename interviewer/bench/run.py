"""`interviewer bench`: one scripted interview through the app, the LangChain baseline and raw llama.cpp.

Turn by turn, in one process on one machine: the app answers (the engine with its model),
then the baseline replays the same turn, then raw llama-cpp-python decodes the app's
prompt. Interleaving the three spreads the machine's background load over all of them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Callable

from interviewer.bench.meter import LlamaMeter, MeteredLLM, rss_mb
from interviewer.bench.report import summarise
from interviewer.bench.script import ROUND, answer_for, questions_for
from interviewer.settings import Settings


@dataclass
class AppTurn:
    session: int
    turn: int
    wall_ms: float
    model_ms: float  # inside the model calls
    ttft_ms: float | None  # answer submitted -> first token generated
    visible_ms: float | None  # answer submitted -> first word shown (after validation)
    prompt_tokens: int
    evaluated_tokens: int  # as the model reported it
    metered_tokens: int | None  # as llama.cpp's eval calls counted it
    completion_tokens: int
    decode_ms: float
    calls: int
    messages: list[list[dict]] = field(default_factory=list)
    new_tokens: int | None = None  # prompt tokens not in the session's previous prompt
    evaluated_known: bool = True  # False when a server did not say how much of the prompt it had cached

    @property
    def overhead_ms(self) -> float:
        return self.wall_ms - self.model_ms


def run_bench(settings: Settings, turns: int = 12, sessions: int = 1, progress: Callable[[str], None] | None = None) -> dict:
    say = progress or (lambda message: None)
    began = time.perf_counter()
    load_before = os.getloadavg()
    from interviewer.llm import load_llm
    from interviewer.llm.qualify import qualify

    knowledge, index_built = _built_knowledge(settings, say)
    llm = load_llm(settings)
    verdict = qualify(llm, settings)  # cached per model file; the first run of a model pays for the suite here
    say(f"qualification: {verdict.summary()}")
    cold = cold_start(settings, say)  # a fresh process, index built and model qualified: what `interviewer chat` waits for
    app = MeteredLLM(llm, LlamaMeter(llm.llm) if llm.in_process else None)  # llama.cpp in this process: its eval calls are counted
    opened = _open_sessions(settings, knowledge, app, verdict.phrased, turns, sessions, began)

    say("loading the baseline (LangChain + ChatLlamaCpp) and the raw decoder on the same GGUF...")
    from interviewer.bench.baseline import (
        LangChainBaseline,  # imported now: LangChain is not part of the app's cold start
    )
    from interviewer.bench.raw import RawDecoder

    model_path = settings.resolved_model_path()
    baseline = LangChainBaseline(model_path, knowledge, settings.n_ctx, settings.n_threads, settings.seed, settings.temperature)
    raw = RawDecoder(model_path, settings.n_ctx, settings.n_threads, settings.seed)
    formatter = llm if llm.in_process else _Formatter(raw.llama)
    measured = _measure_turns(opened, app, baseline, raw, formatter, settings.temperature, turns, say)
    _count_new_tokens(measured.app_turns, opened.last_prompt, formatter)

    result = summarise(
        app_turns=measured.app_turns, base_turns=measured.base_turns, raw_decodes=measured.raw_decodes, sessions=sessions, turns=turns,
        shown_turns=measured.shown_turns, cold=cold,
    )
    result.update(_run_facts(settings, llm, model_path, cold, opened, verdict, index_built, load_before, began))
    if llm.in_process:
        result["app"]["session_states"] = {"parked": llm.states.parks, "restored": llm.states.restores}
    baseline.close()
    raw.close()
    return result


@dataclass
class OpenSessions:
    """The interviews measured turn by turn, started and with their first question asked."""

    phrasing: list  # every move worded by the model: the prefix-cache figures against the baseline
    shipped: list  # the moves as qualified: what the candidate feels
    last_prompt: dict[int, list[dict] | None]  # per session, the messages of its latest model call
    cold_start_in_process_s: float
    rss_mb: float | None


@dataclass
class MeasuredTurns:
    app_turns: list[AppTurn] = field(default_factory=list)
    base_turns: list = field(default_factory=list)  # (session, turn, BaselineTurn)
    raw_decodes: list = field(default_factory=list)
    shown_turns: list[dict] = field(default_factory=list)


def _built_knowledge(settings: Settings, say):
    """The knowledge with its index built and the start-up queries cached; and whether the index was built now."""
    from interviewer.knowledge.index import KnowledgeIndex
    from interviewer.knowledge.service import Knowledge

    index = KnowledgeIndex(settings, notice=say)
    index_built = index.ensure()
    knowledge = Knowledge(settings, index=index, ensure_index=False)
    knowledge.prime_queries()  # part of "the index built" (doctor and the first build do it too)
    return knowledge, index_built


def _interview(settings: Settings, knowledge, app: MeteredLLM, session: int, turns: int, moves):
    from interviewer.interview import Interview, InterviewConfig

    config = InterviewConfig(round=ROUND, question_ids=questions_for(session, turns), seed=session, session_id=f"bench-{session}")
    return Interview(config, knowledge, app, settings.prompts_dir, settings.temperature, moves=moves)


def _open_sessions(settings: Settings, knowledge, app: MeteredLLM, qualified, turns: int, sessions: int, began: float) -> OpenSessions:
    """Two copies of each session, answered turn by turn side by side:
    - "shipped": the moves as qualified (the default model words none: templates at once); what the candidate feels;
    - "phrasing": every move worded by the model, as before qualification, so the prefix-cache figures against the
      baseline (prompt tokens, time to first token, decode) stay measured on the model path they are about."""
    from interviewer.llm.qualify import ALL_MOVES

    phrasing = [_interview(settings, knowledge, app, 0, turns, ALL_MOVES)]
    list(phrasing[0].start())
    cold_start_in_process_s = time.perf_counter() - began
    rss_app = rss_mb()
    last_prompt: dict[int, list[dict] | None] = {0: _last_messages(app.take())}
    for s in range(1, sessions):
        phrasing.append(_interview(settings, knowledge, app, s, turns, ALL_MOVES))
        list(phrasing[s].start())
        last_prompt[s] = _last_messages(app.take())
    # The app loads the embedding model in the background while the first question is read; a candidate takes
    # longer to read and answer than it takes to load (8-15 s), so the turns are measured with it loaded.
    knowledge.warm(background=False)
    shipped = [_interview(settings, knowledge, app, s, turns, qualified) for s in range(sessions)]
    for iv in shipped:
        list(iv.start())
    for iv in [*phrasing, *shipped]:  # as the candidate reads the first question, the next ones are prepared
        if iv.prepared is not None:
            iv.prepared.join()
    app.take()
    return OpenSessions(phrasing, shipped, last_prompt, cold_start_in_process_s, rss_app)


def _measure_turns(opened: OpenSessions, app: MeteredLLM, baseline, raw, formatter, temperature: float, turns: int, say) -> MeasuredTurns:
    """Turn by turn: the shipped interviews, then each phrasing interview, the baseline on the same turn, and the raw decoder."""
    measured = MeasuredTurns()
    for k in range(1, turns + 1):
        for s, iv in enumerate(opened.shipped):
            if not iv.done:
                measured.shown_turns.append(_shipped_turn(iv, s, k, app))
        for s, iv in enumerate(opened.phrasing):
            if iv.done:
                continue
            turn, calls, answer = _phrasing_turn(iv, s, k, app)
            measured.app_turns.append(turn)
            if not calls:
                continue  # nothing for the model to do this turn (a template reply): nothing to compare
            first = calls[0]
            stop = first.stop
            measured.base_turns.append(
                (s, k, baseline.turn(first.messages[0]["content"], first.messages[1:-1], first.messages[-1]["content"], answer, first.max_tokens, stop))
            )
            if s == 0:  # the decode ceiling depends on the model and the prompt length, not on the session
                tokens, template_stop = formatter.format(first.messages)
                measured.raw_decodes.append(raw.decode(tokens, first.max_tokens, stop + template_stop, temperature))
        say(f"turn {k}/{turns} done")
    return measured


def _answer_next(iv) -> tuple[str, float, float | None, float]:
    """Give the scripted answer to what the interview asks now: (answer, start, first word shown, seconds in all)."""
    from interviewer.interview import TokenEvent

    question = iv.current.question.id
    attempt = sum(1 for t in iv.transcript.turns if t.role == "candidate" and t.question_id == question)
    answer = answer_for(question, attempt)
    t0 = time.perf_counter()
    shown = None
    for event in iv.answer(answer):
        if shown is None and isinstance(event, TokenEvent):
            shown = time.perf_counter()
    wall = time.perf_counter() - t0
    return answer, t0, shown, wall


def _phrasing_turn(iv, session: int, turn: int, app: MeteredLLM) -> tuple[AppTurn, list, str]:
    """One scripted answer to a phrasing interview: its figures, the model calls it made, and the answer given."""
    answer, t0, shown, wall = _answer_next(iv)
    calls = app.take()
    metered = app.meter is not None
    figures = AppTurn(
        session=session, turn=turn, wall_ms=wall * 1000, model_ms=sum(c.seconds for c in calls) * 1000,
        ttft_ms=((calls[0].started - t0) * 1000 + calls[0].completion.ttft_ms) if calls and calls[0].completion.ttft_ms is not None else None,
        visible_ms=(shown - t0) * 1000 if shown else None,
        prompt_tokens=sum(c.completion.prompt_tokens for c in calls),
        evaluated_tokens=sum(c.completion.evaluated_tokens for c in calls),
        metered_tokens=sum(c.metered_prompt_tokens for c in calls) if metered else None,
        completion_tokens=sum(c.completion.completion_tokens for c in calls),
        decode_ms=sum(c.completion.decode_ms or 0.0 for c in calls),
        calls=len(calls),
        messages=[c.messages for c in calls],
        evaluated_known=all(c.completion.cached_tokens is not None for c in calls),
    )
    return figures, calls, answer


def _count_new_tokens(app_turns: list[AppTurn], last_prompt: dict, formatter) -> None:
    """The tokens each turn added to its session's previous prompt: what an ideal cache would evaluate."""
    for turn in app_turns:
        new = 0
        for messages in turn.messages:
            previous = last_prompt.get(turn.session)
            new += _new_tokens(formatter, previous, messages)
            last_prompt[turn.session] = messages
        turn.new_tokens = new


def _run_facts(settings: Settings, llm, model_path, cold: dict, opened: OpenSessions, verdict, index_built: bool, load_before, began: float) -> dict:
    """What was measured on what: the model, the machine, cold start, memory and time."""
    return {
        "model": llm.name,
        "backend": llm.backend,
        "model_path": str(model_path),
        "n_ctx": settings.n_ctx,
        "n_threads": settings.n_threads,
        "cold_start_s": cold.get("first_question_word_s"),  # fresh process to the first word of the first question
        "cold_start": cold,
        "cold_start_in_process_s": round(opened.cold_start_in_process_s, 2),  # this run, models loaded synchronously (the old figure)
        "qualification": verdict.as_json(),
        "index_built_during_cold_start": index_built,
        "rss_mb": opened.rss_mb,
        "rss_peak_mb": rss_mb(peak=True),
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "seconds": round(time.perf_counter() - began, 1),
    }


def cold_start(settings: Settings, say) -> dict:
    """`python -m interviewer.bench.cold` in a fresh process: seconds from the spawn to the first question's first word."""
    import json
    import subprocess
    import sys

    say("cold start: a fresh process to the first question...")
    model = str(settings.model) if settings.model else ""
    spawned = time.time()
    out = subprocess.run([sys.executable, "-m", "interviewer.bench.cold", str(settings.data_dir), model, repr(spawned)],
                         capture_output=True, text=True, timeout=600, env={**os.environ, **_settings_env(settings)})
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"error": (out.stderr or out.stdout)[-500:]}


def _settings_env(settings: Settings) -> dict[str, str]:
    """The settings a child process needs to open the same model and knowledge (flags are not inherited)."""
    env = {"INTERVIEWER_N_CTX": str(settings.n_ctx), "INTERVIEWER_N_THREADS": str(settings.n_threads), "INTERVIEWER_LLM_BACKEND": settings.llm_backend}
    if settings.llm_base_url:
        env["INTERVIEWER_LLM_BASE_URL"] = settings.llm_base_url
    if settings.embedding_model:
        env["INTERVIEWER_EMBEDDING_MODEL"] = str(settings.embedding_model)
    env["INTERVIEWER_KNOWLEDGE_DIR"] = str(settings.knowledge_dir)
    env["INTERVIEWER_PROMPTS_DIR"] = str(settings.prompts_dir)
    return env


def _shipped_turn(iv, session: int, turn: int, app: MeteredLLM) -> dict:
    """One answer to the interview as shipped: answer submitted -> first word shown, and the grading inside it."""
    judged_before = sum(len(r.assessments) for r in iv.records)
    _, t0, shown, wall = _answer_next(iv)
    # the grader (MiniLM) runs before the reply: its time is part of the first word
    graded_ms = sum(a.grading_ms for a in [a for r in iv.records for a in r.assessments][judged_before:])
    calls = app.take()
    reply = next((t for t in reversed(iv.transcript.turns) if t.role == "interviewer"), None)
    return {
        "session": session, "turn": turn,
        "first_word_ms": round((shown - t0) * 1000, 1) if shown else None,
        "grading_ms": round(graded_ms, 1),
        "wall_ms": round(wall * 1000, 1),
        "model_calls": len(calls),
        "kind": reply.kind if reply else None,
        "phrasing": reply.phrasing if reply else None,
    }


def _last_messages(calls) -> list[dict] | None:
    return calls[-1].messages if calls else None


def _new_tokens(formatter, previous: list[dict] | None, messages: list[dict]) -> int:
    from interviewer.llm.states import common_prefix

    tokens, _ = formatter.format(messages)
    if previous is None:
        return len(tokens)
    before, _ = formatter.format(previous)
    return len(tokens) - common_prefix(before, tokens)


class _Formatter:
    """The GGUF's chat template over a bare Llama, for when the app's model is a server."""

    def __init__(self, llama):
        from interviewer.llm.llamacpp import gguf_chat_formatter

        self.llama = llama
        self.formatter = gguf_chat_formatter(llama)

    def format(self, messages):
        from interviewer.llm.llamacpp import format_chat

        return format_chat(self.llama, self.formatter, messages)
