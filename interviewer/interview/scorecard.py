"""The end-of-interview scorecard: the guide's four criteria scored 1-4 with verbatim evidence,
missed key points per question, and the guide sections to review."""

from __future__ import annotations

from dataclasses import dataclass, field

from interviewer.interview.assess import AnswerAssessment
from interviewer.knowledge.bank import BankQuestion, Criterion

TECHNICAL_ROUNDS = {"coding", "ml-fundamentals", "ml-system-design", "genai", "phone-screen"}
ROUND_SECTIONS = {
    "coding": "4. Deep Dive into Evaluation Areas > Coding and Algorithms",
    "ml-fundamentals": "4. Deep Dive into Evaluation Areas > Machine Learning Fundamentals",
    "ml-system-design": "4. Deep Dive into Evaluation Areas > Machine Learning System Design",
    "genai": "4. Deep Dive into Evaluation Areas > Domain-Specific Topics (GenAI & LLMs)",
    "behavioral": "2. Getting Ready for Your Interviews > Key Evaluation Criteria",
    "resume-deep-dive": "9. Other General Tips > Know Your Resume Inside Out",
    "hiring-manager": "3. Interview Process Overview",
    "phone-screen": "3. Interview Process Overview",
}


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


def _rate(assessments: list[AnswerAssessment], pred) -> float:
    return sum(1 for a in assessments if pred(a)) / len(assessments) if assessments else 0.0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def build_scorecard(records: list[QuestionRecord], criteria: list[Criterion]) -> dict:
    answered = [a for r in records for a in r.assessments]
    cov_all = _mean([r.coverage for r in records])
    cov_tech = _mean([r.coverage for r in records if r.round in TECHNICAL_ROUNDS]) if any(r.round in TECHNICAL_ROUNDS for r in records) else cov_all
    substantive = lambda a: a.words >= 25  # noqa: E731
    sig = {c.id: _rate(answered, lambda a, cid=c.id: bool(a.evidence.get(cid))) for c in criteria}
    numbers = _rate(answered, lambda a: a.numbers > 0)
    reasons = _rate(answered, lambda a: a.reasons > 0 or a.tradeoffs > 0)
    structure = _rate(answered, lambda a: a.structure > 0 or len(a.star) >= 2)
    fluent = _rate(answered, lambda a: substantive(a) and a.fillers <= 2)
    runs = [r.code_results[-1] for r in records if r.code_results]  # the last run per question counts
    engineering = 0.5 * cov_all + 0.3 * sig.get("engineering-excellence", 0) + 0.2 * numbers
    if runs:  # working code is the strongest engineering evidence a coding round has
        pass_rate = _mean([run["passed"] / run["total"] for run in runs if run.get("total")])
        engineering = 0.5 * engineering + 0.5 * pass_rate
    raw = {
        "technical-depth": 0.7 * cov_tech + 0.3 * sig.get("technical-depth", 0),
        "engineering-excellence": engineering,
        "domain-expertise": 0.6 * cov_all + 0.4 * sig.get("domain-expertise", 0),
        "communication-culture": 0.4 * cov_all + 0.2 * reasons + 0.2 * structure + 0.2 * fluent,
    }
    out_criteria = []
    for c in criteria:
        value = raw.get(c.id, cov_all)
        score = max(1, min(4, round(1 + 3 * value)))
        quotes: list[str] = []
        for a in answered:
            for q in a.evidence.get(c.id, []):
                if q not in quotes:
                    quotes.append(q)
        if c.id == "technical-depth":
            for a in answered:
                for kp in a.key_points:
                    if kp.evidence and kp.evidence not in quotes:
                        quotes.append(kp.evidence)
        out_criteria.append(
            {"id": c.id, "name": c.name, "score": score, "level": c.levels[score], "evidence": quotes[:3], "basis": round(value, 3)}
        )
    questions = []
    for r in records:
        flags = r.covered()
        questions.append(
            {
                "question_id": r.question.id,
                "question": r.question.text,
                "round": r.round,
                "coverage": round(r.coverage, 3),
                "covered": [kp.text for kp, f in zip(r.question.rubric.key_points, flags) if f],
                "missed": [kp.text for kp, f in zip(r.question.rubric.key_points, flags) if not f],
                "answered": any(a.words > 0 for a in r.assessments),
                "code_results": r.code_results,
            }
        )
    overall = round(_mean([c["score"] for c in out_criteria]), 2) if out_criteria else 0.0
    return {
        "overall": overall,
        "criteria": out_criteria,
        "strengths": _strengths(out_criteria, questions),
        "gaps": _gaps(out_criteria, questions),
        "questions": questions,
        "review": _review(out_criteria, records, criteria),
    }


def _strengths(crits: list[dict], questions: list[dict]) -> list[str]:
    out = [f"{c['name']} ({c['score']}/4): {c['level']}" for c in crits if c["score"] >= 3]
    out += [f"Covered {len(q['covered'])} of {len(q['covered']) + len(q['missed'])} key points on: {q['question']}" for q in questions if q["coverage"] >= 0.75]
    return out


def _gaps(crits: list[dict], questions: list[dict]) -> list[str]:
    out = [f"{c['name']} ({c['score']}/4): {c['level']}" for c in crits if c["score"] <= 2]
    out += [f"Missed {len(q['missed'])} key points on: {q['question']}" for q in questions if q["missed"] and q["coverage"] < 0.5]
    return out


def _review(crits: list[dict], records: list[QuestionRecord], criteria: list[Criterion]) -> list[dict]:
    by_id = {c.id: c for c in criteria}
    seen: dict[str, str] = {}
    for c in crits:
        if c["score"] <= 2:
            for section in by_id[c["id"]].review_sections:
                seen.setdefault(section, f"{c['name']} scored {c['score']}/4")
    for r in records:
        if r.coverage < 0.5:
            section = r.question.guide_section if r.question.source == "guide" and r.question.guide_section else ROUND_SECTIONS.get(r.round, "")
            if section:
                seen.setdefault(section, f"missed key points on: {r.question.text}")
    return [{"section": s, "why": why} for s, why in seen.items()]


def scorecard_markdown(card: dict) -> str:
    lines = ["## Scorecard", "", f"**Overall: {card['overall']} / 4**", "", "| Criterion | Score | Level |", "|---|---|---|"]
    for c in card["criteria"]:
        lines.append(f"| {c['name']} | {c['score']}/4 | {c['level']} |")
    for c in card["criteria"]:
        if c["evidence"]:
            lines += ["", f"**Evidence, {c['name']}:**"] + [f"> {q}" for q in c["evidence"]]
    for title, key in (("Strengths", "strengths"), ("Gaps", "gaps")):
        if card[key]:
            lines += ["", f"### {title}"] + [f"- {s}" for s in card[key]]
    missed = [q for q in card["questions"] if q["missed"]]
    if missed:
        lines += ["", "### What a strong answer also covers"]
        for q in missed:
            lines.append(f"- *{q['question']}*")
            lines += [f"  - {m}" for m in q["missed"]]
    claims = card.get("claims")
    if claims:
        lines += ["", f"### Resume claims probed: {claims['probed']} of {claims['total']} ({claims['coverage']:.0%})"]
        lines += [f"- {i['text']} ({i['project']}): {i['defense'] or 'asked'}" for i in claims["items"] if i["probed"]]
        for c in claims["contradictions"]:
            lines.append(f"- Inconsistent: \"{c['before']}\" vs \"{c['now']}\"")
    if card["review"]:
        lines += ["", "### Guide sections to review"] + [f"- {r['section']} ({r['why']})" for r in card["review"]]
    return "\n".join(lines)
