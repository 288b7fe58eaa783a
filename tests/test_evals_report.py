"""Baseline comparison and the HTML report, on hand-made reports (no model needed)."""

from __future__ import annotations

import base64
import json
import re

import pytest

from interviewer.evals.baseline import compact, compare, load_baseline, save_baseline
from interviewer.evals.report_html import render_html


def interview(name, level, overall, openness, ttfts, **extra):
    rec = {
        "persona": name, "level": level, "round": "genai", "track": "general", "simulated": False, "overall": overall,
        "criteria": {"technical-depth": round(overall)}, "counts": {"openness": openness}, "failures": {},
        "latency": {"ttft_ms": ttfts, "interviewer_turns": len(ttfts), "llm_phrased": 1, "llm_accepted": 1, "decode_tokens": 100, "decode_ms": 1000.0, "evaluated_tokens": 50, "model_ttft_ms": []},
        "injection": None, "answers_used": 2, "answers_total": 2, "seconds": 3.0,
        "transcript": {"turns": [{"role": "candidate", "kind": "answer", "text": "<script>alert(1)</script> I used LoRA", "sources": []}], "scorecard": None, "plan": []},
    }
    rec.update(extra)
    return rec


def report_of(interviews, **metrics):
    from interviewer.evals.aggregate import aggregate

    return {"model": "tiny", "seed": 7, "metrics": {**aggregate(interviews), **metrics}, "interviews": interviews, "judge": {"model": "tiny", "calls": 0}}


@pytest.fixture()
def three():
    return [
        interview("s", "strong", 3.5, [4, 4], [100.0, 200.0]),
        interview("a", "average", 2.0, [3, 4], [150.0, 250.0]),
        interview("w", "weak", 1.0, [1, 4], [300.0, 400.0]),
    ]


def test_same_run_has_no_regression(three):
    report = report_of(three, retrieval_top1=0.86)
    result = compare(report, compact(report))
    assert result["regressions"] == [] and result["scope"] == "all personas"
    assert {r["status"] for r in result["rows"] if r["metric"] == "openness"} == {"ok"}


def test_quality_drop_beyond_tolerance_regresses(three):
    base = compact(report_of(three, retrieval_top1=0.86))
    worse = [dict(iv) for iv in three]
    worse[0] = {**worse[0], "counts": {"openness": [1, 4]}}  # 8/12 -> 5/12 open questions
    result = compare(report_of(worse, retrieval_top1=0.85), base)
    assert result["regressions"] == ["openness"]  # retrieval moved by 0.01, inside its 0.02 tolerance
    row = next(r for r in result["rows"] if r["metric"] == "openness")
    assert row["status"] == "regressed" and row["limit"] == pytest.approx(8 / 12 - 0.05, abs=1e-4)


def test_latency_tolerance_is_relative(three):
    from interviewer.evals.definitions import METRICS

    allowed = 1 + METRICS["ttft_ms_p50"].tolerance  # e.g. 3x the baseline's median
    base = compact(report_of(three))
    slow = lambda factor: [{**iv, "latency": {**iv["latency"], "ttft_ms": [x * factor for x in iv["latency"]["ttft_ms"]]}} for iv in three]  # noqa: E731
    assert "ttft_ms_p50" not in compare(report_of(slow(allowed * 0.95)), base)["regressions"]
    assert "ttft_ms_p50" in compare(report_of(slow(allowed * 1.1)), base)["regressions"]


def test_a_subset_is_compared_with_the_same_personas_of_the_baseline(three):
    base = compact(report_of(three))
    only_weak = report_of([three[2]])
    result = compare(only_weak, base)
    assert result["scope"] == "re-aggregated over 1 of 3 personas"
    row = next(r for r in result["rows"] if r["metric"] == "openness")
    assert row["baseline"] == 0.25 and row["status"] == "ok"  # the weak persona's own 1/4, not the whole run's 8/12


def test_a_metric_that_disappears_is_a_regression(three):
    base = compact(report_of(three))
    report = report_of(three)
    report["metrics"]["openness"] = None
    assert "openness" in compare(report, base)["regressions"]


def test_baseline_file_round_trip_and_errors(tmp_path, three):
    path = tmp_path / "b" / "base.json"
    save_baseline(report_of(three), path)
    loaded = load_baseline(path)
    assert loaded["metrics"]["openness"] == pytest.approx(8 / 12, abs=1e-4)
    assert "transcript" not in loaded["interviews"][0] and loaded["tolerances"]["ttft_ms_p50"]["relative"] is True
    with pytest.raises(ValueError, match="baseline not found"):
        load_baseline(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_baseline(tmp_path / "bad.json")
    (tmp_path / "empty.json").write_text(json.dumps({"model": "x"}))
    with pytest.raises(ValueError, match='no "metrics"'):
        load_baseline(tmp_path / "empty.json")


def test_html_is_self_contained_with_charts_tables_and_escaped_transcripts(three):
    from interviewer.evals.definitions import METRICS

    report = report_of(three)
    report["definitions"] = {n: METRICS[n].definition for n in report["metrics"] if n in METRICS}
    report["calibration"] = {"genai": {"ordered": True, "strong": [3.5], "average": [2.0], "weak": [1.0]}}
    report["baseline"] = {"file": "base.json", **compare(report, compact(report))}
    page = render_html(report)
    assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:)?//""", page), "the page must not reference anything external"
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(images) == 3 and all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert METRICS["openness"].definition in page and "no regression" in page
