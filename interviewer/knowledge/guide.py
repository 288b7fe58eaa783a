"""Parse the interview guide (plain text, numbered top-level sections) into records.

The guide's structure: `N. Title` headings; section 2 names four criteria as
`Name – explanation` lines; section 4 has evaluation areas, each with a
`Be ready to go over:` topic list and optional `Example questions or scenarios:`;
section 7 groups common questions under plain-line headings; section 9 has tips
whose titles run into their text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_HEADING = re.compile(r"^(\d{1,2})\.\s+(\S.*)$")
_BULLET = re.compile(r"^[-•*]\s+(.*)$")
_DASH_SPLIT = re.compile(r"\s+[–—-]\s+")

# Section 4 area titles and section 7 group titles, mapped to rounds.
_AREA_ROUND = {
    "coding and algorithms": "coding",
    "machine learning fundamentals": "ml-fundamentals",
    "machine learning system design": "ml-system-design",
    "domain-specific topics (genai & llms)": "genai",
}
_GROUP_ROUND = {
    "machine learning theory & fundamentals": "ml-fundamentals",
    "coding & implementation": "coding",
    "system design & application": "ml-system-design",
    "behavioral & resume deep dive": "behavioral",
}
_TIP_TITLES = (
    "Know Your Resume Inside Out",
    'Think "On-Device" and "Privacy-First"',
    "Prepare for Ambiguity",
)


@dataclass
class Section:
    number: int
    title: str
    text: str  # body without the heading line

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}"


@dataclass
class Criterion:
    name: str
    description: str


@dataclass
class Area:
    title: str
    round: str
    intro: str
    topics: list[tuple[str, str]]  # (topic, detail)
    examples: list[str] = field(default_factory=list)


@dataclass
class Question:
    text: str
    section: str  # heading of the section it comes from
    group: str  # area or question-group title
    round: str


@dataclass
class Tip:
    title: str
    text: str


@dataclass
class Guide:
    path: Path
    sections: list[Section]
    criteria: list[Criterion]
    areas: list[Area]
    questions: list[Question]
    tips: list[Tip]

    def section(self, number: int) -> Section:
        return next(s for s in self.sections if s.number == number)


def _strip_quotes(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] in "\"“" and text[-1] in "\"”":
        return text[1:-1].strip()
    return text


def _question_round(group_round: str, text: str) -> str:
    """Section 7 mixes rounds inside a group; the text decides where a question belongs."""
    low = text.lower()
    if group_round == "ml-fundamentals" and re.search(r"\b(transformer|attention|llm|rlhf)", low):
        return "genai"
    if group_round == "behavioral" and re.search(r"\b(project|resume)\b", low):
        return "resume-deep-dive"
    return group_round


def split_sections(text: str) -> list[Section]:
    sections: list[Section] = []
    current: tuple[int, str] | None = None
    body: list[str] = []
    expected = 1
    for line in text.splitlines():
        match = _HEADING.match(line.strip())
        # Only the next number in sequence starts a section, so numbered lists inside are safe.
        if match and int(match.group(1)) == expected:
            if current:
                sections.append(Section(current[0], current[1], "\n".join(body).strip()))
            current = (int(match.group(1)), match.group(2).strip())
            body = []
            expected += 1
        elif current:
            body.append(line)
    if current:
        sections.append(Section(current[0], current[1], "\n".join(body).strip()))
    return sections


def _parse_criteria(section: Section) -> list[Criterion]:
    criteria = []
    lines = section.text.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.strip().lower() == "key evaluation criteria")
    except StopIteration:
        return []
    for line in lines[start + 1 :]:
        parts = _DASH_SPLIT.split(line.strip(), maxsplit=1)
        if len(parts) == 2 and len(parts[0].split()) <= 6:
            criteria.append(Criterion(parts[0].strip(), parts[1].strip()))
    return criteria


def _parse_areas(section: Section) -> tuple[list[Area], list[Question]]:
    areas: list[Area] = []
    questions: list[Question] = []
    area: Area | None = None
    mode = "intro"
    for raw in section.text.splitlines():
        line = raw.strip()
        if not line:
            continue
        key = line.lower()
        if key in _AREA_ROUND:
            area = Area(title=line, round=_AREA_ROUND[key], intro="", topics=[])
            areas.append(area)
            mode = "intro"
            continue
        if area is None:
            continue
        if key.startswith("be ready to go over"):
            mode = "topics"
        elif key.startswith("example questions"):
            mode = "examples"
        elif (bullet := _BULLET.match(line)) and mode == "topics":
            parts = _DASH_SPLIT.split(bullet.group(1), maxsplit=1)
            area.topics.append((parts[0].strip(), parts[1].strip() if len(parts) > 1 else ""))
        elif bullet and mode == "examples":
            text = _strip_quotes(bullet.group(1))
            area.examples.append(text)
            questions.append(Question(text, section.heading, area.title, area.round))
        elif mode == "intro":
            area.intro = (area.intro + " " + line).strip()
    return areas, questions


def _parse_common_questions(section: Section) -> list[Question]:
    questions: list[Question] = []
    group, group_round = "", ""
    for raw in section.text.splitlines():
        line = raw.strip()
        if line.lower() in _GROUP_ROUND:
            group, group_round = line, _GROUP_ROUND[line.lower()]
        elif (bullet := _BULLET.match(line)) and group:
            text = _strip_quotes(bullet.group(1))
            questions.append(Question(text, section.heading, group, _question_round(group_round, text)))
    return questions


def _parse_tips(section: Section) -> list[Tip]:
    tips = []
    for line in section.text.splitlines():
        line = line.strip()
        for title in _TIP_TITLES:
            if line.startswith(title):
                tips.append(Tip(title, line[len(title) :].strip()))
    return tips


def parse_guide(path: Path) -> Guide:
    return parse_guide_text(path.read_text(encoding="utf-8"), path)


def parse_guide_text(text: str, path: Path) -> Guide:
    sections = split_sections(text)
    by_number = {s.number: s for s in sections}
    criteria = _parse_criteria(by_number[2]) if 2 in by_number else []
    areas, area_questions = _parse_areas(by_number[4]) if 4 in by_number else ([], [])
    common = _parse_common_questions(by_number[7]) if 7 in by_number else []
    tips = _parse_tips(by_number[9]) if 9 in by_number else []
    return Guide(path, sections, criteria, areas, area_questions + common, tips)
