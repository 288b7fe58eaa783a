"""The grader against the labelled answers: fit on the dev questions, report on the test questions.

    report = grader_report(knowledge, split="test")      # what `interviewer eval` prints and the CI gate checks
    params, scoring = fit_grader(knowledge)               # dev only; `interviewer eval --fit-grader` writes them

Metrics: key-point macro-F1 over the two classes (covered / not covered), covered recall and precision, the share of
correct evidence sentences, buzzword-only answers credited with any key point, misconception recall and the
misconceptions reported on strong answers, and per-answer criterion and overall scores against the labels (QWK, MAE).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from interviewer import candidate_text as ct
from interviewer.evals.graded import CRITERIA, GradedAnswer, load_graded
from interviewer.interview.assess import AnswerAssessment, Assessor
from interviewer.interview.grader import (
    KEY_POINT_FEATURES,
    MISCONCEPTION_FEATURES,
    Grader,
    _names_only,
    answer_units,
    evidence_mask,
    with_pairs,
    without_support,
)
from interviewer.interview.scoring import (
    SCORING_FEATURES,
    QuestionEvidence,
    clip_overall,
    criterion_basis,
    overall_basis,
    question_features,
    to_level,
)
from interviewer.knowledge.bank import GraderParams, LinearScore, LogisticParams, Scoring
from interviewer.knowledge.service import Knowledge


@dataclass
class Graded:
    item: GradedAnswer
    assessment: AnswerAssessment
    evidence: QuestionEvidence
    ms: float


def grade_all(knowledge: Knowledge, items: list[GradedAnswer], grader: Grader | None = None) -> list[Graded]:
    assessor = Assessor(knowledge, grader or Grader(knowledge, cache_answers=True))
    criteria = knowledge.curated.criteria
    out = []
    for item in items:
        assessor.grader.prepare(item.question)  # as the engine does at plan time: the timing is the answer's own
        t0 = time.perf_counter()
        a = assessor.assess(item.label.text, item.question, criteria)
        ms = (time.perf_counter() - t0) * 1000
        out.append(Graded(item, a, question_features([a], [c.id for c in criteria], technical=knowledge.curated.rounds[item.question.round].technical, scales=knowledge.curated.feature_scales), ms))
    return out


# -- metrics ---------------------------------------------------------------------------------------------------
def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _overlaps(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    a, b = a.strip(" .,"), b.strip(" .,")
    return a in b or b in a or len(set(a.lower().split()) & set(b.lower().split())) >= 0.6 * min(len(a.split()), len(b.split()))


def key_point_metrics(graded: list[Graded]) -> dict:
    tp = fp = fn = tn = 0
    evidence_ok = evidence_n = 0
    for g in graded:
        for label, pred in zip(g.item.label.key_points, g.assessment.key_points, strict=False):
            if label.covered and pred.covered:
                tp += 1
                if label.evidence:
                    evidence_n += 1
                    evidence_ok += _overlaps(pred.evidence, label.evidence)
            elif pred.covered:
                fp += 1
            elif label.covered:
                fn += 1
            else:
                tn += 1
    covered_f1, missed_f1 = _f1(tp, fp, fn), _f1(tn, fn, fp)
    return {
        "labels": tp + fp + fn + tn,
        "macro_f1": round((covered_f1 + missed_f1) / 2, 3),
        "covered_recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "covered_precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "evidence_correct": round(evidence_ok / evidence_n, 3) if evidence_n else None,
    }


def misconception_metrics(graded: list[Graded]) -> dict:
    labelled = found = 0
    false_alarms = strong_flagged = 0
    for g in graded:
        quotes = [m.quote for m in g.assessment.misconceptions]
        for m in g.item.label.misconceptions:
            labelled += 1
            found += any(_overlaps(q, m.quote) for q in quotes)
        for q in quotes:
            if not any(_overlaps(q, m.quote) for m in g.item.label.misconceptions):
                false_alarms += 1
        strong_flagged += g.item.label.level == "strong" and bool(quotes)
    return {
        "labelled": labelled,
        "recall": round(found / labelled, 3) if labelled else None,
        "false_alarms": false_alarms,
        "strong_answers_flagged": strong_flagged,
    }


def quadratic_weighted_kappa(truth: list[int], pred: list[int], k: int = 4) -> float:
    if not truth:
        return 0.0
    observed = np.zeros((k, k))
    for t, p in zip(truth, pred, strict=True):
        observed[t - 1, p - 1] += 1
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / len(truth)
    weights = np.array([[(i - j) ** 2 / (k - 1) ** 2 for j in range(k)] for i in range(k)])
    denominator = (weights * expected).sum()
    return float(1 - (weights * observed).sum() / denominator) if denominator else 1.0


def score_metrics(graded: list[Graded], scoring: Scoring) -> dict:
    out: dict = {}
    errors = []
    for cid in CRITERIA:
        truth = [g.item.label.scores[cid] for g in graded]
        pred = [to_level(criterion_basis(g.evidence, scoring, cid), scoring) for g in graded]
        errors += [abs(t - p) for t, p in zip(truth, pred, strict=True)]
        out[cid] = {"qwk": round(quadratic_weighted_kappa(truth, pred), 3), "mae": round(float(np.mean(np.abs(np.subtract(truth, pred)))), 3)}
    overall_pred = [clip_overall(overall_basis(g.evidence, scoring)) for g in graded]
    overall_truth = [g.item.label.overall for g in graded]
    out["criteria_mae"] = round(float(np.mean(errors)), 3) if errors else None
    out["overall_mae"] = round(float(np.mean(np.abs(np.subtract(overall_truth, overall_pred)))), 3) if graded else None
    out["overall_qwk"] = round(quadratic_weighted_kappa([round(t) for t in overall_truth], [round(p) for p in overall_pred]), 3)
    out["mean_overall_by_level"] = {
        level: round(float(np.mean([p for p, g in zip(overall_pred, graded, strict=True) if g.item.label.level == level])), 2)
        for level in ("strong", "partial", "weak") if any(g.item.label.level == level for g in graded)
    }
    out["label_mean_overall_by_level"] = {
        level: round(float(np.mean([g.item.label.overall for g in graded if g.item.label.level == level])), 2)
        for level in ("strong", "partial", "weak") if any(g.item.label.level == level for g in graded)
    }
    return out


def grader_report(knowledge: Knowledge, split: str = "test", items: list[GradedAnswer] | None = None) -> dict:
    items = items if items is not None else load_graded(knowledge.curated.questions, split=split)
    graded = grade_all(knowledge, items, Grader(knowledge))  # answers not cached: the timing is what a candidate waits
    by_level = {
        level: key_point_metrics([g for g in graded if g.item.label.level == level]) for level in ("strong", "partial", "weak")
    }
    # buzzword-only: the writer's style tag, and the labels credit no key point
    buzz = [g for g in graded if "buzzwords" in g.item.label.style and not any(g.item.covered)]
    timings = sorted(g.ms for g in graded)
    return {
        "split": split,
        "questions": len({g.item.question.id for g in graded}),
        "answers": len(graded),
        "key_points": key_point_metrics(graded),
        "key_points_by_level": by_level,
        "buzzword_answers": len(buzz),
        "buzzword_answers_credited": sum(any(kp.covered for kp in g.assessment.key_points) for g in buzz),
        "misconceptions": misconception_metrics(graded),
        "scores": score_metrics(graded, knowledge.curated.scoring),
        "ms_per_answer_p50": round(timings[len(timings) // 2], 1) if timings else None,
        "ms_per_answer_p95": round(timings[int(len(timings) * 0.95)], 1) if timings else None,
        "fitted_on": knowledge.curated.grader_params.fitted_on,
    }


# -- fitting (dev part only) ----------------------------------------------------------------------------------
def _logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton steps on standardised features; returns raw-scale weights."""
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    sw = np.ones(len(y)) if sample_weight is None else sample_weight
    reg = np.full(z.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(z @ w)))
        grad = z.T @ (sw * (p - y)) + reg * w
        hess = (z * (sw * p * (1 - p))[:, None]).T @ z + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    weights = w[:-1] / sd
    bias = w[-1] - float((w[:-1] * mu / sd).sum())
    return weights, bias


