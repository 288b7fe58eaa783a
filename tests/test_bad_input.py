"""Every kind of bad answer gets an in-role reply and the session goes on; nothing overflows the context."""

import pytest

from interviewer.interview import Interview, InterviewConfig, TurnEvent
from interviewer.llm import FakeLLM

from .scripted import QUESTIONS, STRONG


def last_reply(events):
    turns = [e.turn for e in events if isinstance(e, TurnEvent)]
    return turns[-1]


@pytest.fixture()
def interview(fake_knowledge, settings):
    class Bounded(FakeLLM):
        n_ctx = 4096

    iv = Interview(InterviewConfig(question_ids=QUESTIONS), fake_knowledge, Bounded(default="Let's keep going with the interview now."), settings.prompts_dir)
    list(iv.start())
    return iv


@pytest.mark.parametrize(
    "answer, reply_says",
    [
        ("", "didn't get an answer"),
        ("   \n\t  ", "didn't get an answer"),
        ("\x00\x00\x00", "didn't get an answer"),
        (b"\xff\xfe\xfa invalid \xc3\x28 utf-8", None),
        ("\ud800\udfff", "didn't get an answer"),
        ("\U0001F600\U0001F680\U0001F525", "didn't get an answer in words"),
        ("\u05d0\u05e0\u05d9 \u05de\u05e9\u05ea\u05de\u05e9 \u05d1\u05de\u05e9\u05e7\u05dc\u05d5\u05ea \u05de\u05d7\u05dc\u05e7\u05d5\u05ea \u05db\u05d3\u05d9 \u05dc\u05d0\u05d6\u05df", "answer in English"),
        ("Je pense que le mod\u00e8le est trop grand pour le t\u00e9l\u00e9phone et que les donn\u00e9es sont d\u00e9s\u00e9quilibr\u00e9es dans la plupart des cas", "answer in English"),
        ("xkcdqwrtp zzzvbnmlk qwrtzpsdf hjklmnbvc", "couldn't make sense"),
        ("# Title\n**bold** <script>alert('x')</script> <img src=x onerror=alert(1)> I would use class weights.", None),
    ],
)
def test_bad_answer_gets_in_role_reply_and_session_continues(interview, answer, reply_says):
    reply = last_reply(interview.answer(answer))
    assert reply.role == "interviewer" and reply.text
    if reply_says:
        assert reply_says in reply.text
    assert not interview.done
    follow = last_reply(interview.answer(STRONG[0]))  # a real answer afterwards is handled normally
    assert follow.role == "interviewer" and follow.kind in ("question", "followup")


def test_same_answer_five_times_moves_on_and_ends(interview):
    replies = []
    for _ in range(5):
        if interview.done:
            break
        replies.append(last_reply(interview.answer(STRONG[0])))
    assert any("same answer" in r.text for r in replies)
    texts = [t.text for t in interview.transcript.turns if t.role == "interviewer"]
    assert len(texts) == len(set(texts))


def test_huge_answer_is_bounded_everywhere(interview):
    huge = ("The gradient flows through the residual path because of the identity skip connection. " * 3000)[:200_000]
    reply = last_reply(interview.answer(huge))
    assert "very long" in reply.text
    stored = [t for t in interview.transcript.turns if t.role == "candidate"][-1]
    assert len(stored.text) <= 20_000
    prompt = interview.llm.calls[-1]
    assert sum(len(m["content"]) for m in prompt) < 12_000  # what the model saw stays small
