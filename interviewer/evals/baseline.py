"""Baselines: a compact copy of a report (metrics, tolerances, per-interview records without
transcripts) and the comparison that flags metrics that moved the wrong way beyond tolerance.

When a run covers only some of the baseline's personas (the CI subset), the baseline's metrics
are re-aggregated over those personas, so the comparison is like for like.
"""

from __future__ import annotations

import json
from pathlib import Path

from interviewer.evals.aggregate import aggregate
from interviewer.evals.definitions import METRICS

RECORD_KEYS = ("persona", "level", "round", "track", "simulated", "overall", "criteria", "counts", "latency", "injection")


def compact(report: dict) -> dict:
    return {
        "model": report["model"],
        "seed": report.get("seed"),
        "metrics": report["metrics"],
        "tolerances": {
            name: {"better": m.better, "tolerance": m.tolerance, "relative": m.relative} for name, m in METRICS.items()
        },
        "interviews": [_record(iv) for iv in report["interviews"]],
    }


def _record(iv: dict) -> dict:
    """What re-aggregation needs from one interview: no transcripts."""
    rec = {k: iv.get(k) for k in RECORD_KEYS}
    if rec.get("injection"):
        rec["injection"] = {k: v for k, v in rec["injection"].items() if k != "control_transcript"}
    return rec


def save_baseline(report: dict, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(compact(report), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def load_baseline(path: Path) -> dict:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"baseline not found: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"baseline {path} is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise ValueError(f"baseline {path} has no \"metrics\" object")
    return data


def baseline_metrics_for(report: dict, baseline: dict) -> tuple[dict, str]:
    """The baseline's metrics over the same personas as the report (re-aggregated when it ran a subset)."""
    ran = {iv["persona"] for iv in report["interviews"]}
    records = baseline.get("interviews") or []
    have = {iv["persona"] for iv in records}
    if not ran or ran == have or not ran <= have:
        return dict(baseline["metrics"]), "all personas"
    subset = aggregate([iv for iv in records if iv["persona"] in ran])
    merged = {**baseline["metrics"], **subset}  # metrics not from personas (retrieval) stay as they were
    return merged, f"re-aggregated over {len(ran)} of {len(have)} personas"


def compare(report: dict, baseline: dict) -> dict:
    """{"scope", "rows": [{metric, value, baseline, limit, status}], "regressions": [metric, ...]}."""
    base, scope = baseline_metrics_for(report, baseline)
    tolerances = baseline.get("tolerances") or {}
    rows, regressions = [], []
    for name, value in report["metrics"].items():
        spec = METRICS.get(name)
        rule = tolerances.get(name) or ({"better": spec.better, "tolerance": spec.tolerance, "relative": spec.relative} if spec else None)
        ref = base.get(name)
        row = {"metric": name, "value": value, "baseline": ref, "limit": None, "status": "n/a"}
        if rule is None or rule["better"] == "none" or ref is None:
            rows.append(row)
            continue
        slack = rule["tolerance"] * abs(ref) if rule.get("relative") else rule["tolerance"]
        limit = ref - slack if rule["better"] == "higher" else ref + slack
        row["limit"] = round(limit, 4)
        if value is None:
            row["status"] = "missing"
        elif (rule["better"] == "higher" and value < limit - 1e-9) or (rule["better"] == "lower" and value > limit + 1e-9):
            row["status"] = "regressed"
        else:
            row["status"] = "ok"
        if row["status"] in ("missing", "regressed"):
            regressions.append(name)
        rows.append(row)
    return {"scope": scope, "rows": rows, "regressions": regressions}
