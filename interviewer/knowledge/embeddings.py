"""The embedding model: one instance per process, loaded from a local folder only, and only when needed.

`import sentence_transformers` alone takes ~8 s (15 s on busy cores), and it used to sit on the
path to the first question: the index check and the round's plan both embed a query. Now
`load_embeddings` returns a lazy stand-in at once. The sentence-transformers model loads on the
first text it has to encode (or on `warm()`, which the app calls on a background thread), under
one lock, so there is one model per folder whoever asks first. Queries already seen are answered
from a small on-disk cache (`remember_queries`): the plan of a round and the grounding searches
of bank questions use the same queries every time, so a start with the index built embeds
nothing. The cache is keyed by a hash of the text (the text itself is not stored).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

import interviewer.offline  # noqa: F401  (hub access off before sentence-transformers loads)

_lock = threading.Lock()
_cache: dict[str, "LazyEmbeddings"] = {}


class _ThreadRole(threading.local):
    background = False  # True on the threads `background` starts


_role = _ThreadRole()
# Background encodings (the curated texts of questions still to come) run in batches this small and step aside while a
# foreground call (an answer being graded) waits: as one call of a few hundred texts, held under the encoder lock, it
# kept a quick first answer waiting 0.5-0.6 s (browser test in the full suite, load 3; the engine's time to the reply
# 0.61, 0.50, 0.09 s).
BACKGROUND_BATCH = 16
QUERY_CACHE_LIMIT = 4096  # vectors kept on disk (384 floats each: ~6 MB at the limit)
RECENT_LIMIT = 1024  # recent document vectors kept in memory only (answer sentences: grader, follow-up memory, ledger)


class LazyEmbeddings:
    """A langchain `Embeddings` (embed_documents, embed_query) over a sentence-transformers folder, normalised for cosine."""

    def __init__(self, model_path: Path):
        self.model_path = Path(model_path)
        self._model = None
        self._load_lock = threading.Lock()
        self._encode_lock = threading.Lock()
        self._queries: dict[str, list[float]] | None = None
        self._queries_path: Path | None = None
        self._queries_lock = threading.Lock()
        self._dirty = 0
        # The engine encodes each answer sentence twice, for the grader and for the session's follow-up memory:
        # 30% of a turn's time at load 8 before this cache (cProfile of 36 turns: 4.3 s of 14.6 s in the second
        # encoding). Memory only, never written: answers stay out of the data directory.
        self._recent: OrderedDict[str, list[float]] = OrderedDict()
        self._recent_lock = threading.Lock()
        self._foreground = 0  # foreground calls waiting for or holding the encoder
        self._turns = threading.Condition()

    # -- the model --------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._model is not None

    def warm(self):
        """Load the model now (the app calls this on a background thread)."""
        with self._load_lock:
            if self._model is None:
                if not self.model_path.is_dir():
                    raise FileNotFoundError(f"embedding model folder not found: {self.model_path}; run `pip install .` or set INTERVIEWER_EMBEDDING_MODEL")
                from langchain_huggingface import HuggingFaceEmbeddings

                self._model = HuggingFaceEmbeddings(
                    model_name=str(self.model_path),
                    model_kwargs={"device": "cpu", "local_files_only": True},
                    encode_kwargs={"normalize_embeddings": True},
                )
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        texts = list(texts)
        with self._recent_lock:
            found = {t: self._recent[t] for t in texts if t in self._recent}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            model = self.warm()
            vectors = self._encode_in_background(model, missing) if _role.background else self._encode(model, missing)
            with self._recent_lock:
                for text, vector in zip(missing, vectors, strict=True):
                    found[text] = self._recent[text] = list(vector)
                while len(self._recent) > RECENT_LIMIT:
                    self._recent.popitem(last=False)
        return [list(found[t]) for t in texts]

    def _encode(self, model, texts: list[str]) -> list[list[float]]:
        # one encoder call at a time: the fast tokenizer is one Rust object whose truncation/padding state each
        # call resets, and concurrent calls fail with "RuntimeError: Already borrowed" (huggingface/tokenizers#537);
        # the web app's sessions and an interview's background preparation share this model
        with self._turns:
            self._foreground += 1
        try:
            with self._encode_lock:
                return model.embed_documents(texts)
        finally:
            with self._turns:
                self._foreground -= 1
                self._turns.notify_all()

    def _encode_in_background(self, model, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), BACKGROUND_BATCH):
            with self._turns:
                self._turns.wait_for(lambda: self._foreground == 0)
            with self._encode_lock:
                vectors.extend(model.embed_documents(texts[start : start + BACKGROUND_BATCH]))
        return vectors

    # -- queries, remembered ----------------------------------------------------
    def remember_queries(self, path: Path) -> None:
        """Keep query vectors in `path` (an .npz in the data directory); the first caller's path wins."""
        with self._queries_lock:
            if self._queries_path is None:
                self._queries_path = Path(path)

    def _query_store(self) -> dict[str, list[float]]:
        if self._queries is None:
            self._queries = {}
            if self._queries_path is not None:
                import numpy as np

                try:
                    with np.load(self._queries_path, allow_pickle=False) as data:
                        self._queries = {k: v.tolist() for k, v in zip(data["keys"].tolist(), data["vectors"], strict=True)}
                except (OSError, ValueError, KeyError):  # missing or damaged: refilled as queries come
                    self._queries = {}
        return self._queries

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_path.name}\n{text}".encode("utf-8")).hexdigest()[:32]

    def prime(self, texts: list[str]) -> int:
        """Encode, in one batch, the queries of `texts` not remembered yet; returns how many were new."""
        with self._queries_lock:
            store = self._query_store()
            missing = [t for t in dict.fromkeys(texts) if self._key(t) not in store]
        if not missing:
            return 0
        vectors = self.embed_documents(missing)  # the same encoder call embed_query makes, batched
        with self._queries_lock:
            store = self._query_store()
            for text, vector in zip(missing, vectors, strict=True):
                store[self._key(text)] = list(vector)
            self._dirty += len(missing)
        self.flush()
        return len(missing)

    def embed_query(self, text: str) -> list[float]:
        key = self._key(text)
        with self._queries_lock:
            found = self._query_store().get(key)
        if found is not None:
            return list(found)
        model = self.warm()
        with self._encode_lock:
            vector = model.embed_query(text)
        with self._queries_lock:
            store = self._query_store()
            store[key] = list(vector)
            while len(store) > QUERY_CACHE_LIMIT:
                store.pop(next(iter(store)))
            self._dirty += 1
        return vector

    def flush(self) -> None:
        """Write the remembered queries (called after a plan; cheap when nothing changed)."""
        with self._queries_lock:
            if not self._dirty or self._queries_path is None or not self._queries:
                return
            import numpy as np

            path = self._queries_path
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp.npz")
                np.savez(tmp, keys=np.array(list(self._queries), dtype=str), vectors=np.asarray(list(self._queries.values()), dtype=np.float32))
                os.replace(tmp, path)
                self._dirty = 0
            except OSError:  # a read-only or full data directory only costs speed
                pass


