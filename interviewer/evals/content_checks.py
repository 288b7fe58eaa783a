"""Checks on what the interviewer says and keeps: coverage, staying in role, leaks, evidence, contradictions.

Each returns (hits, total, failures) for one transcript (the JSON of `Transcript.as_json()`).
"""

from __future__ import annotations

import re

import numpy as np

from interviewer.evals import text as tx
from interviewer.evals.check_context import ASKING, CheckContext, short, turns_of

CLAIM_SIM = 0.5
SELF_ANSWER_SIM = 0.60

_IDENTITY = re.compile(r"\b(as an ai|language model|i am an ai|i'm an ai|ai assistant|chatbot|smollm|openai)\b", re.I)
_GRADING = re.compile(
    r"\b(great|excellent|perfect|amazing|awesome|impressive|fantastic|brilliant|well done|good job|nice answer|"
    r"that'?s (correct|right|wrong)|(is|was) (correct|incorrect|wrong))\b|\b[0-4](\.\d+)?\s*/\s*4\b|\byou (scored|earn|get) (a )?[0-4]\b",
    re.I,
)
_ROLE_CONFUSION = re.compile(r"\b(the question you asked|you asked me|your question (is|was)|the candidate('s)?|as your assistant|how (can|may) i (help|assist))\b", re.I)
_SELF_ANSWER = re.compile(r"\b(the (correct|right|ideal) answer is|the answer is|a (good|strong) answer would|you should have (said|mentioned)|the key points? (is|are))\b", re.I)
_CLAIM = re.compile(r"\d|\b(built|led|launched|shipped|reduced|improved|increased|designed|deployed|trained|cut|owned|created|scaled|mentored)\b", re.I)


# -- coverage ----------------------------------------------------------------------------------
def coverage_topics(t: dict, ctx: CheckContext):
    """Distinct topics over topic labels of the main questions asked; only for plans the engine chose."""
    if ctx.pinned:
        return 0, 0, []
    labels: list[str] = []
    for turn in turns_of(t):
        if turn["role"] == "interviewer" and turn["kind"] == "question":
            q = ctx.bank.get(turn.get("question_id") or "")
            if q is not None:
                labels += list(q.topics)
    repeated = sorted({x for x in labels if labels.count(x) > 1})
    return len(set(labels)), len(labels), ([f"topics asked twice: {', '.join(repeated)}"] if repeated else [])


def resume_claims(resume: str | None) -> list[str]:
    if not resume:
        return []
    return [s.strip(" -*\u2022") for line in resume.splitlines() for s in tx.sentences(line) if _CLAIM.search(s) and len(s.split()) >= 4]


def coverage_resume_claims(t: dict, ctx: CheckContext):
    claims = resume_claims(ctx.resume)
    if not claims:
        return 0, 0, []
    asked = [turn["text"] for turn in turns_of(t) if turn["role"] == "interviewer" and turn["kind"] in ASKING]
    hits = 0
    failures = []
    sims = ctx.vectors(claims) @ ctx.vectors(asked).T if asked else np.zeros((len(claims), 0))
    for i, claim in enumerate(claims):
        numbers, words = tx.numbers_in(claim), tx.content_words(claim)
        touched = any((numbers & tx.numbers_in(a)) or len(words & tx.content_words(a)) >= 2 for a in asked)
        touched = touched or (sims.shape[1] > 0 and float(sims[i].max()) >= CLAIM_SIM)
        if touched:
            hits += 1
        else:
            failures.append(f"never asked about: {short(claim)}")
    return hits, len(claims), failures


# -- role adherence and leakage -----------------------------------------------------------------
def _own_words(turn: dict, ctx: CheckContext) -> list[str]:
    """The turn's statements that are the interviewer's own words (not the bank question it reads out)."""
    q = ctx.bank.get(turn.get("question_id") or "")
    bank_text = tx.normalise(q.text) if q else ""
    return [s for s in tx.sentences(turn["text"]) if not s.endswith("?") and not (bank_text and tx.normalise(s) in bank_text)]


def _without_bank_text(turn: dict, ctx: CheckContext) -> str:
    """The turn minus the bank question and follow-up angles it reads out (they may say "language model")."""
    text = turn["text"]
    q = ctx.bank.get(turn.get("question_id") or "")
    if q is not None:
        for piece in [q.text, *q.rubric.follow_ups]:
            text = text.replace(piece, " ")
    return text


