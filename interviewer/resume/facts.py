"""Typed facts from a resume line or an answer, and their comparison.

A fact says one thing about a project: a number with what it measures ("latency fell from 18 ms to 6 ms" is
two facts, before and after), a model family ("a depthwise-separable CNN"), a framework, a team role ("led a
team of 5"), who built something. Facts of the same type and subject are compared; numbers after
normalisation ("250k", "a quarter million", "40 million", "zero", "50 milliseconds", "0.3 an hour") and
with room for rounding; families through the vocabulary's hierarchy. The vocabulary is data
(knowledge/facts.yaml).

Everything here walks a token list once per clause with bounded look-around: time is linear in the text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from interviewer.resume.fact_vocab import Compiled, Token, compiled_vocabulary, phrase_key, tokens_of

NUMERIC, CATEGORICAL, ROLE, OWNERSHIP = "numeric", "categorical", "role", "ownership"
MAX_NUMBERS = 60  # numbers read per text: a sentence has a few; a table of figures is not a claim

# words that end a noun phrase to the right of a number
_RIGHT_STOP = frozenset(
    """to from by at in on with for per and or was were is are the a an that which than as into across over under
    after before using via while but so because when where it its this these those we i our my their has had have
    be been being got get reached reaching fell rose dropped went came took""".split()
)
_CLAUSE_SYMS = frozenset(",;:()[]!?|\u2014\u2013-\u2022")
_CLAUSE_WORDS = frozenset("but while whereas although though because so and which where then since whilst".split())
_SENT_END = frozenset(".!?")
# words between "at" and the number of an operating point ("at a fixed 0.93 recall")
_OP_FILLER = frozenset("a an the our its fixed same constant given".split())
# sounds of thinking: never a term, whatever the vocabulary lists ("Hmm" is not a hidden Markov model)
_FILLERS = frozenset("hmm hmmm hm um umm uh uhh er erm mm mhm ah eh".split())
_QUOTE_TRIM = " ,;:.-\u2013\u2014()[]"
_LEADING_CONJ = ("and ", "but ", "so ", "while ", "which ", "then ")
_NOUN_STOP = frozenset(
    """the a an of to in on at by for with and or but so our my we i it this that these those their its is are was were be
    been have has had do did done not no yes very really just about around roughly some any all each every other such
    more most less fewer than then there here when where why how what which who whom also too only like basically
    actually probably maybe one two three four five six seven eight nine ten time times way things thing stuff lot per
    over under after before into from up down out off again once same new old total overall""".split()
)


@dataclass
class Fact:
    type: str  # parameters | dataset | reach | metric | latency | duration | throughput | power | memory | speed | cost | count | architecture | framework | team | ownership
    subject: str  # metric or quantity id, count-noun group, family kind, "team", component words
    kind: str  # level | change | category | role | owner
    value: float | str | None
    origin: str  # resume | answer
    phrase: str  # the words carrying it, verbatim
    quote: str  # the clause it sits in, verbatim
    dim: str | None = None  # count, time, ratio, percent, power, bytes, qps, fps, factor, points ...
    when: str | None = None  # before | after
    direction: str | None = None  # up | down
    lo: float | None = None  # bounds ("under 8 ms", "tens of millions")
    hi: float | None = None
    tol: float = 0.0  # rounding room of the value as said
    rate: float | None = None  # seconds per period ("per hour")
    percentile: str | None = None
    split: str | None = None
    k: str | None = None
    slice: frozenset[str] = frozenset()  # the part of the data it was measured on ("accented speech", "overall")
    points: float | None = None  # derived changes of a ratio metric: the difference in percentage points
    derived: bool = False
    op: bool = False  # an operating point ("recall at 1% FPR"): measured at, not achieved
    assertive: bool = True  # False for an alternative the speaker did not use ("we tried a transformer")
    size: int | None = None  # team size
    component: frozenset[str] = frozenset()
    tasks: frozenset[str] = frozenset()
    project: str | None = None
    claim_id: str | None = None
    start: int = 0  # offsets of the phrase in the source text
    end: int = 0

    @property
    def category(self) -> str:
        if self.kind in ("level", "change"):
            return NUMERIC
        if self.kind == "category":
            return CATEGORICAL
        return ROLE if self.type == "team" else OWNERSHIP

    @property
    def label(self) -> str:
        """What the fact is about, in words: "latency (p95)", "recall@100", "team"."""
        name = self.subject.replace("-", " ")
        if self.k:
            name += f"@{self.k}"
        if self.percentile:
            name += f" ({self.percentile})"
        return name


@dataclass
class Conflict:
    type: str  # numeric | categorical | role | ownership
    before: Fact
    now: Fact
    subject: str
    gap: bool = False  # the resume lacks what the answer claims (a team it never mentions)


# -- extraction ---------------------------------------------------------------------------------------------
@dataclass
class _Num:
    i: int  # token span [i, j)
    j: int
    value: float
    dim: str  # count, time, percent, points, power, bytes, fps, qps, hz, factor
    hedged: bool = False
    word: bool = False  # said in words
    fraction: bool = False  # "a third", "half"
    step: float = 1.0
    bound: str | None = None
    near_zero: bool = False
    lo: float | None = None
    hi: float | None = None
    rate: float | None = None
    unit_end: int = 0  # token index after the unit
    op: bool = False  # an operating point ("at 1% FPR"), not a result
    qualifier: bool = False  # "recall at 10": the k of a metric
    changed: bool = False  # a fraction read as a change ("by half")


@dataclass
class _Mark:
    i: int
    j: int
    payloads: list


class _Text:
    """One text, tokenised once, with its term marks, numbers and clause boundaries."""

    def __init__(self, text: str, v: Compiled):
        self.text = text
        self.v = v
        self.toks: tuple[Token, ...] = tokens_of(text)
        self.low = [t.low for t in self.toks]
        n = len(self.toks)
        self.mark_at: list[_Mark | None] = [None] * n
        self.in_mark: list[_Mark | None] = [None] * n
        self.num_at: list[_Num | None] = [None] * n
        self.in_num: list[_Num | None] = [None] * n
        self._marks()
        self.nums = self._numbers()
        self.clause_id, self.clauses = self._clauses()
        self.sent_id, self.sentences = self._sentences()

    # ---- term marks ----
    def _marks(self) -> None:
        i, n = 0, len(self.toks)
        while i < n:
            hit = self.v.terms.match(self.low, i)
            if hit is None or (i > 0 and self.toks[i].hyphen and self.toks[i - 1].kind == "word" and self.mark_at[i - 1] is None and _is_only_count(hit[1])):
                i += 1
                continue
            length, payloads = hit
            if length == 1 and self._filler(i):
                i += 1
                continue
            m = _Mark(i, i + length, payloads)
            self.mark_at[i] = m
            for k in range(i, i + length):
                self.in_mark[k] = m
            i += length

    def _filler(self, i: int) -> bool:
        """"Hmm," "um", "uh": a sound made while thinking, not a term ("HMM" in capitals is the model)."""
        t = self.toks[i]
        if t.low not in _FILLERS or t.text.isupper():
            return False
        nxt = self.toks[i + 1] if i + 1 < len(self.toks) else None
        return nxt is None or nxt.kind == "sym" or i == 0 or self.toks[i - 1].kind == "sym"

    def mark_kinds(self, m: _Mark | None, *kinds: str) -> list:
        if m is None:
            return []
        return [p for p in m.payloads if p[0] in kinds]

    # ---- numbers ----
    def _numbers(self) -> list[_Num]:
        out: list[_Num] = []
        i, n = 0, len(self.toks)
        while i < n and len(out) < MAX_NUMBERS:
            m = self.in_mark[i]
            if m is not None and self.mark_kinds(m, "arch", "framework", "metric", "task") and not self.mark_kinds(m, "quantity", "count", "percentile", "split"):
                i = m.j
                continue
            num = self._number_at(i)
            if num is None:
                i += 1
                continue
            out.append(num)
            for k in range(num.i, num.j):
                self.in_num[k] = num
                if self.in_mark[k] is not None and not self.mark_kinds(self.in_mark[k], "arch", "metric"):
                    mk = self.in_mark[k]
                    for kk in range(mk.i, mk.j):
                        self.in_mark[kk] = None
                    self.mark_at[mk.i] = None
            self.num_at[num.i] = num
            i = num.j
        return out

    def _number_at(self, i: int) -> _Num | None:
        toks, low, v = self.toks, self.low, self.v
        t = toks[i]
        if t.kind == "num":
            prev = toks[i - 1] if i > 0 else None
            if prev is not None and t.glued and prev.kind == "word":
                return None  # int8, F1, ResNet-50, GPT-4: part of a name
            if prev is not None and t.glued and prev.low == "/" and prev.glued and i > 1 and self.toks[i - 2].kind == "word" and self.toks[i - 2].glued:
                return None  # ViT-B/16, ViT-L/14: part of a name
            if prev is not None and prev.low in ("$", "\u20ac", "\u00a3", "#", "v", "version"):
                return None
            text = t.low.replace(",", "")
            try:
                value = float(text)
            except ValueError:
                return None
            if "." in text:
                step = 10 ** -(len(text.split(".")[1]))
            else:
                stripped = text.rstrip("0")
                step = 10 ** (len(text) - len(stripped)) if stripped else 1
            num = _Num(i, i + 1, value, "count", step=step)
            j = i + 1
            # a scale: "250k", "1.2M", "40 million", "7B"
            if j < len(toks) and low[j] in v.scales:
                single = len(low[j]) <= 2
                if (not single) or toks[j].glued:
                    num.value *= v.scales[low[j]]
                    num.step *= v.scales[low[j]]
                    j += 1
            if "." not in text and len(text) == 4 and 1900 <= value <= 2099 and j == i + 1 and not self._unit_at(j):
                return None  # a year
        elif t.kind == "word":
            if t.low not in v.words and t.low not in v.fractions and t.low not in v.plural_scales and t.low not in ("a", "an"):
                return None
            parsed = self._word_number(i)
            if parsed is None:
                return None
            num, j = parsed
        else:
            return None
        num.j = j
        # a fraction before a unit: "a quarter of a second"
        if num.fraction and j + 1 < len(toks) and low[j] == "of" and low[j + 1] in ("a", "an"):
            if self._unit_at(j + 2):
                j += 2
        unit = self._unit_at(j)
        if unit is not None:
            length, u = unit
            num.dim = u.dim
            num.value *= u.factor
            num.step *= u.factor
            j += length
        num.unit_end = j
        num.j = j
        # a rate: "per hour", "an hour", "/h", "a day", "daily"
        rate = self._rate_at(j)
        if rate is not None:
            num.rate, j = rate
            num.j = j
        self._hedge_and_bound(num)
        return num

    def _unit_at(self, j: int):
        if j >= len(self.toks):
            return None
        hit = self.v.units.first(self.low, j)
        if hit is None:
            return None
        length, u = hit
        tok = self.toks[j]
        if len(tok.low) == 1 and tok.low not in ("%", "\u00d7") and not tok.glued:
            return None  # "5 s", "3 x", "2 w" only when written together
        if tok.low in ("point", "points") and j + 1 < len(self.toks) and self.low[j + 1] == "of":
            return None
        return length, u

    def _rate_at(self, j: int) -> tuple[float, int] | None:
        low, v = self.low, self.v
        if j < len(low) and low[j] in v.adverbs:
            return v.adverbs[low[j]], j + 1
        if j + 1 < len(low) and low[j] in v.rate_prefixes and low[j + 1] in v.periods:
            if low[j] in ("a", "an") and j + 2 < len(low) and self.toks[j + 2].kind == "word" and low[j + 2] not in _RIGHT_STOP:
                return None  # "a day job"
            return v.periods[low[j + 1]], j + 2
        return None

    def _word_number(self, i: int) -> tuple[_Num, int] | None:
        low, v = self.low, self.v
        n = len(low)
        j = i
        value = 0.0
        have = False
        fraction = False
        if low[i] in ("a", "an"):
            nxt = low[i + 1] if i + 1 < n else ""
            if nxt in ("couple", "few"):
                end = i + 3 if i + 2 < n and low[i + 2] == "of" else i + 2
                scale = 1.0
                if end < n and low[end] in v.scales and len(low[end]) > 2:
                    scale = v.scales[low[end]]
                    end += 1
                if nxt == "couple":
                    return _Num(i, end, 2.0 * scale, "count", word=True, step=scale, hedged=True), end
                return _Num(i, end, 3.0 * scale, "count", word=True, step=2.0 * scale, hedged=True, lo=2.0 * scale, hi=5.0 * scale), end
            if nxt in v.fractions or nxt in v.scales and len(nxt) > 2 or nxt == "dozen":
                value, have, j = 1.0, True, i + 1
            elif self._unit_at(i + 1) and self._unit_at(i + 1)[1].dim == "time" and not any(t.kind == "num" for t in self.toks[max(0, i - 4) : i]):
                return _Num(i, i + 1, 1.0, "count", word=True, step=1.0), i + 1  # "about a week"
            else:
                return None
        if low[j] in v.plural_scales and j + 1 < n and low[j + 1] == "of" and j + 2 < n and low[j + 2] in v.plural_scales:
            lo = v.plural_scales[low[j]] * v.plural_scales[low[j + 2]]
            num = _Num(i, j + 3, lo * 3, "count", word=True, lo=lo, hi=lo * 10, step=lo)
            return num, j + 3
        if low[j] in v.plural_scales and j + 1 < n and low[j + 1] == "of" and low[j] != "tens":
            lo = v.plural_scales[low[j]]
            return _Num(i, j + 1, lo * 3, "count", word=True, lo=lo, hi=lo * 1000, step=lo), j + 1
        if low[j] in ("one",) and (j + 1 < n and low[j + 1] in ("of", "another", "thing", "way") or i > 0 and low[i - 1] in ("the", "this", "that", "which", "no", "each", "every", "any")):
            return None
        if low[j] == "single" and not (i > 0 and low[i - 1] in ("a",)):
            return None
        start_value = value if have else 0.0
        total = 0.0
        current = 0.0
        seen_word = False
        k = j
        while k < n:
            w = low[k]
            if w in v.words and w not in ("once", "twice", "single", "dozen") or (w == "dozen"):
                if w == "dozen":
                    current = (current or (start_value if have else 1.0)) * 12
                    have = False
                else:
                    current += v.words[w]
                seen_word = True
                k += 1
                continue
            if w in ("once", "twice", "single") and not seen_word:
                current = v.words[w]
                seen_word = True
                k += 1
                break
            if w in v.fractions:
                base = current if seen_word else (start_value if have else 0.0)
                if not seen_word and not have and k == j and w in ("half",):
                    base = 1.0
                frac = v.fractions[w]
                if w in ("thirds", "quarters") and seen_word:
                    current = current * frac
                else:
                    current = (base or 1.0) * frac
                fraction = True
                seen_word = True
                have = False
                k += 1
                continue
            if w == "and" and seen_word and k + 2 < n and low[k + 1] in ("a", "an") and low[k + 2] in v.fractions:
                current += v.fractions[low[k + 2]]
                fraction = False
                k += 3
                continue
            if w == "hundred" and (seen_word or have):
                current = (current or start_value or 1.0) * 100
                have = False
                seen_word = True
                k += 1
                continue
            if w in v.scales and len(w) > 2 and (seen_word or have):
                total += (current or start_value or 1.0) * v.scales[w]
                current = 0.0
                have = False
                seen_word = True
                k += 1
                continue
            if w in ("a", "an") and fraction and k + 1 < n and low[k + 1] in v.scales and len(low[k + 1]) > 2:
                k += 1  # "half a million"
                continue
            break
        if not seen_word:
            return None
        value = total + current
        word = True
        step = max(abs(value) * 0.05, 1e-9)
        num = _Num(i, k, value, "count", word=word, fraction=fraction, step=step)
        return num, k

    def _hedge_and_bound(self, num: _Num) -> None:
        low, v = self.low, self.v
        k = num.i
        for _ in range(2):
            hit = v.hedges.ends_at(low, k)
            if hit:
                num.hedged = True
                if v.near_zero.ends_at(low, k) and num.value == 0:
                    num.near_zero = True
                k -= hit[0]
                continue
            hit = v.bounds.ends_at(low, k)
            if hit:
                if k - hit[0] > 0 and low[k - hit[0] - 1] == "just":
                    num.hedged = True
                else:
                    num.bound = hit[1]
                k -= hit[0]
                continue
            break
        if num.value == 0 and v.near_zero.ends_at(low, k):
            num.near_zero = True
        j = num.j
        if j + 1 < len(low) and low[j] == "or" and low[j + 1] == "so":
            num.hedged = True
        if j < len(low) and low[j] == "ish":
            num.hedged = True

    # ---- clauses and sentences ----
    def _clauses(self) -> tuple[list[int], list[tuple[int, int]]]:
        ids = [0] * len(self.toks)
        spans: list[tuple[int, int]] = []
        start = 0
        for k, t in enumerate(self.toks):
            boundary = False
            if self.in_num[k] is None:
                if t.kind == "sym" and (t.low in _CLAUSE_SYMS or t.low in _SENT_END):
                    boundary = True
                elif t.low in _CLAUSE_WORDS and self.in_mark[k] is None:
                    boundary = True
            if boundary:
                if k > start:
                    spans.append((start, k))
                ids[k] = -1
                start = k + 1
                continue
            ids[k] = len(spans)
        if start < len(self.toks):
            spans.append((start, len(self.toks)))
        fixed = []
        cid = 0
        for k in range(len(self.toks)):
            if ids[k] == -1:
                fixed.append(-1)
                continue
            while cid < len(spans) and spans[cid][1] <= k:
                cid += 1
            fixed.append(cid)
        return fixed, spans

    def _sentences(self) -> tuple[list[int], list[tuple[int, int]]]:
        ids = [0] * len(self.toks)
        spans: list[tuple[int, int]] = []
        start = 0
        for k, t in enumerate(self.toks):
            ids[k] = len(spans)
            if t.kind == "sym" and t.low in _SENT_END and self.in_num[k] is None:
                spans.append((start, k + 1))
                start = k + 1
        if start < len(self.toks):
            spans.append((start, len(self.toks)))
        return ids, spans

    def clause_of(self, k: int) -> tuple[int, int]:
        cid = self.clause_id[k]
        if cid < 0:
            return (k, k + 1)
        return self.clauses[cid]

    def sentence_of(self, k: int) -> tuple[int, int]:
        return self.sentences[self.sent_id[k]]

    def span_text(self, i: int, j: int) -> str:
        if i >= j:
            return ""
        return self.text[self.toks[i].start : self.toks[j - 1].end]

    def quote(self, i: int, j: int, focus: tuple[int, int] | None = None, limit: int = 120) -> str:
        """Verbatim text of tokens [i, j), trimmed; cut to a window around `focus` when longer than `limit`."""
        text = self.span_text(i, j).strip(_QUOTE_TRIM)
        if len(text) > limit and focus is not None:
            a, b = focus
            lo, hi = max(i, a - 6), min(j, b + 6)
            text = self.span_text(lo, hi).strip(_QUOTE_TRIM)
            while len(text) > limit and hi - lo > b - a:
                lo, hi = min(a, lo + 1), max(b, hi - 1)
                text = self.span_text(lo, hi).strip(_QUOTE_TRIM)
        low = text.lower()
        for conj in _LEADING_CONJ:
            if low.startswith(conj) and len(text) > len(conj) + 8:
                text = text[len(conj) :]
                break
        return text


def _is_only_count(payloads: list) -> bool:
    return all(p[0] in ("count",) for p in payloads)


def vocabulary(knowledge_dir: Path | str) -> Compiled:
    return compiled_vocabulary(str(knowledge_dir))


def extract_facts(text: str, origin: str, knowledge_dir: Path | str, project: str | None = None, claim_id: str | None = None) -> list[Fact]:
    """Every fact stated in `text` (a resume line or an answer)."""
    v = vocabulary(knowledge_dir)
    doc = _Text(text, v)
    facts: list[Fact] = []
    facts += _numeric_facts(doc, origin)
    facts += _category_facts(doc, origin)
    facts += _role_facts(doc, origin)
    facts += _ownership_facts(doc, origin)
    if origin == "answer":
        unsure = _unsure_spans(doc)
        if unsure:
            facts = [f for f in facts if not any(doc.toks[a].start <= f.start < doc.toks[b - 1].end for a, b in unsure)]
    for f in facts:
        f.project = project
        f.claim_id = claim_id
    return facts


# -- numbers ------------------------------------------------------------------------------------------------------
def _tasks_near(doc: _Text, k: int) -> frozenset[str]:
    """Tasks named in the clause of token k, else in its sentence, else in the sentence before it
    ("The recommender was a fine-tuned LLM. Recall was about 0.9.")."""
    spans = [doc.clause_of(k), doc.sentence_of(k)]
    sid = doc.sent_id[k]
    if sid > 0:
        spans.append(doc.sentences[sid - 1])
    for lo, hi in spans:
        found = set()
        for q in range(lo, hi):
            for p in doc.mark_kinds(doc.mark_at[q], "task"):
                found.add(p[1])
        if found:
            return frozenset(found)
    return frozenset()


def _metric_k(doc: _Text, m: _Mark) -> tuple[str | None, _Num | None]:
    """"recall@100", "recall at 10", "ndcg@10": the k of a ranking metric."""
    low, j = doc.low, m.j
    if j + 1 < len(low) and low[j] == "@" and doc.toks[j + 1].kind == "num":
        return low[j + 1], doc.num_at[j + 1]
    if j + 1 < len(low) and low[j] == "at" and doc.toks[j + 1].kind == "num":
        num = doc.num_at[j + 1]
        if num is not None and num.dim == "count" and num.value == int(num.value) and num.value >= 1 and "." not in doc.low[j + 1]:
            nxt = num.j
            if nxt >= len(low) or not (doc.mark_kinds(doc.mark_at[nxt], "metric") or low[nxt] in ("%",)):
                return str(int(num.value)), num
    if j + 1 < len(low) and low[j] == "@" and low[j + 1] == "k":
        return "k", None
    return None, None


def _numeric_facts(doc: _Text, origin: str) -> list[Fact]:
    low = doc.low
    # qualifiers: "recall@100" and "recall at 10" give k, "at 1% FPR" / "at recall 0.88" are operating points
    metric_k: dict[int, str] = {}
    for k, m in enumerate(doc.mark_at):
        if m is not None and doc.mark_kinds(m, "metric"):
            kk, num = _metric_k(doc, m)
            if kk:
                metric_k[k] = kk
            if num is not None:
                num.qualifier = True
    for num in doc.nums:
        # an operating point: "recall at 1% FPR", "precision 0.93 at recall 0.88" (not "false accepts at 0.3 an hour")
        p = num.i - 1
        between_metric = False
        while p >= 0 and doc.in_mark[p] is not None and doc.mark_kinds(doc.in_mark[p], "metric", "percentile"):
            between_metric = True
            p = doc.in_mark[p].i - 1
        metric_after = num.j < len(low) and bool(doc.mark_kinds(doc.mark_at[num.j], "metric"))
        # "at 0.93 smoke-alarm recall": a word or two naming what the metric is measured on may come between
        q = num.j
        while not metric_after and q < min(len(low), num.j + 2) and doc.toks[q].kind == "word" and doc.mark_at[q] is None and low[q] not in _RIGHT_STOP:
            q += 1
            metric_after = q < len(low) and bool(doc.mark_kinds(doc.mark_at[q], "metric"))
        # "at a fixed 0.93 recall", "at our operating point of 0.5 false alerts a day"
        while p >= 0 and low[p] in _OP_FILLER and doc.in_num[p] is None:
            p -= 1
        if p >= 1 and low[p] == "of" and low[p - 1] in ("point", "threshold"):
            num.op = not num.qualifier
        if p >= 0 and low[p] in ("at", "held", "fixed", "holding") and not num.qualifier and (between_metric or metric_after):
            num.op = True
    for num in doc.nums:
        # "by half", "in half", "cut it to a third": a fraction that states a change
        if num.fraction and num.dim == "count" and num.value <= 1:
            p = num.i - 1
            while p >= 0 and low[p] in ("about", "around", "roughly", "nearly", "almost", "more", "than", "over", "just"):
                p -= 1
            if p >= 0 and low[p] in ("by", "in"):
                num.dim, num.value, num.step, num.changed = "percent", num.value * 100, 5.0, True
            elif p >= 0 and low[p] == "to" and _direction(doc, num, doc.clause_of(num.i)[0]) == "down":
                num.dim, num.value, num.step, num.changed = "percent", (1 - num.value) * 100, 5.0, True
    facts: list[Fact] = []
    subjects: dict[int, tuple] = {}
    for idx, num in enumerate(doc.nums):
        if num.qualifier:
            continue
        subj = _subject(doc, num, metric_k)
        if subj is None and num.dim == "bytes":
            subj = _headed_size(doc, num)
        if subj is not None:
            subjects[idx] = subj
    # from-to pairs share a subject; the later value is "after"
    pairs: dict[int, int] = {}
    for idx in range(len(doc.nums) - 1):
        a, b = doc.nums[idx], doc.nums[idx + 1]
        if a.qualifier or b.qualifier or doc.clause_id[a.i] != doc.clause_id[b.i] or doc.clause_id[a.i] < 0:
            continue
        between = [t for t in low[a.j : b.i] if t not in ("about", "around", "roughly", "nearly", "almost", "just", "under", "over", "approximately", "only", "barely", "below", "above", "~")]
        froms = _preceded_by(doc, a.i, ("from",))
        if between in (["to"], ["->"], ["\u2192"], ["down", "to"], ["up", "to"], [">"]) or (froms and between in (["to"], ["down", "to"], ["up", "to"])):
            if a.dim == "count" and b.dim != "count":
                a.dim, a.value, a.step = b.dim, a.value * _unit_factor(doc, b), a.step * _unit_factor(doc, b)
            if a.dim != b.dim:
                continue
            pairs[idx] = idx + 1
            if idx not in subjects and idx + 1 in subjects:
                subjects[idx] = subjects[idx + 1]
            elif idx in subjects:
                subjects[idx + 1] = subjects[idx]
            if b.rate is None and a.rate is not None:
                b.rate = a.rate
            if a.rate is None and b.rate is not None:
                a.rate = b.rate
    paired_after = set(pairs.values())
    by_idx: dict[int, Fact] = {}
    for idx, num in enumerate(doc.nums):
        if idx not in subjects or num.qualifier:
            continue
        ftype, subject, subject_span, metric = subjects[idx]
        lo_c, hi_c = doc.clause_of(num.i)
        if origin == "answer" and _hypothetical(doc, lo_c, hi_c):
            continue
        if num.near_zero:
            continue
        value, dim = num.value, num.dim
        change = _change_of(doc, num, subject, ftype, metric)
        when = None
        if idx in pairs:
            when = "before"
        elif idx in paired_after:
            when = "after"
        if change is None and when is None:
            when = _when(doc, num)
        if dim == "percent" and metric is None and change is None:
            change = ("relative", _direction(doc, num, lo_c), num.value)
        if change is None and dim in ("points", "factor"):
            continue
        lo = num.lo
        hi = num.hi
        if num.bound == "upper":
            hi, lo = value, None
        elif num.bound == "lower":
            lo, hi = value, None
        tol = 0.0
        if num.hedged or num.word:
            tol = 0.5 * num.step if not num.word else max(0.5 * num.step, 0.05 * abs(value))
        if metric is not None and change is None:
            value, dim, tol, lo, hi = _metric_value(metric, value, dim, tol, lo, hi, doc, num)
            if value is None:
                continue
        phrase_i, phrase_j = _phrase_span(doc, num, idx, subjects, pairs)
        f = Fact(
            type=ftype,
            subject=subject,
            kind="level" if change is None else "change",
            value=value if change is None else change[2],
            origin=origin,
            phrase=doc.span_text(phrase_i, phrase_j).strip(_QUOTE_TRIM),
            quote=doc.quote(lo_c, hi_c, (phrase_i, phrase_j)),
            dim=dim if change is None else change[0],
            when=when if change is None else None,
            direction=None if change is None else change[1],
            lo=lo if change is None else None,
            hi=hi if change is None else None,
            tol=tol if change is None else (max(tol, 5.0) if num.fraction else tol * (100 if num.dim in ("count",) and num.fraction else 1)),
            rate=num.rate,
            percentile=_qualifier(doc, num, "percentile"),
            split=_qualifier(doc, num, "split"),
            k=metric_k.get(_metric_index(doc, num, metric)) if metric else None,
            tasks=_tasks_near(doc, num.i),
            slice=_slice(doc, num, lo_c, hi_c),
            start=doc.toks[phrase_i].start,
            end=doc.toks[phrase_j - 1].end,
        )
        if num.op and origin == "answer":
            continue
        f.op = num.op
        facts.append(f)
        by_idx[idx] = f
    # a from-to pair is also a change
    for a_idx, b_idx in pairs.items():
        a, b = by_idx.get(a_idx), by_idx.get(b_idx)
        if a is None or b is None or a.kind != "level" or b.kind != "level" or not isinstance(a.value, float) or not isinstance(b.value, float):
            continue
        if a.value == 0:
            continue
        rel = abs(b.value - a.value) / abs(a.value) * 100
        pts = abs(b.value - a.value) * 100 if a.dim == "ratio" else None
        facts.append(replace(b, kind="change", value=rel, dim="relative", when=None, direction="down" if b.value < a.value else "up",
                             lo=None, hi=None, tol=0.0, points=pts, derived=True, phrase=doc.span_text(_phrase_span(doc, doc.nums[a_idx], a_idx, subjects, pairs)[0], _phrase_span(doc, doc.nums[b_idx], b_idx, subjects, pairs)[1]).strip(_QUOTE_TRIM), start=a.start))
    return facts


def _unit_factor(doc: _Text, num: _Num) -> float:
    hit = doc._unit_at(num.i + 1)
    return hit[1].factor if hit else 1.0


def _preceded_by(doc: _Text, i: int, words: tuple[str, ...]) -> bool:
    k = i - 1
    while k >= 0 and doc.low[k] in ("about", "around", "roughly", "approximately", "nearly", "almost", "just", "under", "over", "only", "~", "a", "an"):
        k -= 1
    return k >= 0 and doc.low[k] in words


def _metric_index(doc: _Text, num: _Num, metric: str | None) -> int:
    """Token index of the metric mark the number belongs to (for its k)."""
    lo, hi = doc.clause_of(num.i)
    best, best_d = -1, 10**9
    for k in range(lo, hi):
        m = doc.mark_at[k]
        if m is not None and any(p == ("metric", metric) for p in m.payloads):
            d = abs(k - num.i)
            if d < best_d:
                best, best_d = k, d
    return best


def _hypothetical(doc: _Text, lo: int, hi: int) -> bool:
    if _considered(doc, lo):
        return True
    for k in range(lo, hi):
        if doc.in_num[k] is None and doc.v.hypothetical.first(doc.low, k):
            hit = doc.v.hypothetical.first(doc.low, k)
            if hit and doc.low[k] == "target" and k > lo and doc.low[k - 1] in ("the", "a"):
                continue
            return True
    return False


_SLICE_VERBS = frozenset("got get gets was were is are went fell rose dropped improved regressed degraded became stayed saw".split())
_SLICE_STOP = _NOUN_STOP | _RIGHT_STOP | frozenset(
    """model models system systems pipeline service it they we us which that results result number numbers score scores
    metric metrics everything everyone data dataset set split part side well yeah so okay ok""".split())


def _slice(doc: _Text, num: _Num, lo: int, hi: int) -> frozenset[str]:
    """The part of the data a figure is about: "overall"; the words after "on" / "for" / "among" ("a +9% WER
    regression on accented speech"); or the subject of the clause when it is not the measure itself ("accented
    speech got 9% worse"). Empty when the clause does not say."""
    low, toks = doc.low, doc.toks
    if any(low[q] in ("overall", "aggregate") for q in range(lo, hi)):
        return frozenset({"overall"})
    words: list[str] = []
    starts = list(range(num.j, min(hi, num.j + 6)))
    # a framing at the head of the clause or just before it: "On accented speech we cut ...", "For new users, ..."
    s_lo, _ = doc.sentence_of(num.i)
    if lo > s_lo and lo - 1 > s_lo:
        p_lo, p_hi = doc.clause_of(lo - 2)
        if p_hi - p_lo <= 5 and p_lo >= s_lo:
            starts = [p_lo] + starts
    starts = [lo] + starts
    for q in starts:
        if low[q] in ("on", "for", "among") and q + 1 < hi:
            r = q + 1
            while r < hi and low[r] in ("the", "a", "an", "our", "its", "their"):
                r += 1
            while r < hi and len(words) < 3 and toks[r].kind == "word" and low[r] not in _SLICE_STOP and doc.in_num[r] is None and not doc.mark_kinds(doc.in_mark[r], "metric", "percentile", "split"):
                words.append(low[r])
                r += 1
            break
    if not words:
        # the clause's subject before its verb: "accented speech got 9% worse"
        q = lo
        lead = []
        while q < num.i and toks[q].kind == "word" and low[q] not in _SLICE_VERBS:
            lead.append(q)
            q += 1
        if lead and q < num.i and low[q] in _SLICE_VERBS and len(lead) <= 3:
            if not any(doc.mark_kinds(doc.in_mark[r], "metric", "percentile", "split", "arch", "framework") or low[r] in _SLICE_STOP for r in lead):
                words = [low[r] for r in lead]
    return frozenset(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words)


def same_slice(a: Fact, b: Fact) -> bool:
    """Figures of the same part of the data: either says none, or both name the same part."""
    if not a.slice or not b.slice:
        return True
    return bool(a.slice & b.slice)


# how a sentence opens when it hedges, muses about a plan, or is modest rather than stating a fact
_UNSURE_OPENERS = tuple(tuple(p.split()) for p in (
    "i'm not sure", "i am not sure", "i'm not totally sure", "i'm not entirely sure", "not sure", "i'm honestly not sure",
    "i haven't", "i have not", "i haven't really", "i don't think i", "i don't really know", "i'd probably", "i would probably",
    "i'd want", "i would want", "i'd have to think", "i'd need to think", "i'd like to think", "i guess i'd",
    "that's a good question", "good question", "i'd probably just", "i'd take", "i'd let", "i'd go with", "i'd defer"))
_OPENER_SKIP = frozenset("hmm hmmm hm um umm uh er erm well so honestly oh ah yeah okay ok to be honest , ... .".split())
_BUT = frozenset("but though although however".split())


def _unsure_spans(doc: _Text) -> list[tuple[int, int]]:
    """Token spans of answer sentences that hedge or muse instead of stating ("Hmm, I haven't really decided that
    yet", "I'd probably take my cue from my manager"): up to a "but" that goes on to state something."""
    out = []
    low = doc.low
    for lo, hi in doc.sentences:
        q = lo
        while q < hi and (low[q] in _OPENER_SKIP or doc._filler(q)):
            q += 1
        if not any(tuple(low[q : q + len(p)]) == p for p in _UNSURE_OPENERS):
            continue
        end = next((r for r in range(q, hi) if low[r] in _BUT), hi)
        out.append((lo, end))
    return out


def _considered(doc: _Text, lo: int) -> bool:
    """The clause describes an option weighed, not the outcome: it continues a counterfactual ("raising the
    threshold would have fixed the false alerts but dropped recall to 0.8") or sits in a list of options
    ("Three options: raise the threshold, which cost recall ...")."""
    s_lo, _ = doc.sentence_of(lo)
    k = lo
    while k - 1 > s_lo and doc.low[k - 1] in ("but", "and", "or"):
        p_lo, p_hi = doc.clause_of(k - 2)
        if any(doc.low[q] in ("would", "could", "might", "would've", "could've") for q in range(p_lo, p_hi)):
            return True
        k = p_lo
    for q in range(s_lo, lo):
        if doc.low[q] in ("options", "alternatives", "choices") and q + 1 < lo and doc.low[q + 1] == ":":
            return True
    return False


def _qualifier(doc: _Text, num: _Num, kind: str) -> str | None:
    lo, hi = doc.clause_of(num.i)
    best, best_d = None, 10**9
    for k in range(max(lo, num.i - 8), min(hi, num.j + 6)):
        for p in doc.mark_kinds(doc.mark_at[k], kind):
            d = abs(k - num.i)
            if d < best_d:
                best, best_d = p[1], d
    if kind == "split" and best is None:
        # "trained on 12,000 hours" is the training set; "evaluated on", "tested on" the test set
        for k in range(lo, num.i):
            if doc.low[k] in ("evaluated", "tested", "measured", "benchmarked", "validated"):
                return "eval"
    return best


def _subject(doc: _Text, num: _Num, metric_k: dict[int, str]) -> tuple | None:
    """(type, subject, (i, j) of its words, metric id or None) of the number; None when it is unclear what it measures."""
    v, low, toks = doc.v, doc.low, doc.toks
    lo, hi = doc.clause_of(num.i)
    if doc.clause_id[num.i] < 0:
        return None
    dim = num.dim
    # 0. "8-bit weights", "3-layer", "6-person": the number qualifies the word glued to it
    if num.j < hi and toks[num.j].hyphen and num.unit_end == num.j and toks[num.j].kind == "word":
        m = doc.mark_at[num.j]
        quantity = _fit_quantity(doc, m, dim, right=True) if m is not None else None
        if quantity is not None:
            return quantity[:2] + ((num.j, m.j), None)
        return ("count", _stem(low[num.j]), (num.j, num.j + 1), None)
    # 1. a noun right after the number: "250k parameters", "60k dermatology images", "2,000 hours of audio"
    k = num.j
    of_seen = False
    words_seen = 0
    right_metric = None
    while k < min(hi, num.j + 5):
        t = toks[k]
        if low[k] == "of" and not of_seen:
            of_seen = True
            k += 1
            continue
        m = doc.mark_at[k]
        if m is not None:
            metrics = doc.mark_kinds(m, "metric")
            if metrics and right_metric is None:
                right_metric = (metrics[0][1], (m.i, m.j))
                if words_seen == 0 or dim != "count":
                    break
            quantity = _fit_quantity(doc, m, dim, right=True, of_seen=of_seen)
            if quantity is not None:
                return quantity[:2] + ((m.i, m.j), None)
            counts = doc.mark_kinds(m, "count")
            if counts and dim == "count":
                # the head is the last noun: "4,000 labelled street photos" counts photos
                head, span = counts[0][1], (m.i, m.j)
                q = m.j
                while q < min(hi, m.j + 3) and toks[q].kind == "word" and low[q] not in _RIGHT_STOP and low[q] not in _NOUN_STOP:
                    nm = doc.mark_at[q]
                    if nm is not None and doc.mark_kinds(nm, "count"):
                        head, span = doc.mark_kinds(nm, "count")[0][1], (m.i, nm.j)
                        q = nm.j
                        continue
                    if nm is not None:
                        break
                    if low[q].endswith("s") and len(low[q]) > 3 and low[q] not in _PEOPLE:
                        head, span = _stem(low[q]), (m.i, q + 1)
                    q += 1
                return ("count", head, span, None)
            k = m.j
            words_seen += 1
            continue
        if t.kind != "word" or low[k] in _RIGHT_STOP:
            break
        if v.changes.first(low, k) or low[k] in _CHANGE_NOUNS or low[k] in ("relative", "absolute"):
            k += 1
            words_seen += 1
            continue
        words_seen += 1
        if dim == "count" and low[k] not in _NOUN_STOP and len(low[k]) > 2 and not of_seen:
            nxt = low[k + 1] if k + 1 < len(low) else ""
            verbish = nxt.endswith("ing") or nxt.endswith("ed") or nxt.endswith("ly")
            if verbish or not (k + 1 < hi and toks[k + 1].kind == "word" and nxt not in _RIGHT_STOP and nxt not in _NOUN_STOP and words_seen < 3):
                if low[k] in _PEOPLE:
                    return None  # "5 engineers": a team size, read by the role facts
                if low[k].endswith("s") or toks[k].hyphen or num.value != 1:
                    return ("count", _stem(low[k]), (k, k + 1), None)
                break
        k += 1
    # 2. a metric on the left: "AUC 0.87", "recall about 0.9"; else a quantity: "latency fell from 18 ms"
    left_metric = left_quantity = None
    qualifier_only = None
    k = num.i - 1
    steps = 0
    while k >= lo and steps < 9:
        other = doc.in_num[k]
        if other is not None and other is not num:
            if other.op or other.qualifier:
                k = other.i - 1
                continue
            if not _between_is_pair(doc, other, num):
                break
            k = other.i - 1
            continue
        m = doc.in_mark[k]
        if m is not None:
            if _in_op_span(doc, m) and not num.op:
                k = m.i - 1
                continue
            metrics = doc.mark_kinds(m, "metric")
            if metrics and left_metric is None:
                left_metric = (metrics[0][1], (m.i, m.j))
                break
            quantity = _fit_quantity(doc, m, dim, right=False)
            if quantity is not None and left_quantity is None:
                left_quantity = quantity[:2] + ((m.i, m.j), None)
            if doc.mark_kinds(m, "percentile") and qualifier_only is None:
                qualifier_only = (m.i, m.j)
            k = m.i - 1
            steps += 1
            continue
        k -= 1
        steps += 1
    if num.op and right_metric is not None:
        return ("metric", right_metric[0], right_metric[1], right_metric[0])  # "at 1% FPR"
    if left_metric is not None:
        return ("metric", left_metric[0], left_metric[1], left_metric[0])
    if right_metric is not None:
        return ("metric", right_metric[0], right_metric[1], right_metric[0])
    if left_quantity is not None:
        return left_quantity
    # 3. a change whose subject was named just before: "The big win was latency: we cut it by about 10%"
    #    (not a share: "40% of the frame time was the resize")
    if dim in ("percent", "points", "factor") and not (num.j < len(low) and low[num.j] == "of"):
        cid = doc.clause_id[num.i]
        sid = doc.sent_id[num.i]
        for prev_cid in range(cid - 1, max(-1, cid - 3), -1):
            plo, phi = doc.clauses[prev_cid]
            if doc.sent_id[plo] != sid:
                break
            for q in range(phi - 1, plo - 1, -1):
                if doc.in_num[q] is not None:
                    break
                m = doc.mark_at[q]
                if m is None:
                    continue
                metrics = doc.mark_kinds(m, "metric")
                if metrics:
                    return ("metric", metrics[0][1], None, metrics[0][1])
                quantity = _fit_quantity(doc, m, dim, right=False)
                if quantity is not None:
                    return quantity[:2] + (None, None)
    # 4. what the unit implies
    implied = {"fps": ("throughput", "frame-rate"), "qps": ("throughput", "throughput"), "power": ("power", "battery")}
    if dim in implied:
        return (implied[dim][0], implied[dim][1], None, None)
    if dim == "time" and qualifier_only:
        return ("latency", "latency", qualifier_only, None)
    if dim == "time" and num.value <= 5:
        # "it took about 250 ms", "it ended at around 90 milliseconds per image": a sub-second time the thing
        # itself takes is its latency
        said = [low[q] for q in range(lo, num.i)]
        if "it" in said and any(w in _TOOK for w in said) and not any(w in ("every", "each", "window", "windows", "frames", "hop") for w in low[lo:hi]):
            return ("latency", "latency", None, None)
    if dim == "factor" or (dim == "percent" and num.j < len(low) and low[num.j] in ("faster", "quicker", "slower")):
        return ("speed", "speed", None, None)
    return None


def _between_is_pair(doc: _Text, a: _Num, b: _Num) -> bool:
    between = [t for t in doc.low[a.j : b.i] if t not in ("about", "around", "roughly", "nearly", "almost", "just", "under", "~")]
    return between in (["to"], ["down", "to"], ["up", "to"], ["->"], ["\u2192"])


def _headed_size(doc: _Text, num: _Num) -> tuple | None:
    """"Compressed the keyboard model: 41 MB -> 9 MB": a size after a heading that names the model is its size."""
    lo, _ = doc.clause_of(num.i)
    s_lo, _ = doc.sentence_of(num.i)
    k = lo - 1
    while k > s_lo and doc.low[k] != ":":
        k -= 1
    if k > s_lo and doc.low[k] == ":" and doc.low[k - 1] in ("model", "models", "network", "checkpoint", "detector", "classifier", "encoder"):
        return ("memory", "model-size", (num.i, num.j), None)
    return None


def _in_op_span(doc: _Text, m: _Mark) -> bool:
    """A metric inside "at 1% FPR" / "at recall 0.88": an operating point, not the subject of what follows."""
    if m.i > 0 and doc.low[m.i - 1] == "at":
        return True
    p = m.i - 1
    if p >= 0 and doc.in_num[p] is not None and doc.in_num[p].op:
        return True
    return False


def _fit_quantity(doc: _Text, m: _Mark, dim: str, right: bool, of_seen: bool = False) -> tuple | None:
    if dim == "bytes" and doc.low[m.j - 1] in ("model", "models", "network", "checkpoint") and not doc.mark_kinds(m, "quantity"):
        return ("memory", "model-size")  # "the speech model from 200 MB to 20 MB"
    for p in doc.mark_kinds(m, "quantity"):
        q = doc.v.quantities[p[1]]
        if right and q.attach == "left":
            continue
        if not right and q.attach == "right":
            continue
        if q.of_only and not of_seen:
            continue
        if dim in q.dims or (dim == "percent" and not right) or (dim == "factor" and not right):
            return (q.type, q.id)
    return None


def _stem(word: str) -> str:
    w = word.lower()
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("es", "e"), ("s", "")):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            return w[: -len(suffix)] + repl
    return w


