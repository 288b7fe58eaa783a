"""Interviews with adaptive personas, and the follow-up metrics that a bad interviewer cannot pass.

The persona reads each follow-up by meaning with its own reader (the key points' text, curated paraphrases and the
questions written to ask for each point, plus the persona's own words; never the turn's declared `targets`), and answers from what it knows:
a point it knows and has not said, that point; a point it said, the same again (a re-ask); the point a misconception
is on, the misconception; a challenge of a stated misconception, its reply to that; anything else, its hedge.

Metrics, per follow-up as the persona read it:
- targeted: it asks for a key point the persona has not said yet, challenges a misconception it stated, or grills a
  resume line without asking for a point already said;
- re-ask: it asks for a point the persona already said (in this question's answers);
- justified skip: the interviewer moved on with the follow-up budget spent, the answer complete, or every point the
  persona had not said already asked;
- mask recovery: the scorecard's covered / missed points against what the persona said;
- misconceptions challenged: stated misconceptions the interviewer made the persona re-examine;
- anchor on topic: the sentence a follow-up builds on is, of the answer's sentences, among the two nearest to what
  the follow-up asks (this replaces "quotes a word of the answer").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from interviewer.candidate_text import sentences as split_sentences
from interviewer.evals.adaptive_personas import AdaptivePersona, HeldMisconception, PersonaQuestion
from interviewer.interview import Interview, InterviewConfig
from interviewer.knowledge.bank import BankQuestion
from interviewer.knowledge.service import Knowledge
from interviewer.llm import FakeLLM

READ_SIMILARITY = 0.35  # below this the persona does not recognise any key point in a follow-up
CHALLENGE_SIMILARITY = 0.55  # a follow-up this close to a stated misconception makes the persona re-examine it
COMPLETE_SHARE = 0.75  # the evals' own copy of "complete", independent of knowledge/followups.yaml on purpose
FOLLOW_UP_BUDGET = 2


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def without_quotes(text: str) -> str:
    """What a follow-up asks: its last question, minus the phrases it quotes and any lead-in before a colon ("Staying
    with your work at SoundAware (...): which parts did you build?"); not the candidate's own words echoed back."""
    asked = re.sub(r"\u201c[^\u201d]*\u201d", " ", text).strip()
    parts = [p for p in re.split(r"(?<=[.!?:])\s+", asked) if p.strip()]
    questions = [p for p in parts if p.rstrip().endswith("?")]
    return (questions[-1] if questions else asked).strip()


@dataclass
class Reading:
    kind: str  # point | challenge | claim | none
    point: int | None = None
    misconception: HeldMisconception | None = None
    claim: str | None = None  # the resume line a follow-up quotes


class PersonaReader:
    """How one persona understands the follow-ups on one question."""

    def __init__(self, knowledge: Knowledge, question: BankQuestion, spec: PersonaQuestion, resume: str | None = None):
        self.knowledge, self.question, self.spec = knowledge, question, spec
        self.resume_lines = [l.strip(" -*\u2022") for l in (resume or "").splitlines() if len(l.split()) >= 3]
        extras = knowledge.curated.extras.get(question.id)
        self.point_vectors = []
        for i, kp in enumerate(question.rubric.key_points):
            # the curated probes are the questions written to ask for this point: the persona knows what they ask
            texts = [kp.text] + (list(extras.key_points[i].paraphrases) + list(extras.key_points[i].probes) if extras else [])
            own = spec.knows_point(i)
            texts += [own.says] if own else []
            held = spec.holds_on(i)
            texts += [held.says] if held else []
            self.point_vectors.append(_unit(knowledge.embed_cached(texts)))

    def read(self, follow_up: str, stated: list[HeldMisconception]) -> Reading:
        full = _unit(self.knowledge.embed_cached([follow_up]))[0]
        for held in stated:
            said = _unit(self.knowledge.embed_cached([held.says]))[0]
            echoed = _overlap(follow_up, held.says) >= 4
            if echoed or float(full @ said) >= CHALLENGE_SIMILARITY:
                return Reading("challenge", held.point, held)
        claim = self._resume_line(follow_up)
        if claim is not None:
            return Reading("claim", None, None, claim)
        point = self.read_point(follow_up)
        return Reading("none") if point is None else Reading("point", point)

    def read_point(self, follow_up: str) -> int | None:
        """The key point the follow-up asks about (its quotes left out), or None when it asks about none."""
        asked = without_quotes(follow_up) or follow_up
        vector = _unit(self.knowledge.embed_cached([asked]))[0]
        sims = [float((vectors @ vector).max()) for vectors in self.point_vectors]
        best = int(np.argmax(sims))
        return best if sims[best] >= READ_SIMILARITY else None


    def _resume_line(self, follow_up: str) -> str | None:
        """The persona's resume line that the follow-up quotes, when it grills a resume claim."""
        quoted = re.findall(r"\u201c([^\u201d]+)\u201d", follow_up)
        for line in self.resume_lines:
            if any(len(q.split()) >= 2 and _overlap(line, q) >= min(4, len(q.split())) for q in quoted):
                return line
        return None


def _overlap(a: str, b: str) -> int:
    """Longest run of words of `b` that `a` repeats."""
    wa = re.findall(r"[a-z0-9]+", a.lower())
    wb = re.findall(r"[a-z0-9]+", b.lower())
    best = 0
    joined = " " + " ".join(wa) + " "
    for i in range(len(wb)):
        for j in range(i + best + 1, len(wb) + 1):
            if " " + " ".join(wb[i:j]) + " " in joined:
                best = j - i
            else:
                break
    return best


@dataclass
class QuestionState:
    spec: PersonaQuestion
    reader: PersonaReader
    said: set[int] = field(default_factory=set)
    stated: list[HeldMisconception] = field(default_factory=list)
    challenged: list[HeldMisconception] = field(default_factory=list)
    asked_points: set[int] = field(default_factory=set)
    follow_ups: int = 0
    answers: list[str] = field(default_factory=list)  # what the persona said on this question

    def reply(self, follow_up: str) -> tuple[str, dict]:
        reading = self.reader.read(follow_up, [m for m in self.stated if m not in self.challenged])
        judged = {"kind": reading.kind, "point": reading.point}
        if reading.kind == "challenge":
            self.challenged.append(reading.misconception)
            judged["targeted"] = True
            return reading.misconception.when_challenged, judged
        if reading.kind == "claim":
            # grilling a resume line is a deep-dive target in itself, unless what it asks is a point already said
            point = self.reader.read_point(follow_up)
            judged["claim"], judged["point"] = reading.claim, point
            judged["reask"] = point is not None and point in self.said
            judged["targeted"] = not judged["reask"]
            known = self.spec.knows_point(point) if point is not None else None
            if known is not None:
                self.said.add(point)
                return known.says, judged
            return f"Yes, the resume has that right. Beyond that, {self.spec.unsure[0].lower()}{self.spec.unsure[1:]}", judged
        if reading.kind == "none":
            judged["targeted"] = False
            return self.spec.unsure, judged
        i = reading.point
        judged["reask"] = i in self.said
        judged["targeted"] = i not in self.said
        self.asked_points.add(i)
        known, held = self.spec.knows_point(i), self.spec.holds_on(i)
        if known:
            text = ("Like I said, " + known.says) if i in self.said else known.says
            self.said.add(i)
            return text, judged
        if held:
            if held not in self.stated:
                self.stated.append(held)
            return held.says, judged
        return self.spec.unsure, judged


@dataclass
class PersonaRun:
    persona: AdaptivePersona
    transcript: dict
    follow_ups: list[dict]  # one per follow-up: the persona's reading and the turn's declared targets
    skips: list[dict]  # one per move to the next question after an answer
    questions: list[dict]  # per pinned question: said, covered by the scorecard, misconceptions stated / challenged


def run_persona(knowledge: Knowledge, persona: AdaptivePersona, prompts_dir, seed: int = 7) -> PersonaRun:
    questions = knowledge.curated.questions
    config = InterviewConfig(round=persona.round, track=persona.track, resume=persona.resume, job_description=persona.jd,
                             question_ids=[q.id for q in persona.questions], depth=FOLLOW_UP_BUDGET, seed=seed)
    interview = Interview(config, knowledge, FakeLLM(), prompts_dir)
    states = {q.id: QuestionState(q, PersonaReader(knowledge, questions[q.id], q, persona.resume)) for q in persona.questions}
    follow_ups, skips = [], []
    given: dict[str, int] = {}
    turn = _last_interviewer(list(interview.start()))
    current = None
    while not interview.done and turn is not None:
        qid = turn.question_id
        state = states.get(qid)
        if turn.kind == "question" and state is not None:
            current = state
            current.said = set(state.spec.says_first)
            current.stated = [h for h in state.spec.holds if h.up_front]
            answer = state.spec.answer
        elif turn.kind == "followup" and current is not None:
            current.follow_ups += 1
            answer, judged = current.reply(turn.text)
            judged.update(question_id=qid, text=turn.text, move=turn.move, targets=list(turn.targets),
                          anchor_sentence=turn.anchor_sentence, anchor_on_topic=_anchor_on_topic(knowledge, turn, interview))
            follow_ups.append(judged)
        else:
            break
        answer = _not_verbatim_again(answer, given)  # a person rephrases a hedge; a verbatim repeat ends the question
        current.answers.append(answer)
        events = list(interview.answer(answer))
        nxt = _last_interviewer(events)
        if current is not None and (nxt is None or nxt.kind in ("question", "closing")):
            skips.append(_skip(current, questions[current.spec.id]))
        turn = nxt
    interview.finish()
    per_question = []
    for record in interview.records:
        state = states.get(record.question.id)
        if state is None:
            continue
        per_question.append({
            "question_id": record.question.id, "said": sorted(state.said), "covered": record.covered(),
            "stated": len(state.stated), "challenged": len(state.challenged), "follow_ups": state.follow_ups,
        })
    return PersonaRun(persona, interview.transcript.as_json(), follow_ups, skips, per_question)


_AGAIN = ("Like I said, ", "Again, ", "As before, ", "Same as earlier: ", "To repeat, ")


def _not_verbatim_again(answer: str, given: dict[str, int]) -> str:
    times = given.get(answer, 0)
    given[answer] = times + 1
    return answer if times == 0 else _AGAIN[(times - 1) % len(_AGAIN)] + answer[0].lower() + answer[1:]


def _last_interviewer(events) -> object | None:
    turns = [e.turn for e in events if hasattr(e, "turn") and e.turn.role == "interviewer" and e.turn.kind != "note"]
    return turns[-1] if turns else None


def _skip(state: QuestionState, question: BankQuestion) -> dict:
    n = len(question.rubric.key_points)
    unsaid = set(range(n)) - state.said
    open_misconception = any(m not in state.challenged for m in state.stated)
    justified = (state.follow_ups >= FOLLOW_UP_BUDGET
                 or (len(state.said) / n >= COMPLETE_SHARE and not open_misconception)
                 or (unsaid <= state.asked_points and not open_misconception))
    return {"question_id": question.id, "follow_ups": state.follow_ups, "said": len(state.said), "points": n, "justified": justified}


def _anchor_on_topic(knowledge: Knowledge, turn, interview: Interview) -> bool | None:
    if not turn.anchor_sentence:
        return None
    answers = [t.text for t in interview.transcript.turns if t.role == "candidate"]
    sents = [s for s in split_sentences(answers[-1]) if len(s.split()) >= 3] if answers else []
    if turn.anchor_sentence not in sents:
        sents.append(turn.anchor_sentence)
    if len(sents) <= 2:
        return True
    vectors = _unit(knowledge.embed_cached(sents))
    asked = _unit(knowledge.embed_cached([without_quotes(turn.text) or turn.text]))[0]
    order = list(np.argsort(-(vectors @ asked)))
    return sents.index(turn.anchor_sentence) in order[:2]


def adaptive_metrics(runs: list[PersonaRun]) -> dict[str, float | int]:
    fus = [f for r in runs for f in r.follow_ups]
    skips = [s for r in runs for s in r.skips]
    mask = [(p in q["said"]) == bool(q["covered"][p]) for r in runs for q in r.questions for p in range(len(q["covered"]))]
    stated = sum(q["stated"] for r in runs for q in r.questions)
    challenged = sum(q["challenged"] for r in runs for q in r.questions)
    anchors = [f["anchor_on_topic"] for f in fus if f["anchor_on_topic"] is not None]
    mains = [q for r in runs for q in r.questions]
    return {
        "personas": len(runs),
        "follow_ups": len(fus),
        "followup_targeted": _share([f["targeted"] for f in fus]),
        "followup_reask_rate": _share([bool(f.get("reask")) for f in fus]),
        "justified_skip": _share([s["justified"] for s in skips]),
        "mask_recovery": _share(mask),
        "misconceptions_stated": stated,
        "misconceptions_challenged": round(challenged / stated, 3) if stated else 1.0,
        "anchor_on_topic": _share(anchors),
        "main_questions_without_follow_up": _share([q["follow_ups"] == 0 for q in mains]),
    }


def _share(flags: list[bool]) -> float:
    return round(sum(map(bool, flags)) / len(flags), 3) if flags else 1.0


def transcript_lines(run: PersonaRun) -> list[str]:
    """The interview as the persona lived it, each follow-up with the persona's reading."""
    readings = iter(run.follow_ups)
    out = []
    for t in run.transcript["turns"]:
        who = "Interviewer" if t["role"] == "interviewer" else "Candidate"
        line = f"{who} ({t['kind']}): {t['text']}"
        if t["kind"] == "followup" and t["role"] == "interviewer":
            r = next(readings, None)
            if r is not None:
                verdict = "re-ask" if r.get("reask") else ("targets a gap" if r["targeted"] else "off target")
                line += f"  [persona read: {r['kind']} {r['point'] if r['point'] is not None else ''}; {verdict}]"
        out.append(line)
    return out


def adaptive_report(knowledge: Knowledge, prompts_dir, split: str = "test", seed: int = 7, directory=None) -> dict:
    """Run every adaptive persona of a split; the metrics, and each interview's judged follow-ups and transcript."""
    from interviewer.evals.adaptive_personas import load_adaptive

    runs = [run_persona(knowledge, p, prompts_dir, seed) for p in load_adaptive(knowledge.curated.questions, directory, split)]
    return {
        "split": split,
        "metrics": adaptive_metrics(runs),
        "interviews": [{"persona": r.persona.name, "round": r.persona.round, "level": r.persona.level,
                        "follow_ups": r.follow_ups, "skips": r.skips, "questions": r.questions,
                        "lines": transcript_lines(r)} for r in runs],
    }


def adaptive_metric_values(report: dict) -> dict[str, float | int]:
    """The eval's top-level metrics, prefixed so they sit apart from the scripted personas' figures."""
    return {f"adaptive_{k}": v for k, v in report["metrics"].items()}
