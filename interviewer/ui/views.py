"""What the page shows, as plain data and Markdown: progress, the scorecard view, code results.

Anything that came from the candidate (answers quoted as evidence, file names) goes
through `md_text` (or `md_quote`, interviewer/interview/render.py) before it reaches a
Markdown component, so it shows as typed and can neither run HTML nor pull an image
from elsewhere (`![](http://...)`). The scorecard and grade views are the shared
renderer with that escaping on.
"""

from __future__ import annotations

import json
from pathlib import Path

from interviewer.interview import render
from interviewer.interview.render import md_quote, md_text, transcript_markdown  # noqa: F401  (md_quote: used by tests/test_web_api.py)
from interviewer.interview.rounds import ONSITE, ROUNDS


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
    return render.scorecard_summary(card, escape=True)


def scorecard_details(card: dict) -> str:
    return render.scorecard_details(card, escape=True)


def grade_markdown(result: dict, names: dict[str, str]) -> str:
    return render.grade_markdown(result, names, escape=True)


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
