"""The end-of-interview scorecard: the guide's four criteria scored 1-4 with verbatim evidence,
missed key points per question, and the guide sections to review."""

from __future__ import annotations

from dataclasses import dataclass, field

from interviewer.interview.assess import AnswerAssessment
from interviewer.interview.scoring import (
    clip_overall,
    criterion_basis,
    overall_basis,
    question_features,
    to_level,
)
from interviewer.knowledge.bank import BankQuestion, Criterion, CuratedKnowledge, RoundFacts, ScorecardRules, Scoring


@dataclass
class QuestionRecord:
    question: BankQuestion
    round: str
    answers: list[str] = field(default_factory=list)
    assessments: list[AnswerAssessment] = field(default_factory=list)
    follow_ups: int = 0
    code_results: list[dict] = field(default_factory=list)  # {"passed": int, "total": int, ...} per Run tests

    def covered(self) -> list[bool]:
        n = len(self.question.rubric.key_points)
        flags = [False] * n
        for a in self.assessments:
            for i, kp in enumerate(a.key_points[:n]):
                flags[i] = flags[i] or kp.covered
        return flags

    @property
    def coverage(self) -> float:
        flags = self.covered()
        return sum(flags) / len(flags) if flags else 0.0

    @property
    def answered(self) -> bool:
        """A question the interview ended on, before any answer, is not the candidate's gap."""
        return any(a.words > 0 for a in self.assessments)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def build_scorecard(records: list[QuestionRecord], curated: CuratedKnowledge, claims: dict | None = None) -> dict:
    """The scorecard of `records`, by the criteria, scoring and scorecard rules of the knowledge pack."""
    criteria, scoring, rules, rounds = curated.criteria, curated.scoring, curated.scorecard_rules, curated.rounds
    answered = [r for r in records if r.answered]
    ids = [c.id for c in criteria]
    evidence = [question_features(r.assessments, ids, technical=rounds[r.round].technical, scales=curated.feature_scales) for r in answered]
    deductions = _deductions(claims, scoring)
    out_criteria = []
    quoted: set[str] = set()  # a sentence already quoted for one criterion is the last choice for the next
    for c in criteria:
        bases = [criterion_basis(e, scoring, c.id) for e in evidence]
        value = _mean(bases) if bases else 1.0
        if c.id == "engineering-excellence":
            value = _with_code_runs(value, records, scoring)
        value -= deductions.get(c.id, 0.0)
        score = to_level(value, scoring) if answered else 1
        ranked = _criterion_quotes(c, answered, rules, rounds) if score > 1 else []
        quotes = ([q for q in ranked if q not in quoted] + [q for q in ranked if q in quoted])[: rules.quotes_per_criterion]
        quoted.update(quotes)
        out_criteria.append({"id": c.id, "name": c.name, "score": score, "level": c.levels[score], "evidence": quotes, "basis": round(value, 3)})
    overall = clip_overall(_mean([overall_basis(e, scoring) for e in evidence]) - deductions.get("overall", 0.0)) if answered else 1.0
    misconceptions = [
        {"quote": m.quote, "mistake": m.mistake, "correction": m.correction, "question": r.question.text, "question_id": r.question.id}
        for r in answered for a in r.assessments for m in a.misconceptions
    ]
    questions = []
    for r in records:
        flags = r.covered()
        points = r.question.rubric.key_points
        questions.append(
            {
                "question_id": r.question.id,
                "question": r.question.text,
                "round": r.round,
                "coverage": round(r.coverage, 3),
                "covered": [kp.text for kp, f in zip(points, flags, strict=False) if f],
                "missed": [kp.text for kp, f in zip(points, flags, strict=False) if not f] if r.answered else [],
                "answered": r.answered,
                "code_results": r.code_results,
            }
        )
    card = {
        "overall": overall,
        "criteria": out_criteria,
        "misconceptions": misconceptions,
        "strengths": _strengths(out_criteria, questions, rules),
        "gaps": _gaps(out_criteria, questions, misconceptions, rules),
        "questions": questions,
        "review": _review(out_criteria, answered, criteria, rules, rounds),
    }
    return card


