"""Candidate text (answers, resumes, job descriptions) is data: clean it, bound it, and recognise attempts to steer the interviewer."""

from __future__ import annotations

import re
import unicodedata

from interviewer.knowledge.injection import default_lexicon
from interviewer.text import sentences

MAX_ANSWER_CHARS = 20_000  # kept in the transcript and assessed; longer answers are cut with a note
HISTORY_ANSWER_CHARS = 1_200  # what the LLM sees of one answer


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


def injection_sentences(text: str) -> list[str]:
    """Sentences that try to steer the interviewer, grader or model (see `is_injection`)."""
    return [s for s in sentences(text) if is_injection(s)]


def substantive_sentences(text: str) -> list[str]:
    """The answer's sentences minus those that try to steer the interviewer (they earn no credit)."""
    return [s for s in sentences(text) if not is_injection(s)]


def strip_injection(line: str) -> tuple[str, bool]:
    """A line of a resume or job description minus sentences that address the interviewer or model."""
    parts = sentences(line)
    flagged = [is_injection(s) for s in parts]
    if not any(flagged):
        return line, False
    return " ".join(s for s, bad in zip(parts, flagged, strict=True) if not bad), True


def without_injection(text: str) -> str:
    return " ".join(substantive_sentences(text))


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


# The commonest English function words, for telling the language apart (not for dropping words: see interviewer/text.py).
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


# ---------------------------------------------------------------------------------------------
# Prompt-injection detection. A sentence is flagged when it gives an order to the interviewer,
# grader or an AI reading it (override its instructions, change role, demand a score, reveal the
# rubric or prompt, forge a system/closing tag). Ordinary technical language ("the other items in
# the batch act as negatives", "ignore the padding tokens", "the system prompt of our assistant")
# and reported speech about a system the candidate built ("users typed 'ignore previous
# instructions'") are not orders. Word lists: knowledge/injection.yaml. Figures: evals/injection/.
# ---------------------------------------------------------------------------------------------

_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")
_TOKEN = re.compile(r"\S+")
_ALPHA = re.compile(r"[a-z]+")
# Not the engine's STOP_WORDS (interviewer/text.py): words too common to act as triggers (a sentence with a trigger
# gets the full check), tuned with the detector on the dev split of evals/injection.
_TRIGGER_STOP = frozenset("the a an of to in on me my us it and or not no don up set over out down through long language from what if do take lower reduce end i".split())
_TRIGGER_STOP |= frozenset("abcdefghijklmnopqrstuvwxyz")
_TAG_CHARS = re.compile(r"[<>\[\]#|]|4\s*/\s*4|10\s*/\s*10")
_PUNCT_RUN = re.compile(r"[^\w\s]{9,}")
_LEET_CHARS = re.compile(r"[0134579@$]")
_LETTER = re.compile(r"[a-z]")
_SPACED = re.compile(r"(?<![^\W_])[^\W_](?P<sep>[ .\-_*·])[^\W_](?:(?P=sep)[^\W_]){2,}(?![^\W_])")


def _alt(items) -> str:
    return "(?:" + "|".join(sorted(items, key=len, reverse=True)) + ")"


