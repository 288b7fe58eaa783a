"""The Interview: one session's state machine. The CLI, the web page and the evals drive it.

    interview = Interview(InterviewConfig(round="genai"), knowledge, llm, prompts_dir)
    for event in interview.start(): ...          # TokenEvent..., TurnEvent
    for event in interview.answer(text): ...     # after each candidate answer
    card = interview.finish()                    # scorecard dict, also on the transcript

Judgement lives here and in the knowledge pack; the LLM only words a step chosen here.
"""

from __future__ import annotations

import itertools
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from interviewer import candidate_text as ct
from interviewer.interview.assess import Assessor
from interviewer.interview.followup import (
    PROBE_ROUNDS,
    FollowUp,
    choose_follow_up,
    claim_follow_up,
    consistency_follow_up,
    misconception_follow_up,
    should_follow_up,
)
from interviewer.interview.ledger import ClaimLedger
from interviewer.interview.phrasing import Phrased, Prompts, check_question, check_statement, normalise, phrase
from interviewer.interview.plan import PlannedQuestion, pinned_plan, plan_round, tie_to_projects
from interviewer.interview.rounds import ALL_ROUNDS, ROUNDS
from interviewer.interview.scorecard import QuestionRecord, build_scorecard
from interviewer.interview.transcript import Transcript, Turn
from interviewer.knowledge.bank import TRACKS
from interviewer.knowledge.service import Knowledge
from interviewer.llm.base import LLM, Message
from interviewer.resume import parse_job_description, parse_resume

