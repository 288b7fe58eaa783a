"""Wiring shared by the CLI, the web app and the evals: settings -> knowledge + model -> Interview.

Cold start loads only what the first question needs (the curated files, the index, cached query
vectors); the chat model and the embedding model load on background threads (`warm()`), and the
model's qualification runs there too. Until it is known, every move uses its template.
Tests pass their own knowledge service or model (`App(settings, knowledge=FakeKnowledge(...), llm=FakeLLM())`).
"""

from __future__ import annotations

import threading
from functools import cached_property

import interviewer.offline  # noqa: F401
from interviewer.interview import Interview, InterviewConfig
from interviewer.knowledge.service import Knowledge, KnowledgeService
from interviewer.llm import LLM
from interviewer.settings import Settings


class App:
    def __init__(self, settings: Settings | None = None, knowledge: KnowledgeService | None = None, llm: LLM | None = None):
        self.settings = settings or Settings()
        self._knowledge = knowledge  # None until first needed, then the real one
        self._model = llm  # None until first needed, then the real one (loading in the background)
        # the web app's sessions ask from several threads: one of each, ever; two locks, so a model asked for
        # while the index builds (minutes on first use) is not held up by it
        self._knowledge_lock = threading.Lock()
        self._model_lock = threading.Lock()

    @property
    def knowledge(self) -> KnowledgeService:
        with self._knowledge_lock:
            if self._knowledge is None:
                self._knowledge = Knowledge(self.settings)
            return self._knowledge

    @property
    def llm(self) -> LLM:
        """The model, warming in the background (load, then qualification; see llm/warm.py)."""
        with self._model_lock:
            if self._model is None:
                from interviewer.llm.warm import WarmModel

                self._model = WarmModel(self.settings)
            return self._model

    def warm(self) -> None:
        """Start loading what the first answer needs: the model (creating it starts its background load) and the embeddings."""
        self.llm  # noqa: B018  (starts its background load)
        self.knowledge.warm(background=True)

    def interview(self, config: InterviewConfig, llm: LLM | None = None) -> Interview:
        model = llm or self.llm  # first: the weights load (in C, without the GIL) while the index opens
        interview = Interview(config, self.knowledge, model, self.settings.prompts_dir, self.settings.temperature)
        if self._model is not None:
            self._model.loaded()  # a model file llama.cpp cannot load fails here, with its message, before anything is said
        self.knowledge.warm(background=True)  # grading the first answer needs the embedding model: load it while the candidate reads
        return interview

    @cached_property
    def sessions(self):
        from interviewer.sessions import SessionStore

        return SessionStore.from_settings(self.settings)  # sessions_url, else sessions.db in the data dir
