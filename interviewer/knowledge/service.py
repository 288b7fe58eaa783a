"""One object the engine talks to for knowledge: curated data, the index, embeddings."""

from __future__ import annotations

import os
import threading
from functools import cached_property
from pathlib import Path

import numpy as np

from interviewer.knowledge.bank import CuratedKnowledge
from interviewer.knowledge.index import Hit, KnowledgeIndex, where_clause
from interviewer.settings import Settings


class Knowledge:
    def __init__(self, settings: Settings, index: KnowledgeIndex | None = None, ensure_index: bool = True):
        self.settings = settings
        self._vectors_lock = threading.Lock()
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
        """Embeddings of curated text (key points, paraphrases, misconception statements), computed once per process
        and kept on disk in the data directory: the grader compares every answer with about 600 curated sentences, which
        took 20 s to encode at each start of `interviewer grade` on 2 busy cores."""
        with self._vectors_lock:  # several interviews share one Knowledge in the web app
            cache = self._vector_cache()
            missing = [t for t in dict.fromkeys(texts) if t not in cache]
            if missing:
                for text, vector in zip(missing, self.embed(missing)):
                    cache[text] = vector
                self._save_vectors(cache)
            if not texts:
                return self.embed([])
            return np.stack([cache[t] for t in texts])

    def embed_cached(self, texts: list[str]) -> np.ndarray:
        """Like embed_known, in memory only: for the evals, which grade the same labelled answers many times."""
        cache = self.__dict__.setdefault("_answer_vectors", {})  # evals only: one thread
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        for text, vector in zip(missing, self.embed(missing)):
            cache[text] = vector
        return np.stack([cache[t] for t in texts]) if texts else self.embed([])

    @property
    def _vectors_path(self) -> Path:
        model = self.settings.resolved_embedding_path().name
        return self.settings.data_dir / "vectors" / f"curated-{model}.npz"

    def _vector_cache(self) -> dict:
        if "_known_vectors" not in self.__dict__:
            cache: dict = {}
            try:
                with np.load(self._vectors_path, allow_pickle=False) as data:
                    cache = dict(zip(data["texts"].tolist(), data["vectors"]))
            except (OSError, ValueError, KeyError):  # missing or damaged: rebuilt as texts are met
                cache = {}
            self.__dict__["_known_vectors"] = cache
        return self.__dict__["_known_vectors"]

    def _save_vectors(self, cache: dict) -> None:
        path = self._vectors_path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
            np.savez(tmp, texts=np.array(list(cache), dtype=str), vectors=np.stack(list(cache.values())))
            os.replace(tmp, path)
        except OSError:  # a read-only or full data directory only costs speed
            pass

    def search(self, query: str, k: int = 5, round_name: str | None = None, kind: str | None = None) -> list[Hit]:
        return self.index.search(query, k=k, where=where_clause(round=round_name, kind=kind))

    def search_questions(self, query: str, round_name: str, k: int = 40) -> list[Hit]:
        return self.search(query, k=k, round_name=round_name, kind="question")

    def guide_sources(self, text: str, k: int = 2) -> list[Hit]:
        """Guide chunks (not bank questions) nearest a question: where the question is grounded."""
        return self.index.search(text, k=k, where={"kind": {"$ne": "question"}})
