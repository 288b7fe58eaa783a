"""Round definitions: how long a round is, how many main questions fit, which bank it draws on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoundSpec:
    name: str
    title: str
    minutes: int
    minutes_per_question: int  # a main question with its follow-ups
    focus: str  # what retrieval looks for, in words

    @property
    def main_questions(self) -> int:
        return max(1, self.minutes // self.minutes_per_question)


ROUNDS: dict[str, RoundSpec] = {
    r.name: r
    for r in (
        RoundSpec("phone-screen", "Technical phone screen", 30, 7, "background, quick ML concepts and light coding"),
        RoundSpec("coding", "Coding and algorithms", 45, 20, "data structures, algorithms and practical ML coding"),
        RoundSpec("ml-fundamentals", "Machine learning fundamentals", 45, 10, "ML theory, math foundations, training and evaluation"),
        RoundSpec("ml-system-design", "ML system design", 45, 20, "end-to-end ML system design, data, deployment, on-device constraints"),
        RoundSpec("genai", "GenAI and LLMs", 45, 10, "transformers, attention, LLM training, fine-tuning, RLHF, RAG"),
        RoundSpec("behavioral", "Behavioral", 45, 10, "collaboration, conflict, ownership, communication, product mindset"),
        RoundSpec("resume-deep-dive", "Resume deep dive", 45, 10, "a project from the resume, choices, data, results, lessons"),
        RoundSpec("hiring-manager", "Hiring manager", 45, 10, "passion for the product, team alignment, impact, leadership"),
    )
}

# The onsite loop: five back-to-back rounds covering different signals (guide section 3).
ONSITE = ("coding", "ml-fundamentals", "ml-system-design", "genai", "behavioral")
ONSITE_QUESTIONS = {"coding": 1, "ml-system-design": 1}  # the rest get 2 each in a mock loop
ALL_ROUNDS = tuple(ROUNDS) + ("onsite",)