def _when(doc: _Text, num: _Num) -> str | None:
    low, v = doc.low, doc.v
    lo, hi = doc.clause_of(num.i)
    k = num.i - 1
    while k >= lo and low[k] in ("about", "around", "roughly", "approximately", "nearly", "almost", "just", "under", "only", "~", "a", "an", "basically"):
        k -= 1
    if k >= lo and low[k] == "to":
        return "after"
    if k >= lo and low[k] == "from" and not (k > lo and low[k - 1] in ("came", "come", "comes", "data")):
        return "before"
    hit = v.when.ends_at(low, k + 1) if k >= lo else None
    if hit and hit[1] == "instead":
        return "before"
    # "40 minutes instead of 6 hours": the value before "instead of" is the new one
    for q in range(num.j, min(hi, num.j + 3)):
        m = v.when.first(low, q)
        if m and m[1] == "instead":
            return "after"
    best, best_d = None, 10**9
    spans = [(lo, hi)]
    cid = doc.clause_id[num.i]
    if cid > 0:
        plo, phi = doc.clauses[cid - 1]
        if phi - plo <= 4 and doc.sent_id[plo] == doc.sent_id[num.i]:
            spans.append((plo, phi))
    for a, b in spans:
        for q in range(a, b):
            if doc.in_num[q] is not None:
                continue
            m = v.when.first(low, q)
            if m and m[1] in ("before", "after"):
                d = abs(q - num.i)
                if d < best_d:
                    best, best_d = m[1], d
    return best


