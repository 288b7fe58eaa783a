"""The curated knowledge pack: schema-valid, big enough, consistent with the guide, coding tests correct."""

import json
import math

import pytest
import yaml
from pydantic import ValidationError

from interviewer.knowledge.bank import BANK_ROUNDS, TRACKS, BankFile, CuratedKnowledge, KnowledgeError

from .test_guide import QUESTIONS


def test_every_round_has_25_questions(curated):
    for round_name in BANK_ROUNDS:
        assert len(curated.by_round(round_name)) >= 25, round_name


def test_rubrics_are_complete(curated):
    for q in curated.questions.values():
        assert 4 <= len(q.rubric.key_points) <= 8, q.id
        assert 2 <= len(q.rubric.follow_ups) <= 4, q.id
        assert set(q.tracks) <= set(TRACKS)
        if q.round == "coding":
            assert q.coding is not None and len(q.coding.tests) >= 4, q.id


def test_every_guide_question_is_in_the_bank_marked_as_such(curated):
    by_text = {q.text: q for q in curated.questions.values()}
    for round_name, texts in QUESTIONS.items():
        for text in texts:
            q = by_text.get(text)
            assert q is not None, f"guide question missing from the bank: {text}"
            assert q.source == "guide" and q.round == round_name and q.guide_section[0] in "47"


def _same(actual, expected, mode):
    if mode == "approx":
        if isinstance(expected, list):
            return isinstance(actual, (list, tuple)) and len(actual) == len(expected) and all(_same(a, e, mode) for a, e in zip(actual, expected, strict=True))
        if isinstance(expected, (int, float)) and not isinstance(expected, bool):
            return math.isclose(actual, expected, rel_tol=1e-6, abs_tol=1e-6)
        return actual == expected
    actual = json.loads(json.dumps(actual))
    if mode == "unordered":
        return sorted(map(json.dumps, actual)) == sorted(map(json.dumps, expected))
    return actual == expected


def test_coding_reference_solutions_pass_their_tests(curated):
    for q in curated.by_round("coding"):
        namespace: dict = {}
        exec(q.coding.reference, namespace)  # noqa: S102 - our own curated reference code
        fn = namespace[q.coding.function]
        for case in q.coding.tests:
            args = json.loads(json.dumps(case.args))
            assert _same(fn(*args), case.expected, q.coding.compare), f"{q.id}: {case.args}"


def test_tracks_probes_criteria(curated, settings):
    from interviewer.knowledge.guide import parse_guide

    assert sorted(curated.tracks) == sorted(TRACKS)
    required = {"why-this-approach", "alternatives-tradeoffs", "data-collection-cleaning", "labels-and-leakage", "metrics-and-results",
                "failures-and-debugging", "do-differently-today", "scaling", "on-device-constraints", "privacy-implications",
                "first-principles-derivation", "vague-answer", "consistency"}
    assert required <= set(curated.probes)
    guide = parse_guide(settings.knowledge_dir / "guides" / "apple-mle-guide.txt")
    assert [c.name for c in curated.criteria] == [c.name for c in guide.criteria]
    headings = {s.heading for s in guide.sections}
    for c in curated.criteria:
        assert set(c.review_sections) <= headings, c.id
    for t in curated.tracks.values():
        assert set(t.guide_refs) <= headings, t.id


def test_schema_rejects_a_bad_file(tmp_path):
    bad = {"round": "genai", "questions": [{"id": "genai-x", "text": "What is attention in transformers?", "topics": ["attention"],
            "difficulty": "medium", "tracks": ["general"], "source": "curated",
            "rubric": {"key_points": [{"text": "Only one point here", "keywords": ["a", "b"]}], "common_mistakes": ["x"], "follow_ups": ["Why?", "How?"]}}]}
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "genai.yaml").write_text(yaml.safe_dump(bad))
    with pytest.raises(KnowledgeError, match="genai.yaml"):
        _ = CuratedKnowledge(tmp_path).questions  # loaded (and validated) on first access
    with pytest.raises(ValidationError):
        BankFile.model_validate(bad)
