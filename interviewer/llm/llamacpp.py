"""llama.cpp in-process: one loaded model per path, one lock, streaming, KV-cache reuse measured.

llama-cpp-python reuses the KV cache for the longest token prefix shared with the
previous call, so we format the chat ourselves, count that shared prefix, and report
how many prompt tokens really had to be evaluated. Interleaved sessions on one model
keep their own cached prefix through `SessionStates` (see states.py).
"""

from __future__ import annotations

import atexit
import threading
import time
from pathlib import Path
from typing import Callable

from interviewer.llm.base import DEFAULT_TEMPERATURE, LLM, Completion, Message, ModelError, check_gguf
from interviewer.llm.states import SessionStates, common_prefix


def _keep_process_output() -> None:
    """llama-cpp-python silences llama.cpp while loading by pointing the process's file descriptors 1 and 2
    at /dev/null (`suppress_stdout_stderr`). The model now loads on a background thread while the CLI prints
    the first question, and everything any thread wrote in that window was lost; two overlapping loads even
    left stdout on /dev/null for good (seen: `interviewer chat` printed nothing after the model loaded). Its
    log callback already drops llama.cpp's messages below ERROR when verbose is off, so the redirect is
    turned into a no-op, once, for the modules that use it."""
    import contextlib

    import llama_cpp._internals as internals
    import llama_cpp.llama as llama_module

    class _NoRedirect(contextlib.nullcontext):
        def __init__(self, disable: bool = True):
            super().__init__()

    internals.suppress_stdout_stderr = _NoRedirect
    llama_module.suppress_stdout_stderr = _NoRedirect


_models: dict[str, "LlamaCppLLM"] = {}
_models_lock = threading.Lock()

N_BATCH = 512


@atexit.register
def _close_all() -> None:
    # close while the interpreter is intact; llama-cpp-python's __del__ at shutdown prints errors
    from interviewer.knowledge.embeddings import _finish_background

    _finish_background()  # background loads and the qualification suite first: none may use a closed model
    for model in list(_models.values()):
        model.close()
    _models.clear()