def _direction(doc: _Text, num: _Num, lo: int) -> str | None:
    low, v = doc.low, doc.v
    hi = doc.clause_of(num.i)[1]
    best, best_d = None, 10**9
    for q in list(range(lo, num.i)) + list(range(num.j, min(hi, num.j + 3))):
        if doc.in_num[q] is not None:
            continue
        m = v.changes.first(low, q)
        if m and m[1] in ("down", "up"):
            d = abs(q - num.i)
            if d < best_d:
                best, best_d = m[1], d
    return best


_PEOPLE = frozenset("people engineers engineer persons person scientists researchers developers members reports interns analysts folks colleagues teammates designers".split())
_CHANGE_NOUNS = frozenset("lift increase improvement gain drop reduction decrease boost fewer less more higher lower faster slower smaller bigger larger speedup speed-up cut uplift jump savings".split())
_TIME_SUBJECTS = frozenset({"latency", "training-time", "frame", "hop"})
# words after a percentage that judge the change: which way it went follows from whether the metric is better lower
_VERDICT = {"worse": "worse", "regression": "worse", "regressed": "worse", "degradation": "worse", "degraded": "worse",
            "better": "better", "improvement": "better", "improved": "better"}


def _change_of(doc: _Text, num: _Num, subject: str, ftype: str, metric: str | None) -> tuple[str, str | None, float] | None:
    """(kind relative|points, direction, magnitude) when the number states a change, else None."""
    low = doc.low
    lo, hi = doc.clause_of(num.i)
    prev = num.i - 1
    while prev >= lo and low[prev] in ("about", "around", "roughly", "approximately", "nearly", "almost", "just", "over", "under", "more", "than", "~", "only", "basically"):
        prev -= 1
    after = low[num.j] if num.j < len(low) else ""
    direction = _direction(doc, num, lo)
    if num.dim == "factor":
        factor = num.value
        if factor <= 0:
            return None
        word_after = after if after else ""
        lowered = direction == "down" or word_after in ("faster", "smaller", "fewer", "less", "cheaper", "speedup", "speed-up", "reduction") or any(
            low[q] in ("sped", "speedup", "faster", "accelerated") for q in range(lo, min(hi, num.j + 2))
        )
        if subject in _TIME_SUBJECTS or subject in ("speed",) and lowered or ftype in ("memory", "cost"):
            if lowered or subject in ("speed",):
                return ("relative", "down", (1 - 1 / factor) * 100)
            return ("relative", "up", (factor - 1) * 100)
        return ("relative", "down" if lowered and word_after not in ("more", "higher") else "up", abs(factor - 1) * 100 if not lowered else (1 - 1 / factor) * 100)
    if num.changed:
        return ("relative", direction or "down", num.value)
    if num.dim == "points":
        return ("points", direction, num.value)
    if num.dim != "percent":
        return None
    if after in ("faster", "quicker"):
        return ("relative", "down", (1 - 1 / (1 + num.value / 100)) * 100)
    if after in ("slower",):
        return ("relative", "up", num.value)
    # "9% worse", "a +9% WER regression", "6% relative WER", "3% absolute": a change of the metric, not its level
    m_after = doc.mark_at[num.j] if num.j < len(low) else None
    word_after = low[m_after.j] if m_after is not None and doc.mark_kinds(m_after, "metric") and m_after.j < len(low) else after
    if word_after in _VERDICT or after in _VERDICT:
        verdict = after if after in _VERDICT else word_after
        better = doc.v.metrics[metric].better if metric and metric in doc.v.metrics else None
        worse = _VERDICT[verdict] == "worse"
        if better is None:
            return ("relative", direction, num.value)
        return ("relative", "up" if (better == "lower") == worse else "down", num.value)
    if after in ("relative", "absolute") or (m_after is not None and word_after in ("relative", "absolute")):
        kind = "relative" if "relative" in (after, word_after) else "points"
        return (kind, direction, num.value)
    if prev >= lo and low[prev] == "by":
        return ("relative", direction, num.value)
    if after in _CHANGE_NOUNS or (num.j + 1 < len(low) and low[num.j] in ("relative", "absolute") and low[num.j + 1] in _CHANGE_NOUNS):
        return ("relative", direction or ("down" if after in ("drop", "reduction", "decrease", "fewer", "less", "lower", "smaller", "faster", "cut", "savings") else "up" if after in ("lift", "increase", "gain", "boost", "more", "higher", "uplift", "jump") else None), num.value)
    if metric is None:
        return ("relative", direction, num.value)
    if direction is not None and not (prev >= lo and low[prev] in ("to", "at", "of", "was", "is", "reached")) and not _preceded_by(doc, num.i, ("to", "from", "at", "of")):
        # "cut false accepts 35%": a change; "accuracy 94%" has no change verb
        return ("relative", direction, num.value)
    return None


