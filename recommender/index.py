"""Dense FAISS index over technique documents, built once and cached on disk.

The cache key is a hash of the catalog content (built-ins and installed plugins, see
:func:`~fairmend.recommender.documents.catalog_fingerprint`) and of the embedding model, so adding
a plugin technique or changing the model rebuilds the index automatically. Files are written to a
temporary folder and renamed into place (atomic); nothing is pickled: vectors are ``.npy``, metadata
JSON and the index ``faiss.write_index``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fairmend.catalog.types import Technique
from fairmend.errors import MissingDependencyError
from fairmend.recommender.documents import catalog_fingerprint, technique_document
from fairmend.recommender.embedding import Embedder

INDEX_FORMAT = 1


def cache_dir() -> Path:
    """``$FAIRMEND_CACHE_DIR``, else ``$XDG_CACHE_HOME/fairmend``, else ``~/.cache/fairmend``."""
    env = os.environ.get("FAIRMEND_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fairmend"


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError("the recommender needs faiss-cpu (install fairmend[recommender])") from exc
    return faiss


def chunks(t: Technique) -> list[str]:
    """Texts embedded for one technique: the whole document, then its description on its own.

    The model reads at most 256 word pieces, so a long description gets its own vector; a technique's
    dense score is the best of its chunks.
    """
    doc = technique_document(t)
    out = [doc]
    desc = t.description.strip()
    if len(desc) > 400:
        out.append(f"{t.name}. {desc}")
    return out


@dataclass
class DenseIndex:
    """Inner-product search over L2-normalised chunk vectors; scores aggregate per technique (max)."""

    keys: list[str]
    owners: np.ndarray  # chunk row -> technique position in ``keys``
    index: Any  # faiss.IndexFlatIP
    build_seconds: float = 0.0
    from_cache: bool = False

    def scores(self, query_vec: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query to each technique (best chunk)."""
        q = np.ascontiguousarray(query_vec.reshape(1, -1).astype(np.float32))
        sims, rows = self.index.search(q, self.index.ntotal)
        out = np.full(len(self.keys), -1.0)
        for s, r in zip(sims[0], rows[0]):
            if r >= 0:
                owner = self.owners[r]
                out[owner] = max(out[owner], float(s))
        return out


def cache_key(techniques: list[Technique], embedder: Embedder) -> str:
    fp = getattr(embedder, "fingerprint", lambda: embedder.name)()
    raw = f"{INDEX_FORMAT}|{catalog_fingerprint(techniques)}|{embedder.name}|{fp}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def load_or_build(techniques: list[Technique], embedder: Embedder, *, directory: Path | None = None,
                  use_cache: bool = True) -> DenseIndex:
    """Load the cached index for this catalog and model, or build and cache it."""
    import time

    faiss = _faiss()
    key = cache_key(techniques, embedder)
    root = (directory or cache_dir()) / "recommender"
    target = root / key
    if use_cache and (target / "meta.json").exists():
        try:
            meta = json.loads((target / "meta.json").read_text())
            index = faiss.read_index(str(target / "index.faiss"))
            if meta.get("keys") == [t.key for t in techniques] and index.ntotal == len(meta["owners"]):
                return DenseIndex(meta["keys"], np.asarray(meta["owners"], dtype=np.int64), index,
                                  from_cache=True)
        except (OSError, ValueError, RuntimeError, KeyError):
            pass
        shutil.rmtree(target, ignore_errors=True)  # a corrupt or stale cache entry: rebuild it below
    start = time.perf_counter()
    texts: list[str] = []
    owners: list[int] = []
    for pos, t in enumerate(techniques):
        for text in chunks(t):
            texts.append(text)
            owners.append(pos)
    vectors = np.ascontiguousarray(embedder.encode(texts).astype(np.float32))
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    elapsed = time.perf_counter() - start
    dense = DenseIndex([t.key for t in techniques], np.asarray(owners, dtype=np.int64), index, elapsed)
    if use_cache:
        _write_atomic(target, vectors, index, {
            "format": INDEX_FORMAT, "model": embedder.name, "keys": dense.keys, "owners": owners,
            "build_seconds": elapsed,
        })
    return dense


def _write_atomic(target: Path, vectors: np.ndarray, index: Any, meta: dict[str, Any]) -> None:
    faiss = _faiss()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        np.save(tmp / "vectors.npy", vectors, allow_pickle=False)
        faiss.write_index(index, str(tmp / "index.faiss"))
        (tmp / "meta.json").write_text(json.dumps(meta))
        try:
            os.replace(tmp, target)
        except OSError:
            # another process cached the same key first (target exists and is not empty): keep theirs
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
