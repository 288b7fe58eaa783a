"""Candidate personas for the evals: one YAML file each, one schema, validated on load.

The schema (documented for authors in evals/personas/SCHEMA.md):

    name: str                                  # unique, [a-z0-9-]
    level: strong | average | weak | adversarial
    round: <round>                             # as in the CLI: ml-fundamentals, genai, onsite, ...
    track: <track>                             # optional, default general
    resume: <text>                             # optional
    jd: <text>                                 # optional
    questions: [bank ids]                      # optional: pin the main questions
    contradictions: [{resume: str, answer: str}]   # optional: where answers contradict the resume
    answers: [str, ...]                        # scripted, one per interviewer turn, in order
    # or
    simulate: {style: str, facts: [str, ...], max_turns: int}   # answered by the local LLM, seeded
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from interviewer.interview.rounds import ALL_ROUNDS
from interviewer.knowledge.bank import TRACKS

LEVELS = ("strong", "average", "weak", "adversarial")
LEVEL_RANK = {"weak": 1, "average": 2, "strong": 3}


class PersonaError(ValueError):
    """A persona file is missing, unreadable or breaks the schema; the message names the file and the field."""


class Simulation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    style: str = Field(min_length=3)
    facts: list[str] = Field(min_length=1)
    max_turns: int = Field(ge=1, le=12)


class Contradiction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resume: str = Field(min_length=1)  # the term as the resume states it, e.g. "40%"
    answer: str = Field(min_length=1)  # the term as an answer states it, e.g. "10%"


class Persona(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    level: Literal["strong", "average", "weak", "adversarial"]
    round: str
    track: str = "general"
    resume: str | None = None
    jd: str | None = None
    questions: list[str] | None = None
    contradictions: list[Contradiction] = Field(default_factory=list)
    answers: list[str] | None = None
    simulate: Simulation | None = None
    source: str | None = Field(default=None, exclude=True)  # the file it came from

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9\-]{1,60}", v):
            raise ValueError("use lowercase letters, digits and dashes (2-61 characters)")
        return v

    @field_validator("round")
    @classmethod
    def _round(cls, v: str) -> str:
        if v not in ALL_ROUNDS:
            raise ValueError(f"unknown round {v!r}; choose one of {', '.join(ALL_ROUNDS)}")
        return v

    @field_validator("track")
    @classmethod
    def _track(cls, v: str) -> str:
        if v not in TRACKS:
            raise ValueError(f"unknown track {v!r}; choose one of {', '.join(TRACKS)}")
        return v

    @field_validator("answers", mode="before")
    @classmethod
    def _answers(cls, v):
        if isinstance(v, list):
            if not v:
                raise ValueError("needs at least one answer (an empty answer is written as \"\")")
            return ["" if a is None else a for a in v]  # a bare `-` in YAML is an empty answer
        return v

    @model_validator(mode="after")
    def _one_source_of_answers(self) -> "Persona":
        if (self.answers is None) == (self.simulate is None):
            raise ValueError("give exactly one of `answers` (scripted) or `simulate` (answered by the local LLM)")
        if self.questions is not None and not self.questions:
            raise ValueError("`questions` must list at least one bank id when present")
        return self

    @property
    def scripted(self) -> bool:
        return self.answers is not None

    @property
    def rank(self) -> int | None:
        return LEVEL_RANK.get(self.level)


def load_persona(path: Path, bank_ids: set[str] | None = None) -> Persona:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PersonaError(f"{path}: cannot read ({exc})") from exc
    except yaml.YAMLError as exc:
        raise PersonaError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise PersonaError(f"{path}: expected a mapping with name, level, round and answers or simulate")
    try:
        persona = Persona(**data, source=str(path))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'persona'}: {e['msg']}" for e in exc.errors())
        raise PersonaError(f"{path}: {problems}") from None
    if bank_ids is not None and persona.questions:
        unknown = [q for q in persona.questions if q not in bank_ids]
        if unknown:
            raise PersonaError(f"{path}: questions: not in the bank: {', '.join(unknown)}")
    return persona


def load_personas(folder: Path, bank_ids: set[str] | None = None) -> list[Persona]:
    """Every *.yaml persona in `folder`, sorted by file name; errors for all bad files at once."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PersonaError(f"{folder}: no such folder of personas")
    personas, errors = [], []
    for path in sorted(folder.glob("*.yaml")):
        try:
            personas.append(load_persona(path, bank_ids))
        except PersonaError as exc:
            errors.append(str(exc))
    names = [p.name for p in personas]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        errors.append(f"{folder}: duplicate persona names: {', '.join(dupes)}")
    if errors:
        raise PersonaError("\n".join(errors))
    if not personas:
        raise PersonaError(f"{folder}: no persona files (*.yaml)")
    return personas