def _best_threshold(scores: list[float], truth: list[bool]) -> float:
    """The probability cut-off with the best macro-F1 over covered / not covered."""
    best, best_t = -1.0, 0.5
    for t in sorted(set(np.round(np.quantile(scores, np.linspace(0.02, 0.98, 97)), 4))):
        tp = sum(s >= t and y for s, y in zip(scores, truth, strict=True))
        fp = sum(s >= t and not y for s, y in zip(scores, truth, strict=True))
        fn = sum(s < t and y for s, y in zip(scores, truth, strict=True))
        tn = len(truth) - tp - fp - fn
        f = (_f1(tp, fp, fn) + _f1(tn, fn, fp)) / 2
        if f > best:
            best, best_t = f, float(t)
    return round(best_t, 4)


def _labelled_units(knowledge: Knowledge, items: list[GradedAnswer], grader: Grader):
    """Per labelled answer with any text: (item, sentences, units, vectors, key point features), as the grader sees them."""
    for item in items:
        sentences = ct.substantive_sentences(item.label.text)
        if not sentences:
            continue
        units = answer_units(sentences)
        units, vectors = with_pairs(sentences, units, knowledge.embed_cached([u.text for u in units]))
        yield item, sentences, units, vectors, grader.point_features(units, vectors, item.question)


