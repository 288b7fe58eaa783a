"""After an answer: follow up or move on, and if following up, on what and anchored where.

The anchor is a term quoted verbatim from the candidate's last answer, so every
follow-up visibly responds to what was said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from interviewer import candidate_text as ct
from interviewer.interview.assess import AnswerAssessment
from interviewer.knowledge.bank import BankQuestion, Probe
from interviewer.knowledge.service import Knowledge

COMPLETE = 0.6  # coverage at which a specific answer needs no follow-up (most rubrics list 6-7 points)
PROBE_ROUNDS = {"resume-deep-dive", "behavioral", "hiring-manager"}

_STOP = ct.STOP_WORDS


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


def misconception_follow_up(found, asked: set[str]) -> FollowUp | None:
    """Make the candidate re-examine a wrong statement: quote it back and ask the curated probe, never the answer."""
    phrase = _quotable(found.quote, found.mistake)
    lead = f"You said {quote(phrase)}." if phrase else "Let me come back to something you said."
    text = f"{lead} {found.probe}"
    if _normalise(text) in asked or _normalise(found.probe) in asked:
        return None
    return FollowUp(text, found.probe, phrase or "", "misconception", rephrase=False)


def _quotable(sentence: str, about: str, limit: int = 20) -> str | None:
    """The sentence, or its clause closest to what the mistake is about, short enough to quote back."""
    clean = sentence.strip().rstrip(".!?;:,").strip()
    if len(clean.split()) <= limit:
        return clean
    about_words = {w for w in re.findall(r"[a-z]+", about.lower()) if w not in _STOP}
    clauses = [c.strip().rstrip(".!?;:,") for c in re.split(r"[,;:]\s+|\s(?=(?:because|but|so|which)\b)", clean)]
    clauses = [c for c in clauses if 3 <= len(c.split()) <= limit]
    if not clauses:
        return None
    return max(clauses, key=lambda c: len(about_words & set(re.findall(r"[a-z]+", c.lower()))))


def consistency_follow_up(knowledge: Knowledge, now, before: str | None = None, from_resume: bool | None = None) -> FollowUp:
    """Quote both statements and ask which is right.

    `now` is a ledger Contradiction (or, as before, the new statement with `before` and `from_resume`)."""
    probe = knowledge.curated.probes.get("consistency")
    intent = probe.intent if probe else "resolve a contradiction"
    if isinstance(now, str):
        said, earlier, resume_side, gap, fresh = now, before or "", bool(from_resume), False, True
        said_all, earlier_all = [said], [earlier]
    else:
        said, earlier, resume_side = now.now.quote, now.before.quote, now.before.origin == "resume"
        gap, fresh = now.gap, now.fresh
        pairs = [now] + [c for c in getattr(now, "also", []) if not c.gap]
        said_all = list(dict.fromkeys(c.now.quote for c in pairs))
        earlier_all = list(dict.fromkeys(c.before.quote for c in pairs))
    if resume_side and gap:
        text = (f"Your resume does not mention a team you led there: it says {quote(earlier)}. "
                f"{'Just now' if fresh else 'Earlier'} you said {quote(said)}. Which is right, and what exactly was your role?")
    elif resume_side and fresh:
        text = f"Your resume says {_quotes(earlier_all)}, but just now you said {_quotes(said_all)}. Which is right, and what explains the difference?"
    elif resume_side:
        text = f"Earlier you said {_quotes(said_all)}, but your resume says {_quotes(earlier_all)}. Which is right, and what explains the difference?"
    else:
        template = probe.phrasings[0] if probe else "Earlier you said {before}, and now {anchor}: which is right, and what explains the difference?"
        text = template.replace("{before}", quote(earlier)).replace("{anchor}", quote(said))
    return FollowUp(text, intent, said, "consistency", earlier, rephrase=False)


def claim_follow_up(knowledge: Knowledge, ledger, answer: str, project: str | None, asked: set[str], used_angles: set[str]) -> tuple[FollowUp, object] | None:
    """Deep-dive follow-up on a resume claim: after a deflection, what the candidate did on it; else a claim the
    answer mentioned; else the next unprobed claim of the project."""
    from interviewer.interview.ledger import PROBES_FOR_KIND

    probes = knowledge.curated.probes
    deflection = getattr(ledger, "last_deflection", None)
    if deflection and deflection.get("claim_id") and "own-contribution" in probes and "own-contribution" not in used_angles:
        claim = ledger.claim(deflection["claim_id"])
        if claim is not None:
            said = _deflection_quote(deflection["quote"])
            for phrasing in probes["own-contribution"].phrasings:
                phrasing = re.sub(r"^You (mentioned|said) ", "It mentions ", phrasing)
                text = f"You said {quote(said)}, but your resume lists {quote(claim.text)}. " + _fill(phrasing, claim.text)
                if _normalise(text) not in asked:
                    return FollowUp(text, probes["own-contribution"].intent, claim.text, "probe:own-contribution", rephrase=False), claim
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
                lead = f"Your resume says {quote(_claim_clause(claim))}. "
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


def _quotes(items: list[str]) -> str:
    return " and ".join(quote(i) for i in items)


def _claim_clause(claim) -> str:
    """The part of the claim's resume line around the claim, verbatim, short enough to quote."""
    line = claim.line.strip()
    if len(line) <= 120:
        return line.rstrip(" .;,")
    at = line.lower().find(claim.text.lower())
    if at < 0:
        return claim.text
    start = max(line.rfind(sep, 0, at) for sep in ("; ", ": ", ", ")) + 1
    ends = [e for e in (line.find(sep, at + len(claim.text)) for sep in ("; ", ": ", ", ")) if e != -1]
    clause = line[start : min(ends) if ends else len(line)].strip(" .;,")
    return clause if len(clause) <= 140 else claim.text


def _deflection_quote(sentence: str) -> str:
    text = sentence.strip().rstrip(".!?;:,")
    if len(text) <= 100:
        return text
    cut = max(text.rfind(sep, 0, 100) for sep in (", ", "; ", " but "))
    return text[:cut] if cut > 20 else text[:100].rsplit(" ", 1)[0]


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

