"""The decode ceiling: llama-cpp-python's own streaming loop on the app's exact prompt, nothing around it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from interviewer.llm.llamacpp import N_BATCH, TokenClock


@dataclass
class RawDecode:
    completion_tokens: int
    decode_ms: float | None  # first token to last token


class RawDecoder:
    def __init__(self, model_path: Path, n_ctx: int, n_threads: int, seed: int):
        from llama_cpp import Llama

        from interviewer.llm.llamacpp import _keep_process_output

        _keep_process_output()  # as the app's model: no file-descriptor redirect while other threads write
        self.llama = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=n_threads, n_batch=N_BATCH, seed=seed, verbose=False)

    def decode(self, tokens: list[int], max_tokens: int, stop: list[str], temperature: float) -> RawDecode:
        clock = TokenClock()  # the same per-token stamps the app's runtime takes
        for _ in self.llama.create_completion(
            prompt=tokens, max_tokens=max_tokens, stop=stop, temperature=temperature, stream=True, stopping_criteria=clock.criteria()
        ):
            pass
        return RawDecode(clock.tokens, clock.decode_ms)

    def close(self) -> None:
        self.llama.close()
