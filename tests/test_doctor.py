"""`interviewer doctor` says which moves the model words (its qualification), as text and as JSON."""

from __future__ import annotations

import json

import pytest

from interviewer.llm.qualify import MOVES

from .helpers import run_cli


@pytest.mark.slow
def test_doctor_reports_the_moves_the_default_model_words(data_dir, knowledge):
    out = run_cli(["doctor", "--json"], data_dir, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout)
    phrasing = next(c for c in report["checks"] if c["name"] == "phrasing")
    assert phrasing["ok"] and phrasing["detail"].startswith("the model words:")
    moves = report["phrased_moves"]
    assert isinstance(moves, list) and set(moves) <= set(MOVES) and set(moves) != set(MOVES)  # SmolLM2: not every move
    assert report["qualification"]["template_moves"] == [m for m in MOVES if m not in moves]
    assert set(report["qualification"]["moves"]) == set(MOVES)
    again = json.loads(run_cli(["doctor", "--json"], data_dir, timeout=900).stdout)
    assert again["qualification"]["cached"] and again["phrased_moves"] == moves  # once per model file


@pytest.mark.slow
def test_doctor_fails_the_phrasing_check_with_the_model_and_names_the_fix(data_dir, tmp_path):
    out = run_cli(["--model", str(tmp_path / "missing.gguf"), "doctor", "--json"], data_dir, timeout=900)
    report = json.loads(out.stdout)
    phrasing = next(c for c in report["checks"] if c["name"] == "phrasing")
    assert out.returncode == 1 and not phrasing["ok"] and "qualification" in phrasing["fix"]
    assert report["phrased_moves"] is None
