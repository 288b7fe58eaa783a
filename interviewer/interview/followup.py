"""After an answer: follow up or move on, and if following up, on what and anchored where.

The anchor is a term quoted verbatim from the candidate's last answer, so every
follow-up visibly responds to what was said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from interviewer.interview.assess import AnswerAssessment
from interviewer.knowledge.bank import BankQuestion, Probe
from interviewer.knowledge.service import Knowledge

COMPLETE = 0.6  # coverage at which a specific answer needs no follow-up (most rubrics list 6-7 points)
PROBE_ROUNDS = {"resume-deep-dive", "behavioral", "hiring-manager"}

_STOP = set(
    """a an the and or but if then so of to in on at by for with from as is are was were be been being it its this that these
    those i we you he she they me my our your their them us do does did done have has had having can could would should will
    shall may might must not no yes just very really quite also too more most much many some any all each every other such
    about into over under after before again further once here there when where why how what which who whom because while
    until than though although like well think know mean thing things stuff get got make made use used using way lot kind sort
    yeah okay ok um uh basically actually probably maybe something someone one two first second let lets
    sure unsure guess idea dunno perhaps anything everything nothing good better best fine great nice pretty""".split()
)


@dataclass
class FollowUp:
    text: str  # template phrasing, always valid
    angle: str  # the question or intent the follow-up pursues (what the LLM may rephrase)
    anchor: str
    kind: str  # rubric | probe:<id> | consistency
    before: str | None = None
    rephrase: bool = True  # False when the wording quotes the resume or two statements: the model must not reword it


def should_follow_up(assessment: AnswerAssessment, coverage: float, depth: int, depth_limit: int, round_name: str) -> bool:
    if depth >= depth_limit:
        return False
    if round_name in PROBE_ROUNDS:
        # deep dives grill: probe unless the story is complete, specific and reasoned
        return coverage < COMPLETE or assessment.vague or depth == 0
    return coverage < COMPLETE or assessment.vague


def pick_anchor(answer: str, question: BankQuestion | None, avoid: set[str]) -> str | None:
    """A short term from the answer worth asking about: a rubric term, a number, a named thing, or a content word."""
    text = answer
    low = text.lower()
    candidates: list[str] = []
    if question is not None:
        for kp in question.rubric.key_points:
            for k in kp.keywords:
                m = re.search(r"(?<![a-z0-9])" + re.escape(k) + r"(?![a-z0-9])", low)
                if m:
                    candidates.append(text[m.start() : m.end()])
    candidates += [m.group(0) for m in re.finditer(r"\b\d+(?:\.\d+)?\s?(?:%|ms|x|k|gb|mb|fps|hours|days|weeks|million|billion|points)\b|\b\d+(?:\.\d+)?%", text, re.I)]
    candidates += [m.group(0) for m in re.finditer(r"\b(?:[A-Z][a-z]+[A-Z]\w*|[A-Z]{2,}[a-z]?s?|[A-Z][a-z]+(?:\s[A-Z][a-z]+)+)\b", text)]
    content = [w for w in re.findall(r"[A-Za-z][A-Za-z\-]{3,}", text) if w.lower() not in _STOP]
    candidates += sorted(content, key=len, reverse=True)
    for cand in candidates:
        c = cand.strip()
        if c and c.lower() not in avoid and c.lower() not in _STOP and len(c) >= 2:
            return c
    return None


def _unused(options: list[str], asked: set[str]) -> list[str]:
    return [o for o in options if _normalise(o) not in asked]


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def choose_follow_up(
    knowledge: Knowledge,
    answer: str,
    question: BankQuestion,
    assessment: AnswerAssessment,
    missing: list[str],
    round_name: str,
    asked: set[str],
    used_angles: set[str],
    used_anchors: set[str],
) -> FollowUp | None:
    anchor = pick_anchor(answer, question, used_anchors) or pick_anchor(answer, None, set())
    if anchor is None:  # nothing specific to quote ("It was fine."): ask for specifics on the rubric's next angle
        for option in question.rubric.follow_ups:
            text = f"Let's make that concrete. {option}"
            if option not in used_angles and _normalise(text) not in asked:
                return FollowUp(text, option, "", "rubric", rephrase=False)
        return None
    probes = knowledge.curated.probes
    if round_name in PROBE_ROUNDS and probes:
        probe = _pick_probe(probes, answer, assessment, used_angles)
        if probe is not None:
            for phrasing in probe.phrasings:
                text = _fill(phrasing, anchor)
                if _normalise(text) not in asked:
                    return FollowUp(text, probe.intent, anchor, f"probe:{probe.id}")
    options = [f for f in question.rubric.follow_ups if f not in used_angles]
    if not options:
        return None
    if missing and len(options) > 1:
        sims = knowledge.embed_known(options) @ knowledge.embed_known(missing).T
        options = [options[i] for i in np.argsort(-sims.max(axis=1))]
    for option in options:
        text = f"You mentioned {quote(anchor)}. {option}"
        if _normalise(text) not in asked:
            return FollowUp(text, option, anchor, "rubric")
    return None


def consistency_follow_up(knowledge: Knowledge, now: str, before: str, from_resume: bool) -> FollowUp:
    """Quote both statements and ask which is right."""
    probe = knowledge.curated.probes.get("consistency")
    intent = probe.intent if probe else "resolve a contradiction"
    if from_resume:
        text = f"Your resume says {quote(before)}, but just now you said {quote(now)}. Which is right, and what explains the difference?"
    else:
        template = probe.phrasings[0] if probe else "Earlier you said {before}, and now {anchor}: which is right, and what explains the difference?"
        text = template.replace("{before}", quote(before)).replace("{anchor}", quote(now))
    return FollowUp(text, intent, now, "consistency", before, rephrase=False)


def claim_follow_up(knowledge: Knowledge, ledger, answer: str, project: str | None, asked: set[str], used_angles: set[str]) -> tuple[FollowUp, object] | None:
    """Deep-dive follow-up on a resume claim: one the answer mentioned, else the next unprobed claim of the project."""
    from interviewer.interview.ledger import PROBES_FOR_KIND

    probes = knowledge.curated.probes
    mentioned = [c for c in ledger.mentioned_in(answer, project) if c.id not in ledger.probed]
    candidates = [(c, True) for c in mentioned] + [(c, False) for c in ledger.unprobed(project) if c not in mentioned]
    for claim, in_answer in candidates:
        for pid in PROBES_FOR_KIND.get(claim.kind, ()):
            probe = probes.get(pid)
            if probe is None or pid in used_angles:
                continue
            if in_answer:
                m = re.search(r"(?<![A-Za-z0-9])" + re.escape(claim.text) + r"(?![A-Za-z0-9])", answer, re.I)
                anchor = answer[m.start() : m.end()]
                lead = ""
            else:
                anchor = claim.text
                lead = f"Your resume says {quote(claim.line.lstrip('-*• ').strip())}. "
            phrasings = probe.phrasings
            if not in_answer:  # the resume said it, not the candidate: avoid "you mentioned"
                phrasings = sorted(phrasings, key=lambda p: "you mentioned" in p.lower() or "you said" in p.lower())
            for phrasing in phrasings:
                if not in_answer:
                    phrasing = re.sub(r"^You (mentioned|said) ", "It mentions ", phrasing)
                text = lead + _fill(phrasing, anchor)
                if _normalise(text) not in asked:
                    return FollowUp(text, probe.intent, anchor, f"probe:{pid}", rephrase=in_answer), claim
    return None


def quote(term: str) -> str:
    return f"\u201c{term}\u201d"


def _fill(phrasing: str, anchor: str) -> str:
    return phrasing.replace("{anchor}", quote(anchor))


def _pick_probe(probes: dict[str, Probe], answer: str, assessment: AnswerAssessment, used: set[str]) -> Probe | None:
    low = answer.lower()
    order: list[str] = []
    if assessment.vague and "vague-answer" in probes:
        order.append("vague-answer")
    if assessment.numbers == 0 and "metrics-and-results" in probes:
        order.append("metrics-and-results")
    ranked = sorted(
        (p for p in probes.values() if p.id not in ("consistency", "vague-answer")),
        key=lambda p: -sum(1 for s in p.signals if len(s) > 3 and s.lower() in low),
    )
    order += [p.id for p in ranked]
    for pid in order:
        if pid not in used and pid in probes:
            return probes[pid]
    return None

