"""The situation probe: which techniques experts accept for situations like this one.

A linear model per technique over the MiniLM vector of the whole situation text, trained at build time on
the labelled situations' ``acceptable`` lists (:data:`TRAINING_FILES`) and shipped as plain arrays
(``data/situation_probe.npz``, read with ``allow_pickle=False``). At run time it costs one matrix product
on the query vector the ranker already computes.

Why: the description-matching parts of the ranker (dense, lexical, metadata) see one technique at a time;
the kind prior (:func:`~fairmend.recommender.ranker.kind_prior`) sees five coarse kinds of situation. The
probe sees the whole situation: a sealed vendor model with a complaint about approvals calls for a
threshold method, a question whether a feature proxies for race calls for proxy detection, even when the
user's words share nothing with those techniques' descriptions. Trained on one development corpus less at a
time and measured on that corpus (different writers), it raised hit@3 by 0.025-0.03 pooled over C in
1-10 and weight 0.3-0.8 (see ``benchmarks/bench_recommend.py --probe-cv``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

PROBE_FILE = Path(__file__).with_name("data") / "situation_probe.npz"
_REPO = Path(__file__).resolve().parents[1]
# What the probe trains on (build time only; the files are in the source tree, not the wheel): the labelled
# training situations and the development corpora, once held out and measured three times or more. The
# held-out corpora (tests/recommender/quality.py HELD_OUT) are never listed here; a test checks both.
TRAINING_FILES = (
    _REPO / "recommender" / "data" / "situations_r3.yaml",
    *(
        _REPO / "tests" / "recommender" / name
        for name in (
            "validation.yaml",
            "validation2.yaml",
            "validation3.yaml",
            "validation4.yaml",
            "validation5.yaml",
            "validation6.yaml",
            "validation7.yaml",
            "validation8.yaml",
            "validation9.yaml",
            "validation10.yaml",
            "validation11.yaml",
            "validation12.yaml",
            "validation13.yaml",
            "validation14.yaml",
            "validation15.yaml",
            "validation16.yaml",
            "validation17.yaml",
            "validation18.yaml",
            "validation19.yaml",
            "validation20.yaml",
            "validation21.yaml",
            "validation22.yaml",
            "validation23.yaml",
            "validation24.yaml",
            "validation25.yaml",
            "validation26.yaml",
            "validation27.yaml",
        )
    ),
)
# Inverse regularisation of each technique's logistic regression (1-10 gave the same cross-corpus gain).
C = 3.0
# A technique accepted in fewer labelled situations than this gets no model (its probe score is 0).
MIN_POSITIVES = 3


def load_situations(paths: tuple[Path, ...] = TRAINING_FILES) -> list[tuple[str, list[str], str]]:
    """``(text, acceptable keys, file name)`` of every labelled situation with an ``acceptable`` list."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out = []
    for path in paths:
        for item in (yaml.load(path.read_text(), Loader=loader) or {}).get("items") or []:
            if item.get("acceptable"):
                out.append((str(item["text"]), [str(k) for k in item["acceptable"]], path.name))
    return out


def training_digest(situations: list[tuple[str, list[str], str]], embedder_id: str) -> str:
    """Hash of what the probe was trained on and with (texts, labels, embedding model, settings)."""
    blob = json.dumps([situations, embedder_id, C, MIN_POSITIVES], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass
class SituationProbe:
    """Per technique key, a logistic regression over the situation's embedding."""

    keys: list[str]
    weights: np.ndarray  # (techniques, dim)
    bias: np.ndarray  # (techniques,)
    digest: str = ""
    model: str = ""  # index.model_id of the embedder whose vectors it reads; other vectors get no probe

    def probabilities(self, vector: np.ndarray) -> dict[str, float]:
        """Probability that an expert accepts each modelled technique for the situation ``vector``."""
        z = self.weights @ np.asarray(vector, dtype=np.float32).ravel() + self.bias
        p = 1.0 / (1.0 + np.exp(-z))
        return dict(zip(self.keys, p.tolist(), strict=True))

    def save(self, path: Path = PROBE_FILE) -> None:
        import io

        from fairmend.io import write_atomic

        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            keys=np.array(self.keys),
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
            digest=np.array(self.digest),
            model=np.array(self.model),
        )
        write_atomic(path, buf.getvalue())


def train(
    situations: list[tuple[str, list[str], str]], vectors: np.ndarray, digest: str = "", model: str = ""
) -> SituationProbe:
    """Fit one regression per technique accepted in at least :data:`MIN_POSITIVES` situations."""
    from sklearn.linear_model import LogisticRegression

    keys = sorted({k for _, acc, _ in situations for k in acc})
    rows_w, rows_b, kept = [], [], []
    for key in keys:
        y = np.array([key in acc for _, acc, _ in situations])
        if y.sum() < MIN_POSITIVES:
            continue
        clf = LogisticRegression(C=C, max_iter=2000).fit(vectors, y)
        rows_w.append(clf.coef_[0])
        rows_b.append(clf.intercept_[0])
        kept.append(key)
    weights = np.array(rows_w, dtype=np.float32).reshape(len(kept), vectors.shape[1])
    return SituationProbe(kept, weights, np.array(rows_b, dtype=np.float32), digest, model)


def build(embedder: Any, paths: tuple[Path, ...] = TRAINING_FILES) -> SituationProbe:
    """Train the probe on ``paths`` with ``embedder`` (build time)."""
    from fairmend.recommender.index import model_id

    situations = load_situations(paths)
    vectors = np.asarray(embedder.encode([t for t, _, _ in situations]), dtype=np.float32)
    mid = model_id(embedder)
    return train(situations, vectors, training_digest(situations, mid), mid)


def load(path: Path = PROBE_FILE) -> SituationProbe | None:
    """The shipped probe, or None when the file is absent."""
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as z:
        return SituationProbe(
            [str(k) for k in z["keys"]], z["weights"], z["bias"], str(z["digest"]), str(z["model"])
        )


@lru_cache(maxsize=1)
def shipped() -> SituationProbe | None:
    return load()


def stale(embedder_id: str) -> list[str]:
    """Reasons the shipped probe is out of date; nothing to check when the training files are absent (an
    installed wheel)."""
    if not all(p.exists() for p in TRAINING_FILES):
        return []
    try:
        probe = load()
    except (OSError, ValueError, KeyError) as exc:
        return [f"{PROBE_FILE.name}: {exc}"]
    if probe is None:
        return [f"{PROBE_FILE.name} is missing"]
    if probe.digest != training_digest(load_situations(), embedder_id):
        return [f"{PROBE_FILE.name} was trained on other situations, labels or settings"]
    return []
