"""Engine logic with a fake LLM (queued outputs): planning, follow-up decisions, validation fallbacks.

Retrieval and embeddings come from the fake knowledge service (the real curated files, bag-of-words
vectors): the logic, not the quality of retrieval, is under test here; test_interview_real_model.py has the real parts.
"""

import re

import pytest

from interviewer.interview import Interview, InterviewConfig, TurnEvent
from interviewer.interview.plan import plan_round
from interviewer.interview.rounds import ALL_ROUNDS, ONSITE, ROUNDS
from interviewer.llm import FakeLLM

from .scripted import INJECTION, QUESTIONS, STRONG, VAGUE


def turns(events):
    return [e.turn for e in events if isinstance(e, TurnEvent)]


def make(knowledge, settings, llm=None, **config):
    return Interview(InterviewConfig(**config), knowledge, llm if llm is not None else FakeLLM(), settings.prompts_dir)


@pytest.mark.parametrize("round_name", [r for r in ALL_ROUNDS if r != "onsite"])
def test_plan_fits_budget_without_repeats_and_spreads_topics(fake_knowledge, round_name):
    plan = plan_round(fake_knowledge, round_name)
    assert len(plan) == ROUNDS[round_name].main_questions
    ids = [p.question.id for p in plan]
    assert len(set(ids)) == len(ids)
    assert all(p.question.round == round_name and p.sources for p in plan)
    if len(plan) >= 3:
        topics = [set(p.question.topics) for p in plan]
        assert len(set().union(*topics)) > len(topics[0]) + 1  # not all the same topic


@pytest.mark.slow
def test_track_and_job_description_bias_the_plan(knowledge):
    """Retrieval by meaning: the job description's time-series wording finds the track's questions."""
    general = {p.question.id for p in plan_round(knowledge, "ml-system-design", count=4)}
    health = plan_round(knowledge, "ml-system-design", track="health-timeseries", count=4,
                        job_description="Health AI team: time-series sensor data from Apple Watch, heart rate, signal processing.")
    assert {p.question.id for p in health} != general
    assert sum("health-timeseries" in p.question.tracks for p in health) >= 2


def test_avoids_recent_questions_and_onsite_has_five_rounds(fake_knowledge):
    first = [p.question.id for p in plan_round(fake_knowledge, "genai")]
    second = [p.question.id for p in plan_round(fake_knowledge, "genai", avoid=set(first))]
    assert not set(first) & set(second)
    onsite = plan_round(fake_knowledge, "onsite")
    assert [r for r in dict.fromkeys(p.round for p in onsite)] == list(ONSITE)


def test_vague_answer_gets_a_follow_up_on_a_missed_point_and_invalid_llm_output_falls_back(fake_knowledge, settings):
    llm = FakeLLM(default="Great answer! The answer is to use SMOTE.")  # fails validation every time
    iv = make(fake_knowledge, settings, llm, question_ids=QUESTIONS)
    list(iv.start())
    follow = turns(iv.answer(VAGUE[0]))[-1]
    assert follow.kind == "followup" and follow.phrasing == "template" and follow.rejected
    assert follow.text.endswith("?") and "Great" not in follow.text
    rubric = [kp.text for kp in fake_knowledge.curated.questions[QUESTIONS[0]].rubric.key_points]
    assert follow.move == "key-point" and follow.targets[0] in rubric  # the transcript says which point it pursues
    assert follow.anchor_sentence in (None, VAGUE[0])
    quoted = re.findall(r"\u201c([^\u201d]+)\u201d", follow.text)
    assert all(q.lower() in VAGUE[0].lower() for q in quoted)  # a quote is the candidate's words, or there is none


class OwnWordsLLM(FakeLLM):
    """Once `own_words` is set, words every follow-up itself, keeping the quote the step asks it to keep."""

    own_words = False

    def complete(self, messages, max_tokens, **kw):
        if self.own_words:
            anchor = re.search(r'their words "([^"]+)"', messages[-1]["content"])
            words = f" given {anchor.group(1)}" if anchor else ""
            self.responses.insert(0, f"Walk me through how you would evaluate the model on this data{words}?")
        return super().complete(messages, max_tokens, **kw)


def test_valid_llm_follow_up_is_used(fake_knowledge, settings):
    llm = OwnWordsLLM()
    iv = make(fake_knowledge, settings, llm, question_ids=QUESTIONS)
    llm.queue("Welcome to your mock interview today.")
    list(iv.start())
    llm.default = None
    llm.own_words = True
    follow = turns(iv.answer(VAGUE[0]))[-1]
    assert follow.phrasing == "llm" and follow.text.startswith("Walk me through how")


def test_strong_answer_is_pushed_deeper_once_and_depth_limit_holds(fake_knowledge, settings):
    iv = make(fake_knowledge, settings, question_ids=QUESTIONS)
    list(iv.start())
    first = turns(iv.answer(STRONG[0]))[-1]
    assert first.kind == "followup"  # a strong answer still gets one follow-up, one level deeper or on what it missed
    assert turns(iv.answer(STRONG[0].split(". ")[0] + " and I would also watch precision by segment."))[-1].kind in ("followup", "question")
    while iv.current.question.id == QUESTIONS[0]:
        turns(iv.answer("I would also look at how the threshold moves over time."))
    asked = []
    for _ in range(3):  # vague three times: at most `depth` follow-ups, then the next question
        asked.append(turns(iv.answer(VAGUE[1] + f" Attempt {len(asked)}."))[-1])
    assert [t.kind for t in asked] == ["followup", "followup", "question"]
    texts = [t.text for t in iv.transcript.turns if t.role == "interviewer"]
    assert len(texts) == len(set(texts))


