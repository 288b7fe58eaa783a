"""Wiring shared by the CLI, the web app and the evals: settings -> knowledge + model -> Interview."""

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
        from interviewer.llm import load_llm

        return load_llm(self.settings)

    def interview(self, config: InterviewConfig, llm=None) -> Interview:
        return Interview(config, self.knowledge, llm or self.llm, self.settings.prompts_dir, self.settings.temperature)

    @cached_property
    def sessions(self):
        from interviewer.sessions import SessionStore

        return SessionStore(self.settings.data_dir)
