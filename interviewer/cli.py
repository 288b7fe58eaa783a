"""The `interviewer` command. Every sub-command is a thin layer over the engine and knowledge services."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click
from pydantic import ValidationError

import interviewer.offline  # noqa: F401  (before any library that phones home is imported)
from interviewer.app import App
from interviewer.doctor import run_checks
from interviewer.interview import InterviewConfig, TokenEvent, TurnEvent
from interviewer.interview.assess import Assessor
from interviewer.interview.practice import UnknownQuestion, grade_answer
from interviewer.interview.render import (
    grade_markdown,
    scorecard_markdown,
    transcript_markdown,
)
from interviewer.interview.rounds import ALL_ROUNDS
from interviewer.interview.transcript import Transcript, Turn
from interviewer.knowledge.bank import TRACKS, KnowledgeError
from interviewer.knowledge.index import KnowledgeIndex, where_clause
from interviewer.knowledge.service import Knowledge
from interviewer.llm.base import ModelError
from interviewer.netguard import ServerUnavailable, check_settings
from interviewer.resume import read_document
from interviewer.settings import Settings, check_config_file

# Imported where used, to keep them off the start path of every command: the session store (SQLAlchemy),
# the web server (Gradio), the evals, the benchmark (LangChain), tqdm and rich.


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


class _Main(click.Group):
    """A server that is down or refused ends any command with its message, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (ModelError, ServerUnavailable) as exc:
            _fail(str(exc))


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="interviewer")
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="INTERVIEWER_DATA_DIR", help="Where the index, cached vectors, model verdicts and (without a sessions URL) sessions.db live (default: ~/.local/share/interviewer).")
@click.option("--model", type=click.Path(path_type=Path), envvar="INTERVIEWER_MODEL", help="A GGUF chat model to use instead of the embedded SmolLM2-135M-Instruct.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), envvar="INTERVIEWER_CONFIG", help="Settings file of INTERVIEWER_*=value lines (see deploy/interviewer.env); environment variables and flags override it.")
@click.option("--llm-backend", type=click.Choice(["llama-cpp", "openai-compatible"]), help="In-process llama.cpp (default) or a self-hosted OpenAI-compatible server.")
@click.option("--llm-base-url", help="The OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (implies --llm-backend openai-compatible); must be on this machine or a private network.")
@click.option("--allow-remote-llm", is_flag=True, help="Allow an LLM server beyond this machine and private networks: answers will then leave this machine.")
@click.option("--chroma-mode", type=click.Choice(["persistent", "http"]), help="Embedded index files (default) or a Chroma server.")
@click.option("--chroma-host", help="Chroma server host (with --chroma-mode http).")
@click.option("--chroma-port", type=int, help="Chroma server port (with --chroma-mode http).")
@click.option("--sessions-url", help="Where sessions live: sqlite:////path/sessions.db or postgresql://user:password@host:5432/db (default: sessions.db in the data directory).")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, model: Path | None, config_file: Path | None, **deployment) -> None:
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
    overrides.update({key: value for key, value in deployment.items() if value not in (None, False)})
    if deployment["llm_base_url"] and not deployment["llm_backend"]:
        overrides["llm_backend"] = "openai-compatible"
    ctx.obj = {"settings": _load_settings(config_file, overrides)}


