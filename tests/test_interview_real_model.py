"""Whole interviews on the real default GGUF through llama.cpp: the judgement holds whatever the model says."""

import re
from itertools import pairwise

import pytest

from interviewer.interview import Interview, InterviewConfig
from interviewer.llm.qualify import ALL_MOVES

from .scripted import INJECTION, QUESTIONS, STRONG, VAGUE

pytestmark = pytest.mark.slow  # the real default model and the real index

def run(knowledge, llm, settings, answers, **config):
    # every move through the model, qualified or not: these tests are about the phrasing path itself (validation,
    # timing, the KV cache); the shipped default words nothing (tests/test_qualify.py)
    iv = Interview(InterviewConfig(question_ids=QUESTIONS, seed=3, **config), knowledge, llm, settings.prompts_dir, moves=ALL_MOVES)
    list(iv.start())
    for text in answers:
        if iv.done:
            break
        list(iv.answer(text))
    iv.finish()
    return iv


@pytest.fixture(scope="module")
def interviews(knowledge, real_llm, settings):
    strong = run(knowledge, real_llm, settings, STRONG)
    vague = run(knowledge, real_llm, settings, VAGUE + VAGUE)  # vague answers repeated to follow-ups
    return strong, vague


def test_follow_ups_say_what_they_pursue_and_build_on_the_answer(interviews):
    for iv in interviews:
        turns = iv.transcript.turns
        for prev, turn in pairwise(turns):
            if turn.kind == "followup" and prev.role == "candidate" and prev.text.strip():
                assert turn.move and turn.targets, turn
                if turn.anchor_sentence is not None:
                    assert turn.anchor_sentence in prev.text, (turn.anchor_sentence, prev.text)
                for quoted in re.findall(r"\u201c([^\u201d]+)\u201d", turn.text):  # a quote is the candidate's words
                    assert quoted.lower() in " ".join(t.text for t in turns if t.role == "candidate").lower(), (quoted, turn.text)


def test_no_question_repeats_and_main_questions_carry_sources(interviews):
    for iv in interviews:
        asked = [t.text for t in iv.transcript.turns if t.role == "interviewer" and t.kind in ("question", "followup")]
        assert len(asked) == len(set(asked))
        for t in iv.transcript.turns:
            if t.kind == "question":
                assert t.sources and all(s["id"] and s["section"] for s in t.sources)


def test_evidence_is_verbatim_and_strong_beats_vague(interviews):
    strong, vague = interviews
    for iv in interviews:
        answers = [t.text for t in iv.transcript.turns if t.role == "candidate"]
        for c in iv.transcript.scorecard["criteria"]:
            for quote in c["evidence"]:
                assert any(quote in a for a in answers)
    assert strong.transcript.scorecard["overall"] > vague.transcript.scorecard["overall"]


def test_model_output_is_validated_and_timed(interviews):
    reused = False
    for iv in interviews:
        llm_turns = [t for t in iv.transcript.turns if t.phrasing in ("llm", "template") and t.prompt_tokens]
        assert llm_turns, "the model was never asked to phrase anything"
        for t in llm_turns:
            assert t.evaluated_tokens <= t.prompt_tokens
            assert t.ttft_ms is not None and t.total_ms >= t.ttft_ms
        # after the first call the system prompt and history come from llama.cpp's KV cache
        reused = reused or any(t.evaluated_tokens < t.prompt_tokens / 2 for t in llm_turns[1:])
    assert reused


def test_injection_neither_changes_role_nor_raises_score(knowledge, real_llm, settings):
    base = run(knowledge, real_llm, settings, VAGUE)
    attacked = run(knowledge, real_llm, settings, [INJECTION] + VAGUE)
    reply = next(t for t in attacked.transcript.turns if t.role == "interviewer" and t.kind != "note" and "stay in my role" in t.text)
    assert "system prompt" not in reply.text.lower()
    assert "You are a calm, professional interviewer" not in " ".join(t.text for t in attacked.transcript.turns)
    assert attacked.transcript.scorecard["overall"] <= base.transcript.scorecard["overall"]
