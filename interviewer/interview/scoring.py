"""From graded answers to criterion scores: a few interpretable features per question, a weighted sum per criterion,
cut-offs to the 1-4 scale. The weights, cut-offs and penalties are data (the `scoring` block of
knowledge/criteria.yaml), fitted on the dev part of the labelled answers; the features' scales are its `features` block,
and which rounds are technical is knowledge/rounds.yaml."""

from __future__ import annotations

from dataclasses import dataclass

from interviewer.interview.assess import AnswerAssessment
from interviewer.knowledge.bank import FeatureScales, Scoring

SCORING_FEATURES = (  # the counted ones reach 1 at their scale in knowledge/criteria.yaml (`features`)
    "coverage",  # share of the question's key points covered, over the main answer and its follow-ups
    "confidence",  # mean grader probability of the key points: partial credit for near misses
    "misconceptions",  # distinct stated misconceptions, 0..1
    "numbers",  # concrete figures given
    "reasoning",  # because / trade-off language, 0..1
    "structure",  # ordered or STAR-shaped telling, 0..1
    "signals",  # sentences with the criterion's own signals (latency, privacy, derivation, ...), 0..1
    "hedges",  # "not sure", "I guess", 0..1
    "length",  # words, 0..1
    "technical",  # 1 for a technical round's question (knowledge/rounds.yaml)
)


@dataclass
class QuestionEvidence:
    """What one question's answers showed, as scoring features."""

    features: dict[str, float]
    signals: dict[str, float]  # criterion id -> signal feature


def question_features(assessments: list[AnswerAssessment], criterion_ids: list[str], *, technical: bool, scales: FeatureScales) -> QuestionEvidence:
    """`technical`: the question's round is a technical one (knowledge.curated.rounds[round].technical)."""
    n = max((len(a.key_points) for a in assessments), default=0)
    covered = [False] * n
    confidence = [0.0] * n
    for a in assessments:
        for i, kp in enumerate(a.key_points[:n]):
            covered[i] = covered[i] or kp.covered
            confidence[i] = max(confidence[i], kp.probability)
    words = sum(a.words for a in assessments)
    misconceptions = len({m.mistake for a in assessments for m in a.misconceptions})
    features = {
        "coverage": sum(covered) / n if n else 0.0,
        "confidence": sum(confidence) / n if n else 0.0,
        "misconceptions": min(1.0, misconceptions / scales.misconceptions),
        "numbers": float(any(a.numbers for a in assessments)),
        "reasoning": min(1.0, sum(a.reasons + a.tradeoffs for a in assessments) / scales.reasoning),
        "structure": min(1.0, max((max(a.structure, len(a.star)) for a in assessments), default=0) / scales.structure),
        "signals": 0.0,
        "hedges": min(1.0, sum(a.hedges for a in assessments) / scales.hedges),
        "length": min(1.0, words / scales.length),
        "technical": float(technical),
    }
    signals = {cid: min(1.0, sum(len(a.evidence.get(cid, [])) for a in assessments) / scales.signals) for cid in criterion_ids}
    return QuestionEvidence(features, signals)


def criterion_basis(evidence: QuestionEvidence, scoring: Scoring, criterion_id: str) -> float:
    """The criterion's continuous score (about 1-4) for one question."""
    model = scoring.criteria[criterion_id]
    features = {**evidence.features, "signals": evidence.signals.get(criterion_id, 0.0)}
    return model.bias + sum(w * features[f] for f, w in model.weights.items())


def overall_basis(evidence: QuestionEvidence, scoring: Scoring) -> float:
    features = {**evidence.features, "signals": sum(evidence.signals.values()) / max(1, len(evidence.signals))}
    return scoring.overall.bias + sum(w * features[f] for f, w in scoring.overall.weights.items())


def to_level(basis: float, scoring: Scoring) -> int:
    """1-4 by the cut-offs: a basis at or above the k-th cut-off earns level k + 1."""
    return 1 + sum(basis >= c for c in scoring.cutoffs)


def clip_overall(value: float) -> float:
    return round(min(4.0, max(1.0, value)), 2)
