"""The Chroma index of guides and curated questions, behind a small interface.

Chunks are upserted with content-hash ids, so ingesting the same file twice adds
nothing, and a changed file replaces its old chunks. A manifest beside the
collection records what the built-in knowledge looked like when it was indexed, so
the index rebuilds itself when it is missing, stale or corrupt.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import interviewer.offline  # noqa: F401
from interviewer.knowledge.bank import CuratedKnowledge
from interviewer.knowledge.chunking import Chunk, chunk_file_text
from interviewer.knowledge.loaders import UnreadableFile, read_text
from interviewer.knowledge.questions_index import question_chunks
from interviewer.netguard import ServerUnavailable
from interviewer.settings import Settings

INDEX_FORMAT = 1  # bump when chunking or metadata changes, to force a rebuild
BUILTIN_SOURCE = "builtin"


@dataclass
class Hit:
    id: str
    text: str
    section: str
    round: str
    kind: str
    score: float
    metadata: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"id": self.id, "text": self.text, "section": self.section, "round": self.round, "kind": self.kind, "score": round(self.score, 4)}


@dataclass
class IngestReport:
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def _digest(paths: Iterable[Path], extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


class KnowledgeIndex:
    """A persistent Chroma collection of chunks, searched by meaning."""

    def __init__(self, settings: Settings, notice: Callable[[str], None] | None = None):
        self.settings = settings
        self.dir = settings.index_dir
        self.manifest_path = self.dir / "manifest.json"
        self.notice = notice or (lambda msg: print(msg, file=sys.stderr))
        self._client = None
        self._collection = None
        self._store = None

    # -- opening ---------------------------------------------------------------
    # Reading goes through chromadb alone; the langchain vector store over the same client is opened only to write.
    # Measured on this machine (idle): importing langchain_chroma costs 1.2 s on top of chromadb's 0.9 s, on the
    # path to the first question of every start that finds the index built.
    def _open_collection(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.dir.mkdir(parents=True, exist_ok=True)  # the manifest stays local, in http mode too
        if self.settings.chroma_mode == "http":
            self._client = _http_client(self.settings)
        else:
            self._client = chromadb.PersistentClient(path=str(self.dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True))
        # embedding_function=None, as the langchain store opens it: vectors always come from our own embeddings
        return self._client.get_or_create_collection(self.settings.collection, embedding_function=None, metadata={"hnsw:space": "cosine"})

    @property
    def collection(self):
        if self._collection is None:
            try:
                self._collection = self._open_collection()
                self._collection.count()
            except IndexServerError:
                raise  # a server that is down or refused is not repaired by deleting local files
            except Exception as exc:  # a corrupt sqlite file or an index from an incompatible version
                self.notice(f"The index at {self.dir} could not be opened ({exc.__class__.__name__}); rebuilding it from the built-in knowledge.")
                self._collection = self._client = None
                _forget_clients()
                shutil.rmtree(self.dir / "chroma", ignore_errors=True)
                self.manifest_path.unlink(missing_ok=True)
                self._collection = self._open_collection()
        return self._collection

    @property
    def client(self):
        """The chromadb client the collection was opened with."""
        self.collection  # noqa: B018  (opens it)
        return self._client

    @property
    def store(self):
        """The langchain vector store over the same client and collection: documents are written through it."""
        if self._store is None:
            from langchain_chroma import Chroma

            from interviewer.knowledge.embeddings import load_embeddings

            self._store = Chroma(
                collection_name=self.settings.collection,
                embedding_function=load_embeddings(self.settings.resolved_embedding_path()),
                client=self.client,
                collection_metadata={"hnsw:space": "cosine"},
            )
        return self._store

    def count(self) -> int:
        return self.collection.count()

    def counts_by(self, key: str) -> dict[str, int]:
        metas = self.collection.get(include=["metadatas"])["metadatas"] or []
        out: dict[str, int] = {}
        for m in metas:
            out[m.get(key, "?")] = out.get(m.get(key, "?"), 0) + 1
        return dict(sorted(out.items()))

    # -- manifest --------------------------------------------------------------
    def _manifest(self) -> dict:
        try:
            return json.loads(self.manifest_path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def _save_manifest(self, manifest: dict) -> None:
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=2))
        tmp.replace(self.manifest_path)

    def _builtin_digest(self) -> str:
        curated = CuratedKnowledge(self.settings.knowledge_dir)
        return _digest(curated.files(), f"{INDEX_FORMAT}:{self.settings.resolved_embedding_path().name}")

    def is_current(self) -> bool:
        return self._manifest().get("builtin") == self._builtin_digest() and self.count() > 0

    def ensure(self) -> bool:
        """Build or refresh the built-in knowledge when missing or stale; True when it (re)built."""
        if self.is_current():
            return False
        self.notice(f"Building the knowledge index in {self.dir} (first use or knowledge changed)...")
        self.ingest_builtin()
        return True

    # -- writing ---------------------------------------------------------------
    def _upsert_source(self, source: str, chunks: list[Chunk], report: IngestReport) -> None:
        """Make the collection hold exactly `chunks` for `source`: add new ids, drop vanished ones."""
        from langchain_core.documents import Document

        unique = {c.id: c for c in chunks}
        existing = set(self.collection.get(where={"source": source}, include=[])["ids"])
        new = [c for cid, c in unique.items() if cid not in existing]
        stale = sorted(existing - set(unique))
        if stale:
            self.collection.delete(ids=stale)
        batch = max(1, min(256, self.client.get_max_batch_size()))
        for start in range(0, len(new), batch):
            part = new[start : start + batch]
            self.store.add_documents([Document(page_content=c.text, metadata=c.metadata) for c in part], ids=[c.id for c in part])
        report.added += len(new)
        report.unchanged += len(unique) - len(new)
        report.removed += len(stale)

    def ingest_builtin(self) -> IngestReport:
        report = IngestReport()
        curated = CuratedKnowledge(self.settings.knowledge_dir)
        chunks: list[Chunk] = []
        for guide in sorted((self.settings.knowledge_dir / "guides").glob("*")):
            if guide.is_file():
                chunks += [self._tag_builtin(c) for c in chunk_file_text(read_text(guide), guide)]
                report.files.append(str(guide))
        chunks += question_chunks(curated.questions.values(), BUILTIN_SOURCE)
        self._upsert_source(BUILTIN_SOURCE, chunks, report)
        manifest = self._manifest()
        manifest["builtin"] = self._builtin_digest()
        self._save_manifest(manifest)
        return report

    @staticmethod
    def _tag_builtin(chunk: Chunk) -> Chunk:
        # built-in guide chunks are grouped under one source so a knowledge update replaces them whole
        return Chunk(chunk.text, {**chunk.metadata, "source": BUILTIN_SOURCE, "file": chunk.metadata["source"]})

    def ingest(self, paths: list[Path], rebuild: bool = False, progress: Callable[[Iterable], Iterable] | None = None) -> IngestReport:
        if rebuild:
            self.reset()
        self.ensure()
        report = IngestReport()
        files = _expand(paths, report)
        manifest = self._manifest()
        sources = manifest.setdefault("sources", {})
        for path in (progress or (lambda x: x))(files):
            try:
                chunks = chunk_file_text(read_text(path), path)
            except UnreadableFile as exc:
                report.skipped.append((str(path), str(exc)))
                continue
            source = f"file:{path.resolve()}"
            for c in chunks:
                c.metadata.update({"source": source, "file": path.name})
            self._upsert_source(source, chunks, report)
            sources[source] = {"path": str(path.resolve()), "chunks": len({c.id for c in chunks})}
            report.files.append(str(path))
        self._save_manifest(manifest)
        return report

    def reset(self) -> None:
        if self.settings.chroma_mode == "http":
            self.client.delete_collection(self.settings.collection)
        self._collection = self._client = self._store = None
        _forget_clients()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- reading ---------------------------------------------------------------
    def search(self, query: str, k: int = 5, where: dict | None = None) -> list[Hit]:
        from interviewer.knowledge.embeddings import load_embeddings

        vector = load_embeddings(self.settings.resolved_embedding_path()).embed_query(query)
        found = self.collection.query(query_embeddings=[vector], n_results=k, where=where or None, include=["documents", "metadatas", "distances"])
        hits = []
        for hit_id, text, m, distance in zip(found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0], strict=True):
            m = m or {}
            hits.append(Hit(hit_id, text or "", m.get("section", ""), m.get("round", ""), m.get("kind", ""), 1.0 - float(distance), dict(m)))
        return hits


class IndexServerError(ServerUnavailable):
    """The Chroma server could not be used; the message names the address and the fix."""


def _http_client(settings: Settings):
    """A client for the Chroma server in settings, refused when it is beyond this machine and private networks."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from interviewer.netguard import CHROMA_DATA, RemoteEndpointRefused, check_host

    try:
        check_host(settings.chroma_host, "Chroma server", settings.allow_remote_chroma, "INTERVIEWER_ALLOW_REMOTE_CHROMA=1", leaves=CHROMA_DATA)
    except RemoteEndpointRefused as exc:
        raise IndexServerError(str(exc)) from exc
    headers = {}
    if settings.chroma_auth_header:
        name, sep, value = settings.chroma_auth_header.get_secret_value().partition(":")
        if not sep or not name.strip() or not value.strip():
            raise IndexServerError("INTERVIEWER_CHROMA_AUTH_HEADER must look like 'Header-Name: value', e.g. 'Authorization: Bearer TOKEN'")
        headers[name.strip()] = value.strip()
    address = f"{'https' if settings.chroma_ssl else 'http'}://{settings.chroma_host}:{settings.chroma_port}"
    try:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, ssl=settings.chroma_ssl, headers=headers, settings=ChromaSettings(anonymized_telemetry=False)
        )
    except Exception as exc:  # connection refused, bad auth, incompatible server version
        raise IndexServerError(
            f"could not use the Chroma server at {address} ({exc.__class__.__name__}: {exc}); start it (`chroma run --path DIR --host "
            f"{settings.chroma_host} --port {settings.chroma_port}`) or fix INTERVIEWER_CHROMA_HOST / INTERVIEWER_CHROMA_PORT"
        ) from exc


def _forget_clients() -> None:
    """Chroma caches one client per path; after deleting the files it must open them afresh."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def where_clause(**equals: str | None) -> dict | None:
    """Chroma's filter syntax: one key as-is, several under $and."""
    terms = [{k: v} for k, v in equals.items() if v]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else {"$and": terms}


def _expand(paths: list[Path], report: IngestReport) -> list[Path]:
    from interviewer.knowledge.loaders import SUPPORTED

    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED)
        elif p.exists():
            files.append(p)
        else:
            report.skipped.append((str(p), f"{p}: no such file or folder"))
    return files
