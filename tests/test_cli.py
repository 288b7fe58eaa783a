"""The `interviewer` command as a user runs it: a real process, the real index and the real default model."""

import json

import pytest

from .helpers import run_cli
from .pdfs import CORRUPT_PDF
from .scripted import STRONG


def test_help_lists_the_commands(data_dir):
    out = run_cli(["--help"], data_dir)
    assert out.returncode == 0
    for command in ("ingest", "search", "chat", "serve", "eval", "doctor"):
        assert f"  {command}" in out.stdout


@pytest.mark.slow
def test_doctor_passes_offline(data_dir):
    out = run_cli(["doctor", "--json"], data_dir)
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] and {c["name"] for c in report["checks"]} == {"model", "embeddings", "knowledge", "index", "phrasing"}
    assert report["offline"]["HF_HUB_OFFLINE"] == "1" and report["offline"]["ANONYMIZED_TELEMETRY"] == "False"


@pytest.mark.slow
def test_doctor_names_a_missing_model(data_dir, tmp_path):
    out = run_cli(["--model", str(tmp_path / "nope.gguf"), "doctor"], data_dir)
    assert out.returncode == 1
    assert "nope.gguf" in out.stdout and "--model" in out.stdout


@pytest.mark.slow
def test_search_json_ranks_coding_first(data_dir):
    out = run_cli(["search", "sparse matrix multiplication", "--json"], data_dir)
    hits = json.loads(out.stdout)
    assert hits[0]["round"] == "coding"
    assert set(hits[0]) == {"id", "text", "section", "round", "kind", "score"}
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


@pytest.mark.slow
def test_search_lora_question(data_dir):
    out = run_cli(["search", "how do LoRA adapters reduce fine-tuning cost", "--kind", "question", "--json"], data_dir)
    assert json.loads(out.stdout)[0]["round"] == "genai"


@pytest.mark.slow
def test_chat_with_scripted_answers_prints_the_transcript(data_dir, tmp_path):
    answers = tmp_path / "answers.txt"
    answers.write_text("\n---\n".join(STRONG[:3]), encoding="utf-8")
    out = run_cli(["chat", "--round", "ml-fundamentals", "--answers", str(answers), "--json"], data_dir)
    assert out.returncode == 0, out.stderr
    transcript = json.loads(out.stdout)
    assert {"session_id", "round", "track", "model", "turns", "scorecard"} <= set(transcript)
    assert transcript["model"].startswith("SmolLM2")
    candidate = [t for t in transcript["turns"] if t["role"] == "candidate"]
    assert len(candidate) == 3
    for t in transcript["turns"]:
        assert set(t) >= {"role", "kind", "text", "sources", "ttft_ms", "total_ms"}
        if t["role"] == "interviewer" and t["kind"] in ("question", "followup"):
            assert t["sources"], t
    assert len(transcript["scorecard"]["criteria"]) == 4


@pytest.mark.slow
def test_ingest_twice_and_a_corrupt_pdf(data_dir, tmp_path):
    docs = tmp_path / "guides"
    docs.mkdir()
    (docs / "extra.txt").write_text("Design a federated keyboard model that never uploads raw keystrokes.")
    (docs / "broken.pdf").write_bytes(CORRUPT_PDF)
    own = tmp_path / "data"
    first = run_cli(["--data-dir", str(own), "ingest", str(docs)], data_dir)
    assert first.returncode == 0, first.stderr
    assert "broken.pdf" in first.stderr and "not a readable PDF" in first.stderr
    second = run_cli(["--data-dir", str(own), "ingest", str(docs)], data_dir)
    count = lambda out: int(out.stdout.split("index holds ")[1].split()[0])  # noqa: E731
    assert "0 chunks added" in second.stdout and count(first) == count(second)
