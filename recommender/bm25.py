"""Okapi BM25 (Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework: BM25 and Beyond")."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

_TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    "a an and are as at be but by can do does for from has have how i in into is it its my of on or our "
    "so that the their them then there these they this to was we what when which while who will with "
    "without you your us me need want should would could any all some".split()
)


def tokenize(text: str) -> list[str]:
    """Lower-case alphanumeric tokens without stop words, with a light plural strip."""
    out = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in STOPWORDS:
            continue
        if len(tok) > 4 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.append(tok)
    return out


class BM25:
    """BM25 scores of a query against a fixed corpus.

    Parameters
    ----------
    k1, b : float
        Term-frequency saturation and length normalisation (defaults from Robertson & Zaragoza 2009).
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b

    def fit(self, documents: list[str]) -> BM25:
        docs = [Counter(tokenize(d)) for d in documents]
        self.vocab_ = {term: i for i, term in enumerate(sorted({t for d in docs for t in d}))}
        tf = np.zeros((len(docs), len(self.vocab_)), dtype=np.float64)
        for row, counts in enumerate(docs):
            for term, c in counts.items():
                tf[row, self.vocab_[term]] = c
        lengths = tf.sum(axis=1)
        avg = lengths.mean() if len(docs) else 0.0
        df = (tf > 0).sum(axis=0)
        n = len(docs)
        self.idf_ = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        denom = tf + self.k1 * (1.0 - self.b + self.b * lengths[:, None] / max(avg, 1e-9))
        self.weights_ = tf * (self.k1 + 1.0) / np.where(denom > 0, denom, 1.0) * self.idf_
        return self

    def scores(self, query: str) -> np.ndarray:
        """One score per document (0 where no query term occurs)."""
        cols = [self.vocab_[t] for t in set(tokenize(query)) if t in self.vocab_]
        if not cols:
            return np.zeros(self.weights_.shape[0])
        return self.weights_[:, cols].sum(axis=1)
