"""One searchable document per technique."""

from __future__ import annotations


from fairmend.catalog.types import Technique

_STAGE_WORDS = {
    "causal": "causal analysis of the protected attribute's effect",
    "pre_processing": "pre-processing: change the training data before fitting the model",
    "in_processing": "in-processing: train a new fair model with a fairness constraint",
    "post_processing": "post-processing: adjust the scores or decisions of an existing trained model",
    "evaluation": "evaluation: measure and audit fairness",
    "monitoring": "monitoring: watch a deployed model over time",
    "documentation": "documentation and governance",
}


def constraint_phrases(t: Technique) -> list[str]:
    """Plain-words statements of a technique's hard properties (shown in the document and in 'why')."""
    out = ["needs retraining the model" if t.needs_retraining else "no retraining: works on an existing model"]
    out.append("uses the protected attribute at decision time" if t.needs_protected_attribute_at_inference
               else "does not need the protected attribute at inference")
    if t.supports_multiple_groups:
        out.append("supports more than two groups")
    out.append("model-agnostic" if t.model_agnostic else "tied to a model family")
    return out


def technique_document(t: Technique) -> str:
    """The text embedded and indexed for ``t``: name, summary, description, criteria, stage,
    constraints, use cases, tasks and citation."""
    criteria = ", ".join(c.value.replace("_", " ") for c in t.criteria)
    tasks = ", ".join(x.value.replace("_", " ") for x in t.task_types)
    cite = t.citation
    parts = [
        t.name + ".",
        t.summary,
        t.description.strip() if t.description.strip() not in {"", "x"} else "",
        f"Fairness criteria: {criteria}.",
        f"Stage: {_STAGE_WORDS.get(t.stage.value, t.stage.value)}.",
        "Constraints: " + "; ".join(constraint_phrases(t)) + ".",
        ("Use cases: " + "; ".join(t.use_cases) + ".") if t.use_cases else "",
        f"Tasks: {tasks}." if tasks else "",
        f"Citation: {', '.join(a.split(',')[0] for a in cite.authors)} {cite.year}, {cite.title}.",
    ]
    return " ".join(p for p in parts if p)

