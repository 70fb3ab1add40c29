"""Build the recommender's shipped data: ``python -m fairmend.recommender.build [--check]``.

Writes, next to this module,

- ``data/reader_model.npz``: the constraint reader's per-dimension softmax regressions, trained on
  ``data/constraint_exemplars.yaml`` (see :mod:`fairmend.recommender.reader`);
- ``data/catalog_index.npz``: the dense vectors of the built-in catalog (see
  :mod:`fairmend.recommender.index`).

``--check`` rebuilds nothing and exits 1 when either file is stale (the tests run the same check).
Run it after editing the exemplars, a built-in technique's text, or the embedding model.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np
import yaml
from fairmend.recommender import reader
from fairmend.recommender.index import SHIPPED_INDEX, chunk_hash, chunks, load_shipped, model_id, save_shipped

from fairmend.errors import MissingDependencyError

# Inverse regularisation strength of the reader's regressions (chosen by cross-validation on the
# exemplars alone; see ``cross_validate``).
C = 16.0
CLASS_WEIGHT: str | None = "balanced"


def load_exemplars() -> list[tuple[str, dict[str, str]]]:
    """``(clause, {dimension: value})`` for every labelled exemplar."""
    raw = yaml.safe_load(reader.EXEMPLARS_FILE.read_text())
    out: list[tuple[str, dict[str, str]]] = []
    for dim in reader.DIMENSIONS:
        for value, texts in raw[dim].items():
            if value not in reader.DIMENSIONS[dim]:
                raise ValueError(f"unknown {dim} value {value!r} in {reader.EXEMPLARS_FILE}")
            out += [(t, {dim: value}) for t in texts]
    out += [(t, {}) for t in raw["none"]]
    for item in raw["multi"]:
        labels = {k: v for k, v in item.items() if k != "text"}
        for dim, value in labels.items():
            if value not in reader.DIMENSIONS.get(dim, ()):
                raise ValueError(f"unknown {dim} value {value!r} in {reader.EXEMPLARS_FILE}")
        out.append((item["text"], labels))
    return out


def _targets(labels: list[dict[str, str]], head: str) -> tuple[np.ndarray, np.ndarray]:
    """Class indices of ``head`` and the mask of exemplars that train it."""
    names = reader.HEADS[head]
    raw = [reader.head_target(head, lab) for lab in labels]
    mask = np.array([v is not None for v in raw])
    return np.array([names.index(v) if v is not None else -1 for v in raw]), mask


def fit(x: np.ndarray, labels: list[dict[str, str]], c: float = C) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per head, (labels x features) weights and biases of a multinomial logistic regression."""
    from sklearn.linear_model import LogisticRegression

    weights, bias = {}, {}
    for head, names in reader.HEADS.items():
        y, mask = _targets(labels, head)
        model = LogisticRegression(C=c, max_iter=5000, class_weight=CLASS_WEIGHT).fit(x[mask], y[mask])
        w = np.zeros((len(names), x.shape[1]), dtype=np.float32)
        b = np.full(len(names), -1e4, dtype=np.float32)  # a value with no exemplar is never predicted
        binary = len(model.classes_) == 2  # sklearn keeps one row: logits (0, w.x + b) give the same softmax
        w[model.classes_] = np.vstack([np.zeros_like(model.coef_), model.coef_]) if binary else model.coef_
        b[model.classes_] = [0.0, model.intercept_[0]] if binary else model.intercept_
        weights[head], bias[head] = w, b
    return weights, bias


def dimension_targets(labels: list[dict[str, str]], dim: str) -> np.ndarray:
    names = reader.DIMENSIONS[dim]
    return np.array([names.index(lab.get(dim, "none")) for lab in labels])


def cross_validate(x: np.ndarray, labels: list[dict[str, str]], c: float = C, folds: int = 5
                   ) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities per dimension (``folds``-fold cross-validation over the exemplars)."""
    rng = np.random.default_rng(0)
    order = rng.permutation(len(labels))
    out = {dim: np.zeros((len(labels), len(names))) for dim, names in reader.DIMENSIONS.items()}
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        w, b = fit(x[train], [labels[i] for i in train], c)
        probs = reader.ClauseModel(w, b, "", "").probabilities(x[test])
        for dim in reader.DIMENSIONS:
            out[dim][test] = probs[dim]
    return out


def cv_report(x: np.ndarray, labels: list[dict[str, str]], c: float = C) -> dict[str, dict[str, float]]:
    """Cross-validated precision and recall of the stated (non-"none") values, per dimension and threshold."""
    probs = cross_validate(x, labels, c)
    report = {}
    for dim, p in probs.items():
        y = dimension_targets(labels, dim)
        pred, conf = p.argmax(axis=1), p.max(axis=1)
        for floor in (0.45, 0.6, 0.7):
            fire = (pred != 0) & (conf >= floor)
            tp = int(((pred == y) & fire).sum())
            report[f"{dim}@{floor}"] = {"precision": round(tp / max(int(fire.sum()), 1), 3),
                                       "recall": round(tp / max(int((y != 0).sum()), 1), 3)}
    return report


def builtin_techniques() -> list[Any]:
    from fairmend.plugins import get_catalog

    return [t for t in get_catalog() if t.plugin.startswith("fairmend.plugins.builtin")]


def stale() -> list[str]:
    """Reasons the shipped files are out of date (empty when both are fresh)."""
    from fairmend.recommender.embedding import MiniLMEmbedder

    out = []
    try:
        model = reader.load_model()
        if model.digest != reader.exemplars_digest():
            out.append(f"{reader.MODEL_FILE.name} was trained on other exemplars or features")
    except (OSError, ValueError, KeyError, MissingDependencyError) as exc:  # unreadable: stale
        out.append(f"{reader.MODEL_FILE.name}: {exc}")
    mid, table = load_shipped()
    if mid != model_id(MiniLMEmbedder()):
        out.append(f"{SHIPPED_INDEX.name} was built with another embedding model")
    missing = [t.key for t in builtin_techniques() if chunk_hash(chunks(t)) not in table]
    if missing:
        out.append(f"{SHIPPED_INDEX.name} lacks the current text of {len(missing)} technique(s): {missing[:5]}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fairmend.recommender.build", description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="Only report whether the shipped files are stale.")
    ap.add_argument("--cv", action="store_true", help="Also print cross-validated precision and recall.")
    ap.add_argument("--only", choices=("reader", "index"), help="Rebuild only one of the two files.")
    args = ap.parse_args(argv)
    if args.check:
        reasons = stale()
        for r in reasons:
            print(f"stale: {r}", file=sys.stderr)
        return 1 if reasons else 0
    from fairmend.recommender.embedding import MiniLMEmbedder

    embedder = MiniLMEmbedder()
    if args.only in (None, "reader"):
        items = load_exemplars()
        x = reader.features([t for t, _ in items], embedder)
        labels = [lab for _, lab in items]
        if args.cv:
            for key, value in cv_report(x, labels).items():
                print(f"cross-validated {key}: {value}")
        weights, bias = fit(x, labels)
        reader.ClauseModel(weights, bias, reader.exemplars_digest(), embedder.name).save(reader.MODEL_FILE)
        print(f"wrote {reader.MODEL_FILE} ({len(items)} exemplars)")
    if args.only in (None, "index"):
        n, fresh = save_shipped(SHIPPED_INDEX, embedder, builtin_techniques())
        print(f"wrote {SHIPPED_INDEX} ({n} chunks; {fresh} technique(s) embedded anew)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