def _with_code_runs(value: float, records: list[QuestionRecord], scoring: Scoring) -> float:
    """Working code is the strongest engineering evidence a coding round has: the last run per question counts."""
    runs = [r.code_results[-1] for r in records if r.code_results]
    rates = [run["passed"] / run["total"] for run in runs if run.get("total")]
    if not rates:
        return value
    weight = scoring.code_run_weight
    return (1 - weight) * value + weight * (1 + 3 * _mean(rates))


def _deductions(claims: dict | None, scoring: Scoring) -> dict[str, float]:
    out: dict[str, float] = {}
    if not claims:
        return out
    for kind, key in (("contradiction", "contradictions"), ("deflection", "deflections")):
        count = len(claims.get(key) or [])
        for cid, per in scoring.penalties.get(kind, {}).items():
            out[cid] = out.get(cid, 0.0) + per * count
    return out


def _criterion_quotes(c: Criterion, records: list[QuestionRecord], rules: ScorecardRules, rounds: dict[str, RoundFacts]) -> list[str]:
    """The sentences that best support a criterion: covered key points' evidence that also carries the
    criterion's signals first, then other covered evidence of a round the criterion reads, then signal sentences."""
    ranked: list[tuple[float, str]] = []
    wrong = {m.quote for r in records for a in r.assessments for m in a.misconceptions}  # never evidence for a strength
    for r in records:
        evidence_for = rules.point_evidence.technical if rounds[r.round].technical else rules.point_evidence.story
        speaks = c.id in evidence_for
        for a in r.assessments:
            signal_quotes = set(a.evidence.get(c.id, []))
            for kp in a.key_points:
                if kp.covered and kp.evidence:
                    if kp.evidence in signal_quotes:
                        ranked.append((2 + kp.probability, kp.evidence))
                    elif speaks:
                        ranked.append((1 + kp.probability, kp.evidence))
            ranked += [(0.5, q) for q in signal_quotes]
            # any covered point's sentence is still evidence of something: better than an empty row next to a score
            ranked += [(0.1 * kp.probability, kp.evidence) for kp in a.key_points if kp.covered and kp.evidence]
    quotes: list[str] = []
    for _, q in sorted(ranked, key=lambda x: -x[0]):
        if q not in quotes and q not in wrong:
            quotes.append(q)
    return quotes


def _strengths(crits: list[dict], questions: list[dict], rules: ScorecardRules) -> list[str]:
    out = [f"{c['name']} ({c['score']}/4): {c['level']}" for c in crits if c["score"] >= 3]
    out += [f"Covered {len(q['covered'])} of {len(q['covered']) + len(q['missed'])} key points on: {q['question']}" for q in questions if q["answered"] and q["coverage"] >= rules.strength_coverage]
    return out


def _gaps(crits: list[dict], questions: list[dict], misconceptions: list[dict], rules: ScorecardRules) -> list[str]:
    out = [f"{c['name']} ({c['score']}/4): {c['level']}" for c in crits if c["score"] <= 2]
    out += [f"Missed {len(q['missed'])} key points on: {q['question']}" for q in questions if q["answered"] and q["missed"] and q["coverage"] < rules.gap_coverage]
    out += [f"Stated a misconception: \u201c{m['quote']}\u201d ({m['correction']})" for m in misconceptions]
    return out


def _review(crits: list[dict], records: list[QuestionRecord], criteria: list[Criterion], rules: ScorecardRules,
            rounds: dict[str, RoundFacts]) -> list[dict]:
    by_id = {c.id: c for c in criteria}
    seen: dict[str, str] = {}
    for c in crits:
        if c["score"] <= 2:
            for section in by_id[c["id"]].review_sections:
                seen.setdefault(section, f"{c['name']} scored {c['score']}/4")
    for r in records:
        if r.coverage < rules.review_coverage or any(a.misconceptions for a in r.assessments):
            section = r.question.guide_section if r.question.source == "guide" and r.question.guide_section else rounds[r.round].review_section
            if section:
                seen.setdefault(section, f"missed key points on: {r.question.text}")
    return [{"section": s, "why": why} for s, why in seen.items()]
