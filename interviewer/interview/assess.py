"""Hidden assessment of one answer: rubric key points and misconceptions (from the grader), answer signals,
and the sentences that evidence each criterion."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from interviewer.candidate_text import injection_sentences, substantive_sentences
from interviewer.interview.grader import Grader, MisconceptionFound, PointGrade
from interviewer.knowledge.bank import BankQuestion, Criterion
from interviewer.knowledge.service import Knowledge
from interviewer.text import NUMBER, words

_REASON = re.compile(r"\b(because|since|so that|therefore|which means|due to|the reason|in order to|that's why|thus)\b", re.I)
_TRADEOFF = re.compile(r"\b(trade-?offs?|however|versus|vs\.?|on the other hand|at the cost of|downside|instead of|alternatively|but)\b", re.I)
_STRUCTURE = re.compile(r"\b(first|second|third|finally|then|next|situation|task|action|result|step \d)\b", re.I)
_STAR = {
    "situation": re.compile(r"\b(situation|context|at my|when i was|we were|the team was|last year|in \d{4})\b", re.I),
    "task": re.compile(r"\b(task|goal|my job|i was asked|responsible|needed to|had to)\b", re.I),
    "action": re.compile(r"\b(i (built|wrote|led|designed|proposed|decided|ran|measured|talked|met|changed|added|set up|implemented|created|organized|organised))\b", re.I),
    "result": re.compile(r"\b(result|outcome|reduced|improved|increased|cut|saved|shipped|launched|learned|learnt)\b", re.I),
}
_FILLER = re.compile(r"\b(um+|uh+|like,|you know|basically|kind of|sort of|i guess|stuff|things like that)\b", re.I)


@dataclass
class AnswerAssessment:
    question_id: str | None
    words: int
    key_points: list[PointGrade] = field(default_factory=list)
    misconceptions: list[MisconceptionFound] = field(default_factory=list)
    hedges: int = 0
    numbers: int = 0
    reasons: int = 0
    tradeoffs: int = 0
    structure: int = 0
    star: list[str] = field(default_factory=list)
    fillers: int = 0
    injection: bool = False
    evidence: dict[str, list[str]] = field(default_factory=dict)  # criterion id -> verbatim quotes
    grading_ms: float = 0.0  # time spent judging it (the bench reports it inside answer -> first word)

    @property
    def coverage(self) -> float:
        if not self.key_points:
            return 0.0
        return sum(kp.covered for kp in self.key_points) / len(self.key_points)

    @property
    def vague(self) -> bool:
        return self.words < 25 or (self.numbers == 0 and self.reasons == 0 and self.tradeoffs == 0)


def _keyword_found(keyword: str, low: str) -> bool:
    return re.search(r"(?<![a-z0-9])" + re.escape(keyword) + r"(?![a-z0-9])", low) is not None


_HEDGE = re.compile(r"\b(i think maybe|not sure|i guess|i don't know|i do not know|i don't remember|i'd have to check|no idea|if i remember)\b", re.I)


class Assessor:
    def __init__(self, knowledge: Knowledge, grader: Grader | None = None):
        self.knowledge = knowledge
        self.grader = grader or Grader(knowledge)

    def assess(self, answer: str, question: BankQuestion | None, criteria: list[Criterion]) -> AnswerAssessment:
        started = time.perf_counter()
        sents = substantive_sentences(answer)
        scored_text = " ".join(sents)
        result = AnswerAssessment(question.id if question else None, len(words(scored_text)), injection=bool(injection_sentences(answer)))
        result.numbers = len(NUMBER.findall(scored_text))
        result.reasons = len(_REASON.findall(scored_text))
        result.tradeoffs = len(_TRADEOFF.findall(scored_text))
        result.structure = len(_STRUCTURE.findall(scored_text))
        result.star = [part for part, rx in _STAR.items() if rx.search(scored_text)]
        result.fillers = len(_FILLER.findall(scored_text))
        result.hedges = len(_HEDGE.findall(scored_text))
        if question is not None:
            result.key_points, result.misconceptions = self.grader.grade(sents, question)
        wrong = {m.quote for m in result.misconceptions}
        for crit in criteria:  # a sentence that states a misconception is never evidence for a criterion
            quotes = [s for s in sents if s not in wrong and any(_keyword_found(sig.lower(), s.lower()) for sig in crit.signals)]
            result.evidence[crit.id] = quotes[:3]
        result.grading_ms = round((time.perf_counter() - started) * 1000, 1)
        return result
