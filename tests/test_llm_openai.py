"""The OpenAI-compatible backend's protocol handling: what different servers stream, and their failures.
(The real server is exercised in test_backends_server.py; these pin the formats it does not send.)"""

import json

import httpx
import pytest

from interviewer.llm.base import ModelError
from interviewer.llm.openai_compat import OpenAICompatibleLLM

MESSAGES = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]


def backend(handler) -> OpenAICompatibleLLM:
    llm = OpenAICompatibleLLM("http://127.0.0.1:9/v1", model="m", api_key="k", seed=3)
    llm.client = httpx.Client(base_url=llm.base_url + "/", transport=httpx.MockTransport(handler), headers=llm.client.headers)
    return llm


def sse(*events) -> bytes:
    lines = [": ping"] + [f"data: {json.dumps(e)}" for e in events] + ["data: [DONE]", ""]
    return "\n\n".join(lines).encode()


def delta(text):
    return {"choices": [{"delta": {"content": text}}]}


def test_request_carries_messages_limits_and_key():
    seen = {}

    def handler(request):
        seen["url"] = str(request.url)
        seen["auth"] = request.headers.get("authorization")
        seen["body"] = json.loads(request.content)
        return httpx.Response(200, content=sse(delta("Why?")))

    backend(handler).complete(MESSAGES, max_tokens=12, stop=["\n"], temperature=0.2)
    assert seen["url"] == "http://127.0.0.1:9/v1/chat/completions" and seen["auth"] == "Bearer k"
    body = seen["body"]
    assert body["messages"] == MESSAGES and body["max_tokens"] == 12 and body["stop"] == ["\n"] and body["stream"] is True
    assert body["model"] == "m" and body["seed"] == 3 and body["temperature"] == 0.2


def test_llama_server_timings_give_evaluated_and_cached_tokens():
    final = {"choices": [{"delta": {}, "finish_reason": "stop"}], "timings": {"prompt_n": 37, "cache_n": 400, "predicted_n": 3}}
    pieces = []
    c = backend(lambda r: httpx.Response(200, content=sse({"choices": [{"delta": {"role": "assistant"}}]}, delta("How "), delta("so?"), final))).complete(
        MESSAGES, max_tokens=8, on_token=pieces.append
    )
    assert pieces == ["How ", "so?"] and c.text == "How so?"
    assert (c.prompt_tokens, c.evaluated_tokens, c.cached_tokens, c.completion_tokens) == (437, 37, 400, 2)
    assert c.ttft_ms <= c.total_ms and c.decode_ms >= 0


def test_openai_style_usage_with_cached_tokens():
    usage = {"choices": [], "usage": {"prompt_tokens": 500, "completion_tokens": 4, "prompt_tokens_details": {"cached_tokens": 448}}}
    c = backend(lambda r: httpx.Response(200, content=sse(delta("What "), delta("then?"), usage))).complete(MESSAGES, max_tokens=8)
    assert (c.prompt_tokens, c.evaluated_tokens, c.completion_tokens) == (500, 52, 4)


def test_servers_that_report_nothing_count_every_prompt_token_as_evaluated():
    c = backend(lambda r: httpx.Response(200, content=sse(delta("Go on?")))).complete(MESSAGES, max_tokens=8)
    assert c.evaluated_tokens == c.prompt_tokens > 0 and c.cached_tokens is None and c.completion_tokens == 1


@pytest.mark.parametrize(
    "response, message",
    [
        (httpx.Response(404, json={"error": {"message": "model 'm' not found"}}), "404: model 'm' not found"),
        (httpx.Response(200, content=sse({"error": {"message": "context overflow"}})), "context overflow"),
        (httpx.Response(200, content=b"data: {not json\n\n"), "malformed"),
    ],
)
def test_server_errors_become_model_errors_with_the_servers_words(response, message):
    with pytest.raises(ModelError, match=message):
        backend(lambda r: response).complete(MESSAGES, max_tokens=8)


def test_a_server_that_is_down_is_named():
    def refuse(request):
        raise httpx.ConnectError("connection refused")

    with pytest.raises(ModelError, match=r"http://127.0.0.1:9/v1.*INTERVIEWER_LLM_BASE_URL"):
        backend(refuse).complete(MESSAGES, max_tokens=8)


def test_token_estimate_errs_high_and_proxies_are_ignored():
    llm = OpenAICompatibleLLM("http://localhost:8080/v1")
    assert llm.count_tokens("hello world, this is text") >= 6
    assert llm.client._trust_env is False and llm.client.follow_redirects is False
    assert llm.info()["backend"] == "openai-compatible" and llm.info()["path"] == "http://localhost:8080/v1"
