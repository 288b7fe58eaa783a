"""Candidate text (answers, resumes, job descriptions) is data: clean it, bound it, and recognise attempts to steer the interviewer."""

from __future__ import annotations

import re
import unicodedata

MAX_ANSWER_CHARS = 20_000  # kept in the transcript and assessed; longer answers are cut with a note
HISTORY_ANSWER_CHARS = 1_200  # what the LLM sees of one answer

_INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\s+(all\s+|any\s+|the\s+|your\s+|my\s+|previous\s+|prior\s+|above\s+)*(instructions|prompts?|rules|directions)"
    r"|\b(print|show|reveal|repeat|output|tell me)\b[^.?!]{0,40}\b(prompt|instructions|rubric|key points|scor(e|ing) (guide|criteria))"
    r"|\bscore me\b|\bgive me (a |an )?(4|four|perfect|full|top|maximum|max)\b|\b(4|four)\s*/\s*4\b|\bmark (this|me) as\b"
    r"|\byou are now\b|\bact as\b|\bpretend (to be|you are)\b|\bnew instructions\b"
    r"|\bwhat('s| is) the (right |correct |model |ideal )?answer\b|\banswer (it|this|the question) for me\b",
    re.IGNORECASE,
)
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
_SENTENCE = re.compile(r"\S.*?(?:[.!?]+(?=\s|$)|(?=\n)|$)")  # a period inside "0.1%" or "e.g" does not end a sentence
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")


def clean(text: str | bytes | None) -> str:
    """Valid, printable text: decode bytes, drop NUL/control characters and lone surrogates."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = text.encode("utf-8", errors="replace").decode("utf-8")  # lone surrogates become U+FFFD ...
    text = text.replace("\ufffd", "")  # ... and then go
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs", "Co"))
    return text.strip()


def bound(text: str, limit: int = MAX_ANSWER_CHARS) -> tuple[str, bool]:
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.8 else cut), True


def sentences(text: str) -> list[str]:
    """Sentences as verbatim substrings of `text` (stripped), for evidence quotes."""
    return [m.group(0).strip() for m in _SENTENCE.finditer(text) if len(m.group(0).strip()) > 1]


def injection_sentences(text: str) -> list[str]:
    return [s for s in sentences(text) if _INJECTION.search(s)]


def substantive_sentences(text: str) -> list[str]:
    """The answer's sentences minus those that try to steer the interviewer (they earn no credit)."""
    return [s for s in sentences(text) if not _INJECTION.search(s)]


def strip_injection(line: str) -> tuple[str, bool]:
    """A line of a resume or job description minus sentences that address the interviewer or model."""
    if not _INJECTION.search(line):
        return line, False
    kept = [s for s in sentences(line) if not _INJECTION.search(s)]
    return " ".join(kept), True


def without_injection(text: str) -> str:
    return " ".join(substantive_sentences(text))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def is_gibberish(text: str) -> bool:
    """Mostly non-words: keyboard mashing or random characters (other scripts are not gibberish)."""
    tokens = text.split()
    if not tokens:
        return False
    latin = [t for t in tokens if re.fullmatch(r"[A-Za-z]+", t)]
    if len(latin) < len(tokens) * 0.5:
        return False  # another script, code or numbers: not our call
    vowelless = sum(1 for t in latin if len(t) > 3 and not re.search(r"[aeiouyAEIOUY]", t))
    long_runs = sum(1 for t in latin if len(t) > 18)
    return (vowelless + long_runs) / max(1, len(latin)) > 0.4


def is_mostly_non_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 8:
        return False
    latin = sum(1 for ch in letters if ch.isascii())
    return latin / len(letters) < 0.3


_ENGLISH = set("the a an and or of to in is are was were it that this with for on as be by we i you they have has not but so because".split())
_OTHER = set(("le la les des et est une un pour avec que qui dans pas sur "  # French
              "el los las del y es una por con para que pero como "  # Spanish
              "der die das und ist nicht mit ein eine zu auf für "  # German
              "o os as um uma com não para mas que é").split())  # Portuguese


def is_probably_not_english(text: str) -> bool:
    """Latin-script text in another language: many foreign function words, few English ones."""
    tokens = [t.lower() for t in re.findall(r"[^\W\d_]+", text)]
    if len(tokens) < 6:
        return False
    english = sum(t in _ENGLISH for t in tokens)
    other = sum(t in _OTHER and t not in _ENGLISH for t in tokens)
    return other >= 3 and other > 2 * english
