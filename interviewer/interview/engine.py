"""The Interview: one session's state machine. The CLI, the web page and the evals drive it.

    interview = Interview(InterviewConfig(round="genai"), knowledge, llm, prompts_dir)
    for event in interview.start(): ...          # TokenEvent..., TurnEvent
    for event in interview.answer(text): ...     # after each candidate answer
    card = interview.finish()                    # scorecard dict, also on the transcript

    interview.add_listener(recorder)             # told of each committed turn and of finish (the session store)
    fresh = interview.restore(saved_turns)       # a saved session back, by replaying its answers

Judgement lives here and in the knowledge pack; the LLM only words a step chosen here.
"""

from __future__ import annotations

import itertools
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Protocol

from interviewer import candidate_text as ct
from interviewer.interview.assess import Assessor
from interviewer.interview.followup import FollowUp, claim_follow_up, consistency_follow_up
from interviewer.interview.ledger import ClaimLedger
from interviewer.interview.phrasing import (
    Phrased,
    Prompts,
    check_question,
    check_statement,
    followup_step,
    normalise,
    phrase,
)
from interviewer.interview.plan import PlannedQuestion, pinned_plan, plan_round, tie_to_projects
from interviewer.interview.policy import FollowUpPolicy
from interviewer.interview.rounds import ALL_ROUNDS, ROUNDS
from interviewer.interview.scorecard import QuestionRecord, build_scorecard
from interviewer.interview.transcript import Transcript, Turn
from interviewer.knowledge.bank import TRACKS
from interviewer.knowledge.service import Knowledge
from interviewer.knowledge.wording import load_wording
from interviewer.llm.base import LLM, Message
from interviewer.llm.qualify import MOVES, load_policy
from interviewer.llm.warm import phrased_moves
from interviewer.resume import parse_job_description, parse_resume
from interviewer.text import sentences

HISTORY_TOKEN_SHARE = 0.6  # of the context window; the rest is system prompt, step and output
STATEMENT_TOKENS = 40
QUESTION_TOKENS = 64

# The closing turn: the remark (the model may word it instead), then the scorecard line, which stays fixed.
END_REMARK = "That brings us to the end of the interview."
CLOSING_REMARK = f"{END_REMARK} Thank you for your time."  # a phrased closing has the thanks in its lead-in
SCORECARD_LINE = "Your scorecard follows."
TRANSITIONS = (
    "Thank you. Let's move on to the next question.",
    "Let's switch to a different topic.",
    "Okay, let's continue with another question.",
    "Let's go to the next one.",
)


@dataclass
class TokenEvent:
    text: str


@dataclass
class TurnEvent:
    turn: Turn


class InterviewListener(Protocol):
    """Told what the interview commits, as it commits it: the session store is one (sessions/recorder.py)."""

    def turn_committed(self, seq: int, turn: Turn) -> None:
        """Turn `seq` is on the transcript; called again for the same turn once its timings are known."""

    def finished(self, scorecard: dict) -> None:
        """`finish()` made the scorecard (it is on the transcript)."""


@dataclass
class InterviewConfig:
    round: str = "ml-fundamentals"
    track: str = "general"
    resume: str | None = None
    job_description: str | None = None
    questions: int | None = None  # main questions; default from the round's time budget
    depth: int = 2  # follow-ups per main question at most
    seed: int | None = None
    avoid: set[str] = field(default_factory=set)  # question ids practised recently
    question_ids: list[str] | None = None  # ask exactly these bank questions (practice or tests)
    session_id: str | None = None

    def __post_init__(self):
        if self.round not in ALL_ROUNDS:
            raise ValueError(f"unknown round {self.round!r}; choose one of {', '.join(ALL_ROUNDS)}")
        if self.track not in TRACKS:
            raise ValueError(f"unknown track {self.track!r}; choose one of {', '.join(TRACKS)}")


