"""Explanations, trade-offs and the exact ``fairmend run`` command of a recommendation."""

from __future__ import annotations

import shlex

from fairmend.catalog.types import RuntimeClass, Stage, Technique
from fairmend.recommender.documents import constraint_phrases
from fairmend.recommender.fit import group_blind

_RUNTIME = {
    RuntimeClass.FAST: "fast (one pass or one extra fit)",
    RuntimeClass.MODERATE: "moderate (repeated fits or an optimisation; minutes)",
    RuntimeClass.SLOW: "slow (neural/adversarial training, LP or search)",
}


def trade_offs(t: Technique) -> list[str]:
    """Expected accuracy cost, runtime and data needs of ``t``."""
    out = []
    cost = t.expected_accuracy_cost
    if cost is not None:
        src = f" ({cost.source})" if cost.source else ""
        out.append(f"expected accuracy cost {cost.low:.1%} to {cost.high:.1%}{src}")
    elif t.stage in {Stage.PRE_PROCESSING, Stage.IN_PROCESSING, Stage.POST_PROCESSING}:
        out.append("expected accuracy cost not reported; measure it with fairmend run")
    else:
        out.append("no accuracy cost: it analyses or documents, it does not change the model")
    out.append("runtime: " + _RUNTIME[t.runtime_class])
    needs = []
    if t.needs_protected_attribute_for_fit:
        needs.append("the protected attribute for fitting/auditing")
    if t.needs_protected_attribute_at_inference:
        needs.append("the protected attribute at decision time")
    if t.needs_retraining:
        needs.append("labelled training data to retrain the model")
    if t.stage == Stage.POST_PROCESSING:
        needs.append("held-out scores of the existing model with labels")
    if not t.supports_multiple_groups:
        needs.append("a binary protected attribute (two groups)")
    if needs:
        out.append("data needs: " + "; ".join(needs))
    if group_blind(t):
        out.append(
            "group-blind: it uses no group membership, so on its own it does not close a gap between groups"
        )
    return out


# What a hard constraint that excludes the group-aware interventions asks of the user, in words.
_SETTLE = {
    "protected_available": "the protected attribute is not collected (obtain it for fitting or auditing only, "
    "or estimate group membership by proxy)",
    "retraining_allowed": "retraining is not allowed",
    "protected_at_inference_allowed": "the protected attribute may not be used at decision time",
    "stages": "the stage you limited the work to",
    "task": "the task",
    "multi_group": "more than two groups",
    "max_accuracy_loss": "the accuracy budget",
}


def group_blind_caveat(
    shown: list[Technique], aware_eligible: list[str], aware_excluded_by: dict[str, int]
) -> str:
    """A note for a ranking whose top interventions (``shown``) are all group-blind: they cannot close a gap
    on their own. ``aware_eligible``: the group-aware interventions that satisfy the constraints, best first;
    ``aware_excluded_by``: per constraint, how many group-aware interventions it excludes."""
    keys = ", ".join(t.key for t in shown)
    text = (
        f"None of the top interventions ({keys}) uses group membership: each changes every score the same "
        "way, so on its own it cannot close a gap between groups."
    )
    if aware_eligible:
        return (
            text
            + " Group-aware interventions that keep your constraints rank lower: "
            + ", ".join(aware_eligible[:3])
            + "."
        )
    ranked = sorted(aware_excluded_by.items(), key=lambda kv: -kv[1])
    settle = "; ".join(_SETTLE.get(name, name) for name, _ in ranked[:2])
    return (
        text
        + f" Every group-aware intervention is excluded by a hard constraint: {settle}. Measure the gap first, "
        f"or settle {'that constraint' if len(ranked) == 1 else 'one of them'} to close it."
    )


def run_command(t: Technique, *, data: str | None = None, protected: list[str] | None = None,
                outcome: str | None = None) -> str:
    """The exact command that applies ``t``; non-executable techniques get a comment saying so."""
    args = ["fairmend", "run", t.key, "--data", data or "DATA.csv",
            "--protected", ",".join(protected) if protected else "PROTECTED",
            "--outcome", outcome or "OUTCOME"]
    cmd = " ".join(shlex.quote(a) for a in args)
    if not t.executable:
        return f"# not executable in fairmend yet (catalogued only); see the citation: {cmd}"
    return cmd


def why(
    t: Technique, fits: list[str], dense: float, lexical: float, prior: float = 0.0, situations: float = 0.0
) -> str:
    """One paragraph: the summary, then the reasons it matches the query and constraints (``prior``: the
    ranker's expert prior, :func:`fairmend.recommender.ranker.technique_prior`; ``situations``: the situation
    probe's probability, :mod:`fairmend.recommender.probe`)."""
    reasons = list(dict.fromkeys(fits))
    if lexical > 0.5:
        reasons.append("shares key words with your request")
    elif dense > 0.5:
        reasons.append("is close in meaning to your request")
    if situations >= 0.5:
        reasons.append("is what experts accepted in labelled situations much like yours")
    elif prior >= 0.75:
        reasons.append("is a standard remedy that experts often accept in situations like yours")
    props = "; ".join(constraint_phrases(t))
    text = t.summary.rstrip(".") + "."
    if reasons:
        text += " Fits because it " + "; it ".join(reasons) + "."
    return text + f" ({props}.)"