def _metric_value(metric: str, value: float, dim: str, tol: float, lo, hi, doc: _Text, num: _Num):
    """Normalise a metric level: ratio metrics to 0..1 (94% -> 0.94; a bare 94 -> 0.94)."""
    m = doc.v.metrics[metric]
    if m.scale == "ratio":
        if dim == "percent" or (dim == "count" and value > 1 and value <= 100):
            f = 0.01
        elif dim == "count":
            f = 1.0
        else:
            return None, dim, tol, lo, hi
        return value * f, "ratio", tol * f, None if lo is None else lo * f, None if hi is None else hi * f
    if m.scale == "rate":
        if dim in ("count",):
            return value, "rate", tol, lo, hi
        if dim == "percent":
            return value * 0.01, "ratio", tol * 0.01, None if lo is None else lo * 0.01, None if hi is None else hi * 0.01
        return None, dim, tol, lo, hi
    if dim in ("count", "percent", "points"):
        return value, "score", tol, lo, hi
    return value, dim, tol, lo, hi


def _phrase_span(doc: _Text, num: _Num, idx: int, subjects: dict, pairs: dict) -> tuple[int, int]:
    """Tokens of the fact's words: the number with its unit and subject ("latency fell from 18 ms to 6 ms",
    "250k parameters", "reduced false accepts by 35%")."""
    lo, hi = doc.clause_of(num.i)
    i, j = num.i, num.j
    span = subjects.get(idx, (None, None, None, None))[2]
    if span is not None:
        i, j = min(i, span[0]), max(j, span[1])
        if span[0] < num.i:
            # the change verb before the subject: "reduced false accepts by 35%"
            p = span[0] - 1
            if p >= lo and doc.toks[p].kind == "word" and doc.v.changes.first(doc.low, p) and p >= i - 2:
                i = p
    if idx in pairs:
        other = doc.nums[pairs[idx]]
        j = max(j, other.j)
    for a, b in pairs.items():
        if b == idx:
            i = min(i, _phrase_span(doc, doc.nums[a], a, subjects, {})[0])
    return max(lo, i), min(hi, j)


