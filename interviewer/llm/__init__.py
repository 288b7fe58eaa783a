"""The language model: one small interface, a llama.cpp implementation and a fake for tests."""

from interviewer.llm.base import LLM, Completion, ModelError, check_gguf
from interviewer.llm.fake import FakeLLM

__all__ = ["LLM", "Completion", "ModelError", "check_gguf", "FakeLLM", "load_llm"]


def load_llm(settings):
    """The model chosen by settings, loaded once per process per path."""
    from interviewer.llm.llamacpp import LlamaCppLLM

    return LlamaCppLLM.shared(settings.resolved_model_path(), n_ctx=settings.n_ctx, n_threads=settings.n_threads, seed=settings.seed)
