"""Find the projects on a resume and the claims each makes, every claim with its verbatim source line.

A claim is something an interviewer can grill: a technique or model, a tool, data
handling, a number (metric, scale), an outcome. Lines that try to instruct the
interviewer are dropped from the claims and counted, never obeyed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from interviewer.candidate_text import clean, strip_injection

_BULLET = re.compile(r"^\s*(?:[-\u2022\u25aa\u25cf\u2023\u2043*\u2013\u00b7]|\d{1,2}[.)])\s+")
NUMBER = re.compile(
    r"(?<![A-Za-z0-9.])(?:[$\u20ac\u00a3]\s?)?\d+(?:[.,]\d+)*\s?(?:%|x\b|\u00d7|ms\b|s\b|k\b|m\b|b\b|gb\b|tb\b|pb\b|mb\b|fps\b|hz\b|"
    r"million\b|billion\b|thousand\b|hours?\b|days?\b|weeks?\b|months?\b|points?\b|pp\b|bps\b|users?\b|qps\b)?",
    re.I,
)
_YEAR = re.compile(r"^(19|20)\d\d$")
_DATE_RANGE = re.compile(r"\b(19|20)\d\d\s*[-\u2013\u2014to ]+\s*((19|20)\d\d|present|now|current)\b", re.I)


@dataclass
class Claim:
    id: str
    project: str
    kind: str  # technique | tool | data | metric | scale | outcome
    text: str  # the term or the number phrase, verbatim from the line
    line: str  # the whole source line, verbatim
    value: float | None = None  # numeric claims only
    unit: str | None = None
    context: list[str] = field(default_factory=list)  # words near a number: what it measures

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class Project:
    title: str
    section: str  # experience | projects | other
    lines: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)


@dataclass
class Resume:
    projects: list[Project]
    skills: list[str]
    injection_lines: list[str]

    @property
    def claims(self) -> list[Claim]:
        return [c for p in self.projects for c in p.claims]

    def terms(self) -> list[str]:
        seen: dict[str, None] = {}
        for c in self.claims:
            if c.kind in ("technique", "tool"):
                seen.setdefault(c.text.lower(), None)
        for s in self.skills:
            seen.setdefault(s.lower(), None)
        return list(seen)


@lru_cache(maxsize=4)
def vocabulary(knowledge_dir: str) -> dict:
    return yaml.safe_load((Path(knowledge_dir) / "resume_terms.yaml").read_text(encoding="utf-8"))


def _term_pattern(terms: list[str]) -> re.Pattern:
    ordered = sorted({t.lower() for t in terms}, key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z0-9])(" + "|".join(re.escape(t) for t in ordered) + r")(?![A-Za-z0-9])", re.I)


def _heading_kind(line: str, vocab: dict) -> str | None:
    key = re.sub(r"[^a-z ]", "", line.lower()).strip()
    if not key or len(key) > 40:
        return None
    for kind, names in vocab["section_headings"].items():
        if key in names:
            return kind
    return None


def _is_entry_title(line: str, next_is_bullet: bool) -> bool:
    """A short non-bullet line followed by bullets, or one with a date range, starts a project or job."""
    if _BULLET.match(line) or len(line) > 120:
        return False
    if _DATE_RANGE.search(line):
        return True
    return next_is_bullet and not line.rstrip().endswith(".")


def number_context(line: str, start: int, end: int) -> list[str]:
    before = re.findall(r"[A-Za-z][A-Za-z\-]+", line[max(0, start - 60) : start])[-4:]
    after = re.findall(r"[A-Za-z][A-Za-z\-]+", line[end : end + 40])[:3]
    stop = {"by", "to", "from", "of", "the", "a", "an", "and", "with", "in", "on", "for", "at", "over", "than", "about", "around", "roughly"}
    return [w.lower() for w in before + after if w.lower() not in stop]


def _claims_for(line: str, project: str, vocab: dict, patterns: dict[str, re.Pattern], start_id: int) -> list[Claim]:
    claims: list[Claim] = []
    text = _BULLET.sub("", line).strip()

    def add(kind: str, phrase: str, **extra) -> None:
        claims.append(Claim(f"c{start_id + len(claims) + 1}", project, kind, phrase, line.strip(), **extra))

    for kind in ("technique", "tool"):
        for m in patterns[kind].finditer(text):
            if not any(c.text.lower() == m.group(0).lower() and c.kind == kind for c in claims):
                add(kind, m.group(0))
    data = patterns["data"].search(text)  # one data-handling claim per line: the line is what gets grilled
    if data:
        add("data", data.group(0))
    for m in NUMBER.finditer(text):
        parsed = parse_number(m, text)
        if parsed is None:
            continue
        phrase, value, unit = parsed
        context = number_context(text, m.start(), m.end())
        if unit in ("k", "m", "b", "million", "billion", "thousand", "tb", "pb", "gb", "user", "users", "qps", "hour", "hours"):
            kind = "scale"
        elif unit in ("%", "x", "\u00d7", "ms", "s", "pp", "points", "point", "bps", "fps"):
            kind = "metric"
        else:
            kind = "scale" if patterns["scale"].search(" ".join(context[-2:])) else "metric"
        add(kind, phrase, value=value, unit=unit, context=context)
    return claims


def parse_number(match: re.Match, text: str) -> tuple[str, float, str | None] | None:
    """(phrase, value, unit) of a NUMBER match; None for years, date ranges and unparsable digits."""
    phrase = match.group(0).strip()
    digits = re.sub(r"[^\d.]", "", phrase.replace(",", "")).strip(".")
    if not digits or _YEAR.match(phrase) or _DATE_RANGE.search(text[max(0, match.start() - 12) : match.end() + 12]):
        return None
    try:
        value = float(digits)
    except ValueError:
        return None
    return phrase, value, re.sub(r"[\d.,\s$\u20ac\u00a3]", "", phrase).lower() or None


def _display_title(line: str) -> str:
    """An entry line without bullet and dates: what the interviewer calls the project."""
    title = _BULLET.sub("", line).strip()
    title = re.sub(r"\s*[(\[]?[^()\[\]]*\b(19|20)\d\d\b[^()\[\]]*[)\]]?\s*$", "", title).strip(" ,;:-\u2013|")
    return (title or line.strip())[:80]


def parse_resume(text: str, knowledge_dir: Path) -> Resume:
    vocab = vocabulary(str(knowledge_dir))
    patterns = {
        "technique": _term_pattern(vocab["techniques"]),
        "tool": _term_pattern(vocab["tools"]),
        "data": _term_pattern(vocab["data_terms"]),
        "outcome": _term_pattern(vocab["outcome_verbs"]),
        "scale": _term_pattern(vocab["scale_words"]),
    }
    lines, injection = [], []
    for raw in clean(text).split("\n"):
        line, injected = strip_injection(clean(raw))
        if injected:
            injection.append(raw.strip())
        if line.strip() and re.search(r"[A-Za-z0-9]", _BULLET.sub("", line)):
            lines.append(line)
    projects: list[Project] = []
    skills: list[str] = []
    section = "experience" if not any(_heading_kind(l, vocab) for l in lines) else "other"
    current: Project | None = None
    for i, line in enumerate(lines):
        kind = _heading_kind(line, vocab)
        if kind:
            section, current = kind, None
            continue
        if section == "other":
            if re.search(r"skills", " ".join(lines[max(0, i - 3) : i]).lower()):
                skills += [m.group(0) for m in patterns["technique"].finditer(line)] + [m.group(0) for m in patterns["tool"].finditer(line)]
            continue
        next_is_bullet = i + 1 < len(lines) and bool(_BULLET.match(lines[i + 1]))
        if _is_entry_title(line, next_is_bullet) or current is None:
            title = _display_title(line)
            current = Project(title=title, section=section)
            projects.append(current)
            if not _BULLET.match(line) and (next_is_bullet or _DATE_RANGE.search(line)):
                continue  # a title line carries no claims of its own
        current.lines.append(line)
        current.claims += _claims_for(line, current.title, vocab, patterns, sum(len(p.claims) for p in projects))
    return Resume([p for p in projects if p.claims or p.lines], list(dict.fromkeys(skills)), injection)
