"""Bounded use of the LLM: it phrases a step the engine chose; code validates; templates back it up.

Nothing the model writes reaches the candidate before it passes validation, so a
small model can only make the wording plainer, never wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from interviewer.llm.base import LLM, Completion, Message

_YES_NO_START = re.compile(r"^(is|are|was|were|do|does|did|can|could|would|will|have|has|had|should|shall|am)\b", re.I)
_BANNED = re.compile(
    r"\b(great|excellent|perfect|amazing|awesome|impressive|fantastic|wonderful|brilliant|game[- ]changer|correct|incorrect|wrong|right answer|"
    r"score|rubric|key points?|as an ai|language model|i am an ai|the answer is|you should have|hint|assistant|smollm)\b",
    re.I,
)
_PREFIX = re.compile(r"^\s*(interviewer|assistant|question|follow[- ]up)\s*[:\-]\s*", re.I)


@dataclass
class Phrased:
    text: str
    source: str  # llm | template
    completion: Completion | None
    rejected: str | None = None  # why the model's wording was refused


class Prompts:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._cache: dict[str, str] = {}

    def get(self, name: str) -> str:
        if name not in self._cache:
            path = self.folder / f"{name}.txt"
            try:
                self._cache[name] = path.read_text(encoding="utf-8").strip()
            except FileNotFoundError as exc:
                raise FileNotFoundError(f"prompt template missing: {path}") from exc
        return self._cache[name]

    def render(self, name: str, **fields: str) -> str:
        text = self.get(name)
        for key, value in fields.items():
            text = text.replace("{" + key + "}", value)
        return text


def followup_step(prompts: "Prompts", angle: str, anchor: str) -> str:
    """The step that asks the model to word a follow-up: the engine and the qualification suite share it."""
    anchor_line = f'Build on their words "{anchor}" and include them.\n' if anchor else ""
    return prompts.render("followup", angle=angle, anchor_line=anchor_line)


def clean_output(text: str) -> str:
    text = text.strip().split("\n")[0].strip()
    text = _PREFIX.sub("", text)
    return text.strip().strip('"\u201c\u201d').strip()


def _ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    toks = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def leaks(text: str, secrets: list[str], n: int = 5) -> bool:
    grams = _ngrams(text, n)
    return any(grams & _ngrams(s, n) for s in secrets)


_META = re.compile(
    r"\b(candidate|sentence|instruction|prompt|greet(ing)?|the user|question must|here is|follow-up question|your resume|"
    r"you asked|the question you|the ai|an ai|glad)\b",
    re.I,
)
_QUOTES = re.compile(r"[\"\u201c\u201d]")
_FIRST_PERSON = re.compile(r"\b(i|i'm|i\u2019m|i've|my|we|our|us)\b", re.I)


def check_statement(text: str, secrets: list[str], step: str = "") -> str | None:
    """A neutral remark: None when acceptable, else the reason it is not."""
    words = text.split()
    if not 3 <= len(words) <= 30:
        return f"length {len(words)} words"
    if "?" in text:
        return "asks a question"
    if text.endswith(":") or _META.search(text) or (step and leaks(text, [step], 3)):
        return "echoes the instruction"
    if _QUOTES.search(text) or _FIRST_PERSON.search(re.sub(r"\blet'?s\b|\blet us\b|\bwe'll\b|\bwe will\b", "", text, flags=re.I)):
        return "quotes or speaks for someone"
    if _BANNED.search(text):
        return f"judgement or meta talk: {_BANNED.search(text).group(0)!r}"
    if re.search(r"\d", text):
        return "invents numbers"
    if leaks(text, secrets):
        return "leaks the rubric"
    return None


def check_question(text: str, anchor: str, secrets: list[str], asked: set[str]) -> str | None:
    """A follow-up: one open question that names the anchor (when there is one); None when acceptable."""
    words = text.split()
    if not 6 <= len(words) <= 45:
        return f"length {len(words)} words"
    if text.count("?") != 1 or not text.endswith("?"):
        return "not exactly one question ending with '?'"
    if anchor and anchor.lower() not in text.lower():
        return "does not name the anchor from the answer"
    if _META.search(text) or (anchor and ":" in text.split(anchor)[0][:25]):
        return "meta talk about the question"
    last_sentence = re.split(r"(?<=[.!])\s+", text)[-1]
    if _YES_NO_START.match(last_sentence):
        return "yes/no question"
    if _BANNED.search(text):
        return f"judgement or meta talk: {_BANNED.search(text).group(0)!r}"
    if leaks(text, secrets):
        return "leaks the rubric"
    if normalise(text) in asked:
        return "repeats an earlier question"
    return None


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def phrase(llm: LLM | None, messages: list[Message], check, fallback: str, max_tokens: int, temperature: float | None = None) -> Phrased:
    if llm is None:
        return Phrased(fallback, "template", None, "no model")
    completion = llm.complete(messages, max_tokens=max_tokens, temperature=temperature, stop=["\n"])
    text = clean_output(completion.text)
    reason = check(text)
    if reason is None:
        return Phrased(text, "llm", completion)
    return Phrased(fallback, "template", completion, reason)
