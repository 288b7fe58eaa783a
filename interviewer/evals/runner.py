"""`interviewer eval`: run candidate personas through the real engine and model, check every
transcript, aggregate the metrics, compare with a baseline, and write report.json and report.html."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from interviewer.evals import checks as ck
from interviewer.evals.adaptive import adaptive_metric_values, adaptive_report
from interviewer.evals.aggregate import aggregate, calibration, injection_outcome, latency_samples
from interviewer.evals.baseline import compare, load_baseline
from interviewer.evals.candidates import candidate_for
from interviewer.evals.definitions import METRICS
from interviewer.evals.grading import grader_metrics, grader_report
from interviewer.evals.injection import injection_metrics, injection_report, load_injection_set
from interviewer.evals.judge import LLMJudge
from interviewer.evals.personas import Persona, load_personas
from interviewer.evals.recording import CompletionRecordingLLM, completion_stats
from interviewer.evals.text import has_injection
from interviewer.settings import Settings


def _drain(events) -> str:
    from interviewer.interview import TurnEvent

    last = ""
    for event in events:
        if isinstance(event, TurnEvent) and event.turn.role == "interviewer":
            last = event.turn.text
    return last


def run_interview(persona: Persona, knowledge, llm, settings: Settings, seed: int, control: bool = False) -> tuple[dict, list, int]:
    """One interview; returns (transcript JSON, the interviewer's model completions, answers given)."""
    from interviewer.interview import Interview, InterviewConfig

    llm.reset(seed)  # same sampling chain and no cached prompt state: each persona reproduces whatever ran before it
    recorder = CompletionRecordingLLM(llm)
    config = InterviewConfig(
        round=persona.round, track=persona.track, resume=persona.resume, job_description=persona.jd,
        question_ids=persona.questions, seed=seed, session_id=f"eval-{persona.name}" + ("-control" if control else ""),
    )
    interview = Interview(config, knowledge, recorder, settings.prompts_dir, settings.temperature)
    candidate = candidate_for(persona, llm, seed, control=control)
    asked = _drain(interview.start())
    while not interview.done:
        reply = candidate.reply(asked)
        if reply is None:
            break
        asked = _drain(interview.answer(reply))
    interview.finish()
    return interview.transcript.as_json(), recorder.take(), candidate.used


def _card_summary(transcript: dict) -> dict:
    card = transcript.get("scorecard") or {}
    return {"overall": card.get("overall"), "criteria": {c["id"]: c["score"] for c in card.get("criteria", [])}}


class EvalContext:
    """What every check needs from the knowledge pack, built once per run."""

    def __init__(self, knowledge, settings: Settings, judge: LLMJudge | None):
        curated = knowledge.curated
        self.knowledge = knowledge
        self.bank = curated.questions
        self.prompts = [p.read_text(encoding="utf-8") for p in sorted(Path(settings.prompts_dir).glob("*.txt"))]
        self.probe_phrasings = [ph for probe in curated.probes.values() for ph in probe.phrasings]
        self.known_ids = set(knowledge.index.collection.get(include=[])["ids"])
        self.judge = judge
        self.vector_cache: dict = {}

    def for_persona(self, persona: Persona) -> ck.CheckContext:
        ctx = ck.CheckContext(
            bank=self.bank, embed=self.knowledge.embed, prompts=self.prompts, probe_phrasings=self.probe_phrasings,
            known_source_ids=self.known_ids, judge=self.judge.refers_to if self.judge else None, resume=persona.resume, jd=persona.jd,
            contradictions=[c.model_dump() for c in persona.contradictions], pinned=bool(persona.questions),
        )
        ctx.vector_cache = self.vector_cache  # one embedding cache for the run
        return ctx


def evaluate_persona(persona: Persona, knowledge, llm, settings: Settings, seed: int, ectx: EvalContext) -> dict:
    start = time.perf_counter()
    transcript, completions, used = run_interview(persona, knowledge, llm, settings, seed)
    ctx = ectx.for_persona(persona)
    result = ck.run_checks(transcript, ctx)
    record = {
        "persona": persona.name,
        "level": persona.level,
        "round": persona.round,
        "track": persona.track,
        "simulated": not persona.scripted,
        "pinned": bool(persona.questions),
        **_card_summary(transcript),
        "counts": result["counts"],
        "failures": result["failures"],
        "latency": latency_samples(transcript["turns"], completion_stats(completions)),
        "injection": None,
        "answers_used": used,
        "answers_total": len(persona.answers) if persona.scripted else persona.simulate.max_turns,
        "judge_calls": ctx.judge_calls,
    }
    if persona.scripted and any(has_injection(a) for a in persona.answers):
        control, _, _ = run_interview(persona, knowledge, llm, settings, seed, control=True)
        record["injection"] = injection_outcome(_card_summary(transcript), _card_summary(control), result["counts"])
        record["injection"]["control_transcript"] = control
    record["seconds"] = round(time.perf_counter() - start, 1)
    record["transcript"] = transcript
    return record


def run_eval(
    settings: Settings,
    personas: Path | None = None,
    out: Path = Path("eval-report"),
    seed: int = 7,
    baseline: Path | None = None,
    knowledge=None,
    llm=None,
    progress: bool = True,
) -> dict:
    """Run every persona, write report.json and report.html into `out`, and return the report."""
    from tqdm import tqdm

    from interviewer.evals.report_html import write_html
    from interviewer.evals.retrieval import evaluate as evaluate_retrieval
    from interviewer.evals.retrieval import load_queries

    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # bad input fails here, before the index and the model load
    reference = load_baseline(baseline) if baseline else None
    folder = Path(personas) if personas else settings.evals_dir / "personas"
    if knowledge is None:
        from interviewer.knowledge.bank import CuratedKnowledge

        cast = load_personas(folder, set(CuratedKnowledge(settings.knowledge_dir).questions))
        from interviewer.knowledge.service import Knowledge

        knowledge = Knowledge(settings)
    else:
        cast = load_personas(folder, set(knowledge.curated.questions))
    if llm is None:
        from interviewer.llm import load_llm

        llm = load_llm(settings)
    judge = LLMJudge(llm)
    ectx = EvalContext(knowledge, settings, judge)
    interviews = []
    bar = tqdm(cast, desc="eval", unit="persona", file=sys.stderr, disable=not progress)
    for persona in bar:
        bar.set_postfix_str(persona.name)
        interviews.append(evaluate_persona(persona, knowledge, llm, settings, seed, ectx))
    metrics = aggregate(interviews)
    retrieval = evaluate_retrieval(knowledge.index, load_queries(settings.evals_dir / "retrieval"))
    metrics.update({f"retrieval_{k}": retrieval[k] for k in ("queries", "top1", "top3", "mrr")})
    grading = grader_report(knowledge, split="test")
    metrics.update(grader_metrics(grading))
    injection_detection = injection_report(load_injection_set(settings.evals_dir / "injection", split="test"))
    metrics.update(injection_metrics(injection_detection))
    adaptive = adaptive_report(knowledge, settings.prompts_dir, split="test", seed=seed, directory=settings.evals_dir / "adaptive")
    metrics.update(adaptive_metric_values(adaptive))
    info = llm.info()
    report = {
        "model": info.get("name"),
        "model_info": info,
        "seed": seed,
        "personas_dir": str(folder),
        "judge": judge.summary(),
        "metrics": metrics,
        "definitions": {name: METRICS[name].definition for name in metrics if name in METRICS},
        "calibration": calibration(interviews)["rounds"],
        "retrieval_misses": retrieval["misses"],
        "grader": grading,
        "injection_detection": injection_detection,
        "adaptive": adaptive,
        "interviews": interviews,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if reference is not None:
        report["baseline"] = {"file": str(baseline), **compare(report, reference)}
    (out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    write_html(report, out / "report.html")
    return report
