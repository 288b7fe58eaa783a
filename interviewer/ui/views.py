"""What the page shows, as plain data and Markdown: progress, the scorecard view, code results.

Anything that came from the candidate (answers quoted as evidence, file names) goes
through `md_text` before it reaches a Markdown component, so it shows as typed and
can neither run HTML nor pull an image from elsewhere (`![](http://...)`).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from interviewer.interview.rounds import ONSITE, ROUNDS
from interviewer.sessions.export import transcript_markdown

_MD_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def md_text(text: str) -> str:
    """Literal text inside Markdown: HTML escaped, Markdown punctuation backslash-escaped, one line."""
    escaped = html.escape(str(text), quote=False)
    return _MD_PUNCTUATION.sub(r"\\\1", " ".join(escaped.split()))


_MD_MARKUP = re.compile(r"([\\`*\[\]|]|(?<!\w)_|_(?!\w))")  # snake_case underscores cannot emphasise: kept
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_BLOCK_START = re.compile(r"^([-+>#])")
_MD_NUMBERED = re.compile(r"^(\d+)([.)])")


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


def message_text(message: dict) -> str:
    """Gradio 6 hands messages back with content as a list of typed parts."""
    content = message.get("content")
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")


def model_line(info: dict) -> str:
    """`Model in use: **name** (98.4 MB, llama-cpp)`; a model behind a server has no known size."""
    size = info.get("size_mb")
    size_text = f"{size} MB" if isinstance(size, (int, float)) and size else "size not known"
    return f"Model in use: **{md_text(info.get('name', 'unknown'))}** ({size_text}, {md_text(info.get('backend', 'unknown'))})"


def budget_minutes(round_name: str) -> int:
    if round_name == "onsite":
        return sum(ROUNDS[r].minutes for r in ONSITE)
    return ROUNDS[round_name].minutes


def clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def progress_text(k: int, n: int, elapsed_s: float, round_name: str, done: bool, turn: str = "") -> str:
    """`**Question 2 of 4** · 3:12 elapsed of 45:00 · your turn`"""
    budget = budget_minutes(round_name)
    line = f"**Question {min(max(k, 1), n)} of {n}** · {clock(elapsed_s)} elapsed of {budget}:00"
    if elapsed_s > budget * 60 and not done:
        line += " · over the round's time"
    return line + (" · finished" if done else f" · {turn}" if turn else "")


# -- coding questions ---------------------------------------------------------------


def code_stub(coding) -> str:
    """A starting point for the editor: the signature, a docstring with the examples, a body to fill."""
    signature = coding.signature.strip().rstrip(":")
    examples = "\n".join(f"    {e}" for e in coding.examples)
    return f'{signature}:\n    """\n{examples}\n    """\n    raise NotImplementedError\n'


def coding_brief(coding) -> str:
    """The contract of a coding question, for the candidate who asks for clarification."""
    lines = [f"Function: {coding.signature}", "Examples:"] + [f"- {e}" for e in coding.examples]
    return "\n".join(lines)


def code_result_markdown(result: dict) -> str:
    passed, total = result["passed"], result["total"]
    timing = f" in {result['seconds']} s" if "seconds" in result else ""
    parts = [f"**{passed} of {total} tests passed**{timing}"]
    if result.get("timed_out"):
        parts.append("Stopped: the time limit was reached.")
    if result.get("error"):
        parts.append(f"Error: {md_text(result['error'])}")
    bullets = []
    for f in result.get("failures", []):
        args = ", ".join(json.dumps(a) for a in f["args"])
        outcome = f"raised {md_text(f['error'])}" if "error" in f else f"returned `{_code_span(json.dumps(f.get('got')))}`"
        bullets.append(f"- input `{_code_span(args)}`: expected `{_code_span(json.dumps(f['expected']))}`, {outcome}")
    return "\n\n".join(parts + (["Failing tests:\n" + "\n".join(bullets)] if bullets else []))


def _code_span(text: str) -> str:
    """Text inside a Markdown code span: shown literally; only backticks and length need care."""
    text = text.replace("`", "'")
    return text if len(text) <= 160 else text[:157] + "..."


# -- scorecard ----------------------------------------------------------------------


def short_name(criterion: str) -> str:
    """'Technical Depth and Fundamentals' -> 'Technical Depth': fits under a bar."""
    return criterion.split(" and ")[0]


def scorecard_rows(card: dict) -> list[dict]:
    """Rows for the per-criterion bar chart, in the guide's order."""
    return [{"criterion": short_name(c["name"]), "score": c["score"]} for c in card["criteria"]]


