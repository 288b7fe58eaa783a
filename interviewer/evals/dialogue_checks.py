"""Checks on the conversation itself: grounding, follow-ups that respond, follow up or move on, open and new questions.

Each returns (hits, total, failures) for one transcript (the JSON of `Transcript.as_json()`).
"""

from __future__ import annotations

import re

from interviewer.evals import text as tx
from interviewer.evals.check_context import ASKING, CheckContext, question_part, short, turns_of

COMPLETE_COVERAGE = 0.6  # share of rubric key points at which an answer needs no follow-up
REPEAT_SIM = 0.92
KP_SIM_WITH_KEYWORD, KP_SIM_ALONE = 0.40, 0.62

_SPECIFIC = re.compile(r"\d|\b(because|since|so that|therefore|trade-?off|however|instead of|which means|due to)\b", re.I)


# -- grounding ---------------------------------------------------------------------------------
def grounding(t: dict, ctx: CheckContext):
    hits = total = 0
    failures = []
    for turn in turns_of(t):
        if turn["role"] != "interviewer" or turn["kind"] != "question":
            continue
        total += 1
        q = ctx.bank.get(turn.get("question_id") or "")
        sources = turn.get("sources") or []
        why = None
        if q is None:
            why = "not a bank question"
        elif tx.normalise(q.text) not in tx.normalise(turn["text"]):
            why = "text differs from the bank question"
        elif not sources or not all(s.get("id") and s.get("section") for s in sources):
            why = "no sources"
        elif ctx.known_source_ids is not None and not any(s["id"] in ctx.known_source_ids for s in sources):
            why = "sources not in the index"
        if why:
            failures.append(f"{why}: {short(turn['text'])}")
        else:
            hits += 1
    return hits, total, failures


# -- necessity and justified skip --------------------------------------------------------------
def rubric_coverage(answers: list[str], question, ctx: CheckContext) -> float:
    """Share of the question's key points the answers cover: keywords and sentence similarity agree, or one is strong."""
    kps = question.rubric.key_points
    sents = [s for a in answers for s in tx.sentences(tx.strip_injection(a))]
    if not kps or not sents:
        return 0.0
    low = " ".join(sents).lower()
    sims = ctx.vectors([kp.text for kp in kps]) @ ctx.vectors(sents).T
    covered = 0
    for i, kp in enumerate(kps):
        found = [k for k in kp.keywords if re.search(r"(?<![a-z0-9])" + re.escape(k) + r"(?![a-z0-9])", low)]
        best = float(sims[i].max())
        if len(found) >= 2 or (found and best >= KP_SIM_WITH_KEYWORD) or best >= KP_SIM_ALONE:
            covered += 1
    return covered / len(kps)


def follow_up_decisions(t: dict, ctx: CheckContext) -> list[dict]:
    """After each substantive answer with follow-up budget left: was the answer complete, and did the interviewer follow up?"""
    turns = turns_of(t)
    decisions = []
    seen: set[str] = set()
    by_question: dict[str, list[str]] = {}
    depth: dict[str, int] = {}
    for i, turn in enumerate(turns):
        if turn["role"] == "interviewer" and turn["kind"] == "followup" and i > 0 and tx.substantive(turns[i - 1]["text"]):
            qid = turn.get("question_id") or ""
            depth[qid] = depth.get(qid, 0) + 1
        if turn["role"] != "candidate":
            continue
        qid = turn.get("question_id") or ""
        answer = turn["text"]
        key = tx.normalise(answer)
        repeat = key in seen
        seen.add(key)
        nxt = next((u for u in turns[i + 1 :] if u["role"] == "interviewer"), None)
        q = ctx.bank.get(qid)
        if q is None or nxt is None or repeat or not tx.substantive(answer):
            continue
        by_question.setdefault(qid, []).append(answer)
        if depth.get(qid, 0) >= ctx.depth_limit:
            continue
        coverage = rubric_coverage(by_question[qid], q, ctx)
        complete = coverage >= COMPLETE_COVERAGE and bool(_SPECIFIC.search(answer))
        followed = nxt["kind"] == "followup" and nxt.get("question_id") == qid
        decisions.append({"question_id": qid, "coverage": round(coverage, 2), "complete": complete, "followed_up": followed, "answer": answer,
                          "first": len(by_question[qid]) == 1})
    return decisions


def followup_necessity(t: dict, ctx: CheckContext, decisions: list[dict] | None = None):
    decisions = follow_up_decisions(t, ctx) if decisions is None else decisions
    due = [d for d in decisions if not d["complete"]]
    failures = [f"moved on at coverage {d['coverage']}: {short(d['answer'], 70)}" for d in due if not d["followed_up"]]
    return sum(d["followed_up"] for d in due), len(due), failures


def justified_skip(t: dict, ctx: CheckContext, decisions: list[dict] | None = None):
    decisions = follow_up_decisions(t, ctx) if decisions is None else decisions
    done = [d for d in decisions if d["complete"]]
    # a complete first answer may be pushed one level deeper, once; after that, or after a complete later answer, move on
    grilled = [d for d in done if d["followed_up"] and not d["first"]]
    failures = [f"followed up again at coverage {d['coverage']}: {short(d['answer'], 70)}" for d in grilled]
    return len(done) - len(grilled), len(done), failures


# -- openness and repetition --------------------------------------------------------------------
def openness(t: dict, ctx: CheckContext):
    hits = total = 0
    failures = []
    for turn in turns_of(t):
        if turn["role"] != "interviewer" or turn["kind"] not in ASKING:
            continue
        total += 1
        asked = tx.questions_in(turn["text"])
        if asked and tx.is_yes_no(asked[-1]):
            failures.append(f"yes/no: {short(asked[-1])}")
        else:
            hits += 1
    return hits, total, failures


def non_repetition(t: dict, ctx: CheckContext):
    hits = total = 0
    failures = []
    turns = turns_of(t)
    answered: list[str] = []  # questions already answered with substance
    pending: list[str] = []  # asked, not yet answered with substance
    for turn in turns:
        if turn["role"] == "candidate":
            if tx.substantive(turn["text"]):
                answered.extend(pending)
                pending = []
            continue
        if turn["kind"] not in ASKING:
            continue
        total += 1
        asked = question_part(turn["text"])
        said = [tx.normalise(s) for s in tx.sentences(turn["text"]) if len(s.split()) >= 3]
        why = None
        if len(said) != len(set(said)):
            why = "says the same sentence twice"
        elif any(tx.normalise(asked) == tx.normalise(a) for a in answered):
            why = "asks an answered question again"
        elif answered:
            sims = ctx.vectors([asked]) @ ctx.vectors(answered).T
            if float(sims.max()) >= REPEAT_SIM:
                why = f"near-duplicate of an answered question (cosine {float(sims.max()):.2f})"
        if why:
            failures.append(f"{why}: {short(turn['text'])}")
        else:
            hits += 1
        pending.append(asked)
    return hits, total, failures
