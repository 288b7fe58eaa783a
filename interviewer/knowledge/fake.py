"""A knowledge service for unit tests of the engine's logic: the real curated files, searched and
encoded with hashed bag-of-words vectors held in memory. No Chroma index is built and no embedding
model is loaded, so a test that plans, grades or follows up starts in well under a second.

Texts that share words come out close, which keeps retrieval and grading roughly sensible; it is
not the real model, so phrasing-sensitive thresholds belong in tests against `Knowledge`.
"""

from __future__ import annotations

import hashlib
import re
import threading

import numpy as np

from interviewer.knowledge.bank import CuratedKnowledge
from interviewer.knowledge.chunking import Chunk, chunk_file_text
from interviewer.knowledge.index import BUILTIN_SOURCE, Hit, where_clause
from interviewer.knowledge.loaders import read_text
from interviewer.knowledge.questions_index import question_chunks
from interviewer.knowledge.service import KnowledgeService
from interviewer.settings import Settings

DIMENSIONS = 384  # the real embedding model's size, so arrays have the same shape either way
_WORD = re.compile(r"[a-z0-9]+")


def hashed_vectors(texts: list[str]) -> np.ndarray:
    """One unit-length word-count vector per text, each word hashed to a dimension (stable across processes)."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
            vectors[row, int.from_bytes(digest, "little") % DIMENSIONS] += 1.0
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def _matches(metadata: dict, where: dict | None) -> bool:
    """Chroma's filter forms the engine uses: {key: value}, {key: {"$ne": value}} and {"$and": [...]}."""
    if not where:
        return True
    if "$and" in where:
        return all(_matches(metadata, term) for term in where["$and"])
    for key, wanted in where.items():
        if isinstance(wanted, dict):
            if "$ne" in wanted and metadata.get(key) == wanted["$ne"]:
                return False
        elif metadata.get(key) != wanted:
            return False
    return True


class FakeIndex:
    """The built-in chunks (guides and bank questions, as the real index holds them), searched by cosine."""

    def __init__(self, settings: Settings, curated: CuratedKnowledge):
        # the same chunks as KnowledgeIndex.ingest_builtin
        chunks: list[Chunk] = []
        for guide in sorted((settings.knowledge_dir / "guides").glob("*")):
            if guide.is_file():
                for c in chunk_file_text(read_text(guide), guide):
                    chunks.append(Chunk(c.text, {**c.metadata, "source": BUILTIN_SOURCE, "file": c.metadata["source"]}))
        chunks += question_chunks(curated.questions.values(), BUILTIN_SOURCE)
        self.chunks = list({c.id: c for c in chunks}.values())
        self.vectors = hashed_vectors([c.text for c in self.chunks])

    def count(self) -> int:
        return len(self.chunks)

    def search(self, query: str, k: int = 5, where: dict | None = None) -> list[Hit]:
        scores = self.vectors @ hashed_vectors([query])[0]
        hits = []
        for i in np.argsort(-scores, kind="stable"):
            chunk = self.chunks[i]
            if _matches(chunk.metadata, where):
                m = chunk.metadata
                hits.append(Hit(chunk.id, chunk.text, m.get("section", ""), m.get("round", ""), m.get("kind", ""), float(scores[i]), m))
                if len(hits) == k:
                    break
        return hits


class FakeKnowledge(KnowledgeService):
    def __init__(self, settings: Settings):
        self.settings = settings
        self.curated = CuratedKnowledge(settings.knowledge_dir)
        self.index = FakeIndex(settings, self.curated)
        self._known: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()  # several interviews share one service in the web app tests

    def embed(self, texts: list[str]) -> np.ndarray:
        return hashed_vectors(list(texts))

    def embed_known(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return self.embed([])
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._known]
            self._known.update(zip(missing, self.embed(missing), strict=True))
            return np.stack([self._known[t] for t in texts])

    def embed_cached(self, texts: list[str]) -> np.ndarray:
        return self.embed_known(texts)

    def search(self, query: str, k: int = 5, round_name: str | None = None, kind: str | None = None) -> list[Hit]:
        return self.index.search(query, k=k, where=where_clause(round=round_name, kind=kind))

    def guide_sources(self, text: str, k: int = 2) -> list[Hit]:
        return self.index.search(text, k=k, where={"kind": {"$ne": "question"}})

    def warm(self, background: bool = True) -> threading.Thread | None:
        return None  # nothing to load