# -- categories ---------------------------------------------------------------------------------------------------
def _assertive(doc: _Text, i: int, j: int, origin: str = "resume") -> bool:
    """False when the family is an alternative ("we tried a transformer", "instead of an LSTM", "no neural retriever")."""
    v, low = doc.v, doc.low
    lo, hi = doc.clause_of(i)
    blocked = False
    k = lo
    while k < i:
        hit = v.alt_after.first(low, k)
        if hit:
            blocked = True
            k += hit[0]
            continue
        if blocked and low[k] in ("with", "by", "using", "to", "into", "for"):
            blocked = False
        hit = v.alt_clause.first(low, k)
        if hit:
            return False
        k += 1
    if blocked:
        return False
    for q in range(j, min(hi, j + 4)):
        if low[q] in ("baseline", "baselines", "alternative", "teacher") and doc.in_mark[q] is None:
            return low[q] == "teacher"
        hit = v.alt_clause.first(low, q)
        if hit and low[q] in ("was", "too", "didn't", "did", "wasn't", "would", "could"):
            return False
    if origin == "answer" and any(low[q] in ("baseline", "baselines") and doc.in_mark[q] is None for q in range(j, hi)):
        return False  # "BM25 was actually the better classic baseline": named as the yardstick, not as what was built
    return True


