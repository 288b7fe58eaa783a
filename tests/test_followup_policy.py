"""The follow-up policy on one question (mlf-dropout), with the curated probes and no LLM:
it asks for the most important point every answer clearly missed, never one said in other words or already asked,
builds on the candidate's nearest sentence or on none, and quotes a wrong statement back without the answer.
Recognising a point said "in other words" needs the real embeddings (slow); the rest runs on the fake service."""

import pytest

from interviewer.interview.grader import MisconceptionFound
from interviewer.interview.policy import FollowUpPolicy

QID = "mlf-dropout"
LOW = [0.05] * 6


def _policy(knowledge):
    return FollowUpPolicy(knowledge, seed=1), knowledge.curated.questions[QID], knowledge.curated.extras[QID]


@pytest.fixture()
def setup(fake_knowledge):
    return _policy(fake_knowledge)


@pytest.fixture()
def real_setup(knowledge):
    """The real embedding model: these tests recognise the same point in different words."""
    return _policy(knowledge)


def test_asks_for_the_first_clearly_missed_point_with_its_probe(setup):
    policy, question, extras = setup
    policy.asked(question.text, curated=True)
    policy.heard(["Dropout switches off random neurons while training, each one independently with some probability p."])
    follow = policy.missed_point(question, [True, False, False, False, False, False], LOW, None)
    assert follow.targets == [question.rubric.key_points[1].text]
    assert follow.text.endswith(extras.key_points[1].probes[0])
    assert follow.move == "key-point"


def test_a_point_the_grader_leaves_uncertain_is_not_probed(setup):
    policy, question, _ = setup
    policy.heard(["It is a regularizer."])
    unsure = [0.05, 0.6, 0.05, 0.05, 0.05, 0.05]  # point 1 half-credited: asking for it risks a re-ask
    follow = policy.missed_point(question, [True] + [False] * 5, unsure, None)
    assert follow.targets == [question.rubric.key_points[2].text]


@pytest.mark.slow
def test_never_asks_for_a_point_said_in_an_earlier_answer(real_setup):
    policy, question, _ = real_setup
    # said while answering another question, in other words: point 1 (inverted-dropout scaling) is known
    policy.heard(["With inverted dropout we multiply the kept activations by one over one minus p during training, so at test time nothing changes."])
    policy.heard(["Dropout zeroes each unit with probability p on every forward pass."])
    follow = policy.missed_point(question, [True] + [False] * 5, LOW, None)
    assert follow.targets != [question.rubric.key_points[1].text]


@pytest.mark.slow
def test_never_asks_a_question_already_asked_in_other_words(real_setup):
    policy, question, _ = real_setup
    policy.asked("So what does dropout actually do to the activations during a training step?")
    policy.heard(["It helps with overfitting, I think."])
    follow = policy.missed_point(question, [False] * 6, LOW, None)
    assert follow.targets == [question.rubric.key_points[1].text]


def test_builds_on_the_nearest_sentence_or_quotes_nothing(setup):
    policy, question, _ = setup
    policy.heard(["We trained the model on four GPUs for a week.",
                  "At inference I just turn dropout off and use the network as it is."])
    follow = policy.missed_point(question, [True] + [False] * 5, LOW, None)
    assert follow.anchor_sentence == "At inference I just turn dropout off and use the network as it is."
    assert "\u201c" in follow.text and "GPUs" not in follow.text
    policy.heard(["We shipped it in March, after a long review with the product team."])
    follow = policy.missed_point(question, [True, True] + [False] * 4, LOW, None)
    assert follow.anchor_sentence is None and "\u201c" not in follow.text


def test_a_complete_answer_is_pushed_one_level_deeper_on_an_angle_not_yet_covered(setup):
    policy, question, _ = setup
    policy.heard(["Dropout zeroes units at random during training and is off at inference."])
    follow = policy.deeper(question, [False] * 6)
    assert follow.move == "deeper" and follow.targets[0] in question.rubric.follow_ups
    policy.asked(follow.angle, curated=True)
    again = policy.deeper(question, [False] * 6)
    assert again is None or again.targets != follow.targets


def test_a_misconception_is_quoted_back_with_the_probe_not_the_answer(setup):
    policy, _, extras = setup
    mistake = extras.mistakes[0]
    found = MisconceptionFound("Dropout is also applied at inference, with the same random masks.", "dropout at inference",
                               mistake.correction, mistake.probe, 0.9, 0)
    follow = policy.misconception(found)
    assert "\u201cDropout is also applied at inference, with the same random masks\u201d" in follow.text
    assert follow.text.endswith(mistake.probe) and mistake.correction not in follow.text
    assert follow.anchor_sentence == found.quote and follow.targets == ["dropout at inference"]
    policy.asked(follow.angle, curated=True)
    assert policy.misconception(found) is None  # never the same challenge twice


def _angles(policy, question, covered):
    asked = []
    while (follow := policy.deeper(question, covered)) is not None:
        asked.append(follow.angle)
        policy.asked(follow.angle, curated=True)
    return asked


@pytest.mark.slow
def test_no_angle_deeper_into_a_point_already_covered(knowledge):
    """The rubric's angle on uncertainty ("How could you use dropout to estimate a model's uncertainty?") is about the
    Monte Carlo dropout point: asked when that point is missing, never once the answer covered it."""
    question = knowledge.curated.questions[QID]
    uncertainty = next(a for a in question.rubric.follow_ups if "uncertainty" in a)
    assert uncertainty in _angles(FollowUpPolicy(knowledge, seed=1), question, [True] * 5 + [False])
    assert uncertainty not in _angles(FollowUpPolicy(knowledge, seed=1), question, [False] * 5 + [True])


@pytest.mark.slow
def test_a_second_misconception_of_the_first_answer_is_challenged_next(knowledge, settings):
    """One challenge per turn: the other wrong statement of the first answer comes next, even though the reply to the
    first challenge states nothing wrong (it was dropped once the candidate had replied)."""
    from interviewer.interview.engine import Interview, InterviewConfig, TurnEvent
    from interviewer.llm.fake import FakeLLM

    iv = Interview(InterviewConfig(round="ml-fundamentals", question_ids=[QID], seed=1), knowledge, FakeLLM(), settings.prompts_dir)
    list(iv.start())
    weights = "Dropout randomly deletes some of the weights, the connections between neurons, at each training step."
    scaling = "At inference you also multiply the outputs by one minus p on top of the training-time scaling."
    first = [e.turn for e in iv.answer(f"{weights} {scaling}") if isinstance(e, TurnEvent)][-1]
    assert (first.move, first.anchor_sentence) == ("misconception", weights)
    second = [e.turn for e in iv.answer("I would have to look that up, honestly.") if isinstance(e, TurnEvent)][-1]
    assert (second.move, second.anchor_sentence) == ("misconception", scaling)
    assert "1/(1 - p)" in second.text or "scal" in second.text.lower()