def test_injection_changes_neither_role_nor_score(fake_knowledge, settings):
    plain = make(fake_knowledge, settings, question_ids=QUESTIONS[:1])
    list(plain.start())
    list(plain.answer(VAGUE[0]))
    base = plain.finish()
    injected = make(fake_knowledge, settings, question_ids=QUESTIONS[:1])
    list(injected.start())
    reply = turns(injected.answer(INJECTION))[-1]
    assert "stay in my role" in reply.text and "prompt" not in reply.text.lower().replace("stay in my role", "")
    list(injected.answer(VAGUE[0]))
    card = injected.finish()
    assert card["overall"] <= base["overall"]
    assert [c["score"] for c in card["criteria"]] <= [c["score"] for c in base["criteria"]] or card["overall"] <= base["overall"]
    assert card["injection_attempts"] == 1


def test_bad_input_keeps_the_session_going(fake_knowledge, settings):
    iv = make(fake_knowledge, settings, question_ids=QUESTIONS)
    list(iv.start())
    for bad in ["", "   \n\t", "\x00\x00", "asdfgh qwrtzp xcvbnm lkjhgf", "\ud800 lone surrogate", "\u0645\u0631\u062d\u0628\u0627 \u0628\u0643\u0645 \u0641\u064a \u0627\u0644\u0645\u0642\u0627\u0628\u0644\u0629"]:
        reply = turns(iv.answer(bad))[-1]
        assert reply.role == "interviewer" and reply.text
    huge = "gradient " * 30_000
    reply = turns(iv.answer(huge))[-1]
    assert "very long" in reply.text
    assert len(iv.transcript.turns[-2].text) <= 20_000
    assert not iv.done or iv.transcript.turns[-1].kind == "closing"


def test_scorecard_ranks_strong_above_vague_with_verbatim_evidence(fake_knowledge, settings):
    cards, answers = {}, {}
    for name, script in (("strong", STRONG), ("vague", VAGUE)):
        iv = make(fake_knowledge, settings, question_ids=QUESTIONS, depth=0)
        list(iv.start())
        for text in script:
            list(iv.answer(text))
        cards[name] = iv.finish()
        answers[name] = [t.text for t in iv.transcript.turns if t.role == "candidate"]
        for c in cards[name]["criteria"]:
            for quote in c["evidence"]:
                assert any(quote in a for a in answers[name]), quote
    assert cards["strong"]["overall"] > cards["vague"]["overall"]
    assert [c["name"] for c in cards["strong"]["criteria"]] == [
        "Technical Depth and Fundamentals", "Engineering Excellence and Scalability", "Domain Expertise and Curiosity", "Communication and Culture"]
    assert cards["vague"]["review"] and all(q["missed"] for q in cards["vague"]["questions"])


def test_history_is_trimmed_to_the_context_budget(fake_knowledge, settings):
    class Tiny(FakeLLM):
        n_ctx = 400

    llm = Tiny()
    iv = make(fake_knowledge, settings, llm, question_ids=QUESTIONS, depth=2)
    list(iv.start())
    for i in range(6):
        if iv.done:
            break
        list(iv.answer(STRONG[i % 3]))
    assert len(llm.calls) >= 4
    for call in llm.calls:  # what the model saw: system, history within budget, step
        assert sum(llm.count_tokens(m["content"]) for m in call[1:-1]) <= 400 * 0.6
    assert all(call[0]["role"] == "system" for call in llm.calls)
    assert len({call[0]["content"] for call in llm.calls}) == 1  # byte-stable system prompt


class _Listener:
    def __init__(self):
        self.turns, self.cards = [], []

    def turn_committed(self, seq, turn):
        self.turns.append((seq, turn.text))

    def finished(self, scorecard):
        self.cards.append(scorecard)


def test_listeners_hear_every_committed_turn_and_the_finish(fake_knowledge, settings):
    iv = make(fake_knowledge, settings, question_ids=QUESTIONS[:1])
    heard = _Listener()
    iv.add_listener(heard)
    list(iv.start())
    list(iv.answer(STRONG[0]))
    card = iv.finish()
    assert {seq for seq, _ in heard.turns} == set(range(len(iv.transcript.turns)))
    assert heard.turns[-1] == (len(iv.transcript.turns) - 1, iv.transcript.turns[-1].text)
    assert iv.transcript.turns[-1].kind == "closing" and heard.cards == [card]


def test_restore_replays_a_saved_session_to_the_same_state(fake_knowledge, settings):
    original = make(fake_knowledge, settings, question_ids=QUESTIONS, session_id="saved0session")
    list(original.start())
    for text in (STRONG[0], VAGUE[1]):
        list(original.answer(text))
    saved = list(original.transcript.turns)
    restored = make(fake_knowledge, settings, question_ids=QUESTIONS, session_id="saved0session")
    fresh = restored.restore(saved[:-1])  # the last reply was lost: the replay says it again
    assert [t.text for t in fresh] == [saved[-1].text]
    assert (restored.index, restored.depth, restored.asked) == (original.index, original.depth, original.asked)
    assert restored.transcript.turns[:-1] == saved[:-1]  # the saved turns themselves, timings included
    finished = make(fake_knowledge, settings, question_ids=QUESTIONS, session_id="saved0session")
    assert finished.restore(saved, scorecard={"overall": 2.0}) == [] and finished.done and finished.transcript.scorecard == {"overall": 2.0}
    with pytest.raises(RuntimeError, match="not started"):
        finished.restore(saved)