def _category_facts(doc: _Text, origin: str) -> list[Fact]:
    out: list[Fact] = []
    seen: set[tuple] = set()
    for k, m in enumerate(doc.mark_at):
        if m is None:
            continue
        for p in m.payloads:
            if p[0] not in ("arch", "framework"):
                continue
            lo, hi = doc.clause_of(k)
            if (lo, p) in seen:
                break  # "a MobileNet-style convnet": one family, said twice
            seen.add((lo, p))
            out.append(
                Fact(
                    type="architecture" if p[0] == "arch" else "framework",
                    subject="architecture" if p[0] == "arch" else "framework",
                    kind="category",
                    value=p[1],
                    origin=origin,
                    phrase=doc.span_text(m.i, m.j),
                    quote=doc.quote(*doc.sentence_of(k), (m.i, m.j)) if hi - lo <= 3 else doc.quote(lo, hi, (m.i, m.j)),
                    assertive=_assertive(doc, m.i, m.j, origin),
                    tasks=_tasks_near(doc, k),
                    start=doc.toks[m.i].start,
                    end=doc.toks[m.j - 1].end,
                )
            )
            break
    return out


def family_related(knowledge_dir: Path | str, kind: str, a: str, b: str) -> bool:
    """The same family, or one a kind of the other (BERT and transformer); not merely buildable together."""
    v = vocabulary(knowledge_dir)
    table = v.architectures if kind == "architecture" else v.frameworks
    if a == b:
        return True
    if a not in table or b not in table:
        return False
    return a in v.ancestors(table, b) or b in v.ancestors(table, a)


def family_compatible(v: Compiled, table: dict, a: str, b: str) -> bool:
    if a == b:
        return True
    if a not in table or b not in table:
        return True
    anc_a, anc_b = v.ancestors(table, a), v.ancestors(table, b)
    if a in anc_b or b in anc_a:
        return True
    if b in table[a].compatible or a in table[b].compatible:
        return True
    # a generic family is consistent with any family sharing its parent ("neural network" vs "CNN")
    if table[a].generic and (anc_a & anc_b or a in anc_b):
        return True
    if table[b].generic and (anc_a & anc_b or b in anc_a):
        return True
    return False


# -- roles --------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _phrase_index(phrases: tuple[str, ...]) -> dict[str, list[tuple[str, ...]]]:
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for p in phrases:
        key = phrase_key(p)
        if key:
            by_first.setdefault(key[0], []).append(key)
    for keys in by_first.values():
        keys.sort(key=len, reverse=True)
    return by_first


def _phrase_hits(doc: _Text, lo: int, hi: int, phrases: list[str]) -> list[tuple[int, int]]:
    by_first = _phrase_index(tuple(phrases))
    out = []
    for q in range(lo, hi):
        for key in by_first.get(doc.low[q], ()):
            if tuple(doc.low[q : q + len(key)]) == key and q + len(key) <= hi:
                out.append((q, q + len(key)))
                break
    return out


def _has_i(doc: _Text, lo: int, hi: int, before: int, window: int = 4) -> bool:
    return any(doc.low[q] in ("i", "i've", "i'd", "i'm", "myself") for q in range(max(lo, before - window), before))


def _size_near(doc: _Text, lo: int, hi: int, start: int, span: int = 9) -> int | None:
    """A team size within `span` tokens after `start`: "a team of 12", "four engineers", "a 6-person team"."""
    roles = doc.v.roles
    people = _phrase_hits(doc, lo, hi, roles.people_nouns + ["person", "people", "persons", "member", "members", "strong", "of us"])
    people_starts = {a for a, _ in people}
    for q in range(start, min(hi, start + span)):
        num = doc.num_at[q]
        if num is None or num.dim != "count" or num.value < 1 or num.value > 100000:
            continue
        nxt = num.j
        prev = doc.low[q - 1] if q > 0 else ""
        if nxt in people_starts or prev == "of" or (nxt < hi and doc.low[nxt] in ("person", "people", "member", "strong")) or (
            nxt < hi and any(doc.low[nxt] == t or (nxt + 1 < hi and doc.low[nxt + 1] == t) for t in roles.team_nouns)
        ):
            return int(round(num.value))
    return None


def _role_facts(doc: _Text, origin: str) -> list[Fact]:
    roles = doc.v.roles
    out: list[Fact] = []
    for lo, hi in doc.sentences:
        if hi - lo < 2:
            continue
        sent_quote = doc.quote(lo, hi, None, limit=160)
        found: dict[str, tuple[int | None, int, int]] = {}

        def note(role: str, size: int | None, a: int, b: int, found: dict = found) -> None:
            if role not in found or (found[role][0] is None and size is not None):
                found[role] = (size, a, b)

        is_resume = origin == "resume"
        for a, b in _phrase_hits(doc, lo, hi, roles.colead_verbs):
            note("colead", _size_near(doc, lo, hi, b), a, b)
        for a, b in _phrase_hits(doc, lo, hi, roles.mentor_verbs):
            note("mentor", _size_near(doc, lo, hi, b, span=6) or _count_after(doc, b, hi), a, b)
        for a, b in _phrase_hits(doc, lo, hi, roles.lead_verbs):
            if "colead" in found and found["colead"][1] <= a < found["colead"][2]:
                continue
            if doc.toks[a].hyphen:
                continue  # "co-led"
            if a > lo and doc.low[a - 1] in ("the", "a", "an", "our", "my", "their", "his", "her", "team", "tech", "technical", "project"):
                continue  # "the lead engineer", "my lead": a person, not something the speaker led
            subject_ok = (is_resume and (a == lo or doc.low[a - 1] in (";", "and", ",") or _clause_start(doc, a))) or _has_i(doc, lo, hi, a) or (a == lo and doc.low[a] in ("leading", "managing", "heading", "directing", "running"))
            if not subject_ok:
                continue
            if doc.low[a] in ("ran", "running") and not _team_after(doc, b, hi):
                continue
            size = _size_near(doc, lo, hi, b)
            team = _team_after(doc, b, hi) or size is not None
            note("lead" if team else "lead-activity", size, a, b)
        for a, b in _phrase_hits(doc, lo, hi, roles.lead_titles):
            if doc.low[a] == "lead" and a > lo and doc.low[a - 1] in ("the", "a") and a - 1 > lo and doc.low[a - 2] in ("to", "with", "from", "by", "for"):
                continue  # "we reported to the speech lead"
            back = [doc.low[q] for q in range(max(lo, a - 5), a)]
            if ("as" in back or ("was" in back and ("i" in back or "i'm" in back)) or "i'm" in back) and not any(w in back for w in ("to", "with", "for", "under")):
                note("lead", _size_near(doc, lo, hi, b), a, b)
            elif is_resume and a == lo:
                note("lead", None, a, b)
        for q in range(lo, hi - 1):
            if doc.low[q] == "my" and doc.low[q + 1] in roles.team_nouns and origin == "answer" and not (q > lo and doc.low[q - 1] in ("on", "in", "joined", "within", "across")):
                # "my team" as a place ("an engineer on my team") says where one works, not that one leads it
                note("lead", _size_near(doc, lo, hi, q + 1), q, q + 2)
            if doc.low[q] in ("i", "i've") and q + 1 < hi and doc.low[q + 1] in ("had", "have", "manage") and origin == "answer":
                size = None
                num = doc.num_at[q + 2] if q + 2 < hi else None
                if num is not None and num.dim == "count":
                    nxt = doc.low[num.j] if num.j < hi else ""
                    if nxt in ("reports", "engineers", "people", "direct", "scientists", "developers", "researchers", "data", "ml", "analysts"):
                        size = int(round(num.value))
                if size:
                    note("lead", size, q, q + 3)
            if doc.low[q] in ("reports",) and q > lo and doc.in_num[q - 1] is not None and origin == "answer":
                note("lead", int(round(doc.in_num[q - 1].value)), q - 1, q + 1)
        # team size without a lead claim: "we were six people", "there were three of us", "worked with a team of 5"
        for q in range(lo, hi):
            num = doc.num_at[q]
            if num is None or num.dim != "count" or num.value < 2 or num.value > 500:
                continue
            back = q
            while back > lo and doc.low[back - 1] in ("about", "around", "roughly", "approximately", "nearly", "almost", "some", "maybe", "like", "over"):
                back -= 1
            prev2 = tuple(doc.low[max(lo, back - 3) : back])
            nxt = doc.low[num.j] if num.j < hi else ""
            nxt2 = doc.low[num.j + 1] if num.j + 1 < hi else ""
            if (prev2[-2:] in (("we", "were"), ("there", "were")) or prev2[-3:] in (("we", "were", "a"),)) or (nxt == "of" and nxt2 == "us"):
                note("member", int(round(num.value)), q, num.j)
            elif prev2[-2:] in (("team", "of"), ("group", "of"), ("squad", "of")) or (nxt in ("person", "people", "member") and nxt2 in roles.team_nouns) or (nxt in roles.team_nouns):
                note("member", int(round(num.value)), q, num.j)
            elif nxt in ("interns", "juniors", "students") and num.j + 2 < hi and doc.low[num.j + 1] in ("worked", "reported") and doc.low[num.j + 2] in ("with", "under", "to"):
                note("mentor", int(round(num.value)), q, num.j)
        for a, b in _phrase_hits(doc, lo, hi, roles.solo):
            if doc.low[a] == "myself":
                back = [doc.low[q] for q in range(max(lo, a - 8), a)]
                if not any(w in doc.v.raw.ownership.self_verbs for w in back) or any(w in ("most", "part", "parts", "some", "much", "taught", "half") for w in back):
                    continue
            if doc.low[a] == "alone" and any(doc.low[q] in ("not", "wasn't") for q in range(max(lo, a - 3), a)):
                continue
            if origin == "answer" and not any(doc.low[q] in ("i", "i've", "i'd", "me", "my", "myself") for q in range(lo, hi)):
                continue
            note("solo", None, a, b)
        for a, b in _phrase_hits(doc, lo, hi, roles.support_verbs):
            if (is_resume and _clause_start(doc, a)) or _has_i(doc, lo, hi, a, 2):
                note("support", None, a, b)
        if not found:
            continue
        if "member" in found and ("lead" in found or "lead-activity" in found):
            lead = found.get("lead") or found.get("lead-activity")
            size = lead[0] if lead[0] is not None else found["member"][0]
            found["lead"] = (size, min(lead[1], found["member"][1]), max(lead[2], found["member"][2]))
            found.pop("member", None)
            found.pop("lead-activity", None)
        if "colead" in found:
            found.pop("lead", None)
            found.pop("member", None)
        if "lead" in found:
            found.pop("lead-activity", None)
            found.pop("mentor", None) if found.get("mentor") and found["mentor"][0] is None else None
        for role, (size, a, b) in found.items():
            phrase = doc.span_text(a, b)
            out.append(Fact(type="team", subject="team", kind="role", value=role, origin=origin, phrase=phrase,
                            quote=_role_quote(doc, lo, hi, a, b, sent_quote), size=size, tasks=_tasks_near(doc, a),
                            start=doc.toks[a].start, end=doc.toks[b - 1].end))
    return out


