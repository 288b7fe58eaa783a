"""The real Chroma index with the real embeddings: build, search, idempotent ingest, rebuild."""

import shutil

import pytest

from interviewer.knowledge.index import KnowledgeIndex, where_clause
from interviewer.settings import Settings

from .pdfs import CORRUPT_PDF, text_pdf

pytestmark = pytest.mark.slow  # the real Chroma index and embedding model


def test_builtin_index_holds_guide_and_bank(knowledge, curated):
    counts = knowledge.index.counts_by("kind")
    assert counts["question"] == len(curated.questions)
    assert counts["example"] == 26 and counts["criterion"] == 4 and counts["tip"] == 3
    assert knowledge.index.is_current()


def test_sparse_matrix_query_ranks_coding_material_first(knowledge):
    hits = knowledge.index.search("sparse matrix multiplication", k=5)
    assert hits[0].round == "coding"
    assert "sparse matrix" in hits[0].text.lower()
    assert hits[0].score >= hits[-1].score


def test_lora_query_returns_a_genai_question_first(knowledge):
    hits = knowledge.index.search("how do LoRA adapters reduce fine-tuning cost", k=3, where=where_clause(kind="question"))
    assert hits[0].round == "genai" and hits[0].kind == "question"
    assert all(h.kind == "question" for h in hits)


def test_round_filter(knowledge):
    hits = knowledge.index.search("design a system", k=5, where=where_clause(kind="question", round="behavioral"))
    assert hits and all(h.round == "behavioral" for h in hits)


def test_retrieval_quality_on_paraphrased_queries(knowledge, settings):
    from interviewer.evals.retrieval import evaluate, load_queries

    queries = load_queries(settings.evals_dir / "retrieval")
    assert len(queries) >= 40
    result = evaluate(knowledge.index, queries)
    print(f"retrieval: {result['queries']} queries, top1 {result['top1']:.1%}, top3 {result['top3']:.1%}, MRR {result['mrr']:.3f}")
    assert result["top3"] >= 0.90, result["misses"]


@pytest.fixture()
def own_index(tmp_path, settings):
    """A private index (in its own data dir) for tests that write to it; reuses the shared embeddings."""
    local = Settings(data_dir=tmp_path / "data", knowledge_dir=settings.knowledge_dir)
    index = KnowledgeIndex(local, notice=lambda msg: None)
    index.ensure()
    return index


def test_ingest_is_idempotent_and_reports_bad_files(own_index, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "extra.md").write_text("# Coding\n\nImplement a trie that supports prefix search for autocomplete.\n\n# Design\n\nDesign a photo deduplication service for an on-device library.")
    (docs / "notes.pdf").write_bytes(text_pdf(["Quantization-aware training keeps accuracy at 4 bits."]))
    (docs / "broken.pdf").write_bytes(CORRUPT_PDF)
    before = own_index.count()
    first = own_index.ingest([docs])
    assert [p.rsplit("/", 1)[-1] for p, _ in first.skipped] == ["broken.pdf"]
    assert "not a readable PDF" in first.skipped[0][1]
    assert first.added >= 3
    after = own_index.count()
    assert after == before + first.added
    second = own_index.ingest([docs])
    assert second.added == 0 and own_index.count() == after
    hit = own_index.search("prefix search trie autocomplete", k=1)[0]
    assert "trie" in hit.text and hit.metadata["file"] == "extra.md"


def test_changed_file_replaces_its_chunks(own_index, tmp_path):
    doc = tmp_path / "g.md"
    doc.write_text("# Tips\n\nAlways state the latency budget first.")
    own_index.ingest([doc])
    n = own_index.count()
    doc.write_text("# Tips\n\nAlways state the memory budget first.")
    report = own_index.ingest([doc])
    assert report.added == 1 and report.removed == 1 and own_index.count() == n
    assert "memory budget" in own_index.search("budget first", k=1)[0].text


