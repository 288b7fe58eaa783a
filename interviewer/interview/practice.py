"""Practise one bank question: how one answer would be judged, without an interview around it.

`grade_answer` returns the stable contract that `interviewer grade --json` prints (fields are added, never renamed):
    {"question_id", "question", "key_points": [{"text", "covered", "evidence"}], "misconceptions": [{"quote", "correction"}],
     "criteria": {"technical-depth": 1-4, ...}, "overall": float}
"""

from __future__ import annotations

from interviewer import candidate_text as ct
from interviewer.interview.assess import Assessor
from interviewer.interview.scoring import clip_overall, criterion_basis, overall_basis, question_features, to_level
from interviewer.knowledge.service import Knowledge


class UnknownQuestion(ValueError):
    """The id is not in the question bank."""


def grade_answer(knowledge: Knowledge, question_id: str, answer: str | bytes | None, assessor: Assessor | None = None) -> dict:
    question = knowledge.curated.questions.get(question_id)
    if question is None:
        raise UnknownQuestion(f"unknown question id {question_id!r}; `interviewer search --kind question QUERY` finds ids")
    text, cut = ct.bound(ct.clean(answer))
    criteria = knowledge.curated.criteria
    scoring = knowledge.curated.scoring
    assessment = (assessor or Assessor(knowledge)).assess(text, question, criteria)
    answered = assessment.words > 0
    evidence = question_features([assessment], [c.id for c in criteria], technical=knowledge.curated.rounds[question.round].technical,
                                 scales=knowledge.curated.feature_scales)
    return {
        "question_id": question.id,
        "question": question.text,
        "round": question.round,
        "key_points": [{"text": kp.text, "covered": kp.covered, "evidence": kp.evidence} for kp in assessment.key_points],
        "misconceptions": [{"quote": m.quote, "correction": m.correction, "mistake": m.mistake} for m in assessment.misconceptions],
        "criteria": {c.id: (to_level(criterion_basis(evidence, scoring, c.id), scoring) if answered else 1) for c in criteria},
        "overall": clip_overall(overall_basis(evidence, scoring)) if answered else 1.0,
        "ignored_instructions": len(ct.injection_sentences(text)),
        "truncated": cut,
    }