def _load_settings(config_file: Path | None, overrides: dict) -> Settings:
    """Settings from file, environment and flags; servers beyond private networks refused before any command runs."""
    try:
        if config_file:
            check_config_file(config_file)
            settings = Settings(_env_file=config_file, **overrides)
        else:
            settings = Settings(**overrides)
        check_settings(settings)
    except ValidationError as exc:
        _fail("invalid settings: " + "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors()))
    except (ModelError, ValueError) as exc:
        _fail(str(exc))
    return settings


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

    index = KnowledgeIndex(_settings(ctx))
    start = time.perf_counter()
    report = index.ingest(list(paths), rebuild=rebuild, progress=lambda files: tqdm(files, desc="ingesting", unit="file", file=sys.stderr))
    for _path, reason in report.skipped:
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
    try:
        return read_document(path)
    except ValueError as exc:
        click.echo(f"warning: {what} not used: {exc}", err=True)
        return None


def _read_answers(path: Path) -> list[str]:
    """Answers are UTF-8 (a BOM is fine); other bytes are an error, not guessed into another code page."""
    raw = path.read_bytes().replace(b"\x00", b"")
    try:
        text = raw.decode("utf-8").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        _fail(f"{path} is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save it as UTF-8 and run again")
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
@click.option("--continue", "continue_id", metavar="ID", help="Resume a stored session where it stopped (see `interviewer sessions list`).")
@click.option("--json", "as_json", is_flag=True, help="Print the transcript as JSON at the end.")
@click.pass_context
def chat(ctx, round_name, track, resume, jd, answers, questions, question_ids, seed, continue_id, as_json) -> None:
    """Run a mock interview in the terminal (or scripted with --answers).

    Type /end to finish early; the scorecard follows either way.
    """
    from interviewer.sessions import SessionStoreError, open_session, resume_session

    app = App(_settings(ctx))
    quiet = as_json  # JSON goes to stdout alone; the conversation goes to stderr
    out = (lambda s, nl=True: click.echo(s, nl=nl, err=True)) if quiet else (lambda s, nl=True: click.echo(s, nl=nl))
    try:
        if continue_id:
            interview, fresh = resume_session(app, continue_id)
            for turn in interview.transcript.turns:
                out(f"\n{'interviewer' if turn.role == 'interviewer' else 'you'}> {turn.text}")
        else:
            config = InterviewConfig(
                round=round_name, track=track, resume=_read_optional(resume, "resume"), job_description=_read_optional(jd, "job description"),
                questions=questions, question_ids=list(question_ids) or None, seed=seed,
            )
            interview = open_session(app, config)
    except (ModelError, ValueError, SessionStoreError) as exc:
        _fail(str(exc))
    out(f"(session {interview.transcript.session_id}; resume later with: interviewer chat --continue {interview.transcript.session_id})")
    scripted = _read_answers(answers) if answers else None

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

    if not continue_id:
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
    elif _stdout_is_terminal():
        _print_markdown(scorecard_markdown(card, escape=True))
    else:
        click.echo("\n" + scorecard_markdown(card))


def _stdout_is_terminal() -> bool:
    """Draw with rich? On a TTY, unless NO_COLOR is set; FORCE_COLOR asks for it anywhere (the common conventions,
    which rich honours too: a pager with colours, or a test)."""
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def _print_markdown(text: str) -> None:
    """Markdown drawn for a terminal (headings, tables, lists). Only for a TTY: pipes and files get the text itself."""
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(text))


SESSIONS_URL_HELP = "The session store for this command (overrides INTERVIEWER_SESSIONS_URL): sqlite:////path/sessions.db or postgresql://user:password@host:5432/db."


def _use_sessions_url(ctx: click.Context, url: str | None) -> None:
    if url:
        ctx.obj["settings"] = _settings(ctx).model_copy(update={"sessions_url": url})


@main.group()
@click.option("--user", "owner", metavar="USER", help="Only this user's sessions (the --auth user name; `local` without --auth).")
@click.option("--sessions-url", help=SESSIONS_URL_HELP)
@click.pass_context
def sessions(ctx, owner, sessions_url) -> None:
    """List, show, export or delete stored interview sessions (every user's, or --user's).

    \b
      interviewer sessions list
      interviewer sessions --user ana list
      interviewer sessions export-csv -o scorecards.csv    every finished scorecard, for staff
    """
    _use_sessions_url(ctx, sessions_url)
    ctx.obj["owner"] = owner


def _owner(ctx) -> str | None:
    return ctx.obj.get("owner")


def _store(ctx):
    from interviewer.sessions import SessionStore, SessionStoreError

    try:
        return SessionStore.from_settings(_settings(ctx))
    except SessionStoreError as exc:
        _fail(str(exc))


def _store_call(action, ctx):
    """Run `action(store)`; a damaged or unreadable store ends the command with its message."""
    from interviewer.sessions import SessionStoreError

    try:
        return action(_store(ctx))
    except SessionStoreError as exc:
        _fail(str(exc))


