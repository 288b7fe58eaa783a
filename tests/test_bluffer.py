"""Catch the bluffer: on a resume written for this test, a scripted bluffer's five planted contradictions are
raised in follow-ups that quote both sides and listed in the scorecard, with the deflections; a truthful strong
candidate on the same resume gets none.

The ledger tests run the claim ledger alone (fast); the interview tests run the whole engine with template
phrasing on the real index (slow)."""

from types import SimpleNamespace

import pytest

from interviewer.interview.followup import consistency_follow_up
from interviewer.interview.ledger import ClaimLedger
from interviewer.resume import parse_resume

RESUME = """Priya Raman
priya@example.org | Seattle, WA

EXPERIENCE
Machine Learning Engineer, Orchard Health (2021 - Present)
- Built the "Pulse" arrhythmia detector: a 400k-parameter 1D CNN in PyTorch, deployed with Core ML on Apple Watch.
- Reduced false alarms per day from 1.2 to 0.4 on 9,000 hours of ECG recordings.
- Cut on-watch inference latency from 30 ms to 9 ms with int8 quantization.
Applied Scientist, Streamline Media (2018 - 2021)
- Shipped a two-tower candidate retrieval model for video recommendations in TensorFlow; recall@50 rose from 0.33 to 0.49.
- Trained on 600 million viewing sessions and served 25 million monthly users.

PROJECTS
Sleep stage classifier
- Trained a gradient boosting model on 2,400 nights of wearable data; macro F1 0.71.

SKILLS
Python, PyTorch, TensorFlow, Core ML, Spark
"""

# (resume side, answer side): each pair must appear together in one follow-up
PLANTED = [
    ("400k-parameter 1D CNN", "transformer with roughly 5 million parameters"),
    ("from 1.2 to 0.4", "down to zero"),
    ("from 30 ms to 9 ms", "around 80 milliseconds"),
    ("two-tower", "large language model"),
    ("Pulse", "team of 10 engineers"),
]

BLUFFER = [
    "The Pulse detector was a transformer with roughly 5 million parameters, which we trained in PyTorch on the ECG data.",
    "False alarms went down to zero, pretty much, so clinicians trusted it. The details of the data were handled by others.",
    "Latency on the watch was around 80 milliseconds, which was fine for a background check.",
    "I led a team of 10 engineers on the detector, so I mostly reviewed their designs.",
    "At Streamline the recommender was a fine-tuned large language model, and recall was about 0.8.",
    "I'd have to check the exact numbers; it has been a while since I worked on it.",
    "We used standard practices for evaluation and the model worked well in production.",
    "Honestly I don't remember the details of the training setup.",
    "It was a good project and the team was happy with the results.",
    "I think the main lesson was to move fast and ship early.",
    "Nothing else comes to mind about it.",
    "That is all I can say about it.",
]

TRUTHFUL = [
    "The Pulse detector is a one-dimensional CNN with about 400 thousand parameters. I chose convolutions over a transformer "
    "because the watch has a tight memory budget and the rhythm patterns are local, and I converted it to Core ML with int8 weights.",
    "False alarms went from 1.2 a day to 0.4 a day. We measured that on 9,000 hours of ECG recordings, with 5 second windows and "
    "a 1 second hop, and we split by patient so that no test patient was ever in training.",
    "Inference on the watch dropped from 30 ms to 9 ms after quantization, which is roughly a 70 percent cut; the trade-off was a "
    "small loss in sensitivity that we recovered with quantization-aware fine-tuning.",
    "I built the detector myself; a cardiologist reviewed the labels and a designer helped with the alert screens.",
    "At Streamline I shipped a two-tower retrieval model in TensorFlow, one tower for viewers and one for videos. Recall at 50 rose "
    "from 0.33 to 0.49, and we trained on about 600 million viewing sessions.",
    "For privacy we kept raw ECG on the device and only sent aggregate metrics, because health data is sensitive; if I did it "
    "again I would add federated evaluation so that no recordings leave the watch.",
    "The hardest bug was a sampling-rate mismatch between training and the device, which we found by comparing feature histograms; "
    "the fix was to resample in one shared pipeline at training and at inference time.",
    "The metric that mattered was false alarms per day at a fixed sensitivity, because users disable alerts that fire too often; "
    "we also tracked battery impact, which stayed under 2 percent a day.",
    "For the sleep stage classifier I used gradient boosting on 2,400 nights of wearable data, and macro F1 reached 0.71, "
    "because the features were tabular summaries per 30 second epoch.",
    "Today I would start from a stronger baseline and measure calibration, not only F1, since clinicians read the probabilities.",
    "We compared against a logistic regression baseline first, and the boosted trees beat it by a clear margin on every fold.",
    "I would also look at label noise more carefully, because sleep stages are ambiguous even for experts.",
]


class _Answer:
    """A stand-in for the grader's assessment (no rubric: the ledger falls back to specificity)."""

    key_points: list = []
    words, numbers, reasons, tradeoffs = 40, 1, 1, 0


