"""Hidden assessment of one answer: rubric coverage, answer signals, criterion evidence.

Coverage needs both kinds of evidence to agree unless one is strong: a keyword alone
is easy to name-drop, and embedding similarity alone is fooled by topical waffle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from interviewer.candidate_text import injection_sentences, substantive_sentences, words
from interviewer.knowledge.bank import BankQuestion, Criterion
from interviewer.knowledge.service import Knowledge

SIM_WITH_KEYWORD = 0.35
SIM_ALONE = 0.60

_NUMBER = re.compile(r"\b\d+(\.\d+)?\s*(%|ms|s|x|k|m|b|gb|mb|kb|fps|hz|million|billion|percent|points?)?\b|\b\d+e-?\d+\b", re.I)
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
class KeyPointResult:
    text: str
    covered: bool
    similarity: float
    keywords_found: list[str]
    evidence: str | None  # verbatim sentence from the answer


@dataclass
class AnswerAssessment:
    question_id: str | None
    words: int
    key_points: list[KeyPointResult] = field(default_factory=list)
    numbers: int = 0
    reasons: int = 0
    tradeoffs: int = 0
    structure: int = 0
    star: list[str] = field(default_factory=list)
    fillers: int = 0
    injection: bool = False
    evidence: dict[str, list[str]] = field(default_factory=dict)  # criterion id -> verbatim quotes

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


class Assessor:
    def __init__(self, knowledge: Knowledge):
        self.knowledge = knowledge

    def _key_point_vectors(self, q: BankQuestion) -> np.ndarray:
        return self.knowledge.embed_known([kp.text for kp in q.rubric.key_points])

    def assess(self, answer: str, question: BankQuestion | None, criteria: list[Criterion]) -> AnswerAssessment:
        sents = substantive_sentences(answer)
        scored_text = " ".join(sents)
        result = AnswerAssessment(question.id if question else None, len(words(scored_text)), injection=bool(injection_sentences(answer)))
        low = scored_text.lower()
        result.numbers = len(_NUMBER.findall(scored_text))
        result.reasons = len(_REASON.findall(scored_text))
        result.tradeoffs = len(_TRADEOFF.findall(scored_text))
        result.structure = len(_STRUCTURE.findall(scored_text))
        result.star = [part for part, rx in _STAR.items() if rx.search(scored_text)]
        result.fillers = len(_FILLER.findall(scored_text))
        if question is not None:
            result.key_points = self._coverage(question, sents, low)
        for crit in criteria:
            quotes = [s for s in sents if any(_keyword_found(sig.lower(), s.lower()) for sig in crit.signals)]
            result.evidence[crit.id] = quotes[:3]
        return result

    def _coverage(self, q: BankQuestion, sents: list[str], low: str) -> list[KeyPointResult]:
        kp_vecs = self._key_point_vectors(q)
        sims = np.zeros((len(q.rubric.key_points), max(1, len(sents))), dtype=np.float32)
        if sents:
            sims = kp_vecs @ self.knowledge.embed(sents[:60]).T
        results = []
        for i, kp in enumerate(q.rubric.key_points):
            found = [k for k in kp.keywords if _keyword_found(k, low)]
            best = int(np.argmax(sims[i])) if sents else -1
            sim = float(sims[i][best]) if sents else 0.0
            covered = bool(sents) and ((found and sim >= SIM_WITH_KEYWORD) or sim >= SIM_ALONE or len(found) >= 2)
            evidence = None
            if covered:
                keyword_sents = [s for s in sents if any(_keyword_found(k, s.lower()) for k in found)]
                evidence = keyword_sents[0] if keyword_sents else sents[best]
            results.append(KeyPointResult(kp.text, covered, round(sim, 3), found, evidence))
        return results
