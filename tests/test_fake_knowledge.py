"""The fake knowledge service serves the engine's interface from the real curated files, without the index or a model."""

from __future__ import annotations

import numpy as np

from interviewer.knowledge.fake import FakeKnowledge, hashed_vectors
from interviewer.knowledge.service import Knowledge, KnowledgeService


def test_both_services_implement_one_interface():
    assert issubclass(Knowledge, KnowledgeService) and issubclass(FakeKnowledge, KnowledgeService)
    assert not KnowledgeService.__abstractmethods__ - set(vars(FakeKnowledge))  # nothing left abstract


def test_vectors_are_unit_length_and_texts_sharing_words_are_close():
    vectors = hashed_vectors(["class weights for imbalanced fraud", "imbalanced fraud needs class weights", "a cache for a web server", ""])
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0) and not vectors[3].any()
    assert vectors[0] @ vectors[1] > 0.7 > 0.3 > vectors[0] @ vectors[2]  # four of five words shared; one
    assert np.array_equal(hashed_vectors(["same text"]), hashed_vectors(["same text"]))  # stable: no salted hash()


def test_search_filters_like_the_real_index(fake_knowledge):
    questions = fake_knowledge.search_questions("LoRA adapters reduce fine-tuning cost", "genai", k=5)
    assert len(questions) == 5 and all(h.kind == "question" and h.round == "genai" for h in questions)
    assert [h.score for h in questions] == sorted((h.score for h in questions), reverse=True)
    guides = fake_knowledge.guide_sources("how does attention scale with sequence length", k=2)
    assert len(guides) == 2 and all(h.kind != "question" for h in guides)
    qid = questions[0].metadata["question_id"]
    own = fake_knowledge.index.search(questions[0].text, k=1, where={"question_id": qid})
    assert [h.metadata["question_id"] for h in own] == [qid]


def test_known_vectors_are_cached_and_nothing_is_loaded(fake_knowledge):
    texts = [kp.text for kp in next(iter(fake_knowledge.curated.questions.values())).rubric.key_points]
    first = fake_knowledge.embed_known(texts)
    assert np.array_equal(first, fake_knowledge.embed_known(texts)) and np.array_equal(first, fake_knowledge.embed_cached(texts))
    assert fake_knowledge.embed_known([]).shape == (0, 384)
    assert fake_knowledge.warm() is None
