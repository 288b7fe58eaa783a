"""Wiring shared by the CLI, the web app and the evals: settings -> knowledge + model -> Interview.

Cold start loads only what the first question needs (the curated files, the index, cached query
vectors); the chat model and the embedding model load on background threads (`warm()`), and the
model's qualification runs there too. Until it is known, every move uses its template.
"""

from __future__ import annotations

from functools import cached_property

import interviewer.offline  # noqa: F401
from interviewer.interview import Interview, InterviewConfig
from interviewer.knowledge.service import Knowledge
from interviewer.settings import Settings


class App:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()

    @cached_property
    def knowledge(self) -> Knowledge:
        return Knowledge(self.settings)

    @cached_property
    def llm(self):
        """The model, warming in the background (load, then qualification; see llm/warm.py)."""
        from interviewer.llm.warm import WarmModel

        return WarmModel(self.settings)

    def warm(self) -> None:
        """Start loading what the first answer needs: the model (touching `llm`) and the embeddings."""
        self.llm  # noqa: B018  (starts its background load)
        self.knowledge.warm(background=True)

    def interview(self, config: InterviewConfig, llm=None) -> Interview:
        interview = Interview(config, self.knowledge, llm or self.llm, self.settings.prompts_dir, self.settings.temperature)
        model = self.__dict__.get("llm")
        if model is not None and hasattr(model, "loaded"):
            model.loaded()  # a model file llama.cpp cannot load fails here, with its message, before anything is said
        self.knowledge.warm(background=True)  # grading the first answer needs the embedding model: load it while the candidate reads
        return interview

    @cached_property
    def sessions(self):
        from interviewer.sessions import SessionStore

        return SessionStore.from_settings(self.settings)  # sessions_url, else sessions.db in the data dir