def _role_quote(doc: _Text, lo: int, hi: int, a: int, b: int, sent_quote: str) -> str:
    return sent_quote if len(sent_quote) <= 160 else doc.quote(lo, hi, (a, b))


def _count_after(doc: _Text, b: int, hi: int) -> int | None:
    num = doc.num_at[b] if b < hi else None
    if num is not None and num.dim == "count" and num.value >= 1:
        return int(round(num.value))
    return None


def _team_after(doc: _Text, b: int, hi: int) -> bool:
    for q in range(b, min(hi, b + 6)):
        if doc.low[q] in doc.v.roles.team_nouns or doc.low[q] in ("people", "engineers", "scientists", "reports", "developers", "researchers", "interns"):
            return True
    return False


def _clause_start(doc: _Text, a: int) -> bool:
    lo, _ = doc.clause_of(a)
    slo, _ = doc.sentence_of(a)
    return a == lo or a == slo or (a > 0 and doc.low[a - 1] in ("and", ";", ",", "\u2022", ":"))


# -- ownership ----------------------------------------------------------------------------------------------------
def _component(doc: _Text, i: int, j: int) -> frozenset[str]:
    generic = set(doc.v.ownership.generic_components) | {"model", "models", "system", "itself", "whole", "entire", "all", "the", "our", "my"}
    words = set()
    for q in range(i, j):
        w = doc.low[q]
        if doc.toks[q].kind != "word" or w in _NOUN_STOP or w in generic or len(w) < 3:
            continue
        words.add(_stem_owner(w))
    return frozenset(words)


def _stem_owner(w: str) -> str:
    w = _stem(w)
    for suffix in ("ing", "ed", "ation", "er"):
        if w.endswith(suffix) and len(w) > len(suffix) + 3:
            w = w[: -len(suffix)]
            break
    if len(w) > 3 and w[-1] == w[-2]:
        w = w[:-1]
    return w


def _object_span(doc: _Text, start: int, hi: int, limit: int = 10) -> tuple[int, int]:
    k = start
    while k < hi and doc.low[k] in ("and",) or (k < hi and doc.low[k] in doc.v.raw.ownership.self_verbs and k == start):
        k += 1
    end = k
    while end < min(hi, k + limit):
        t = doc.toks[end]
        if t.kind == "sym" and t.low not in ('"', "\u201c", "\u201d", "'", "/", "&"):
            break
        if t.low in ("myself", "alone", "by", "on", "single", "from", "with", "because", "while", "but", "so", "using", "in", "for") and end > k:
            break
        end += 1
    return k, end


def _ownership_facts(doc: _Text, origin: str) -> list[Fact]:
    own = doc.v.ownership
    others = own.others
    out: list[Fact] = []
    for lo, hi in doc.sentences:
        # others did it: "another team built the ranking model", "the model was built by another team"
        agents = _phrase_hits(doc, lo, hi, others)
        for a, b in agents:
            if a > lo and doc.low[a - 1] in ("with", "to", "for", "from", "and"):
                continue  # "with a colleague", "reported to my manager"
            if a > lo and doc.low[a - 1] == "by":
                # passive: "X was built by another team"
                q = a - 2
                if q >= lo and doc.low[q] in own.self_verbs + ["handled", "done", "written", "maintained", "owned", "trained", "created", "taken"]:
                    r = q - 1
                    if r >= lo and doc.low[r] in ("was", "were", "is", "are", "got", "been"):
                        clo, _ = doc.clause_of(r)
                        comp = _component(doc, clo, r)
                        if comp:
                            out.append(Fact(type="ownership", subject="ownership", kind="owner", value="others", origin=origin,
                                            phrase=doc.span_text(clo, b), quote=doc.quote(*doc.clause_of(a), None) or doc.span_text(clo, b),
                                            component=comp, start=doc.toks[clo].start, end=doc.toks[b - 1].end))
                continue
            # active: agent [on the X team] verb object
            for q in range(b, min(hi, b + 6)):
                if doc.low[q] in own.self_verbs or doc.low[q] in ("handled", "did", "owned", "maintained"):
                    if any(doc.low[r] in ("gave", "give", "gives", "provided", "helped", "asked", "told", "reviewed") for r in range(b, q)):
                        break
                    s, e = _object_span(doc, q + 1, hi)
                    comp = _component(doc, s, e)
                    if comp:
                        clo, chi = doc.clause_of(a)
                        out.append(Fact(type="ownership", subject="ownership", kind="owner", value="others", origin=origin,
                                        phrase=doc.span_text(a, e), quote=doc.quote(clo, max(chi, e), (a, e)), component=comp,
                                        start=doc.toks[a].start, end=doc.toks[e - 1].end))
                    break
                if doc.toks[q].kind == "sym":
                    break
        # self and shared: a verb at the start of a resume clause, or after "I" in an answer
        for q in range(lo, hi):
            w = doc.low[q]
            shared = w in own.shared_verbs or (q + 1 < hi and f"{w} {doc.low[q + 1]}" in own.shared_verbs)
            selfv = w in own.self_verbs
            if not (shared or selfv):
                continue
            if origin == "resume":
                if not _clause_start(doc, q):
                    continue
            elif not (q > lo and doc.low[q - 1] in ("i", "i've", "i'd") or q > lo + 1 and doc.low[q - 2] == "i" and doc.low[q - 1] in ("also", "then", "basically", "actually", "personally", "single")):
                continue
            skip = 2 if (q + 1 < hi and f"{w} {doc.low[q + 1]}" in own.shared_verbs) else 1
            s, e = _object_span(doc, q + skip, hi)
            comp = _component(doc, s, e)
            if not comp:
                continue
            value = "shared" if shared else "self"
            tail = [doc.low[r] for r in range(e, min(hi, e + 6))]
            if origin == "answer" and value == "self":
                solo = any(t in ("myself", "alone", "single-handedly") for t in tail) or "own" in tail and "my" in tail or any(doc.low[r] in ("whole", "entire") for r in range(s, e))
                solo = solo or (q > lo and doc.low[q - 1] == "single")
                if solo and not any(doc.low[r] in ("most", "part", "parts", "some", "half") for r in range(s, e)):
                    value = "solo"
            out.append(Fact(type="ownership", subject="ownership", kind="owner", value=value, origin=origin,
                            phrase=doc.span_text(q, e), quote=doc.quote(*doc.clause_of(q), (q, e)) if doc.clause_of(q)[1] - doc.clause_of(q)[0] > 3 else doc.span_text(q, e),
                            component=comp, start=doc.toks[q].start, end=doc.toks[e - 1].end))
    return out


# -- deflections --------------------------------------------------------------------------------------------------
def deflections_in(text: str, knowledge_dir: Path | str) -> list[tuple[str, str]]:
    """(kind, verbatim sentence) for each sentence that deflects ("I'd have to check", "handled by others")."""
    v = vocabulary(knowledge_dir)
    doc = _Text(text, v)
    out: list[tuple[str, str]] = []
    for lo, hi in doc.sentences:
        for q in range(lo, hi):
            hit = v.deflections.first(doc.low, q)
            if hit:
                out.append((hit[1], doc.quote(lo, hi, (q, q + hit[0]), limit=200)))
                break
    return out


# -- comparison ---------------------------------------------------------------------------------------------------
def tasks_overlap(v: Compiled, a: frozenset[str], b: frozenset[str], strict: bool = False) -> bool | None:
    """True when two task sets name the same task (or one is a kind of the other); None when either is empty."""
    if not a or not b:
        return None
    for x in a:
        for y in b:
            if x == y or x in v.ancestors(v.tasks, y) or y in v.ancestors(v.tasks, x):
                if strict and (v.tasks.get(x) and v.tasks[x].generic and v.tasks.get(y) and v.tasks[y].generic):
                    continue
                return True
    return False


def same_scope(v: Compiled, before: Fact, now: Fact) -> bool:
    overlap = tasks_overlap(v, before.tasks, now.tasks, strict=before.project != now.project)
    if before.project and now.project and before.project != now.project:
        return bool(overlap)
    return overlap is not False


def _numbers_agree(a: Fact, b: Fact, ratio: bool) -> bool:
    """Do two values of the same quantity agree, allowing for roundings and bounds?"""
    x, y = float(a.value), float(b.value)
    if a.rate and b.rate and a.rate != b.rate:
        x, y = x / a.rate, y / b.rate
        scale_a, scale_b = 1 / a.rate, 1 / b.rate
    else:
        scale_a = scale_b = 1.0
    big = max(abs(x), abs(y))
    if ratio and 0 <= x <= 1 and 0 <= y <= 1:
        base = max(0.005, 0.1 * min(big, 1 - min(x, y)))
    else:
        base = 0.1 * big
    tol = max(base, a.tol * scale_a, b.tol * scale_b)
    a_lo, a_hi = _interval(a, x, scale_a)
    b_lo, b_hi = _interval(b, y, scale_b)
    return a_lo - tol <= b_hi and b_lo - tol <= a_hi


def _interval(f: Fact, x: float, scale: float) -> tuple[float, float]:
    lo = f.lo * scale if f.lo is not None else (-math.inf if f.hi is not None else x)
    hi = f.hi * scale if f.hi is not None else (math.inf if f.lo is not None else x)
    return lo, hi


