"""hit@3 and hard-constraint violations of the recommender on the labelled queries (queries.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from fairmend.catalog.types import Technique

QUERIES = Path(__file__).with_name("queries.yaml")


def load_queries() -> list[dict[str, Any]]:
    return yaml.safe_load(QUERIES.read_text())["queries"]


def breaks(t: Technique, hard: dict[str, Any]) -> list[str]:
    """Hard constraints (as labelled, independent of the parser) that technique ``t`` breaks."""
    out = []
    if hard.get("retraining") is False and t.needs_retraining:
        out.append("retraining")
    if hard.get("protected_at_inference") is False and t.needs_protected_attribute_at_inference:
        out.append("protected_at_inference")
    if hard.get("protected_available") is False and t.needs_protected_attribute_for_fit:
        out.append("protected_available")
    if "stages" in hard and t.stage.value not in hard["stages"]:
        out.append("stages")
    if "task" in hard and t.stage.value in {"pre_processing", "in_processing", "post_processing"} and \
            hard["task"] not in {x.value for x in t.task_types}:
        out.append("task")
    if hard.get("multi_group") and not t.supports_multiple_groups:
        out.append("multi_group")
    return out


def evaluate(recommender: Any) -> dict[str, Any]:
    hits, violations, misses = 0, [], []
    queries = load_queries()
    for q in queries:
        res = recommender.recommend(q["text"], top=5)
        keys = [r.technique.key for r in res.recommendations]
        if set(keys[:3]) & set(q["acceptable"]):
            hits += 1
        else:
            misses.append((q["text"], keys[:3]))
        for r in res.recommendations:
            for b in breaks(r.technique, q.get("hard") or {}):
                violations.append((q["text"], r.technique.key, b))
    return {"n": len(queries), "hit_at_3": hits / len(queries), "violations": violations, "misses": misses}
