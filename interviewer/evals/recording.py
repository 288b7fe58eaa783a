"""A pass-through around the model that keeps every Completion, for decode speed and prompt-evaluation figures.

Turns carry the timings of the call that phrased them, but not of every call (a transition
is phrased inside a question turn), so the runner records at the model boundary instead.
"""

from __future__ import annotations

from interviewer.llm.base import Completion


class RecordingLLM:
    def __init__(self, llm):
        self._llm = llm
        self.completions: list[Completion] = []

    def __getattr__(self, name):  # name, n_ctx, info(), ... come from the wrapped model
        return getattr(self._llm, name)

    def complete(self, messages, max_tokens, stop=None, temperature=0.3, on_token=None) -> Completion:
        completion = self._llm.complete(messages, max_tokens=max_tokens, stop=stop, temperature=temperature, on_token=on_token)
        self.completions.append(completion)
        return completion

    def count_tokens(self, text: str) -> int:
        return self._llm.count_tokens(text)

    def take(self) -> list[Completion]:
        """The completions since the last take."""
        out, self.completions = self.completions, []
        return out


def reseed(llm, seed: int) -> None:
    """Restart llama.cpp's sampling chain so each persona is reproducible whatever ran before it."""
    inner = getattr(llm, "llm", None)
    if inner is not None and hasattr(inner, "set_seed"):
        inner.set_seed(seed)


def completion_stats(completions: list[Completion]) -> dict:
    """Raw sums for decode speed and prompt evaluation (aggregated later across interviews)."""
    decode_tokens = 0
    decode_ms = 0.0
    ttfts = []
    for c in completions:
        if c.ttft_ms is not None:
            ttfts.append(round(c.ttft_ms, 1))
        if c.ttft_ms is not None and c.total_ms is not None and c.completion_tokens > 1:
            decode_tokens += c.completion_tokens - 1  # the first token's time is in ttft, with the prompt
            decode_ms += max(0.0, c.total_ms - c.ttft_ms)
    return {
        "calls": len(completions),
        "prompt_tokens": sum(c.prompt_tokens for c in completions),
        "evaluated_tokens": sum(c.evaluated_tokens for c in completions),
        "decode_tokens": decode_tokens,
        "decode_ms": round(decode_ms, 1),
        "model_ttft_ms": ttfts,
    }