def _stored_or_fail(store, session_id: str, owner: str | None = None) -> dict:
    from interviewer.sessions import SessionStoreError

    try:
        data = store.get(session_id, owner)
    except SessionStoreError as exc:
        _fail(str(exc))
    if data is None:
        _fail(f"no stored session {session_id!r}; see `interviewer sessions list`")
    return data


def _as_transcript(data: dict) -> Transcript:
    return Transcript(session_id=data["id"], round=data["round"], track=data["track"], model=data["model"],
                      turns=[Turn.from_json(t) for t in data["turns"]], scorecard=data["scorecard"],
                      job_description=data["config"].get("job_description"), plan=data["plan"])


@sessions.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def sessions_list(ctx, as_json) -> None:
    """Stored sessions, newest first."""
    rows = _store_call(lambda store: store.list(owner=_owner(ctx)), ctx)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no stored sessions")
    for r in rows:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r["created_at"]))
        score = f"{r['overall']:.2f}/4" if r["overall"] is not None else "-"
        click.echo(f"{r['id']}  {when}  {r['owner']:<12} {r['round']:<17} {r['track']:<17} {r['status']:<8} turns {r['turns']:<3} overall {score}")


@sessions.command(name="show")
@click.argument("session_id")
@click.pass_context
def sessions_show(ctx, session_id) -> None:
    """Print a stored session as Markdown (drawn as such in a terminal)."""
    text = transcript_markdown(_as_transcript(_stored_or_fail(_store(ctx), session_id, _owner(ctx))))
    if _stdout_is_terminal():
        _print_markdown(text)
    else:
        click.echo(text)


@sessions.command(name="export")
@click.argument("session_id")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="json", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
@click.pass_context
def sessions_export(ctx, session_id, fmt, output) -> None:
    """Export a stored session as Markdown or JSON (the transcript contract)."""
    transcript = _as_transcript(_stored_or_fail(_store(ctx), session_id, _owner(ctx)))
    text = transcript_markdown(transcript) if fmt == "md" else json.dumps(transcript.as_json(), indent=2, ensure_ascii=False)
    _write_or_echo(text + "\n", output)


def _write_or_echo(text: str, output: Path | None) -> None:
    if output:
        if not output.parent.is_dir():
            _fail(f"cannot write {output}: the folder {output.parent} does not exist")
        try:
            output.write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror or exc}")
    else:
        click.echo(text, nl=False)


@sessions.command(name="export-csv")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
@click.option("--all", "include_unfinished", is_flag=True, help="Also list sessions that have no scorecard yet.")
@click.pass_context
def sessions_export_csv(ctx, output, include_unfinished) -> None:
    """Every finished session's scorecard as CSV, one row per session (for a centre's staff)."""
    from interviewer.sessions.export import scorecards_csv

    rows = _store_call(lambda store: store.list(owner=_owner(ctx)), ctx)
    if not include_unfinished:
        rows = [r for r in rows if r["status"] == "finished"]
    _write_or_echo(scorecards_csv(rows), output)


@sessions.command(name="delete")
@click.argument("session_id")
@click.pass_context
def sessions_delete(ctx, session_id) -> None:
    """Delete one stored session."""
    if not _store_call(lambda store: store.delete(session_id, _owner(ctx)), ctx):
        _fail(f"no stored session {session_id!r}")
    click.echo(f"deleted {session_id}")


@sessions.command(name="wipe")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def sessions_wipe(ctx, yes) -> None:
    """Delete every stored session (with --user, every one of that user's)."""
    owner = _owner(ctx)
    if not yes:
        click.confirm("Delete every stored session?" if owner is None else f"Delete every session of {owner}?", abort=True)
    click.echo(f"deleted {_store_call(lambda store: store.wipe(owner), ctx)} session(s)")


