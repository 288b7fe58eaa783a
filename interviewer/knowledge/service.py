"""One object the engine talks to for knowledge: curated data, the index, embeddings."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from interviewer.knowledge.bank import CuratedKnowledge
from interviewer.knowledge.index import Hit, KnowledgeIndex, where_clause
from interviewer.settings import Settings


class Knowledge:
    def __init__(self, settings: Settings, index: KnowledgeIndex | None = None, ensure_index: bool = True):
        self.settings = settings
        self.curated = CuratedKnowledge(settings.knowledge_dir)
        self.index = index or KnowledgeIndex(settings)
        if ensure_index:
            self.index.ensure()

    @cached_property
    def embeddings(self):
        from interviewer.knowledge.embeddings import load_embeddings

        return load_embeddings(self.settings.resolved_embedding_path())

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self.embeddings.embed_documents(list(texts)), dtype=np.float32)

    def embed_known(self, texts: list[str]) -> np.ndarray:
        """Embeddings of curated text (key points, follow-up angles), computed once per process."""
        cache = self.__dict__.setdefault("_known_vectors", {})
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            for text, vector in zip(missing, self.embed(missing)):
                cache[text] = vector
        if not texts:
            return self.embed([])
        return np.stack([cache[t] for t in texts])

    def search(self, query: str, k: int = 5, round_name: str | None = None, kind: str | None = None) -> list[Hit]:
        return self.index.search(query, k=k, where=where_clause(round=round_name, kind=kind))

    def search_questions(self, query: str, round_name: str, k: int = 40) -> list[Hit]:
        return self.search(query, k=k, round_name=round_name, kind="question")

    def guide_sources(self, text: str, k: int = 2) -> list[Hit]:
        """Guide chunks (not bank questions) nearest a question: where the question is grounded."""
        return self.index.search(text, k=k, where={"kind": {"$ne": "question"}})
