"""What to ask after an answer: the most important key point the answer clearly missed, asked with its curated probe
and built on the candidate sentence nearest it; one level deeper after a complete answer; never what was already
said (in any answer) or already asked (by meaning, not by exact words).

The grader decides what is covered; this module only remembers the session and chooses. The thresholds are in
knowledge/followups.yaml with the measurement behind each.
"""

from __future__ import annotations

import random
import re

import numpy as np

from interviewer.interview.followup import FollowUp, project_name, quote
from interviewer.knowledge.bank import BankQuestion
from interviewer.knowledge.service import Knowledge
from interviewer.knowledge.wording import load_wording
from interviewer.text import STOP_WORDS


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


def _stems(text: str) -> list[str]:
    return [w[:6] for w in re.findall(r"[a-z0-9][a-z0-9\-]*", text.lower())]


class SessionMemory:
    """Everything the candidate said and the interviewer asked so far, as unit vectors (rows of whatever width the
    embedding model gives; none until the first one)."""

    def __init__(self):
        self.said: list[np.ndarray] = []
        self.asked: list[np.ndarray] = []

    def add_said(self, vectors: np.ndarray) -> None:
        if len(vectors):
            self.said.append(_normalised(vectors))

    def add_asked(self, vectors: np.ndarray) -> None:
        if len(vectors):
            self.asked.append(_normalised(vectors))

    def closest_said(self, vectors: np.ndarray) -> float:
        return _closest(vectors, self.said)

    def closest_asked(self, vectors: np.ndarray) -> float:
        return _closest(vectors, self.asked)


def _closest(vectors: np.ndarray, memory: list[np.ndarray]) -> float:
    if not memory or not len(vectors):
        return 0.0
    return float((_normalised(vectors) @ np.vstack(memory).T).max())


class FollowUpPolicy:
    def __init__(self, knowledge: Knowledge, seed: int | None = None):
        self.knowledge = knowledge
        self.wording = load_wording(str(knowledge.settings.knowledge_dir))
        self.params = self.wording.policy
        self.rng = random.Random(seed)
        self.memory = SessionMemory()
        self._answer: tuple[list[str], np.ndarray | None] = ([], None)
        self._not_encoded: list[tuple[str, bool]] = []  # questions asked, encoded on first need (see asked)

    # -- memory ----------------------------------------------------------------------------------------------
    def heard(self, sentences: list[str]) -> None:
        """The candidate's answer, sentence by sentence: what the next probes must not ask for again."""
        sentences = [s for s in sentences if len(s.split()) >= 3][:40]
        if not sentences:
            self._answer = ([], None)
            return
        vectors = self.knowledge.embed(sentences)
        self._answer = (sentences, _normalised(vectors))
        self.memory.add_said(vectors)

    def asked(self, text: str, curated: bool = False) -> None:
        """An interviewer question, so no later probe asks it again in other words. Encoded when a probe is next
        checked, not now: the first question's vector would read the curated vectors (31 MB, 0.34 s) on the path
        to the first question."""
        self._not_encoded.append((text, curated))

    def _closest_asked(self, vectors: np.ndarray) -> float:
        for text, curated in self._not_encoded:
            self.memory.add_asked((self.knowledge.embed_known if curated else self.knowledge.embed)([text]))
        self._not_encoded.clear()
        return self.memory.closest_asked(vectors)

    # -- moves -----------------------------------------------------------------------------------------------
    def missed_point(self, question: BankQuestion, covered: list[bool], probabilities: list[float], project: str | None) -> FollowUp | None:
        """A probe for the key point that every answer so far most clearly missed."""
        extras = self.knowledge.curated.extras.get(question.id)
        if extras is None:
            return None
        # the surest gap first, rubric order among equals: on the dev part of evals/graded/, the lowest-probability
        # missed point was one the labels call covered 2.8% of the time (3 of 106 answers), the first in rubric order 9.4%
        # (10); on the test part 6.2% against 4.9% (5 and 4 of 81), so over both 4.3% against 7.5%
        gaps = sorted((i for i in range(len(covered)) if not covered[i] and probabilities[i] < self.params.probe_below),
                      key=lambda i: (round(probabilities[i], 2), i))
        for i in gaps:
            kp = question.rubric.key_points[i]
            point_texts = [kp.text, *extras.key_points[i].paraphrases]
            point_vectors = self.knowledge.embed_known(point_texts)
            if self.memory.closest_said(point_vectors) >= self.params.said_similarity:
                continue  # said in other words, maybe in an earlier answer: the grader missed it, the candidate did not
            for probe in extras.key_points[i].probes:
                if self._closest_asked(self.knowledge.embed_known([probe])) >= self.params.asked_similarity:
                    continue
                sentence, phrase = self._anchor(point_vectors, point_texts + [probe])
                if phrase:
                    lead = self._pick("point_quoted").replace("{quote}", quote(phrase))
                elif project:
                    lead = self._pick("project").replace("{project}", project_name(project))
                else:
                    lead = self._pick("point_plain")
                return FollowUp(_join(lead, probe), probe, phrase or "", "key-point",
                                targets=[kp.text], anchor_sentence=sentence, move="key-point")
        return None

    def deeper(self, question: BankQuestion, covered: list[bool], vague: bool = False) -> FollowUp | None:
        """After a complete answer (or a vague one with nothing clearly missed): the rubric's angle furthest from what
        was already said and asked, and not about a key point already covered."""
        best, best_score = None, 1.0
        extras = self.knowledge.curated.extras.get(question.id)
        points = [[kp.text, *(extras.key_points[i].paraphrases if extras else [])] for i, kp in enumerate(question.rubric.key_points)]
        for angle in question.rubric.follow_ups:
            vector = self.knowledge.embed_known([angle])
            asked = self._closest_asked(vector)
            if asked >= self.params.asked_similarity:
                continue
            said = self.memory.closest_said(vector)
            if said >= self.params.said_similarity:
                continue
            if self._about_a_point_said(vector, points, covered):
                continue
            if max(asked, said) < best_score:
                best, best_score = angle, max(asked, said)
        if best is None:
            return None
        move = "concrete" if vague else "deeper"
        return FollowUp(_join(self._pick(move), best), best, "", "rubric", targets=[best], anchor_sentence=None, move=move)

    def _about_a_point_said(self, vector: np.ndarray, points: list[list[str]], covered: list[bool]) -> bool:
        """The angle is about one key point (its closest, at angle_point_similarity or above), and that point is
        covered by the grader or said in other words."""
        if not points:
            return False
        closeness = [float((_normalised(vector) @ self.knowledge.embed_known(texts).T).max()) for texts in points]
        i = int(np.argmax(closeness))
        if closeness[i] < self.params.angle_point_similarity:
            return False
        return (i < len(covered) and covered[i]) or self.memory.closest_said(self.knowledge.embed_known(points[i])) >= self.params.said_similarity

    def misconception(self, found) -> FollowUp | None:
        """Quote the wrong statement back and ask the curated probe, never the answer."""
        if found.point_evidence >= self.params.challenge_below_evidence:
            return None  # the sentence reads as right too: challenging it would question what may be correct
        if self._closest_asked(self.knowledge.embed_known([found.probe])) >= self.params.asked_similarity:
            return None
        phrase = quotable(found.quote, found.mistake)
        lead = self._pick("misconception").replace("{quote}", quote(phrase)) if phrase else self._pick("misconception_plain")
        return FollowUp(_join(lead, found.probe), found.probe, phrase or "", "misconception", rephrase=False,
                        targets=[found.mistake], anchor_sentence=found.quote, move="misconception")

    def complete(self, covered: list[bool]) -> bool:
        return bool(covered) and sum(covered) / len(covered) >= self.params.complete_share

    # -- helpers ---------------------------------------------------------------------------------------------
    def _pick(self, move: str) -> str:
        return self.rng.choice(self.wording.lead_ins[move])

    def _anchor(self, point_vectors: np.ndarray, about: list[str]) -> tuple[str | None, str | None]:
        """The answer sentence nearest the key point, and a short phrase of it that shares the point's words."""
        sentences, vectors = self._answer
        if not sentences:
            return None, None
        sims = (vectors @ _normalised(point_vectors).T).max(axis=1)
        best = int(np.argmax(sims))
        if sims[best] < self.params.anchor_similarity:
            return None, None
        sentence = sentences[best]
        return sentence, phrase_about(sentence, " ".join(about))