def load_embeddings(model_path: Path) -> LazyEmbeddings:
    """The process's embeddings for that folder (lazy: nothing heavy is imported until a text needs encoding)."""
    key = str(model_path)
    with _lock:
        if key not in _cache:
            if not Path(model_path).is_dir():
                raise FileNotFoundError(f"embedding model folder not found: {model_path}; run `pip install .` or set INTERVIEWER_EMBEDDING_MODEL")
            _cache[key] = LazyEmbeddings(Path(model_path))
        return _cache[key]


_background: list[threading.Thread] = []
_stopping = threading.Event()


def background(target, name: str) -> threading.Thread:
    """Start `target` on a daemon thread that the process waits for at exit. A thread still inside torch or
    llama.cpp when the interpreter tears down aborts the process ("terminate called without an active
    exception", seen after the tests once the start-up queries were primed in the background); loops
    check `stopping()` between batches so the wait at exit is one batch at most."""
    def run():
        _role.background = True
        target()

    thread = threading.Thread(target=run, name=name, daemon=True)
    _background.append(thread)
    thread.start()
    return thread


def stopping() -> bool:
    return _stopping.is_set()


@atexit.register
def _finish_background() -> None:
    _stopping.set()
    for thread in list(_background):
        thread.join(timeout=120)  # an import of sentence-transformers or one encoder batch: seconds
    for embeddings in list(_cache.values()):
        embeddings.flush()