@main.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1). Any other address requires --auth.")
@click.option("--port", type=int, default=None, help="Port (default 7860).")
@click.option("--auth", help="user:password required to use the page (needed when binding beyond loopback).")
@click.option("--sessions-url", help=SESSIONS_URL_HELP + " Replicas that share one PostgreSQL share their candidates.")
@click.pass_context
def serve(ctx, host, port, auth, sessions_url) -> None:
    """Serve the web app (Gradio) on this machine."""
    _use_sessions_url(ctx, sessions_url)
    settings = _settings(ctx)
    if settings.sessions_url:  # a shared store is checked (reachable, migrated) before anything loads
        store = _store(ctx)
        click.echo(f"Sessions: {store.kind} at {store.where} (schema version {store.version}).")
        store.close()
    from interviewer.ui.server import run_server

    try:
        run_server(settings, host or settings.host, port or settings.port, auth)
    except ValueError as exc:
        _fail(str(exc))


@main.command()
@click.option("--question", "question_id", metavar="ID", help="The bank question answered (ids: `interviewer search --kind question QUERY --json`).")
@click.option("--answer", help="The answer text; '-' reads it from standard input.")
@click.option("--batch", type=click.File("r", encoding="utf-8"), help='JSON lines {"question_id": ..., "answer": ...}; prints one JSON object per line, in order.')
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (the stable contract).")
@click.pass_context
def grade(ctx, question_id, answer, batch, as_json) -> None:
    """Practise one bank question: see how an answer would be judged.

    Prints the key points the answer covers, with the sentence that shows each,
    the ones it misses, any misconception it states with what is right instead,
    and the four criterion scores and overall. Uses only the embedded embedding
    model: no index and no chat model are loaded.

    \b
      interviewer grade --question mlf-imbalanced-fraud --answer "I would not use accuracy..."
      interviewer grade --question genai-lora-mechanics --answer - --json < answer.txt
      interviewer grade --batch answers.jsonl
    """
    if batch is None and (question_id is None or answer is None):
        _fail("give --question ID and --answer TEXT, or --batch FILE.jsonl", 2)
    if batch is not None and (question_id or answer):
        _fail("--batch reads questions and answers from the file; leave out --question and --answer", 2)
    try:
        knowledge = Knowledge(_settings(ctx), ensure_index=False)
        assessor = Assessor(knowledge)
    except KnowledgeError as exc:
        _fail(str(exc))
    if batch is None:
        text = sys.stdin.read() if answer == "-" else answer
        try:
            result = grade_answer(knowledge, question_id, text, assessor)
        except UnknownQuestion as exc:
            _fail(str(exc), 2)
        names = {c.id: c.name for c in knowledge.curated.criteria}
        if as_json:
            click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        elif _stdout_is_terminal():
            _print_markdown(grade_markdown(result, names, escape=True, with_question=True))
        else:
            click.echo(grade_markdown(result, names, with_question=True))
        return
    failed = 0
    for number, line in enumerate(batch, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("question_id"), str) or not isinstance(item.get("answer", ""), str):
                raise ValueError('each line needs {"question_id": "...", "answer": "..."}')
            click.echo(json.dumps(grade_answer(knowledge, item["question_id"], item.get("answer", ""), assessor), ensure_ascii=False))
        except (ValueError, UnknownQuestion) as exc:  # json.JSONDecodeError is a ValueError
            failed += 1
            click.echo(json.dumps({"line": number, "error": str(exc)}))
    if failed:
        click.echo(f"{failed} line(s) could not be graded", err=True)
        sys.exit(1)