def fit_key_points(knowledge: Knowledge, items: list[GradedAnswer], grader: Grader) -> LogisticParams:
    rows, targets, weights = [], [], []
    per_point: list[tuple[np.ndarray, bool]] = []
    for item, _sentences, units, _vectors, feats in _labelled_units(knowledge, items, grader):
        allowed = evidence_mask(units)
        for i, label in enumerate(item.label.key_points):
            per_point.append((feats[i][allowed] if allowed.any() else feats[i][:0], label.covered))
            if label.covered:
                hits = [u for u, unit in enumerate(units) if label.evidence and _overlaps(unit.text, label.evidence)]
                if not hits:
                    hits = [int(np.argmax(feats[i][:, KEY_POINT_FEATURES.index("paraphrase_max")]))]
                for u in hits:
                    rows.append(feats[i, u])
                    targets.append(1.0)
                    weights.append(1.0 / len(hits))
            else:
                for u in range(len(units)):
                    rows.append(feats[i, u])
                    targets.append(0.0)
                    weights.append(1.0 / len(units))
    x, y, sw = np.array(rows), np.array(targets), np.array(weights)
    sw = np.where(y == 1, sw * (sw[y == 0].sum() / max(sw[y == 1].sum(), 1e-9)), sw)  # balance the classes
    w, b = _logistic(x, y, sample_weight=sw)
    scores = [float((1 / (1 + np.exp(-(f @ w + b)))).max()) if len(f) else 0.0 for f, _ in per_point]  # best unit per point
    threshold = _best_threshold(scores, [c for _, c in per_point])
    return LogisticParams(weights={n: round(float(v), 4) for n, v in zip(KEY_POINT_FEATURES, w, strict=True)}, bias=round(float(b), 4), threshold=threshold)


def fit_misconceptions(knowledge: Knowledge, items: list[GradedAnswer], grader: Grader) -> LogisticParams:
    """Per answer sentence: does it state a misconception? Fitted after the key-point model, whose per-sentence
    probability is one of the features."""
    rows, targets, strong = [], [], []
    kp = grader.params.key_point
    kp_w = np.array([kp.weights[n] for n in KEY_POINT_FEATURES])
    for item, sentences, units, vectors, feats in _labelled_units(knowledge, items, grader):
        point_probs = 1 / (1 + np.exp(-(feats @ kp_w + kp.bias)))
        point_probs[:, ~evidence_mask(units)] = 0.0
        point_probs = without_support(point_probs, len(sentences), np.array([_names_only(s) for s in sentences], dtype=bool))
        feats, _ = grader.misconception_features(
            sentences, vectors[: len(sentences)], item.question, point_probs[:, : len(sentences)].max(axis=0), point_probs.max(axis=1)
        )
        for s, sentence in enumerate(sentences):
            rows.append(feats[s])
            targets.append(float(any(_overlaps(sentence, m.quote) for m in item.label.misconceptions)))
            strong.append(item.label.level == "strong")
    x, y = np.array(rows), np.array(targets)
    sw = np.where(y == 1, (y == 0).sum() / max((y == 1).sum(), 1), 1.0)
    # l2 20: question-grouped cross-validation on the dev part (5 runs) gave recall 0.72 / 0.75 / 0.78 at l2 3 / 8 / 20,
    # precision 0.57-0.60 and fewer strong answers flagged as l2 grows
    w, b = _logistic(x, y, l2=20.0, sample_weight=sw)
    probs = 1 / (1 + np.exp(-(x @ w + b)))
    # the lowest cut-off that reports nothing on strong answers (a false alarm there costs the candidate's trust),
    # never below 0.5
    threshold = max([0.5] + [float(p) + 1e-3 for p, is_strong, t in zip(probs, strong, y, strict=True) if is_strong and not t])
    return LogisticParams(weights={n: round(float(v), 4) for n, v in zip(MISCONCEPTION_FEATURES, w, strict=True)}, bias=round(float(b), 4), threshold=round(min(threshold, 0.99), 3))


def _ridge(x: np.ndarray, y: np.ndarray, l2: float = 0.5) -> tuple[np.ndarray, float]:
    z = np.hstack([x, np.ones((len(x), 1))])
    reg = np.eye(z.shape[1]) * l2
    reg[-1, -1] = 0
    w = np.linalg.solve(z.T @ z + reg, z.T @ y)
    return w[:-1], float(w[-1])


