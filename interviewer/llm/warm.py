"""The app's model, loaded and qualified in the background so the first question does not wait for it.

Cold start used to load the GGUF, and the engine then waited for the model's wording of the
opening before the first question (10 s to the first question, issue 17). Now the file is
checked at once (a missing or foreign file still fails the command), llama.cpp loads it on a
background thread, and the qualification suite runs there too. Until the verdict is known every
move uses its template, so nothing waits for the model; a call that does need it (doctor, the
bench) waits for the load. There is still one model per path (`LlamaCppLLM.shared`, behind its
lock), whoever asks first.
"""

from __future__ import annotations

import threading
from pathlib import Path

from interviewer.llm.base import FAILED, LLM, LOADING, QUALIFYING, READY, LLMWrapper, ModelError, check_gguf

__all__ = ["WarmModel", "phrased_moves", "LOADING", "QUALIFYING", "READY", "FAILED"]


class WarmModel(LLMWrapper):
    """The app's model while it loads and qualifies: what is known from the settings and the file is
    answered at once; everything else goes to the loaded model (`inner`), waiting for the load."""

    def __init__(self, settings, loader=None, qualifier=None, start: bool = True):
        from interviewer.llm import load_llm
        from interviewer.llm.qualify import qualify

        self.settings = settings
        self._loader = loader or load_llm
        self._qualifier = qualifier or qualify
        self._loaded = threading.Event()
        self._done = threading.Event()
        self._model: LLM | None = None
        self.error: Exception | None = None
        self.qualification = None
        self._state = LOADING
        if settings.llm_backend == "openai-compatible":
            self._model = self._loader(settings)  # a client, no weights: cheap, and its settings errors belong to the command
            self._path = None
            self._name = self._model.name
            self._loaded.set()
            self._state = QUALIFYING
        else:
            self._path = check_gguf(settings.resolved_model_path())  # fails now, with the fix, as before
            self._name = self._path.stem
        self._thread = threading.Thread(target=self._warm, name="interviewer-model-warm", daemon=True)
        if start:
            self.start()

    # -- background -------------------------------------------------------------
    def _warm(self) -> None:
        try:
            if self._model is None:
                self._model = self._loader(self.settings)
                self._loaded.set()
                self._state = QUALIFYING
            self.qualification = self._qualifier(self._model, self.settings)
            self._state = READY
        except Exception as exc:  # shown by doctor and the Setup tab; the interview goes on with its templates
            self.error = exc
            self._state = FAILED
        finally:
            self._loaded.set()
            self._done.set()

    def start(self) -> "WarmModel":
        if not self._thread.is_alive() and not self._done.is_set():
            from interviewer.knowledge.embeddings import _background

            _background.append(self._thread)  # waited for at exit: a llama.cpp call must not outlive the interpreter
            self._thread.start()
        return self

    def wait_until_warm(self, timeout: float | None = None) -> bool:
        """Until loaded and qualified (or failed); False on timeout."""
        return self._done.wait(timeout)

    @property
    def inner(self) -> LLM:
        """The loaded model, waiting for the load if it is still running."""
        self._loaded.wait()
        if self._model is None:
            raise self.error if isinstance(self.error, ModelError) else ModelError(f"the model could not be loaded: {self.error}")
        return self._model

    # -- known before the load ----------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def backend(self) -> str:
        return self.settings.llm_backend

    @property
    def n_ctx(self) -> int:
        return self.settings.n_ctx

    @property
    def temperature(self) -> float:
        return self.settings.temperature

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def state(self) -> str:
        return self._state

    @property
    def warm(self) -> bool:
        return self._done.is_set()

    @property
    def phrased_moves(self) -> frozenset[str]:
        """Moves the model words. Empty until qualified: a move is templated until the model has shown it can word it."""
        return self.qualification.phrased if self.qualification is not None else frozenset()

    @property
    def queue_length(self) -> int:
        return self._model.queue_length if self._model is not None else 0

    def loaded(self) -> "WarmModel":
        """Wait for the weights (not the qualification); a file llama.cpp cannot load raises ModelError here, as the
        synchronous load did. The app calls this once the interview is built: the load (~0.3 s) ran meanwhile."""
        self.inner  # noqa: B018
        return self

    def count_tokens(self, text: str) -> int:
        """The model's own count. Waits for the load if it is still running: the weights take ~0.3 s (SmolLM2,
        measured) and load while the knowledge opens and the round is planned, so the first question does not
        wait in practice. (A vocab-only tokenizer was tried; llama.cpp prints a context warning for it.)"""
        if self._path is None and self._model is None:
            return max(1, len(text) // 4)
        return self.inner.count_tokens(text)

    def info(self) -> dict:
        if self._model is not None:
            info = dict(self._model.info())
        else:
            info = {"name": self.name, "path": str(self._path), "size_mb": round(Path(self._path).stat().st_size / 1e6, 1),
                    "backend": self.backend, "n_ctx": self.n_ctx}
        info["state"] = self.state
        info["phrased_moves"] = sorted(self.phrased_moves)
        if self.qualification is not None:
            info["qualification"] = self.qualification.summary()
        if self.error is not None:
            info["error"] = f"{self.error.__class__.__name__}: {self.error}"
        return info

    def status_line(self) -> str:
        """What the Setup tab and the CLI say about the model right now."""
        if self.state == LOADING:
            return "The model is loading; the interviewer uses its templates until it is ready (you can start now)."
        if self.state == QUALIFYING:
            return "The model is being checked on a short phrasing test (first use of this model file); the interviewer uses its templates meanwhile (you can start now)."
        if self.state == FAILED:
            return f"The model is unavailable ({self.error}); the interviewer uses its templates."
        return self.qualification.summary()


def phrased_moves(llm: LLM | None) -> frozenset[str]:
    """Moves `llm` may word: its qualification when it has one (the app's model), every move for a bare
    model (a test's fake, an eval's model passed in directly: unchanged behaviour); none without a model."""
    return frozenset() if llm is None else frozenset(llm.phrased_moves)