HISTORY_TOKEN_SHARE = 0.6  # of the context window; the rest is system prompt, step and output
STATEMENT_TOKENS = 40
QUESTION_TOKENS = 64

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
    def __init__(self, config: InterviewConfig, knowledge: Knowledge, llm: LLM | None, prompts_dir: Path, temperature: float = 0.3):
        self.config = config
        self.knowledge = knowledge
        self.llm = llm
        self.prompts = Prompts(prompts_dir)
        self.temperature = temperature
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
        tie_to_projects(self.plan, self.ledger.projects_by_richness())
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
        self.records: list[QuestionRecord] = []
        self.index = -1  # position in the plan
        self.depth = 0
        self.stalls = 0  # empty or unusable answers to the current question
        self.asked: set[str] = set()
        self.used_angles: set[str] = set()
        self.used_anchors: set[str] = set()
        self.challenged: set[str] = set()  # misconceptions already put back to the candidate
        self.history: list[Message] = []
        self._history_tokens: list[int] = []
        self.done = False
        self._transitions = itertools.cycle(TRANSITIONS)
        self.injection_attempts = 0
        self._last_asked: str | None = None  # the open question, repeated after an unusable answer
        self.on_turn: Callable[[int, Turn], None] | None = None  # the session store listens here

    # -- public API ------------------------------------------------------------
    @property
    def current(self) -> PlannedQuestion | None:
        return self.plan[self.index] if 0 <= self.index < len(self.plan) else None

    @property
    def progress(self) -> tuple[int, int]:
        return (max(0, self.index + 1), len(self.plan))

    def start(self) -> Iterator[TokenEvent | TurnEvent]:
        t0 = time.perf_counter()
        title = ROUNDS[self.plan[0].round].title if self.config.round != "onsite" else "onsite loop"
        fallback = f"Welcome to this mock {title} interview. We will go through {len(self.plan)} main questions, with follow-ups."
        opening = self._phrase_statement(self.prompts.render("opening", round_title=title), fallback)
        yield from self._emit(Turn("interviewer", "note", opening.text, phrasing=opening.source), t0, opening)
        yield from self._next_question(time.perf_counter(), prefix="")

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
        self.ledger.record_answer(substance, assessment, project)
        contradiction = self.ledger.check(substance, project, can_raise=self.depth <= self.config.depth)
        if contradiction:
            follow = consistency_follow_up(self.knowledge, contradiction)
            if normalise(follow.text) not in self.asked:
                yield from self._follow_up(follow, t0, note)
                return
        for wrong in assessment.misconceptions:  # a stated misconception is challenged before anything else is asked
            if self.depth >= self.config.depth or wrong.mistake in self.challenged:
                break
            follow = misconception_follow_up(wrong, self.asked)
            if follow is not None:
                self.challenged.add(wrong.mistake)
                yield from self._follow_up(follow, t0, note)
                return
        if should_follow_up(assessment, record.coverage, self.depth, self.config.depth, self.current.round):
            if self.ledger.claims and self.current.round in PROBE_ROUNDS:
                found = claim_follow_up(self.knowledge, self.ledger, substance, project, self.asked, self.used_angles)
                if found is not None:
                    follow, claim = found
                    self.ledger.mark_probed(claim)
                    yield from self._follow_up(follow, t0, note)
                    return
            missing = [kp.text for kp, ok in zip(record.question.rubric.key_points, record.covered()) if not ok]
            follow = choose_follow_up(
                self.knowledge, substance, record.question, assessment, missing, self.current.round, self.asked, self.used_angles, self.used_anchors
            )
            if follow is not None:
                yield from self._follow_up(follow, t0, note)
                return
        yield from self._next_question(t0, prefix=note)

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
            closing = "That brings us to the end of the interview. Thank you for your time; your scorecard follows."
            self._append(Turn("interviewer", "closing", closing))
        claims = self.ledger.summary() if self.resume is not None else None
        card = build_scorecard(self.records, self.criteria, self.knowledge.curated.scoring, claims)
        card["injection_attempts"] = self.injection_attempts
        if claims is not None:
            card["claims"] = claims
        self.transcript.scorecard = card
        return card

    # -- steps -----------------------------------------------------------------
    def _next_question(self, t0: float, prefix: str) -> Iterator[TokenEvent | TurnEvent]:
        self.index += 1
        self.depth = 0
        self.stalls = 0
        planned = self.current
        if planned is None:
            self.done = True
            closing = prefix + "That brings us to the end of the interview. Thank you for your time; your scorecard follows."
            yield from self._emit(Turn("interviewer", "closing", closing.strip()), t0, None)
            return
        self.records.append(QuestionRecord(planned.question, planned.round))
        self.assessor.grader.prepare(planned.question)  # curated vectors now, so grading the answer is one encoder call
        lead = ""
        if self.index > 0:
            changed_round = self.plan[self.index - 1].round != planned.round
            if changed_round:
                lead = f"Next round: {ROUNDS[planned.round].title}. "
            else:
                phrased = self._phrase_statement(self.prompts.get("transition"), next(self._transitions))
                lead = phrased.text + " "
        text = f"{prefix}{lead}{planned.text}".strip()
        turn = Turn("interviewer", "question", text, sources=planned.sources, question_id=planned.question.id)
        self.asked.add(normalise(planned.question.text))
        self._last_asked = planned.text
        yield from self._emit(turn, t0, None)

    def _follow_up(self, follow: FollowUp, t0: float, prefix: str) -> Iterator[TokenEvent | TurnEvent]:
        self.depth += 1
        self.used_angles.add(follow.kind.split(":", 1)[1] if follow.kind.startswith("probe:") else follow.angle)
        self.used_anchors.add(follow.anchor.lower())
        secrets = [kp.text for kp in self.current.question.rubric.key_points]
        if follow.rephrase:
            step = self.prompts.render("followup", anchor=follow.anchor, angle=follow.angle)
            phrased = self._phrase(step, lambda t: check_question(t, follow.anchor, secrets, self.asked), follow.text, QUESTION_TOKENS)
        else:
            phrased = Phrased(follow.text, "template", None)
        self.asked.add(normalise(phrased.text))
        self._last_asked = phrased.text
        self.records[-1].follow_ups += 1
        turn = Turn("interviewer", "followup", (prefix + phrased.text).strip(), sources=self.current.sources, question_id=self.current.question.id, phrasing=phrased.source)
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
        turn = Turn("interviewer", "followup", f"{note}Take your time. The question was: {self._last_asked or self.current.text}".strip(), sources=self.current.sources, question_id=self.current.question.id, phrasing="template")
        yield from self._emit(turn, t0, None)

    # -- helpers ---------------------------------------------------------------
    def _append(self, turn: Turn) -> int:
        self.transcript.turns.append(turn)
        seq = len(self.transcript.turns) - 1
        if self.on_turn:
            self.on_turn(seq, turn)
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
        budget = int(getattr(self.llm, "n_ctx", 4096) * HISTORY_TOKEN_SHARE)
        while self.history and sum(self._history_tokens) > budget:
            cut = max(2, len(self.history) // 2)
            cut += cut % 2  # keep interviewer/candidate pairs together
            del self.history[:cut]
            del self._history_tokens[:cut]

    def _phrase(self, step: str, check, fallback: str, max_tokens: int) -> Phrased:
        return phrase(self.llm, self._messages(step), check, fallback, max_tokens, self.temperature)

    def _phrase_statement(self, step: str, fallback: str) -> Phrased:
        secrets = [kp.text for p in self.plan for kp in p.question.rubric.key_points]
        return self._phrase(step, lambda t: check_statement(t, secrets, step), fallback, STATEMENT_TOKENS)

    def _emit(self, turn: Turn, t0: float, phrased: Phrased | None) -> Iterator[TokenEvent | TurnEvent]:
        """Commit a validated turn, stream it word by word, then the finished turn with its timings."""
        if phrased and phrased.rejected:
            turn.rejected = phrased.rejected
        if phrased and phrased.completion:
            turn.prompt_tokens = phrased.completion.prompt_tokens
            turn.evaluated_tokens = phrased.completion.evaluated_tokens
        seq = self._append(turn)
        first = None
        for piece in _pieces(turn.text):
            if first is None:
                first = time.perf_counter()
            yield TokenEvent(piece)
        end = time.perf_counter()
        turn.ttft_ms = round(((first or end) - t0) * 1000, 1)
        turn.total_ms = round((end - t0) * 1000, 1)
        if self.on_turn:
            self.on_turn(seq, turn)  # again, now with timings
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


def _pieces(text: str) -> Iterator[str]:
    words = text.split(" ")
    for i, w in enumerate(words):
        yield w if i == len(words) - 1 else w + " "
