"""Dense index over technique documents: shipped for the built-in catalog, cached for plugins.

The vectors of the built-in catalog are computed at build time (``python -m
fairmend.recommender.build``) and shipped in ``data/catalog_index.npz``, so the first
``fairmend recommend`` on a fresh install embeds nothing. Each technique is looked up by the hash
of the texts embedded for it (:func:`chunks`) and the embedding model: a technique from an
installed plugin, or a built-in whose text changed since the build, is embedded once and its
vectors cached in ``$FAIRMEND_CACHE_DIR/recommender/<model>/<hash>.npy`` (written atomically; plain
``.npy``, nothing pickled). Scores are inner products of L2-normalised vectors (cosine similarity).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from fairmend.catalog.types import Technique
from fairmend.recommender.documents import technique_document
from fairmend.recommender.embedding import Embedder

INDEX_FORMAT = 2
SHIPPED_INDEX = Path(__file__).with_name("data") / "catalog_index.npz"


def cache_dir() -> Path:
    """``$FAIRMEND_CACHE_DIR``, else ``$XDG_CACHE_HOME/fairmend``, else ``~/.cache/fairmend``."""
    env = os.environ.get("FAIRMEND_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fairmend"


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


def chunk_hash(texts: list[str]) -> str:
    return hashlib.sha256(json.dumps([INDEX_FORMAT, texts]).encode()).hexdigest()[:24]


def model_id(embedder: Embedder) -> str:
    fp = getattr(embedder, "fingerprint", lambda: embedder.name)()
    return hashlib.sha256(f"{embedder.name}|{fp}".encode()).hexdigest()[:16]


@dataclass
class DenseIndex:
    """Chunk vectors (rows) and the technique each belongs to; scores aggregate per technique (max)."""

    keys: list[str]
    owners: np.ndarray  # chunk row -> technique position in ``keys``
    vectors: np.ndarray
    build_seconds: float = 0.0
    embedded: int = 0  # techniques embedded by this call (neither shipped nor cached)

    @property
    def from_cache(self) -> bool:
        return self.embedded == 0

    def scores(self, query_vec: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query to each technique (best chunk)."""
        sims = self.vectors @ query_vec.astype(np.float32).ravel()
        out = np.full(len(self.keys), -1.0)
        np.maximum.at(out, self.owners, sims.astype(np.float64))
        return out


def load_shipped(path: Path = SHIPPED_INDEX) -> tuple[str, dict[str, np.ndarray]]:
    """``(model id, chunk hash -> vectors)`` of the shipped built-in index (empty when absent)."""
    if not path.exists():
        return "", {}
    with np.load(path, allow_pickle=False) as z:
        hashes = [str(h) for h in z["hashes"]]
        vectors, starts = z["vectors"], z["starts"]
        table = {h: vectors[starts[i]:starts[i + 1]] for i, h in enumerate(hashes)}
        return str(z["model_id"]), table


def save_shipped(path: Path, embedder: Embedder, techniques: list[Technique]) -> tuple[int, int]:
    """Write the shippable index of ``techniques``; returns (chunks, techniques embedded anew).

    Vectors of techniques whose text did not change are taken from the existing file.
    """
    old_mid, old = load_shipped(path)
    if old_mid != model_id(embedder):
        old = {}
    hashes, blocks, fresh = [], [], 0
    for t in sorted(techniques, key=lambda t: t.key):
        texts = chunks(t)
        h = chunk_hash(texts)
        hashes.append(h)
        if h in old:
            blocks.append(old[h])
        else:
            blocks.append(embedder.encode(texts).astype(np.float32))
            fresh += 1
    starts = np.cumsum([0] + [len(b) for b in blocks]).astype(np.int64)
    np.savez_compressed(path, model_id=np.array(model_id(embedder)), hashes=np.array(hashes),
                        vectors=np.vstack(blocks), starts=starts, keys=np.array(sorted(t.key for t in techniques)))
    return int(starts[-1]), fresh


def load_or_build(techniques: list[Technique], embedder: Embedder, *, directory: Path | None = None,
                  use_cache: bool = True, progress: Callable[[str], None] | None = None,
                  shipped: Path | None = SHIPPED_INDEX) -> DenseIndex:
    """Vectors for ``techniques``: shipped ones first, then cached ones, then embed (and cache) the rest.

    ``progress`` receives one line before embedding anything (it can take seconds per technique on a
    busy machine).
    """
    start = time.perf_counter()
    mid = model_id(embedder)
    ship_mid, table = load_shipped(shipped) if shipped is not None else ("", {})
    if ship_mid != mid:
        table = {}
    root = (directory or cache_dir()) / "recommender" / mid
    blocks: list[np.ndarray | None] = []
    missing: list[int] = []
    wanted = [chunks(t) for t in techniques]
    for pos, texts in enumerate(wanted):
        h = chunk_hash(texts)
        vec = table.get(h)
        if vec is None and use_cache:
            vec = _read_cached(root / f"{h}.npy", len(texts), embedder.dim)
        blocks.append(vec)
        if vec is None:
            missing.append(pos)
    if missing and progress is not None:
        progress(f"embedding {len(missing)} technique(s) not in the shipped index "
                 f"({', '.join(techniques[p].key for p in missing[:3])}{', ...' if len(missing) > 3 else ''}); "
                 "cached for next time")
    if missing:
        flat = [text for p in missing for text in wanted[p]]
        vectors = embedder.encode(flat).astype(np.float32)
        row = 0
        for p in missing:
            block = vectors[row:row + len(wanted[p])]
            row += len(wanted[p])
            blocks[p] = block
            if use_cache:
                _write_atomic(root / f"{chunk_hash(wanted[p])}.npy", block)
    owners = np.concatenate([np.full(len(b), pos, dtype=np.int64) for pos, b in enumerate(blocks) if b is not None]) \
        if blocks else np.zeros(0, dtype=np.int64)
    matrix = np.vstack([b for b in blocks if b is not None]) if blocks else np.zeros((0, embedder.dim), np.float32)
    return DenseIndex([t.key for t in techniques], owners, np.ascontiguousarray(matrix, dtype=np.float32),
                      time.perf_counter() - start, len(missing))


def _read_cached(path: Path, rows: int, dim: int) -> np.ndarray | None:
    try:
        vec = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if vec.shape != (rows, dim) or not np.isfinite(vec).all():
        return None  # corrupt or stale: embedded again and overwritten
    return vec.astype(np.float32)


def _write_atomic(target: Path, vectors: np.ndarray) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npy", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, vectors, allow_pickle=False)
        os.replace(tmp, target)
    except OSError:
        pass  # an unwritable cache only costs the embedding next time
