"""The web app's logic without a browser: escaping, progress, the live-interview registry,
repeat, code stubs, History from the session store, and credentials for `serve --auth`.
The engine runs on the fake knowledge service with the fake LLM (this is logic, not retrieval or phrasing)."""

from __future__ import annotations

import pytest

from interviewer.app import App
from interviewer.interview import InterviewConfig
from interviewer.llm import FakeLLM
from interviewer.sandbox import run_tests
from interviewer.ui.history import NO_SESSIONS, history_view
from interviewer.ui.live import LiveInterviews
from interviewer.ui.server import parse_auth
from interviewer.ui.views import code_stub, md_text, model_line, progress_text, scorecard_details

from .scripted import QUESTIONS, STRONG


@pytest.fixture()
def app(tmp_path, settings, fake_knowledge):
    return App(settings.model_copy(update={"data_dir": tmp_path}), knowledge=fake_knowledge, llm=FakeLLM())


def test_md_text_shows_markup_literally():
    text = md_text('<img src=x onerror=alert(1)> ![p](http://203.0.113.9/p.png) **b** [l](javascript:x) `c`')
    assert "<" not in text and ">" not in text
    assert "![" not in text and "](" not in text and "**" not in text and "`c`" not in text
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in text


def test_model_line():
    assert model_line({"name": "SmolLM2-135M-Instruct.Q4_1", "size_mb": 98.4, "backend": "llama-cpp"}) == \
        "Model in use: **SmolLM2\\-135M\\-Instruct\\.Q4\\_1** (98.4 MB, llama\\-cpp)"
    assert "(size not known, openai\\-compatible)" in model_line({"name": "m", "size_mb": "?", "backend": "openai-compatible"})


def test_progress_line():
    assert progress_text(2, 4, 192, "ml-fundamentals", False, "your turn") == "**Question 2 of 4** · 3:12 elapsed of 45:00 · your turn"
    assert progress_text(1, 11, 60, "onsite", False).endswith("elapsed of 225:00")  # five 45-minute rounds
    assert "over the round's time" in progress_text(3, 4, 46 * 60, "genai", False)
    assert progress_text(4, 4, 60, "genai", True).endswith("· finished")


def test_live_interview_streams_escaped_text_and_repeats_without_touching_the_engine(app):
    lives = LiveInterviews(app, limit=2)
    live = lives.create(InterviewConfig(question_ids=QUESTIONS))
    assert lives.get(live.session_id) is live and lives.get("nope") is None and live.note == ""
    chats = list(live.stream(live.interview.start()))
    assert len(chats) > 3 and chats[-1][-1]["content"].endswith("?")  # word by word, then the whole turn
    assert not live.speaking and live.progress().endswith("your turn")

    chat = list(live.answer("<b>bold</b> " + STRONG[0]))[-1]
    assert chat[-2] == {"role": "user", "content": "&lt;b&gt;bold&lt;/b&gt; " + STRONG[0]}
    turns_before = list(live.interview.transcript.turns)
    repeated = live.repeat()
    assert repeated[-1]["content"].startswith("Of course. The question is: ")
    assert repeated[-2]["content"] in repeated[-1]["content"]
    assert live.interview.transcript.turns == turns_before  # the repeat is not a transcript turn

    others = [lives.create(InterviewConfig(question_ids=QUESTIONS)) for _ in range(2)]
    assert lives.get(live.session_id) is None and all(lives.get(o.session_id) for o in others)  # oldest dropped


def test_code_stub_defines_the_function_and_fails_every_test(curated):
    question = next(q for q in curated.questions.values() if q.coding)
    stub = code_stub(question.coding)
    compile(stub, "stub.py", "exec")
    result = run_tests(stub, question.coding)
    assert result["error"] is None and result["passed"] == 0
    assert all(f["error"] == "NotImplementedError" for f in result["failures"])


def test_coding_question_is_offered_to_the_editor(app, curated):
    coding_id = next(q.id for q in curated.questions.values() if q.coding)
    live = LiveInterviews(app).create(InterviewConfig(round="coding", question_ids=[coding_id, QUESTIONS[0]]))
    list(live.stream(live.interview.start()))
    assert live.coding() == curated.questions[coding_id].coding
    assert "Function: def " in live.repeat()[-1]["content"]


def test_history_lists_finished_web_sessions(app):
    assert history_view(app)[0] == NO_SESSIONS
    live = LiveInterviews(app).create(InterviewConfig(question_ids=QUESTIONS))
    list(live.stream(live.interview.start()))
    list(live.answer(STRONG[0]))
    message = history_view(app)[0]  # stored, not finished: offered for resuming, not scored
    assert message.startswith(NO_SESSIONS) and f"resume: `{live.session_id}`" in message
    card = live.interview.finish()
    message, table, chart = history_view(app)
    assert message.startswith("1 finished session(s)")
    assert list(table["round"]) == ["ml-fundamentals"] and list(table["overall"]) == [card["overall"]]
    assert set(chart["criterion"]) == {"Overall", "Technical Depth", "Engineering Excellence", "Domain Expertise", "Communication"}
    assert "### Evidence from your answers" in scorecard_details(card)


def test_credentials_inline_or_from_a_file(tmp_path):
    assert parse_auth(None) is None
    assert parse_auth("ana:s3:cret") == ("ana", "s3:cret")
    creds = tmp_path / "credentials"
    creds.write_text("# who may use the page\nana:one\n\nben:two\n")
    assert parse_auth(str(creds)) == [("ana", "one"), ("ben", "two")]
    creds.write_text("ana\n")
    with pytest.raises(ValueError, match="line 1: expected user:password"):
        parse_auth(str(creds))
    with pytest.raises(ValueError, match="user:password or an existing credentials file"):
        parse_auth("no-colon")
