"""A self-hosted OpenAI-compatible server (llama.cpp's llama-server, `python -m llama_cpp.server`, vLLM).

The server applies the model's chat template, so messages go as they are, in the
same order as in-process: system prompt and history first, byte-stable, the step last.
That is the layout server-side prompt caching rewards (llama-server's cache_prompt and
slot reuse, vLLM's automatic prefix caching).

Privacy: the base URL must be on this machine or a private network unless the user
allowed a remote server; proxies from the environment are ignored and redirects are
not followed, so the request goes exactly where the URL says.
"""

from __future__ import annotations

import json
import math
import threading
import time
from typing import Callable, Iterable, Iterator

from interviewer.llm.base import DEFAULT_TEMPERATURE, LLM, Completion, ModelError
from interviewer.netguard import InvalidServerURL, RemoteEndpointRefused, check_url


class OpenAICompatibleLLM(LLM):
    backend = "openai-compatible"

    def __init__(
        self,
        base_url: str,
        model: str | None = None,
        api_key: str | None = None,
        n_ctx: int = 4096,
        timeout: float = 120.0,
        allow_remote: bool = False,
        seed: int | None = None,
        notice: Callable[[str], None] | None = None,
        temperature: float = DEFAULT_TEMPERATURE,
    ):
        import httpx

        try:
            self.base_url = check_url(base_url, "LLM server", allow_remote, "--allow-remote-llm", notice)
        except (InvalidServerURL, RemoteEndpointRefused) as exc:  # to the model's callers, a server it may not use is an unusable model
            raise ModelError(str(exc)) from exc
        self.model = model or "default"
        self.name = model or f"server {httpx.URL(self.base_url).host}"
        self.n_ctx = n_ctx
        self.temperature = temperature
        self.seed = seed
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(base_url=self.base_url + "/", headers=headers, timeout=httpx.Timeout(timeout, connect=10.0), trust_env=False, follow_redirects=False)
        self._waiting = 0
        self._lock = threading.Lock()  # only counts; the server queues requests itself

    @property
    def queue_length(self) -> int:
        return self._waiting

    def count_tokens(self, text: str) -> int:
        """An upper estimate without a round trip: BPE vocabularies average well over 3 bytes per token
        on English text, so the history budget errs on the side of trimming early."""
        return max(1, math.ceil(len(text.encode("utf-8")) / 3))

    def complete(self, messages, max_tokens, stop=None, temperature=None, on_token: Callable[[str], None] | None = None) -> Completion:
        import httpx

        payload = {
            "model": self.model,
            "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
            "max_tokens": max_tokens,
            "temperature": self.temperature if temperature is None else temperature,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if stop:
            payload["stop"] = list(stop)
        if self.seed is not None:
            payload["seed"] = self.seed
        start = time.perf_counter()
        parts: list[str] = []
        chunks = 0
        ttft = last = None
        usage: dict = {}
        timings: dict = {}
        with self._lock:
            self._waiting += 1
        try:
            with self.client.stream("POST", "chat/completions", json=payload) as response:
                if response.status_code != 200:
                    raise ModelError(f"the LLM server at {self.base_url} answered {response.status_code}: {_error_text(response)}")
                for event in _sse_events(response.iter_lines()):
                    usage = event.get("usage") or usage
                    timings = event.get("timings") or timings
                    for choice in event.get("choices") or []:
                        piece = (choice.get("delta") or {}).get("content") or ""
                        if not piece:
                            continue
                        chunks += 1
                        last = time.perf_counter()
                        if ttft is None:
                            ttft = (last - start) * 1000
                        parts.append(piece)
                        if on_token:
                            on_token(piece)
        except httpx.HTTPError as exc:
            raise ModelError(f"could not talk to the LLM server at {self.base_url} ({exc.__class__.__name__}: {exc}); start it, or fix INTERVIEWER_LLM_BASE_URL / --llm-base-url") from exc
        finally:
            with self._lock:
                self._waiting -= 1
        total = (time.perf_counter() - start) * 1000
        prompt_tokens = int(usage.get("prompt_tokens") or _timed_prompt(timings) or sum(self.count_tokens(m["content"]) + 4 for m in messages))
        completion_tokens = int(usage.get("completion_tokens") or chunks)
        cached = _cached(prompt_tokens, usage, timings)
        return Completion(
            text="".join(parts),
            prompt_tokens=prompt_tokens,
            evaluated_tokens=prompt_tokens - cached if cached is not None else prompt_tokens,
            cached_tokens=cached,
            completion_tokens=completion_tokens,
            ttft_ms=ttft,
            total_ms=total,
            decode_ms=((last - start) * 1000 - ttft) if ttft is not None else None,
        )

    def info(self) -> dict:
        return {"name": self.name, "path": self.base_url, "size_mb": "?", "backend": self.backend, "n_ctx": self.n_ctx}

    def close(self) -> None:
        self.client.close()


def _timed_prompt(timings: dict) -> int:
    """llama-server streams `timings` (prompt_n evaluated, cache_n reused) even without usage."""
    return int(timings.get("prompt_n", 0)) + int(timings.get("cache_n", 0))


def _cached(prompt_tokens: int, usage: dict, timings: dict) -> int | None:
    """Prompt tokens the server reused from its cache, when it says (llama-server's timings,
    OpenAI-style cached_tokens); None otherwise, and then every prompt token counts as evaluated."""
    if "prompt_n" in timings:
        return max(0, min(prompt_tokens - 1, prompt_tokens - int(timings["prompt_n"])))
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
    if cached is not None:
        return max(0, min(prompt_tokens - 1, int(cached)))
    return None


def _sse_events(lines: Iterable[str]) -> Iterator[dict]:
    """JSON payloads of a server-sent event stream, up to `data: [DONE]`."""
    for line in lines:
        if not line.startswith("data:"):
            continue  # comments (": ping"), event names, blank separators
        data = line[5:].strip()
        if data == "[DONE]":
            return
        if not data:
            continue
        try:
            event = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ModelError(f"the LLM server sent a malformed stream event: {data[:200]!r}") from exc
        if "error" in event:
            raise ModelError(f"the LLM server reported an error: {event['error']}")
        yield event


def _error_text(response) -> str:
    response.read()
    try:
        body = response.json()
        error = body.get("error", body)
        return str(error.get("message", error) if isinstance(error, dict) else error)[:500]
    except (ValueError, AttributeError):
        return response.text[:500]
