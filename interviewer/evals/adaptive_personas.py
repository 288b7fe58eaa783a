"""Adaptive personas: simulated candidates whose next answer depends on what was asked.

The schema is documented for authors in evals/adaptive/SCHEMA.md. Loading validates every file against the
bank (question ids, key point and mistake indices, verbatim up-front misconceptions), so a persona cannot
claim to know a point the rubric does not have.

    python -m interviewer.evals.adaptive_personas     # validate evals/adaptive/ and print a summary
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from interviewer.knowledge.bank import BankQuestion, KnowledgeError


class KnownPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    point: int = Field(ge=0)
    says: str = Field(min_length=12)


class HeldMisconception(BaseModel):
    model_config = ConfigDict(extra="forbid")
    point: int = Field(ge=0)
    mistake: int | None = None
    says: str = Field(min_length=12)
    up_front: bool = False
    when_challenged: str = Field(min_length=8)


class PersonaQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    answer: str = Field(min_length=20)
    says_first: list[int] = Field(default_factory=list)
    knows: list[KnownPoint] = Field(default_factory=list)
    holds: list[HeldMisconception] = Field(default_factory=list)
    unsure: str = Field(min_length=8)

    @model_validator(mode="after")
    def _consistent(self) -> "PersonaQuestion":
        known = [k.point for k in self.knows]
        if len(set(known)) != len(known):
            raise ValueError(f"{self.id}: a key point is listed twice under knows")
        if not set(self.says_first) <= set(known):
            raise ValueError(f"{self.id}: says_first {sorted(set(self.says_first) - set(known))} not under knows")
        wrong_on = {h.point for h in self.holds}
        if wrong_on & set(known):
            raise ValueError(f"{self.id}: a misconception on a point the persona knows ({sorted(wrong_on & set(known))})")
        for h in self.holds:
            if h.up_front and h.says.strip() not in self.answer:
                raise ValueError(f"{self.id}: up_front misconception is not verbatim in the answer: {h.says[:60]!r}")
        return self

    def knows_point(self, index: int) -> KnownPoint | None:
        return next((k for k in self.knows if k.point == index), None)

    def holds_on(self, index: int) -> HeldMisconception | None:
        return next((h for h in self.holds if h.point == index), None)


class AdaptivePersona(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,60}$")
    split: Literal["dev", "test"]
    round: str
    track: str = "general"
    level: Literal["strong", "average", "weak"]
    voice: str = Field(min_length=5)
    resume: str | None = None
    jd: str | None = None
    questions: list[PersonaQuestion] = Field(min_length=1)


def default_dir() -> Path:
    from interviewer.settings import packaged

    return packaged("evals") / "adaptive"


def load_adaptive(questions: dict[str, BankQuestion], directory: Path | None = None, split: str | None = None) -> list[AdaptivePersona]:
    """Every adaptive persona (of one split, if given), validated against the bank; all errors at once."""
    directory = Path(directory or default_dir())
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise KnowledgeError(f"{directory}: no adaptive persona files")
    personas, errors = [], []
    for path in files:
        try:
            persona = AdaptivePersona.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        except (yaml.YAMLError, ValidationError, OSError) as exc:
            errors.append(f"{path}: {exc}")
            continue
        if persona.name != path.stem:
            errors.append(f"{path}: name {persona.name!r} differs from the file name")
        errors += [f"{path}: {e}" for e in _bank_errors(persona, questions)]
        personas.append(persona)
    if errors:
        raise KnowledgeError("\n".join(errors))
    _check_split(personas)
    return [p for p in personas if split is None or p.split == split]


def _bank_errors(persona: AdaptivePersona, questions: dict[str, BankQuestion]) -> list[str]:
    errors = []
    for q in persona.questions:
        bank = questions.get(q.id)
        if bank is None:
            errors.append(f"{q.id} is not a bank question")
            continue
        if bank.coding is not None:
            errors.append(f"{q.id} is a coding question; adaptive personas answer in words")
        if bank.round != persona.round and persona.round not in ("onsite", "phone-screen"):
            errors.append(f"{q.id} is a {bank.round} question, the persona's round is {persona.round}")
        n_points, n_mistakes = len(bank.rubric.key_points), len(bank.rubric.common_mistakes)
        for i in [*q.says_first, *(k.point for k in q.knows), *(h.point for h in q.holds)]:
            if i >= n_points:
                errors.append(f"{q.id}: key point {i} out of range (the rubric has {n_points})")
        for h in q.holds:
            if h.mistake is not None and h.mistake >= n_mistakes:
                errors.append(f"{q.id}: mistake {h.mistake} out of range (the rubric has {n_mistakes})")
    if persona.round in ("resume-deep-dive", "hiring-manager") and not persona.resume:
        errors.append(f"a {persona.round} persona needs a resume")
    return errors


def _check_split(personas: list[AdaptivePersona]) -> None:
    """The split is by question: no bank question is pinned by both a dev and a test persona."""
    by_split: dict[str, set[str]] = {"dev": set(), "test": set()}
    for p in personas:
        by_split[p.split] |= {q.id for q in p.questions}
    both = by_split["dev"] & by_split["test"]
    if both:
        raise KnowledgeError(f"questions pinned in both splits: {', '.join(sorted(both))}")


def main() -> int:
    from interviewer.knowledge.bank import CuratedKnowledge
    from interviewer.settings import packaged

    try:
        personas = load_adaptive(CuratedKnowledge(packaged("knowledge")).questions)
    except KnowledgeError as exc:
        print(exc, file=sys.stderr)
        return 1
    for split in ("dev", "test"):
        group = [p for p in personas if p.split == split]
        rounds = sorted({p.round for p in group})
        print(f"{split}: {len(group)} personas, {sum(len(p.questions) for p in group)} questions, rounds {', '.join(rounds)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