def fit_scoring(graded: list[Graded], current: Scoring, fitted_on: str) -> Scoring:
    def matrix(cid: str | None) -> np.ndarray:
        rows = []
        for g in graded:
            f = dict(g.evidence.features)
            f["signals"] = g.evidence.signals.get(cid, 0.0) if cid else float(np.mean(list(g.evidence.signals.values()) or [0.0]))
            rows.append([f[name] for name in SCORING_FEATURES])
        return np.array(rows)

    criteria = {}
    for cid in CRITERIA:
        w, b = _ridge(matrix(cid), np.array([g.item.label.scores[cid] for g in graded], dtype=float))
        criteria[cid] = LinearScore(bias=round(b, 3), weights={n: round(float(v), 3) for n, v in zip(SCORING_FEATURES, w, strict=True)})
    w, b = _ridge(matrix(None), np.array([g.item.label.overall for g in graded]))
    overall = LinearScore(bias=round(b, 3), weights={n: round(float(v), 3) for n, v in zip(SCORING_FEATURES, w, strict=True)})
    draft = current.model_copy(update={"criteria": criteria, "overall": overall, "fitted_on": fitted_on})
    bases = {cid: [criterion_basis(g.evidence, draft, cid) for g in graded] for cid in CRITERIA}
    truth = {cid: [g.item.label.scores[cid] for g in graded] for cid in CRITERIA}
    best, best_cuts = -1.0, current.cutoffs
    grid = np.arange(1.2, 3.9, 0.1)
    for c1 in grid:
        for c2 in grid[grid > c1 + 0.3]:
            for c3 in grid[grid > c2 + 0.3]:
                cuts = [c1, c2, c3]
                kappa = np.mean([quadratic_weighted_kappa(truth[cid], [1 + sum(b >= c for c in cuts) for b in bases[cid]]) for cid in CRITERIA])
                if kappa > best:
                    best, best_cuts = kappa, [round(float(c), 2) for c in cuts]
    return draft.model_copy(update={"cutoffs": best_cuts})


def fit_grader(knowledge: Knowledge) -> tuple[GraderParams, Scoring]:
    """Fit the key-point and misconception models and the scoring weights on the dev questions only."""
    dev = load_graded(knowledge.curated.questions, split="dev")
    fitted_on = f"dev part of evals/graded: {len({d.question.id for d in dev})} questions, {len(dev)} answers"
    grader = Grader(knowledge, cache_answers=True)
    key_point = fit_key_points(knowledge, dev, grader)
    grader = Grader(knowledge, params=grader.params.model_copy(update={"key_point": key_point}), cache_answers=True)
    params = GraderParams(fitted_on=fitted_on, key_point=key_point, misconception=fit_misconceptions(knowledge, dev, grader),
                          misconception_min_similarity=grader.params.misconception_min_similarity)
    graded = grade_all(knowledge, dev, Grader(knowledge, params=params, cache_answers=True))
    return params, fit_scoring(graded, knowledge.curated.scoring, fitted_on)


def write_fitted(knowledge_dir, params: GraderParams, scoring: Scoring) -> None:
    """knowledge/grader.yaml whole; in knowledge/criteria.yaml only the `scoring:` block at its end (comments above stay)."""
    from pathlib import Path

    import yaml

    knowledge_dir = Path(knowledge_dir)
    header = "# Written by `interviewer eval --fit-grader` from the dev part of evals/graded/ (the test part is never used).\n"
    (knowledge_dir / "grader.yaml").write_text(header + yaml.safe_dump(params.model_dump(), sort_keys=False, width=120), encoding="utf-8")
    path = knowledge_dir / "criteria.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("\nscoring:")
    block = yaml.safe_dump({"scoring": scoring.model_dump()}, sort_keys=False, width=120, default_flow_style=None)
    path.write_text(text[: at + 1] + block, encoding="utf-8")


def grader_metrics(report: dict) -> dict:
    """The grader report as flat eval metrics (interviewer/evals/definitions.py names them)."""
    kp, by_level, mis, scores = report["key_points"], report["key_points_by_level"], report["misconceptions"], report["scores"]
    means = scores["mean_overall_by_level"]
    return {
        "grader_answers": report["answers"],
        "grader_kp_macro_f1": kp["macro_f1"],
        **{f"grader_kp_macro_f1_{level}": by_level[level]["macro_f1"] for level in ("strong", "partial", "weak")},
        "grader_covered_recall": kp["covered_recall"],
        "grader_covered_precision": kp["covered_precision"],
        "grader_evidence_correct": kp["evidence_correct"],
        "grader_buzzword_credited": report["buzzword_answers_credited"],
        "grader_misconception_recall": mis["recall"],
        "grader_strong_flagged": mis["strong_answers_flagged"],
        "grader_criteria_mae": scores["criteria_mae"],
        "grader_criteria_qwk": round(float(np.mean([scores[c]["qwk"] for c in CRITERIA])), 3),
        "grader_overall_mae": scores["overall_mae"],
        "grader_overall_qwk": scores["overall_qwk"],
        **{f"grader_mean_overall_{level}": means.get(level) for level in ("strong", "partial", "weak")},
        "grader_ms_per_answer_p50": report["ms_per_answer_p50"],
    }
