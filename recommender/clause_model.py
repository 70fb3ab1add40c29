"""The reader's clause model: features of a clause and the classifiers that read them.

:func:`features` turns a clause into its all-MiniLM-L6-v2 embedding, signed hashed words and word pairs with
the words inside a negation's scope marked, a few counts, and its embedding by the same model with the upper
layers fine-tuned on the labelled clauses. :class:`ClauseModel` holds one logistic regression per head (what a
clause is about, per dimension, and whether it forbids or permits; :data:`HEADS`, composed by
:func:`compose`) and a memory of the hand-written exemplars whose vote is blended in. Trained at build time by
:mod:`fairmend.recommender.build`, shipped as plain arrays in ``data/reader_model.npz``; nothing is pickled.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from fairmend.recommender.clause_text import DENIED, NEGATORS, PERMISSION, RESTRICT, scoped_tokens
from fairmend.recommender.statements import FLIP, normalise

from fairmend.errors import MissingDependencyError

DATA = Path(__file__).with_name("data")
MODEL_FILE = DATA / "reader_model.npz"
EXEMPLARS_FILE = DATA / "constraint_exemplars.yaml"
# every hand-written set of labelled clauses (constraint_exemplars.yaml and its later companions)
EXEMPLAR_FILES = tuple(sorted(DATA.glob("constraint_exemplars*.yaml")))
# of them, the clauses of the development corpora labelled one by one by annotating sessions (they repeat those
# corpora's clauses by design); the others are written for training and repeat no corpus
SESSION_EXEMPLARS = DATA / "constraint_exemplars_sessions.yaml"
WRITTEN_EXEMPLAR_FILES = tuple(p for p in EXEMPLAR_FILES if p != SESSION_EXEMPLARS)
# the compositional clauses (see fairmend.recommender.generate): its grammar and the code that expands it
GENERATOR_FILES = (DATA / "clause_grammar.yaml", Path(__file__).with_name("generate.py"))
SITUATIONS_FILE = DATA / "situations.yaml"  # whole labelled texts for tuning the combining (training data)
FEATURE_VERSION = 5  # 4: the embedding model's upper layers fine-tuned on the clauses; 5: exemplar memory
# The vote of the nearest hand-written exemplars (cosine similarity of the fine-tuned embeddings): how many,
# how sharply closer ones count (softmax temperature over similarities) and its share of the blend. Chosen
# on the development corpora (validation.yaml, validation3.yaml, situations_r3.yaml); held-out ones unseen.
KNN_K = 10
KNN_TEMPERATURE = 0.05
KNN_WEIGHT = 0.5
# A reading the heads are this sure of keeps its probability against the vote: a clause that states two
# constraints ("we cannot retrain and the law forbids using age") is near exemplars about either one, and
# their vote would otherwise water down the one they do not mention; a clause whose meaning comes from its
# context ("the data and the model are frozen; we can publish an analysis") is near exemplars without it.
# 0.85 until the eighteenth round; since the reader also trains on the development corpora's session-labelled
# clauses, its heads are sure of readings their nearest exemplars contradict ("we can set our own cut-offs" ->
# may retrain). Chosen across corpora: a model trained on half of the development corpora's clause labels read
# the other half's 1,034 texts with 211 errors at 0.85, 194 at 0.95 (precision up for every type) and 191 when
# the heads never prevail (task and stage recall down); the held-out corpora were not read.
KNN_KEEP = 0.95
# Values with a threshold of their own. "No intervention" had 0.8 until the eighteenth round, to keep the sure
# reading of "we can publish an analysis" (after "the data and the model are frozen"); a rule reads that pair now
# (cues.FORBIDS_CHANGE, cues.ASKS_TO_MEASURE), and on the half-split above 0.95 for it too gained 7 texts and
# lost 3 (no-intervention precision 0.856 -> 0.889, recall 0.869 -> 0.862), so none is kept apart.
KNN_KEEP_BY_VALUE: dict[tuple[str, str], float] = {}
MEMORY_PREFIX = "memory::"
ENCODER_PREFIX = "encoder::"
HASH_DIM = 1024
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "retraining": ("none", "forbidden", "allowed"),
    "inference": ("none", "forbidden", "allowed", "not_collected"),
    "scope": (
        "none",
        "pre_processing",
        "in_processing",
        "post_processing",
        "no_intervention",
        "causal",
        "monitoring",
        "documentation",
    ),
    "task": ("none", "regression", "ranking", "clustering", "multiclass_classification"),
}
# The classifiers ("heads"). Whether a clause restricts or permits is learned once, from the clauses
# of both polar dimensions pooled ("polarity"); what it is about is learned per dimension.
POLAR = ("retraining", "inference")
# The heads that read the plain embedding rather than the fine-tuned one. Out of fold (build --cv, whole
# templates held out) the fine-tuned columns scored as well or better for every head, but with the
# regressions fitted on the very clauses the layers were tuned on, two heads came out overconfident in
# ways that break hard constraints: polarity read "we are not permitted to retrain it" as a permission
# (the word "permitted" outweighed the negation, which the lexical features and the plain embedding
# keep), and scope read any wish for fairness ("we want individual fairness") as in-processing, at
# probability 1. What a clause is about (retraining, the protected attribute, the task) reads the tuned
# columns.
PLAIN_HEADS = ("polarity", "scope")
HEADS: dict[str, tuple[str, ...]] = {
    "retraining": ("none", "about"),
    "inference": ("none", "use", "not_collected"),
    "polarity": ("forbidden", "allowed"),
    "scope": DIMENSIONS["scope"],
    "task": DIMENSIONS["task"],
}


def head_target(head: str, labels: dict[str, str]) -> str | None:
    """The label of one exemplar for ``head`` (``None``: the exemplar does not train that head)."""
    if head == "polarity":
        values = {labels[d] for d in POLAR if labels.get(d) in FLIP}
        return values.pop() if len(values) == 1 else None
    value = labels.get(head, "none")
    if head == "retraining" and value in FLIP:
        return "about"
    if head == "inference" and value in FLIP:
        return "use"
    return value


def compose(heads: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Probabilities of every dimension's values from the heads' probabilities."""
    pol = heads["polarity"]
    r, i = heads["retraining"], heads["inference"]
    return {
        "retraining": np.column_stack([r[:, 0], r[:, 1] * pol[:, 0], r[:, 1] * pol[:, 1]]),
        "inference": np.column_stack([i[:, 0], i[:, 1] * pol[:, 0], i[:, 1] * pol[:, 1], i[:, 2]]),
        "scope": heads["scope"],
        "task": heads["task"],
    }


