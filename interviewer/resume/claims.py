"""Find the projects on a resume and the claims each makes, every claim with its source line.

A project is named as a reader would name it ("the "Hey Lumen" keyword spotter at Lumen Audio"), never by a
markdown heading or a date range. A claim is something an interviewer can grill: a technique or model, a tool,
data handling, a number with what it measures ("latency from 120 ms to 45 ms", never a bare "45"), a team
role. Under the claims are typed facts (interviewer/resume/facts.py) that the claim ledger compares with the
answers. Lines that try to instruct the interviewer are dropped and counted, never obeyed.

Every pattern here runs in time linear in the line: no regex with nested or overlapping repetition, and the
vocabularies are matched token by token.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from interviewer.candidate_text import clean, strip_injection
from interviewer.resume.fact_vocab import PhraseTable, Token
from interviewer.resume.fact_vocab import tokens_of as tokenize
from interviewer.resume.facts import Fact, extract_facts

_BULLET = re.compile(r"^\s{0,12}(?:[-\u2022\u25aa\u25cf\u2023\u2043*+\u2013\u00b7]|\d{1,2}[.)])\s+")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?\s{0,2}"
_DATE_RANGE = re.compile(
    r"(?<![\d])(?:" + _MONTH + r")?(?:19|20)\d\d\s{0,3}(?:-|\u2013|\u2014|to|until|till)\s{0,3}(?:" + _MONTH + r")?(?:(?:19|20)\d\d|present|now|current|today|date)\b",
    re.I,
)
_YEAR = re.compile(r"(?<![\d.])(?:19|20)\d\d(?![\d.])")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s{0,4}")
_MD_LINK = re.compile(r"!?\[([^\[\]\n]{0,200})\]\([^()\s]{0,500}\)")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,100}>")
_TITLE_SPLIT = re.compile(r"\s{1,3}(?:\u2014|\u2013|-|\||@|at)\s{1,3}|,\s{0,3}|\s{0,3}\|\s{0,3}|\s{0,3}\u00b7\s{0,3}")
_SKILLS_LINE = re.compile(r"^\s{0,4}(?:technical\s)?(?:skills|tools|technologies|tech stack|languages|frameworks)\s{0,3}:", re.I)
_TITLE_MAX = 150  # a longer line is never a title
MAX_LINE_CHARS = 1_000  # a resume line is a sentence or two; longer ones (a resume pasted as one line) are split
MAX_LINES = 400  # content lines read for projects and claims; a real resume has 40-150
MAX_CHARS = 20_000  # characters read for projects and claims; a two-page resume has 5,000-9,000
_SENTENCE_END = re.compile(r"[.;!?](?=\s)|[\u2022\u25aa\u25cf](?=\s)")

_ROLE_WORDS = frozenset(
    """engineer engineers scientist scientists researcher developer intern internship lead manager analyst architect consultant
    assistant director head founder cofounder co-founder fellow student postdoc programmer specialist designer cto ceo vp
    officer contractor freelancer swe mle""".split()
)
_BUILD_VERBS = frozenset(
    """built build designed developed trained shipped created launched deployed implemented prototyped architected wrote
    engineered productionized productionised delivered authored rebuilt redesigned""".split()
)
_HEAD_NOUNS = frozenset(
    """model models detector spotter classifier recommender ranker pipeline system service assistant engine platform network
    forecaster tracker app application tool library framework search index api agent chatbot bot filter scorer predictor
    generator summarizer summariser translator recognizer recogniser segmenter retriever dashboard sdk extension simulator
    labeler harness store encoder decoder estimator planner parser tagger matcher clusterer""".split()
)
_NP_STOP = frozenset(
    """in with using for on that which to from by at serving across over into via and achieving reducing improving raising
    cutting based trained built deployed running processing handling covering of as while where who""".split()
)
_EDGE_STOP = frozenset("the a an of and or to in on at by for with from our my their its this that".split())
_COMMON_DATA = frozenset("audio images logs features labels data datasets dataset recordings transcripts annotation cleaning sampling leakage".split())


@dataclass
class Claim:
    id: str
    project: str
    kind: str  # technique | tool | data | metric | scale | role
    text: str  # the phrase, verbatim from the line
    line: str  # the whole source line (markup and bullet removed)
    value: float | None = None  # numeric claims: the value in base units (seconds, fractions, counts)
    unit: str | None = None  # numeric claims: the dimension (time, ratio, count, ...)
    context: list[str] = field(default_factory=list)  # numeric claims: what the number measures
    subject: str | None = None

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class Project:
    title: str  # what the interviewer calls it
    section: str  # experience | projects | other
    lines: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    heading: str | None = None  # the entry line it came from, dates and markup removed
    company: str | None = None
    role: str | None = None
    facts: list[Fact] = field(default_factory=list)


@dataclass
class Resume:
    projects: list[Project]
    skills: list[str]
    injection_lines: list[str]
    knowledge_dir: str | None = None  # where the fact vocabulary came from (the ledger reads answers with it)

    @property
    def claims(self) -> list[Claim]:
        return [c for p in self.projects for c in p.claims]

    @property
    def facts(self) -> list[Fact]:
        return [f for p in self.projects for f in p.facts]

    def terms(self) -> list[str]:
        seen: dict[str, None] = {}
        for c in self.claims:
            if c.kind in ("technique", "tool"):
                seen.setdefault(c.text.lower(), None)
        for s in self.skills:
            seen.setdefault(s.lower(), None)
        return list(seen)

    def project(self, title: str | None) -> Project | None:
        return next((p for p in self.projects if p.title == title), None)


@lru_cache(maxsize=4)
def vocabulary(knowledge_dir: str) -> dict:
    return yaml.safe_load((Path(knowledge_dir) / "resume_terms.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def _tables(knowledge_dir: str) -> dict[str, PhraseTable]:
    vocab = vocabulary(knowledge_dir)
    out = {}
    for kind, key in (("technique", "techniques"), ("tool", "tools"), ("data", "data_terms")):
        table = PhraseTable()
        for term in vocab[key]:
            table.add(str(term), kind)
        out[kind] = table
    return out


def plain(line: str) -> str:
    """A line without markdown or HTML marks: headings, emphasis, code ticks, links, tags."""
    text = _MD_HEADING.sub("", line)
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    text = text.replace("**", "").replace("__", "").replace("`", "")
    bullet = _BULLET.match(text)
    head, body = (text[: bullet.end()], text[bullet.end() :]) if bullet else ("", text)
    if "*" in body:
        body = re.sub(r"(?<=\w)\*|\*(?=\w)", "", body)
    text = head + body
    text = text.strip()
    if text.startswith("|") or text.endswith("|"):
        text = text.strip("| ").replace(" | ", ", ")
    if text.startswith(">"):
        text = text.lstrip("> ")
    return text


def _heading_kind(line: str, vocab: dict) -> str | None:
    if len(line) > 60:
        return None
    key = re.sub(r"[^a-z ]", "", line.lower()).strip()
    key = " ".join(key.split())
    if not key or len(key) > 40:
        return None
    for kind, names in vocab["section_headings"].items():
        if key in names:
            return kind
    return None


_OPEN_END = re.compile(r"\b(?:for|with|and|or|of|to|the|a|an|in|on|by|from|at|via|using|into|than|as)\s*$", re.I)


def _continues(previous: str, line: str) -> bool:
    """A bullet wrapped onto the next line ("...at a fixed 0.93 recall with" / "hard-negative mining (TV, music) from
    600 h"): the second line goes on in lower case, is no bullet and no dated entry line, and the bullet had not ended.
    Read as a line of its own, it became a project called "hard-negative mining (TV"."""
    if not _BULLET.match(previous) or _BULLET.match(line) or previous.rstrip().endswith(".") or _has_date(line):
        return False
    first = line.split(maxsplit=1)[0]
    return (first[:1].islower() and first.islower()) or bool(_OPEN_END.search(previous))


def _has_date(line: str) -> bool:
    return len(line) <= _TITLE_MAX and bool(_DATE_RANGE.search(line))


def _is_entry_title(line: str, next_is_bullet: bool, was_heading: bool) -> bool:
    """A short non-bullet line followed by bullets, one with a date range, or a markdown heading starts an entry."""
    if _BULLET.match(line) or len(line) > _TITLE_MAX:
        return False
    if was_heading or _has_date(line):
        return True
    return next_is_bullet and not line.rstrip().endswith(".")


def strip_dates(line: str) -> str:
    """An entry line without bullet and dates: "Senior ML Engineer, Acme (2021 - Present)" -> "Senior ML Engineer, Acme"."""
    title = _BULLET.sub("", line).strip()
    if len(title) > _TITLE_MAX:
        return title[:80].strip()
    m = _DATE_RANGE.search(title)
    if m is None:
        years = list(_YEAR.finditer(title))
        m = years[-1] if years and years[-1].end() >= len(title.rstrip(" )]")) - 1 else None
    if m is not None:
        before = title[: m.start()].rstrip(" ,;:-\u2013\u2014|([")
        after = title[m.end() :].lstrip(" ,;:-\u2013\u2014|)]")
        title = ", ".join(p for p in (before, after) if p)
    return title.strip(" ,;:-\u2013\u2014|") or line.strip()


def split_title(title: str) -> tuple[str | None, str | None]:
    """(role, company) of an entry title such as "Machine Learning Engineer, Lumen Audio" or "Lumen Audio | ML Engineer"."""
    if not title or len(title) > _TITLE_MAX:
        return None, None
    parts = [p.strip() for p in _TITLE_SPLIT.split(title) if p and p.strip(" .")]
    role = company = None
    for p in parts:
        words = {w.lower().strip(".") for w in p.split()}
        if role is None and words & _ROLE_WORDS:
            role = p
        elif company is None and not _looks_like_place(p):
            company = p
    return role, company


def _looks_like_place(part: str) -> bool:
    words = part.split()
    return (len(words) == 1 and (len(part) == 2 and part.isupper() or part.lower() in ("remote", "hybrid", "onsite"))) or part.lower().startswith("remote")


def _artifact(text: str) -> str | None:
    """What a bullet built, when it starts with a build verb: "Built the "Hey Lumen" keyword spotter: ..." ->
    '"Hey Lumen" keyword spotter'."""
    toks = tokenize(text)
    if not toks or toks[0].low not in _BUILD_VERBS:
        return None
    k = 1
    while k + 1 < len(toks) and toks[k].low == "and" and toks[k + 1].low in _BUILD_VERBS:
        k += 2
    return _noun_phrase(text, toks, k)


def _noun_phrase(text: str, toks: list[Token], k: int, need_article: bool = False) -> str | None:
    if k < len(toks) and toks[k].low in ("a", "an", "the", "our", "my", "its"):
        k += 1
    elif need_article:
        return None
    start = k
    head = None
    quoted = False
    while k < len(toks) and k - start < 9:
        t = toks[k]
        if t.low in ('"', "\u201c", "\u201d", "'"):
            quoted = not quoted if t.low in ('"', "'") else t.low == "\u201c"
            k += 1
            continue
        glued_next = k + 1 < len(toks) and toks[k + 1].hyphen
        if not quoted and (t.kind == "sym" or t.low in _NP_STOP and not glued_next and not t.hyphen):
            break
        if t.low in _HEAD_NOUNS and not quoted:
            head = k
        k += 1
    if head is None or head == start and toks[head].low in ("model", "models", "system", "pipeline", "service", "tool", "app"):
        return None
    phrase = text[toks[start].start : toks[head].end].strip()
    if phrase.count('"') % 2:
        phrase = phrase.replace('"', "")
    return phrase or None


def _artifact_anywhere(text: str) -> str | None:
    """A named thing in a bullet without a build verb: "Reduced latency of the on-device wake-word detector by 40%"."""
    toks = tokenize(text)
    for k, t in enumerate(toks):
        if t.low in ("the", "a", "an", "our"):
            phrase = _noun_phrase(text, toks, k, need_article=True)
            if phrase and len(phrase.split()) >= 2:
                return phrase
    return None


@dataclass
class _Entry:
    section: str
    heading: str | None
    lines: list[str] = field(default_factory=list)


def parse_resume(text: str, knowledge_dir: Path) -> Resume:
    vocab = vocabulary(str(knowledge_dir))
    tables = _tables(str(knowledge_dir))
    rows: list[tuple[str, bool]] = []  # (plain line, was a markdown heading)
    injection: list[str] = []
    read = 0
    for raw in _lines(clean(text)):
        if len(rows) >= MAX_LINES or read >= MAX_CHARS:
            break
        read += len(raw) + 1
        line, injected = strip_injection(clean(raw))
        if injected:
            injection.append(raw.strip())
        was_heading = bool(_MD_HEADING.match(line)) and line.lstrip().startswith("#")
        line = plain(line)
        if line.strip() and re.search(r"[A-Za-z0-9]", _BULLET.sub("", line)[:2000] or line[:2000]):
            if rows and not was_heading and _continues(rows[-1][0], line):
                rows[-1] = (f"{rows[-1][0]} {line}", rows[-1][1])
                continue
            rows.append((line, was_heading))
    skills: list[str] = []
    entries: list[_Entry] = []
    section = "experience" if not any(_heading_kind(l, vocab) for l, _ in rows) else "other"
    current: _Entry | None = None
    for i, (line, was_heading) in enumerate(rows):
        kind = _heading_kind(line, vocab)
        if kind:
            section, current = kind, None
            continue
        if _SKILLS_LINE.match(line) or section == "other":
            if _SKILLS_LINE.match(line) or re.search(r"skills", " ".join(l for l, _ in rows[max(0, i - 3) : i]).lower()):
                skills += _terms_in(line, tables, ("technique", "tool"))
            continue
        next_is_bullet = i + 1 < len(rows) and bool(_BULLET.match(rows[i + 1][0]))
        title_like = _is_entry_title(line, next_is_bullet, was_heading)
        if title_like or current is None:
            is_title = title_like and not _BULLET.match(line) and (next_is_bullet or _has_date(line) or was_heading)
            current = _Entry(section, strip_dates(line) if is_title else None)
            entries.append(current)
            if is_title:
                continue  # a title line carries no claims of its own
        current.lines.append(line)
    # what comes before the first entry with a title (the name, a contact line, a summary) is no project of its own
    # ("Let's talk about Kofi Asante from your resume"), when titled entries follow
    first_titled = next((i for i, e in enumerate(entries) if e.heading), 0)
    projects: list[Project] = []
    for entry in entries[first_titled:]:
        projects += _projects_of(entry)
    _unique_titles(projects)
    for p in projects:
        for line in p.lines:
            _add_claims(p, line, vocab, tables, knowledge_dir, sum(len(q.claims) for q in projects))
    return Resume([p for p in projects if p.claims], list(dict.fromkeys(skills)), injection, str(knowledge_dir))


def _lines(text: str):
    """The text's lines; a line too long to be one is cut at sentence ends, then at the length limit."""
    for raw in text.split("\n"):
        if len(raw) <= MAX_LINE_CHARS:
            yield raw
            continue
        start = 0
        pieces = []
        for m in _SENTENCE_END.finditer(raw):
            if raw[m.start()] in "\u2022\u25aa\u25cf":
                pieces.append(raw[start : m.start()])
                start = m.start()
            else:
                pieces.append(raw[start : m.end()])
                start = m.end()
        pieces.append(raw[start:])
        for piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            while len(piece) > MAX_LINE_CHARS:
                cut = piece.rfind(" ", 0, MAX_LINE_CHARS)
                cut = cut if cut > MAX_LINE_CHARS // 2 else MAX_LINE_CHARS
                yield piece[:cut]
                piece = piece[cut:]
            yield piece


def _projects_of(entry: _Entry) -> list[Project]:
    """One project per thing built; bullets without a new artifact belong to the one before."""
    role, company = split_title(entry.heading) if entry.heading and entry.section != "projects" else (None, None)
    out: list[Project] = []
    bodies = [_BULLET.sub("", l).strip() for l in entry.lines]
    artifacts = [_artifact(b) if len(b) <= 2000 else None for b in bodies]
    if entry.section == "projects" and entry.heading:
        return [Project(entry.heading[:80], entry.section, list(entry.lines), heading=entry.heading)]
    if not any(artifacts) and bodies:
        fallback = _artifact_anywhere(bodies[0][:600])
        artifacts[0] = fallback
    current: Project | None = None
    for line, art in zip(entry.lines, artifacts, strict=False):
        if art and (current is None or current.title != _entry_name(entry, role, company) or current.lines):
            if current is not None and current.title == _entry_name(entry, role, company) and not current.lines:
                out.remove(current)
            current = Project(_artifact_name(art, company), entry.section, heading=entry.heading, company=company, role=role)
            out.append(current)
        elif current is None:
            current = Project(_entry_name(entry, role, company), entry.section, heading=entry.heading, company=company, role=role)
            out.append(current)
        current.lines.append(line)
    return out


def _artifact_name(art: str, company: str | None) -> str:
    name = f"the {art}"
    if company:
        name += f" at {company}"
    return name[:100]


def _entry_name(entry: _Entry, role: str | None, company: str | None) -> str:
    if role and company:
        return f"your {role} role at {company}"[:100]
    if company:
        return f"your work at {company}"[:100]
    if role:
        return f"your {role} role"[:100]
    if entry.heading:
        return entry.heading[:80]
    first = _BULLET.sub("", entry.lines[0]).split() if entry.lines else []
    return " ".join(first[:6]).strip(" ,;:.") or "your first project"


def _unique_titles(projects: list[Project]) -> None:
    seen: dict[str, int] = {}
    for p in projects:
        n = seen.get(p.title, 0) + 1
        seen[p.title] = n
        if n > 1:
            p.title = f"{p.title} ({n})"


def _terms_in(line: str, tables: dict[str, PhraseTable], kinds: tuple[str, ...]) -> list[str]:
    toks = tokenize(line)
    low = [t.low for t in toks]
    out = []
    i = 0
    while i < len(toks):
        hit = None
        for kind in kinds:
            h = tables[kind].first(low, i)
            if h and (hit is None or h[0] > hit[0]):
                hit = h
        if hit:
            out.append(line[toks[i].start : toks[i + hit[0] - 1].end])
            i += hit[0]
        else:
            i += 1
    return out


def _add_claims(project: Project, line: str, vocab: dict, tables: dict[str, PhraseTable], knowledge_dir: Path, start_id: int) -> None:
    text = _BULLET.sub("", line).strip()
    claims = project.claims
    counter = [start_id]  # claims so far, all projects

    def add(kind: str, phrase: str, **extra) -> Claim:
        counter[0] += 1
        claim = Claim(f"c{counter[0]}", project.title, kind, phrase, text, **extra)
        claims.append(claim)
        return claim

    toks = tokenize(text)
    low = [t.low for t in toks]
    by_text: dict[str, Claim] = {}
    facts = extract_facts(text, "resume", knowledge_dir, project=project.title)
    numeric_spans = [(f.start, f.end) for f in facts if f.category == "numeric" and not f.derived]
    data_done = False
    i = 0
    while i < len(toks):
        best = None
        for kind in ("technique", "tool", "data"):
            h = tables[kind].first(low, i)
            if h and (best is None or h[0] > best[0]):
                best = (h[0], kind)
        if best is None:
            i += 1
            continue
        length, kind = best
        phrase = text[toks[i].start : toks[i + length - 1].end]
        if kind == "data":
            inside = any(a <= toks[i].start < b for a, b in numeric_spans)
            if not data_done and not inside:
                data_done = True
                add("data", _data_phrase(text, toks, i, i + length))
        elif not any(c.kind == kind and c.text.lower() == phrase.lower() for c in claims):
            by_text[phrase.lower()] = add(kind, phrase)
        i += length
    seen_phrases: dict[str, Claim] = {}
    for f in facts:
        if f.category == "numeric" and not f.derived and not f.op:
            words = re.sub(r"\b(?:ms|s|k|m|b|x|mb|gb|tb|kb|mw|fps|qps)\b", "", f.phrase, flags=re.I)
            if not re.search(r"[A-Za-z]{3,}", words) or (f.type == "count" and len(f.phrase.split()) < 2):
                project.facts.append(f)
                continue  # a bare number is no claim
            claim = seen_phrases.get(f.phrase)
            if claim is None:
                kind = "metric" if f.type in ("metric", "latency", "duration", "power", "speed", "cost", "throughput") else "scale"
                claim = add(kind, f.phrase, value=float(f.value), unit=f.dim, context=[f.subject], subject=f.subject)
                seen_phrases[f.phrase] = claim
            f.claim_id = claim.id
        elif f.category == "role" and f.value in ("lead", "colead", "mentor", "member"):
            claim = add("role", _role_phrase(text, f), subject="team")
            f.claim_id = claim.id
        elif f.category == "categorical":
            match = by_text.get(f.phrase.lower()) or next((c for c in claims if c.kind in ("technique", "tool") and c.text.lower() in f.phrase.lower()), None)
            f.claim_id = match.id if match else None
        project.facts.append(f)
    for f in facts:
        if f.claim_id is None and f.category in ("categorical", "ownership"):
            f.claim_id = next((c.id for c in claims if c.kind in ("technique", "tool", "data")), None)


def _role_phrase(text: str, f: Fact) -> str:
    phrase = text[f.start : f.end]
    if f.size and len(phrase) < 20:
        # extend to the team words: "Led a team of 5 engineers"
        rest = text[f.end : f.end + 40]
        m = re.match(r"[^,;.]{0,40}?(?:engineers|people|scientists|developers|researchers|interns|members|team|squad|group)\b", rest)
        if m:
            phrase = text[f.start : f.end + m.end()]
    return phrase.strip(" ,;:.")


def _data_phrase(text: str, toks: list[Token], i: int, j: int) -> str:
    """A data claim with enough words to mean something: "2,000 hours of far-field audio", not "audio"."""
    term = text[toks[i].start : toks[j - 1].end]
    if j - i > 1 and term.lower() not in _COMMON_DATA:
        return term
    lo = i
    while lo > 0 and i - lo < 4 and toks[lo - 1].kind != "sym" and (toks[lo - 1].low not in _NP_STOP or toks[lo - 1].low == "of"):
        lo -= 1
    hi = j
    while hi < len(toks) and hi - j < 3 and toks[hi].kind != "sym" and toks[hi].low not in ("with", "by", "using", "to", "and", "for", "in"):
        hi += 1
    while lo < i and toks[lo].low in _EDGE_STOP:
        lo += 1
    while hi > j and toks[hi - 1].low in _EDGE_STOP:
        hi -= 1
    phrase = text[toks[lo].start : toks[hi - 1].end]
    return phrase if len(phrase.split()) > 1 else term