def phrase_about(sentence: str, about: str, limit: int = 14) -> str | None:
    """The clause of the sentence that shares most content words with `about`, short enough to quote back whole
    (a clause reads as the candidate's own words; a window of words cut across a comma did not: "zero, while the L2")."""
    shared = set(_stems(about)) - {w[:6] for w in STOP_WORDS}
    clean = re.sub(r"[\"\u201c\u201d]", "", sentence.strip().rstrip(".!?;:,").strip())
    clauses = [c.strip(" ,;:-") for c in re.split(r"[,;:()]\s*|\s(?=(?:because|but|so|which|while|whereas|and then)\b)", clean)]
    scored = []
    for c in clauses:
        n = len(c.split())
        hits = len({w for w in _stems(c) if w in shared})
        if 3 <= n <= limit and hits:
            scored.append((hits, -n, c))
    if not scored:
        return clean if len(clean.split()) <= limit and any(w in shared for w in _stems(clean)) else None
    return max(scored)[2]


def quotable(sentence: str, about: str, limit: int = 20) -> str | None:
    """The sentence, or its clause closest to what the mistake is about, short enough to quote back."""
    clean = re.sub(r"[\"\u201c\u201d]", "", sentence.strip().rstrip(".!?;:,").strip())
    if len(clean.split()) <= limit:
        return clean
    about_words = {w for w in re.findall(r"[a-z]+", about.lower()) if w not in STOP_WORDS}
    clauses = [c.strip().rstrip(".!?;:,") for c in re.split(r"[,;:]\s+|\s(?=(?:because|but|so|which)\b)", clean)]
    clauses = [c for c in clauses if 3 <= len(c.split()) <= limit]
    if not clauses:
        return None
    return max(clauses, key=lambda c: len(about_words & set(re.findall(r"[a-z]+", c.lower()))))


def _join(lead: str, question: str) -> str:
    return f"{lead} {question}".strip() if lead else question
