"""Every follow-up lead-in, rendered with sample quotes, project names and every curated probe, reads cleanly: no
doubled punctuation around quotes, no nested quotes, no markdown, no dangling "that model". Fast: no model, no index."""

import itertools
import re

import pytest

from interviewer.interview.followup import project_name, quote
from interviewer.interview.policy import phrase_about, quotable
from interviewer.knowledge.bank import CuratedKnowledge
from interviewer.knowledge.wording import MOVES, load_wording

SAMPLE_QUOTES = [
    "the other items in the batch act as negatives",
    'we called it "Pulse" internally.',
    "recall@100 went from 0.41 to 0.58?",
    "I used dropout at inference too",
]
SAMPLE_PROJECTS = ['the "Pulse" arrhythmia detector at Orchard Health', "### Senior ML Engineer, Lumen Audio", "**Hey Lumen** keyword spotter",
                   "the Feast feature store at Project Sentinel: real-time fraud scoring"]

_PROBLEMS = {
    "doubled punctuation": re.compile(r"[.?!:;,]\s*[\u201d\"]?\s*[.:;,](?!\d)|\u201d[.:]\u201d"),
    "nested quotes": re.compile(r"\u201c[^\u201d]*[\u201c\"]"),
    "markdown": re.compile(r"(^|\s)#{1,6}\s|\*\*|__|`|\[[^\]]*\]\("),
    # "that project" refers back to the project the main question named; "that model" with no model named dangles
    "dangling reference": re.compile(r"(?<!given )\bthat (model|system|metric)\b", re.I),
    "empty quote": re.compile(r"\u201c\s*\u201d"),
    # "Staying with the store at Sentinel: real-time scoring: How did..." (a project title's own colon before a lead-in's)
    "two colons in a sentence": re.compile(r":[^.?!:\u201c\u201d]*:(?!\d)"),
}


def _problems(text: str) -> list[str]:
    text = re.sub(r"\b(e\.g|i\.e|etc|vs)\.", "", text)  # "(e.g., 'Hey Siri')" is not doubled punctuation
    return [name for name, rx in _PROBLEMS.items() if rx.search(text)]


@pytest.fixture(scope="module")
def curated(settings):
    return CuratedKnowledge(settings.knowledge_dir)


def _renderings(wording, probe: str):
    for move in MOVES:
        for lead in wording.lead_ins[move]:
            for q, p in itertools.product(SAMPLE_QUOTES, SAMPLE_PROJECTS):
                filled = lead.replace("{quote}", quote(q)).replace("{project}", project_name(p))
                yield move, f"{filled} {probe}".strip()


def test_every_lead_in_with_every_probe_reads_cleanly(settings, curated):
    wording = load_wording(str(settings.knowledge_dir))
    probes = sorted({p for extras in curated.extras.values() for kp in extras.key_points for p in kp.probes}
                    | {m.probe for extras in curated.extras.values() for m in extras.mistakes})
    assert len(probes) > 1000
    bad = []
    for probe in probes:
        if _problems(probe):
            bad.append(("probe", probe, _problems(probe)))
    for move, text in _renderings(wording, probes[0]):
        if _problems(text):
            bad.append((move, text, _problems(text)))
    assert not bad, bad[:10]


def test_every_bank_question_reads_cleanly(curated):
    bad = [(q.id, q.text, _problems(q.text)) for q in curated.questions.values() if _problems(q.text)]
    assert not bad, bad


def test_the_checks_catch_what_they_are_for():
    assert _problems("You said \u201cthe loss\u201d.. Why?") == ["doubled punctuation"]
    assert "nested quotes" in _problems('Let\'s talk about \u201cthe "Pulse" detector\u201d.')
    assert "markdown" in _problems("Let's talk about ### Senior ML Engineer.")
    assert "dangling reference" in _problems("How would that model run on an iPhone?")
    assert "two colons in a sentence" in _problems("Staying with Project Sentinel: real-time fraud scoring: How?")
    assert _problems("You said \u201cthe loss is convex\u201d. Why is that?") == []


def test_projects_are_named_as_a_reader_would():
    assert project_name('the "Pulse" arrhythmia detector at Orchard Health') == "the \u201cPulse\u201d arrhythmia detector at Orchard Health"
    assert project_name("### Senior ML Engineer, Lumen Audio") == "\u201cSenior ML Engineer, Lumen Audio\u201d"
    assert quote('we called it "Pulse"') == "\u201cwe called it Pulse\u201d"


def test_the_quoted_phrase_is_the_clause_about_the_point():
    sentence = "The L1 penalty is lambda times the sum of absolute weights, so many weights go to exactly zero, while L2 shrinks them."
    assert phrase_about(sentence, "L1 drives weights exactly to zero, a sparse solution") == "so many weights go to exactly zero"
    assert phrase_about("We shipped it in March after the review.", "gradient of the softmax cross-entropy") is None
    long = "I think dropout is used at inference too because otherwise the activations would be scaled wrong and the model breaks in production"
    assert quotable(long, "dropout at inference").startswith("I think dropout is used at inference too")
