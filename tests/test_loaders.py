"""Reading guide files: encodings, NUL bytes, PDF and HTML, and clear errors for bad files."""

import pytest

from interviewer.knowledge.loaders import UnreadableFile, read_text

from .pdfs import CORRUPT_PDF, image_only_pdf, text_pdf


def test_utf8_latin1_and_nul_bytes(tmp_path):
    good = tmp_path / "a.txt"
    good.write_bytes("Caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u2014 attention\x00 heads".encode("utf-8"))
    assert read_text(good) == "Caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u2014 attention heads"
    latin = tmp_path / "b.md"
    latin.write_bytes("# Guide\n\nLe mod\u00e8le appris: r\u00e9gression logistique et r\u00e9seau de neurones, tr\u00e8s utilis\u00e9.".encode("latin-1"))
    assert "mod\u00e8le" in read_text(latin) and "r\u00e9gression" in read_text(latin)


def test_pdf_text_is_extracted(tmp_path):
    pdf = tmp_path / "guide.pdf"
    pdf.write_bytes(text_pdf(["1. Coding", "Implement a trie for autocomplete."]))
    assert "Implement a trie for autocomplete." in read_text(pdf)


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("broken.pdf", CORRUPT_PDF, "not a readable PDF"),
        ("scan.pdf", image_only_pdf(), "no text layer"),
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\n \x00 ", "empty"),
        ("really-a-pdf.txt", text_pdf(["x"]), "rename it to .pdf"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_files_get_a_clear_message(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnreadableFile, match=message) as err:
        read_text(path)
    assert name in str(err.value)


def test_html_drops_scripts_and_styles(tmp_path):
    page = tmp_path / "g.html"
    page.write_text("<html><head><style>p{}</style><script>alert(1)</script></head><body><h1>Design</h1><p>Design a ranking system.</p></body></html>")
    text = read_text(page)
    assert "Design a ranking system." in text and "alert" not in text and "p{}" not in text