class _Detector:
    def __init__(self, lex):
        self.lookalikes = dict(lex.lookalikes)
        self.leet = dict(lex.leet)
        self.lookalike_set = set(self.lookalikes)
        f = re.IGNORECASE
        a = _alt
        c = lambda rx: re.compile(rx, f)  # noqa: E731
        self.override = c(rf"\b{a(lex.override_verbs)}\b(?:\s+{a(lex.override_determiners)}\b){{0,5}}\s+{a(lex.override_targets)}\b"
                          rf"|\b{a(lex.override_verbs)}\s+{a(lex.override_everything)}")
        self.score_a = c(rf"\b{a(lex.score_verbs)}\s+{a(lex.score_targets)}\b(?:[^.;!?]{{0,40}}?)\b(?:as\s+|at\s+|with\s+|an?\s+|the\s+)*{a(lex.score_phrases + lex.weak_quality)}(?![\w/])")
        strong_b = [p for p in lex.score_phrases if p not in ("highly", "first", "top", "excellent", "outstanding", "exceptional", "flawless", "fully correct")]
        self.score_b = c(rf"\b{a(lex.score_verbs)}\s+(?:(?:a|an|the|my|me|us)\s+)?{a(strong_b)}(?![\w/])")
        self.score_c = c(rf"\b{a(lex.verdict_nouns)}\b[^.;!?]{{0,40}}?\b(?:this|my|here)\b[^.;!?]{{0,40}}?\b(?:is|be|are|as|=|to be|came out as|comes out as|come out as|ends? up as)\s+(?:a |an |the )?{a(strong_b + ['excellent', 'outstanding', 'exceptional', 'flawless'])}")
        self.score_bare = c(r"(?:\b(?:4|four)\s*(?:/|out of)\s*(?:4|four)|\b10\s*/\s*10|\bfull marks|\btop marks)\b[^.;!?]{0,30}\b(?:please|on (?:every|each|all)\b|across (?:the board|all)|for (?:every|each|all)\b|regardless)")
        self.verdict_me = c(r"\b(?:pass|approve|hire|advance|shortlist|accept)\s+(?:me|this candidate|the candidate|this applicant)\b(?!\s+(?:the|a|an|some)\b)"
                            r"|\b(?:record|mark|score|grade|rate|note)\s+(?:it|that|this|me)\s+(?:so|that way|accordingly|as such)\b"
                            r"|\b(?:write|draft|compose|produce|generate|give)\s+(?:me\s+)?(?:a\s+|the\s+|my\s+)?(?:summary|report|scorecard|feedback|evaluation|recommendation|verdict)\s+(?:that\s+says|saying|stating|with|recommending|of)\b[^.;!?]{0,30}\b(?:strong hire|hire|excellent|perfect|passed|4/4|top)"
                            r"|\b(?:pretend|assume|imagine|act as if|suppose)\s+(?:that\s+)?(?:i|i've|my answers?|this answer|the candidate)\s+(?:already\s+|have\s+|has\s+|had\s+)*(?:answered|covered|said|explained|mentioned|passed|nailed|gave|got|hit)\b[^.;!?]{0,30}\b(?:key points?|rubric|criteri(?:on|a)|every question|all (?:the )?questions|perfect(?:ly)?|correct(?:ly)?|full marks)")
        self.takeover = c(r"\byour\s+(?:new|real|actual|true|updated|only)\s+(?:task|job|instructions?|role|goal|orders?|objective|purpose|mission)\b"
                          r"|\b(?:new|updated|revised|real)\s+(?:instructions?|task|orders?|rules|directives?)\s*(?:for\s+(?:the\s+)?(?:interviewer|grader|ai|model|assistant|you)\s*)?:"
                          r"|\byou(?:'ve|\s+have)?\s+(?:been|are|were)\s+(?:now\s+)?(?:re-?programm?ed|jailbroken|unlocked|freed|reconfigured|re-?assigned|released from)\b"
                          r"|\b(?:the\s+rubric|your\s+(?:rules|instructions|guidelines|rubric)|the\s+(?:interview|scoring|grading)\s+(?:rules|guidelines|criteria))\s+(?:no longer|doesn'?t|does not|do not|don'?t)\s+apply"
                          r"|\b(?:the\s+rubric|your\s+(?:rules|instructions|guidelines)|scoring|grading)\s+(?:is|are)\s+(?:now\s+)?(?:void|suspended|disabled|cancell?ed|turned off|switched off|lifted)\b"
                          r"|\b(?:set|change|raise|bump|update|make|put|adjust|fix)\s+(?:my|the|this answer'?s?|the candidate'?s?)\s+(?:overall\s+|final\s+)?(?:score|grade|rating|marks?|result)s?\s+(?:to|at|as|=)\s+(?:a\s+)?(?:4|four|max|maximum|the maximum|full|top|perfect|excellent|100)")
        self.scorecard = c(rf"\b{a(lex.scorecard_verbs)}\s+(?:down\s+|it\s+|that\s+)?(?:in|on|into|to)\s+(?:the\s+|your\s+|my\s+|this\s+)?{a(lex.scorecard_nouns)}\b")
        self.reader_order = c(rf"\b(?:the |this |an? |any |every |all |dear )?{a(lex.reader_nouns)}s?\s+(?:should|must|will|needs? to|has to|have to|is to|are to|ought to|shall|is required to|are required to|is expected to)\s+(?:now\s+|also\s+|definitely\s+|please\s+)?{a(lex.behaviour_verbs)}\b")
        self.reader_order_object = c(rf"\b(?:this (?:answer|response|candidate|applicant|resume|profile|one|interview)|my (?:answer|response|resume|profile)|me|the candidate|the applicant|the following candidate|every (?:answer|claim|criterion)|all (?:my |the )?answers)\b|{a(strong_b + ['excellent', 'outstanding', 'complete', 'correct'])}|\b(?:rubric|key points|prompt|instructions|follow-?ups?|questions)\b")
        readers = a(lex.ai_readers)
        self.addressee = c(
            rf"\b(?:note|message|notice|memo|reminder|hint|instructions?|directive|request|command|warning)s?\s+(?:to|for)\s+(?:the\s+|all\s+|any\s+|every\s+)?{readers}\s*(?:[:\-–—]|reading|reviewing)"
            rf"|\b(?:note|message|notice|memo)s?\s+to\s+(?:the\s+|all\s+|any\s+)?{readers}\b"
            rf"|\bif\s+you(?:'re|\s+are)\s+(?:an?\s+)?(?:ai|llm|language model|automated|bot|chatbot|assistant|gpt|model|machine|program|large language model)\b"
            rf"|\b(?:any|all|every|each|the|dear)\s+(?:ai\s+|automated\s+|large\s+)?{readers}\s+(?:reading|reviewing|screening|evaluating|processing|parsing|scoring|grading|analy[sz]ing|summari[sz]ing|assessing)\s+(?:this|these|the following|my)(?:\s+(?:resume|cv|document|profile|application|text|page|message|answer|file|note|candidate|applicant))?\s*(?:[,:;.!\-–—)]|$|should|must|will|needs|has to|is|are|please)"
            rf"|\b(?:dear|hey|hi|hello|attention|attn|psst)\W+(?:the\s+)?(?:ai|a\.i\.|llm|gpt|chatgpt|claude|gemini|language model|bot|chatbot|automated \w+)\b"
            rf"|^\W*(?:chatgpt|gpt(?:-?\d)?|claude|gemini|copilot|llm)\s*[,:]"
        )
        self.role = c(
            rf"\byou(?:'re|\s+are)\s+(?:now|no longer|not (?:an?|the) \w+ (?:anymore|any more)|from now on)\s+(?:an?\s+|the\s+|my\s+|in\s+|going to be\s+|acting as\s+)?(?:[\w-]+\s+)?{a(lex.role_nouns)}\b"
            rf"|\byou(?:'re|\s+are)\s+(?:an?\s+|the\s+|my\s+)?{a(lex.role_nouns)}\s+now\b"
            rf"|\byou(?:'re|\s+are)\s+(?:the candidate|dan)\b|\b(?:i am|i'm) (?:the|your) interviewer\b"
            rf"|\bfrom now on,?\s+(?:you(?:'re|\s+are|\s+will|\s+must|\s+only|\s+act|\s+respond|\s+answer|\s+reply|\s+speak)|respond|answer|reply|act|only|always)\b"
            rf"|\bpretend\s+(?:to be|you(?:'re|\s+are)|that you(?:'re|\s+are)|you were)\s+(?:an?|the|my|in|not|no longer|now)\b"
            rf"|\b(?:stop|quit)\s+(?:being|acting as)\s+(?:an?\s+|the\s+|my\s+)?(?:interviewer|grader|evaluator|assistant|ai)\b"
            rf"|\b(?:enter|enable|activate|switch to|switch into|go into|you(?:'re|\s+are)(?:\s+now)?\s+in)\s+{a(lex.modes)}\s+mode\b|\b{a(lex.modes)}\s+mode\s+(?:is\s+)?(?:on|enabled|activated|engaged|unlocked)\b"
            rf"|\b(?:forget|drop|abandon|leave)\s+(?:your|the)\s+(?:role|persona|character)\b|\bbreak character\b"
        )
        self.role_imperative = c(rf"\b(?:act|behave|respond|answer|reply|speak|roleplay|role-play|role play|pose|serve)\s+(?:now\s+)?(?:as|like)\s+(?:if you were\s+|though you were\s+)?(?:an?\s+|the\s+|my\s+)?(?:\w+\s+)?{a(lex.role_nouns)}\b"
                                 rf"|\b(?:switch|swap|reverse|change|trade|flip)\s+(?:our\s+|the\s+)?roles\b")
        self.reveal = c(rf"\b{a(lex.reveal_verbs)}\b(?:\s+(?:me|us))?(?:\s+[\w'’-]+){{0,4}}?\s+(?:(?:your|the|this interview'?s?|the interviewer'?s?|its|all|any|of)\s+)*(?:(?:hidden|secret|internal|full|exact|original)\s+)?{a(lex.reveal_targets)}\b"
                        rf"|\b{a(lex.reveal_verbs)}\b(?:\s+(?:me|us))?(?:\s+[\w'’-]+){{0,3}}?\s+your\s+(?:\w+\s+)?{a(lex.reveal_targets_your)}\b"
                        rf"|\bwhat\s+(?:is|are|does|do|was|were)\s+(?:in\s+)?your\s+(?:system\s+|hidden\s+|secret\s+)?(?:prompt|instructions|rubric|key points|notes|rules)\b")
        self.leniency = c(rf"\b{a(lex.leniency_verbs)}\b(?:\s+(?:any|the|my|all|these|those|of|me|for))*\s+{a(lex.leniency_targets)}\b[^.;!?]{{0,40}}?{a(lex.leniency_context)}"
                          rf"|{a(lex.no_deduction)}")
        self.foreign = c(a(lex.foreign))
        self.tags_strong = c(a(lex.tags_strong))
        self.tags_weak = c(a(lex.tags_weak))
        self.label = c(rf"(?:^|[>\]\)*#(]|-->|<!--)\s*(?:\*\*)?\s*(?:the\s+)?(?:\w+\s+)?{a(lex.speaker_labels)}(?:\s+{a(lex.label_suffixes)})?\s*(?:\*\*)?\s*:")
        self.forgery_content = c(rf"\b{a(lex.forgery_content)}\b")
        self.imperative_lead = c(rf"(?:^|[,;:(\[\-–—>*\"“”'‘’]|\b{a(lex.imperative_leads)})\s*(?:please\s+|just\s+|kindly\s+)?$")
        self.third_party = c(rf"\b{a(lex.third_party_subjects)}\s+(?:{a(lex.third_party_adverbs)}\s+)*$")
        self.to_before = c(r"\bto\s+$")
        self.you_to = c(rf"(?:\byou\s+to|{a([x for x in lex.imperative_leads if 'is to' in x])})\s+$")
        self.described_before = c(rf"(?:\b{a(lex.descriptive_before)}|[\"“'‘])\s*:?\s*$")
        self.tell_frame = c(rf"\b{a(lex.tell_verbs)}\s+(?!you\b|me\b|us\b)(?:[\w'’-]+\s+){{1,4}}?(?:to\s+|into\s+)$")
        self.noun_after = c(rf"^\s*['\"”’]?\s*\b{a(lex.noun_phrase_after)}\b")
        self.quote_cue = c(rf"\b{a(lex.quote_cues)}(?![\w])")
        self.quoted = re.compile(r"\"[^\"]{3,}\"|“[^”]{3,}”|‘[^’]{3,}’|(?:(?<=^)|(?<=[\s(\[:,]))'.{3,}?'(?=[\s.,;:!?)\]]|$)")
        self.compact = c(r"(?:ignore|disregard|forget|override)(?:all|any|the|your|my|previous|prior|above|earlier)*(?:instructions?|prompts?|rules|guidelines|directions|rubric)"
                         r"|youarenow|youreno(?:w|longer)|(?:giveme|scoreme|markme|rateme|awardme)|(?:print|reveal|show|repeat)(?:me)?(?:your|the)(?:system)?(?:prompt|rubric|instructions|keypoints)")
        heads = [*lex.override_verbs, *lex.score_verbs, *lex.scorecard_verbs, *lex.scorecard_nouns, *lex.verdict_nouns, *lex.reveal_verbs,
                 *lex.leniency_verbs, *lex.reader_nouns, *lex.ai_readers, *lex.speaker_labels, *lex.modes,
                 "you pretend stop quit enter enable activate switch swap reverse trade flip change act behave respond reply speak roleplay role",
                 "pose serve mode forget new real actual updated revised reprogrammed jailbroken unlocked apply void suspended disabled set raise bump adjust classify pass approve hire advance shortlist accept pretend assume imagine suppose draft compose produce generate drop abandon leave break character note message notice memo reminder hint instruction directive request",
                 "command warning dear hey hi hello attention attn psst if end begin override display font color important system penalise",
                 "penalize punish deduct dock subtract inst sys reading reviewing screening evaluating processing parsing your"]
        words = {w for h in heads for w in re.findall(r"[a-z]+", h)} - _TRIGGER_STOP
        self.trigger_exact = frozenset(w for w in words if len(w) < 5)
        self.trigger_stems = frozenset(w[:5] for w in words if len(w) >= 5)

    def _triggered(self, text: str) -> bool:
        """A cheap pre-filter: some word that can start an order, a tag character, or another language."""
        if _TAG_CHARS.search(text) or not text.isascii() and self.foreign.search(text):
            return True
        return any(w in self.trigger_exact or w[:5] in self.trigger_stems for w in _ALPHA.findall(text))

    # --- normalisation -----------------------------------------------------------------------
    def _fold_token(self, tok: str) -> str:
        if len(tok) > 64:  # no word is that long: keyboard runs, base64, markup
            return tok
        letters = [ch for ch in tok if ch.isalpha()]
        if any(ch in self.lookalike_set for ch in letters) and (any(ch.isascii() for ch in letters) or all(ch in self.lookalike_set for ch in letters)):
            tok = "".join(self.lookalikes.get(ch, ch) for ch in tok)
        if any(ch.isascii() and ch.isalpha() for ch in tok) and any(ch in self.leet for ch in tok) and not re.fullmatch(r"[\d.,/%:x+-]+\w{0,2}", tok):
            core = tok.strip(".,;:!?()[]{}\"'")
            if core and any(ch.isalpha() for ch in core) and any(ch in self.leet for ch in core):
                tok = tok.replace(core, "".join(self.leet.get(ch, ch) for ch in core))
        return tok

    def normalise(self, text: str) -> str:
        if text.isascii():
            text = text.lower()
            if not _LEET_CHARS.search(text):
                return text
            return _TOKEN.sub(lambda m: self._fold_token(m.group(0)) if _LEET_CHARS.search(m.group(0)) and _LETTER.search(m.group(0)) else m.group(0), text)
        text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).lower()
        text = _TOKEN.sub(lambda m: self._fold_token(m.group(0)), text)
        out = []
        for ch in unicodedata.normalize("NFKD", text):  # drop accents from Latin letters only
            if unicodedata.combining(ch) and out and out[-1].isascii():
                continue
            out.append(ch)
        text = unicodedata.normalize("NFC", "".join(out))
        return text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')

    # --- context ------------------------------------------------------------------------------
    def _described(self, text: str, start: int, end: int, quoted: list[tuple[int, int]], quote_cue: bool, verb: bool = True) -> bool:
        """The match is reported speech or a noun phrase, not an order."""
        if quote_cue and any(qs <= start and end <= qe + 1 for qs, qe in quoted):
            return True
        before = text[max(0, start - 80):start]
        if self.described_before.search(before) or self.tell_frame.search(before):
            return True
        if verb and self.to_before.search(before) and not self.you_to.search(before):
            return True
        return bool(self.noun_after.search(text[end:end + 20]))

    def _orders(self, rx, text: str, ctx, imperative: bool = False, subject_ok: bool = True, verb: bool = True) -> bool:
        for m in rx.finditer(text):
            if self._described(text, m.start(), m.end(), *ctx, verb=verb):
                continue
            before = text[max(0, m.start() - 80):m.start()]
            if imperative and not self.imperative_lead.search(before):
                continue
            if not subject_ok and self.third_party.search(before) and not re.search(r"\byou\s+(?:\w+\s+)?$", before):
                continue
            return True
        return False

    def check(self, sentence: str) -> bool:
        text = _PUNCT_RUN.sub(lambda m: m.group(0)[:8], self.normalise(sentence))  # no pattern needs more: keeps markup floods linear and cheap
        spaced = list(_SPACED.finditer(text))
        if spaced:
            joined = _SPACED.sub(lambda m: re.sub(r"[^\w]", "", m.group(0)), text)
            if any(len(m.group(0)) >= 11 for m in spaced) and self.compact.search(re.sub(r"[^a-z0-9/]", "", joined)):
                return True
            text = joined
        if not self._triggered(text):
            return False
        quoted = [(m.start(), m.end()) for m in self.quoted.finditer(text)]
        outside = text
        for qs, qe in reversed(quoted):
            outside = outside[:qs] + " " + outside[qe:]
        ctx = (quoted, bool(quoted) and bool(self.quote_cue.search(outside)))
        if self._orders(self.tags_strong, text, ctx, verb=False) or self._orders(self.foreign, text, ctx) or self._orders(self.addressee, text, ctx, verb=False):
            return True
        if self._orders(self.override, text, ctx, subject_ok=False) or self._orders(self.leniency, text, ctx, subject_ok=False):
            return True
        if self._orders(self.role, text, ctx) or self._orders(self.role_imperative, text, ctx, imperative=True):
            return True
        if self._orders(self.score_a, text, ctx, subject_ok=False) or self._orders(self.score_b, text, ctx, imperative=True) or self._orders(self.score_c, text, ctx) or self._orders(self.score_bare, text, ctx):
            return True
        if self._orders(self.verdict_me, text, ctx, imperative=True):
            return True
        if self._orders(self.takeover, text, ctx, subject_ok=False):
            return True
        if self._orders(self.scorecard, text, ctx, subject_ok=False):
            return True
        if self._orders(self.reveal, text, ctx, imperative=True):
            return True
        for m in self.reader_order.finditer(text):
            if not self._described(text, m.start(), m.end(), *ctx) and self.reader_order_object.search(text, m.end()):
                return True
        forged = [m for m in [*self.tags_weak.finditer(text), *self.label.finditer(text)] if not self._described(text, m.start(), m.end(), *ctx)]
        return bool(forged) and bool(self.forgery_content.search(text))


_detector: _Detector | None = None


def _get_detector() -> _Detector:
    global _detector
    if _detector is None:
        _detector = _Detector(default_lexicon())
    return _detector


def is_injection(sentence: str) -> bool:
    """One sentence (or line) that gives an order to the interviewer, grader or model reading it."""
    return bool(sentence) and _get_detector().check(sentence)


def normalise_for_injection(text: str) -> str:
    """The text the detector matches: NFKC, invisible characters removed, look-alikes and leetspeak folded, lower case."""
    return _get_detector().normalise(text)
