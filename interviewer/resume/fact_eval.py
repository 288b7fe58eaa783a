"""The contradiction pair set (evals/contradictions/*.yaml): schema, and recall per type and false alarms.

    python -m interviewer.resume.fact_eval evals/contradictions/test.yaml [--knowledge DIR] [--json] [--misses]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from interviewer.resume.facts import contradicts
from interviewer.settings import Settings

TYPES = ("numeric", "categorical", "role", "ownership")


class Pair(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    type: Literal["numeric", "categorical", "role", "ownership"]
    contradiction: bool
    resume: str = Field(min_length=3)
    answer: str = Field(min_length=3)
    note: str | None = None


class PairSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    split: Literal["dev", "test"]
    pairs: list[Pair] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "PairSet":
        ids = [p.id for p in self.pairs]
        if len(set(ids)) != len(ids):
            raise ValueError("pair ids must be unique")
        return self


def load_pairs(path: Path) -> PairSet:
    return PairSet.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def evaluate(pairs: PairSet, knowledge_dir: Path) -> dict:
    """Recall per type on the contradictions, false alarms on the consistent pairs, time per comparison."""
    rows = []
    # warm up: the vocabulary and the phrase indexes are built on first use
    contradicts("Led a team of 5 engineers; latency fell from 18 ms to 6 ms with a CNN.",
                "I built it by myself; another team did the model. I'd have to check.", knowledge_dir)
    for p in pairs.pairs:
        t0 = time.perf_counter()
        found = contradicts(p.resume, p.answer, knowledge_dir)
        ms = (time.perf_counter() - t0) * 1000
        rows.append({"id": p.id, "type": p.type, "label": p.contradiction, "found": found is not None,
                     "found_type": found.type if found else None, "ms": round(ms, 3),
                     "before": found.before.quote if found else None, "now": found.now.quote if found else None})
    report: dict = {"split": pairs.split, "pairs": len(rows), "recall": {}, "false_alarms": {}, "type_agreement": None}
    for t in TYPES:
        pos = [r for r in rows if r["type"] == t and r["label"]]
        neg = [r for r in rows if r["type"] == t and not r["label"]]
        report["recall"][t] = round(sum(r["found"] for r in pos) / len(pos), 3) if pos else None
        report["false_alarms"][t] = round(sum(r["found"] for r in neg) / len(neg), 3) if neg else None
    negatives = [r for r in rows if not r["label"]]
    positives = [r for r in rows if r["label"]]
    report["false_alarm_rate"] = round(sum(r["found"] for r in negatives) / len(negatives), 3) if negatives else 0.0
    report["recall_all"] = round(sum(r["found"] for r in positives) / len(positives), 3) if positives else 0.0
    hits = [r for r in positives if r["found"]]
    report["type_agreement"] = round(sum(r["found_type"] == r["type"] for r in hits) / len(hits), 3) if hits else None
    times = sorted(r["ms"] for r in rows)
    report["ms_max"] = times[-1]
    report["ms_p50"] = times[len(times) // 2]
    report["misses"] = [r for r in positives if not r["found"]]
    report["false_alarm_pairs"] = [r for r in negatives if r["found"]]
    report["rows"] = rows
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--knowledge", type=Path, default=None, help="knowledge folder (default: the packaged one)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list missed contradictions and false alarms")
    args = parser.parse_args(argv)
    knowledge = args.knowledge
    if knowledge is None:
        knowledge = Settings().knowledge_dir
    report = evaluate(load_pairs(args.pairs), knowledge)
    if args.json:
        print(json.dumps({k: v for k, v in report.items() if k != "rows"}, indent=2))
        return 0
    print(f"{report['split']}: {report['pairs']} pairs")
    for t in TYPES:
        print(f"  {t:12s} recall {report['recall'][t]}  false alarms {report['false_alarms'][t]}")
    print(f"  all          recall {report['recall_all']}  false-alarm rate {report['false_alarm_rate']}  type agreement {report['type_agreement']}")
    print(f"  time per comparison: p50 {report['ms_p50']} ms, max {report['ms_max']} ms")
    if args.misses:
        for r in report["misses"]:
            print(f"  MISSED {r['id']}")
        for r in report["false_alarm_pairs"]:
            print(f"  FALSE ALARM {r['id']}: {r['before']!r} vs {r['now']!r} ({r['found_type']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
