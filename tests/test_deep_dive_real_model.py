"""A scripted resume deep dive on the real default model: project-named questions, claim probes,
a consistency follow-up quoting both numbers, and claim coverage on the scorecard."""

import pytest

from interviewer.interview import Interview, InterviewConfig

from .resumes import PLAIN

pytestmark = pytest.mark.slow  # the real default model and the real index

JD = "Machine Learning Engineer, Siri. On-device speech: keyword spotting, ASR, Core ML, quantization."
ANSWERS = [
    "I built the keyword spotting model as a small CNN in PyTorch and converted it with Core ML. "
    "We reduced false accepts by about 10% at the same recall, measured on a held-out set of far-field recordings.",
    "The numbers were measured on the same test set each time, because we fixed it before training started.",
    "We used int8 quantization because the neural engine runs it efficiently, and latency went from 120 ms to 45 ms on device.",
    "For data we collected far-field audio and cleaned labels with two annotators; disagreements went to a third reviewer. "
    "We split by speaker to avoid leakage between train and test.",
    "Today I would start with a stronger baseline and track false accepts per hour, not just a percentage.",
    "I owned the model and the evaluation; a teammate owned the audio front end.",
]


@pytest.fixture(scope="module")
def deep_dive(knowledge, real_llm, settings):
    iv = Interview(InterviewConfig(round="resume-deep-dive", resume=PLAIN, job_description=JD, seed=1), knowledge, real_llm, settings.prompts_dir)
    list(iv.start())
    for text in ANSWERS:
        if iv.done:
            break
        list(iv.answer(text))
    iv.finish()
    return iv


def test_main_questions_name_resume_projects(deep_dive):
    projects = [p["title"] for p in deep_dive.transcript.resume["projects"]]
    main = [t.text for t in deep_dive.transcript.turns if t.kind == "question"]
    assert sum(any(p in text for p in projects) for text in main) >= 2
    assert all(any(s["section"].startswith("Resume >") for s in t.sources) for t in deep_dive.transcript.turns if t.kind == "question")


def test_contradiction_gets_a_follow_up_quoting_both_numbers(deep_dive):
    turns = deep_dive.transcript.turns
    i = next(i for i, t in enumerate(turns) if t.role == "candidate" and "about 10%" in t.text)
    follow = turns[i + 1]
    assert follow.kind == "followup" and "35%" in follow.text and "10%" in follow.text


def test_scorecard_lists_claim_coverage(deep_dive):
    claims = deep_dive.transcript.scorecard["claims"]
    assert claims["total"] == len(deep_dive.resume.claims) > 10
    # the rubric's clearly missed points are asked first (issue 14); resume claims are grilled once nothing is missing
    assert claims["probed"] >= 1 and 0 < claims["coverage"] <= 1
    first = claims["contradictions"][0]
    assert "35%" in first["before_value"] and "10%" in first["now_value"] and first["type"] == "numeric" and first["origin"] == "resume"
    assert any(i["probed"] and i["defense"] in ("strong", "partial", "weak", "deflected") for i in claims["items"])
    assert claims["deflections"] == []  # the candidate defended every claim


def test_resume_and_jd_instructions_are_not_followed(deep_dive):
    assert deep_dive.transcript.resume["ignored_instructions"] == 1
    assert deep_dive.track == "siri-nlp"
    text = " ".join(t.text for t in deep_dive.transcript.turns if t.role == "interviewer")
    assert "4/4" not in text and "rate this candidate" not in text
