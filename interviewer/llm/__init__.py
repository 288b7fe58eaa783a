"""The language model: one small interface; llama.cpp in-process, an OpenAI-compatible server, and a fake for tests."""

from interviewer.llm.base import LLM, Completion, ModelError, check_gguf
from interviewer.llm.fake import FakeLLM

__all__ = ["LLM", "Completion", "ModelError", "check_gguf", "FakeLLM", "load_llm"]


def load_llm(settings):
    """The model chosen by settings: the in-process GGUF (loaded once per process per path) or a server."""
    if settings.llm_backend == "openai-compatible":
        from interviewer.llm.openai_compat import OpenAICompatibleLLM

        if not settings.llm_base_url:
            raise ModelError("the openai-compatible backend needs a server URL: set INTERVIEWER_LLM_BASE_URL or pass --llm-base-url")
        return OpenAICompatibleLLM(
            settings.llm_base_url,
            model=settings.llm_model_name,
            api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
            n_ctx=settings.n_ctx,
            timeout=settings.llm_timeout,
            allow_remote=settings.allow_remote_llm,
            seed=settings.seed,
        )
    from interviewer.llm.llamacpp import LlamaCppLLM

    return LlamaCppLLM.shared(
        settings.resolved_model_path(), n_ctx=settings.n_ctx, n_threads=settings.n_threads, seed=settings.seed, state_cache_mb=settings.state_cache_mb
    )
