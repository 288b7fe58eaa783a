"""The claim ledger: which resume claims were probed, how well they were defended,
and where an answer contradicts the resume or an earlier answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interviewer.interview.assess import AnswerAssessment
from interviewer.resume.claims import NUMBER, Claim, Resume, number_context, parse_number

# which deep-dive probe suits which kind of claim
PROBES_FOR_KIND = {
    "technique": ("why-this-approach", "alternatives-tradeoffs", "first-principles-derivation"),
    "tool": ("why-this-approach", "scaling", "on-device-constraints"),
    "data": ("data-collection-cleaning", "labels-and-leakage", "privacy-implications"),
    "metric": ("metrics-and-results", "baseline-and-ablation"),
    "scale": ("scaling", "on-device-constraints"),
}
_GENERIC = {"model", "models", "using", "used", "the", "ms", "data", "new", "our", "we", "about", "around", "roughly", "approximately", "only", "just", "like"}


@dataclass
class NumberSaid:
    phrase: str  # verbatim, e.g. "35%"
    value: float
    unit: str | None
    context: set[str]
    quote: str  # the clause it came from, verbatim
    origin: str  # "resume" or "answer"
    claim_id: str | None = None


@dataclass
class Contradiction:
    before: NumberSaid
    now: NumberSaid

    def as_json(self) -> dict:
        return {"before": self.before.quote, "before_value": self.before.phrase, "now": self.now.quote, "now_value": self.now.phrase, "origin": self.before.origin}


@dataclass
class ClaimLedger:
    resume: Resume | None
    probed: dict[str, str | None] = field(default_factory=dict)  # claim id -> defense (None until answered)
    touched: set[str] = field(default_factory=set)  # claims the candidate mentioned
    contradictions: list[Contradiction] = field(default_factory=list)
    said: list[NumberSaid] = field(default_factory=list)  # numbers from earlier answers
    pending: str | None = None  # claim id awaiting its defense

    @property
    def claims(self) -> list[Claim]:
        return self.resume.claims if self.resume else []

    def projects_by_richness(self) -> list[str]:
        if not self.resume:
            return []
        return [p.title for p in sorted(self.resume.projects, key=lambda p: -len(p.claims)) if p.claims]

    def mentioned_in(self, answer: str, project: str | None = None) -> list[Claim]:
        low = answer.lower()
        out = []
        for c in self.claims:
            if project and c.project != project:
                continue
            if c.kind in ("technique", "tool", "data") and re.search(r"(?<![a-z0-9])" + re.escape(c.text.lower()) + r"(?![a-z0-9])", low):
                out.append(c)
        return out

    def unprobed(self, project: str | None) -> list[Claim]:
        pool = [c for c in self.claims if c.id not in self.probed and (project is None or c.project == project)]
        order = {"metric": 0, "technique": 1, "data": 2, "scale": 3, "tool": 4, "outcome": 5}
        return sorted(pool, key=lambda c: order.get(c.kind, 9))

    def mark_probed(self, claim: Claim) -> None:
        self.probed.setdefault(claim.id, None)
        self.pending = claim.id

    def record_answer(self, answer: str, assessment: AnswerAssessment, project: str | None) -> None:
        for c in self.mentioned_in(answer, project):
            self.touched.add(c.id)
        if self.pending:
            self.probed[self.pending] = defense(assessment)
            self.pending = None

    # -- consistency -----------------------------------------------------------
    def check(self, answer: str) -> Contradiction | None:
        """The first number in `answer` that disagrees with the resume or an earlier answer about the same thing."""
        now = numbers_in(answer, "answer")
        found = None
        for n in now:
            same = [b for b in self._resume_numbers() + self.said if _same_measure(b, n)]
            if same and all(_differs(b.value, n.value) for b in same) and found is None:
                closest = max(same, key=lambda b: len(b.context & n.context))
                found = Contradiction(closest, n)
        self.said += now
        if found and not any(c.before.quote == found.before.quote and c.now.quote == found.now.quote for c in self.contradictions):
            self.contradictions.append(found)
            if found.before.claim_id:
                self.probed.setdefault(found.before.claim_id, None)
                self.pending = found.before.claim_id
            return found
        return None

    def _resume_numbers(self) -> list[NumberSaid]:
        out = []
        for c in self.claims:
            if c.value is not None:
                out.append(NumberSaid(c.text, c.value, c.unit, set(c.context) - _GENERIC, _clause(c.line, c.text), "resume", c.id))
        return out

    def summary(self) -> dict:
        items = []
        for c in self.claims:
            items.append({"project": c.project, "kind": c.kind, "text": c.text, "line": c.line, "probed": c.id in self.probed,
                          "defense": self.probed.get(c.id), "mentioned": c.id in self.touched})
        total = len(items)
        probed = sum(1 for i in items if i["probed"])
        return {
            "total": total,
            "probed": probed,
            "mentioned": sum(1 for i in items if i["mentioned"]),
            "coverage": round(probed / total, 3) if total else 0.0,
            "items": items,
            "contradictions": [c.as_json() for c in self.contradictions],
        }


def defense(assessment: AnswerAssessment) -> str:
    if assessment.words >= 40 and (assessment.numbers or assessment.reasons or assessment.tradeoffs):
        return "strong"
    if assessment.words >= 15:
        return "partial"
    return "weak"


def numbers_in(text: str, origin: str) -> list[NumberSaid]:
    out = []
    for m in NUMBER.finditer(text):
        parsed = parse_number(m, text)
        if parsed is None:
            continue
        phrase, value, unit = parsed
        context = set(number_context(text, m.start(), m.end())) - _GENERIC
        out.append(NumberSaid(phrase, value, unit, context, _clause(text, phrase, m.start()), origin))
    return out


def _same_measure(a: NumberSaid, b: NumberSaid) -> bool:
    if not a.unit or a.unit != b.unit:
        return False  # bare numbers are too ambiguous to call a contradiction
    return len(a.context & b.context) >= 1


def _differs(a: float, b: float) -> bool:
    return abs(a - b) > 0.1 * max(abs(a), abs(b), 1e-9)


def _clause(text: str, phrase: str, at: int | None = None) -> str:
    """The clause around `phrase`, verbatim: what the follow-up quotes."""
    i = text.find(phrase) if at is None else at
    if i < 0:
        return phrase
    start = max(text.rfind(sep, 0, i) for sep in (". ", "; ", ", ", "\n", "- ")) + 1
    ends = [e for e in (text.find(sep, i + len(phrase)) for sep in (". ", "; ", ", ", "\n")) if e != -1]
    end = min(ends) if ends else len(text)
    clause = text[start:end].strip(" -.;,")
    return clause if len(clause) <= 120 else phrase
