"""The engine's text helpers: sentences, words, stop words and figures in candidate text.

One copy for the interview engine and interviewer/candidate_text.py (injection detection, resume and job
description cleaning); it imports nothing of ours, so any layer may use it. The evals keep
their own (interviewer/evals/text.py) on purpose: a bug here must not hide in the measurement too.
"""

from __future__ import annotations

import re

# Function words and fillers: never evidence of substance, never worth quoting back.
STOP_WORDS = frozenset(
    """a an the and or but if then so of to in on at by for with from as is are was were be been being it its this that these
    those i we you he she they me my our your their them us do does did done have has had having can could would should will
    shall may might must not no yes just very really quite also too more most much many some any all each every other such
    about into over under after before again further once here there when where why how what which who whom because while
    until than though although like well think know mean thing things stuff get got make made use used using way lot kind sort
    yeah okay ok um uh basically actually probably maybe something someone one two first second let lets
    sure unsure guess idea dunno perhaps anything everything nothing good better best fine great nice pretty""".split()
)

# A variant for job descriptions and resumes: their boilerplate ("experience", "requirements", "team") says nothing
# about the skills asked for. Kept apart from STOP_WORDS: fillers like "think" or "good" stay, as the plan always read them.
JOB_AD_STOP_WORDS = frozenset(
    """the and for with you your our are will that this from have has was were been being into onto about over under
    than then them they their there here what when where which while who whom why how all any each few more most other
    some such only own same too very can could should would may might must shall not nor but yet also just both either
    able work working team teams role roles years year experience strong skills skill ability including include includes
    using use used etc new per via plus across within join looking candidate candidates job description responsibilities
    requirements qualifications preferred required minimum bachelor master degree field related equivalent knowledge
    apple machine learning engineer engineering build building develop developing design designing""".split()
)

# A figure as candidates state one: "40 ms", "3x", "12%", "1.2 million", "1e-4".
NUMBER = re.compile(r"\b\d+(\.\d+)?\s*(%|ms|s|x|k|m|b|gb|mb|kb|fps|hz|million|billion|percent|points?)?\b|\b\d+e-?\d+\b", re.I)

_SENTENCE = re.compile(r"\S.*?(?:[.!?]+(?=\s|$)|(?=\n)|$)")  # a period inside "0.1%" or "e.g" does not end a sentence
# Every character in exactly one span, so an offset into the text always finds its sentence; a decimal point ends
# a span too, which is harmless where it is used (the project in scope only moves at a sentence that names one).
_SENTENCE_SPAN = re.compile(r"[^.!?]+[.!?]*")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")


def sentences(text: str) -> list[str]:
    """Sentences as verbatim substrings of `text` (stripped), for evidence quotes."""
    return [m.group(0).strip() for m in _SENTENCE.finditer(text) if len(m.group(0).strip()) > 1]


def sentence_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, sentence) covering all of `text`, for placing facts found at an offset."""
    return [(m.start(), m.end(), m.group(0)) for m in _SENTENCE_SPAN.finditer(text)]


def words(text: str) -> list[str]:
    return _WORD.findall(text)
