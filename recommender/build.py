"""Build the recommender's shipped data: ``python -m fairmend.recommender.build [--check]``.

Writes, next to this module,

- ``data/reader_model.npz``: the constraint reader's model, trained on the hand-written
  ``data/constraint_exemplars.yaml`` and the clauses of the seeded grammar in
  :mod:`fairmend.recommender.generate`: the embedding model's fine-tuned upper layers (see
  :mod:`fairmend.recommender.finetune`) and the per-head softmax regressions over their embeddings and
  the lexical features (see :mod:`fairmend.recommender.reader`);
- ``data/catalog_index.npz``: the dense vectors of the built-in catalog (see
  :mod:`fairmend.recommender.index`);
- ``data/situation_probe.npz``: the situation probe, trained on the labelled situations and the
  development corpora (see :mod:`fairmend.recommender.probe`);
- ``data/binding_model.npz``: the second reading that may doubt a prohibition, trained on the contrastive
  pairs and the development corpora over the reader's features (see :mod:`fairmend.recommender.binding`;
  rebuild it after the reader).

``--check`` rebuilds nothing and exits 1 when any file is stale (the tests run the same check).
Run it after editing the exemplars, a built-in technique's text, a labelled situation, or the embedding
model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from fairmend.recommender import binding, probe, reader
from fairmend.recommender.index import SHIPPED_INDEX, chunk_hash, chunks, load_shipped, model_id, save_shipped

from fairmend.errors import MissingDependencyError

# Inverse regularisation strength of the reader's regressions (chosen by cross-validation on the
# training data with whole templates held out, ``build --cv``: C = 4, 16 and 64 within about a point).
C = 16.0
CLASS_WEIGHT: str | None = "balanced"


def load_exemplars(paths: tuple[Path, ...] = reader.EXEMPLAR_FILES) -> list[tuple[str, dict[str, str]]]:
    """``(clause, {dimension: value})`` for every labelled exemplar of the exemplar files ``paths`` (all of
    them by default)."""
    out: list[tuple[str, dict[str, str]]] = []
    for path in paths:
        raw = yaml.safe_load(path.read_text())
        for dim in reader.DIMENSIONS:
            for value, texts in (raw.get(dim) or {}).items():
                if value not in reader.DIMENSIONS[dim]:
                    raise ValueError(f"unknown {dim} value {value!r} in {path}")
                out += [(t, {dim: value}) for t in texts]
        out += [(t, {}) for t in raw.get("none") or []]
        for item in raw.get("multi") or []:
            labels = {k: v for k, v in item.items() if k != "text"}
            for dim, value in labels.items():
                if value not in reader.DIMENSIONS.get(dim, ()):
                    raise ValueError(f"unknown {dim} value {value!r} in {path}")
            out.append((item["text"], labels))
        bad = [t for t, _ in out if not isinstance(t, str)]
        if bad:  # an unquoted "key: value" clause parses as a mapping
            raise ValueError(f"exemplar {bad[0]!r} in {path} is not a string (quote it)")
    return out


def load_training() -> tuple[list[str], list[dict[str, str]], list[str]]:
    """Texts, labels and groups of everything the reader trains on: the hand-written exemplars (group
    ``hand``) and the generated clauses (group: their template's name)."""
    from fairmend.recommender.generate import generate

    hand = load_exemplars()
    gen = generate()
    texts = [t for t, _ in hand] + [t for t, _, _ in gen]
    labels = [lab for _, lab in hand] + [lab for _, lab, _ in gen]
    return texts, labels, ["hand"] * len(hand) + [g for _, _, g in gen]


def _targets(labels: list[dict[str, str]], head: str) -> tuple[np.ndarray, np.ndarray]:
    """Class indices of ``head`` and the mask of exemplars that train it."""
    names = reader.HEADS[head]
    raw = [reader.head_target(head, lab) for lab in labels]
    mask = np.array([v is not None for v in raw])
    return np.array([names.index(v) if v is not None else -1 for v in raw]), mask


def fit(
    x: np.ndarray, labels: list[dict[str, str]], dim: int, c: float = C
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per head, (labels x features) weights and biases of a multinomial logistic regression over the
    columns the head reads (:func:`~fairmend.recommender.reader.head_columns`; ``dim``: embedding size)."""
    from sklearn.linear_model import LogisticRegression

    weights, bias = {}, {}
    for head, names in reader.HEADS.items():
        y, mask = _targets(labels, head)
        cols = reader.head_columns(head, dim, x.shape[1])
        model = LogisticRegression(C=c, max_iter=5000, class_weight=CLASS_WEIGHT).fit(
            x[mask][:, cols], y[mask]
        )
        w = np.zeros((len(names), x.shape[1]), dtype=np.float32)  # zero on the columns the head does not read
        b = np.full(len(names), -1e4, dtype=np.float32)  # a value with no exemplar is never predicted
        binary = len(model.classes_) == 2  # sklearn keeps one row: logits (0, w.x + b) give the same softmax
        coef = np.vstack([np.zeros_like(model.coef_), model.coef_]) if binary else model.coef_
        w[np.ix_(model.classes_, np.arange(x.shape[1])[cols])] = coef
        b[model.classes_] = [0.0, model.intercept_[0]] if binary else model.intercept_
        weights[head], bias[head] = w, b
    return weights, bias


def dimension_targets(labels: list[dict[str, str]], dim: str) -> np.ndarray:
    names = reader.DIMENSIONS[dim]
    return np.array([names.index(lab.get(dim, "none")) for lab in labels])


def grouped_folds(groups: list[str], folds: int = 5) -> np.ndarray:
    """Fold of every item: a generated clause goes with all of its template (whole templates are held
    out), a hand-written exemplar to a random fold."""
    names = sorted({g for g in groups if g != "hand"})
    order = {g: i for i, g in enumerate(np.random.default_rng(0).permutation(names))}
    hand = np.random.default_rng(1).integers(0, folds, len(groups))
    return np.array([hand[i] if g == "hand" else order[g] % folds for i, g in enumerate(groups)])


def head_targets(labels: list[dict[str, str]]) -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    """What fine-tuning trains each head on: ``(class index, mask, number of classes)``."""
    out = {}
    for head, names in reader.HEADS.items():
        y, mask = _targets(labels, head)
        out[head] = (np.where(mask, y, 0), mask, len(names))
    return out


def train(
    texts: list[str],
    labels: list[dict[str, str]],
    embedder: Any,
    *,
    tune: bool = True,
    groups: list[str] | None = None,
    c: float = C,
) -> reader.ClauseModel:
    """The reader's model trained on ``texts``: the embedding model's upper layers fine-tuned on them (unless
    ``tune`` is false), then the heads' logistic regressions fitted on the resulting features.

    With ``groups`` the regressions are cross-fitted: each clause's fine-tuned embedding comes from layers
    tuned on the other folds (whole templates held out, :func:`grouped_folds`), so the regressions learn
    how far to trust embeddings of clauses the layers never saw, which is what they get at run time.
    Fitted on the embeddings of the very clauses the layers were tuned on, they trust them blindly
    (probability 1 for "we want individual fairness" -> in-processing). Five more fine-tunings (minutes)."""
    texts = [reader.repair(t) for t in texts]  # as the reader sees them at run time
    encoder: dict[str, np.ndarray] = {}
    if tune:
        from fairmend.recommender.finetune import finetune

        encoder = finetune(embedder, texts, head_targets(labels))
    plain = reader.ClauseModel({}, {}, reader.exemplars_digest(), embedder.name, encoder)
    x = plain.features(texts, embedder)
    # the memory: the embeddings of the hand-written exemplars that state at most one thing, as the run-time
    # model makes them (of all such clauses when no groups are given), taken before cross-fitting replaces
    # the tuned columns
    hand = np.array([g == "hand" for g in groups]) if groups is not None else np.ones(len(texts), dtype=bool)
    hand &= np.array([sum(v != "none" for v in lab.values()) <= 1 for lab in labels])
    memory = (x[hand, x.shape[1] - embedder.dim :] if encoder else x[hand, : embedder.dim]).astype(np.float16)
    kept = [lab for lab, h in zip(labels, hand, strict=True) if h]
    memory_labels = {dim: dimension_targets(kept, dim).astype(np.int8) for dim in reader.DIMENSIONS}
    if tune and groups is not None:
        fold = grouped_folds(groups)
        for k in range(int(fold.max()) + 1):
            held, rest = np.flatnonzero(fold == k), np.flatnonzero(fold != k)
            tuned_k = finetune(embedder, [texts[i] for i in rest], head_targets([labels[i] for i in rest]))
            fold_model = reader.ClauseModel({}, {}, f"{plain.digest}-fold{k}", embedder.name, tuned_k)
            x[held, x.shape[1] - embedder.dim :] = fold_model.tuned(embedder).encode([texts[i] for i in held])
    weights, bias = fit(x, labels, embedder.dim, c)
    return reader.ClauseModel(weights, bias, plain.digest, embedder.name, encoder, memory, memory_labels)


def grouped_cv_report(
    texts: list[str],
    labels: list[dict[str, str]],
    groups: list[str],
    embedder: Any,
    *,
    tune: bool = True,
    folds: int = 5,
    floor: float = 0.45,
) -> dict[str, dict[str, float]]:
    """Precision and recall of the stated values per dimension, out of fold with whole templates held out,
    reported separately on the hand-written exemplars and on the generated clauses. Each fold fine-tunes
    and fits anew on the other folds only (minutes), without the cross-fitting of the shipped model (that
    would take five fine-tunings per fold)."""
    fold = grouped_folds(groups, folds)
    probs = {dim: np.zeros((len(labels), len(names))) for dim, names in reader.DIMENSIONS.items()}
    for k in range(folds):
        test, train_rows = np.flatnonzero(fold == k), np.flatnonzero(fold != k)
        model = train([texts[i] for i in train_rows], [labels[i] for i in train_rows], embedder, tune=tune)
        x = model.features([texts[i] for i in test], embedder)
        p = model.probabilities(x)
        for dim in reader.DIMENSIONS:
            probs[dim][test] = p[dim]
    is_hand = np.array([g == "hand" for g in groups])
    report = {}
    for part, mask in (("hand", is_hand), ("generated", ~is_hand)):
        for dim, p in probs.items():
            y = dimension_targets(labels, dim)[mask]
            pred, conf = p[mask].argmax(axis=1), p[mask].max(axis=1)
            fire = (pred != 0) & (conf >= floor)
            tp = int(((pred == y) & fire).sum())
            report[f"{part} {dim}"] = {
                "precision": round(tp / max(int(fire.sum()), 1), 3),
                "recall": round(tp / max(int((y != 0).sum()), 1), 3),
            }
    return report


def builtin_techniques() -> list[Any]:
    from fairmend.plugins import get_catalog
    from fairmend.recommender.ranker import BUILTIN_PLUGIN

    return [t for t in get_catalog() if t.plugin.startswith(BUILTIN_PLUGIN)]


def stale() -> list[str]:
    """Reasons the shipped files are out of date (empty when all are fresh)."""
    from fairmend.recommender.embedding import MiniLMEmbedder

    out = []
    try:
        model = reader.load_model()
        if model.digest != reader.exemplars_digest():
            out.append(f"{reader.MODEL_FILE.name} was trained on other exemplars, grammar or features")
    except (OSError, ValueError, KeyError, MissingDependencyError) as exc:  # unreadable: stale
        out.append(f"{reader.MODEL_FILE.name}: {exc}")
    mid, table = load_shipped()
    if mid != model_id(MiniLMEmbedder()):
        out.append(f"{SHIPPED_INDEX.name} was built with another embedding model")
    missing = [t.key for t in builtin_techniques() if chunk_hash(chunks(t)) not in table]
    if missing:
        out.append(
            f"{SHIPPED_INDEX.name} lacks the current text of {len(missing)} technique(s): {missing[:5]}"
        )
    out += probe.stale(model_id(MiniLMEmbedder()))
    out += binding.stale()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m fairmend.recommender.build", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--check", action="store_true", help="Only report whether the shipped files are stale.")
    ap.add_argument(
        "--cv",
        action="store_true",
        help="Also print cross-validated precision and recall (fine-tunes 5 times).",
    )
    ap.add_argument(
        "--only", choices=("reader", "index", "probe", "binding"), help="Rebuild only one of the files."
    )
    args = ap.parse_args(argv)
    if args.check:
        reasons = stale()
        for r in reasons:
            print(f"stale: {r}", file=sys.stderr)
        return 1 if reasons else 0
    from fairmend.recommender.embedding import MiniLMEmbedder

    embedder = MiniLMEmbedder()
    if args.only in (None, "reader"):
        texts, labels, groups = load_training()
        if args.cv:
            for key, value in grouped_cv_report(texts, labels, groups, embedder).items():
                print(f"cross-validated (templates held out) {key}: {value}", flush=True)
        train(texts, labels, embedder, groups=groups).save(reader.MODEL_FILE)
        n_hand = groups.count("hand")
        print(f"wrote {reader.MODEL_FILE} ({n_hand} exemplars, {len(texts) - n_hand} generated clauses)")
    if args.only in (None, "index"):
        n, fresh = save_shipped(SHIPPED_INDEX, embedder, builtin_techniques())
        print(f"wrote {SHIPPED_INDEX} ({n} chunks; {fresh} technique(s) embedded anew)")
    if args.only in (None, "probe"):
        model = probe.build(embedder)
        model.save(probe.PROBE_FILE)
        print(f"wrote {probe.PROBE_FILE} ({len(model.keys)} techniques modelled)")
    if args.only in (None, "binding"):  # after the reader: it reads the reader's features
        from functools import partial

        from fairmend.recommender.parse import parse_text

        checker, rows = binding.build(partial(parse_text, verify=False), embedder)
        checker.save(binding.BINDING_FILE)
        wrong = sum(not r[3] for r in rows)
        print(f"wrote {binding.BINDING_FILE} ({len(rows)} prohibitions read, {wrong} not binding)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
