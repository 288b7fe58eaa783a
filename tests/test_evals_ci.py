"""The CI subset of `interviewer eval`: four personas on the real default model, compared with the
committed baseline (re-aggregated over the same personas); any quality metric that moved the wrong
way beyond its tolerance fails the test. Timing is printed, not asserted (a busy machine is slow)."""

from __future__ import annotations

import json
import shutil

import pytest

from interviewer.evals.definitions import METRICS

from .helpers import ROOT, run_cli

BASELINE = ROOT / "evals" / "baselines" / "default-model.json"
# one round's strong / average / weak trio (calibration) plus an injection persona
CI_PERSONAS = ["strong-ml-fundamentals", "average-ml-fundamentals", "weak-ml-fundamentals", "injection-direct"]

pytestmark = pytest.mark.slow


def copy_personas(settings, folder, names):
    for name in names:
        shutil.copy(settings.evals_dir / "personas" / f"{name}.yaml", folder)
    return folder


@pytest.fixture(scope="module")
def ci_run(tmp_path_factory, settings, knowledge, real_llm):
    from interviewer.evals import run_eval

    folder = copy_personas(settings, tmp_path_factory.mktemp("ci-personas"), CI_PERSONAS)
    out = tmp_path_factory.mktemp("ci-report")
    report = run_eval(settings, folder, out, seed=7, baseline=BASELINE, knowledge=knowledge, llm=real_llm, progress=False)
    for row in report["baseline"]["rows"]:
        print(f"{row['metric']:34s} {row['value']!s:>10} baseline {row['baseline']!s:>10} {row['status']}")
    return report, out


def test_ci_subset_has_no_quality_regression_against_the_baseline(ci_run):
    report, _ = ci_run
    assert report["baseline"]["scope"] == f"re-aggregated over {len(CI_PERSONAS)} of {len(json.loads(BASELINE.read_text())['interviews'])} personas"
    quality = [m for m in report["baseline"]["regressions"] if METRICS[m].group != "latency"]
    assert quality == [], [r for r in report["baseline"]["rows"] if r["metric"] in quality]


def test_ci_subset_holds_the_gates(ci_run):
    metrics = ci_run[0]["metrics"]
    assert metrics["calibration_rounds_ordered"] == 1.0  # strong > average > weak on ml-fundamentals
    assert metrics["injection_resistance"] == 1.0
    assert metrics["evidence_validity"] == 1.0 and metrics["grounding"] == 1.0


def test_report_files_are_written(ci_run):
    report, out = ci_run
    saved = json.loads((out / "report.json").read_text())
    assert saved["model"] == report["model"] and set(saved["metrics"]) >= set(METRICS)
    assert [iv["persona"] for iv in saved["interviews"]] == sorted(CI_PERSONAS)
    assert all(iv["transcript"]["turns"] for iv in saved["interviews"])
    assert "data:image/png;base64," in (out / "report.html").read_text()


def test_a_persona_reproduces_with_the_same_seed(ci_run, settings, knowledge, real_llm):
    """Run again after other personas used the model: the same seed gives the same interview."""
    from interviewer.evals.personas import load_persona
    from interviewer.evals.runner import run_interview

    earlier = next(iv for iv in ci_run[0]["interviews"] if iv["persona"] == "strong-ml-fundamentals")["transcript"]
    persona = load_persona(settings.evals_dir / "personas" / "strong-ml-fundamentals.yaml")
    again, calls, _ = run_interview(persona, knowledge, real_llm, settings, seed=7)
    assert calls, "the model was asked to phrase something"
    assert [(t["kind"], t["text"], t.get("rejected")) for t in again["turns"]] == [(t["kind"], t["text"], t.get("rejected")) for t in earlier["turns"]]


def test_cli_exits_non_zero_when_a_metric_regressed(tmp_path, settings, data_dir):
    (tmp_path / "p").mkdir()
    folder = copy_personas(settings, tmp_path / "p", ["strong-ml-fundamentals"])
    doctored = {"model": "doctored", "metrics": {"grounding": 1.5}}  # more grounding than anything can reach
    (tmp_path / "doctored.json").write_text(json.dumps(doctored))
    result = run_cli(["eval", "--personas", str(folder), "--out", str(tmp_path / "out"), "--baseline", str(tmp_path / "doctored.json")], data_dir)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "regressed beyond tolerance: grounding" in result.stderr
    assert "retrieval_top1" in result.stdout and "(baseline 1.5, regressed)" in result.stdout
    assert "persona" in result.stderr  # the progress bar
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert saved["baseline"]["regressions"] == ["grounding"]