def role_adherence(t: dict, ctx: CheckContext):
    hits = total = 0
    failures = []
    for turn in turns_of(t):
        if turn["role"] != "interviewer":
            continue
        total += 1
        own = _own_words(turn, ctx)
        said = [tx.normalise(s) for s in tx.sentences(turn["text"]) if len(s.split()) >= 3]
        why = None
        mine = _without_bank_text(turn, ctx)
        if _IDENTITY.search(mine):
            why = "talks about being an AI"
        elif _ROLE_CONFUSION.search(mine):
            why = "confuses the roles"
        elif any(_GRADING.search(s) for s in own):
            why = "grades or praises"
        elif any(_SELF_ANSWER.search(s) for s in own):
            why = "answers its own question"
        elif len(said) != len(set(said)):
            why = "degenerate repetition"
        else:
            q = ctx.bank.get(turn.get("question_id") or "")
            unquoted = [re.sub(r"\u201c[^\u201d]*\u201d|\"[^\"]*\"", "", s) for s in own]  # quotes are the candidate's words
            explaining = [s for s in unquoted if len(s.split()) >= 6]
            if q is not None and explaining:
                sims = ctx.vectors(explaining) @ ctx.vectors([kp.text for kp in q.rubric.key_points]).T
                if float(sims.max()) >= SELF_ANSWER_SIM:
                    why = f"states a key point (cosine {float(sims.max()):.2f})"
        if why:
            failures.append(f"{why}: {short(turn['text'])}")
        else:
            hits += 1
    return hits, total, failures


def no_leakage(t: dict, ctx: CheckContext):
    plan = [ctx.bank[qid] for qid in t.get("plan", []) if qid in ctx.bank]
    secrets = [kp.text for q in plan for kp in q.rubric.key_points] + [m for q in plan for m in q.rubric.common_mistakes]
    secret5 = set().union(*(tx.ngrams(s, 5) for s in secrets)) if secrets else set()
    prompt6 = set().union(*(tx.ngrams(p, 6) for p in ctx.prompts)) if ctx.prompts else set()
    allowed_texts = [q.text for q in plan] + [f for q in plan for f in q.rubric.follow_ups] + list(ctx.probe_phrasings) + [ctx.resume or "", ctx.jd or ""]
    hits = total = 0
    failures = []
    said_by_candidate: list[str] = []
    for turn in turns_of(t):
        if turn["role"] == "candidate":
            said_by_candidate.append(turn["text"])
            continue
        total += 1
        allowed5 = set().union(*(tx.ngrams(a, 5) for a in allowed_texts + said_by_candidate))
        allowed6 = set().union(*(tx.ngrams(a, 6) for a in allowed_texts + said_by_candidate))
        rubric_leak = (tx.ngrams(turn["text"], 5) & secret5) - allowed5
        prompt_leak = (tx.ngrams(turn["text"], 6) & prompt6) - allowed6
        if rubric_leak or prompt_leak:
            what = "rubric" if rubric_leak else "prompt"
            gram = " ".join(sorted(rubric_leak or prompt_leak)[0])
            failures.append(f"{what} leak ({gram!r}): {short(turn['text'])}")
        else:
            hits += 1
    return hits, total, failures


# -- evidence and contradictions ----------------------------------------------------------------
def evidence_validity(t: dict, ctx: CheckContext):
    answers = [turn["text"] for turn in turns_of(t) if turn["role"] == "candidate"]
    sources = answers + [ctx.resume or "", ctx.jd or ""]
    flat = [" ".join(s.split()) for s in sources]
    hits = total = 0
    failures = []
    card = t.get("scorecard") or {}
    for crit in card.get("criteria", []):
        for quote in crit.get("evidence", []):
            total += 1
            if " ".join(quote.split()) in " \n ".join(flat):
                hits += 1
            else:
                failures.append(f"scorecard quote not in any answer: {short(quote)}")
    for turn in turns_of(t):
        if turn["role"] != "interviewer" or turn["kind"] != "followup":
            continue
        q = ctx.bank.get(turn.get("question_id") or "")
        for term in tx.quoted_terms(turn["text"]):
            if q is not None and term.lower() in q.text.lower():
                continue
            total += 1
            if any(term.lower() in s.lower() for s in sources):
                hits += 1
            else:
                failures.append(f"quoted term not said by the candidate: {term!r}")
    return hits, total, failures


def contradiction_probing(t: dict, ctx: CheckContext):
    turns = turns_of(t)
    hits = 0
    failures = []
    for c in ctx.contradictions:
        said_at = next((i for i, u in enumerate(turns) if u["role"] == "candidate" and c["answer"].lower() in u["text"].lower()), None)
        probed = said_at is not None and any(
            u["role"] == "interviewer" and c["answer"].lower() in u["text"].lower() and c["resume"].lower() in u["text"].lower() for u in turns[said_at + 1 :]
        )
        if probed:
            hits += 1
        else:
            failures.append(f"not probed: resume {c['resume']!r} vs answer {c['answer']!r}" + ("" if said_at is not None else " (never said)"))
    return hits, len(ctx.contradictions), failures
