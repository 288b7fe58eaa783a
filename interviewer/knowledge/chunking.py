"""Section-aware chunks with deterministic ids and the metadata retrieval filters on.

Metadata keys (all strings, as Chroma stores scalars): source, section, round, kind;
curated questions add topics, tracks, difficulty and origin as comma-joined strings.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from interviewer.knowledge.guide import Guide, split_sections

MAX_CHARS = 900

_ROUND_CUES = (
    ("genai", r"\b(llm|genai|generative|transformer|attention|rlhf|lora|retrieval augmented|rag)\b"),
    ("ml-system-design", r"\b(system design|design a|architect|deployment|pipeline|on-device|a/b test)"),
    ("coding", r"\b(coding|algorithm|data structure|complexity|big o|implement a function|leetcode)"),
    ("behavioral", r"\b(behavioral|behavioural|tell me about a time|culture|disagreement|star method)"),
    ("resume-deep-dive", r"\b(resume|résumé|past project|deep dive)"),
    ("ml-fundamentals", r"\b(regularization|gradient|loss function|precision|recall|overfitting|bias-variance|backpropagation)"),
)


@dataclass
class Chunk:
    text: str
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        key = "\x1f".join([self.metadata.get("source", ""), self.metadata.get("kind", ""), self.metadata.get("section", ""), self.text])
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def infer_round(text: str) -> str:
    low = text.lower()
    for round_name, pattern in _ROUND_CUES:
        if re.search(pattern, low):
            return round_name
    return "general"


def _pack(paragraphs: list[str], limit: int = MAX_CHARS) -> list[str]:
    """Greedily pack paragraphs into pieces of at most `limit` characters (a long paragraph is split on sentences)."""
    pieces: list[str] = []
    current = ""
    for para in paragraphs:
        parts = [para] if len(para) <= limit else re.split(r"(?<=[.!?])\s+", para)
        for part in parts:
            if current and len(current) + len(part) + 1 > limit:
                pieces.append(current)
                current = ""
            current = f"{current}\n{part}".strip() if current else part
    if current:
        pieces.append(current)
    return pieces


def chunk_guide(guide: Guide, source: str) -> list[Chunk]:
    """Chunks for a guide laid out like the Apple MLE guide: sections, criteria, areas, questions, tips."""
    chunks: list[Chunk] = []

    def add(text: str, section: str, round_name: str, kind: str) -> None:
        chunks.append(Chunk(text, {"source": source, "section": section, "round": round_name, "kind": kind}))

    structured = {2, 4, 7, 9}
    for sec in guide.sections:
        if sec.number not in structured:
            for piece in _pack([p for p in sec.text.splitlines() if p.strip()]):
                add(f"{sec.heading}\n{piece}", sec.heading, "general", "section")
    s2, s4, s7, s9 = (guide.section(n).heading for n in (2, 4, 7, 9))
    intro2 = guide.section(2).text.split("Key Evaluation Criteria")[0].strip()
    add(f"{s2}\n{intro2}", s2, "general", "section")
    for number in (4, 7):  # the paragraph before the first area or question group
        intro = guide.section(number).text.split("\n")[0].strip()
        add(f"{guide.section(number).heading}\n{intro}", guide.section(number).heading, "general", "section")
    for crit in guide.criteria:
        add(f"Evaluation criterion: {crit.name}\n{crit.description}", f"{s2} > Key Evaluation Criteria", "general", "criterion")
    for area in guide.areas:
        path = f"{s4} > {area.title}"
        add(f"{area.title}\n{area.intro}", path, area.round, "area")
        topics = "\n".join(f"- {t}: {d}" for t, d in area.topics)
        add(f"{area.title}: be ready to go over\n{topics}", path, area.round, "topics")
        for example in area.examples:
            add(example, path, area.round, "example")
    for q in guide.questions:
        if q.section == s7:
            add(q.text, f"{s7} > {q.group}", q.round, "example")
    for tip in guide.tips:
        add(f"{tip.title}\n{tip.text}", f"{s9} > {tip.title}", "resume-deep-dive" if "Resume" in tip.title else "ml-system-design" if "Device" in tip.title else "general", "tip")
    return chunks


def _markdown_sections(text: str) -> list[tuple[str, str]]:
    sections: list[tuple[str, str]] = []
    title, body = "", []
    for line in text.splitlines():
        if re.match(r"^#{1,6}\s+\S", line):
            if body or title:
                sections.append((title, "\n".join(body)))
            title, body = line.lstrip("#").strip(), []
        else:
            body.append(line)
    sections.append((title, "\n".join(body)))
    return sections


def chunk_text(text: str, source: str) -> list[Chunk]:
    """Chunks for any other guide: split on markdown or numbered headings, then pack paragraphs."""
    numbered = split_sections(text)
    if len(numbered) >= 2:
        sections = [(s.heading, s.text) for s in numbered]
    else:
        sections = _markdown_sections(text)
    chunks = []
    for title, body in sections:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n(?=[-*•] )", body) if p.strip()]
        for piece in _pack(paragraphs):
            text_with_title = f"{title}\n{piece}" if title else piece
            chunks.append(Chunk(text_with_title, {"source": source, "section": title or "(untitled)", "round": infer_round(text_with_title), "kind": "section"}))
    return chunks


def chunk_file_text(text: str, path: Path) -> list[Chunk]:
    from interviewer.knowledge.guide import parse_guide_text

    guide = parse_guide_text(text, path)
    if guide.areas and guide.criteria and len(guide.sections) >= 9:
        return chunk_guide(guide, path.name)
    return chunk_text(text, path.name)
