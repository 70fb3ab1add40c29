"""Recommend fairness techniques for a situation described in words (and optionally a dataset).

>>> from fairmend.recommender import Recommender
>>> result = Recommender().recommend("loan model, cannot retrain, equal opportunity")  # doctest: +SKIP

Pipeline: :func:`parse_text` (constraints from the text) -> :func:`merge_flags` (explicit flags win)
-> optional :func:`audit_data` / :func:`apply_audit` -> hard filter
(:func:`~fairmend.recommender.fit.hard_violations`) -> hybrid ranking: dense similarity
(all-MiniLM-L6-v2 in a cached FAISS index), BM25 and metadata fit.
"""

from fairmend.recommender.audit import apply_audit, audit_data
from fairmend.recommender.constraints import Constraints, merge_flags
from fairmend.recommender.embedding import HashingEmbedder, MiniLMEmbedder
from fairmend.recommender.parse import parse_text
from fairmend.recommender.ranker import Recommendation, RecommendationResult, Recommender

__all__ = ["Constraints", "HashingEmbedder", "MiniLMEmbedder", "Recommendation", "RecommendationResult",
           "Recommender", "apply_audit", "audit_data", "merge_flags", "parse_text"]
