"""What every eval check needs: the bank, embeddings (cached), prompts, the optional judge, and the persona's context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from interviewer.evals import text as tx

ASKING = ("question", "followup")  # interviewer turns that ask something


@dataclass
class CheckContext:
    bank: dict  # question id -> BankQuestion
    embed: Callable[[list[str]], np.ndarray]  # normalised sentence vectors
    prompts: list[str] = field(default_factory=list)  # prompt template texts the interviewer must never reveal
    probe_phrasings: list[str] = field(default_factory=list)
    known_source_ids: set[str] | None = None
    judge: Callable[[str, str], bool | None] | None = None
    resume: str | None = None
    jd: str | None = None
    contradictions: list[dict] = field(default_factory=list)
    pinned: bool = False
    depth_limit: int = 2
    judge_calls: int = 0
    vector_cache: dict[str, np.ndarray] = field(default_factory=dict)  # shared across a run

    def vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vector_cache]
        if missing:
            for t, v in zip(missing, self.embed(missing), strict=True):
                self.vector_cache[t] = np.asarray(v, dtype=np.float32)
        return np.stack([self.vector_cache[t] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)

    def similarity(self, a: str, b: str) -> float:
        va, vb = self.vectors([a, b])
        return float(va @ vb)


def turns_of(t: dict) -> list[dict]:
    return t.get("turns", [])


def short(text: str, n: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def question_part(text: str) -> str:
    """The part of an interviewer turn that asks: its last question sentence, else the whole turn."""
    qs = tx.questions_in(text)
    return qs[-1] if qs else text.strip()