def _run_ledger(answers, settings, curated):
    resume = parse_resume(RESUME, settings.knowledge_dir)
    ledger = ClaimLedger(resume)
    knowledge = SimpleNamespace(curated=curated)
    project = resume.projects[0].title
    follow_ups = []
    for text in answers:
        ledger.record_answer(text, _Answer(), project)
        found = ledger.check(text, project)
        if found is not None:
            follow_ups.append(consistency_follow_up(knowledge, found).text)
    return resume, ledger, follow_ups


def _raised(follow_ups):
    return [pair for pair in PLANTED if any(pair[0] in t and pair[1] in t for t in follow_ups)]


def test_resume_projects_are_named_as_a_reader_would(settings):
    resume = parse_resume(RESUME, settings.knowledge_dir)
    assert [p.title for p in resume.projects] == [
        'the "Pulse" arrhythmia detector at Orchard Health',
        "the two-tower candidate retrieval model at Streamline Media",
        "Sleep stage classifier",
    ]


def test_ledger_raises_the_bluffers_contradictions(settings, curated):
    _, ledger, follow_ups = _run_ledger(BLUFFER, settings, curated)
    raised = _raised(follow_ups)
    print("\nbluffer follow-ups (ledger):\n  " + "\n  ".join(follow_ups))
    assert len(raised) >= 4, set(PLANTED) - set(raised)
    summary = ledger.summary()
    assert {c["type"] for c in summary["contradictions"]} >= {"numeric", "categorical", "role"}
    assert all({"before", "now", "type", "origin"} <= set(c) for c in summary["contradictions"])
    kinds = {d["kind"] for d in summary["deflections"]}
    assert {"others-did-it", "would-have-to-check"} <= kinds
    assert all({"claim", "quote", "kind"} <= set(d) for d in summary["deflections"])
    assert any(i["defense"] == "deflected" for i in summary["items"])


def test_ledger_raises_nothing_for_the_truthful_candidate(settings, curated):
    _, ledger, follow_ups = _run_ledger(TRUTHFUL, settings, curated)
    assert follow_ups == [] and ledger.summary()["contradictions"] == []
    assert ledger.summary()["deflections"] == []


def _interview(answers, knowledge, settings):
    from interviewer.interview import Interview, InterviewConfig
    from interviewer.llm import FakeLLM

    iv = Interview(InterviewConfig(round="resume-deep-dive", resume=RESUME, seed=3), knowledge, FakeLLM(), settings.prompts_dir)
    list(iv.start())
    for text in answers:
        if iv.done:
            break
        list(iv.answer(text))
    card = iv.finish()
    return iv, card


def _key_turns(iv):
    lines = []
    turns = iv.transcript.turns
    for i, t in enumerate(turns):
        if t.role == "interviewer" and (t.kind == "question" or "resume" in t.text.lower() or t.kind == "followup" and "said" in t.text):
            said = turns[i - 1].text if i and turns[i - 1].role == "candidate" else ""
            lines.append(f"  candidate: {said}\n  interviewer ({t.kind}): {t.text}" if said else f"  interviewer ({t.kind}): {t.text}")
    return "\n".join(lines)


@pytest.mark.slow
def test_interview_raises_the_bluffers_contradictions_and_scores_them(knowledge, settings):
    iv, card = _interview(BLUFFER, knowledge, settings)
    follow_ups = [t.text for t in iv.transcript.turns if t.role == "interviewer" and t.kind == "followup"]
    raised = _raised(follow_ups)
    print(f"\nbluffer: {len(raised)} of {len(PLANTED)} planted contradictions raised; overall {card['overall']}")
    print(_key_turns(iv))
    print("  scorecard contradictions:", [(c["type"], c["before_value"], c["now_value"]) for c in card["claims"]["contradictions"]])
    print("  scorecard deflections:", [(d["kind"], d["quote"]) for d in card["claims"]["deflections"]])
    assert len(raised) >= 4, set(PLANTED) - set(raised)
    assert len(card["claims"]["contradictions"]) >= 5 and card["claims"]["deflections"]


@pytest.mark.slow
def test_interview_raises_nothing_for_the_truthful_candidate(knowledge, settings):
    iv, card = _interview(TRUTHFUL, knowledge, settings)
    print(f"\ntruthful: overall {card['overall']}, contradictions {card['claims']['contradictions']}")
    print(_key_turns(iv))
    assert card["claims"]["contradictions"] == [] and card["claims"]["deflections"] == []
    assert not any(t.kind == "followup" and "just now you said" in t.text for t in iv.transcript.turns)


