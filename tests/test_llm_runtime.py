"""The in-process runtime on the real default GGUF: interleaved sessions keep their cached prefix,
restored states compute exactly what a session alone computes, and the figures it reports
match what llama.cpp actually decoded."""

import os
from itertools import pairwise

import pytest

from interviewer.bench.meter import LlamaMeter
from interviewer.llm.llamacpp import LlamaCppLLM
from interviewer.llm.states import common_prefix
from interviewer.settings import machine_threads

pytestmark = pytest.mark.slow

SYSTEM = {"role": "system", "content": "You are a calm, professional interviewer for a Machine Learning Engineer role. Ask one short question at a time."}
TOPICS = {
    "a": ("class imbalance", "I would use class weights, tune the threshold on a validation set with the real class ratio, and report PR-AUC."),
    "b": ("dropout", "Dropout zeroes activations at random during training and rescales the rest, so units cannot co-adapt."),
    "c": ("batch size", "Larger batches give less noisy gradients, so I scale the learning rate linearly and add a warmup."),
}
STEP = {"role": "user", "content": "Ask exactly one short follow-up question about the candidate's last answer. End with a question mark."}


def conversation(key: str, turns: int) -> list[dict]:
    topic, answer = TOPICS[key]
    messages = [SYSTEM]
    for i in range(turns):
        messages.append({"role": "assistant", "content": f"Question {i + 1}: tell me how you would deal with {topic} in a production model."})
        messages.append({"role": "user", "content": f"<candidate>{answer} That is point {i + 1} of my answer about {topic}.</candidate>"})
    return messages + [STEP]


def new_model(settings, **kwargs) -> LlamaCppLLM:
    return LlamaCppLLM(settings.resolved_model_path(), n_ctx=2048, n_threads=settings.n_threads, seed=7, **kwargs)


def run(model, keys, turns=3):
    """Each conversation's replies and Completions, its turns interleaved in the order of `keys`."""
    meter = LlamaMeter(model.llm)
    out = {k: [] for k in keys}
    for turn in range(1, turns + 1):
        for key in keys:
            messages = conversation(key, turn)
            mark = meter.mark()
            completion = model.complete(messages, max_tokens=12, stop=["\n"], temperature=0.0)
            out[key].append((messages, completion, meter.prompt_tokens_since(mark)))
    return out


@pytest.fixture(scope="module")
def alone(settings):
    model = new_model(settings)
    yield run(model, ["a"])
    model.close()


@pytest.fixture(scope="module")
def interleaved(settings):
    model = new_model(settings)
    yield model, run(model, ["a", "b", "c"])
    model.close()


def test_interleaved_sessions_evaluate_only_their_new_tokens(interleaved):
    model, out = interleaved
    for key, calls in out.items():
        for (before, _, _), (messages, completion, metered) in pairwise(calls):
            tokens, _ = model.format(messages)
            new = len(tokens) - common_prefix(model.format(before)[0], tokens)
            assert completion.evaluated_tokens == metered  # what we report is what llama.cpp decoded
            assert metered <= new + 1, (key, metered, new)  # the other sessions' turns in between cost nothing
    assert model.states.restores >= 6  # every later turn of every session came back from RAM


def test_restored_states_compute_exactly_what_a_session_alone_computes(alone, interleaved):
    _, out = interleaved
    assert [c.text for _, c, _ in out["a"]] == [c.text for _, c, _ in alone["a"]]
    assert [c.prompt_tokens for _, c, _ in out["a"]] == [c.prompt_tokens for _, c, _ in alone["a"]]


def test_without_room_for_parked_states_sessions_re_evaluate_their_history(settings, interleaved):
    _, kept = interleaved
    model = new_model(settings, state_cache_mb=0)
    try:
        out = run(model, ["a", "b"], turns=2)
        a2, _ = model.format(conversation("a", 2))
        shared_with_b = common_prefix(a2, model.format(conversation("b", 2))[0])
    finally:
        model.close()
    # same answers (correctness does not depend on the cache)...
    assert [c.text for _, c, _ in out["a"]] == [c.text for _, c, _ in kept["a"][:2]]
    # ...but a's second turn re-reads everything after what it shares with b, not just its new tokens
    assert out["a"][1][2] == len(a2) - shared_with_b
    assert out["a"][1][2] > kept["a"][1][2] + 20


def test_completion_reports_decode_time_and_token_counts(alone):
    for _, completion, _ in alone["a"]:
        assert completion.completion_tokens >= 1
        assert completion.ttft_ms is not None and completion.decode_ms is not None and completion.decode_ms >= 0
        assert completion.ttft_ms <= completion.total_ms and completion.decode_ms <= completion.total_ms


def test_threads_come_from_the_cores_this_process_may_use():
    n = machine_threads()
    assert 1 <= n <= len(os.sched_getaffinity(0))
