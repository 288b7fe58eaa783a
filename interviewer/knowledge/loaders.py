"""Read guide files (.txt, .md, .pdf, .html) into clean text.

Every failure becomes an `UnreadableFile` with a message naming the problem, so an
ingest can report it and go on with the other files.
"""

from __future__ import annotations

import re
from pathlib import Path

from charset_normalizer import from_bytes

SUPPORTED = (".txt", ".md", ".markdown", ".pdf", ".html", ".htm")
MAX_BYTES = 50 * 1024 * 1024


class UnreadableFile(Exception):
    """A file that cannot be turned into text; the message says why."""


def decode_bytes(data: bytes) -> str:
    """Decode text of unknown encoding; NUL bytes and a BOM are dropped."""
    data = data.replace(b"\x00", b"")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        text = str(best) if best is not None else None
        # Single-byte Latin code pages are hard to tell apart; Windows-1252 is by far the most common.
        if best is None or best.encoding.startswith(("cp125", "iso8859", "latin", "mac_", "windows-125")):
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                pass
        if text is None:
            text = data.decode("utf-8", errors="replace")
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise UnreadableFile(f"{path}: the PDF is password-protected")
            except Exception as exc:  # pypdf raises several types for unsupported encryption
                raise UnreadableFile(f"{path}: the PDF is password-protected") from exc
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnreadableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableFile(f"{path}: not a readable PDF ({exc.__class__.__name__}: {exc})") from exc
    text = "\n".join(pages).replace("\x00", "")
    if not text.strip():
        raise UnreadableFile(f"{path}: the PDF has no text layer (scanned image?)")
    return text


def _read_html(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_bytes(path.read_bytes()), "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    return "\n".join(line for line in lines if line)


def read_text(path: Path) -> str:
    path = Path(path)
    if not path.is_file():
        raise UnreadableFile(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise UnreadableFile(f"{path}: unsupported file type {suffix or '(none)'}; use {', '.join(SUPPORTED)}")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise UnreadableFile(f"{path}: {size // (1024 * 1024)} MB is larger than the {MAX_BYTES // (1024 * 1024)} MB limit")
    if suffix == ".pdf":
        text = _read_pdf(path)
    elif suffix in (".html", ".htm"):
        text = _read_html(path)
    else:
        raw = path.read_bytes()
        if raw[:5] == b"%PDF-":
            raise UnreadableFile(f"{path}: this is a PDF with a {suffix} extension; rename it to .pdf")
        text = decode_bytes(raw)
    text = re.sub(r"[ \t]+\n", "\n", text).strip()
    if not text:
        raise UnreadableFile(f"{path}: the file is empty")
    return text
