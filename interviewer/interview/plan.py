"""Choose a round's main questions: retrieval biased by track, job description and resume,
spread across topics, within the round's time budget, never repeating recent practice."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from interviewer.interview.followup import project_name
from interviewer.interview.rounds import ONSITE, ONSITE_QUESTIONS, ROUNDS
from interviewer.knowledge.bank import BankQuestion
from interviewer.knowledge.service import Knowledge
from interviewer.resume.claims import vocabulary
from interviewer.text import JOB_AD_STOP_WORDS

TRACK_BONUS = 0.12
GUIDE_BONUS = 0.04
CONTEXT_BONUS = 0.03  # per job-description or resume term the question mentions, capped
TOPIC_PENALTY = 0.15  # per topic already covered by a chosen question
JITTER = 0.06  # seeded variety between sessions


@dataclass
class PlannedQuestion:
    question: BankQuestion
    round: str
    score: float
    sources: list[dict[str, str]] = field(default_factory=list)
    project: str | None = None  # the resume project a deep-dive question is about

    @property
    def text(self) -> str:
        if self.project:
            return f"Let's talk about {project_name(self.project)} from your resume. {self.question.text}"
        return self.question.text


def tie_to_projects(plan: list[PlannedQuestion], projects: list[str], spread: int = 3) -> None:
    """Deep-dive questions take turns over the `spread` richest projects (`projects` is ordered by richness)."""
    if not projects:
        return
    walk = projects[: max(1, spread)]
    deep = [p for p in plan if p.round == "resume-deep-dive"]
    for i, planned in enumerate(deep):
        planned.project = walk[i % len(walk)]
        planned.sources = planned.sources + [{"id": "resume", "section": f"Resume > {planned.project}", "kind": "resume"}]


def _vocabulary(q: BankQuestion) -> set[str]:
    return set(re.findall(r"[a-z][a-z0-9+#.]+", (q.text + " " + " ".join(q.topics)).lower().replace("-", " ")))


def jd_skills(job_description: str | None, techniques: list[str]) -> list[str]:
    """The techniques of the curated vocabulary (knowledge/resume_terms.yaml) that the job description names, in its
    order: "RLHF", "LoRA", "speculative decoding", not "model" or "pipelines"."""
    if not job_description:
        return []
    low = job_description.lower()
    found = []
    for term in techniques:
        m = re.search(r"(?<![a-z0-9])" + re.escape(term.lower()) + r"(?![a-z0-9])", low)
        if m:
            found.append((m.start(), term.lower()))
    return [t for _, t in sorted(found)]


def jd_focus(skills: list[str], questions: list[BankQuestion], limit: int) -> list[BankQuestion]:
    """One question per job-description skill, the best retrieved (`questions` come best first) that names it."""
    picked: list[BankQuestion] = []
    for skill in skills:
        if len(picked) >= limit:
            break
        words = set(re.findall(r"[a-z][a-z0-9+#.]+", skill.replace("-", " ")))
        match = next((q for q in questions if words <= _vocabulary(q) and q not in picked), None)
        if match is not None:
            picked.append(match)
    return picked


def context_terms(text: str | None, limit: int = 40) -> list[str]:
    """Distinctive lowercase terms of a job description or resume (skills, tools, domains)."""
    if not text:
        return []
    found = re.findall(r"[A-Za-z][A-Za-z0-9+#.\-]{2,}", text)
    seen: dict[str, None] = {}
    for word in found:
        low = word.lower().strip(".-")
        if low not in JOB_AD_STOP_WORDS and len(low) > 2:
            seen.setdefault(low, None)
    return list(seen)[:limit]


def build_query(round_name: str, track_text: str, jd_terms: list[str], resume_terms: list[str]) -> str:
    spec = ROUNDS[round_name]
    parts = [f"{spec.title} interview question about {spec.focus}", track_text]
    if jd_terms:
        parts.append("Role needs: " + ", ".join(jd_terms[:20]))
    if resume_terms:
        parts.append("Candidate worked with: " + ", ".join(resume_terms[:12]))
    return ". ".join(p for p in parts if p)


def plan_round(
    knowledge: Knowledge,
    round_name: str,
    track: str = "general",
    job_description: str | None = None,
    resume: str | None = None,
    count: int | None = None,
    avoid: set[str] | dict[str, float] | None = None,
    seed: int | None = None,
) -> list[PlannedQuestion]:
    """The round's main questions. `avoid` holds recently practised question ids, as a set or
    as a dict of when each was last asked: they are left out while the round has others, and
    when it has not, the least recently asked come back first. Never empty for a round
    whose bank has questions."""
    if round_name == "onsite":
        plan: list[PlannedQuestion] = []
        for sub in ONSITE:
            plan += plan_round(knowledge, sub, track, job_description, resume, ONSITE_QUESTIONS.get(sub, 2), avoid, seed)
        return plan
    last_asked = dict(avoid) if isinstance(avoid, dict) else {qid: 0.0 for qid in avoid or ()}
    avoid = set(last_asked)
    count = count or ROUNDS[round_name].main_questions
    curated = knowledge.curated
    track_info = curated.tracks.get(track)
    track_text = f"{track_info.name}: {', '.join(track_info.emphasis)}" if track_info and track != "general" else ""
    jd_terms, resume_terms = context_terms(job_description), context_terms(resume)
    query = build_query(round_name, track_text, jd_terms, resume_terms)
    hits = knowledge.search_questions(query, round_name, k=60)
    rng = random.Random(seed)
    context = set(jd_terms) | set(resume_terms)
    scored: list[tuple[float, BankQuestion]] = []
    practised: list[tuple[float, BankQuestion]] = []  # retrieved, but asked recently
    for hit in hits:
        q = curated.questions.get(hit.metadata.get("question_id", ""))
        if q is None:
            continue
        score = hit.score
        if track in q.tracks and track != "general":
            score += TRACK_BONUS
        if q.source == "guide":
            score += GUIDE_BONUS
        if context:
            vocab = set(re.findall(r"[a-z][a-z0-9+#.\-]+", (q.text + " " + " ".join(q.topics)).lower()))
            score += min(3, len(vocab & context)) * CONTEXT_BONUS
        score += rng.uniform(0, JITTER) if seed is not None else 0.0
        (practised if q.id in avoid else scored).append((score, q))
    if len(scored) < count:  # retrieval came up short (tiny bank or everything practised): fall back to the bank
        have = {q.id for _, q in scored}
        scored += [(0.0, q) for q in curated.by_round(round_name) if q.id not in have and q.id not in avoid]
    chosen: list[PlannedQuestion] = []
    covered: set[str] = set()
    pool = sorted(scored, key=lambda sq: -sq[0])
    # the job description's distinctive skills come first: half the questions, one per skill, best retrieved first
    skills = jd_skills(job_description, vocabulary(str(knowledge.settings.knowledge_dir))["techniques"])
    for skill_match in jd_focus(skills, [q for _, q in pool], (count + 1) // 2):
        pick = next(sq for sq in pool if sq[1].id == skill_match.id)
        pool.remove(pick)
        covered |= set(pick[1].topics)
        chosen.append(PlannedQuestion(pick[1], round_name, pick[0]))
    while pool and len(chosen) < count:
        best = max(pool, key=lambda sq: sq[0] - TOPIC_PENALTY * len(covered & set(sq[1].topics)))
        pool.remove(best)
        covered |= set(best[1].topics)
        chosen.append(PlannedQuestion(best[1], round_name, best[0]))
    if len(chosen) < count:  # every other question was practised recently: the least recently asked come back first
        seen = {p.question.id for p in chosen}
        retrieved = {q.id: score for score, q in practised}
        again = {q.id: q for _, q in practised}
        again.update((q.id, q) for q in curated.by_round(round_name) if q.id in avoid)
        again = [q for qid, q in again.items() if qid not in seen]
        again.sort(key=lambda q: (last_asked.get(q.id, 0.0), -retrieved.get(q.id, -1.0), q.id))
        chosen += [PlannedQuestion(q, round_name, retrieved.get(q.id, 0.0)) for q in again[: count - len(chosen)]]
    for planned in chosen:
        planned.sources = question_sources(knowledge, planned.question)
    return chosen


def pinned_plan(knowledge: Knowledge, question_ids: list[str]) -> list[PlannedQuestion]:
    """A plan of exactly these bank questions, in this order."""
    plan = []
    for qid in question_ids:
        q = knowledge.curated.questions.get(qid)
        if q is None:
            raise ValueError(f"no question {qid!r} in the bank")
        plan.append(PlannedQuestion(q, q.round, 1.0, question_sources(knowledge, q)))
    return plan


def question_sources(knowledge: Knowledge, q: BankQuestion) -> list[dict[str, str]]:
    """The bank entry itself plus the guide passages nearest the question."""
    sources = []
    bank_hits = knowledge.index.search(q.text, k=1, where={"question_id": q.id})
    for hit in bank_hits:
        sources.append({"id": hit.id, "section": hit.section, "kind": "question"})
    for hit in knowledge.guide_sources(q.text, k=2):
        sources.append({"id": hit.id, "section": hit.section, "kind": hit.kind})
    return sources
