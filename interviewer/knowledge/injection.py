"""knowledge/injection.yaml: the word lists of the prompt-injection detector, validated on load.

Every list entry is a regex fragment; a fragment that does not compile fails the load with the file named.
The detector itself lives in interviewer/candidate_text.py.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from interviewer.knowledge.bank import KnowledgeError

Fragments = list[str]


class InjectionLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lookalikes: dict[str, str]
    leet: dict[str, str]
    override_verbs: Fragments = Field(min_length=1)
    override_determiners: Fragments = Field(min_length=1)
    override_targets: Fragments = Field(min_length=1)
    override_everything: Fragments = Field(min_length=1)
    score_verbs: Fragments = Field(min_length=1)
    score_targets: Fragments = Field(min_length=1)
    score_phrases: Fragments = Field(min_length=1)
    weak_quality: Fragments = Field(min_length=1)
    scorecard_verbs: Fragments = Field(min_length=1)
    scorecard_nouns: Fragments = Field(min_length=1)
    verdict_nouns: Fragments = Field(min_length=1)
    reader_nouns: Fragments = Field(min_length=1)
    ai_readers: Fragments = Field(min_length=1)
    behaviour_verbs: Fragments = Field(min_length=1)
    role_nouns: Fragments = Field(min_length=1)
    modes: Fragments = Field(min_length=1)
    reveal_verbs: Fragments = Field(min_length=1)
    reveal_targets: Fragments = Field(min_length=1)
    reveal_targets_your: Fragments = Field(min_length=1)
    imperative_leads: Fragments = Field(min_length=1)
    third_party_subjects: Fragments = Field(min_length=1)
    third_party_adverbs: Fragments = Field(min_length=1)
    quote_cues: Fragments = Field(min_length=1)
    descriptive_before: Fragments = Field(min_length=1)
    tell_verbs: Fragments = Field(min_length=1)
    noun_phrase_after: Fragments = Field(min_length=1)
    tags_strong: Fragments = Field(min_length=1)
    tags_weak: Fragments = Field(min_length=1)
    speaker_labels: Fragments = Field(min_length=1)
    label_suffixes: Fragments = Field(min_length=1)
    forgery_content: Fragments = Field(min_length=1)
    leniency_verbs: Fragments = Field(min_length=1)
    leniency_targets: Fragments = Field(min_length=1)
    leniency_context: Fragments = Field(min_length=1)
    no_deduction: Fragments = Field(min_length=1)
    foreign: Fragments = Field(min_length=1)

    @field_validator("lookalikes", "leet")
    @classmethod
    def _single_characters(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k, v in value.items() if len(str(k)) != 1 or not re.fullmatch(r"[a-z]", str(v))]
        if bad:
            raise ValueError(f"each entry maps one character to one lower-case Latin letter: {bad}")
        return {str(k): str(v) for k, v in value.items()}

    @field_validator("*", mode="after")
    @classmethod
    def _compiles(cls, value):
        if isinstance(value, list):
            for fragment in value:
                if not fragment or fragment != fragment.strip():
                    raise ValueError(f"empty or padded fragment {fragment!r}")
                try:
                    re.compile(fragment)
                except re.error as exc:
                    raise ValueError(f"fragment {fragment!r} is not a valid regex: {exc}") from exc
        return value


def load_injection_lexicon(path: Path) -> InjectionLexicon:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KnowledgeError(f"{path}: missing curated file") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path}: not valid YAML ({exc})") from exc
    try:
        return InjectionLexicon.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(f"{path}: {exc}") from exc


@lru_cache(maxsize=4)
def default_lexicon(path: str | None = None) -> InjectionLexicon:
    """The shipped lexicon (knowledge/injection.yaml), loaded once per process."""
    if path is None:
        from interviewer.settings import packaged

        path = str(packaged("knowledge") / "injection.yaml")
    return load_injection_lexicon(Path(path))
