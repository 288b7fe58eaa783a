"""The claim ledger: which resume claims were probed, how well they were defended, where an answer
contradicts the resume or an earlier answer, and where the candidate deflected a question on their own claim.

Contradictions come from typed facts (interviewer/resume/facts.py): numbers, model families, frameworks,
team roles and ownership, each compared only with facts of the same type and subject. Each contradiction is
returned once by `check`, so it is raised in one follow-up that quotes both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from interviewer.resume.claims import Claim, Project, Resume
from interviewer.resume.facts import (
    Conflict,
    Fact,
    compare,
    counterparts,
    deflections_in,
    extract_facts,
    family_related,
)
from interviewer.text import sentence_spans

_LEAD_TITLE = re.compile(r"\b(?:lead|manager|head|director|principal|chief|vp)\b", re.I)


@dataclass
class Statement:
    """One side of a contradiction: what was said, verbatim, and where."""

    quote: str  # the clause, verbatim: what the follow-up quotes
    origin: str  # "resume" or "answer"
    phrase: str  # the words carrying the fact ("latency fell from 18 ms to 6 ms")
    value: object = None
    claim_id: str | None = None
    turn: int | None = None  # answers: which answer (1-based)


NumberSaid = Statement  # the name earlier versions used


@dataclass
class Contradiction:
    before: Statement
    now: Statement
    type: str  # numeric | categorical | role | ownership
    subject: str  # what the two statements disagree about ("latency", "architecture", "team size")
    project: str | None = None
    gap: bool = False  # the resume lacks what the answer claims (a team it never mentions)
    fresh: bool = True  # False when raised after the answer that said it
    raised: bool = False
    also: list["Contradiction"] = field(default_factory=list)  # covered by the same follow-up (same quotes)

    def as_json(self) -> dict:
        return {
            "before": self.before.quote,
            "now": self.now.quote,
            "type": self.type,
            "origin": self.before.origin,
            "subject": self.subject,
            "before_value": self.before.phrase,
            "now_value": self.now.phrase,
            "project": self.project,
            "claim_id": self.before.claim_id,
            "gap": self.gap,
            "raised": self.raised,
        }


@dataclass
class ClaimLedger:
    resume: Resume | None
    probed: dict[str, str | None] = field(default_factory=dict)  # claim id -> defense (None until answered)
    touched: set[str] = field(default_factory=set)  # claims the candidate mentioned
    contradictions: list[Contradiction] = field(default_factory=list)
    deflections: list[dict] = field(default_factory=list)
    said: list[tuple[int, Fact]] = field(default_factory=list)  # facts from earlier answers, with the answer number
    pending: str | None = None  # claim id awaiting its defense
    project: str | None = None  # the project the current question is about
    turn: int = 0
    last_deflection: dict | None = None  # the deflection in the latest answer, if any
    _queue: list[Contradiction] = field(default_factory=list)
    _disputed: set[int] = field(default_factory=set)  # ids of answer facts already in a contradiction
    _contradicted: set[tuple] = field(default_factory=set)  # resume facts already contradicted
    _scope: tuple | None = None  # (question's project, project the last answer ended on)

    @property
    def claims(self) -> list[Claim]:
        return self.resume.claims if self.resume else []

    @property
    def knowledge_dir(self) -> Path | None:
        return Path(self.resume.knowledge_dir) if self.resume and self.resume.knowledge_dir else None

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
        order = {"metric": 0, "technique": 1, "data": 2, "role": 3, "scale": 4, "tool": 5, "outcome": 6}
        return sorted(pool, key=lambda c: order.get(c.kind, 9))

    def mark_probed(self, claim: Claim) -> None:
        self.probed.setdefault(claim.id, None)
        self.pending = claim.id

    def claim(self, claim_id: str | None) -> Claim | None:
        return next((c for c in self.claims if c.id == claim_id), None) if claim_id else None

    # -- answers -----------------------------------------------------------------------------------------
    def record_answer(self, answer: str, assessment, project: str | None) -> None:
        """After each answer: mentioned claims, deflections on the candidate's own claims, the defence of the
        claim just probed."""
        self.turn += 1
        self.project = project
        self.last_deflection = None
        for c in self.mentioned_in(answer, project):
            self.touched.add(c.id)
        deflected = self._deflection(answer, project)
        if self.pending:
            self.probed[self.pending] = "deflected" if deflected and deflected.get("claim_id") == self.pending else defense(assessment)
            self.pending = None

    def _deflection(self, answer: str, project: str | None) -> dict | None:
        if self.knowledge_dir is None:
            return None
        found = deflections_in(answer, self.knowledge_dir)
        if not found:
            return None
        claim = self.claim(self.pending)
        if claim is None:
            mentioned = self.mentioned_in(answer, project)
            claim = mentioned[0] if mentioned else None
        if claim is None and project is None:
            return None  # not about the candidate's own work
        if claim is None:
            pool = [c for c in self.claims if c.project == project]
            claim = pool[0] if pool else None
        kind, quote = found[0]
        key = claim.id if claim else project
        if any(d["claim_id"] == key or (d["claim_id"] is None and d["project"] == key) for d in self.deflections):
            self.last_deflection = next(d for d in self.deflections if d["claim_id"] == key or d["project"] == key)
            return self.last_deflection
        entry = {"claim": claim.text if claim else project, "quote": quote, "kind": kind,
                 "claim_id": claim.id if claim else None, "project": claim.project if claim else project}
        self.deflections.append(entry)
        self.last_deflection = entry
        return entry

    # -- consistency -------------------------------------------------------------------------------------
    def check(self, answer: str, project: str | None = None, can_raise: bool = True) -> Contradiction | None:
        """The next contradiction to raise: the answer against the resume, else against earlier answers.

        Every contradiction found is listed in the summary; each is returned once. With `can_raise` False
        (no follow-up possible now) new ones wait for a later call."""
        if self.knowledge_dir is None:
            return None
        project = project if project is not None else self.project
        turn = self.turn if self.turn else 1
        now = extract_facts(answer, "answer", self.knowledge_dir, project=project)
        self._rescope(answer, now, project)
        fresh = self._against_resume(now, project) + self._against_answers(now, project)
        new = self._keep_new(fresh, project)
        for _, f in [(turn, f) for f in now]:
            if id(f) not in self._disputed:
                self.said.append((turn, f))
        for c in new:
            c.now.turn = turn
        self._queue += new
        if not can_raise or not self._queue:
            return None
        first = next((c for c in self._queue if c.now.turn == turn), self._queue[0])
        self._queue.remove(first)
        # raised together: what the same answer said against the same project of the resume (two at most)
        covered = [c for c in self._queue if c.now.turn == first.now.turn and c.before.origin == first.before.origin
                   and (c.project == first.project or c.now.quote == first.now.quote)][:2]
        for c in covered:
            self._queue.remove(c)
            c.raised = True
        first.also = covered
        first.raised = True
        first.fresh = first.now.turn == turn
        if first.before.claim_id:
            self.probed.setdefault(first.before.claim_id, None)
            self.pending = first.before.claim_id
        return first

    def _rescope(self, answer: str, facts: list[Fact], project: str | None) -> None:
        """Facts said about another project of the resume ("At Streamline the recommender was ...") belong to it:
        from the sentence that names it until one names another."""
        if not self.resume or len(self.resume.projects) < 2:
            return
        names = {p.title: _project_names(p) for p in self.resume.projects}
        # an answer to a follow-up continues on the project the previous answer moved to
        scope = self._scope[1] if self._scope and self._scope[0] == project else project
        spans = []
        for start, end, sentence in sentence_spans(answer):
            low = sentence.lower()
            hits = [t for t, keys in names.items() if any(re.search(r"(?<![a-z0-9])" + re.escape(k) + r"(?![a-z0-9])", low) for k in keys)]
            if len(hits) == 1:
                scope = hits[0]
            elif project in hits:
                scope = project
            spans.append((start, end, scope))
        for f in facts:
            for start, end, where in spans:
                if start <= f.start < end:
                    f.project = where
                    break
        self._scope = (project, scope)

    def _project(self, title: str | None) -> Project | None:
        return self.resume.project(title) if self.resume and title else None

    def _confirmed(self, conflict: Conflict, now: list[Fact]) -> bool:
        """The same answer also states the resume's own figure or family, or the answer's figure is one the resume
        states elsewhere: the value is a baseline, an alternative or a slice, not a second version of the claim.
        (The truthful dev deep-dive persona of evals/adaptive was told it contradicted its resume before this.)"""
        for f in now:
            if f is conflict.now or f.type != conflict.before.type:
                continue
            if counterparts([conflict.before], f, self.knowledge_dir) and not compare([conflict.before], [f], self.knowledge_dir):
                return True
        # a figure the resume itself states elsewhere ("recall 0.89 -> 0.93 vs weighted BCE") cannot contradict it
        # (anywhere on the resume: a mis-split project line must not hide it, so projects are left out of the match)
        loose = replace(conflict.now, project=None)
        same = [replace(r, project=None) for r in self.resume.facts if r is not conflict.before and r.type == conflict.now.type]
        return any(counterparts([r], loose, self.knowledge_dir) and not compare([r], [loose], self.knowledge_dir) for r in same)

    def _against_resume(self, now: list[Fact], project: str | None) -> list[Conflict]:
        if not self.resume or not now:
            return []
        facts = self.resume.facts
        current = self._project(project)
        team_scope = [f for f in (current.facts if current else facts) if f.type == "team"]
        title_lead = bool(current and current.role and _LEAD_TITLE.search(current.role))
        gap = self._gap_fact(current)
        before = [f for f in facts if f.type != "team"]
        conflicts = compare(before, now, self.knowledge_dir, {"team_scope": team_scope, "title_lead": title_lead, "gap_quote": gap})
        others = [f for f in facts if f.type == "team" and f not in team_scope]
        elsewhere = [f for f in facts if f.project != (current.title if current else None) and f.type != "team"]
        kept = []
        for c in conflicts:
            if c.type in ("categorical", "numeric") and self._confirmed(c, now):
                continue
            if c.type == "role" and c.now.size and any(o.size and abs(o.size - c.now.size) <= 1 for o in others):
                continue  # the team the answer means is on another project of the resume
            if c.type in ("categorical", "numeric") and not c.now.tasks and c.before.project == c.now.project and elsewhere:
                # true of another project on the resume and not tied to this one: the answer may mean that one
                loose = replace(c.now, project=None)
                others_said = counterparts(elsewhere, loose, self.knowledge_dir)
                if c.type == "categorical":
                    if any(family_related(self.knowledge_dir, c.now.type, str(o.value), str(c.now.value)) for o in others_said):
                        continue
                elif others_said and not compare(elsewhere, [loose], self.knowledge_dir):
                    continue
            kept.append(c)
        return kept

    def _gap_fact(self, project: Project | None) -> Fact | None:
        """What to quote when the resume lacks what the answer claims: the project's first line."""
        if project is None:
            projects = self.resume.projects if self.resume else []
            project = projects[0] if projects else None
        if project is None or not project.lines:
            return None
        line = re.sub(r"^\s*(?:[-\u2022*+\u2013\u00b7]|\d{1,2}[.)])\s+", "", project.lines[0]).strip()
        cut = line.find(": ")
        quote = line[:cut] if 20 <= cut <= 120 else _short(line)
        first_claim = project.claims[0].id if project.claims else None
        return Fact("line", "line", "line", None, "resume", quote, quote, project=project.title, claim_id=first_claim)

    def _against_answers(self, now: list[Fact], project: str | None) -> list[Conflict]:
        """Numbers and families that disagree with an earlier answer, where the resume says nothing on them."""
        if not self.said:
            return []
        resume_facts = self.resume.facts if self.resume else []
        earlier = [f for _, f in self.said if id(f) not in self._disputed and f.kind in ("level", "category") and (f.project == project)]
        out = []
        for n in now:
            if n.kind not in ("level", "category") or counterparts(resume_facts, n, self.knowledge_dir):
                continue
            for c in compare(earlier, [n], self.knowledge_dir):
                if c.type in ("numeric", "categorical"):
                    out.append(c)
        return out

    def _keep_new(self, conflicts: list[Conflict], project: str | None) -> list[Contradiction]:
        out = []
        for c in conflicts:
            key = (c.before.origin, c.before.quote, c.before.start, c.type, c.subject)
            if key in self._contradicted:
                continue
            if any(x.before.quote == c.before.quote and x.now.quote == c.now.quote and x.subject == c.subject for x in self.contradictions):
                continue
            self._contradicted.add(key)
            self._disputed.add(id(c.now))
            if c.before.origin == "answer":
                self._disputed.add(id(c.before))
            turn = next((t for t, f in self.said if f is c.before), None)
            item = Contradiction(
                Statement(c.before.quote, c.before.origin, c.before.phrase, c.before.value, c.before.claim_id, turn),
                Statement(c.now.quote, "answer", c.now.phrase, c.now.value),
                c.type, c.subject, c.before.project or project, c.gap,
            )
            self.contradictions.append(item)
            out.append(item)
        return out

    def summary(self) -> dict:
        contradicted = {c.before.claim_id for c in self.contradictions if c.before.claim_id}
        deflected = {d["claim_id"]: d["kind"] for d in self.deflections if d["claim_id"]}
        items = []
        for c in self.claims:
            items.append({"project": c.project, "kind": c.kind, "text": c.text, "line": c.line, "probed": c.id in self.probed,
                          "defense": self.probed.get(c.id), "mentioned": c.id in self.touched,
                          "contradicted": c.id in contradicted, "deflected": deflected.get(c.id)})
        total = len(items)
        probed = sum(1 for i in items if i["probed"])
        return {
            "total": total,
            "probed": probed,
            "mentioned": sum(1 for i in items if i["mentioned"]),
            "coverage": round(probed / total, 3) if total else 0.0,
            "items": items,
            "contradictions": [c.as_json() for c in self.contradictions],
            "deflections": [dict(d) for d in self.deflections],
        }


