"""Turns and the transcript: the JSON contract the CLI, web page and evals share.

Stable keys: session_id, round, track, model, turns[role, kind, text, sources,
ttft_ms, total_ms, and for follow-ups move, targets, anchor_sentence], scorecard. Later additions are new keys, never renames.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Turn:
    role: str  # interviewer | candidate
    kind: str  # question | followup | closing | answer | note
    text: str
    sources: list[dict[str, str]] = field(default_factory=list)
    ttft_ms: float | None = None
    total_ms: float | None = None
    question_id: str | None = None
    phrasing: str | None = None  # llm | template: whether the LLM's wording passed validation
    rejected: str | None = None  # why the LLM's wording was refused, when it was
    prompt_tokens: int | None = None
    evaluated_tokens: int | None = None
    # follow-ups say why: what they pursue (a key point, a misconception, a resume claim) and the sentence they build on
    move: str | None = None  # key-point | misconception | deeper | concrete | claim | consistency | repeat
    targets: list[str] = field(default_factory=list)
    anchor_sentence: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Turn":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Transcript:
    session_id: str
    round: str
    track: str
    model: str
    turns: list[Turn] = field(default_factory=list)
    scorecard: dict[str, Any] | None = None
    job_description: str | None = None
    plan: list[str] = field(default_factory=list)
    job: dict[str, Any] | None = None  # what was read from the job description
    resume: dict[str, Any] | None = None  # projects and claim counts read from the resume
    phrased_moves: list[str] | None = None  # moves the model words (qualification); the others use templates

    def as_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "round": self.round,
            "track": self.track,
            "model": self.model,
            "turns": [t.as_json() for t in self.turns],
            "scorecard": self.scorecard,
            "job_description": self.job_description,
            "plan": list(self.plan),
            "job": self.job,
            "resume": self.resume,
            "phrased_moves": self.phrased_moves,
        }
