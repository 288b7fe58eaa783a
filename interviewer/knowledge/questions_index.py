"""Curated bank questions as index documents: question text first, then topics and key points."""

from __future__ import annotations

from typing import Iterable

from interviewer.knowledge.bank import BankQuestion
from interviewer.knowledge.chunking import Chunk


def question_document(q: BankQuestion) -> str:
    points = "; ".join(kp.text for kp in q.rubric.key_points)
    return f"{q.text}\nTopics: {', '.join(q.topics)}\nA strong answer covers: {points}"


def question_chunks(questions: Iterable[BankQuestion], source: str) -> list[Chunk]:
    chunks = []
    for q in questions:
        meta = {
            "source": source,
            "kind": "question",
            "round": q.round,
            "section": q.guide_section or f"Question bank > {q.round}",
            "question_id": q.id,
            "topics": "," + ",".join(q.topics) + ",",
            "tracks": "," + ",".join(q.tracks) + ",",
            "difficulty": q.difficulty,
            "origin": q.source,
        }
        chunks.append(Chunk(question_document(q), meta))
    return chunks
