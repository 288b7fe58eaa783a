"""Follow-ups measured with adaptive personas (evals/adaptive/): candidates whose next answer depends on what was
asked. The whole engine runs on the real index and embeddings with template wording (the default model's wording is
refused almost always; see docs/evals.md), and the persona reads every follow-up by meaning with its own reader.

The figures asserted are the test split's (never tuned on). Where the issue's goal is not reached yet the floor is
the measured figure less a margin, and the goal is named beside it."""

import re

import pytest

from interviewer.evals.adaptive import adaptive_report, run_persona
from interviewer.evals.adaptive_personas import load_adaptive
from interviewer.interview.rounds import ROUNDS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def personas(knowledge):
    return load_adaptive(knowledge.curated.questions)


def test_personas_cover_every_round_in_both_splits(personas):
    assert len(personas) >= 24
    for split in ("dev", "test"):
        rounds = {p.round for p in personas if p.split == split}
        assert rounds >= set(ROUNDS) - {"coding"}, (split, rounds)
        assert {p.level for p in personas if p.split == split} == {"strong", "average", "weak"}


@pytest.fixture(scope="module")
def test_report(knowledge, settings):
    report = adaptive_report(knowledge, settings.prompts_dir, split="test")
    print("\nadaptive personas, test split:", report["metrics"])
    return report


def test_follow_ups_target_what_the_candidate_left_out(test_report):
    m = test_report["metrics"]
    assert m["personas"] >= 12 and m["follow_ups"] >= 40
    # measured on the test split at commit time: 0.823, 0.139, 0.929, 0.907, 0.952, 0.0
    assert m["followup_targeted"] >= 0.78  # goal 0.95
    assert m["followup_reask_rate"] <= 0.18  # goal 0.02: the re-asks are points the grader missed in the first answer
    assert m["justified_skip"] >= 0.88  # goal 0.9
    assert m["mask_recovery"] >= 0.88  # goal 0.9
    assert m["anchor_on_topic"] >= 0.85
    assert m["main_questions_without_follow_up"] <= 0.1


def test_stated_misconceptions_are_challenged(test_report):
    m = test_report["metrics"]
    assert m["misconceptions_stated"] >= 5
    assert m["misconceptions_challenged"] >= 0.45  # goal 0.8; measured 0.545 (6 of 11): bounded by the grader's recall


@pytest.mark.parametrize("name", [
    "rdd-dev-strong-ingrid",
    pytest.param("rdd-test-strong-yasmin", marks=pytest.mark.xfail(strict=True, reason=(
        "known, not tuned on (test persona): 'the simple one was BM25 over the scene tags', a baseline named one sentence "
        "after 'three layers of baseline', is read as contradicting the resume's CLIP encoder"))),
])
def test_a_truthful_strong_deep_dive_reads_cleanly_and_spreads_over_projects(knowledge, settings, personas, name):
    persona = next(p for p in personas if p.name == name)
    run = run_persona(knowledge, persona, settings.prompts_dir)
    interviewer = [t for t in run.transcript["turns"] if t["role"] == "interviewer"]
    answers = [t for t in run.transcript["turns"] if t["role"] == "candidate"]
    print("\n" + "\n".join(f"{t['role']}: {t['text']}" for t in run.transcript["turns"]))
    assert len(answers) >= 6
    for t in interviewer:
        assert not re.search(r"(^|\s)#{1,6}\s|\*\*|`", t["text"]), t["text"]
        assert "stay in my role" not in t["text"], t["text"]
        assert not re.search(r"\u201c[^\u201d]*[\u201c\"]", t["text"]), t["text"]
    assert not [t for t in interviewer if t.get("move") == "consistency"], "a truthful candidate was told they contradicted the resume"
    reasks = [f["text"] for f in run.follow_ups if f.get("reask")]
    assert len(reasks) <= 1, reasks  # goal 0: the one left is a point the grader missed, or a claim probe read as one
    projects = {re.search(r"Let's talk about (.+?) from your resume", t["text"]).group(1)
                for t in interviewer if t["kind"] == "question" and "from your resume" in t["text"]}
    assert len(projects) >= 2, projects


def test_follow_up_turns_say_why(test_report):
    for iv in test_report["interviews"]:
        for f in iv["follow_ups"]:
            assert f["move"] and f["targets"], f
