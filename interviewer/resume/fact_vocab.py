"""The fact vocabulary (knowledge/facts.yaml): its schema, validated on load, and the token tables built from it.

Every lookup is a dictionary probe per token (longest phrase first), so reading a line costs time linear
in its length whatever the vocabulary size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

# -- tokens -----------------------------------------------------------------------------------------------------
# numbers (with thousands separators or decimals), words (with inner apostrophes), any other single character
# an arrow ("38 ms -> 12 ms", "0.89 => 0.93", "\u2192") is one token: a from-to range, not a dash and a sign
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+|[A-Za-z]+(?:['\u2019][A-Za-z]+)*|-+>|=+>|\u2192|\u27f6|\S")
_HYPHENS = {"-", "\u2010", "\u2011", "\u2012", "\u2013"}


@dataclass(slots=True)
class Token:
    text: str  # verbatim
    low: str  # lowercase, curly apostrophe straightened
    start: int
    end: int
    glued: bool  # no space before it (a hyphen in between counts as glued)
    hyphen: bool  # a hyphen joins it to the previous token
    kind: str  # num | word | sym


def tokenize(text: str) -> list[Token]:
    """Tokens of `text`. A hyphen inside a word vanishes but marks the token after it, so "two-tower" matches
    "two tower"; a dash between spaces stays as a separator."""
    out: list[Token] = []
    prev_end = -1
    joined_at = -1  # end of a hyphen glued to the token before it
    for m in _TOKEN.finditer(text):
        s = m.group(0)
        start = m.start()
        glued = start == prev_end
        if s in _HYPHENS:
            if glued and out and out[-1].end == start:
                joined_at = m.end()
            else:
                out.append(Token(s, "-", start, m.end(), glued, False, "sym"))
            prev_end = m.end()
            continue
        hyphen = start == joined_at
        joined_at = -1
        c = s[0]
        kind = "num" if c.isdigit() or (c == "." and len(s) > 1) else "word" if c.isalpha() else "sym"
        low = "->" if s[-1] in (">", "\u2192", "\u27f6") and len(s) > 1 or s in ("\u2192", "\u27f6") else s.lower().replace("\u2019", "'")
        out.append(Token(s, low, start, m.end(), glued or hyphen, hyphen, kind))
        prev_end = m.end()
    return out


@lru_cache(maxsize=1024)
def tokens_of(text: str) -> tuple[Token, ...]:
    """`tokenize`, remembered: a resume line is read by the claim finder and the fact reader."""
    return tuple(tokenize(text))


def phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(t.low for t in tokenize(phrase))


class PhraseTable:
    """Phrases (token tuples) to payloads; `match(low, i)` gives the longest phrase starting at i and all the
    payloads listed for it, in listing order."""

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], list[object]]]] = {}
        self.longest = 1

    def add(self, phrase: str, payload: object) -> None:
        key = phrase_key(phrase)
        if not key:
            return
        bucket = self._by_first.setdefault(key[0], [])
        for k, payloads in bucket:
            if k == key:
                if payload not in payloads:
                    payloads.append(payload)
                return
        bucket.append((key, [payload]))
        bucket.sort(key=lambda kv: -len(kv[0]))
        self.longest = max(self.longest, len(key))

    def match(self, low: list[str], i: int) -> tuple[int, list[object]] | None:
        bucket = self._by_first.get(low[i]) if i < len(low) else None
        if not bucket:
            return None
        for key, payloads in bucket:
            n = len(key)
            if tuple(low[i : i + n]) == key:
                return n, payloads
        return None

    def first(self, low: list[str], i: int) -> tuple[int, object] | None:
        hit = self.match(low, i)
        return (hit[0], hit[1][0]) if hit else None

    def ends_at(self, low: list[str], end: int) -> tuple[int, object] | None:
        """The longest phrase that ends just before index `end` (its first payload)."""
        for n in range(min(self.longest, end), 0, -1):
            bucket = self._by_first.get(low[end - n])
            if not bucket:
                continue
            for key, payloads in bucket:
                if len(key) == n and tuple(low[end - n : end]) == key:
                    return n, payloads[0]
        return None

    def __contains__(self, phrase: str) -> bool:
        key = phrase_key(phrase)
        return bool(key) and any(k == key for k, _ in self._by_first.get(key[0], []))


# -- schema -----------------------------------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Numbers(_Strict):
    words: dict[str, float]
    fractions: dict[str, float]
    scales: dict[str, float]
    plural_scales: dict[str, float]
    hedges: list[str]
    near_zero: list[str]
    upper_bounds: list[str]
    lower_bounds: list[str]


class Unit(_Strict):
    names: list[str] = Field(min_length=1)
    dim: str
    factor: float


class Rates(_Strict):
    prefixes: list[str]
    periods: dict[str, float]
    adverbs: dict[str, float]


class Quantity(_Strict):
    id: str
    type: str
    dims: list[str] = Field(min_length=1)
    attach: Literal["left", "right", "both"]
    names: list[str] = Field(min_length=1)
    of_only: bool = False  # right-attached only after "of" ("2,000 hours of audio")


class Metric(_Strict):
    id: str
    scale: Literal["ratio", "rate", "score"]
    better: Literal["higher", "lower"]
    names: list[str] = Field(min_length=1)


class Family(_Strict):
    id: str
    names: list[str] = Field(min_length=1)
    parents: list[str] = Field(default_factory=list)
    compatible: list[str] = Field(default_factory=list)
    generic: bool = False


class Qualifiers(_Strict):
    percentile: dict[str, list[str]]
    split: dict[str, list[str]]
    hypothetical: list[str]


class When(_Strict):
    before: list[str]
    after: list[str]
    instead: list[str]


class Changes(_Strict):
    down: list[str]
    up: list[str]
    neutral: list[str]
    implied: dict[str, float]


class Roles(_Strict):
    lead_verbs: list[str]
    colead_verbs: list[str]
    lead_titles: list[str]
    mentor_verbs: list[str]
    support_verbs: list[str]
    solo: list[str]
    team_nouns: list[str]
    people_nouns: list[str]


class Ownership(_Strict):
    self_verbs: list[str]
    shared_verbs: list[str]
    others: list[str]
    generic_components: list[str]


class Alternatives(_Strict):
    clause: list[str]
    after: list[str]


class FactVocabulary(_Strict):
    numbers: Numbers
    units: list[Unit]
    rates: Rates
    quantities: list[Quantity]
    count_nouns: dict[str, list[str]]
    metrics: list[Metric]
    qualifiers: Qualifiers
    when: When
    changes: Changes
    architectures: list[Family]
    frameworks: list[Family]
    tasks: list[Family]
    roles: Roles
    ownership: Ownership
    deflections: dict[str, list[str]]
    alternatives: Alternatives

    @model_validator(mode="after")
    def _consistent(self) -> "FactVocabulary":
        for group, families in (("architectures", self.architectures), ("frameworks", self.frameworks), ("tasks", self.tasks)):
            ids = [f.id for f in families]
            if len(set(ids)) != len(ids):
                raise ValueError(f"{group}: an id is listed twice")
            seen: dict[tuple[str, ...], str] = {}
            for f in families:
                for ref in f.parents + f.compatible:
                    if ref not in ids:
                        raise ValueError(f"{group}.{f.id}: unknown family {ref!r}")
                for name in f.names:
                    key = phrase_key(name)
                    if key in seen and seen[key] != f.id:
                        raise ValueError(f"{group}: {name!r} is listed under both {seen[key]!r} and {f.id!r}")
                    seen[key] = f.id
        for group, items in (("metrics", self.metrics), ("quantities", self.quantities)):
            ids = [q.id for q in items]
            if len(set(ids)) != len(ids):
                raise ValueError(f"{group}: an id is listed twice")
        dims = {u.dim for u in self.units} | {"count"}
        for q in self.quantities:
            unknown = set(q.dims) - dims
            if unknown:
                raise ValueError(f"quantities.{q.id}: unknown dims {sorted(unknown)}")
        return self


# -- compiled tables ---------------------------------------------------------------------------------------------
@dataclass
class Compiled:
    raw: FactVocabulary
    units: PhraseTable = field(default_factory=PhraseTable)  # -> Unit
    scales: dict[str, float] = field(default_factory=dict)
    words: dict[str, float] = field(default_factory=dict)
    fractions: dict[str, float] = field(default_factory=dict)
    plural_scales: dict[str, float] = field(default_factory=dict)
    hedges: PhraseTable = field(default_factory=PhraseTable)
    near_zero: PhraseTable = field(default_factory=PhraseTable)
    bounds: PhraseTable = field(default_factory=PhraseTable)  # -> "upper" | "lower"
    rate_prefixes: set[str] = field(default_factory=set)
    periods: dict[str, float] = field(default_factory=dict)
    adverbs: dict[str, float] = field(default_factory=dict)
    terms: PhraseTable = field(default_factory=PhraseTable)  # -> ("metric"|"quantity"|"arch"|"framework"|"task"|"percentile"|"split"|"count", id)
    quantities: dict[str, Quantity] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    architectures: dict[str, Family] = field(default_factory=dict)
    frameworks: dict[str, Family] = field(default_factory=dict)
    tasks: dict[str, Family] = field(default_factory=dict)
    hypothetical: PhraseTable = field(default_factory=PhraseTable)
    when: PhraseTable = field(default_factory=PhraseTable)  # -> "before" | "after" | "instead"
    changes: PhraseTable = field(default_factory=PhraseTable)  # -> "down" | "up" | "neutral"
    implied: dict[str, float] = field(default_factory=dict)
    alt_clause: PhraseTable = field(default_factory=PhraseTable)
    alt_after: PhraseTable = field(default_factory=PhraseTable)
    deflections: PhraseTable = field(default_factory=PhraseTable)  # -> kind
    roles: Roles | None = None
    ownership: Ownership | None = None
    count_noun: dict[str, str] = field(default_factory=dict)  # single word -> group

    def ancestors(self, table: dict[str, Family], fid: str) -> set[str]:
        out: set[str] = set()
        stack = list(table[fid].parents) if fid in table else []
        while stack:
            p = stack.pop()
            if p not in out:
                out.add(p)
                stack += table[p].parents
        return out


def load_vocabulary(path: Path) -> FactVocabulary:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return FactVocabulary.model_validate(data)


@lru_cache(maxsize=4)
def compiled_vocabulary(knowledge_dir: str) -> Compiled:
    raw = load_vocabulary(Path(knowledge_dir) / "facts.yaml")
    c = Compiled(raw)
    n = raw.numbers
    c.scales, c.words, c.fractions, c.plural_scales = dict(n.scales), dict(n.words), dict(n.fractions), dict(n.plural_scales)
    for h in n.hedges:
        c.hedges.add(h, "hedge")
    for h in n.near_zero:
        c.near_zero.add(h, "near")
    for b in n.upper_bounds:
        c.bounds.add(b, "upper")
    for b in n.lower_bounds:
        c.bounds.add(b, "lower")
    for u in raw.units:
        for name in u.names:
            c.units.add(name, u)
    c.rate_prefixes = set(raw.rates.prefixes)
    c.periods, c.adverbs = dict(raw.rates.periods), dict(raw.rates.adverbs)
    # the order decides ties between categories: metrics and architectures first
    for m in raw.metrics:
        c.metrics[m.id] = m
        for name in m.names:
            c.terms.add(name, ("metric", m.id))
    for f in raw.architectures:
        c.architectures[f.id] = f
        for name in f.names:
            c.terms.add(name, ("arch", f.id))
    for f in raw.frameworks:
        c.frameworks[f.id] = f
        for name in f.names:
            c.terms.add(name, ("framework", f.id))
    for pid, names in raw.qualifiers.percentile.items():
        for name in names:
            c.terms.add(name, ("percentile", pid))
    for q in raw.quantities:
        c.quantities[q.id] = q
        for name in q.names:
            c.terms.add(name, ("quantity", q.id))
    for f in raw.tasks:
        c.tasks[f.id] = f
        for name in f.names:
            c.terms.add(name, ("task", f.id))
    for sid, names in raw.qualifiers.split.items():
        for name in names:
            c.terms.add(name, ("split", sid))
    for group, names in raw.count_nouns.items():
        for name in names:
            c.terms.add(name, ("count", group))
            key = phrase_key(name)
            if len(key) == 1:
                c.count_noun[key[0]] = group
    for h in raw.qualifiers.hypothetical:
        c.hypothetical.add(h, "hypothetical")
    for kind in ("before", "after", "instead"):
        for w in getattr(raw.when, kind):
            c.when.add(w, kind)
    for kind in ("down", "up", "neutral"):
        for w in getattr(raw.changes, kind):
            c.changes.add(w, kind)
    c.implied = dict(raw.changes.implied)
    for w in raw.alternatives.clause:
        c.alt_clause.add(w, "alt")
    for w in raw.alternatives.after:
        c.alt_after.add(w, "alt")
    for kind, phrases in raw.deflections.items():
        for p in phrases:
            c.deflections.add(p, kind)
    c.roles, c.ownership = raw.roles, raw.ownership
    return c
