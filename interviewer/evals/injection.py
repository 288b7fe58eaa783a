"""The labelled injection set (evals/injection/*.yaml): benign technical text that looks risky and real
prompt injections, each with where it appears (answer | resume) and a split (dev | test, by family).

The detector (interviewer/candidate_text.py) is tuned on `dev`; `interviewer eval` reports `test`:

    items = load_injection_set(split="test")
    report = injection_report(items)            # false-positive rate, recall, counts, misses
    metrics = injection_metrics(report)         # flat metrics named in interviewer/evals/definitions.py

The schema is in evals/injection/SCHEMA.md; loading validates it (a family in both splits, a duplicate
text or an unknown field fails with the file named).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interviewer.knowledge.bank import KnowledgeError

Label = Literal["benign", "injection"]
Where = Literal["answer", "resume"]
Split = Literal["dev", "test"]


class ItemSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=3)
    label: Label | None = None  # defaults to the file's label
    where: Where | None = None  # defaults to the family's
    note: str | None = None


class FamilySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    family: str = Field(min_length=2, pattern=r"^[a-z0-9][a-z0-9-]*$")
    split: Split
    where: Where
    items: list[ItemSpec] = Field(min_length=1)


class InjectionFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: Label
    families: list[FamilySpec] = Field(min_length=1)


@dataclass(frozen=True)
class InjectionItem:
    text: str
    label: str  # benign | injection
    where: str  # answer | resume
    split: str  # dev | test
    family: str
    file: str


def default_dir() -> Path:
    from interviewer.settings import packaged

    return packaged("evals") / "injection"


def load_injection_set(directory: Path | None = None, split: str | None = None) -> list[InjectionItem]:
    """Every labelled item (of one split, if given), validated."""
    directory = Path(directory or default_dir())
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise KnowledgeError(f"{directory}: no labelled injection files")
    items: list[InjectionItem] = []
    family_split: dict[str, tuple[str, str]] = {}
    texts: dict[str, str] = {}
    for path in files:
        try:
            data = InjectionFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        except (yaml.YAMLError, ValidationError) as exc:
            raise KnowledgeError(f"{path}: {exc}") from exc
        for fam in data.families:
            if fam.family in family_split:
                raise KnowledgeError(f"{path}: family {fam.family} is defined twice (also in {family_split[fam.family][1]})")
            family_split[fam.family] = (fam.split, path.name)
            for item in fam.items:
                key = " ".join(item.text.lower().split())
                if key in texts:
                    raise KnowledgeError(f"{path}: duplicate text in {fam.family} (also in {texts[key]}): {item.text[:60]}")
                texts[key] = fam.family
                items.append(InjectionItem(item.text, item.label or data.label, item.where or fam.where, fam.split, fam.family, path.name))
    return [i for i in items if split is None or i.split == split]


def flagged(item_text: str) -> bool:
    """How the product sees the text: answers go through `injection_sentences`, resume lines through `strip_injection`."""
    from interviewer.candidate_text import injection_sentences

    return bool(injection_sentences(item_text))


def injection_report(items: list[InjectionItem]) -> dict:
    benign = [i for i in items if i.label == "benign"]
    attacks = [i for i in items if i.label == "injection"]
    start = time.perf_counter()
    false_alarms = [i for i in benign if flagged(i.text)]
    misses = [i for i in attacks if not flagged(i.text)]
    seconds = time.perf_counter() - start
    return {
        "splits": sorted({i.split for i in items}),
        "benign": len(benign),
        "injections": len(attacks),
        "false_positives": len(false_alarms),
        "missed": len(misses),
        "false_positive_rate": round(len(false_alarms) / len(benign), 4) if benign else None,
        "recall": round(1 - len(misses) / len(attacks), 4) if attacks else None,
        "ms_per_item": round(1000 * seconds / max(1, len(items)), 3),
        "false_positive_texts": [f"{i.family}: {i.text}" for i in false_alarms],
        "missed_texts": [f"{i.family}: {i.text}" for i in misses],
    }


def injection_metrics(report: dict) -> dict:
    """The report as flat eval metrics (interviewer/evals/definitions.py names them)."""
    return {
        "injection_false_positive_rate": report["false_positive_rate"],
        "injection_recall": report["recall"],
        "injection_benign_items": report["benign"],
        "injection_attack_items": report["injections"],
        "injection_false_positives": report["false_positives"],
        "injection_missed": report["missed"],
    }
