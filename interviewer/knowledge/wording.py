"""Follow-up wording and the follow-up policy's thresholds: knowledge/followups.yaml, validated on load."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from interviewer.knowledge.bank import KnowledgeError

MOVES = ("point_quoted", "point_plain", "deeper", "misconception", "misconception_plain", "project", "concrete")
_SLOTS = {"point_quoted": {"quote"}, "misconception": {"quote"}, "project": {"project"}}


class PolicyParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    probe_below: float = Field(gt=0, lt=1)
    said_similarity: float = Field(gt=0, lt=1)
    asked_similarity: float = Field(gt=0, lt=1)
    anchor_similarity: float = Field(gt=0, lt=1)
    complete_share: float = Field(gt=0, le=1)
    challenge_below_evidence: float = Field(gt=0, le=1)
    angle_point_similarity: float = Field(gt=0, lt=1)
    projects_per_deep_dive: int = Field(ge=1, le=6)


class Wording(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lead_ins: dict[str, list[str]]
    policy: PolicyParams

    @field_validator("lead_ins")
    @classmethod
    def _moves(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        missing = set(MOVES) - set(v)
        if missing:
            raise ValueError(f"lead_ins lacks {', '.join(sorted(missing))}")
        for move, options in v.items():
            if move not in MOVES:
                raise ValueError(f"unknown move {move!r}; moves are {', '.join(MOVES)}")
            if len(options) < 2:
                raise ValueError(f"{move}: give at least two phrasings, so sessions vary")
            for text in options:
                slots = set(re.findall(r"\{(\w+)\}", text))
                if slots != _SLOTS.get(move, set()):
                    raise ValueError(f"{move}: {text!r} must use exactly {sorted(_SLOTS.get(move, set()))}")
        return v


@lru_cache(maxsize=4)
def load_wording(knowledge_dir: str) -> Wording:
    path = Path(knowledge_dir) / "followups.yaml"
    try:
        return Wording.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise KnowledgeError(f"{path}: {exc}") from exc
