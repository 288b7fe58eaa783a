"""A fake model with queued responses, for unit tests of the engine's logic (used exactly like a real model)."""

from __future__ import annotations

from typing import Callable

from interviewer.llm.base import LLM, Completion, Message


class FakeLLM(LLM):
    name = "fake"
    backend = "fake"

    def __init__(self, responses: list[str] | None = None, default: str = ""):
        self.responses = list(responses or [])
        self.default = default
        self.calls: list[list[Message]] = []

    def queue(self, *responses: str) -> None:
        self.responses.extend(responses)

    def complete(self, messages, max_tokens, stop=None, temperature=None, on_token: Callable[[str], None] | None = None) -> Completion:
        self.calls.append([dict(m) for m in messages])
        text = self.responses.pop(0) if self.responses else self.default
        for word in text.split(" "):
            if on_token:
                on_token(word + " ")
        prompt = sum(self.count_tokens(m["content"]) for m in messages)
        return Completion(text=text, prompt_tokens=prompt, evaluated_tokens=prompt, completion_tokens=self.count_tokens(text), ttft_ms=0.0, total_ms=0.0)

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 4)

    def info(self) -> dict:
        return {"name": self.name, "path": None, "size_mb": 0, "backend": self.backend}
