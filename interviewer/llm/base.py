"""The model interface the engine depends on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": str}


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


class LLM(Protocol):
    name: str

    def complete(
        self,
        messages: list[Message],
        max_tokens: int,
        stop: list[str] | None = None,
        temperature: float = 0.3,
        on_token: Callable[[str], None] | None = None,
    ) -> Completion: ...

    def count_tokens(self, text: str) -> int: ...

    def info(self) -> dict: ...


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
