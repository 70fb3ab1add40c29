"""Read hard constraints from free text: clauses, negation scope, and a classifier over embeddings.

The text is split into sentences and clauses (:mod:`fairmend.recommender.clause_text`). Each clause is turned into a
feature vector (:func:`features`): its all-MiniLM-L6-v2 embedding, signed hashed words and word
pairs in which every word inside a negation's scope is marked (``can not NOT_retrain``), a few
counts (negations, permissions, restrictions), and its embedding by the same model with the upper
layers fine-tuned on the labelled clauses (:mod:`fairmend.recommender.finetune`). One multinomial
logistic regression per head (what a clause is about, per dimension, and whether it forbids or
permits; see ``data/constraint_exemplars*.yaml`` and the grammar) scores it, each reading the columns
:func:`head_columns` gives it. The models are trained at build time by
:mod:`fairmend.recommender.build` and shipped as plain arrays in ``data/reader_model.npz`` (the
fine-tuned layers as float16); nothing is pickled (:mod:`fairmend.recommender.clause_model`). Exact rules
then correct what a clause is read to say where its words settle it (:mod:`fairmend.recommender.clause_rules`,
:mod:`fairmend.recommender.clause_checks`).

Besides the regressions, the model keeps the fine-tuned embeddings of the hand-written exemplars that state
at most one thing, and their labels (a memory of how people put things; an exemplar with two labels cannot
say which part of it a clause resembles): each clause's probabilities are blended with a vote of its
:data:`KNN_K` nearest exemplars (:meth:`ClauseModel.neighbours`). A linear head smooths over the wording a
clause shares with many exemplars; the vote keeps what a handful of close paraphrases say ("if we could
retrain we would, but ..."). On the development corpora the blend raised precision by 4 to 12 points and
recall by 2 to 9 for retraining, the attribute at decision time, the stage and "no intervention".

Clauses are then combined per dimension by :mod:`fairmend.recommender.combine`: a withdrawn
statement ("we thought we couldn't retrain, but actually we can") gives way to the later one, a
concessive clause to the main one, an elliptical reversal ("it is not") flips the statement before
it, and any other disagreement is settled by confidence with only the margin kept (so a close call
is reported as uncertain, never silently resolved towards either side).

This module reads a text (:func:`read`, :func:`read_parts`) and is the reader's public face: the names of the
clause modules that other modules and tests use are re-exported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from fairmend.recommender.clause_checks import (
    described,
    failed,
    granted,
    heading,
    kept_from_decision,
    not_fed,
    routine,
    trained_only,
    unchangeable,
    writer_is_vendor,
)
from fairmend.recommender.clause_model import (
    DATA,
    DIMENSIONS,
    ENCODER_PREFIX,
    EXEMPLAR_FILES,
    EXEMPLARS_FILE,
    FEATURE_VERSION,
    GENERATOR_FILES,
    HASH_DIM,
    HEADS,
    KNN_K,
    KNN_KEEP,
    KNN_KEEP_BY_VALUE,
    KNN_TEMPERATURE,
    KNN_WEIGHT,
    MEMORY_PREFIX,
    MODEL_FILE,
    PLAIN_HEADS,
    POLAR,
    SESSION_EXEMPLARS,
    SITUATIONS_FILE,
    WRITTEN_EXEMPLAR_FILES,
    ClauseModel,
    compose,
    default_embedder,
    exemplars_digest,
    features,
    head_columns,
    head_target,
    lexical_features,
    load_model,
)
from fairmend.recommender.clause_rules import moved, ruled, scope_words, topical, unread
from fairmend.recommender.clause_text import (
    NEGATORS,
    asking,
    marked_clauses,
    marked_sentences,
    repair,
    scoped_tokens,
    split_clauses,
    split_sentences,
    without_belief_lead,
)
from fairmend.recommender.combine import Finding, combine
from fairmend.recommender.cues import names_attribute
from fairmend.recommender.negation import distribute_negation
from fairmend.recommender.statements import FLIP, STAGES

# re-exported: the reader's findings are combine's, and the clause modules' names are the reader's
__all__ = [
    "DATA",
    "DIMENSIONS",
    "ENCODER_PREFIX",
    "EXEMPLARS_FILE",
    "EXEMPLAR_FILES",
    "FEATURE_VERSION",
    "FLIP",
    "GENERATOR_FILES",
    "HASH_DIM",
    "HEADS",
    "KNN_K",
    "KNN_KEEP",
    "KNN_KEEP_BY_VALUE",
    "KNN_TEMPERATURE",
    "KNN_WEIGHT",
    "MEMORY_PREFIX",
    "MODEL_FILE",
    "NEGATORS",
    "PLAIN_HEADS",
    "POLAR",
    "SESSION_EXEMPLARS",
    "SITUATIONS_FILE",
    "WRITTEN_EXEMPLAR_FILES",
    "ClauseModel",
    "Finding",
    "asking",
    "combine",
    "compose",
    "default_embedder",
    "distribute_negation",
    "exemplars_digest",
    "features",
    "head_columns",
    "head_target",
    "lexical_features",
    "load_model",
    "marked_clauses",
    "marked_sentences",
    "repair",
    "scoped_tokens",
    "split_clauses",
    "split_sentences",
    "without_belief_lead",
]


@dataclass
class _Unit:
    text: str
    sentence: int
    probs: dict[str, np.ndarray]
    marker: str = ""  # the conjunction that introduced the clause (see marked_clauses)
    asks: str = ""  # how the clause asks rather than states (see asking)
    names_attribute: bool = False  # it names a protected attribute or a group (cues.names_attribute)

    def best(self, dim: str) -> tuple[str, float]:
        p = self.probs[dim]
        i = int(p.argmax())
        return DIMENSIONS[dim][i], float(p[i])


def _units(text: str, model: ClauseModel, embedder: Any) -> tuple[list[_Unit], list[_Unit]]:
    clauses: list[tuple[str, int, str, str]] = []
    multi: list[tuple[str, int, str, str]] = []
    sentences = marked_sentences(text)
    offered: set[int] = set()  # sentences that are questions offering alternatives
    for i, (s, question) in enumerate(sentences):
        parts = marked_clauses(s)
        asks = [asking(repair(p), j == 0, question) for j, (p, _) in enumerate(parts)]
        # a question that offers alternatives ("Should we retrain, or just move thresholds, or both?") asks
        # which kind of fix to make: none of its options, nor the whole, limits the work to one stage
        if question and asks[0] and any(re.match(r"\W*or\b", p, re.IGNORECASE) for p, _ in parts[1:]):
            offered.add(i)
        clauses += [(p, i, marker, a) for (p, marker), a in zip(parts, asks, strict=True)]
        if len(parts) > 1:  # the sentence read whole asks as its most sweeping clause does
            multi.append(
                (s, i, "", "indirect" if "indirect" in asks else "yes_no" if "yes_no" in asks else "")
            )
    texts = [repair(without_belief_lead(c)) for c, _, _, _ in clauses] + [repair(s) for s, _, _, _ in multi]
    probs = model.probabilities(model.features(texts, embedder))
    headings = {i for i, (s, _) in enumerate(sentences) if heading(s, text)}
    units = []
    for row, (t, i, marker, asks) in enumerate(clauses + multi):
        before = texts[row - 1] if 0 < row < len(clauses) and clauses[row - 1][1] == i else ""
        context = sentences[i - 1][0] if i else ""  # the sentence before, for what a clause refers back to
        p = ruled({d: probs[d][row] for d in DIMENSIONS}, texts[row], context)
        p = topical(p, texts[row], before, marker)
        p = writer_is_vendor(p, texts[row])
        p = routine(p, texts[row])
        p = scope_words(p, texts[row])
        p = described(p, texts[row])
        p = trained_only(p, texts[row])
        p = failed(p, texts[row])
        p = unchangeable(p, texts[row])
        p = granted(p, texts[row])
        p = not_fed(p, texts[row])
        p = kept_from_decision(p, t, text)
        if i in headings:
            p = unread(p, "scope")
        elif i in offered:  # each clause of the question, and the question read whole
            for stage in sorted(STAGES):
                p = moved(p, "scope", stage, "none")
        units.append(_Unit(t, i, p, marker, asks, names_attribute(texts[row].lower())))
    return units[: len(clauses)], units[len(clauses) :]


def read(
    text: str, embedder: Any = None, *, floor: float = 0.45, model: ClauseModel | None = None
) -> dict[str, Finding]:
    """Findings per dimension for ``text`` (dimensions the text does not address are absent)."""
    return read_parts(text, embedder, floor=floor, model=model)[0]


def read_parts(
    text: str, embedder: Any = None, *, floor: float = 0.45, model: ClauseModel | None = None
) -> tuple[dict[str, Finding], str]:
    """:func:`read`'s findings, and the text without the clauses that state a permission or a prohibition
    (retraining, the protected attribute): what the user wants done, for the ranking to match."""
    model = model or load_model()
    if embedder is None or embedder.name != model.model_name:
        embedder = default_embedder()  # the classifiers were trained on this model's vectors
    if not text.strip():
        return {}, text
    clauses, sentences = _units(text, model, embedder)
    goal = [u.text for u in clauses if all(u.best(d)[0] == "none" or u.best(d)[1] < floor for d in POLAR)]
    found = combine(clauses, sentences, DIMENSIONS, floor=floor)
    for dim, f in found.items():
        if not f.evidence or f.evidence in text:
            continue
        unit = next((u for u in clauses + sentences if u.text == f.evidence), None)
        if unit is not None:
            # a statement written out by distribute_negation: the user is quoted in their own words
            found[dim] = Finding(f.value, f.confidence, marked_sentences(text)[unit.sentence][0])
    return found, ". ".join(goal)
