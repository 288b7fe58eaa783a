"""The embedding model: one instance per process, loaded from a local folder only."""

from __future__ import annotations

import threading
from pathlib import Path

import interviewer.offline  # noqa: F401  (hub access off before sentence-transformers loads)

_lock = threading.Lock()
_cache: dict[str, object] = {}


def load_embeddings(model_path: Path):
    """A langchain `Embeddings` over a sentence-transformers folder, normalised for cosine."""
    key = str(model_path)
    with _lock:
        if key not in _cache:
            if not Path(model_path).is_dir():
                raise FileNotFoundError(f"embedding model folder not found: {model_path}; run `pip install .` or set INTERVIEWER_EMBEDDING_MODEL")
            from langchain_huggingface import HuggingFaceEmbeddings

            _cache[key] = HuggingFaceEmbeddings(
                model_name=key,
                model_kwargs={"device": "cpu", "local_files_only": True},
                encode_kwargs={"normalize_embeddings": True},
            )
        return _cache[key]
