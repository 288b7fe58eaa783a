"""Model qualification: which moves (opening, transition, followup, closing) a model may word.

A small model's wording is almost always rejected by the validators (SmolLM2-135M: 5.7% on the
built product), and every rejected wording made the candidate wait for text that was then thrown
away. So each model is tried once on a fixed suite (knowledge/qualification.yaml) through the
engine's own prompts and validators; a move is phrased by the model only when its acceptance
rate reaches the file's `min_acceptance`. The result is cached per model file hash (and suite
digest) under the data directory, so the suite runs once per model, not once per start.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from interviewer.llm.base import LLM

MOVES = ("opening", "transition", "followup", "closing")
ALL_MOVES = frozenset(MOVES)
QUALIFY_FORMAT = 1  # bump when the suite's procedure changes, to requalify every model


class QualificationError(Exception):
    """knowledge/qualification.yaml is missing or fails its schema."""


class TitleCase(BaseModel):
    round_title: str = Field(min_length=3)


class TransitionCase(BaseModel):
    question: str = Field(min_length=10)
    answer: str = Field(min_length=10)


class FollowupCase(BaseModel):
    question: str = Field(min_length=10)
    answer: str = Field(min_length=10)
    anchor: str = Field(min_length=2)
    angle: str = Field(min_length=5)
    key_points: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _anchor_in_answer(self) -> "FollowupCase":
        if self.anchor.lower() not in self.answer.lower():
            raise ValueError(f"the anchor {self.anchor!r} must be quoted from the answer (the engine anchors on the candidate's words)")
        return self


class Suite(BaseModel):
    opening: list[TitleCase] = Field(min_length=3, max_length=20)
    transition: list[TransitionCase] = Field(min_length=3, max_length=20)
    followup: list[FollowupCase] = Field(min_length=3, max_length=20)
    closing: list[TitleCase] = Field(min_length=3, max_length=20)


class Policy(BaseModel):
    min_acceptance: float = Field(gt=0.0, le=1.0)
    temperature: float = Field(ge=0.0, le=2.0)
    track: str = "general"
    lead_ins: dict[str, str] = Field(default_factory=dict)
    moves: Suite

    @model_validator(mode="after")
    def _lead_ins(self) -> "Policy":
        unknown = set(self.lead_ins) - ALL_MOVES
        if unknown:
            raise ValueError(f"lead_ins names unknown moves {sorted(unknown)}; moves are {', '.join(MOVES)}")
        for move, text in self.lead_ins.items():
            if text and ("?" in text or len(text.split()) > 6):
                raise ValueError(f"lead_ins.{move} must be a short statement (at most 6 words, no question): {text!r}")
        return self

    def cases(self, move: str) -> list:
        return list(getattr(self.moves, move))

    def needed(self, move: str) -> int:
        """Accepted cases a move needs to qualify."""
        import math

        return math.ceil(self.min_acceptance * len(self.cases(move)) - 1e-9)


_policies: dict[str, Policy] = {}


def load_policy(knowledge_dir: Path) -> Policy:
    path = Path(knowledge_dir) / "qualification.yaml"
    key = str(path)
    if key not in _policies:
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except FileNotFoundError as exc:
            raise QualificationError(f"{path}: missing curated file") from exc
        except yaml.YAMLError as exc:
            raise QualificationError(f"{path}: not valid YAML ({exc})") from exc
        try:
            _policies[key] = Policy.model_validate(data)
        except ValidationError as exc:
            raise QualificationError(f"{path}: {exc}") from exc
    return _policies[key]


@dataclass
class MoveResult:
    move: str
    tried: int
    accepted: int
    cases: int
    needed: int
    qualified: bool
    rejections: list[str] = field(default_factory=list)  # why, for the first few rejected wordings

    @property
    def rate(self) -> float:
        return self.accepted / self.tried if self.tried else 0.0


@dataclass
class Qualification:
    model: str
    key: str  # model file hash (or server identity) + suite digest
    min_acceptance: float
    moves: dict[str, MoveResult]
    seconds: float
    calls: int
    cached: bool = False

    @property
    def phrased(self) -> frozenset[str]:
        return frozenset(m for m, r in self.moves.items() if r.qualified)

    def as_json(self) -> dict:
        return {
            "model": self.model,
            "key": self.key,
            "min_acceptance": self.min_acceptance,
            "phrased_moves": sorted(self.phrased, key=MOVES.index),
            "template_moves": [m for m in MOVES if m not in self.phrased],
            "moves": {m: {**asdict(r), "rate": round(r.rate, 3)} for m, r in self.moves.items()},
            "seconds": round(self.seconds, 2),
            "calls": self.calls,
            "cached": self.cached,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Qualification":
        moves = {m: MoveResult(**{k: v for k, v in r.items() if k != "rate"}) for m, r in data["moves"].items()}
        return cls(data["model"], data["key"], data["min_acceptance"], moves, data["seconds"], data["calls"], cached=True)

    def summary(self) -> str:
        """One line for doctor and the Setup tab."""
        parts = [f"{m} {r.accepted}/{r.tried}" for m, r in self.moves.items()]
        phrased = ", ".join(m for m in MOVES if m in self.phrased) or "none"
        return f"the model words: {phrased} (templates for the rest); qualification at >= {self.min_acceptance:.0%}: {'; '.join(parts)}"


# -- the suite -------------------------------------------------------------------


def _messages(prompts, title: str, track: str, history: list[dict], step: str) -> list[dict]:
    system = {"role": "system", "content": prompts.render("system", round_title=title, track=track)}
    return [system, *history, {"role": "user", "content": step}]


def suite_calls(policy: Policy, prompts, move: str):
    """(messages, check, max_tokens) per case of `move`, built exactly as the engine builds them."""
    from interviewer.interview.phrasing import check_question, check_statement, followup_step, normalise

    statement_tokens, question_tokens = 40, 64  # the engine's STATEMENT_TOKENS / QUESTION_TOKENS
    track = policy.track
    for case in policy.cases(move):
        if move in ("opening", "closing"):
            step = prompts.render(move, round_title=case.round_title)
            yield _messages(prompts, case.round_title, track, [], step), (lambda t, s=step: check_statement(t, [], s)), statement_tokens
        elif move == "transition":
            step = prompts.get("transition")
            history = [{"role": "assistant", "content": case.question}, {"role": "user", "content": f"<candidate>{case.answer}</candidate>"}]
            yield _messages(prompts, "Machine learning fundamentals", track, history, step), (lambda t, s=step: check_statement(t, [], s)), statement_tokens
        else:
            step = followup_step(prompts, case.angle, case.anchor)
            history = [{"role": "assistant", "content": case.question}, {"role": "user", "content": f"<candidate>{case.answer}</candidate>"}]
            asked = {normalise(case.question)}
            check = lambda t, c=case, a=asked: check_question(t, c.anchor, c.key_points, a)  # noqa: E731
            yield _messages(prompts, "Machine learning fundamentals", track, history, step), check, question_tokens


def run_suite(llm: LLM, policy: Policy, prompts, key: str = "", moves=MOVES) -> Qualification:
    """Try every move's cases on `llm`; a move stops as soon as it can no longer qualify."""
    from interviewer.interview.phrasing import clean_output

    started = time.perf_counter()
    calls = 0
    results: dict[str, MoveResult] = {}
    for move in moves:
        cases = len(policy.cases(move))
        needed = policy.needed(move)
        result = MoveResult(move, 0, 0, cases, needed, False)
        for messages, check, max_tokens in suite_calls(policy, prompts, move):
            if result.tried - result.accepted > cases - needed:
                break  # out of reach: the rest of the cases cannot lift it to the threshold
            if _exiting():
                raise RuntimeError("the process is exiting; qualification stopped")  # not cached: it runs again next time
            completion = llm.complete(messages, max_tokens=max_tokens, temperature=policy.temperature, stop=["\n"])
            calls += 1
            result.tried += 1
            reason = check(clean_output(completion.text))
            if reason is None:
                result.accepted += 1
            elif len(result.rejections) < 3:
                result.rejections.append(f"{reason}: {clean_output(completion.text)[:120]!r}")
        result.qualified = result.accepted >= needed and result.tried == cases
        results[move] = result
    return Qualification(llm.name, key, policy.min_acceptance, results, time.perf_counter() - started, calls)


