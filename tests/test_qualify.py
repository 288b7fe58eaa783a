"""Model qualification (llm/qualify.py): the fixed phrasing suite through the engine's real prompts and
validators decides which moves a model words; unqualified moves use their template with no model call."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from interviewer.interview import Interview, InterviewConfig, TokenEvent, TurnEvent
from interviewer.llm import FakeLLM
from interviewer.llm.qualify import ALL_MOVES, MOVES, QualificationError, load_policy, qualify, run_suite
from interviewer.llm.warm import FAILED, LOADING, READY, WarmModel, phrased_moves

from .scripted import QUESTIONS, VAGUE


class WritesValidText(FakeLLM):
    """A model that follows every step: neutral statements, and follow-ups that name the anchor."""

    name = "valid-writer"

    def complete(self, messages, max_tokens, stop=None, temperature=None, on_token=None):
        step = messages[-1]["content"]
        anchor = re.search(r'their words "([^"]+)"', step)
        if anchor:
            self.queue(f"Walk me through how {anchor.group(1)} would change the way you evaluate the model?")
        elif "follow-up question" in step:
            self.queue("Walk me through how that choice would change the way you evaluate the model?")
        elif "interview is over" in step:
            self.queue("That concludes the mock interview for today.")
        elif step.startswith("Greet"):
            self.queue("Welcome to this mock interview session.")
        else:
            self.queue("Let's continue with the next topic now.")
        return super().complete(messages, max_tokens, stop=stop, temperature=temperature, on_token=on_token)


@pytest.fixture
def qsettings(settings, tmp_path):
    """The session's settings with a fresh data directory (its own qualification cache)."""
    return settings.model_copy(update={"data_dir": tmp_path / "data"})