def _bucket(feature: str) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    return int.from_bytes(digest[:4], "little") % HASH_DIM, (1.0 if digest[4] & 1 else -1.0)


def lexical_features(text: str) -> np.ndarray:
    """Hashed unigrams and bigrams of the scoped tokens (L2-normalised), then 4 indicators: negations,
    permissions (not counting negated ones), restrictions ("only") and negated permissions."""
    toks = scoped_tokens(text)
    vec = np.zeros(HASH_DIM + 4, dtype=np.float32)
    for feat in toks + [a + " " + b for a, b in pairwise(toks)]:
        idx, sign = _bucket(feat)
        vec[idx] += sign
    norm = float(np.linalg.norm(vec[:HASH_DIM]))
    if norm > 0:
        vec[:HASH_DIM] /= norm
    t = normalise(text)
    # a negated permission ("can not", "not allowed", "no retraining is possible") is no permission
    permits = [tok for tok in scoped_tokens(DENIED.sub(" ", t)) if PERMISSION.fullmatch(tok)]
    vec[HASH_DIM] = min(len(NEGATORS.findall(t)), 2) / 2
    vec[HASH_DIM + 1] = 1.0 if permits else 0.0
    vec[HASH_DIM + 2] = 1.0 if RESTRICT.search(t) else 0.0
    vec[HASH_DIM + 3] = 1.0 if DENIED.search(t) else 0.0
    return vec


