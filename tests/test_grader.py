"""The answer grader on the real embedding model: labelled data, key points by substance, misconceptions, scores.

The figures asserted here are measured on the test part of evals/graded/, which the grader was never fitted on;
the answers written inline below are new to the project as well.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from interviewer.evals.graded import load_graded
from interviewer.evals.grading import grader_report
from interviewer.interview.practice import grade_answer
from interviewer.knowledge.bank import BANK_ROUNDS, CuratedKnowledge, KnowledgeError
from interviewer.knowledge.service import Knowledge

FRAUD = "mlf-imbalanced-fraud"


@pytest.fixture(scope="module")
def grading_knowledge(settings):
    return Knowledge(settings, ensure_index=False)  # the grader needs embeddings and curated data, no index


@pytest.fixture(scope="module")
def report(grading_knowledge):
    result = grader_report(grading_knowledge, split="test")
    print("\ngrader on the test part:", json.dumps(result, indent=1))
    return result


def test_labelled_set_is_large_varied_and_split_by_question(curated):
    items = load_graded(curated.questions)
    questions = {i.question.id for i in items}
    assert sum(len(i.label.key_points) for i in items) >= 600
    assert len(questions) >= 60
    assert {i.question.round for i in items} == set(BANK_ROUNDS) - {"coding"}
    for qid in questions:
        answers = [i for i in items if i.question.id == qid]
        assert len(answers) >= 3 and len({a.label.level for a in answers}) >= 2, qid
        assert len({a.split for a in answers}) == 1, f"{qid} is in both splits"
    splits = {i.split for i in items}
    assert splits == {"dev", "test"}
    styles = {s for i in items for s in i.label.style}
    assert {"negation", "misconception", "buzzwords", "hedge", "personal-example"} <= styles


def test_keypoint_extras_line_up_with_every_non_coding_rubric(curated):
    extras = curated.extras
    for q in curated.questions.values():
        if q.round != "coding":
            assert q.id in extras, f"{q.id} has no paraphrases"
    assert len(curated.misconceptions) >= 40


def test_extras_that_do_not_match_the_rubric_fail_loudly(tmp_path, settings):
    import shutil

    shutil.copytree(settings.knowledge_dir, tmp_path / "k")
    path = tmp_path / "k" / "keypoints" / "ml-fundamentals.yaml"
    text = path.read_text()
    first = text.index("  - paraphrases:")
    second = text.index("  - paraphrases:", first + 1)
    path.write_text(text[:first] + text[second:])  # one key point fewer than the rubric
    with pytest.raises(KnowledgeError, match="key points"):
        _ = CuratedKnowledge(tmp_path / "k").extras  # loaded (and validated) on first access


@pytest.mark.slow
def test_key_points_on_the_test_part(report):
    kp = report["key_points"]
    assert kp["macro_f1"] >= 0.85
    assert kp["covered_recall"] >= 0.85 and kp["covered_precision"] >= 0.85
    assert kp["evidence_correct"] >= 0.8  # the quoted sentence is the one that shows the point
    # goal 0 (issue 13); measured 1 of 3 on the test part: a floor, so a regression shows
    assert report["buzzword_answers"] > 0 and report["buzzword_answers_credited"] <= 1


@pytest.mark.slow
def test_misconceptions_and_scores_on_the_test_part(report):
    m = report["misconceptions"]
    # goal recall >= 0.8 is not met yet (measured 0.709 with no strong answer flagged, from 0.25 with sentence similarity
    # alone); these floors keep what there is from getting worse
    assert m["recall"] >= 0.65 and m["strong_answers_flagged"] <= 1
    s = report["scores"]
    levels = s["mean_overall_by_level"]
    assert levels["strong"] >= 3.3 and 1.8 <= levels["partial"] <= 2.8 and levels["weak"] <= 1.3
    assert s["criteria_mae"] <= 0.6


@pytest.mark.slow
def test_paraphrase_is_credited_and_buzzwords_are_not(grading_knowledge):
    paraphrased = (
        "Honestly the first thing I'd throw out is the headline hit rate, since with one bad transaction in a thousand "
        "a model that flags nothing looks 99.9 percent right. I'd track how many of the flagged ones are really fraud and how "
        "many of the real frauds we catch, and summarise that with the area under the precision-recall curve."
    )
    buzzwords = "Imbalanced data, so: SMOTE, class weights, focal loss, PR-AUC, precision, recall, F1, thresholding, XGBoost, anomaly detection."
    strong = grade_answer(grading_knowledge, FRAUD, paraphrased)
    assert strong["key_points"][0]["covered"] and "precision-recall" in strong["key_points"][0]["evidence"]
    listed = grade_answer(grading_knowledge, FRAUD, buzzwords)
    assert not any(kp["covered"] for kp in listed["key_points"])
    assert listed["overall"] < strong["overall"]


@pytest.mark.slow
def test_stated_misconceptions_are_named_with_the_quote_and_the_correction(grading_knowledge):
    answer = (
        "Logistic regression is nice because its loss is convex, and that's because the sigmoid is smooth. "
        "For regularisation I'd add dropout, which is also applied at inference time to keep the outputs consistent."
    )
    result = grade_answer(grading_knowledge, "mlf-l1-vs-l2", answer)
    quotes = " ".join(m["quote"] for m in result["misconceptions"])
    assert "sigmoid is smooth" in quotes or "inference time" in quotes
    assert all(m["correction"] for m in result["misconceptions"])


@pytest.mark.slow
def test_grade_command_prints_the_contract_and_batches_in_order(tmp_path, settings):
    from interviewer.cli import main

    runner = CliRunner()
    env = {"INTERVIEWER_DATA_DIR": str(settings.data_dir)}
    answer = "I would not use accuracy at all here; precision and recall of the fraud class matter, plus PR-AUC."
    out = runner.invoke(main, ["grade", "--question", FRAUD, "--answer", answer, "--json"], env=env)
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert set(result) >= {"question_id", "key_points", "misconceptions", "criteria", "overall"}
    assert set(result["criteria"]) == {"technical-depth", "engineering-excellence", "domain-expertise", "communication-culture"}
    assert all(set(kp) >= {"text", "covered", "evidence"} for kp in result["key_points"])
    assert result["key_points"][0]["covered"]  # "I would not use accuracy" rejects accuracy

    text = runner.invoke(main, ["grade", "--question", FRAUD, "--answer", answer], env=env)
    assert text.exit_code == 0 and "[x]" in text.output and "Overall" in text.output

    batch = tmp_path / "b.jsonl"
    batch.write_text("\n".join(json.dumps(x) for x in [
        {"question_id": FRAUD, "answer": answer},
        {"question_id": "genai-lora-mechanics", "answer": "no idea"},
    ]) + "\n")
    lines = runner.invoke(main, ["grade", "--batch", str(batch)], env=env)
    rows = [json.loads(line) for line in lines.output.strip().splitlines()]
    assert [r.get("question_id") for r in rows][0] == FRAUD and len(rows) == 2

    bad = runner.invoke(main, ["grade", "--question", "no-such-question", "--answer", "x"], env=env)
    assert bad.exit_code == 2 and "unknown question id" in bad.output
    missing = runner.invoke(main, ["grade", "--question", FRAUD], env=env)
    assert missing.exit_code == 2


def test_a_list_closed_by_a_catch_all_lends_no_credit_to_its_neighbour():
    import numpy as np

    from interviewer.interview.grader import _names_only, without_support

    assert _names_only("Quantization, pruning, distillation, operator fusion, Core ML conversion, all of those.")
    assert not _names_only("Features: forty log-mel bands, 25 ms windows, 10 ms hop, with per-channel normalisation.")
    # 3 sentences, then pairs (0, 1) and (1, 2); sentence 1 is the list
    probs = np.array([[0.2, 0.9, 0.4, 0.95, 0.8]])
    capped = without_support(probs, 3, np.array([False, True, False]))
    assert capped.tolist() == [[0.2, 0.0, 0.4, 0.2, 0.4]]
    assert without_support(probs, 3, np.zeros(3, dtype=bool)) is probs


def test_an_admission_of_what_one_has_not_measured_is_not_a_wrong_claim():
    """A candidate who says they have not benchmarked something shows a gap; challenging it as a misconception ("reports
    only latency") tells them they said something wrong. Confident statements, and judgement red flags, stay claims."""
    from interviewer.interview.grader import not_a_claim

    for admission in ("Not something I've benchmarked myself, I'd pull up the ann-benchmarks numbers rather than quote from memory.",
                      "I'd have to look it up rather than say it from memory.", "Honestly I'd have to check the exact recall."):
        assert not_a_claim(admission), admission
    for claim in ("We never measured the impact after launch.", "Recall is basically the same as precision here.",
                  "I've benchmarked it myself and HNSW always returns the exact neighbours.",
                  "I can say from memory that HNSW returns the exact neighbours."):
        assert not not_a_claim(claim), claim


@pytest.mark.slow
def test_story_round_red_flags_are_named_and_finding_out_is_not(grading_knowledge):
    """Judgement errors a hiring manager pushes back on are misconceptions too (knowledge/misconceptions.yaml); "I have
    no idea" and "I want to understand ... first" are the candidate finding out, and a strong story is left alone."""
    flagged = {
        "hm-career-growth": ("In five years I'd like to be a staff engineer. Honestly I want to leave after two years and start my "
                             "own company, so this would be a stepping stone. I want to understand the team's roadmap first, though.",
                             ["leave after two years"], ["roadmap"]),
        "beh-why-apple": ("Honestly it's mostly the brand and the pay, having Apple on my CV opens doors for whatever comes next. "
                          "My current manager has no idea what he is doing, so I need out.",
                          ["brand and the pay", "no idea what he is doing"], []),
        "beh-privacy-vs-accuracy": ("At my last job privacy was the lawyers' problem, we sent them the feature list and once they "
                                    "signed off I just focused on accuracy. I have no idea what the retention policy was.",
                                    ["lawyers' problem"], ["retention policy"]),
    }
    for qid, (answer, wrong, not_wrong) in flagged.items():
        quotes = " ".join(m["quote"] for m in grade_answer(grading_knowledge, qid, answer)["misconceptions"])
        assert all(w in quotes for w in wrong), (qid, quotes)
        assert not any(n in quotes for n in not_wrong), (qid, quotes)
    strong = ("On the keyboard suggestions we wanted typing data to improve the ranking, and I pushed for training on device "
              "with federated averaging instead of uploading what people type. The accuracy gap against a server-trained model "
              "was about a point, we measured it on a donated, consented set, and we shipped the on-device version with "
              "differential privacy on the updates.")
    assert not grade_answer(grading_knowledge, "beh-privacy-vs-accuracy", strong)["misconceptions"]


@pytest.mark.slow
def test_nothing_far_from_every_known_wrong_statement_is_called_a_misconception(grading_knowledge):
    """knowledge/grader.yaml's misconception_min_similarity is a floor on the closest curated wrong statement: at 1.0
    even a textbook mistake goes unflagged, at the shipped value it is flagged."""
    from interviewer import candidate_text as ct
    from interviewer.interview.grader import Grader

    question = grading_knowledge.curated.questions["mlf-dropout"]
    answer = ct.substantive_sentences("Dropout stays switched on at inference, that's how it keeps regularising the predictions.")
    shipped = grading_knowledge.curated.grader_params
    assert 0 < shipped.misconception_min_similarity < 1
    assert Grader(grading_knowledge).grade(answer, question)[1]
    strict = Grader(grading_knowledge, params=shipped.model_copy(update={"misconception_min_similarity": 1.0}))
    assert not strict.grade(answer, question)[1]
