"""The scorecard and the transcript as Markdown: one renderer, the same headings in the terminal, the web page
and exported files.

Candidate text is the danger in Markdown: a quoted answer could carry `<script>` or `![](http://...)`, which a
viewer would run or fetch. Two protections, for two readers:
- `escape=True` (the web page, the terminal): every piece of text goes through `md_text`, and quotes of the
  candidate's words through `md_quote`, so they show as typed and cannot become markup at all.
- `inert_markdown` (files, `sessions show`): the whole document keeps every character readable while taking
  away that power: `<` becomes `&lt;` (no HTML, no autolinks) and `![` becomes `!\\[` (no images). The app's own
  Markdown uses neither, so only candidate text changes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

_MD_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
_MD_MARKUP = re.compile(r"([\\`*\[\]|]|(?<!\w)_|_(?!\w))")  # snake_case underscores cannot emphasise: kept
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_BLOCK_START = re.compile(r"^([-+>#])")
_MD_NUMBERED = re.compile(r"^(\d+)([.)])")
_IMAGE = re.compile(r"!\[")


def md_text(text: str) -> str:
    """Literal text inside Markdown: HTML escaped, Markdown punctuation backslash-escaped, one line."""
    escaped = html.escape(str(text), quote=False)
    return _MD_PUNCTUATION.sub(r"\\\1", " ".join(escaped.split()))


def md_quote(text: str) -> str:
    """A quote of the candidate's words inside Markdown, as close to verbatim as safety allows:
    `<` and entity-like `&` are HTML-escaped (no tags, no autolinks), and only characters that
    could start markup (emphasis, code, links, images, tables, a pair of tildes) or a list,
    heading or quote at the start are backslash-escaped. Ordinary punctuation (. - ( ) % ! #
    + > in running text) stays as typed, so the quote reads as said, in the page and over the API."""
    text = " ".join(str(text).split())
    text = _MD_ENTITY.sub("&amp;", text).replace("<", "&lt;")
    text = _MD_MARKUP.sub(r"\\\1", text)
    if text.count("~") > 1:  # strikethrough needs a pair; a lone "~0.1%" stays as typed
        text = text.replace("~", "\\~")
    return _MD_NUMBERED.sub(r"\1\\\2", _MD_BLOCK_START.sub(r"\\\1", text))


def inert_markdown(text: str) -> str:
    """Markdown with no HTML and no images: safe to open in any viewer."""
    return _IMAGE.sub(r"!\\[", text.replace("<", "&lt;"))


def _escapes(escape: bool) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """(for text, for quotes of the candidate's words)."""
    return (md_text, md_quote) if escape else (str, str)


# -- the scorecard ------------------------------------------------------------------


def scorecard_summary(card: dict, escape: bool = False) -> str:
    """`## Overall: 2.75 / 4` and one table row per criterion."""
    text, _ = _escapes(escape)
    lines = [f"## Overall: {card['overall']} / 4", "", "| Score | Criterion | What it means |", "|---|---|---|"]
    lines += [f"| {c['score']}/4 | {text(c['name'])} | {text(c['level'])} |" for c in card["criteria"]]
    return "\n".join(lines)


def scorecard_details(card: dict, escape: bool = False) -> str:
    """Evidence, strengths and gaps, statements to re-check, missed key points, code runs, resume claims and
    the guide sections to review."""
    text, quote = _escapes(escape)
    lines = ["### Evidence from your answers"]
    evidence = [(c["name"], q) for c in card["criteria"] for q in c["evidence"]]
    lines += [f"- **{text(name)}:** \u201c{quote(q)}\u201d" for name, q in evidence] or ["No answer gave evidence for a criterion yet."]
    for title, key in (("Strengths", "strengths"), ("Gaps", "gaps")):
        if card.get(key):
            lines += ["", f"### {title}"] + [f"- {text(s)}" for s in card[key]]
    if card.get("misconceptions"):
        lines += ["", "### Statements to re-check"]
        lines += [f"- You said: \u201c{quote(m['quote'])}\u201d. {text(m['correction'])}" for m in card["misconceptions"]]
    missed = [q for q in card["questions"] if q["missed"]]
    if missed:
        lines += ["", "### What a strong answer also covers"]
        for q in missed:
            lines.append(f"- *{text(q['question'])}*")
            lines += [f"  - {text(m)}" for m in q["missed"]]
    runs = [q for q in card["questions"] if q.get("code_results")]
    if runs:
        lines += ["", "### Code"]
        for q in runs:
            last = q["code_results"][-1]
            lines.append(f"- *{text(q['question'])}*: {last['passed']}/{last['total']} tests passed on the last run ({len(q['code_results'])} run(s))")
    claims = card.get("claims")
    if claims:
        lines += ["", f"### Resume claims probed: {claims['probed']} of {claims['total']} ({claims['coverage']:.0%})"]
        lines += [f"- {text(i['text'])} ({text(i['project'])}): {text(i['defense'] or 'asked')}" for i in claims["items"] if i["probed"]]
        lines += [f"- Inconsistent: \u201c{quote(c['before'])}\u201d vs \u201c{quote(c['now'])}\u201d" for c in claims["contradictions"]]
    if card.get("review"):
        lines += ["", "### Guide sections to review"] + [f"- {text(r['section'])} ({text(r['why'])})" for r in card["review"]]
    return "\n".join(lines)


def scorecard_markdown(card: dict, escape: bool = False) -> str:
    """The whole scorecard: what the web page shows in two parts, under one heading."""
    return "\n\n".join(["# Scorecard", scorecard_summary(card, escape), scorecard_details(card, escape)])


# -- one practice answer --------------------------------------------------------------


def grade_markdown(result: dict, names: dict[str, str], escape: bool = False, with_question: bool = False) -> str:
    """How one practice answer would be judged (`grade_answer`): the scores, covered points ([x]) with the sentence
    that shows each, missed points ([ ]), and misconceptions with what is right instead. The web page shows the
    question beside it; the terminal asks for `with_question`."""
    text, _ = _escapes(escape)
    covered = [kp for kp in result["key_points"] if kp["covered"]]
    missed = [kp for kp in result["key_points"] if not kp["covered"]]
    lines = [f"## {text(result['question'])}", ""] if with_question else []
    lines += [f"### Overall {result['overall']} / 4", "", "| Score | Criterion |", "|---|---|"]
    lines += [f"| {score}/4 | {text(names.get(cid, cid))} |" for cid, score in result["criteria"].items()]
    lines += ["", f"### Covered {len(covered)} of {len(result['key_points'])} key points"]
    lines += [f"- [x] **{text(kp['text'])}**  \n  you said: \u201c{text(kp['evidence'] or '')}\u201d" for kp in covered] or ["- none yet"]
    if missed:
        lines += ["", "### What a strong answer also covers"] + [f"- [ ] {text(kp['text'])}" for kp in missed]
    if result["misconceptions"]:
        lines += ["", "### Statements to re-check"]
        lines += [f"- you said: \u201c{text(m['quote'])}\u201d  \n  instead: {text(m['correction'])}" for m in result["misconceptions"]]
    if result.get("ignored_instructions"):
        lines += ["", f"{result['ignored_instructions']} sentence(s) addressed to the grader were ignored."]
    if result.get("truncated"):
        lines += ["", "The answer was very long; only its first part was graded."]
    return "\n".join(lines)


# -- the transcript -----------------------------------------------------------------


def transcript_markdown(transcript) -> str:
    """A `Transcript` for people, made inert: the turns, their sources, then the scorecard."""
    lines = [f"# Mock interview: {transcript.round} ({transcript.track})", "", f"Session `{transcript.session_id}`, model `{transcript.model}`.", ""]
    for t in transcript.turns:
        who = "Interviewer" if t.role == "interviewer" else "Candidate"
        lines.append(f"**{who}** ({t.kind}): {t.text}")
        if t.sources:
            lines.append("  - sources: " + "; ".join(s["section"] for s in t.sources))
        lines.append("")
    if transcript.scorecard:
        lines.append(scorecard_markdown(transcript.scorecard))
    return inert_markdown("\n".join(lines))