def _exiting() -> bool:
    from interviewer.knowledge.embeddings import stopping

    return stopping()


# -- identity and cache ----------------------------------------------------------

_hash_lock = threading.Lock()


def file_sha256(path: Path, memo_dir: Path | None = None) -> str:
    """SHA-256 of a model file, remembered by (path, size, mtime) so a 5 GB GGUF is read once, not at every start."""
    path = Path(path).resolve()
    stat = path.stat()
    stamp = f"{path}|{stat.st_size}|{stat.st_mtime_ns}"
    memo_path = Path(memo_dir) / "hashes.json" if memo_dir else None
    with _hash_lock:
        memo = {}
        if memo_path is not None:
            try:
                memo = json.loads(memo_path.read_text())
            except (OSError, ValueError):
                memo = {}
            if stamp in memo:
                return memo[stamp]
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        digest = h.hexdigest()
        if memo_path is not None:
            memo[stamp] = digest
            _write_json(memo_path, memo)
        return digest


def suite_digest(knowledge_dir: Path, prompts_dir: Path) -> str:
    """What the verdict depends on besides the model: the suite, the prompts and the validators' code."""
    from interviewer.interview import phrasing

    h = hashlib.sha256(f"{QUALIFY_FORMAT}".encode())
    for p in [Path(knowledge_dir) / "qualification.yaml", *sorted(Path(prompts_dir).glob("*.txt")), Path(phrasing.__file__)]:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def model_identity(llm: LLM, memo_dir: Path | None) -> str:
    if llm.path is not None and Path(llm.path).is_file():
        return "gguf:" + file_sha256(Path(llm.path), memo_dir)
    info = llm.info()
    # a server: its URL and model name are all we can know (the weights behind them may change). The key keeps
    # its first layout (info has no "base_url": None) so the verdicts already cached stay valid.
    return "server:" + hashlib.sha256(json.dumps([info.get("base_url"), info.get("name"), llm.name]).encode()).hexdigest()


def cache_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "qualification"


_qualify_lock = threading.Lock()  # one suite at a time per process: one model, one lock


def qualify(llm: LLM, settings, prompts=None, force: bool = False) -> Qualification:
    """The cached verdict for this model, or the suite's (then cached)."""
    from interviewer.interview.phrasing import Prompts

    policy = load_policy(settings.knowledge_dir)
    prompts = prompts or Prompts(settings.prompts_dir)
    folder = cache_dir(settings.data_dir)
    with _qualify_lock:
        key = hashlib.sha256(
            f"{model_identity(llm, folder)}|{suite_digest(settings.knowledge_dir, settings.prompts_dir)}|{policy.temperature}".encode()
        ).hexdigest()[:24]
        path = folder / f"{key}.json"
        if not force:
            try:
                found = Qualification.from_json(json.loads(path.read_text()))
                if found.key == key:
                    return found
            except (OSError, ValueError, KeyError, TypeError):
                pass  # missing or damaged: qualify again
        result = run_suite(llm, policy, prompts, key)
        _write_json(path, result.as_json())
        return result


def _write_json(path: Path, data) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(data, indent=2))
        os.replace(tmp, path)
    except OSError:  # a read-only data directory: qualification runs again next time
        pass
