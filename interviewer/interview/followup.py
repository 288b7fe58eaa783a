"""Follow-ups that come from the resume and the claim ledger: a contradiction quoted from both sides, a deflection
met with what the candidate did, a resume claim probed. Key-point probes and challenges of misconceptions are chosen
by interview/policy.py; both return a FollowUp.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interviewer.knowledge.service import Knowledge
from interviewer.text import sentences


@dataclass
class FollowUp:
    text: str  # template phrasing, always valid
    angle: str  # the question or intent the follow-up pursues (what the LLM may rephrase)
    anchor: str  # the phrase of the candidate's sentence it quotes, or ""
    kind: str  # key-point | misconception | deeper | rubric | probe:<id> | consistency
    before: str | None = None
    rephrase: bool = True  # False when the wording quotes the resume or two statements: the model must not reword it
    targets: list[str] = field(default_factory=list)  # the key point, misconception, claim or angle it pursues
    anchor_sentence: str | None = None  # the candidate sentence it builds on
    move: str = "probe"  # key-point | misconception | deeper | concrete | claim | consistency (repeat: a re-ask after no answer)


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


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
        pairs = [now] + [c for c in now.also if not c.gap]
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
    return FollowUp(text, intent, said, "consistency", earlier, rephrase=False, targets=[earlier], anchor_sentence=said, move="consistency")


def claim_follow_up(knowledge: Knowledge, ledger, answer: str, project: str | None, asked: set[str], used_angles: set[str]) -> tuple[FollowUp, object] | None:
    """Deep-dive follow-up on a resume claim: after a deflection, what the candidate did on it; else a claim the
    answer mentioned; else the next unprobed claim of the project."""
    probes = knowledge.curated.probes
    probes_for_kind = knowledge.curated.probes_for_claim_kind  # knowledge/probes.yaml, for_claim_kind
    deflection = ledger.last_deflection
    # "which part did you build" answers "others did it", not "I'd have to check the numbers"
    if (deflection and deflection.get("claim_id") and deflection.get("kind") == "others-did-it"
            and "own-contribution" in probes and "own-contribution" not in used_angles):
        claim = ledger.claim(deflection["claim_id"])
        if claim is not None:
            said = _deflection_quote(deflection["quote"])
            for phrasing in probes["own-contribution"].phrasings:
                phrasing = re.sub(r"^You (mentioned|said) ", "It mentions ", phrasing)
                text = f"You said {quote(said)}, but your resume lists {quote(claim.text)}. " + _fill(phrasing, claim.text)
                if _normalise(text) not in asked:
                    return FollowUp(text, probes["own-contribution"].intent, claim.text, "probe:own-contribution", rephrase=False,
                                    targets=[claim.text], anchor_sentence=deflection["quote"], move="claim"), claim
    mentioned = [c for c in ledger.mentioned_in(answer, project) if c.id not in ledger.probed]
    candidates = [(c, True) for c in mentioned] + [(c, False) for c in ledger.unprobed(project) if c not in mentioned]
    for claim, in_answer in candidates:
        for pid in probes_for_kind.get(claim.kind, ()):
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
                    return FollowUp(text, probe.intent, anchor, f"probe:{pid}", rephrase=in_answer, targets=[claim.text],
                                    anchor_sentence=_sentence_with(answer, anchor) if in_answer else None, move="claim"), claim
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
    """Curly quotes around a phrase; quotes inside it are dropped, so a quote never nests ("the “"Pulse"” detector")."""
    inner = re.sub(r"[\"\u201c\u201d]", "", term).strip().rstrip(".?!;:,").strip()  # the sentence's own stop ends it
    return "\u201c" + inner + "\u201d"


def project_name(title: str) -> str:
    """A resume project as a reader names it: "the “Pulse” arrhythmia detector at Orchard Health" keeps its article
    and its inner quotes, curled; a bare entry line ("ML Engineer, Acme") is quoted whole. No markdown marks."""
    plain = re.sub(r"^[#*\-\s]+|[*_`]+", "", title).strip()
    if re.match(r"(?i)(the|my|our|your)\s", plain):
        plain = re.sub(r":\s+", " \u2014 ", plain)  # a title's own colon would clash with a lead-in's ("Staying with ...:")
        return re.sub(r'"([^"]+)"', "\u201c\\1\u201d", plain)
    return quote(plain)


def _fill(phrasing: str, anchor: str) -> str:
    return phrasing.replace("{anchor}", quote(anchor))


def _sentence_with(answer: str, phrase: str) -> str | None:
    return next((s for s in sentences(answer) if phrase.lower() in s.lower()), None)
