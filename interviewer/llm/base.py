"""The model interface: everything the engine, the UI, the evals and the bench may ask of a model.

Backends (llamacpp.py, openai_compat.py, fake.py) subclass `LLM`; a model placed in front of
another one (warming, metering, recording) subclasses `LLMWrapper`, which forwards every part
of the interface to the model behind it. Callers never probe a model for attributes: what a
backend has nothing to say about has a default here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from interviewer.settings import Settings

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": str}

# A call that names no temperature samples at the model's configured one: load_llm sets it from
# settings.temperature; a model built directly (tests) takes that setting's default, so the number lives in settings.py alone.
DEFAULT_TEMPERATURE: float = Settings.model_fields["temperature"].default

# What the app's model is doing (llm/warm.py): the UI and doctor show it; a bare model is always ready.
LOADING, QUALIFYING, READY, FAILED = "loading", "qualifying", "ready", "failed"


class ModelError(Exception):
    """The model file is missing or unusable; the message names the path and the fix."""


@dataclass
class Completion:
    text: str
    prompt_tokens: int = 0  # length of the formatted prompt
    evaluated_tokens: int = 0  # prompt tokens llama.cpp actually had to process (the rest came from its KV cache)
    completion_tokens: int = 0
    ttft_ms: float | None = None  # from the call to the first generated token
    total_ms: float | None = None
    wait_ms: float = 0.0  # time spent queued behind other sessions
    decode_ms: float | None = None  # from the first generated token to the last (decode speed = (completion_tokens - 1) / decode_ms)
    cached_tokens: int | None = None  # prompt tokens reused from a cache; None when the backend cannot tell


class LLM(ABC):
    """A chat model. Subclasses implement `complete`, `count_tokens` and `info`; the rest has defaults."""

    name: str = "model"
    backend: str = "unknown"  # "llama-cpp", "openai-compatible", "fake"
    n_ctx: int = 4096  # context window in tokens: the engine trims history to a share of it
    temperature: float = DEFAULT_TEMPERATURE  # used when a call names none
    path: Path | None = None  # the GGUF file the weights come from; None when a server (or nothing) holds them
    in_process: bool = False  # llama.cpp in this process: the bench can meter its eval calls and read its chat template

    @abstractmethod
    def complete(
        self,
        messages: list[Message],
        max_tokens: int,
        stop: list[str] | None = None,
        temperature: float | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Completion:
        """The model's reply to `messages`; `temperature=None` means the model's configured `temperature`."""

    @abstractmethod
    def count_tokens(self, text: str) -> int: ...

    @abstractmethod
    def info(self) -> dict:
        """name, path, size_mb, backend (and n_ctx, ...) for doctor, the Setup tab and reports."""

    @property
    def queue_length(self) -> int:
        """Calls waiting for the model right now (the UI shows it)."""
        return 0

    @property
    def state(self) -> str:
        """LOADING, QUALIFYING, READY or FAILED."""
        return READY

    @property
    def warm(self) -> bool:
        """Loaded and qualified (or failed for good): nothing more will change."""
        return True

    def wait_until_warm(self, timeout: float | None = None) -> bool:
        """Block until `warm` (at most `timeout` seconds); False on timeout. A bare model is always warm."""
        return True

    def status_line(self) -> str:
        """One sentence about the model's readiness for the Setup tab; "" when there is nothing to say."""
        return ""

    @property
    def phrased_moves(self) -> frozenset[str]:
        """Moves the model may word. A model without a qualification of its own (a test's fake, an eval's
        model passed in directly) words every move."""
        from interviewer.llm.qualify import ALL_MOVES

        return ALL_MOVES

    def loaded(self) -> "LLM":
        """The model, once its weights are loaded; raises ModelError when they cannot be."""
        return self

    def reset(self, seed: int) -> None:  # noqa: B027  (a default, not abstract: most backends have nothing to reset)
        """Forget cached prompt state and reseed sampling, so a run reproduces whatever ran before it
        (the evals). Backends with nothing cached or seeded per call leave this as it is."""


class LLMWrapper(LLM):
    """A model in front of another one (`inner`): every part of the interface goes to `inner`
    unless the subclass changes it."""

    def __init__(self, inner: LLM):
        self.inner = inner

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def backend(self) -> str:
        return self.inner.backend

    @property
    def n_ctx(self) -> int:
        return self.inner.n_ctx

    @property
    def temperature(self) -> float:
        return self.inner.temperature

    @property
    def path(self) -> Path | None:
        return self.inner.path

    @property
    def in_process(self) -> bool:
        return self.inner.in_process

    def complete(self, messages, max_tokens, stop=None, temperature=None, on_token=None) -> Completion:
        return self.inner.complete(messages, max_tokens=max_tokens, stop=stop, temperature=temperature, on_token=on_token)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def info(self) -> dict:
        return self.inner.info()

    @property
    def queue_length(self) -> int:
        return self.inner.queue_length

    @property
    def state(self) -> str:
        return self.inner.state

    @property
    def warm(self) -> bool:
        return self.inner.warm

    def wait_until_warm(self, timeout: float | None = None) -> bool:
        return self.inner.wait_until_warm(timeout)

    def status_line(self) -> str:
        return self.inner.status_line()

    @property
    def phrased_moves(self) -> frozenset[str]:
        return self.inner.phrased_moves

    def loaded(self) -> "LLM":
        self.inner.loaded()
        return self

    def reset(self, seed: int) -> None:
        self.inner.reset(seed)


def check_gguf(path: Path) -> Path:
    """Fail with a clear message unless `path` is a readable GGUF file."""
    path = Path(path).expanduser()
    fix = "pass --model PATH (or set INTERVIEWER_MODEL) to a .gguf file, or run `pip install .` for the default model"
    if not path.exists():
        raise ModelError(f"model file not found: {path}; {fix}")
    if not path.is_file():
        raise ModelError(f"model path is not a file: {path}; {fix}")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != b"GGUF":
        raise ModelError(f"not a GGUF model file: {path} (starts with {magic!r}); {fix}")
    if path.stat().st_size < 1024 * 1024:
        raise ModelError(f"model file is truncated: {path} is only {path.stat().st_size} bytes; {fix}")
    return path