def _comparable_levels(v: Compiled, b: Fact, n: Fact) -> bool:
    if b.kind != "level" or n.kind != "level" or b.subject != n.subject or b.type != n.type:
        return False
    if b.percentile and n.percentile and b.percentile != n.percentile:
        return False
    if b.type in ("dataset", "count", "reach") and (b.split == "eval") != (n.split == "eval") and (b.split or n.split):
        return False
    if not same_slice(b, n):
        return False
    if b.k and n.k and b.k != n.k:
        return False
    if b.dim != n.dim:
        zero = (b.value == 0 or n.value == 0) and (b.dim in ("count", None) or n.dim in ("count", None))
        unitless_metric = b.type == "metric" and (b.dim in ("count", "score", "rate") and n.dim in ("count", "score", "rate"))
        if not (zero or unitless_metric):
            return False
    if n.when == "before" and b.when != "before":
        return False
    if n.when == "after" and b.when == "before":
        return False
    if b.when == "before" and n.when is None and b.derived:
        return False
    return same_scope(v, b, n)


def _changes_agree(a: Fact, b: Fact) -> bool:
    if a.direction and b.direction and a.direction != b.direction:
        return False
    options_a = [(a.dim, float(a.value))] + ([("points", a.points)] if a.points is not None else [])
    options_b = [(b.dim, float(b.value))] + ([("points", b.points)] if b.points is not None else [])
    for da, xa in options_a:
        for db, xb in options_b:
            if da != db:
                # a stated "by 7%" may mean percentage points; a derived change knows which it is, and so
                # does a stated "7 points"
                stated_pct = (da == "relative" and not a.derived) or (db == "relative" and not b.derived)
                if not stated_pct or (a.derived and b.derived):
                    continue
            tol = max(0.12 * max(abs(xa), abs(xb)), a.tol, b.tol, 0.5)
            if abs(xa - xb) <= tol:
                return True
    return False


def _comparable_changes(v: Compiled, b: Fact, n: Fact) -> bool:
    if b.kind != "change" or n.kind != "change" or b.subject != n.subject:
        return False
    if b.derived and n.derived:
        return False  # both sides state their levels: compared as levels already
    if not same_slice(b, n):
        return False
    if b.k and n.k and b.k != n.k:
        return False
    if b.percentile and n.percentile and b.percentile != n.percentile:
        return False
    return same_scope(v, b, n)


def counterparts(before: list[Fact], n: Fact, knowledge_dir: Path | str) -> list[Fact]:
    """The earlier facts that say something about the same thing as `n` (what `compare` would weigh it against)."""
    v = vocabulary(knowledge_dir)
    if n.kind == "level":
        return [b for b in before if _comparable_levels(v, b, n)]
    if n.kind == "change":
        return [b for b in before if _comparable_changes(v, b, n)]
    if n.kind == "category":
        return [b for b in before if b.kind == "category" and b.type == n.type and same_scope(v, b, n)]
    if n.type == "team":
        return [b for b in before if b.type == "team"]
    if n.type == "ownership":
        return [b for b in before if b.type == "ownership" and b.component & n.component]
    return []


def compare(before: list[Fact], now: list[Fact], knowledge_dir: Path | str, context: dict | None = None) -> list[Conflict]:
    """Contradictions between earlier facts (a resume, earlier answers) and the facts of a new answer.

    `context` may carry `team_scope` (role facts and leadership evidence beyond `before`, for role inflation) and
    `gap_quote` (a resume fact to quote when the resume lacks what the answer claims)."""
    v = vocabulary(knowledge_dir)
    out: list[Conflict] = []
    chained = _chained(v, before, now)
    for n in now:
        if n.origin != "answer" and before and before[0].origin == "resume" and n.origin == "resume":
            continue
        if (n.quote, n.subject) in chained and n.when != "before":
            continue
        if n.kind == "level":
            cands = [b for b in before if _comparable_levels(v, b, n)]
            if cands and n.when == "before":
                # where a later change started ("recall moved from 0.93 to 0.925 with palettization") may be
                # where the earlier one ended
                cands_or_end = cands + [b for b in before if b.when == "after" and _comparable_levels(v, b, replace(n, when="after"))]
            else:
                cands_or_end = cands
            if cands and not any(_numbers_agree(b, n, n.dim == "ratio") for b in cands_or_end) and not _sum_of_parts(cands, n):
                out.append(Conflict(NUMERIC, _closest(cands, n), n, n.label))
        elif n.kind == "change":
            cands = [b for b in before if _comparable_changes(v, b, n)]
            if cands and not any(_changes_agree(b, n) for b in cands):
                out.append(Conflict(NUMERIC, cands[0], n, n.label))
        elif n.kind == "category" and n.assertive:
            table = v.architectures if n.type == "architecture" else v.frameworks
            cands = [b for b in before if b.kind == "category" and b.type == n.type and same_scope(v, b, n)]
            if any(b.assertive for b in cands) and not any(family_compatible(v, table, str(b.value), str(n.value)) for b in cands):
                out.append(Conflict(CATEGORICAL, next(b for b in cands if b.assertive), n, n.type))
    out += _role_conflicts(v, before, now, context or {})
    out += _ownership_conflicts(v, before, now)
    return _dedupe(out)


def _chained(v: Compiled, before: list[Fact], now: list[Fact]) -> set[tuple]:
    """(quote, subject) of answer changes that start where an earlier one ended and not where it started ("then
    quantization moved p95 from 20 ms to 15 ms" after "from 60 ms to 20 ms"): a later step, not a retelling."""
    out = set()
    for n in now:
        if n.kind != "level" or n.when != "before":
            continue
        ends = [b for b in before if b.when == "after" and _comparable_levels(v, b, replace(n, when="after"))]
        starts = [b for b in before if b.when == "before" and _comparable_levels(v, b, n)]
        if any(_numbers_agree(b, n, n.dim == "ratio") for b in ends) and not any(_numbers_agree(b, n, n.dim == "ratio") for b in starts):
            out.add((n.quote, n.subject))
    return out


_ADDITIVE = frozenset({"parameters", "memory", "dataset"})
_TOOK = frozenset("took takes take ran runs run ended ends came comes sat sits landed".split())


def _sum_of_parts(cands: list[Fact], n: Fact) -> bool:
    """"Two encoders, 66M parameters" where the resume lists a 38M and a 28M one: a total of the parts it names."""
    if n.type not in _ADDITIVE or n.when == "before":
        return False
    parts = [b for b in cands if b.when != "before" and not b.op and isinstance(b.value, float) and b.lo is None and b.hi is None]
    if len(parts) < 2 or len(parts) > 6:
        return False
    total = sum(float(b.value) for b in parts)
    return abs(total - float(n.value)) <= max(0.1 * total, n.tol)


def _closest(cands: list[Fact], n: Fact) -> Fact:
    def distance(b: Fact) -> float:
        x, y = float(b.value), float(n.value)
        d = abs(math.log((abs(x) + 1e-9) / (abs(y) + 1e-9)))
        pref = 0 if (b.when == n.when or n.when is None and b.when in (None, "after")) else 1
        return pref * 100 + d

    return min(cands, key=distance)


_LEADERSHIP = ("lead", "colead", "lead-activity")


def _role_conflicts(v: Compiled, before: list[Fact], now: list[Fact], context: dict) -> list[Conflict]:
    out: list[Conflict] = []
    scope = [b for b in before if b.type == "team"] + list(context.get("team_scope", []))
    title_lead = bool(context.get("title_lead"))
    for n in now:
        if n.type != "team" or n.origin != "answer":
            continue
        same = [b for b in scope if b.type == "team"]
        teams = [b for b in same if b.value in ("lead", "colead", "member", "mentor") and b.size]
        leaders = [b for b in same if b.value in _LEADERSHIP] or ([True] if title_lead else [])
        gap_quote = context.get("gap_quote") or (before[0] if before else None)
        if n.value in ("lead", "colead"):
            if n.size:
                sizes = [b for b in teams if abs(b.size - n.size) <= max(1, round(0.15 * b.size))]
                if teams and not sizes:
                    out.append(Conflict(ROLE, teams[0], n, "team size"))
                elif not teams and gap_quote is not None:
                    team_facts = [b for b in same if b.value in ("lead", "colead", "member")]
                    if not team_facts:
                        out.append(Conflict(ROLE, gap_quote, n, "team", gap=True))
            elif not leaders and gap_quote is not None:
                out.append(Conflict(ROLE, gap_quote, n, "team", gap=True))
        elif n.value == "lead-activity":
            support = [b for b in same if b.value == "support"]
            if support and not leaders:
                out.append(Conflict(ROLE, support[0], n, "role"))
        elif n.value == "solo":
            teams_any = [b for b in same if b.value in ("lead", "colead", "member") and (b.size is None or b.size >= 2)]
            if teams_any:
                out.append(Conflict(ROLE, teams_any[0], n, "team"))
        elif n.value == "member" and n.size:
            if teams and not any(abs(b.size - n.size) <= max(1, round(0.15 * b.size)) for b in teams):
                out.append(Conflict(ROLE, teams[0], n, "team size"))
    return out


def _ownership_conflicts(v: Compiled, before: list[Fact], now: list[Fact]) -> list[Conflict]:
    out: list[Conflict] = []
    owners = [b for b in before if b.type == "ownership"]
    for n in now:
        if n.type != "ownership" or n.origin != "answer":
            continue
        for b in owners:
            if not (b.component & n.component):
                continue
            if n.value == "others" and b.value in ("self",):
                out.append(Conflict(OWNERSHIP, b, n, "ownership"))
                break
            if n.value == "solo" and b.value == "shared":
                out.append(Conflict(OWNERSHIP, b, n, "ownership"))
                break
    return out


def _dedupe(conflicts: list[Conflict]) -> list[Conflict]:
    """One conflict per answer statement: a role conflict over an ownership one, numbers in order of the answer."""
    rank = {ROLE: 0, CATEGORICAL: 1, NUMERIC: 2, OWNERSHIP: 3}
    seen: set[tuple] = set()
    out = []
    for c in sorted(conflicts, key=lambda c: (rank[c.type], c.now.start)):
        key = (c.now.start, c.now.end, c.type)
        sentence_key = (c.now.quote, c.before.quote)
        if key in seen or (c.type == OWNERSHIP and any(o.type == ROLE and o.now.quote == c.now.quote for o in out)):
            continue
        if c.type == NUMERIC and any(o.type == NUMERIC and (o.now.start, o.before.start) == (c.now.start, c.before.start) for o in out):
            continue
        seen.add(key)
        seen.add(sentence_key)
        out.append(c)
    out.sort(key=lambda c: c.now.start)
    return out


def contradicts(resume_line: str, answer: str, knowledge_dir: Path | str) -> Conflict | None:
    """The first contradiction between one resume line and one answer sentence (the pair evals use this)."""
    before = extract_facts(resume_line, "resume", knowledge_dir, project="p")
    now = extract_facts(answer, "answer", knowledge_dir, project="p")
    context = {"gap_quote": Fact("line", "line", "line", None, "resume", resume_line, resume_line.strip(), project="p")}
    found = compare(before, now, knowledge_dir, context)
    return found[0] if found else None
