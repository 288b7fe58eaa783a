"""Curated knowledge: the question bank with rubrics, team tracks, rounds, deep-dive probes, criteria.

Each file has one pydantic schema; loading validates, so a typo in a YAML file fails
loudly with the file and field named.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from interviewer.settings import packaged

Round = Literal[
    "coding",
    "ml-fundamentals",
    "ml-system-design",
    "genai",
    "behavioral",
    "resume-deep-dive",
    "hiring-manager",
    "phone-screen",
]
BANK_ROUNDS: tuple[str, ...] = Round.__args__  # type: ignore[attr-defined]
ClaimKind = Literal["technique", "tool", "data", "metric", "scale", "role"]  # the kinds interviewer/resume/claims.py reads
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class KnowledgeError(Exception):
    """A curated file is missing or fails its schema; the message names the file."""


class KeyPoint(BaseModel):
    text: str = Field(min_length=8)
    keywords: list[str] = Field(min_length=2, max_length=6)

    @field_validator("keywords")
    @classmethod
    def _lowercase(cls, value: list[str]) -> list[str]:
        return [k.strip().lower() for k in value if k.strip()]


class Rubric(BaseModel):
    key_points: list[KeyPoint] = Field(min_length=4, max_length=8)
    common_mistakes: list[str] = Field(min_length=1, max_length=4)
    follow_ups: list[str] = Field(min_length=2, max_length=4)

    @field_validator("follow_ups")
    @classmethod
    def _questions(cls, value: list[str]) -> list[str]:
        for text in value:
            if not text.strip().endswith("?"):
                raise ValueError(f"follow-up must end with '?': {text!r}")
        return value


class CodingTest(BaseModel):
    args: list[Any]
    expected: Any


class CodingSpec(BaseModel):
    function: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    signature: str
    examples: list[str] = Field(min_length=1)
    edge_cases: list[str] = Field(min_length=1)
    complexity: str
    compare: Literal["exact", "unordered", "approx"] = "exact"
    tests: list[CodingTest] = Field(min_length=4)
    reference: str


class BankQuestion(BaseModel):
    id: str
    text: str = Field(min_length=10)
    round: Round
    topics: list[str] = Field(min_length=1, max_length=6)
    difficulty: Literal["easy", "medium", "hard"]
    tracks: list[str] = Field(min_length=1)
    source: Literal["guide", "curated"]
    guide_section: str | None = None
    rubric: Rubric
    coding: CodingSpec | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(f"id must be a lowercase slug: {value!r}")
        return value

    @field_validator("tracks")
    @classmethod
    def _known_tracks(cls, value: list[str]) -> list[str]:
        unknown = set(value) - set(TRACKS)
        if unknown:
            raise ValueError(f"unknown tracks {sorted(unknown)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "BankQuestion":
        if self.source == "guide" and not self.guide_section:
            raise ValueError("a question from the guide needs guide_section")
        if self.round == "coding" and self.coding is None:
            raise ValueError("a coding question needs a coding block")
        return self


class BankFile(BaseModel):
    round: Round
    questions: list[BankQuestion]


class Track(BaseModel):
    id: str
    name: str
    description: str
    emphasis: list[str] = Field(min_length=1)
    topics: list[str] = Field(min_length=1)
    jd_keywords: list[str] = Field(min_length=1)
    guide_refs: list[str] = Field(default_factory=list)


class Probe(BaseModel):
    id: str
    name: str
    intent: str
    signals: list[str]
    phrasings: list[str] = Field(min_length=2)

    @field_validator("phrasings")
    @classmethod
    def _anchored(cls, value: list[str]) -> list[str]:
        for text in value:
            if "{anchor}" not in text or not text.strip().endswith("?"):
                raise ValueError(f"a phrasing needs {{anchor}} and a final '?': {text!r}")
        return value


class Criterion(BaseModel):
    id: str
    name: str
    guide_section: str
    summary: str
    signals: list[str] = Field(min_length=4)
    levels: dict[int, str]
    review_sections: list[str] = Field(min_length=1)

    @field_validator("levels")
    @classmethod
    def _four_levels(cls, value: dict[int, str]) -> dict[int, str]:
        if sorted(value) != [1, 2, 3, 4]:
            raise ValueError("levels must be exactly 1, 2, 3, 4")
        return value


class KeyPointExtras(BaseModel):
    """How candidates state one key point in their own words, and how to ask for it without giving it away."""

    paraphrases: list[str] = Field(min_length=2, max_length=5)
    probes: list[str] = Field(min_length=1, max_length=3)

    @field_validator("probes")
    @classmethod
    def _questions(cls, value: list[str]) -> list[str]:
        for text in value:
            if not text.strip().endswith("?"):
                raise ValueError(f"a probe must end with '?': {text!r}")
        return value


class MistakeExtras(BaseModel):
    """A rubric common mistake as candidates state it, what is right instead, and a probe that makes them re-examine it."""

    statements: list[str] = Field(min_length=1, max_length=4)
    # minimal pairs: each statement with the one change that makes it right, in the same words; comparing an answer
    # sentence with both isolates the detail that is wrong, which sentence embeddings alone blur
    twins: list[str] = Field(default_factory=list)
    correction: str = Field(min_length=8)
    probe: str

    @model_validator(mode="after")
    def _paired(self) -> "MistakeExtras":
        if self.twins and len(self.twins) != len(self.statements):
            raise ValueError(f"twins must pair with statements one to one: {len(self.statements)} statements, {len(self.twins)} twins")
        return self

    @field_validator("probe")
    @classmethod
    def _question(cls, value: str) -> str:
        if not value.strip().endswith("?"):
            raise ValueError(f"a probe must end with '?': {value!r}")
        return value


class QuestionExtras(BaseModel):
    id: str
    key_points: list[KeyPointExtras]
    mistakes: list[MistakeExtras]


class KeyPointsFile(BaseModel):
    round: Round
    questions: list[QuestionExtras]


class Misconception(MistakeExtras):
    """A plain factual error, not tied to one question (knowledge/misconceptions.yaml)."""

    id: str
    topics: list[str] = Field(default_factory=list)


class LinearScore(BaseModel):
    bias: float
    weights: dict[str, float]


class Scoring(BaseModel):
    """The `scoring` block of knowledge/criteria.yaml: how graded answers become 1-4 criterion scores."""

    fitted_on: str
    criteria: dict[str, LinearScore]
    overall: LinearScore
    cutoffs: list[float] = Field(min_length=3, max_length=3)  # basis at which levels 2, 3 and 4 begin
    code_run_weight: float = Field(0.5, ge=0, le=1)  # share of Engineering Excellence that Run-tests pass rates decide
    # interview-level deductions, per contradiction or deflection found in the resume deep dive
    penalties: dict[str, dict[str, float]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> "Scoring":
        from interviewer.interview.scoring import SCORING_FEATURES

        if self.cutoffs != sorted(self.cutoffs):
            raise ValueError("cutoffs must increase")
        for name, model in [*self.criteria.items(), ("overall", self.overall)]:
            unknown = set(model.weights) - set(SCORING_FEATURES)
            if unknown:
                raise ValueError(f"{name}: unknown scoring features {sorted(unknown)}")
        for kind, per_criterion in self.penalties.items():
            unknown = set(per_criterion) - set(self.criteria) - {"overall"}
            if unknown:
                raise ValueError(f"penalty {kind}: unknown criteria {sorted(unknown)}")
        return self


class LogisticParams(BaseModel):
    """A fitted logistic model: probability = sigmoid(bias + sum(weights[f] * feature f)), positive at `threshold`."""

    weights: dict[str, float]
    bias: float
    threshold: float = Field(gt=0, lt=1)


class GraderParams(BaseModel):
    """knowledge/grader.yaml: written by `interviewer eval --fit-grader` from the dev part of the labelled answers."""

    fitted_on: str
    key_point: LogisticParams
    misconception: LogisticParams
    # chosen on the dev part, not fitted, and kept by a refit: a sentence no closer than this (cosine) to any curated
    # wrong statement or rubric mistake is never called a misconception, whatever the other features say
    misconception_min_similarity: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _features(self) -> "GraderParams":
        from interviewer.interview.grader import KEY_POINT_FEATURES, MISCONCEPTION_FEATURES

        for name, params, expected in (("key_point", self.key_point, KEY_POINT_FEATURES), ("misconception", self.misconception, MISCONCEPTION_FEATURES)):
            if sorted(params.weights) != sorted(expected):
                raise ValueError(f"{name} weights must name exactly the features {', '.join(expected)}")
        return self


class RoundFacts(BaseModel):
    """One round in knowledge/rounds.yaml: how the interview and the scorecard treat its questions."""

    model_config = ConfigDict(extra="forbid")
    technical: bool
    probes_claims: bool
    review_section: str = Field(min_length=3)


class RoundsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rounds: dict[Round, RoundFacts]

    @field_validator("rounds")
    @classmethod
    def _every_bank_round(cls, value: dict[str, RoundFacts]) -> dict[str, RoundFacts]:
        missing = [r for r in BANK_ROUNDS if r not in value]
        if missing:
            raise ValueError(f"every bank round needs its facts; missing {', '.join(missing)}")
        return value


class ClaimProbes(BaseModel):
    """The `for_claim_kind` block of knowledge/probes.yaml: which probes suit which kind of resume claim, in order."""

    model_config = ConfigDict(extra="forbid")
    for_claim_kind: dict[ClaimKind, list[str]]


class FeatureScales(BaseModel):
    """The `features` block of knowledge/criteria.yaml: the count at which each counted scoring feature reaches 1."""

    model_config = ConfigDict(extra="forbid")
    misconceptions: float = Field(gt=0)
    reasoning: float = Field(gt=0)
    structure: float = Field(gt=0)
    signals: float = Field(gt=0)
    hedges: float = Field(gt=0)
    length: float = Field(gt=0)


class PointEvidence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    technical: list[str] = Field(min_length=1)
    story: list[str] = Field(min_length=1)


class ScorecardRules(BaseModel):
    """The `scorecard` block of knowledge/criteria.yaml: how the scorecard reads scores and graded answers."""

    model_config = ConfigDict(extra="forbid")
    point_evidence: PointEvidence  # criteria a covered key point's sentence can be quoted for, by round kind
    quotes_per_criterion: int = Field(ge=1, le=10)
    strength_coverage: float = Field(gt=0, le=1)
    gap_coverage: float = Field(gt=0, le=1)
    review_coverage: float = Field(gt=0, le=1)


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 1.7 s -> 0.2 s at each start
    except FileNotFoundError as exc:
        raise KnowledgeError(f"{path}: missing curated file") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path}: not valid YAML ({exc})") from exc


def _validate(model: type[BaseModel], data: Any, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(f"{path}: {exc}") from exc


def _track_ids(path: Path) -> tuple[str, ...]:
    """The ids in a tracks.yaml, in file order (validated in full by CuratedKnowledge.tracks)."""
    data = _load_yaml(path) or {}
    try:
        return tuple(str(t["id"]) for t in data["tracks"])
    except (KeyError, TypeError) as exc:
        raise KnowledgeError(f"{path}: needs a `tracks` list whose entries each have an id") from exc


# The team tracks of the shipped knowledge pack: the CLI's and the web page's choices, and what bank questions may name.
TRACKS = _track_ids(packaged("knowledge") / "tracks.yaml")


class CuratedKnowledge:
    """Everything under knowledge/ except the guides, loaded and validated once."""

    def __init__(self, knowledge_dir: Path):
        self.dir = Path(knowledge_dir)

    @cached_property
    def questions(self) -> dict[str, BankQuestion]:
        found: dict[str, BankQuestion] = {}
        files = sorted((self.dir / "questions").glob("*.yaml"))
        if not files:
            raise KnowledgeError(f"{self.dir / 'questions'}: no question bank files")
        for path in files:
            data = _load_yaml(path) or {}
            if isinstance(data, dict):  # each question inherits the file's round
                data = {**data, "questions": [{"round": data.get("round"), **q} for q in data.get("questions") or []]}
            bank = _validate(BankFile, data, path)
            for q in bank.questions:
                if q.round != bank.round:
                    raise KnowledgeError(f"{path}: question {q.id} has round {q.round}, the file is {bank.round}")
                if q.id in found:
                    raise KnowledgeError(f"{path}: duplicate question id {q.id}")
                found[q.id] = q
        return found

    def by_round(self, round_name: str) -> list[BankQuestion]:
        return [q for q in self.questions.values() if q.round == round_name]

    @cached_property
    def tracks(self) -> dict[str, Track]:
        path = self.dir / "tracks.yaml"
        data = _load_yaml(path) or {}
        tracks = [_validate(Track, t, path) for t in data.get("tracks", [])]
        return {t.id: t for t in tracks}

    @cached_property
    def probes(self) -> dict[str, Probe]:
        path = self.dir / "probes.yaml"
        data = _load_yaml(path) or {}
        return {p.id: p for p in (_validate(Probe, p, path) for p in data.get("probes", []))}

    @cached_property
    def probes_for_claim_kind(self) -> dict[str, list[str]]:
        path = self.dir / "probes.yaml"
        found = _validate(ClaimProbes, {"for_claim_kind": (_load_yaml(path) or {}).get("for_claim_kind")}, path).for_claim_kind
        unknown = {pid for pids in found.values() for pid in pids} - set(self.probes)
        if unknown:
            raise KnowledgeError(f"{path}: for_claim_kind names unknown probes {sorted(unknown)}")
        return found

    @cached_property
    def rounds(self) -> dict[str, RoundFacts]:
        """knowledge/rounds.yaml: what each bank round is (technical or a story round, claims probed, guide section)."""
        path = self.dir / "rounds.yaml"
        return _validate(RoundsFile, _load_yaml(path) or {}, path).rounds

    @cached_property
    def criteria(self) -> list[Criterion]:
        path = self.dir / "criteria.yaml"
        data = _load_yaml(path) or {}
        return [_validate(Criterion, c, path) for c in data.get("criteria", [])]

    @cached_property
    def scoring(self) -> Scoring:
        path = self.dir / "criteria.yaml"
        scoring = _validate(Scoring, (_load_yaml(path) or {}).get("scoring"), path)
        missing = {c.id for c in self.criteria} - set(scoring.criteria)
        if missing:
            raise KnowledgeError(f"{path}: scoring has no weights for {sorted(missing)}")
        return scoring

    @cached_property
    def feature_scales(self) -> FeatureScales:
        path = self.dir / "criteria.yaml"
        return _validate(FeatureScales, (_load_yaml(path) or {}).get("features"), path)

    @cached_property
    def scorecard_rules(self) -> ScorecardRules:
        path = self.dir / "criteria.yaml"
        rules = _validate(ScorecardRules, (_load_yaml(path) or {}).get("scorecard"), path)
        unknown = set(rules.point_evidence.technical + rules.point_evidence.story) - {c.id for c in self.criteria}
        if unknown:
            raise KnowledgeError(f"{path}: scorecard.point_evidence names unknown criteria {sorted(unknown)}")
        return rules

    @cached_property
    def extras(self) -> dict[str, QuestionExtras]:
        """Paraphrases, probes and misconception statements per bank question (knowledge/keypoints/<round>.yaml).

        Counts must line up with the question's rubric, so an edited rubric cannot silently shift them."""
        found: dict[str, QuestionExtras] = {}
        for path in sorted((self.dir / "keypoints").glob("*.yaml")):
            extras = _validate(KeyPointsFile, _load_yaml(path) or {}, path)
            for q in extras.questions:
                bank = self.questions.get(q.id)
                if bank is None:
                    raise KnowledgeError(f"{path}: {q.id} is not a bank question")
                if bank.round != extras.round:
                    raise KnowledgeError(f"{path}: {q.id} belongs to round {bank.round}")
                if len(q.key_points) != len(bank.rubric.key_points) or len(q.mistakes) != len(bank.rubric.common_mistakes):
                    raise KnowledgeError(
                        f"{path}: {q.id} has {len(q.key_points)} key points and {len(q.mistakes)} mistakes; "
                        f"its rubric has {len(bank.rubric.key_points)} and {len(bank.rubric.common_mistakes)}"
                    )
                found[q.id] = q
        return found

    @cached_property
    def misconceptions(self) -> list[Misconception]:
        path = self.dir / "misconceptions.yaml"
        if not path.exists():
            return []
        data = _load_yaml(path) or {}
        return [_validate(Misconception, m, path) for m in data.get("misconceptions", [])]

    @cached_property
    def grader_params(self) -> GraderParams:
        path = self.dir / "grader.yaml"
        return _validate(GraderParams, _load_yaml(path) or {}, path)

    def files(self) -> list[Path]:
        """The curated files the index is built from (guides and the question bank), for its manifest.

        Grader data (keypoints/, misconceptions.yaml, grader.yaml) is not indexed, so refitting the
        grader does not force a 35-second index rebuild."""
        indexed = [self.dir / "guides", self.dir / "questions"]
        return sorted(p for d in indexed for p in d.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".txt", ".md"))
