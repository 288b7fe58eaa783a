"""`interviewer bench`: the figures are there and agree with each other (speed itself is not asserted)."""

import json

import pytest

from interviewer.bench.baseline import BaselineTurn
from interviewer.bench.meter import percentile
from interviewer.bench.raw import RawDecode
from interviewer.bench.report import render, shown_summary, summarise
from interviewer.bench.run import AppTurn
from interviewer.bench.script import QUESTIONS, SCRIPT, answer_for, questions_for

from .helpers import run_cli

REQUIRED = {"ttft_ms_p50", "ttft_ms_p95", "prompt_tokens_evaluated", "decode_tps", "overhead_ms_p50"}


def app_turn(turn, ttft, evaluated, new, wall=100.0, model=80.0, session=0):
    return AppTurn(session, turn, wall, model, ttft, ttft + 50, evaluated + 500, evaluated, evaluated, 11, 100.0, 1, new_tokens=new)


def base_turn(ttft, evaluated, wall=300.0, model=250.0):
    return BaselineTurn(ttft, evaluated, evaluated, 11, 100.0, model, wall, "x")


def test_percentiles_interpolate_and_skip_missing_values():
    assert percentile([1, 2, 3, 4, None], 50) == 2.5
    assert percentile([10.0], 95) == 10.0
    assert percentile([], 50) is None


def test_summary_ratios_and_goals_follow_from_the_turns():
    app = [app_turn(1, 100.0, 120, 120), app_turn(2, 120.0, 130, 100)]
    base = [(0, 1, base_turn(300.0, 600)), (0, 2, base_turn(500.0, 900))]
    raw = [RawDecode(11, 90.0)]
    result = summarise(app, base, raw, sessions=1, turns=2)
    assert result["app"]["prompt_tokens_evaluated"] == 250
    assert result["baseline"]["prompt_tokens_evaluated"] == 1500
    assert result["ratios"]["prompt_tokens_baseline_over_app"] == 6.0
    assert result["ratios"]["ttft_last_turn_baseline_over_app"] == round(500 / 120, 2)
    assert result["app"]["decode_tps"] == 100.0 and result["raw"]["decode_tps"] == round(10 / 0.09, 1)
    assert result["ratios"]["decode_app_over_raw"] == round(100.0 / round(10 / 0.09, 1), 2)
    assert result["app"]["overhead_ms_p50"] == 20.0
    goals = result["goals"]
    assert goals["app_evaluated_over_new_worst_turn"]["value"] == 1.3 and goals["app_evaluated_over_new_worst_turn"]["met"] is False
    assert goals["prompt_tokens_baseline_over_app"]["met"] is True and goals["decode_app_over_raw"]["met"] is False
    assert "interleaved_over_single" not in goals
    assert "[met ] app time per turn outside the model, p50 (ms): 20 (target < 50)" in render({**result, "model": "m", "backend": "b", "n_ctx": 1, "n_threads": 1, "cold_start_s": 1, "rss_mb": 1, "rss_peak_mb": 1, "load_average": {"before": [0], "after": [0]}})


def shown_turn(turn, first_word, grading, calls=0):
    return {"session": 0, "turn": turn, "first_word_ms": first_word, "grading_ms": grading, "wall_ms": first_word + 5, "model_calls": calls,
            "kind": "question", "phrasing": "template"}


def test_first_word_and_cold_start_goals_follow_from_the_shipped_turns():
    shown = [shown_turn(1, 120.0, 90.0), shown_turn(2, 180.0, 110.0), shown_turn(3, 900.0, 100.0, calls=1)]
    summary = shown_summary(shown)
    assert summary["first_word_ms_p50"] == 180.0 and summary["first_word_ms_max"] == 900.0
    assert summary["grading_ms_p50"] == 100.0 and summary["model_calls"] == 1 and summary["turns"] == 3
    app = [app_turn(1, 100.0, 120, 120)]
    result = summarise(app, [(0, 1, base_turn(300.0, 600))], [RawDecode(11, 90.0)], sessions=1, turns=1, shown_turns=shown, cold={"first_question_word_s": 4.5})
    assert result["goals"]["first_word_ms_p50"]["met"] is True and result["goals"]["first_word_ms_p50"]["target"] == "<= 300"
    assert result["goals"]["cold_start_s"]["value"] == 4.5 and result["goals"]["cold_start_s"]["met"] is False
    text = render({**result, "model": "m", "backend": "b", "n_ctx": 1, "n_threads": 1, "cold_start_s": 4.5, "rss_mb": 1, "rss_peak_mb": 1,
                   "load_average": {"before": [0], "after": [0]}, "qualification": {"phrased_moves": []}})
    assert "model words: none" in text and "first word shown p50 180 ms" in text
    assert "[MISS] cold start to the first question's first word, fresh process, index built (s): 4.50 (target <= 4)" in text


