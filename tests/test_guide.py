"""The guide parser finds exactly the guide's structure: sections, criteria, areas, questions, tips."""

from pathlib import Path

import pytest

from interviewer.knowledge.guide import parse_guide

GUIDE = Path(__file__).resolve().parent.parent / "knowledge" / "guides" / "apple-mle-guide.txt"
SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds" / "000_f7d291aade4d6c76.txt"

QUESTIONS = {
    "coding": [
        "Implement a function to perform next letter or word prediction given a sequence.",
        "Traverse a graph to find the shortest path between two nodes in a weighted network.",
        "Given a stream of data, efficiently calculate the moving average.",
        "Given a list of integers, find all pairs that sum up to a specific target.",
        "Implement a sparse matrix multiplication function.",
        "Write a function to compute the intersection over union (IoU) of two bounding boxes.",
        "Design an algorithm to detect anomalies in a time-series data stream.",
    ],
    "ml-fundamentals": [
        "Derive the backpropagation algorithm for a simple neural network layer.",
        "Explain the difference between Batch Normalization and Layer Normalization and when to use each.",
        "How would you handle a highly imbalanced dataset for a fraud detection model?",
        "Explain the vanishing gradient problem. How do LSTMs or Residual Networks solve it?",
        "What is the difference between L1 and L2 regularization? How does each affect the model weights?",
        "How would you implement next letter or word prediction? Walk through the architecture choice.",
        "Derive the bias-variance tradeoff decomposition.",
    ],
    "ml-system-design": [
        "Design a 'Hey Siri' trigger system that runs locally on a device with low power consumption.",
        "Architect a recommendation system for Apple Music that handles millions of songs and users.",
        "How would you build a system to detect blurry images in a user's photo library?",
        "Design a music recommendation system for Apple Music. How do you handle the cold-start problem for new users?",
        "How would you design a keyword spotting system (e.g., 'Hey Siri') that runs entirely on a mobile device?",
        "We want to build a model to predict battery usage based on user behavior. What features would you select?",
        "How do you monitor a deployed model for data drift, and what is your strategy for retraining?",
    ],
    "genai": ["Explain the attention mechanism in Transformers. Why do we need positional encodings?"],
    "behavioral": [
        "Tell me about a time you had to optimize a model for performance. What trade-offs did you make?",
        "How do you handle disagreement with a product manager regarding a technical feasibility issue?",
        "Why do you want to work at Apple specifically, and why this team?",
    ],
    "resume-deep-dive": ["Describe a challenging technical problem you solved on your last project. Why did you choose that specific approach?"],
}


@pytest.fixture(scope="module")
def guide():
    return parse_guide(GUIDE)


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed folder is not beside this checkout")
def test_guide_ships_unchanged():
    assert GUIDE.read_bytes() == SEED.read_bytes()


def test_ten_numbered_sections(guide):
    assert [s.number for s in guide.sections] == list(range(1, 11))
    assert guide.sections[0].title == "What is a Machine Learning Engineer at Apple?"
    assert guide.sections[-1].title == "Summary & Next Steps"
    assert all(s.text for s in guide.sections)


def test_four_criteria(guide):
    assert [c.name for c in guide.criteria] == [
        "Technical Depth and Fundamentals",
        "Engineering Excellence and Scalability",
        "Domain Expertise and Curiosity",
        "Communication and Culture",
    ]
    assert all(len(c.description) > 100 for c in guide.criteria)


def test_areas_with_topics_and_examples(guide):
    assert [(a.round, len(a.topics), len(a.examples)) for a in guide.areas] == [
        ("coding", 4, 3),
        ("ml-fundamentals", 4, 3),
        ("ml-system-design", 4, 3),
        ("genai", 3, 0),
    ]
    assert [t for t, _ in guide.areas[3].topics] == ["Transformers", "LLM Training", "Retrieval Augmented Generation (RAG)"]
    assert "PCA" in dict(guide.areas[1].topics)["Supervised vs. Unsupervised Learning"]


def test_every_question_with_round_and_section(guide):
    found = {}
    for q in guide.questions:
        found.setdefault(q.round, []).append(q.text)
    assert {r: sorted(v) for r, v in found.items()} == {r: sorted(v) for r, v in QUESTIONS.items()}
    per_section = {}
    for q in guide.questions:
        per_section[q.section] = per_section.get(q.section, 0) + 1
    assert per_section == {"4. Deep Dive into Evaluation Areas": 9, "7. Common Interview Questions": 17}


def test_tips(guide):
    assert [t.title for t in guide.tips] == ["Know Your Resume Inside Out", 'Think "On-Device" and "Privacy-First"', "Prepare for Ambiguity"]
    assert "loss function" in guide.tips[0].text
