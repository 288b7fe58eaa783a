"""Read a resume or job description from .pdf, .docx, .txt or .md into text, with clear errors."""

from __future__ import annotations

from pathlib import Path

from interviewer.knowledge.loaders import UnreadableFile, decode_bytes, read_text

DOCUMENT_TYPES = (".pdf", ".docx", ".txt", ".md")
MAX_BYTES = 10 * 1024 * 1024  # a resume or job description is a few hundred KB; larger is a wrong file


def read_document(path: Path) -> str:
    """Text of a resume or job description; ValueError with the reason when it cannot be used."""
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
    import zipfile

    from docx import Document
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
