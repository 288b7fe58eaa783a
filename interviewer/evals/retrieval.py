"""Retrieval quality: paraphrased queries (evals/retrieval/*.yaml) must find their intended bank question."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from interviewer.knowledge.index import KnowledgeIndex


@dataclass
class RetrievalResult:
    query: str
    expected: str
    rank: int | None  # 1-based rank of the expected question, None when not in the top k


def load_queries(folder: Path) -> list[dict]:
    queries = []
    for path in sorted(Path(folder).glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            queries.append({"query": item["query"], "expected": item["expected"], "file": path.name})
    return queries


def evaluate(index: KnowledgeIndex, queries: list[dict], k: int = 10) -> dict:
    results = []
    for q in queries:
        hits = index.search(q["query"], k=k, where={"kind": "question"})
        ids = [h.metadata.get("question_id") for h in hits]
        rank = ids.index(q["expected"]) + 1 if q["expected"] in ids else None
        results.append(RetrievalResult(q["query"], q["expected"], rank))
    n = len(results) or 1
    return {
        "queries": len(results),
        "top1": round(sum(1 for r in results if r.rank == 1) / n, 4),
        "top3": round(sum(1 for r in results if r.rank and r.rank <= 3) / n, 4),
        "mrr": round(sum(1 / r.rank for r in results if r.rank) / n, 4),
        "misses": [{"query": r.query, "expected": r.expected, "rank": r.rank} for r in results if not r.rank or r.rank > 3],
    }
