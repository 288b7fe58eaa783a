"""Instruments for the benchmark: what llama.cpp really computed, and where a turn's time went.

`LlamaMeter` wraps one `llama_cpp.Llama` instance's `eval`, the single place every prompt
and generated token is decoded, so the app and the baseline are counted the same way
whatever their own code reports. `MeteredLLM` sits between the engine and the model and
records each call: when it started, its messages, and the Completion.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from interviewer.llm.base import LLM, Completion, LLMWrapper


class LlamaMeter:
    def __init__(self, llama):
        self.llama = llama
        self.evals: list[int] = []  # tokens per eval call, in order
        self.lengths: list[int] = []  # tokens in the KV cache after each eval call
        original = llama.eval

        def eval(tokens):
            self.evals.append(len(tokens))
            try:
                return original(tokens)
            finally:
                self.lengths.append(llama.n_tokens)

        llama.eval = eval  # an instance attribute: Llama.generate calls self.eval

    def mark(self) -> int:
        return len(self.evals)

    def prompt_tokens_since(self, mark: int) -> int:
        """Prompt tokens decoded by the completion that started at `mark`: its first eval call
        (the later ones decode one sampled token each)."""
        return self.evals[mark] if len(self.evals) > mark else 0

    def prompt_length_since(self, mark: int) -> int:
        """Length of that completion's prompt: what the cache held once its first eval call was done."""
        return self.lengths[mark] if len(self.lengths) > mark else 0


@dataclass
class Call:
    started: float
    messages: list[dict]
    max_tokens: int
    stop: list[str]
    completion: Completion
    seconds: float  # wall time inside the model call
    metered_prompt_tokens: int | None = None


class MeteredLLM(LLMWrapper):
    """Pass-through to the engine's model that keeps every call (the engine sees no difference)."""

    def __init__(self, inner: LLM, meter: LlamaMeter | None = None):
        super().__init__(inner)
        self.meter = meter
        self.calls: list[Call] = []

    def complete(self, messages, max_tokens, stop=None, temperature=None, on_token=None) -> Completion:
        mark = self.meter.mark() if self.meter else 0
        started = time.perf_counter()
        completion = self.inner.complete(messages, max_tokens=max_tokens, stop=stop, temperature=temperature, on_token=on_token)
        seconds = time.perf_counter() - started
        metered = self.meter.prompt_tokens_since(mark) if self.meter else None
        self.calls.append(Call(started, [dict(m) for m in messages], max_tokens, list(stop or []), completion, seconds, metered))
        return completion

    def take(self) -> list[Call]:
        out, self.calls = self.calls, []
        return out


def rss_mb(peak: bool = False) -> float | None:
    """Resident memory of this process from /proc (VmHWM is the peak)."""
    key = "VmHWM:" if peak else "VmRSS:"
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no values."""
    xs = sorted(v for v in values if v is not None)
    if not xs:
        return None
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)
