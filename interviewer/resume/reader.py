"""Read a resume or job description from .pdf, .docx, .txt or .md into text, with clear errors.

Candidate documents are bounded before anything parses them, as answers are: at most
MAX_DOCUMENT_CHARS characters are kept, and a line longer than MAX_LINE_CHARS is split at
a space (a resume line is rarely over 300 characters; a PDF whose text inflates to
700,000-character lines is cut down to size), each with a note saying so. The web app
reads and parses an upload in a separate process with a time limit
(`read_document_isolated`), so one upload never stalls the server for other users.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import interviewer
from interviewer.knowledge.loaders import UnreadableFile, decode_bytes, read_text
from interviewer.resume.claims import parse_resume
from interviewer.resume.jd import parse_job_description
from interviewer.settings import Settings

DOCUMENT_TYPES = (".pdf", ".docx", ".txt", ".md")
MAX_BYTES = 10 * 1024 * 1024  # a resume or job description is a few hundred KB; larger is a wrong file
MAX_DOCUMENT_CHARS = 50_000  # a long two-page resume is about 10,000 characters
MAX_LINE_CHARS = 500  # longer lines are split at a space before any regex sees them
PARSE_TIME_LIMIT_S = 20.0  # reading and parsing one upload, in its own process
WORKER_MEMORY_MB = 1536


def bound_document(text: str, what: str = "document") -> tuple[str, list[str]]:
    """`text` cut to MAX_DOCUMENT_CHARS and its long lines split; (text, notes for the candidate)."""
    notes = []
    if len(text) > MAX_DOCUMENT_CHARS:
        notes.append(f"The {what} has {len(text):,} characters; only the first {MAX_DOCUMENT_CHARS:,} were read.")
        text = text[:MAX_DOCUMENT_CHARS]
    lines, split = [], 0
    for line in text.split("\n"):
        if len(line) > MAX_LINE_CHARS:
            split += 1
        while len(line) > MAX_LINE_CHARS:
            cut = line.rfind(" ", MAX_LINE_CHARS // 2, MAX_LINE_CHARS + 1)
            if cut <= 0:
                cut = MAX_LINE_CHARS
            lines.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        lines.append(line)
    if split:
        notes.append(f"{split} line(s) of the {what} were longer than {MAX_LINE_CHARS} characters and were split into shorter lines.")
    return "\n".join(lines), notes


def read_document(path: Path) -> str:
    """Text of a resume or job description, bounded (see `bound_document`); ValueError with the reason when it cannot be used."""
    return read_document_with_notes(path)[0]


def read_document_with_notes(path: Path, what: str = "document") -> tuple[str, list[str]]:
    """(bounded text, notes on what was cut); ValueError with the reason when it cannot be used."""
    return bound_document(_read_raw(path), what)


def _read_raw(path: Path) -> str:
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if not path.is_file():
            raise UnreadableFile(f"{path}: no such file")
        size = path.stat().st_size
        if size == 0:
            raise UnreadableFile(f"{path}: the file is empty")
        if size > MAX_BYTES:
            raise UnreadableFile(f"{path}: {size / 1e6:.0f} MB is too large for a resume or job description (limit {MAX_BYTES // (1024 * 1024)} MB)")
        head = path.read_bytes()[:8]
        if suffix == ".docx":
            if not head.startswith(b"PK"):
                raise UnreadableFile(f"{path}: not a .docx file (wrong extension?)")
            return _read_docx(path)
        if suffix == ".pdf" and not head.startswith(b"%PDF"):
            raise UnreadableFile(f"{path}: not a PDF file (wrong extension?)")
        if suffix in (".txt", ".md") and head.startswith(b"PK\x03\x04"):
            raise UnreadableFile(f"{path}: this looks like a .docx or zip file with a {suffix} extension")
        if suffix in (".txt", ".md", ".pdf"):
            return read_text(path)
        if suffix == "":
            return decode_bytes(path.read_bytes()).strip() or _empty(path)
        raise UnreadableFile(f"{path}: unsupported file type {suffix}; use {', '.join(DOCUMENT_TYPES)}")
    except UnreadableFile as exc:
        raise ValueError(str(exc)) from exc


def _empty(path: Path) -> str:
    raise UnreadableFile(f"{path}: the file is empty")


def _read_docx(path: Path) -> str:
    """Paragraphs and tables in document order; a table row whose first cell is short reads as a title and its bullets."""
    from docx import Document  # python-docx and lxml load only when a .docx is read
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFile(f"{path}: not a readable .docx file ({exc})") from exc
    lines: list[str] = []
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, doc).text.strip()
            if text:
                lines.append(text)
        elif tag == "tbl":
            for row in Table(child, doc).rows:
                cells = list(dict.fromkeys(c for c in row.cells))  # merged cells repeat
                texts = [c.text.strip() for c in cells]
                if len(cells) >= 2 and texts[0] and len(texts[0]) < 80:
                    lines.append(texts[0])
                    for cell in cells[1:]:
                        lines += [f"- {p.text.strip()}" for p in cell.paragraphs if p.text.strip()]
                elif any(texts):
                    lines.append(" | ".join(t for t in texts if t))
    text = "\n".join(lines).replace("\x00", "").strip()
    if not text:
        raise UnreadableFile(f"{path}: the document has no text")
    return text


# -- reading and parsing in a separate process ------------------------------------------


def read_document_isolated(path: Path, kind: str = "resume", knowledge_dir: Path | None = None,
                           time_limit_s: float = PARSE_TIME_LIMIT_S) -> tuple[str, list[str], float]:
    """Read `path` and parse it as a resume (or "jd", or "none") in a child process, killed
    after `time_limit_s`: (bounded text, notes, seconds the parse took in the child).

    The server's interpreter stays free for other users while a slow PDF or a pathological
    line is read; ValueError when the file cannot be used or the time runs out."""
    package_root = str(Path(interviewer.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-m", "interviewer.resume.reader", str(path), kind]
    if knowledge_dir is not None:
        command.append(str(knowledge_dir))
    try:
        done = subprocess.run(command, capture_output=True, timeout=time_limit_s, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise ValueError(f"{Path(path).name}: reading it took longer than {time_limit_s:g} s, so it was not used") from exc
    try:
        answer = json.loads(done.stdout.decode("utf-8"))
    except ValueError:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1][:300]
        raise ValueError(f"{Path(path).name}: it could not be read ({last})") from None
    if "error" in answer:
        raise ValueError(answer["error"])
    return answer["text"], answer["notes"], answer["parse_seconds"]


def _worker(argv: list[str]) -> None:
    """`python -m interviewer.resume.reader PATH KIND [KNOWLEDGE_DIR]`: one JSON object on stdout."""
    limit = WORKER_MEMORY_MB * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        os.nice(10)  # the server answering other users comes first
    except (ValueError, OSError):
        pass
    path, kind = Path(argv[0]), argv[1]
    try:
        text, notes = read_document_with_notes(path, {"resume": "resume", "jd": "job description"}.get(kind, "document"))
    except ValueError as exc:
        print(json.dumps({"error": str(exc)}))
        return
    except MemoryError:
        print(json.dumps({"error": f"{path}: reading it needs more than {WORKER_MEMORY_MB} MB"}))
        return
    started = time.perf_counter()
    if kind == "resume":
        knowledge_dir = Path(argv[2]) if len(argv) > 2 else Settings().knowledge_dir
        parse_resume(text, knowledge_dir)
    elif kind == "jd":
        parse_job_description(text, {}, [])
    print(json.dumps({"text": text, "notes": notes, "parse_seconds": round(time.perf_counter() - started, 3)}))


if __name__ == "__main__":
    _worker(sys.argv[1:])
