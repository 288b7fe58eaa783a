"""The LLM judge: asked only when the text and embedding checks cannot decide, greedy, one word out.

The default model is small, so the judge decides few cases and the report names it and counts
its calls; a larger `--model` judges better through the same prompt.
"""

from __future__ import annotations

import re

JUDGE_SYSTEM = "You review interview transcripts. Reply with one word: yes or no."
JUDGE_STEP = (
    "Candidate's answer: <answer>{answer}</answer>\n"
    "Interviewer's next question: <question>{question}</question>\n"
    "Does the interviewer's question follow up on something specific the candidate said? Reply yes or no."
)


class LLMJudge:
    def __init__(self, llm):
        self.llm = llm
        self.calls = 0
        self.model = getattr(llm, "name", "unknown")

    def refers_to(self, answer: str, question: str) -> bool | None:
        """True/False from the model's first word; None when it said neither."""
        self.calls += 1
        messages = [
            {"role": "system", "content": JUDGE_SYSTEM},
            {"role": "user", "content": JUDGE_STEP.format(answer=answer[:800], question=question[:400])},
        ]
        completion = self.llm.complete(messages, max_tokens=3, temperature=0.0, stop=["\n"])
        word = re.findall(r"[a-z]+", completion.text.lower())
        if word and word[0] == "yes":
            return True
        if word and word[0] == "no":
            return False
        return None
