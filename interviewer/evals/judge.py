"""The LLM judge: asked only when the text and embedding checks cannot decide, greedy, one word out.

Before its first verdict the judge must pass a small qualification: hand-labelled cases with a
known answer. A model that fails it (the default 135M model answers "No" to everything) gives no
verdicts, and the check falls back to its deterministic rule; the report says which happened.
A larger `--model` qualifies and judges through the same prompt.
"""

from __future__ import annotations

import re

from interviewer.llm.base import LLM

JUDGE_SYSTEM = "You review interview transcripts. Reply with one word: yes or no."
JUDGE_STEP = (
    "Candidate's answer: <answer>{answer}</answer>\n"
    "Interviewer's next question: <question>{question}</question>\n"
    "Does the interviewer's question follow up on something specific the candidate said? Reply yes or no."
)

# (answer, follow-up, does the follow-up take up the answer?)
QUALIFICATION = [
    ("I used class weights and SMOTE oversampling on the training split.", "How do you correct the probabilities after oversampling with SMOTE?", True),
    ("We rolled back the model first and fixed the data pipeline the next day.", "What made you roll back before you knew the root cause?", True),
    ("I quantized the model to 8 bits with Core ML and it ran in 12 ms.", "How did you check that 8-bit quantization did not hurt accuracy?", True),
    ("I like cooking pasta on weekends with my family.", "How does the KV cache reduce the cost of decoding?", False),
    ("The hardest part was keeping state between streaming audio windows.", "Which sorting algorithm would you use for a nearly sorted list?", False),
    ("We measured recall at a fixed precision of 95 percent.", "What is your favourite programming language?", False),
]


def _verdict(text: str) -> bool | None:
    words = re.findall(r"[a-z]+", text.lower())
    if words and words[0] == "yes":
        return True
    if words and words[0] == "no":
        return False
    return None


class LLMJudge:
    def __init__(self, llm: LLM):
        self.llm = llm
        self.model = llm.name
        self.calls = 0
        self.verdicts = 0
        self.qualified: bool | None = None  # None until first needed
        self.qualification = ""

    def _ask(self, answer: str, question: str) -> bool | None:
        self.calls += 1
        messages = [
            {"role": "system", "content": JUDGE_SYSTEM},
            {"role": "user", "content": JUDGE_STEP.format(answer=answer[:800], question=question[:400])},
        ]
        return _verdict(self.llm.complete(messages, max_tokens=3, temperature=0.0, stop=["\n"]).text)

    def qualify(self) -> bool:
        """All hand-labelled cases right, or the judge is not used this run."""
        right = sum(self._ask(a, q) == expected for a, q, expected in QUALIFICATION)
        self.qualification = f"{right}/{len(QUALIFICATION)} qualification cases right"
        self.qualified = right == len(QUALIFICATION)
        return self.qualified

    def refers_to(self, answer: str, question: str) -> bool | None:
        """True/False when the judge is qualified and said yes/no; None otherwise (the caller decides)."""
        if self.qualified is None:
            self.qualify()
        if not self.qualified:
            return None
        verdict = self._ask(answer, question)
        if verdict is not None:
            self.verdicts += 1
        return verdict

    def summary(self) -> dict:
        return {
            "model": self.model,
            "qualified": self.qualified,
            "qualification": self.qualification or "not needed: no case reached the judge",
            "calls": self.calls,
            "verdicts": self.verdicts,
            "used_for": "follow-up context-awareness when the text and embedding checks cannot decide",
        }
