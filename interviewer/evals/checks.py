"""Per-interview checks on a transcript (the JSON of `Transcript.as_json()`).

Each check returns (hits, total, failures): aggregated later as sum(hits) / sum(total), so an
interview with many follow-ups weighs more than one with a single follow-up. Deterministic text
checks decide first, sentence embeddings second; the LLM judge only sees cases neither can decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from interviewer.evals import text as tx

ASKING = ("question", "followup")
COMPLETE_COVERAGE = 0.6  # share of rubric key points at which an answer needs no follow-up
CONTEXT_SIM_YES, CONTEXT_SIM_NO = 0.55, 0.30  # follow-up vs answer cosine: decided above / below, judged between
REPEAT_SIM = 0.92
CLAIM_SIM = 0.5
SELF_ANSWER_SIM = 0.72
KP_SIM_WITH_KEYWORD, KP_SIM_ALONE = 0.40, 0.62

_SPECIFIC = re.compile(r"\d|\b(because|since|so that|therefore|trade-?off|however|instead of|which means|due to)\b", re.I)
_IDENTITY = re.compile(r"\b(as an ai|language model|i am an ai|i'm an ai|ai assistant|chatbot|smollm|openai)\b", re.I)
_GRADING = re.compile(
    r"\b(great|excellent|perfect|amazing|awesome|impressive|fantastic|brilliant|well done|good job|nice answer|"
    r"that'?s (correct|right|wrong)|(is|was) (correct|incorrect|wrong))\b|\b[0-4](\.\d+)?\s*/\s*4\b|\byou (scored|earn|get) (a )?[0-4]\b",
    re.I,
)
_ROLE_CONFUSION = re.compile(r"\b(the question you asked|you asked me|your question (is|was)|the candidate('s)?|as your assistant|how (can|may) i (help|assist))\b", re.I)
_SELF_ANSWER = re.compile(r"\b(the (correct|right|ideal) answer is|the answer is|a (good|strong) answer would|you should have (said|mentioned)|the key points? (is|are))\b", re.I)
_CLAIM = re.compile(r"\d|\b(built|led|launched|shipped|reduced|improved|increased|designed|deployed|trained|cut|owned|created|scaled|mentored)\b", re.I)


@dataclass
class CheckContext:
    bank: dict  # question id -> BankQuestion
    embed: Callable[[list[str]], np.ndarray]  # normalised sentence vectors
    prompts: list[str] = field(default_factory=list)  # prompt template texts the interviewer must never reveal
    probe_phrasings: list[str] = field(default_factory=list)
    known_source_ids: set[str] | None = None
    judge: Callable[[str, str], bool | None] | None = None
    resume: str | None = None
    jd: str | None = None
    contradictions: list[dict] = field(default_factory=list)
    pinned: bool = False
    depth_limit: int = 2
    judge_calls: int = 0
    _vectors: dict[str, np.ndarray] = field(default_factory=dict)

    def vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for t, v in zip(missing, self.embed(missing)):
                self._vectors[t] = np.asarray(v, dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)

    def similarity(self, a: str, b: str) -> float:
        va, vb = self.vectors([a, b])
        return float(va @ vb)


def _turns(t: dict) -> list[dict]:
    return t.get("turns", [])


def _short(text: str, n: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def _question_part(text: str) -> str:
    """The part of an interviewer turn that asks: its last question sentence, else the whole turn."""
    qs = tx.questions_in(text)
    return qs[-1] if qs else text.strip()


# -- grounding ---------------------------------------------------------------------------------
def grounding(t: dict, ctx: CheckContext):
    hits = total = 0
    failures = []
    for turn in _turns(t):
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
            failures.append(f"{why}: {_short(turn['text'])}")
        else:
            hits += 1
    return hits, total, failures


# -- follow-up context-awareness ------------------------------------------------------------------
def followup_context(t: dict, ctx: CheckContext):
    hits = total = 0
    failures = []
    turns = _turns(t)
    for prev, turn in zip(turns, turns[1:]):
        if turn["role"] != "interviewer" or turn["kind"] != "followup" or prev["role"] != "candidate":
            continue
        answer = prev["text"]
        if not tx.substantive(answer):
            continue  # nothing to refer to: re-asking is the right move, judged elsewhere
        total += 1
        q = ctx.bank.get(turn.get("question_id") or "")
        own = tx.content_words(answer) - tx.content_words(q.text if q else "")
        shared = own & tx.content_words(turn["text"])
        quoted = [term for term in tx.quoted_terms(turn["text"]) if term.lower() in answer.lower()]
        decided: bool | None = True if (shared or quoted) else None
        how = "shared term"
        if decided is None:
            sim = ctx.similarity(tx.strip_injection(answer) or answer, turn["text"])
            how = f"cosine {sim:.2f}"
            if sim >= CONTEXT_SIM_YES:
                decided = True
            elif sim < CONTEXT_SIM_NO:
                decided = False
            elif ctx.judge is not None:
                ctx.judge_calls += 1
                decided = ctx.judge(answer, turn["text"])
                how += f", judge {'yes' if decided else 'no' if decided is False else 'undecided'}"
        if decided:
            hits += 1
        else:
            failures.append(f"{how}: {_short(turn['text'])} <- {_short(answer, 60)}")
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
    turns = _turns(t)
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
        decisions.append({"question_id": qid, "coverage": round(coverage, 2), "complete": complete, "followed_up": followed, "answer": answer})
    return decisions


def followup_necessity(t: dict, ctx: CheckContext, decisions: list[dict] | None = None):
    decisions = follow_up_decisions(t, ctx) if decisions is None else decisions
    due = [d for d in decisions if not d["complete"]]
    failures = [f"moved on at coverage {d['coverage']}: {_short(d['answer'], 70)}" for d in due if not d["followed_up"]]
    return sum(d["followed_up"] for d in due), len(due), failures


def justified_skip(t: dict, ctx: CheckContext, decisions: list[dict] | None = None):
    decisions = follow_up_decisions(t, ctx) if decisions is None else decisions
    done = [d for d in decisions if d["complete"]]
    failures = [f"followed up at coverage {d['coverage']}: {_short(d['answer'], 70)}" for d in done if d["followed_up"]]
    return sum(not d["followed_up"] for d in done), len(done), failures


# -- openness and repetition --------------------------------------------------------------------
def openness(t: dict, ctx: CheckContext):
    hits = total = 0
    failures = []
    for turn in _turns(t):
        if turn["role"] != "interviewer" or turn["kind"] not in ASKING:
            continue
        total += 1
        asked = tx.questions_in(turn["text"])
        if asked and tx.is_yes_no(asked[-1]):
            failures.append(f"yes/no: {_short(asked[-1])}")
        else:
            hits += 1
    return hits, total, failures


def non_repetition(t: dict, ctx: CheckContext):
    hits = total = 0
    failures = []
    turns = _turns(t)
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
        asked = _question_part(turn["text"])
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
            failures.append(f"{why}: {_short(turn['text'])}")
        else:
            hits += 1
        pending.append(asked)
    return hits, total, failures


# -- coverage ----------------------------------------------------------------------------------
def coverage_topics(t: dict, ctx: CheckContext):
    """Distinct topics over topic labels of the main questions asked; only for plans the engine chose."""
    if ctx.pinned:
        return 0, 0, []
    labels: list[str] = []
    for turn in _turns(t):
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
    asked = [turn["text"] for turn in _turns(t) if turn["role"] == "interviewer" and turn["kind"] in ASKING]
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
            failures.append(f"never asked about: {_short(claim)}")
    return hits, len(claims), failures


# -- role adherence and leakage -----------------------------------------------------------------
def _own_words(turn: dict, ctx: CheckContext) -> list[str]:
    """The turn's statements that are the interviewer's own words (not the bank question it reads out)."""
    q = ctx.bank.get(turn.get("question_id") or "")
    bank_text = tx.normalise(q.text) if q else ""
    return [s for s in tx.sentences(turn["text"]) if not s.endswith("?") and not (bank_text and tx.normalise(s) in bank_text)]


def role_adherence(t: dict, ctx: CheckContext):
    hits = total = 0
    failures = []
    for turn in _turns(t):
        if turn["role"] != "interviewer":
            continue
        total += 1
        own = _own_words(turn, ctx)
        said = [tx.normalise(s) for s in tx.sentences(turn["text"]) if len(s.split()) >= 3]
        why = None
        if _IDENTITY.search(turn["text"]):
            why = "talks about being an AI"
        elif _ROLE_CONFUSION.search(turn["text"]):
            why = "confuses the roles"
        elif any(_GRADING.search(s) for s in own):
            why = "grades or praises"
        elif any(_SELF_ANSWER.search(s) for s in own):
            why = "answers its own question"
        elif len(said) != len(set(said)):
            why = "degenerate repetition"
        else:
            q = ctx.bank.get(turn.get("question_id") or "")
            explaining = [s for s in own if len(s.split()) >= 6]
            if q is not None and explaining:
                sims = ctx.vectors(explaining) @ ctx.vectors([kp.text for kp in q.rubric.key_points]).T
                if float(sims.max()) >= SELF_ANSWER_SIM:
                    why = f"states a key point (cosine {float(sims.max()):.2f})"
        if why:
            failures.append(f"{why}: {_short(turn['text'])}")
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
    for turn in _turns(t):
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
            failures.append(f"{what} leak ({gram!r}): {_short(turn['text'])}")
        else:
            hits += 1
    return hits, total, failures


# -- evidence and contradictions ----------------------------------------------------------------
def evidence_validity(t: dict, ctx: CheckContext):
    answers = [turn["text"] for turn in _turns(t) if turn["role"] == "candidate"]
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
                failures.append(f"scorecard quote not in any answer: {_short(quote)}")
    for turn in _turns(t):
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
    turns = _turns(t)
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


CHECKS = {
    "grounding": grounding,
    "followup_context": followup_context,
    "followup_necessity": followup_necessity,
    "justified_skip": justified_skip,
    "openness": openness,
    "non_repetition": non_repetition,
    "coverage_topics": coverage_topics,
    "coverage_resume_claims": coverage_resume_claims,
    "role_adherence": role_adherence,
    "no_leakage": no_leakage,
    "evidence_validity": evidence_validity,
    "contradiction_probing": contradiction_probing,
}


def run_checks(t: dict, ctx: CheckContext) -> dict:
    """{"counts": {metric: [hits, total]}, "failures": {metric: [why, ...]}} for one transcript."""
    decisions = follow_up_decisions(t, ctx)
    counts, failures = {}, {}
    for name, check in CHECKS.items():
        if name in ("followup_necessity", "justified_skip"):
            hits, total, why = check(t, ctx, decisions)
        else:
            hits, total, why = check(t, ctx)
        counts[name] = [hits, total]
        if why:
            failures[name] = why
    return {"counts": counts, "failures": failures}