def features(texts: list[str], embedder: Any, tuned: Any = None) -> np.ndarray:
    """Rows of [MiniLM embedding | lexical features] for ``texts``, followed by the embedding of the
    fine-tuned model ``tuned`` when one is given (see :data:`PLAIN_HEADS`)."""
    width = embedder.dim + HASH_DIM + 4 + (tuned.dim if tuned is not None else 0)
    if not texts:
        return np.zeros((0, width), dtype=np.float32)
    lexical = np.stack([lexical_features(t) for t in texts])
    if tuned is None:
        return np.hstack([embedder.encode(texts), lexical]).astype(np.float32)
    plain, tuned_dense = embedder.encode_both(texts, tuned)  # the shared lower layers run once
    return np.hstack([plain, lexical, tuned_dense]).astype(np.float32)


def head_columns(head: str, dim: int, width: int) -> slice:
    """The feature columns ``head`` reads: with a fine-tuned embedding (``width`` holds two embeddings),
    the heads in :data:`PLAIN_HEADS` read the plain embedding and the lexical features, the others the
    lexical features and the fine-tuned embedding; without one, every head reads all columns."""
    if width == dim + HASH_DIM + 4:
        return slice(0, width)
    return slice(0, dim + HASH_DIM + 4) if head in PLAIN_HEADS else slice(dim, width)


def exemplars_digest() -> str:
    """sha256 of the exemplar files, the clause grammar and its generator, the feature version, the heads
    that read the plain embedding, the fine-tuning settings and the rule that selects the memory: the shipped
    model must carry the same. The vote's run-time settings (``KNN_*``) change no shipped array, so they are
    not part of it."""
    from fairmend.recommender import finetune as ft

    blob = b"".join(p.read_bytes() for p in EXEMPLAR_FILES + GENERATOR_FILES)
    settings = (
        FEATURE_VERSION,
        HASH_DIM,
        PLAIN_HEADS,
        ft.LAYERS,
        ft.EPOCHS,
        ft.BATCH,
        ft.LR_LAYERS,
        ft.LR_HEADS,
        ft.SEED,
        "memory: single-label exemplars",
    )
    return hashlib.sha256(blob + f"|{settings}".encode()).hexdigest()


