"""A pass-through around the model that keeps every Completion, for decode speed and prompt-evaluation figures.

Turns carry the timings of the call that phrased them, but not of every call (a transition
is phrased inside a question turn), so the runner records at the model boundary instead.
"""

from __future__ import annotations

from interviewer.llm.base import LLM, Completion, LLMWrapper


class CompletionRecordingLLM(LLMWrapper):
    """The eval's model as the engine sees it, keeping every Completion it returns."""

    def __init__(self, inner: LLM):
        super().__init__(inner)
        self.completions: list[Completion] = []

    def complete(self, messages, max_tokens, stop=None, temperature=None, on_token=None) -> Completion:
        completion = self.inner.complete(messages, max_tokens=max_tokens, stop=stop, temperature=temperature, on_token=on_token)
        self.completions.append(completion)
        return completion

    def take(self) -> list[Completion]:
        """The completions since the last take."""
        out, self.completions = self.completions, []
        return out


def completion_stats(completions: list[Completion]) -> dict:
    """Raw sums for decode speed and prompt evaluation (aggregated later across interviews)."""
    decode_tokens = 0
    decode_ms = 0.0
    ttfts = []
    for c in completions:
        if c.ttft_ms is not None:
            ttfts.append(round(c.ttft_ms, 1))
        if c.completion_tokens < 2:
            continue
        measured = c.decode_ms  # first sampled token to the last, when the backend stamps tokens
        if measured is None and c.ttft_ms is not None and c.total_ms is not None:
            measured = max(0.0, c.total_ms - c.ttft_ms)
        if measured is not None:
            decode_tokens += c.completion_tokens - 1  # the first token's time belongs to the prompt
            decode_ms += measured
    return {
        "calls": len(completions),
        "prompt_tokens": sum(c.prompt_tokens for c in completions),
        "evaluated_tokens": sum(c.evaluated_tokens for c in completions),
        "decode_tokens": decode_tokens,
        "decode_ms": round(decode_ms, 1),
        "model_ttft_ms": ttfts,
    }