def _project_names(project: Project) -> list[str]:
    """How an answer may name a project: its company, a quoted product name, a project entry's title."""
    keys = []
    if project.company:
        company = project.company.strip(" .")
        keys.append(company.lower())
        first = company.split()[0]
        if len(first) > 3 and first[0].isupper() and first.lower() not in ("the", "apple", "google"):
            keys.append(first.lower())
    keys += [q.lower() for q in re.findall(r"[\"\u201c]([^\"\u201d]{2,40})[\"\u201d]", project.title)]
    if not project.company and project.section == "projects" and project.heading:
        keys.append(project.heading.lower())
    return [k for k in keys if k]


def defense(assessment) -> str:
    """How well an answer defended the claim it was asked about: the grader's key-point coverage when the
    answer was graded against a rubric, else how specific the answer was. The one place the strength is set
    (a deflection overrides it with "deflected" in `ClaimLedger.record_answer`)."""
    points = assessment.key_points
    if points:
        coverage = assessment.coverage
        if coverage >= 0.5:
            return "strong"
        if coverage >= 0.25 or (assessment.numbers and (assessment.reasons or assessment.tradeoffs)):
            return "partial"
        return "weak"
    specific = assessment.numbers or assessment.reasons or assessment.tradeoffs
    if assessment.words >= 40 and specific:
        return "strong"
    if assessment.words >= 15 and specific:
        return "partial"
    return "weak"


def _short(text: str, limit: int = 120) -> str:
    """A verbatim prefix of `text` that ends at a clause boundary when it is too long to quote whole."""
    if len(text) <= limit:
        return text.rstrip(" .;,")
    for sep in (": ", "; ", ", "):
        cut = text.find(sep, 20, limit)
        if cut != -1:
            return text[:cut]
    space = text.rfind(" ", 0, limit)
    return text[: space if space > 20 else limit]