class LlamaCppLLM(LLM):
    backend = "llama-cpp"
    in_process = True

    def __init__(self, path: Path, n_ctx: int = 4096, n_threads: int = 2, seed: int = 7, state_cache_mb: int = 1024,
                 temperature: float = DEFAULT_TEMPERATURE):
        self.path = check_gguf(path)
        self.name = self.path.stem
        self.n_ctx = n_ctx
        self.temperature = temperature
        self.n_threads = n_threads
        self.lock = threading.Lock()
        self._waiting = 0
        try:
            from llama_cpp import Llama

            _keep_process_output()
            self.llm = Llama(model_path=str(self.path), n_ctx=n_ctx, n_threads=n_threads, n_batch=N_BATCH, seed=seed, verbose=False)
        except ModelError:
            raise
        except Exception as exc:  # llama.cpp raises ValueError for files it cannot load
            raise ModelError(f"llama.cpp could not load {self.path} ({exc}); pass --model PATH to a valid GGUF file") from exc
        if not self.llm.metadata.get("tokenizer.chat_template"):
            raise ModelError(f"{self.path} has no chat template in its metadata; use an instruction-tuned GGUF")
        self.formatter = gguf_chat_formatter(self.llm)
        # the same template without the assistant header: renders the part of a prompt the next turn can reuse
        self._prefix_formatter = gguf_chat_formatter(self.llm, add_generation_prompt=False)
        self.states = SessionStates(self.llm, capacity_bytes=state_cache_mb * 1024 * 1024)

    @classmethod
    def shared(cls, path: Path, **kwargs) -> "LlamaCppLLM":
        key = str(Path(path).expanduser().resolve())
        with _models_lock:
            if key not in _models:
                _models[key] = cls(Path(key), **kwargs)
            return _models[key]

    @property
    def queue_length(self) -> int:
        """Calls waiting for the model right now (the UI shows it)."""
        return self._waiting

    def format(self, messages: list[Message]) -> tuple[list[int], list[str]]:
        return format_chat(self.llm, self.formatter, messages)

    def reusable_prefix(self, messages: list[Message], tokens: list[int]) -> int:
        """Tokens of `tokens` that precede the last message: what the same conversation's next prompt starts with."""
        if len(messages) < 2:
            return 0
        head, _ = format_chat(self.llm, self._prefix_formatter, messages[:-1])
        return common_prefix(head, tokens)

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def complete(self, messages, max_tokens, stop=None, temperature=None, on_token: Callable[[str], None] | None = None) -> Completion:
        temperature = self.temperature if temperature is None else temperature
        queued = time.perf_counter()
        self._waiting += 1
        with self.lock:
            self._waiting -= 1
            start = time.perf_counter()
            tokens, template_stop = self.format(messages)
            if len(tokens) + max_tokens > self.n_ctx:
                raise ModelError(f"prompt of {len(tokens)} tokens plus {max_tokens} to generate exceeds the context of {self.n_ctx}")
            stable = self.reusable_prefix(messages, tokens)
            cached = self.states.prepare(tokens)
            evaluated = max(1, len(tokens) - cached)
            parts: list[str] = []
            ttft = None
            clock = TokenClock()
            for chunk in self.llm.create_completion(
                prompt=tokens, max_tokens=max_tokens, stop=(stop or []) + template_stop, temperature=temperature, stream=True,
                stopping_criteria=clock.criteria(),
            ):
                piece = chunk["choices"][0]["text"]
                if ttft is None:
                    ttft = (time.perf_counter() - start) * 1000
                if piece:
                    parts.append(piece)
                    if on_token:
                        on_token(piece)
            self.states.settle(stable)
            total = (time.perf_counter() - start) * 1000
        return Completion(
            text="".join(parts),
            prompt_tokens=len(tokens),
            evaluated_tokens=evaluated,
            completion_tokens=clock.tokens,
            ttft_ms=ttft,
            total_ms=total,
            wait_ms=(start - queued) * 1000,
            decode_ms=clock.decode_ms,
            cached_tokens=len(tokens) - evaluated,
        )

    def info(self) -> dict:
        return {
            "name": self.name,
            "path": str(self.path),
            "size_mb": round(self.path.stat().st_size / 1e6, 1),
            "backend": self.backend,
            "n_ctx": self.n_ctx,
            "n_threads": self.n_threads,
        }

    def reset(self, seed: int) -> None:
        """Same sampling chain and an empty KV cache (parked conversations too), as after loading."""
        self.llm.set_seed(seed)
        self.states.clear()
        self.llm.reset()

    def close(self) -> None:
        self.states.clear()
        self.llm.close()


class TokenClock:
    """Stamps every token llama.cpp samples. llama-cpp-python calls stopping criteria once per sampled
    token (and once more at the end, with no new token), whatever the stream holds back for stop strings."""

    def __init__(self):
        self.stamps: list[float] = []
        self._seen = 0

    def _tick(self, input_ids, logits) -> bool:
        if len(input_ids) > self._seen:
            self._seen = len(input_ids)
            self.stamps.append(time.perf_counter())
        return False

    def criteria(self):
        from llama_cpp import StoppingCriteriaList

        return StoppingCriteriaList([self._tick])

    @property
    def tokens(self) -> int:
        return len(self.stamps)

    @property
    def decode_ms(self) -> float | None:
        """First sampled token to the last: (tokens - 1) decode steps."""
        return (self.stamps[-1] - self.stamps[0]) * 1000 if self.stamps else None


def gguf_chat_formatter(llama, add_generation_prompt: bool = True):
    """The chat template from the GGUF's metadata, with its own BOS/EOS tokens."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    eos_id, bos_id = llama.token_eos(), llama.token_bos()
    return Jinja2ChatFormatter(
        template=llama.metadata["tokenizer.chat_template"],
        eos_token=llama._model.token_get_text(eos_id) if eos_id != -1 else "",
        bos_token=llama._model.token_get_text(bos_id) if bos_id != -1 else "",
        add_generation_prompt=add_generation_prompt,
        stop_token_ids=[eos_id],
    )


def format_chat(llama, formatter, messages: list[Message]) -> tuple[list[int], list[str]]:
    """Prompt tokens and stop strings for `messages`, exactly as the model will see them."""
    result = formatter(messages=messages)
    tokens = llama.tokenize(result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True)
    stop = result.stop if isinstance(result.stop, list) else ([result.stop] if result.stop else [])
    return tokens, stop
