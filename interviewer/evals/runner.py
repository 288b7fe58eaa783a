"""`interviewer eval`: run scripted personas through the real engine and compute quality metrics."""

from __future__ import annotations

import json
from pathlib import Path

from interviewer.settings import Settings


def run_eval(settings: Settings, personas: Path | None, out: Path, seed: int, suite: str = "retrieval") -> dict:
    out.mkdir(parents=True, exist_ok=True)
    from interviewer.evals.retrieval import evaluate, load_queries
    from interviewer.knowledge.index import KnowledgeIndex

    index = KnowledgeIndex(settings)
    index.ensure()
    retrieval = evaluate(index, load_queries(settings.evals_dir / "retrieval"))
    report = {
        "model": None,
        "metrics": {
            "retrieval_queries": retrieval["queries"],
            "retrieval_top1": retrieval["top1"],
            "retrieval_top3": retrieval["top3"],
            "retrieval_mrr": retrieval["mrr"],
        },
        "retrieval_misses": retrieval["misses"],
    }
    (out / "report.json").write_text(json.dumps(report, indent=2))
    return report