# A truthful, strong candidate who answers what is actually asked: one answer per planned main question (the plan for
# this resume and seed), and the scripted TRUTHFUL details for the follow-ups, in order.
ANSWERS_BY_QUESTION = {
    "rdd-architecture-walkthrough": (
        "Pulse exists so that a watch wearer gets told about a possible arrhythmia without a flood of false alerts; the input is "
        "the single-lead ECG from the watch, cut into 5 second windows with a 1 second hop, and the output is a probability per "
        "window that a cardiologist-facing alert is built on. Recordings come from the study app, we band-pass filter them, "
        "normalise per recording and store the windows with patient ids so splits stay by patient. The model is a 1D CNN with "
        "about 400 thousand parameters, six convolutional blocks with batch norm and a small dense head, trained from scratch "
        "in PyTorch with weighted cross-entropy and Adam on one GPU. We evaluate on held-out patients and success was false "
        "alarms per day at a fixed sensitivity, which went from 1.2 to 0.4. It runs on the watch through Core ML with int8 "
        "weights in 9 ms per window, and after launch we monitor alert rates and a sample of cardiologist reviews, and retrain "
        "each quarter when the reviewed labels pile up."
    ),
    "rdd-challenging-problem": (
        "The hard part was latency: the float model took 30 ms per window on the watch, and with a window every second that "
        "burned battery and sometimes delayed alerts. I considered three options: pruning channels, distilling into a smaller "
        "network, or int8 quantization, and compared them on accuracy at our sensitivity target, latency, and how long they "
        "would take to ship. I chose quantization because most of the time went into convolution arithmetic that the Neural "
        "Engine runs much faster in int8, so it attacks the cause rather than shaving layers. Before committing I quantized a "
        "copy, ran it on 200 held-out patients and profiled it on three watch models. Latency dropped from 30 ms to 9 ms; "
        "sensitivity fell half a point, which I recovered with quantization-aware fine-tuning; the remaining limitation is "
        "older watches, which still run the float model. The quantization work and the profiling were mine; the alert UI was "
        "the app team's."
    ),
    "rdd-scaling-training": (
        "At Streamline we trained on 600 million viewing sessions; with a hundred times more, the first thing to break is "
        "input: feature joins in Spark already took about six hours, and one reader could not keep the accelerators busy. I "
        "would write sharded Parquet or TFRecord files by day, precompute features in Spark and stream them with a parallel "
        "loader. For training I would move to data parallel with all-reduce across several machines, and shard the large "
        "embedding tables because they, not the towers, stop fitting in memory. With bigger batches I would scale the learning "
        "rate with warmup and use mixed precision. More data can carry bigger towers, but I would first plot learning curves to "
        "see whether we are data- or capacity-limited. And I would add checkpointing so a failed worker resumes instead of "
        "restarting, run it from Airflow, and track cost per run."
    ),
    "rdd-data-cleaning": (
        "The raw ECG had several problems: about 4 percent of windows had lead-off noise when the watch was loose, some "
        "recordings were uploaded twice, a batch from one firmware version had timestamps in the wrong unit, and a few labels "
        "were simply wrong. Missing segments were mostly from a loose strap, so not random with respect to motion; I dropped "
        "windows that were mostly missing and added a quality flag rather than imputing heart signal. For outliers I separated "
        "electrode artifacts, which we removed with a signal-quality score, from genuinely rare rhythms, which we kept and "
        "oversampled. Duplicates we found by hashing the raw samples, before splitting by patient, so no copy leaked into test. "
        "All of it runs in one shared preprocessing package used in training and on device, with schema checks in CI. It "
        "touched about 6 percent of the windows and the cleaning alone cut false alarms by roughly a fifth."
    ),
}


def _adaptive_interview(knowledge, settings):
    from interviewer.interview import Interview, InterviewConfig, TurnEvent
    from interviewer.llm import FakeLLM

    iv = Interview(InterviewConfig(round="resume-deep-dive", resume=RESUME, seed=3), knowledge, FakeLLM(), settings.prompts_dir)
    follow_up_answers = iter(TRUTHFUL)
    last = [e.turn for e in iv.start() if isinstance(e, TurnEvent)][-1]
    while not iv.done:
        text = ANSWERS_BY_QUESTION.get(last.question_id) if last.kind == "question" else next(follow_up_answers, None)
        if text is None:
            break
        last = [e.turn for e in iv.answer(text) if isinstance(e, TurnEvent)][-1]
    return iv, iv.finish()


@pytest.mark.slow
def test_truthful_candidate_who_answers_what_is_asked_scores_well(knowledge, settings):
    iv, card = _adaptive_interview(knowledge, settings)
    asked = {t.question_id for t in iv.transcript.turns if t.kind == "question"}
    print(f"\ntruthful, answering what is asked: overall {card['overall']}, criteria {[c['score'] for c in card['criteria']]}")
    print(_key_turns(iv))
    assert asked <= set(ANSWERS_BY_QUESTION), asked - set(ANSWERS_BY_QUESTION)  # the plan this test was written for
    assert card["claims"]["contradictions"] == [] and card["claims"]["deflections"] == []
    assert card["overall"] >= 3.0