class Interview:
    def __init__(self, config: InterviewConfig, knowledge: Knowledge, llm: LLM | None, prompts_dir: Path, temperature: float | None = None,
                 moves: frozenset[str] | None = None):
        self.config = config
        self.knowledge = knowledge
        self.llm = llm
        self.prompts = Prompts(prompts_dir)
        self.temperature = temperature
        # Which moves the model words, fixed for the session (a resumed session replays the same calls):
        # the model's qualification (llm/qualify.py), or every move for a bare model passed in directly.
        self.moves = frozenset(moves) if moves is not None else phrased_moves(llm)
        self.lead_ins = load_policy(knowledge.settings.knowledge_dir).lead_ins
        self.assessor = Assessor(knowledge)
        self.criteria = knowledge.curated.criteria
        curated = knowledge.curated
        # Resume and job description are data: parsed for content, instructions inside them dropped.
        self.resume = parse_resume(config.resume, knowledge.settings.knowledge_dir) if config.resume and config.resume.strip() else None
        self.job = None
        if config.job_description and config.job_description.strip():
            self.job = parse_job_description(config.job_description, curated.tracks, _skill_terms(knowledge))
        self.track = self.job.track if self.job and config.track == "general" else config.track
        self.ledger = ClaimLedger(self.resume)
        jd_terms = " ".join(self.job.skills + self.job.teams + ([self.job.role] if self.job.role else [])) if self.job else None
        resume_terms = " ".join(self.resume.terms()) if self.resume else None
        if config.question_ids:
            self.plan = pinned_plan(knowledge, config.question_ids)
        else:
            self.plan = plan_round(knowledge, config.round, self.track, jd_terms, resume_terms, config.questions, config.avoid, config.seed)
        tie_to_projects(self.plan, self.ledger.projects_by_richness(), load_wording(str(knowledge.settings.knowledge_dir)).policy.projects_per_deep_dive)
        self.transcript = Transcript(
            session_id=config.session_id or uuid.uuid4().hex[:12],
            round=config.round,
            track=self.track,
            model=(llm.name if llm else "none"),
            job_description=config.job_description,
            plan=[p.question.id for p in self.plan],
            job=self.job.as_json() if self.job else None,
            resume=_resume_summary(self.resume),
        )
        self.transcript.phrased_moves = [m for m in MOVES if m in self.moves]
        self.records: list[QuestionRecord] = []
        self.index = -1  # position in the plan
        self.depth = 0
        self.stalls = 0  # empty or unusable answers to the current question
        self.asked: set[str] = set()
        self.used_angles: set[str] = set()
        # Unseeded, draw from the session id: a resumed session replays the same wording choices.
        self.policy = FollowUpPolicy(knowledge, config.seed if config.seed is not None else self.transcript.session_id)
        self.challenged: set[str] = set()  # misconceptions already put back to the candidate
        self.history: list[Message] = []
        self._history_tokens: list[int] = []
        self.done = False
        self._transitions = itertools.cycle(TRANSITIONS)
        self._pending_lead: dict[str, str] = {}  # move -> lead-in already shown, waiting for the model's words
        self.prepared = None  # the background preparation of the planned questions, once started
        self.injection_attempts = 0
        self._last_asked: str | None = None  # the open question, repeated after an unusable answer
        self.listeners: list[InterviewListener] = []

    # -- public API ------------------------------------------------------------
    @property
    def current(self) -> PlannedQuestion | None:
        return self.plan[self.index] if 0 <= self.index < len(self.plan) else None

    @property
    def progress(self) -> tuple[int, int]:
        return (max(0, self.index + 1), len(self.plan))

    def add_listener(self, listener: InterviewListener) -> None:
        self.listeners.append(listener)

    def restore(self, turns: list[Turn], scorecard: dict | None = None) -> list[Turn]:
        """Bring a saved session back: replay its candidate answers through a new, unstarted interview.

        The state (plan position, follow-up depth, assessments, ledger) comes back exactly when the
        model passed in answers with the saved model outputs first. The saved turns replace the
        replayed ones (they keep their timings); with `scorecard` the session was finished. Returns
        the turns the replay said beyond the saved ones (a reply lost in a crash), already on the transcript."""
        if self.transcript.turns:
            raise RuntimeError("restore() needs an interview that has not started")
        list(self.start())
        for turn in turns:
            if turn.role == "candidate" and not self.done:
                list(self.answer(turn.text))
        fresh = self.transcript.turns[len(turns):]
        self.transcript.turns[: len(turns)] = turns
        if scorecard is not None:
            self.done = True
            self.transcript.scorecard = scorecard
        return fresh

    def start(self) -> Iterator[TokenEvent | TurnEvent]:
        t0 = time.perf_counter()
        title = ROUNDS[self.plan[0].round].title if self.config.round != "onsite" else "onsite loop"
        fallback = f"Welcome to this mock {title} interview. We will go through {len(self.plan)} main questions, with follow-ups."
        early = yield from self._lead_in("opening")
        opening = self._phrase_statement("opening", self.prompts.render("opening", round_title=title), fallback)
        yield from self._emit(Turn("interviewer", "note", opening.text, phrasing=opening.source), t0, opening, early)
        yield from self._next_question(time.perf_counter(), prefix="")
        self.prepared = self._prepare_in_background()

    def wait_until_prepared(self, timeout: float | None = None) -> None:
        """Until the background preparation started by start() is done (the server's warm-up waits for it)."""
        if self.prepared is not None:
            self.prepared.join(timeout)

    def _prepare_in_background(self):
        """While the candidate reads and answers the first question, read the curated vectors (31 MB, 0.3-0.4 s
        before the first question when read on its path), encode the curated texts of the questions still to come
        and load the injection lexicon: a new question's first grading otherwise waited 4 s for ~30 encodings
        (bench, load ~7), and the first answer 0.9 s for the lexicon."""
        from interviewer.knowledge.embeddings import background, stopping

        def prepare():
            try:
                self.assessor.grader.prepare(self.plan[0].question)
                ct.without_injection("Warm up.")
                for planned in self.plan[1:]:
                    if stopping():
                        return
                    self.assessor.grader.prepare(planned.question)
            except Exception:  # only speed is at stake: the same work happens on demand
                pass

        return background(prepare, "interviewer-prepare")

    def answer(self, text: str | bytes | None) -> Iterator[TokenEvent | TurnEvent]:
        if self.done:
            raise RuntimeError("the interview is over; call finish() for the scorecard")
        t0 = time.perf_counter()
        answer, cut = ct.bound(ct.clean(text))
        candidate = Turn("candidate", "answer", answer, question_id=self.current.question.id if self.current else None)
        self._append(candidate)  # committed before the interviewer replies
        self._remember("user", f"<candidate>{ct.bound(answer, ct.HISTORY_ANSWER_CHARS)[0]}</candidate>")
        yield TurnEvent(candidate)
        note = "Your answer was very long, so I kept the first part. " if cut else ""
        substance = ct.without_injection(answer)
        injected = bool(ct.injection_sentences(answer))
        if injected:
            self.injection_attempts += 1
            note += "I'll stay in my role as your interviewer: scores come only from the substance of your answers. "
        if not re.search(r"\w", substance) or ct.is_gibberish(substance) or ct.is_mostly_non_latin(substance) or ct.is_probably_not_english(substance):
            yield from self._stall(t0, note, answer)
            return
        if self._repeats_earlier(answer):
            note += "That is the same answer you gave before, so let's try something new. "
            self._record(answer)
            yield from self._next_question(t0, prefix=note)
            return
        record = self._record(answer)
        assessment = record.assessments[-1]
        project = self.current.project
        self.policy.heard(sentences(substance))
        self.ledger.record_answer(substance, assessment, project)
        contradiction = self.ledger.check(substance, project, can_raise=self.depth <= self.config.depth)
        if contradiction:
            follow = consistency_follow_up(self.knowledge, contradiction)
            if normalise(follow.text) not in self.asked:
                yield from self._follow_up(follow, t0, note)
                return
        follow = self._choose_follow_up(record, assessment, substance, project)
        if follow is not None:
            yield from self._follow_up(follow, t0, note)
            return
        yield from self._next_question(t0, prefix=note)

    def _choose_follow_up(self, record: QuestionRecord, assessment, substance: str, project: str | None) -> FollowUp | None:
        """A stated misconception first; in story rounds a deflection; then the most important point every answer so
        far clearly missed; after a complete first answer, one level deeper; else move on."""
        if self.depth > self.config.depth:
            return None
        # This answer's wrong statements first, then those of earlier answers to the same question: with one challenge
        # per turn, the second and third misconception of a first answer were never put back once the candidate had
        # replied to the first (8 of 31 stated on the dev adaptive personas were detected and never challenged).
        pending = [*assessment.misconceptions, *(m for a in reversed(record.assessments[:-1]) for m in a.misconceptions)]
        for wrong in pending:
            # A wrong statement is challenged even after the last follow-up (one extra turn): a misconception stated
            # in reply to the second follow-up was otherwise never challenged.
            if wrong.mistake not in self.challenged:
                follow = self.policy.misconception(wrong)
                if follow is not None:
                    self.challenged.add(wrong.mistake)
                    return follow
        if self.depth >= self.config.depth:
            return None
        question = record.question
        claim_probe = None
        if self.ledger.claims and self.knowledge.curated.rounds[self.current.round].probes_claims:
            claim_probe = claim_follow_up(self.knowledge, self.ledger, substance, project, self.asked, self.used_angles)
            if claim_probe is not None and claim_probe[0].kind == "probe:own-contribution":
                return self._take_claim(claim_probe)  # a deflection: what did the candidate do on their own claim
        if assessment.words == 0:
            return None
        probabilities = [max((a.key_points[i].probability for a in record.assessments if i < len(a.key_points)), default=0.0)
                         for i in range(len(question.rubric.key_points))]
        covered = record.covered()
        complete = self.policy.complete(covered)
        if not complete:
            follow = self.policy.missed_point(question, covered, probabilities, project)
            if follow is not None:
                return follow
        if complete and self.depth > 0:
            return None  # complete, and already pushed one level deeper
        if claim_probe is not None:
            return self._take_claim(claim_probe)  # deep dives grill the resume once the rubric has nothing clearly missing
        return self.policy.deeper(question, covered, vague=assessment.vague and not complete)

    def _take_claim(self, found) -> FollowUp:
        follow, claim = found
        self.ledger.mark_probed(claim)
        return follow

    def attach_code_result(self, result: dict) -> None:
        """Record a Run-tests result ({"passed", "total", "failures", ...}) for the current coding question."""
        if not self.records:
            raise RuntimeError("no question has been asked yet")
        if not {"passed", "total"} <= set(result):
            raise ValueError("a code result needs 'passed' and 'total'")
        self.records[-1].code_results.append(dict(result))

    def finish(self) -> dict:
        if not self.done:
            self.done = True
            self._append(Turn("interviewer", "closing", f"{CLOSING_REMARK} {SCORECARD_LINE}"))
        claims = self.ledger.summary() if self.resume is not None else None
        card = build_scorecard(self.records, self.knowledge.curated, claims)
        card["injection_attempts"] = self.injection_attempts
        if claims is not None:
            card["claims"] = claims
        self.transcript.scorecard = card
        for listener in self.listeners:
            listener.finished(card)
        return card

    # -- steps -----------------------------------------------------------------
    def _next_question(self, t0: float, prefix: str) -> Iterator[TokenEvent | TurnEvent]:
        self.index += 1
        self.depth = 0
        self.stalls = 0
        planned = self.current
        if planned is None:
            self.done = True
            early = yield from self._lead_in("closing", prefix)
            title = ROUNDS[self.plan[0].round].title if self.config.round != "onsite" else "onsite loop"
            if "closing" in self.moves:  # the model words the end remark after the lead-in's thanks; the scorecard line stays
                phrased = self._phrase_statement("closing", self.prompts.render("closing", round_title=title), END_REMARK)
            else:
                phrased = Phrased(CLOSING_REMARK, "template", None)
            text = f"{phrased.text} {SCORECARD_LINE}"
            yield from self._emit(Turn("interviewer", "closing", (prefix + text).strip(), phrasing=phrased.source), t0, phrased, early)
            return
        self.records.append(QuestionRecord(planned.question, planned.round))
        # no grader.prepare here: the curated vectors of every planned question are read or encoded in the background
        # from start() on (_prepare_in_background); done here, a quick answer waited for them before the next question
        # was shown (5.8 s in the browser test, on a fresh data directory)
        lead = ""
        early = None
        if self.index > 0:
            changed_round = self.plan[self.index - 1].round != planned.round
            if changed_round:
                lead = f"Next round: {ROUNDS[planned.round].title}. "
            else:
                early = yield from self._lead_in("transition", prefix)
                phrased = self._phrase_statement("transition", self.prompts.get("transition"), next(self._transitions))
                lead = phrased.text + " "
        text = f"{prefix}{lead}{planned.text}".strip()
        turn = Turn("interviewer", "question", text, sources=planned.sources, question_id=planned.question.id)
        self.asked.add(normalise(planned.question.text))
        self.policy.asked(planned.question.text, curated=True)
        self._last_asked = planned.text
        yield from self._emit(turn, t0, None, early)

    def _follow_up(self, follow: FollowUp, t0: float, prefix: str) -> Iterator[TokenEvent | TurnEvent]:
        self.depth += 1
        self.used_angles.add(follow.kind.split(":", 1)[1] if follow.kind.startswith("probe:") else follow.angle)
        self.policy.asked(follow.angle, curated=follow.move in ("key-point", "misconception", "deeper", "concrete"))
        secrets = [kp.text for kp in self.current.question.rubric.key_points]
        if follow.rephrase:
            step = followup_step(self.prompts, follow.angle, follow.anchor)
            phrased = self._phrase("followup", step, lambda t: check_question(t, follow.anchor, secrets, self.asked), follow.text, QUESTION_TOKENS)
        else:
            phrased = Phrased(follow.text, "template", None)
        self.asked.add(normalise(phrased.text))
        self._last_asked = phrased.text
        self.records[-1].follow_ups += 1
        turn = Turn("interviewer", "followup", (prefix + phrased.text).strip(), sources=self.current.sources, question_id=self.current.question.id,
                    phrasing=phrased.source, move=follow.move, targets=list(follow.targets), anchor_sentence=follow.anchor_sentence)
        yield from self._emit(turn, t0, phrased)

    def _stall(self, t0: float, note: str, answer: str) -> Iterator[TokenEvent | TurnEvent]:
        """Empty, unreadable or off-topic input: say so in role, re-ask once, then move on."""
        self.stalls += 1
        if not answer.strip():
            note += "I didn't get an answer there. "
        elif not re.search(r"\w", answer):
            note += "I didn't get an answer in words there. "
        elif ct.is_mostly_non_latin(answer) or ct.is_probably_not_english(answer):
            note += "This mock interview runs in English; please answer in English. "
        elif not ct.injection_sentences(answer):
            note += "I couldn't make sense of that answer. "
        if self.current is None or self.stalls >= 2:
            if self.current is not None:
                self._record(answer)
            yield from self._next_question(t0, prefix=note + "Let's move on. ")
            return
        asked = self._last_asked or self.current.text
        turn = Turn("interviewer", "followup", f"{note}Take your time. The question was: {asked}".strip(), sources=self.current.sources,
                    question_id=self.current.question.id, phrasing="template", move="repeat", targets=[asked])
        yield from self._emit(turn, t0, None)

    # -- helpers ---------------------------------------------------------------
    def _append(self, turn: Turn) -> int:
        self.transcript.turns.append(turn)
        seq = len(self.transcript.turns) - 1
        for listener in self.listeners:
            listener.turn_committed(seq, turn)
        return seq

    def _record(self, answer: str) -> QuestionRecord:
        record = self.records[-1]
        record.answers.append(answer)
        record.assessments.append(self.assessor.assess(answer, record.question, self.criteria))
        return record

    def _repeats_earlier(self, answer: str) -> bool:
        key = normalise(answer)
        return len(key) > 0 and any(normalise(a) == key for r in self.records for a in r.answers)

    def _system(self) -> Message:
        title = ROUNDS[self.plan[0].round].title if self.config.round != "onsite" else "onsite loop"
        return {"role": "system", "content": self.prompts.render("system", round_title=title, track=self.track)}

    def _messages(self, step: str) -> list[Message]:
        self._trim_history()
        return [self._system(), *self.history, {"role": "user", "content": step}]

    def _remember(self, role: str, content: str) -> None:
        self.history.append({"role": role, "content": content})
        self._history_tokens.append(self.llm.count_tokens(content) if self.llm else len(content) // 4)

    def _trim_history(self) -> None:
        """Drop the oldest half at once when over budget, so the cached prefix survives most turns."""
        if not self.llm:
            return
        budget = int(self.llm.n_ctx * HISTORY_TOKEN_SHARE)
        while self.history and sum(self._history_tokens) > budget:
            cut = max(2, len(self.history) // 2)
            cut += cut % 2  # keep interviewer/candidate pairs together
            del self.history[:cut]
            del self._history_tokens[:cut]

    def _phrase(self, move: str, step: str, check, fallback: str, max_tokens: int) -> Phrased:
        """The model's wording of `move` when the model is qualified for it, validated; else the template at once, no call."""
        if move not in self.moves:
            return Phrased(fallback, "template", None)
        lead = self._pending_lead.pop(move, None)
        phrased = phrase(self.llm, self._messages(step), check, fallback, max_tokens, self.temperature)
        if lead:  # already on screen: the model's text follows it, or the template without the lead-in's words
            rest = _after_lead(phrased.text, lead)
            phrased.text = f"{lead} {rest}".strip()
        return phrased

    def _phrase_statement(self, move: str, step: str, fallback: str) -> Phrased:
        secrets = [kp.text for p in self.plan for kp in p.question.rubric.key_points]
        return self._phrase(move, step, lambda t: check_statement(t, secrets, step), fallback, STATEMENT_TOKENS)

    def _lead_in(self, move: str, prefix: str = "") -> Iterator[TokenEvent]:
        """For a qualified move, show the turn's fixed start (notes, the move's lead-in) before the model runs.

        Returns (streamed text, time shown) for `_emit`, or None when nothing was shown early. Only text
        that is true whatever the model then writes is shown before validation; the model's words wait
        for it (docs/performance.md)."""
        lead = self.lead_ins.get(move, "")
        if move not in self.moves or not (lead or prefix.strip()):
            return None
        shown = time.perf_counter()
        streamed = prefix + (f"{lead} " if lead else "")
        for piece in _pieces(streamed.rstrip()):
            yield TokenEvent(piece)
        if lead:
            self._pending_lead[move] = lead
        return (streamed, shown)

    def _emit(self, turn: Turn, t0: float, phrased: Phrased | None, early: tuple[str, float] | None = None) -> Iterator[TokenEvent | TurnEvent]:
        """Commit a validated turn, stream it word by word (after what `_lead_in` already showed), then the finished turn with its timings."""
        if phrased and phrased.rejected:
            turn.rejected = phrased.rejected
        if phrased and phrased.completion:
            turn.prompt_tokens = phrased.completion.prompt_tokens
            turn.evaluated_tokens = phrased.completion.evaluated_tokens
        seq = self._append(turn)
        first = None
        text = turn.text
        if early is not None:
            streamed, first = early
            shown = streamed.rstrip()
            if text.startswith(shown):
                text = text[len(shown):]
                if text.startswith(" "):
                    yield TokenEvent(" ")
                    text = text[1:]
        for piece in _pieces(text) if text else ():
            if first is None:
                first = time.perf_counter()
            yield TokenEvent(piece)
        end = time.perf_counter()
        turn.ttft_ms = round(((first or end) - t0) * 1000, 1)
        turn.total_ms = round((end - t0) * 1000, 1)
        for listener in self.listeners:
            listener.turn_committed(seq, turn)  # again, now with timings
        self._remember("assistant", turn.text)
        yield TurnEvent(turn)


def _skill_terms(knowledge: Knowledge) -> list[str]:
    from interviewer.resume.claims import vocabulary

    vocab = vocabulary(str(knowledge.settings.knowledge_dir))
    emphasis = [e for t in knowledge.curated.tracks.values() for e in t.emphasis]
    return list(vocab["techniques"]) + list(vocab["tools"]) + emphasis


def _resume_summary(resume) -> dict | None:
    if resume is None:
        return None
    return {
        "projects": [{"title": p.title, "section": p.section, "claims": len(p.claims)} for p in resume.projects],
        "claims": len(resume.claims),
        "ignored_instructions": len(resume.injection_lines),
    }


def _after_lead(text: str, lead: str) -> str:
    """`text` without a repeat of the lead-in already shown ("Thank you." then "Thank you, let's ...")."""
    lead_words = normalise(lead).split()
    words = text.split(" ")
    if lead_words and normalise(" ".join(words[: len(lead_words)])).split() == lead_words:
        rest = " ".join(words[len(lead_words):]).lstrip(" ,.;:-")
        return rest[:1].upper() + rest[1:] if rest else rest
    return text


def _pieces(text: str) -> Iterator[str]:
    words = text.split(" ")
    for i, w in enumerate(words):
        yield w if i == len(words) - 1 else w + " "
