"""What the engine asks of knowledge (curated data, retrieval, embeddings), and the real implementation.

`KnowledgeService` is the interface; `Knowledge` serves it from the Chroma index and the MiniLM
embedding model, `interviewer.knowledge.fake.FakeKnowledge` from hashed bag-of-words vectors in memory
(unit tests of the engine's logic: no index to build, no model to load).
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from interviewer.knowledge.bank import CuratedKnowledge
from interviewer.knowledge.index import Hit, KnowledgeIndex, where_clause
from interviewer.settings import Settings


class SearchIndex(Protocol):
    """The part of an index the engine searches directly (a question's own bank entry, by id)."""

    def search(self, query: str, k: int = 5, where: dict | None = None) -> list[Hit]: ...


class KnowledgeService(ABC):
    """The curated files, search by meaning, and sentence vectors (unit length: a dot product is a cosine)."""

    settings: Settings
    curated: CuratedKnowledge
    index: SearchIndex

    @abstractmethod
    def embed(self, texts: list[str]) -> np.ndarray:
        """One vector per text, encoded now."""

    @abstractmethod
    def embed_known(self, texts: list[str]) -> np.ndarray:
        """Vectors of curated text, which the same texts ask for again and again: cached."""

    @abstractmethod
    def embed_cached(self, texts: list[str]) -> np.ndarray:
        """Vectors of answers the evals grade many times: cached in memory."""

    @abstractmethod
    def search(self, query: str, k: int = 5, round_name: str | None = None, kind: str | None = None) -> list[Hit]:
        """The `k` chunks nearest the query, optionally of one round and one kind."""

    @abstractmethod
    def guide_sources(self, text: str, k: int = 2) -> list[Hit]:
        """Guide chunks (not bank questions) nearest a question: where the question is grounded."""

    @abstractmethod
    def warm(self, background: bool = True) -> threading.Thread | None:
        """Get ready to encode text (the thread doing it, when it runs in the background)."""

    def search_questions(self, query: str, round_name: str, k: int = 40) -> list[Hit]:
        return self.search(query, k=k, round_name=round_name, kind="question")

    def settle(self, timeout: float | None = None) -> None:  # noqa: B027  (a hook: most services start no background work)
        """Wait for the background work this service started itself (none here)."""


class Knowledge(KnowledgeService):
    """The real service: the Chroma index (built or refreshed on first use unless `ensure_index=False`) and the
    embedding model (loaded on the first text it has to encode)."""

    def __init__(self, settings: Settings, index: KnowledgeIndex | None = None, ensure_index: bool = True):
        self.settings = settings
        self._vectors_lock = threading.Lock()
        self._warming: threading.Thread | None = None  # the embedding model loading in the background
        self._known_vectors: dict[str, np.ndarray] | None = None  # curated text -> vector, read from disk on first use
        self._answer_vectors: dict[str, np.ndarray] = {}  # evals only: one thread
        self._vectors_dirty = False  # the curated vectors hold texts not yet on disk
        self._vectors_saver: threading.Thread | None = None
        self.curated = CuratedKnowledge(settings.knowledge_dir)
        try:
            self.embeddings.remember_queries(self._queries_path)  # before the index check or a plan embeds a query
        except FileNotFoundError:  # no embedding model: reported by whatever needs one
            pass
        self.index = index or KnowledgeIndex(settings)
        self._priming: threading.Thread | None = None
        if ensure_index and self.index.ensure():
            # the model is loaded for the build anyway: remember the start-up queries so later starts embed nothing;
            # in the background (289 encodings, ~60 s at load 13), in small batches so a plan's own query gets through
            from interviewer.knowledge.embeddings import background

            self._priming = background(self._prime_quietly, "interviewer-prime-queries")

    def settle(self, timeout: float | None = None) -> None:
        """Wait for the start-up queries to be remembered after a build (the server does before it serves) and for
        the curated vectors to be on disk."""
        for thread in (self._priming, self._vectors_saver):
            if thread is not None:
                thread.join(timeout)

    @cached_property
    def embeddings(self):
        """Lazy: the model loads on the first text that is not already cached (see embeddings.py), or on warm()."""
        from interviewer.knowledge.embeddings import load_embeddings

        return load_embeddings(self.settings.resolved_embedding_path())

    def prime_queries(self) -> int:
        """Remember the vectors of the queries every start makes: each bank question's text (its grounding
        search) and each round's plan query per track without resume or job description. ~300 texts in one
        batch; afterwards a start with the index built needs no embedding model before the first question."""
        from interviewer.interview.plan import build_query
        from interviewer.interview.rounds import ROUNDS

        texts = [q.text for q in self.curated.questions.values()]
        for track_id, track in self.curated.tracks.items():
            track_text = f"{track.name}: {', '.join(track.emphasis)}" if track_id != "general" else ""
            texts += [build_query(name, track_text, [], []) for name in ROUNDS if name != "onsite"]
        from interviewer.knowledge.embeddings import stopping

        return sum(self.embeddings.prime(texts[i : i + 32]) for i in range(0, len(texts), 32) if not stopping())

    def _prime_quietly(self) -> None:
        try:
            self.prime_queries()
        except Exception:  # only speed is at stake: a query not remembered is encoded when it comes
            pass

    def warm(self, background: bool = True) -> threading.Thread | None:
        """Load the embedding model, on a background thread by default: the first question does not need it
        (its queries are cached), the grading of the first answer does. One model per folder, under its lock."""

        def load():
            try:
                self.embeddings.warm()
            except Exception:  # reported when a text really needs encoding (doctor names the fix)
                pass

        if not background:
            self.embeddings.warm()
            return None
        try:
            embeddings = self.embeddings
        except FileNotFoundError:  # no embedding model: reported by whatever needs one
            return None
        with self._vectors_lock:
            running = self._warming
            if embeddings.loaded or (running is not None and running.is_alive()):
                return running
            from interviewer.knowledge.embeddings import background

            self._warming = background(load, "interviewer-embeddings-warm")
            return self._warming

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self.embeddings.embed_documents(list(texts)), dtype=np.float32)

    def embed_known(self, texts: list[str]) -> np.ndarray:
        """Embeddings of curated text (key points, paraphrases, misconception statements), computed once per process
        and kept on disk in the data directory: the grader compares every answer with about 600 curated sentences, which
        took 20 s to encode at each start of `interviewer grade` on 2 busy cores."""
        if not texts:
            return self.embed([])
        with self._vectors_lock:  # several interviews share one Knowledge in the web app
            cache = self._vector_cache()
            missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            # encoded outside the lock: an interview preparing its next questions in the background
            # (1-4 s of encoding on busy cores) must not hold up another one grading an answer
            vectors = self.embed(missing)
            with self._vectors_lock:
                for text, vector in zip(missing, vectors, strict=True):
                    cache[text] = vector
            self._save_vectors_soon()
        with self._vectors_lock:
            return np.stack([cache[t] for t in texts])

    def embed_cached(self, texts: list[str]) -> np.ndarray:
        """Like embed_known, in memory only: for the evals, which grade the same labelled answers many times."""
        cache = self._answer_vectors
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        for text, vector in zip(missing, self.embed(missing), strict=True):
            cache[text] = vector
        return np.stack([cache[t] for t in texts]) if texts else self.embed([])

    @property
    def _queries_path(self) -> Path:
        return self.settings.data_dir / "vectors" / f"queries-{self.settings.resolved_embedding_path().name}.npz"

    @property
    def _vectors_path(self) -> Path:
        model = self.settings.resolved_embedding_path().name
        return self.settings.data_dir / "vectors" / f"curated-{model}.npz"

    def _vector_cache(self) -> dict:
        if self._known_vectors is None:
            try:
                with np.load(self._vectors_path, allow_pickle=False) as data:
                    self._known_vectors = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
            except (OSError, ValueError, KeyError):  # missing or damaged: rebuilt as texts are met
                self._known_vectors = {}
        return self._known_vectors

    def _save_vectors_soon(self) -> None:
        """Write the cache to disk from a background thread, once more if texts arrive meanwhile. Rewriting the 31 MB
        file took 110 ms, on the answer path whenever a curated text was met for the first time."""
        from interviewer.knowledge.embeddings import background

        with self._vectors_lock:
            self._vectors_dirty = True
            if self._vectors_saver is not None and self._vectors_saver.is_alive():
                return
            self._vectors_saver = background(self._save_vectors, "interviewer-save-vectors")

    def _save_vectors(self) -> None:
        path = self._vectors_path
        while True:
            with self._vectors_lock:
                if not self._vectors_dirty:
                    self._vectors_saver = None
                    return
                self._vectors_dirty = False
                cache = self._known_vectors or {}
                texts, vectors = list(cache), list(cache.values())
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
                np.savez(tmp, texts=np.array(texts, dtype=str), vectors=np.stack(vectors))
                os.replace(tmp, path)
            except OSError:  # a read-only or full data directory only costs speed
                pass

    def search(self, query: str, k: int = 5, round_name: str | None = None, kind: str | None = None) -> list[Hit]:
        hits = self.index.search(query, k=k, where=where_clause(round=round_name, kind=kind))
        self.embeddings.flush()  # a new query's vector is on disk for the next start
        return hits

    def guide_sources(self, text: str, k: int = 2) -> list[Hit]:
        hits = self.index.search(text, k=k, where={"kind": {"$ne": "question"}})
        self.embeddings.flush()
        return hits
