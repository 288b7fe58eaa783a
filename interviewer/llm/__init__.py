"""The language model: one small interface; llama.cpp in-process, an OpenAI-compatible server, and a fake for tests."""

import os

# llama.cpp's CPU backend and PyTorch (the embeddings) share libgomp, whose idle threads by default
# spin about 300,000 times after each parallel region. When the cores are busy (other programs,
# other sessions) the spinning threads take the cores llama.cpp's threads need: decoding fell from
# ~33 to 1-5 tokens/s, and right after an embedding call to under 1 (docs/performance.md). A short
# spin keeps both fast. libgomp reads this when it loads, so it is set before torch or llama_cpp is
# imported (the engine imports this package first); an explicit value in the environment wins.
os.environ.setdefault("GOMP_SPINCOUNT", "1000")

from interviewer.llm.base import LLM, Completion, LLMWrapper, ModelError, check_gguf
from interviewer.llm.fake import FakeLLM

__all__ = ["LLM", "LLMWrapper", "Completion", "ModelError", "check_gguf", "FakeLLM", "load_llm"]


def load_llm(settings) -> LLM:
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
            temperature=settings.temperature,
        )
    from interviewer.llm.llamacpp import LlamaCppLLM

    return LlamaCppLLM.shared(
        settings.resolved_model_path(), n_ctx=settings.n_ctx, n_threads=settings.n_threads, seed=settings.seed, state_cache_mb=settings.state_cache_mb,
        temperature=settings.temperature,
    )