def test_the_policy_file_validates_and_sets_the_bar(settings):
    policy = load_policy(settings.knowledge_dir)
    assert 0.5 <= policy.min_acceptance <= 1.0
    for move in MOVES:
        cases = policy.cases(move)
        assert len(cases) >= 3
        assert policy.needed(move) / len(cases) >= policy.min_acceptance
        assert (policy.needed(move) - 1) / len(cases) < policy.min_acceptance


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(min_acceptance=1.5), "min_acceptance"),
        (lambda d: d["lead_ins"].update(greeting="Hi."), "unknown moves"),
        (lambda d: d["lead_ins"].update(opening="Is this a question?"), "short statement"),
        (lambda d: d["moves"]["followup"][0].update(anchor="not in the answer"), "quoted from the answer"),
        (lambda d: d["moves"].update(closing=[]), "closing"),
    ],
)
def test_a_broken_policy_file_fails_with_the_file_named(settings, tmp_path, change, message):
    import yaml

    data = yaml.safe_load((settings.knowledge_dir / "qualification.yaml").read_text())
    change(data)
    (tmp_path / "qualification.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(QualificationError, match=message) as err:
        load_policy(tmp_path)
    assert "qualification.yaml" in str(err.value)


def test_a_model_that_writes_valid_text_qualifies_for_every_move_and_is_cached(qsettings):
    llm = WritesValidText()
    verdict = qualify(llm, qsettings)
    assert verdict.phrased == ALL_MOVES and not verdict.cached
    policy = load_policy(qsettings.knowledge_dir)
    assert verdict.calls == sum(len(policy.cases(m)) for m in MOVES) == len(llm.calls)
    # the suite's prompts are the engine's: the system prompt first, the step last
    assert all(c[0]["role"] == "system" and "mock" in c[0]["content"] for c in llm.calls)
    again = qualify(llm, qsettings)
    assert again.cached and again.phrased == ALL_MOVES and len(llm.calls) == verdict.calls  # no second run
    stored = json.loads(next(p for p in (qsettings.data_dir / "qualification").glob("*.json") if p.name != "hashes.json").read_text())
    assert stored["phrased_moves"] == list(MOVES) and stored["min_acceptance"] == policy.min_acceptance


def test_a_model_whose_wording_fails_validation_qualifies_for_nothing_and_stops_early(qsettings):
    llm = FakeLLM(default="Great answer! The answer is to use SMOTE.")  # praise and a leaked answer: rejected everywhere
    verdict = run_suite(llm, load_policy(qsettings.knowledge_dir), _prompts(qsettings))
    assert verdict.phrased == frozenset()
    policy = load_policy(qsettings.knowledge_dir)
    for move in MOVES:
        result = verdict.moves[move]
        allowed_misses = len(policy.cases(move)) - policy.needed(move)
        assert result.accepted == 0 and result.tried == allowed_misses + 1  # out of reach after that many rejections
        assert result.rejections and all(":" in r for r in result.rejections)


def test_the_verdict_is_cached_per_model_file_hash(qsettings, tmp_path):
    weights = tmp_path / "model.gguf"
    weights.write_bytes(b"GGUF" + b"\0" * 4096)
    llm = WritesValidText()
    llm.path = weights
    first = qualify(llm, qsettings)
    assert first.key == qualify(llm, qsettings).key and len(llm.calls) == first.calls
    weights.write_bytes(b"GGUF" + b"\1" * 4096)  # other weights at the same path: qualified again
    second = qualify(llm, qsettings)
    assert second.key != first.key and not second.cached and len(llm.calls) == 2 * first.calls
    shutil.rmtree(qsettings.data_dir / "qualification")
    assert not qualify(llm, qsettings).cached  # a deleted cache means a new run, not an error


def _prompts(settings):
    from interviewer.interview.phrasing import Prompts

    return Prompts(settings.prompts_dir)


def _events(iv, answer=None):
    return list(iv.start() if answer is None else iv.answer(answer))


def test_unqualified_moves_use_their_template_at_once_with_no_model_call(fake_knowledge, settings):
    llm = FakeLLM(default="Welcome to this mock interview session.")
    iv = Interview(InterviewConfig(question_ids=QUESTIONS[:2]), fake_knowledge, llm, settings.prompts_dir, moves=frozenset())
    events = _events(iv) + _events(iv, VAGUE[0]) + _events(iv, "I would also monitor drift and retrain weekly.")
    said = [e.turn for e in events if isinstance(e, TurnEvent) and e.turn.role == "interviewer"]
    assert llm.calls == []  # not one model call: every move used its template
    assert said and all(t.phrasing in (None, "template") and t.rejected is None for t in said)
    assert iv.transcript.as_json()["phrased_moves"] == []


def test_qualified_moves_go_through_the_model_with_the_same_validation(fake_knowledge, settings):
    llm = WritesValidText()
    iv = Interview(InterviewConfig(question_ids=QUESTIONS[:2]), fake_knowledge, llm, settings.prompts_dir, moves=ALL_MOVES)
    opening = [e.turn for e in _events(iv) if isinstance(e, TurnEvent)][0]
    assert opening.phrasing == "llm" and len(llm.calls) == 1
    assert iv.transcript.as_json()["phrased_moves"] == list(MOVES)
    # a qualified move whose wording fails validation still falls back to its template
    bad = FakeLLM(default="Great answer, you are correct!")
    iv = Interview(InterviewConfig(question_ids=QUESTIONS[:2]), fake_knowledge, bad, settings.prompts_dir, moves=ALL_MOVES)
    opening = [e.turn for e in _events(iv) if isinstance(e, TurnEvent)][0]
    assert len(bad.calls) == 1 and opening.phrasing == "template" and opening.rejected
    assert opening.text.startswith(load_policy(settings.knowledge_dir).lead_ins["opening"]) and "Great" not in opening.text


def test_a_qualified_move_shows_its_lead_in_before_the_model_runs(fake_knowledge, settings):
    shown: list[str] = []
    seen_at_call: list[str] = []

    class Recording(WritesValidText):
        def complete(self, messages, max_tokens, **kw):
            seen_at_call.append("".join(shown))
            return super().complete(messages, max_tokens, **kw)

    llm = Recording()
    iv = Interview(InterviewConfig(question_ids=QUESTIONS[:2]), fake_knowledge, llm, settings.prompts_dir, moves=frozenset({"opening"}))
    for event in iv.start():
        if isinstance(event, TokenEvent):
            shown.append(event.text)
    lead = load_policy(settings.knowledge_dir).lead_ins["opening"]
    assert seen_at_call == [lead]  # on screen while the model words the rest
    opening = iv.transcript.turns[0]
    assert opening.text.startswith(lead + " ") and "".join(shown).startswith(opening.text)


def test_the_warm_model_templates_every_move_until_qualified(qsettings):
    llm = WritesValidText()
    warm = WarmModel(qsettings, loader=lambda s: llm, start=False)
    assert warm.state == LOADING and warm.phrased_moves == frozenset() and phrased_moves(warm) == frozenset()
    assert "templates" in warm.status_line()
    warm.start()
    assert warm.wait_until_warm(60) and warm.state == READY
    assert warm.phrased_moves == ALL_MOVES and warm.info()["phrased_moves"] == sorted(ALL_MOVES)
    assert phrased_moves(FakeLLM()) == ALL_MOVES  # a bare model passed in directly keeps its old behaviour


def test_a_model_that_fails_to_load_leaves_the_templates_and_says_why(qsettings):
    def broken(settings):
        raise RuntimeError("no memory for the weights")

    warm = WarmModel(qsettings, loader=broken)
    assert warm.wait_until_warm(60) and warm.state == FAILED
    assert warm.phrased_moves == frozenset() and "no memory" in warm.status_line()


@pytest.mark.slow
def test_the_real_default_model_does_not_qualify_for_every_move(real_llm, qsettings):
    verdict = qualify(real_llm, qsettings)
    assert verdict.phrased != ALL_MOVES  # SmolLM2-135M: its wording is rejected far too often
    policy = load_policy(qsettings.knowledge_dir)
    for move, result in verdict.moves.items():
        assert result.tried >= 1 and result.qualified == (result.accepted >= policy.needed(move) and result.tried == result.cases)
    assert qualify(real_llm, qsettings).cached


def test_serve_opens_the_page_after_the_qualification_but_never_waits_past_its_bound(qsettings, fake_knowledge):
    """`interviewer serve` warms up before it opens the page: on first use of a model file it waits for the phrasing
    suite, which otherwise ran beside the first answers and took the cores from grading, but only for
    serve_wait_for_model_s (a slow model's page opens anyway and says it is warming)."""
    import threading
    import time

    from interviewer.app import App
    from interviewer.ui.server import warm_up

    release = threading.Event()

    def held_qualifier(model, settings):
        release.wait(30)
        return qualify(model, settings)

    slow = WarmModel(qsettings, loader=lambda s: WritesValidText(), qualifier=held_qualifier)
    t0 = time.perf_counter()
    warm_up(App(qsettings.model_copy(update={"serve_wait_for_model_s": 0.3}), knowledge=fake_knowledge, llm=slow))
    assert not slow.warm and time.perf_counter() - t0 < 20
    release.set()

    def brief_qualifier(model, settings):
        time.sleep(0.5)
        return qualify(model, settings)

    brief = WarmModel(qsettings, loader=lambda s: WritesValidText(), qualifier=brief_qualifier)
    warm_up(App(qsettings, knowledge=fake_knowledge, llm=brief))
    assert brief.warm and brief.state == READY