@dataclass(frozen=True)
class ClauseModel:
    """One softmax regression per head: ``weights[head]`` (labels x features), ``bias[head]``; ``encoder``
    holds the fine-tuned upper layers of the embedding model whose vectors the regressions read (weight
    name -> float16 array; see :mod:`fairmend.recommender.finetune`), empty for the plain model.
    ``memory`` holds the embeddings of the hand-written exemplars (rows, float16) and ``memory_labels`` their
    value index per dimension (see :meth:`neighbours`); without them the regressions decide alone."""

    weights: dict[str, np.ndarray]
    bias: dict[str, np.ndarray]
    digest: str
    model_name: str
    encoder: dict[str, np.ndarray] = field(default_factory=dict)
    memory: np.ndarray | None = None
    memory_labels: dict[str, np.ndarray] = field(default_factory=dict)

    def tuned(self, base: Any) -> Any:
        """``base`` (the plain MiniLM embedder) with this model's fine-tuned layers in place (``None``
        when the model has none)."""
        return _clause_embedder(base, self) if self.encoder else None

    def features(self, texts: list[str], base: Any) -> np.ndarray:
        """The feature rows this model reads for ``texts`` (``base``: the plain MiniLM embedder)."""
        return features(texts, base, self.tuned(base))

    def head_probabilities(self, x: np.ndarray) -> dict[str, np.ndarray]:
        out = {}
        for head in HEADS:
            logits = x @ self.weights[head].T + self.bias[head]
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            out[head] = p / p.sum(axis=1, keepdims=True)
        return out

    def probabilities(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Per dimension, (rows x values) probabilities in the order of :data:`DIMENSIONS`: the heads'
        composed, blended with the exemplars' vote when the model has a memory."""
        out = compose(self.head_probabilities(x))
        if self.memory is None or not len(self.memory) or not len(x):
            return out
        near = self.neighbours(x)
        blended = {}
        for dim, p in out.items():
            b = (1 - KNN_WEIGHT) * p + KNN_WEIGHT * near[dim]
            # a sure reading of the heads keeps its probability (see KNN_KEEP)
            keep = np.array([KNN_KEEP_BY_VALUE.get((dim, v), KNN_KEEP) for v in DIMENSIONS[dim][1:]])
            b[:, 1:] = np.maximum(b[:, 1:], np.where(p[:, 1:] >= keep, p[:, 1:], 0.0))
            b[:, 0] = np.clip(1.0 - b[:, 1:].sum(axis=1), 0.0, None)
            blended[dim] = b / b.sum(axis=1, keepdims=True)
        return blended

    def embedding_columns(self, x: np.ndarray) -> np.ndarray:
        """The embedding the memory is searched with: the fine-tuned one when there is one (the last
        columns of the features), else the plain one (the first)."""
        dim = self.memory.shape[1] if self.memory is not None else 0
        return x[:, x.shape[1] - dim :] if self.encoder else x[:, :dim]

    def neighbours(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Per dimension, the vote of each row's :data:`KNN_K` most similar exemplars, each weighted by
        ``exp((similarity - best) / KNN_TEMPERATURE)``: (rows x values), rows summing to one."""
        assert self.memory is not None
        sims = self.embedding_columns(x).astype(np.float32) @ self.memory.astype(np.float32).T
        k = min(KNN_K, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        near = np.take_along_axis(sims, top, axis=1)
        w = np.exp((near - near.max(axis=1, keepdims=True)) / KNN_TEMPERATURE)
        w /= w.sum(axis=1, keepdims=True)
        out = {}
        for dim, values in DIMENSIONS.items():
            votes = np.zeros((len(x), len(values)))
            np.add.at(votes, (np.arange(len(x))[:, None], self.memory_labels[dim][top]), w)
            out[dim] = votes
        return out

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = {"digest": np.array(self.digest), "model_name": np.array(self.model_name)}
        for dim in HEADS:
            arrays[f"{dim}__w"] = self.weights[dim].astype(np.float32)
            arrays[f"{dim}__b"] = self.bias[dim].astype(np.float32)
        for name, value in self.encoder.items():
            arrays[ENCODER_PREFIX + name] = value.astype(np.float16)
        if self.memory is not None:
            arrays[MEMORY_PREFIX + "embeddings"] = self.memory.astype(np.float16)
            for dim, idx in self.memory_labels.items():
                arrays[MEMORY_PREFIX + dim] = idx.astype(np.int8)
        np.savez_compressed(path, **arrays)


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_FILE) -> ClauseModel:
    if not path.exists():
        raise MissingDependencyError(
            f"the constraint reader's model {path} is missing; build it with "
            "`python -m fairmend.recommender.build`"
        )
    with np.load(path, allow_pickle=False) as z:
        return ClauseModel(
            {h: z[f"{h}__w"] for h in HEADS},
            {h: z[f"{h}__b"] for h in HEADS},
            str(z["digest"]),
            str(z["model_name"]),
            {k[len(ENCODER_PREFIX) :]: z[k] for k in z.files if k.startswith(ENCODER_PREFIX)},
            z[MEMORY_PREFIX + "embeddings"] if MEMORY_PREFIX + "embeddings" in z.files else None,
            {d: z[MEMORY_PREFIX + d] for d in DIMENSIONS if MEMORY_PREFIX + d in z.files},
        )


_EMBEDDERS: dict[tuple[int, str], Any] = {}


def _clause_embedder(base: Any, model: ClauseModel) -> Any:
    key = (id(base), model.digest)
    if key not in _EMBEDDERS:
        _EMBEDDERS.clear()  # one reader model at a time: keep only the latest copy of the weights
        _EMBEDDERS[key] = base.with_weights(model.encoder, f"{base.name}+reader-{model.digest[:12]}")
    return _EMBEDDERS[key]


@lru_cache(maxsize=1)
def default_embedder() -> Any:
    from fairmend.recommender.embedding import MiniLMEmbedder

    return MiniLMEmbedder()
