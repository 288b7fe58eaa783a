"""All per-interview checks and one call that runs them on a transcript.

Each check returns (hits, total, failures); the run aggregates sum(hits) / sum(total), so an
interview with many follow-ups weighs more than one with a single follow-up. Deterministic text
checks decide first, sentence embeddings second; the LLM judge only sees cases neither can decide.
"""

from __future__ import annotations

from interviewer.evals.check_context import ASKING, CheckContext
from interviewer.evals.content_checks import (
    CLAIM_SIM,
    SELF_ANSWER_SIM,
    contradiction_probing,
    coverage_resume_claims,
    coverage_topics,
    evidence_validity,
    no_leakage,
    resume_claims,
    role_adherence,
)
from interviewer.evals.dialogue_checks import (
    COMPLETE_COVERAGE,
    follow_up_decisions,
    followup_necessity,
    grounding,
    justified_skip,
    non_repetition,
    openness,
    rubric_coverage,
)

__all__ = ["ASKING", "CHECKS", "CLAIM_SIM", "COMPLETE_COVERAGE", "SELF_ANSWER_SIM", "CheckContext", "resume_claims", "rubric_coverage", "run_checks"]

CHECKS = {
    "grounding": grounding,
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