def test_updated_yaml_reindexes_without_duplicates(tmp_path, settings):
    knowledge_copy = tmp_path / "knowledge"
    shutil.copytree(settings.knowledge_dir, knowledge_copy)
    local = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge_copy)
    index = KnowledgeIndex(local, notice=lambda msg: None)
    index.ensure()
    n = index.count()
    bank = knowledge_copy / "questions" / "genai.yaml"
    bank.write_text(bank.read_text().replace("Explain the attention mechanism in Transformers.", "Explain the attention mechanism in Transformers, step by step."))
    assert not index.is_current()
    assert index.ensure() is True
    assert index.count() == n
    hits = index.search("attention mechanism step by step positional encodings", k=1, where={"kind": "question"})
    assert "step by step" in hits[0].text


def test_corrupt_index_is_rebuilt_with_a_notice(tmp_path, settings):
    local = Settings(data_dir=tmp_path / "data", knowledge_dir=settings.knowledge_dir)
    KnowledgeIndex(local, notice=lambda m: None).ensure()
    for f in (local.index_dir / "chroma").glob("*.sqlite3"):
        f.write_bytes(b"this is not a database" * 100)
    notices = []
    index = KnowledgeIndex(local, notice=notices.append)
    index.ensure()
    assert any("rebuilding" in n for n in notices)
    assert index.count() > 200


def test_searching_a_built_index_needs_no_langchain_import(knowledge, data_dir):
    """A start that finds the index built reads it through chromadb alone: importing langchain's vector store cost
    1.2 s of every start. The search still finds the right material."""
    import subprocess
    import sys

    from .helpers import cli_env

    code = (
        "import sys, json\n"
        "from interviewer.settings import Settings\n"
        "from interviewer.knowledge.service import Knowledge\n"
        "k = Knowledge(Settings())\n"
        "hits = k.search('How does LoRA fine-tune a large model cheaply?', k=3, kind='question')\n"
        "print(json.dumps({'rounds': [h.round for h in hits], 'langchain_chroma': 'langchain_chroma' in sys.modules}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=cli_env(data_dir), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    found = __import__("json").loads(out.stdout.strip().splitlines()[-1])
    assert found["langchain_chroma"] is False
    assert found["rounds"][0] == "genai"


def test_curated_vectors_reach_the_disk_in_the_background(tmp_path, settings, knowledge):
    """A curated text met for the first time is encoded once: written by a background thread (not on the answer
    path), and read back by the next process instead of being encoded again."""
    from interviewer.knowledge.service import Knowledge

    fresh = Settings(data_dir=tmp_path, knowledge_dir=settings.knowledge_dir)
    first = Knowledge(fresh, index=knowledge.index, ensure_index=False)
    text = "A curated sentence no other test encodes, about gradient clipping."
    vector = first.embed_known([text])
    first.settle()
    import numpy as np

    (saved,) = (tmp_path / "vectors").glob("curated-*.npz")  # DATA_DIR/vectors/curated-<model>.npz, as documented
    with np.load(saved) as data:
        stored = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
    assert abs(float(stored[text] @ vector[0]) - 1.0) < 1e-5


def test_an_answer_is_encoded_before_a_background_batch_finishes(knowledge):
    """The encoder is shared: a question's curated texts encoded in the background step aside between small batches,
    so an answer graded meanwhile does not wait for the whole batch (it waited 0.5-0.6 s in the browser test)."""
    import threading

    from interviewer.knowledge.embeddings import background

    embeddings = knowledge.embeddings
    embeddings.embed_documents(["warm the encoder up"])
    texts = [f"curated sentence number {i} about gradient clipping and learning rate warmup" for i in range(600)]
    started, order = threading.Event(), []

    def batch():
        started.set()
        embeddings.embed_documents(texts)
        order.append("background")

    thread = background(batch, "test-background-batch")
    started.wait()
    embeddings.embed_documents(["I would clip the gradient norm at one.", "Then a short warmup for the learning rate."])
    order.append("answer")
    thread.join()
    assert order == ["answer", "background"]
