"""Read a resume or job description from .pdf, .docx, .txt or .md into text, with clear errors."""

from __future__ import annotations

from pathlib import Path

from interviewer.knowledge.loaders import MAX_BYTES, UnreadableFile, decode_bytes, read_text

DOCUMENT_TYPES = (".pdf", ".docx", ".txt", ".md")


def read_document(path: Path) -> str:
    """Text of a resume or job description; ValueError with the reason when it cannot be used."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if not path.is_file():
            raise UnreadableFile(f"{path}: no such file")
        if path.stat().st_size > MAX_BYTES:
            raise UnreadableFile(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB")
        if suffix == ".docx":
            return _read_docx(path)
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
    import zipfile

    from docx import Document

    try:
        doc = Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFile(f"{path}: not a readable .docx file ({exc})") from exc
    lines = [p.text for p in doc.paragraphs if p.text.strip()]
    for table in doc.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                lines.append(" | ".join(dict.fromkeys(cells)))
    text = "\n".join(lines).replace("\x00", "").strip()
    if not text:
        raise UnreadableFile(f"{path}: the document has no text")
    return text
