"""The labelled answer set (evals/graded/<round>.yaml): candidate answers with key points, misconceptions and scores
labelled by hand. It is the grader's ground truth: fitted on the `dev` questions, reported on the `test` questions.

The schema is documented in evals/graded/SCHEMA.md; loading validates it against the question bank, so a label
that points at a missing key point or quotes text the answer does not contain fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from interviewer.knowledge.bank import BankQuestion, KnowledgeError

CRITERIA = ("technical-depth", "engineering-excellence", "domain-expertise", "communication-culture")
Level = Literal["strong", "partial", "weak"]


class KeyPointLabel(BaseModel):
    covered: bool
    evidence: str | None = None


class MisconceptionLabel(BaseModel):
    quote: str = Field(min_length=3)
    mistake: int | None = None  # index into the rubric's common_mistakes; None for a plain factual error
    correction: str = Field(min_length=3)


class AnswerLabel(BaseModel):
    id: str
    level: Level
    style: list[str] = Field(default_factory=list)
    text: str = Field(min_length=1)
    key_points: list[KeyPointLabel]
    misconceptions: list[MisconceptionLabel] = Field(default_factory=list)
    scores: dict[str, int]
    overall: float = Field(ge=1, le=4)

    @field_validator("scores")
    @classmethod
    def _four_criteria(cls, value: dict[str, int]) -> dict[str, int]:
        if sorted(value) != sorted(CRITERIA):
            raise ValueError(f"scores needs exactly {', '.join(CRITERIA)}")
        if any(not 1 <= v <= 4 for v in value.values()):
            raise ValueError("scores are 1-4")
        return value


class QuestionLabels(BaseModel):
    question_id: str
    split: Literal["dev", "test"]
    answers: list[AnswerLabel] = Field(min_length=1)


class GradedFile(BaseModel):
    round: str
    questions: list[QuestionLabels]


@dataclass
class GradedAnswer:
    """One labelled answer joined with its bank question."""

    question: BankQuestion
    split: str
    label: AnswerLabel

    @property
    def covered(self) -> list[bool]:
        return [kp.covered for kp in self.label.key_points]


def default_dir() -> Path:
    from interviewer.settings import packaged

    return packaged("evals") / "graded"


def load_graded(questions: dict[str, BankQuestion], directory: Path | None = None, split: str | None = None) -> list[GradedAnswer]:
    """Every labelled answer (of one split, if given), validated against the bank."""
    directory = directory or default_dir()
    files = sorted(Path(directory).glob("*.yaml"))
    if not files:
        raise KnowledgeError(f"{directory}: no labelled answer files")
    out: list[GradedAnswer] = []
    seen: set[str] = set()
    for path in files:
        try:
            data = GradedFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        except (yaml.YAMLError, ValidationError) as exc:
            raise KnowledgeError(f"{path}: {exc}") from exc
        for q in data.questions:
            bank = questions.get(q.question_id)
            if bank is None:
                raise KnowledgeError(f"{path}: {q.question_id} is not a bank question")
            for a in q.answers:
                _check(path, bank, a)
                if a.id in seen:
                    raise KnowledgeError(f"{path}: duplicate answer id {a.id}")
                seen.add(a.id)
                if split is None or q.split == split:
                    out.append(GradedAnswer(bank, q.split, a))
    return out


def _check(path: Path, bank: BankQuestion, a: AnswerLabel) -> None:
    where = f"{path}: {a.id}"
    if len(a.key_points) != len(bank.rubric.key_points):
        raise KnowledgeError(f"{where}: {len(a.key_points)} key point labels, the rubric has {len(bank.rubric.key_points)}")
    for i, kp in enumerate(a.key_points):
        if kp.covered and kp.evidence and kp.evidence.strip() not in a.text:
            raise KnowledgeError(f"{where}: evidence for key point {i} is not verbatim in the answer: {kp.evidence!r}")
    for m in a.misconceptions:
        if m.quote.strip() not in a.text:
            raise KnowledgeError(f"{where}: misconception quote is not verbatim in the answer: {m.quote!r}")
        if m.mistake is not None and not 0 <= m.mistake < len(bank.rubric.common_mistakes):
            raise KnowledgeError(f"{where}: mistake index {m.mistake} out of range")