def scorecard_summary(card: dict) -> str:
    lines = [f"## Overall: {card['overall']} / 4", "", "| Score | Criterion | What it means |", "|---|---|---|"]
    lines += [f"| {c['score']}/4 | {md_text(c['name'])} | {md_text(c['level'])} |" for c in card["criteria"]]
    return "\n".join(lines)


def scorecard_details(card: dict) -> str:
    lines: list[str] = []
    evidence = [(c["name"], q) for c in card["criteria"] for q in c["evidence"]]
    lines.append("### Evidence from your answers")
    if evidence:
        for name, quote in evidence:
            lines.append(f"- **{md_text(name)}:** “{md_quote(quote)}”")
    else:
        lines.append("No answer gave evidence for a criterion yet.")
    for title, key in (("Strengths", "strengths"), ("Gaps", "gaps")):
        if card.get(key):
            lines += ["", f"### {title}"] + [f"- {md_text(s)}" for s in card[key]]
    missed = [q for q in card["questions"] if q["missed"]]
    if missed:
        lines += ["", "### Key points you missed"]
        for q in missed:
            lines.append(f"- *{md_text(q['question'])}*")
            lines += [f"  - {md_text(m)}" for m in q["missed"]]
    runs = [q for q in card["questions"] if q.get("code_results")]
    if runs:
        lines += ["", "### Code"]
        for q in runs:
            last = q["code_results"][-1]
            lines.append(f"- *{md_text(q['question'])}*: {last['passed']}/{last['total']} tests passed on the last run ({len(q['code_results'])} run(s))")
    if card.get("review"):
        lines += ["", "### Guide sections to review"] + [f"- {md_text(r['section'])} ({md_text(r['why'])})" for r in card["review"]]
    return "\n".join(lines)


def grade_markdown(result: dict, names: dict[str, str]) -> str:
    """How one practice answer would be judged: covered points with the sentence that shows each, missed points,
    misconceptions with what is right instead, and the scores. Candidate text goes through md_text."""
    covered = [kp for kp in result["key_points"] if kp["covered"]]
    missed = [kp for kp in result["key_points"] if not kp["covered"]]
    lines = [f"### Overall {result['overall']} / 4", "", "| Score | Criterion |", "|---|---|"]
    lines += [f"| {score}/4 | {md_text(names.get(cid, cid))} |" for cid, score in result["criteria"].items()]
    lines += ["", f"### Covered {len(covered)} of {len(result['key_points'])} key points"]
    lines += [f"- **{md_text(kp['text'])}**  \n  you said: \u201c{md_text(kp['evidence'] or '')}\u201d" for kp in covered] or ["- none yet"]
    if missed:
        lines += ["", "### What a strong answer also covers"] + [f"- {md_text(kp['text'])}" for kp in missed]
    if result["misconceptions"]:
        lines += ["", "### Statements to re-check"]
        lines += [f"- you said: \u201c{md_text(m['quote'])}\u201d  \n  instead: {md_text(m['correction'])}" for m in result["misconceptions"]]
    if result.get("ignored_instructions"):
        lines += ["", f"{result['ignored_instructions']} sentence(s) addressed to the grader were ignored."]
    return "\n".join(lines)


def practice_choices(questions) -> list[tuple[str, str]]:
    """(label, id) for the practice dropdown: every question with a rubric the grader can judge (not coding)."""
    return [(f"{q.round}: {q.text}", q.id) for q in questions if q.round != "coding"]


def write_transcript_files(transcript, folder: Path) -> tuple[Path, Path]:
    """The transcript as Markdown and as JSON (the stable contract), for download."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"interview-{transcript.session_id}"
    md_path, json_path = folder / f"{stem}.md", folder / f"{stem}.json"
    md_path.write_text(transcript_markdown(transcript) + "\n", encoding="utf-8")  # the candidate's text cannot run or fetch
    json_path.write_text(json.dumps(transcript.as_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return md_path, json_path