@main.command(name="eval")
@click.option("--personas", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Folder of persona YAML files (default: evals/personas).")
@click.option("--model", "model_path", type=click.Path(path_type=Path), help="GGUF model to evaluate (default: the model in use).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("eval-report"), show_default=True, help="Where report.json and report.html go.")
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Compare with this baseline; exit 1 when a metric regressed beyond its tolerance.")
@click.option("--save-baseline", type=click.Path(dir_okay=False, path_type=Path), help="Also write this run as a baseline file (e.g. evals/baselines/default-model.json).")
@click.option("--seed", type=int, default=7, show_default=True, help="Seeds question choice, sampling and simulated candidates; same seed, same run.")
@click.option("--grader-only", is_flag=True, help="Only grade the test part of the labelled answers (evals/graded/) and print the figures as JSON.")
@click.option("--adaptive-only", "adaptive_split", type=click.Choice(["dev", "test"]), help="Only interview the adaptive personas (evals/adaptive/) of this split and print the follow-up figures and transcripts as JSON.")
@click.option("--fit-grader", is_flag=True, help="Refit the grader and the scoring weights on the dev part of the labelled answers and write knowledge/grader.yaml and the scoring block of knowledge/criteria.yaml.")
@click.pass_context
def eval_cmd(ctx, personas, model_path, out, baseline, save_baseline, seed, grader_only, adaptive_split, fit_grader) -> None:
    """Measure the interviewer's own quality on candidate personas, offline.

    Runs every persona through the real engine and model, checks each transcript
    and writes report.json and a self-contained report.html, with the retrieval
    figures and the grader's figures on the test part of the labelled answers
    alongside.
    """
    if grader_only or fit_grader:
        from interviewer.evals.grading import fit_grader as fit
        from interviewer.evals.grading import grader_report, write_fitted

        settings = _settings(ctx)
        if fit_grader:
            params, scoring = fit(Knowledge(settings, ensure_index=False))
            write_fitted(settings.knowledge_dir, params, scoring)
            click.echo(f"grader and scoring fitted on the {params.fitted_on}; written to {settings.knowledge_dir}", err=True)
        click.echo(json.dumps(grader_report(Knowledge(settings, ensure_index=False), split="test"), indent=2))
        return
    if adaptive_split:
        from interviewer.evals.adaptive import adaptive_report

        settings = _settings(ctx)
        report = adaptive_report(Knowledge(settings), settings.prompts_dir, adaptive_split, seed, settings.evals_dir / "adaptive")
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    from interviewer.evals import run_eval
    from interviewer.evals.baseline import save_baseline as write_baseline
    from interviewer.evals.personas import PersonaError

    settings = _settings(ctx)
    settings = settings.model_copy(update={"seed": seed, **({"model": model_path} if model_path else {})})
    try:
        report = run_eval(settings, personas, out, seed, baseline=baseline)
    except (PersonaError, ModelError, ValueError) as exc:
        _fail(str(exc))
    rows = {r["metric"]: r for r in (report.get("baseline") or {}).get("rows", [])}
    for name, value in report["metrics"].items():
        line = f"{name:34s} {value if value is not None else 'n/a'}"
        if name in rows and rows[name]["baseline"] is not None:
            line += f"   (baseline {rows[name]['baseline']}, {rows[name]['status']})"
        click.echo(line)
    judge = report["judge"]
    verdict = {True: "qualified", False: "failed qualification, not used", None: "not needed"}[judge["qualified"]]
    click.echo(f"model {report['model']}; judge {judge['model']} ({verdict}, {judge['calls']} calls); {len(report['interviews'])} personas in {report['seconds']}s")
    if save_baseline:
        write_baseline(report, save_baseline)
        click.echo(f"baseline written: {save_baseline}")
    click.echo(f"report: {out / 'report.json'} and {out / 'report.html'}")
    if report.get("baseline") and report["baseline"]["regressions"]:
        click.echo(f"regressed beyond tolerance: {', '.join(report['baseline']['regressions'])}", err=True)
        sys.exit(1)


@main.command()
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="GGUF model to measure (default: the model in use).")
@click.option("--turns", type=click.IntRange(1, 24), default=12, show_default=True, help="Candidate answers per interview.")
@click.option("--sessions", type=click.IntRange(1, 8), default=1, show_default=True, help="Interviews interleaved on one model.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def bench(ctx, model_path, turns, sessions, as_json) -> None:
    """Measure the app against a LangChain RAG baseline and raw llama.cpp on one scripted interview.

    Reports time to first token, prompt tokens evaluated, decode speed, time outside
    the model per turn, cold start and memory. Same answers, max tokens, model and
    machine for all three, turn by turn in one run.
    """
    from interviewer.bench import render, run_bench

    settings = _settings(ctx)
    if model_path:
        settings = settings.model_copy(update={"model": model_path})
    try:
        result = run_bench(settings, turns=turns, sessions=sessions, progress=lambda message: click.echo(message, err=True))
    except (ModelError, FileNotFoundError) as exc:
        _fail(str(exc))
    click.echo(json.dumps(result, indent=2) if as_json else render(result))
