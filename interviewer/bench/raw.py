"""The decode ceiling: llama-cpp-python's own streaming loop on the app's exact prompt, nothing around it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from interviewer.llm.llamacpp import N_BATCH


@dataclass
class RawDecode:
    completion_tokens: int
    decode_ms: float | None  # first token to last token


class RawDecoder:
    def __init__(self, model_path: Path, n_ctx: int, n_threads: int, seed: int):
        from llama_cpp import Llama

        self.llama = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=n_threads, n_batch=N_BATCH, seed=seed, verbose=False)

    def decode(self, tokens: list[int], max_tokens: int, stop: list[str], temperature: float) -> RawDecode:
        first = last = None
        count = 0
        for _ in self.llama.create_completion(prompt=tokens, max_tokens=max_tokens, stop=stop, temperature=temperature, stream=True):
            last = time.perf_counter()
            first = first or last
            count += 1
        return RawDecode(count, (last - first) * 1000 if first is not None else None)

    def close(self) -> None:
        self.llama.close()
