"""One renderer for the scorecard and the transcript: the same headings in the terminal, the web page and files;
candidate text escaped for the page, inert in files, drawn by rich only on a terminal."""

import io
import json
import re

import pytest
from click.testing import CliRunner
from rich.console import Console
from rich.markdown import Markdown

from interviewer import cli
from interviewer.interview.render import grade_markdown, scorecard_markdown, transcript_markdown
from interviewer.interview.transcript import Transcript, Turn
from interviewer.sessions import SessionStore
from interviewer.ui.views import grade_markdown as web_grade_markdown
from interviewer.ui.views import scorecard_details, scorecard_summary

EVIL = "I used **PR-AUC** <img src=x onerror=alert(1)> ![p](http://203.0.113.9/p.png)"
CARD = {
    "overall": 2.75,
    "criteria": [
        {"id": "technical-depth", "name": "Technical Depth and Fundamentals", "score": 3, "level": "Solid", "evidence": [EVIL]},
        {"id": "communication-culture", "name": "Communication and Culture", "score": 1, "level": "Unclear", "evidence": []},
    ],
    "misconceptions": [{"quote": "accuracy is enough <script>x</script>", "mistake": "accuracy", "correction": "use PR-AUC"}],
    "strengths": ["Technical Depth and Fundamentals (3/4): Solid"],
    "gaps": ["Communication and Culture (1/4): Unclear"],
    "questions": [{"question": "How would you handle class imbalance?", "missed": ["Class weights"], "code_results": [{"passed": 2, "total": 3}]}],
    "review": [{"section": "4. Deep Dive into Evaluation Areas", "why": "missed key points on: imbalance"}],
    "claims": {"probed": 1, "total": 2, "coverage": 0.5, "items": [{"text": "Cut latency by 40%", "project": "Pulse", "defense": None, "probed": True}],
               "contradictions": [{"before": "40%", "now": "20%"}]},
}
GRADE = {"question": "Why not accuracy?", "overall": 2.5, "criteria": {"technical-depth": 3},
         "key_points": [{"text": "Precision and recall", "covered": True, "evidence": EVIL}, {"text": "PR-AUC", "covered": False, "evidence": None}],
         "misconceptions": [], "ignored_instructions": 0}


def _headings(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if re.match(r"#{1,6} ", line)]


def test_terminal_and_web_show_the_same_headings():
    web = scorecard_summary(CARD) + "\n\n" + scorecard_details(CARD)
    terminal = scorecard_markdown(CARD)
    assert _headings(terminal) == ["# Scorecard"] + _headings(web)
    assert "### Statements to re-check" in _headings(web) and "### What a strong answer also covers" in _headings(web)
    assert _headings(web_grade_markdown(GRADE, {})) == _headings(grade_markdown(GRADE, {}))


def test_escaping_on_for_the_page_and_off_for_plain_text():
    plain, escaped = scorecard_markdown(CARD), scorecard_markdown(CARD, escape=True)
    assert EVIL in plain and "<script>" in plain
    assert "<img" not in escaped and "<script" not in escaped and "![" not in escaped
    assert "&lt;img src=x onerror=alert(1)>" in escaped  # the quote reads as said, with no power
    assert "<img" not in web_grade_markdown(GRADE, {}) and "![" not in web_grade_markdown(GRADE, {})


def test_transcript_is_inert_and_carries_the_scorecard():
    transcript = Transcript("s1", "ml-fundamentals", "general", "m", turns=[Turn("candidate", "answer", EVIL)], scorecard=CARD)
    markdown = transcript_markdown(transcript)
    assert markdown.startswith("# Mock interview: ml-fundamentals (general)")
    assert "<img" not in markdown and "<script" not in markdown and "![" not in markdown
    assert "# Scorecard" in markdown and "## Overall: 2.75 / 4" in markdown


def test_rich_draws_the_markdown_on_a_terminal():
    out = io.StringIO()
    Console(file=out, force_terminal=True, width=100).print(Markdown(scorecard_markdown(CARD, escape=True)))
    drawn = out.getvalue()
    assert "\x1b[" in drawn  # styled for a terminal
    assert "Overall: 2.75 / 4" in drawn and "## Overall" not in drawn and "\\*" not in drawn
    assert "<img src=x onerror=alert(1)>" in drawn  # shown as typed, as text


def test_sessions_show_is_plain_in_a_pipe_and_drawn_on_a_terminal(tmp_path):
    SessionStore(tmp_path).create("evil0session", "genai", "general", "m", {}, [],
                                  first_turn=(0, {"role": "candidate", "kind": "answer", "text": EVIL}))
    args = ["--data-dir", str(tmp_path), "sessions", "show", "evil0session"]
    piped = CliRunner().invoke(cli.main, args)
    assert piped.exit_code == 0, piped.output
    assert piped.output.startswith("# Mock interview: genai (general)") and "&lt;img" in piped.output
    drawn = CliRunner().invoke(cli.main, args, env={"FORCE_COLOR": "1"})
    assert drawn.exit_code == 0, drawn.output
    assert "Mock interview: genai (general)" in drawn.output and "# Mock interview" not in drawn.output


@pytest.mark.slow
def test_grade_prints_the_shared_markdown(settings):
    """`interviewer grade` without --json: the web's grade view, plain in a pipe, drawn on a terminal."""
    env = {"INTERVIEWER_DATA_DIR": str(settings.data_dir)}
    args = ["grade", "--question", "mlf-imbalanced-fraud", "--answer", "I would not use accuracy; precision and recall of the fraud class matter."]
    result = json.loads(CliRunner().invoke(cli.main, [*args, "--json"], env=env).output)
    piped = CliRunner().invoke(cli.main, args, env=env)
    assert piped.exit_code == 0, piped.output
    assert piped.output.startswith("## " + result["question"].split("?")[0]) and "- [x] " in piped.output
    assert _headings(piped.output)[1:] == _headings(web_grade_markdown(result, {}))
    drawn = CliRunner().invoke(cli.main, args, env={**env, "FORCE_COLOR": "1"})
    assert drawn.exit_code == 0, drawn.output
    assert f"Overall {result['overall']} / 4" in drawn.output and "### Overall" not in drawn.output and "\x1b[" in drawn.output
