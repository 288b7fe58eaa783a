"""The `interviewer` command. Every sub-command is a thin layer over the engine and knowledge services."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

import interviewer.offline  # noqa: F401  (before any library that phones home is imported)
from interviewer.interview.rounds import ALL_ROUNDS
from interviewer.knowledge.bank import TRACKS
from interviewer.settings import Settings


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="interviewer")
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="INTERVIEWER_DATA_DIR", help="Where the index and sessions live (default: ~/.local/share/interviewer).")
@click.option("--model", type=click.Path(path_type=Path), envvar="INTERVIEWER_MODEL", help="A GGUF chat model to use instead of the embedded SmolLM2-135M-Instruct.")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, model: Path | None) -> None:
    """An offline mock interviewer for Machine Learning Engineer loops.

    Questions come from a local Chroma index of the interview guide and a curated
    question bank; a local llama.cpp model phrases the conversation. Nothing you
    type leaves this machine.

    \b
    Quick start:
      interviewer doctor                 check the model, embeddings and index
      interviewer chat --round genai     a mock GenAI round in the terminal
      interviewer serve                  the web app on http://127.0.0.1:7860
    """
    overrides = {}
    if data_dir:
        overrides["data_dir"] = data_dir
    if model:
        overrides["model"] = model
    ctx.obj = {"settings": Settings(**overrides)}


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Delete the index first and rebuild it from the built-in knowledge plus PATHS.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], rebuild: bool) -> None:
    """Add guides (.txt, .md, .pdf, .html files or folders) to the index.

    Re-ingesting an unchanged file adds nothing; a changed file replaces its old
    chunks. Files that cannot be read are reported and skipped.
    """
    from tqdm import tqdm

    from interviewer.knowledge.index import KnowledgeIndex

    index = KnowledgeIndex(_settings(ctx))
    start = time.perf_counter()
    report = index.ingest(list(paths), rebuild=rebuild, progress=lambda files: tqdm(files, desc="ingesting", unit="file", file=sys.stderr))
    for path, reason in report.skipped:
        click.echo(f"skipped: {reason}", err=True)
    click.echo(
        f"ingested {len(report.files)} file(s): {report.added} chunks added, {report.unchanged} unchanged, "
        f"{report.removed} removed; index holds {index.count()} chunks ({time.perf_counter() - start:.1f}s)"
    )
    if report.skipped and not report.files:
        sys.exit(1)


@main.command()
@click.argument("query")
@click.option("--k", "k", default=5, show_default=True, help="How many chunks to return.")
@click.option("--kind", type=click.Choice(["question", "section", "example", "area", "topics", "criterion", "tip"]), help="Only chunks of this kind (question = the curated bank).")
@click.option("--round", "round_name", type=click.Choice(ALL_ROUNDS[:-1]), help="Only chunks for this round.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {id, text, section, round, kind, score}, best first.")
@click.pass_context
def search(ctx: click.Context, query: str, k: int, kind: str | None, round_name: str | None, as_json: bool) -> None:
    """Search the index by meaning."""
    from interviewer.knowledge.index import KnowledgeIndex, where_clause

    index = KnowledgeIndex(_settings(ctx))
    index.ensure()
    hits = index.search(query, k=k, where=where_clause(kind=kind, round=round_name))
    if as_json:
        click.echo(json.dumps([h.as_json() for h in hits], indent=2, ensure_ascii=False))
        return
    for i, h in enumerate(hits, 1):
        click.echo(f"{i}. [{h.score:.3f}] {h.kind} | {h.round} | {h.section}")
        click.echo("   " + h.text.replace("\n", "\n   ")[:400])


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def doctor(ctx: click.Context, as_json: bool) -> None:
    """Check that the model, the embeddings and the index are usable, offline."""
    from interviewer.doctor import run_checks

    report = run_checks(_settings(ctx))
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        for check in report["checks"]:
            mark = "ok " if check["ok"] else "FAIL"
            click.echo(f"[{mark}] {check['name']}: {check['detail']}")
            if not check["ok"]:
                click.echo(f"       fix: {check['fix']}")
        click.echo(f"offline settings: {', '.join(f'{k}={v}' for k, v in report['offline'].items())}")
    sys.exit(0 if report["ok"] else 1)


def _read_optional(path: Path | None, what: str) -> str | None:
    if path is None:
        return None
    from interviewer.resume import read_document

    try:
        return read_document(path)
    except ValueError as exc:
        click.echo(f"warning: {what} not used: {exc}", err=True)
        return None


def _read_answers(path: Path) -> list[str]:
    from interviewer.knowledge.loaders import decode_bytes

    text = decode_bytes(path.read_bytes())
    answers, current = [], []
    for line in text.split("\n"):
        if line.strip() == "---":
            answers.append("\n".join(current).strip())
            current = []
        else:
            current.append(line)
    if "\n".join(current).strip():
        answers.append("\n".join(current).strip())
    return answers


@main.command()
@click.option("--round", "round_name", type=click.Choice(ALL_ROUNDS), default="ml-fundamentals", show_default=True, help="Which round to practise.")
@click.option("--track", type=click.Choice(TRACKS), default="general", show_default=True, help="Team track that biases the questions.")
@click.option("--resume", type=click.Path(path_type=Path), help="Your resume (.pdf, .docx, .txt, .md).")
@click.option("--jd", type=click.Path(path_type=Path), help="The job description (text file).")
@click.option("--answers", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Scripted answers: UTF-8 text, answers separated by lines holding only ---.")
@click.option("--questions", type=click.IntRange(1, 20), help="Main questions to ask (default: what fits the round's time budget).")
@click.option("--question", "question_ids", multiple=True, help="Ask this bank question id (repeatable) instead of planning the round.")
@click.option("--seed", type=int, help="Vary (and reproduce) which questions are picked.")
@click.option("--json", "as_json", is_flag=True, help="Print the transcript as JSON at the end.")
@click.pass_context
def chat(ctx, round_name, track, resume, jd, answers, questions, question_ids, seed, as_json) -> None:
    """Run a mock interview in the terminal (or scripted with --answers).

    Type /end to finish early; the scorecard follows either way.
    """
    from interviewer.app import App
    from interviewer.interview import InterviewConfig, TokenEvent, TurnEvent
    from interviewer.llm.base import ModelError

    app = App(_settings(ctx))
    config = InterviewConfig(
        round=round_name, track=track, resume=_read_optional(resume, "resume"), job_description=_read_optional(jd, "job description"),
        questions=questions, question_ids=list(question_ids) or None, seed=seed,
    )
    try:
        interview = app.interview(config)
    except (ModelError, ValueError) as exc:
        _fail(str(exc))
    scripted = _read_answers(answers) if answers else None
    quiet = as_json  # JSON goes to stdout alone; the conversation goes to stderr
    out = (lambda s, nl=True: click.echo(s, nl=nl, err=True)) if quiet else (lambda s, nl=True: click.echo(s, nl=nl))

    def show(events) -> None:
        started = False
        for event in events:
            if isinstance(event, TokenEvent):
                if not started:
                    out("\ninterviewer> ", nl=False)
                    started = True
                out(event.text, nl=False)
            elif isinstance(event, TurnEvent) and event.turn.role == "interviewer":
                out("")
                started = False

    show(interview.start())
    pending = list(scripted) if scripted is not None else None
    while not interview.done:
        if pending is not None:
            if not pending:
                break
            text = pending.pop(0)
            out(f"\nyou> {text}")
        else:
            try:
                text = click.prompt("\nyou", prompt_suffix="> ", default="", show_default=False)
            except (EOFError, click.Abort):
                break
            if text.strip() in ("/end", "/quit"):
                break
        show(interview.answer(text))
    card = interview.finish()
    if as_json:
        click.echo(json.dumps(interview.transcript.as_json(), indent=2, ensure_ascii=False))
    else:
        from interviewer.interview.scorecard import scorecard_markdown

        click.echo("\n" + scorecard_markdown(card))


@main.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1). Any other address requires --auth.")
@click.option("--port", type=int, default=None, help="Port (default 7860).")
@click.option("--auth", help="user:password required to use the page (needed when binding beyond loopback).")
@click.pass_context
def serve(ctx, host, port, auth) -> None:
    """Serve the web app (Gradio) on this machine."""
    from interviewer.ui.server import run_server

    settings = _settings(ctx)
    try:
        run_server(settings, host or settings.host, port or settings.port, auth)
    except ValueError as exc:
        _fail(str(exc))


@main.command(name="eval")
@click.option("--personas", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Folder of persona YAML files (default: evals/personas).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("eval-report"), show_default=True, help="Where report.json goes.")
@click.option("--seed", type=int, default=7, show_default=True)
@click.pass_context
def eval_cmd(ctx, personas, out, seed) -> None:
    """Measure the interviewer's own quality on scripted candidate personas."""
    from interviewer.evals import run_eval

    report = run_eval(_settings(ctx), personas, out, seed)
    for name, value in report["metrics"].items():
        click.echo(f"{name:32s} {value}")
    click.echo(f"report: {out / 'report.json'}")