def test_every_scripted_question_has_a_first_answer_and_two_follow_up_answers():
    assert len(QUESTIONS) == 12 and all(len(answers) == 3 for answers in SCRIPT.values())
    answers = [answer_for(q, i) for q in QUESTIONS for i in range(4)]
    assert len(set(answers)) == len(answers)  # the engine would treat a repeated answer differently
    sessions = [questions_for(s, 12) for s in range(4)]
    assert all(sorted(s) == sorted(QUESTIONS) for s in sessions) and len({s[0] for s in sessions}) == 4


@pytest.mark.slow
def test_bench_json_reports_consistent_figures(knowledge, data_dir):
    out = run_cli(["bench", "--turns", "4", "--json"], data_dir, timeout=1800)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout)
    app, base = result["app"], result["baseline"]
    assert REQUIRED <= set(app) and REQUIRED <= set(base) and "decode_tps" in result["raw"]
    assert {"prompt_tokens_baseline_over_app", "ttft_p50_baseline_over_app", "decode_app_over_raw"} <= set(result["ratios"])
    assert result["cold_start_s"] > 0 and result["rss_mb"] > 100 and result["rss_peak_mb"] >= result["rss_mb"]
    assert app["turns"] == len(app["per_turn"]) == 4
    llm_turns = [t for t in app["per_turn"] if t["calls"]]
    assert len(llm_turns) == app["turns_with_model_call"] == base["turns"] == len(base["per_turn"]) > 0
    # what the app reports equals what llama.cpp's eval calls counted
    assert app["prompt_tokens_evaluated"] == app["prompt_tokens_evaluated_reported"] == sum(t["evaluated_tokens"] for t in llm_turns)
    assert base["prompt_tokens_evaluated"] == sum(t["evaluated_tokens"] for t in base["per_turn"])
    for a, b in zip(llm_turns, base["per_turn"], strict=True):
        assert (a["session"], a["turn"]) == (b["session"], b["turn"])
        assert 0 < a["evaluated_tokens"] <= a["prompt_tokens"] and 0 < a["new_tokens"] <= a["prompt_tokens"]
        assert 0 < b["evaluated_tokens"] <= b["prompt_tokens"]
        assert b["prompt_tokens"] > a["prompt_tokens"]  # same conversation plus the retrieved context
    assert result["ratios"]["prompt_tokens_baseline_over_app"] == round(base["prompt_tokens_evaluated"] / app["prompt_tokens_evaluated"], 2)
    assert app["ttft_ms_p50"] <= app["ttft_ms_p95"] and base["ttft_ms_p50"] <= base["ttft_ms_p95"]
    assert app["decode_tps"] > 0 and result["raw"]["decode_tps"] > 0 and result["raw"]["completions"] == len(llm_turns)
    assert all(isinstance(g["met"], bool) for g in result["goals"].values())
    # as shipped: the moves the model qualified for, one row per answer, the grading inside the first word
    shown = result["shown"]
    assert shown["turns"] == len(shown["per_turn"]) == 4 and all(t["first_word_ms"] >= t["grading_ms"] > 0 for t in shown["per_turn"])
    phrased = set(result["qualification"]["phrased_moves"])
    if not phrased:
        assert shown["model_calls"] == 0  # nothing qualified: every reply is a template, at once
    assert result["cold_start"]["first_question_s"] >= result["cold_start_s"] > 0


@pytest.mark.slow
def test_bench_interleaves_sessions_on_one_model(knowledge, data_dir):
    out = run_cli(["bench", "--turns", "2", "--sessions", "2"], data_dir, timeout=1800)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "2 turns x 2 session(s)" in out.stdout
    assert "with interleaved sessions / single-session figure" in out.stdout
    assert "time to first token p50 (ms)" in out.stdout
