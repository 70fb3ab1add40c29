"""Read a :class:`~fairmend.recommender.constraints.Constraints` from a practitioner's text.

Hard constraints that people phrase in endless ways (may the model be retrained, may the protected
attribute be used at decision time, which stage of work is possible, which task) are read by
:mod:`fairmend.recommender.reader` (clauses, negation scope, classifiers over MiniLM embeddings
trained on labelled exemplars). Regular expressions are kept only where they are exact: numbers
(the accuracy budget, the data size), named criteria, named stages, named tasks and model families,
and the domain (whose legal default on the protected attribute yields to anything the text says).
"""

from __future__ import annotations

import re
from typing import Any

from fairmend.catalog.types import Stage
from fairmend.recommender.budget import accuracy_budget
from fairmend.recommender.constraints import (
    NON_INTERVENTION_STAGES,
    Constraints,
)
from fairmend.recommender.cues import (
    DESCRIBED,
    asks_for_fix,
    asks_for_no_fix,
    asks_to_measure,
    forbids_change,
    means_gone,
    scoped,
    usable_at_decision,
    withdrawn_scope,
)
from fairmend.recommender.frozen import freezes_other
from fairmend.recommender.patterns import (
    CHANGE_VERB,
    CRITERION_PATTERNS,
    DOMAIN_PATTERNS,
    FAMILY_PATTERNS,
    INTENT_PATTERNS,
    INTERSECTIONAL,
    LEGAL_NOTES,
    PREFERRED_STAGE_PATTERNS,
    STAGE_PATTERNS,
    TASK_PATTERNS,
)
from fairmend.recommender.settle import (
    FIX_WORDS,
    FLOOR,
    apply_findings,
    attribute_rule_is_not_a_freeze,
    demote,
    limited_stage,
    named_limit,
    reconcile,
    unset,
)
from fairmend.recommender.statements import normalise


def _has(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


def parse_text(text: str, *, embedder: Any = None, verify: bool = True) -> Constraints:
    """Extract constraints from free text (``embedder``: the reader's, default all-MiniLM-L6-v2; ``verify``:
    let the second reading of the whole text doubt a prohibition, :mod:`fairmend.recommender.binding`)."""
    from fairmend.recommender.reader import read_parts

    t = " " + text.lower().replace("\u2019", "'") + " "
    c = Constraints()
    findings, c.goal_text = read_parts(text, embedder, floor=FLOOR)
    apply_findings(c, findings, text)
    attribute_rule_is_not_a_freeze(c)

    # exact rules: a stage named with a restriction, a task named outright
    named = [
        s
        for s, p in STAGE_PATTERNS
        if _has(
            r"\b(only|must be|has to be|have to be|exclusively)\b[a-z -]{0,12}"
            + p
            + r"|"
            + p
            + r"[a-z -]{0,6}\bonly\b",
            t,
        )
    ]
    stated = re.search("|".join(p for _, p in STAGE_PATTERNS), t)  # found whenever `named` is not empty
    if named and withdrawn_scope(text, stated.group(0)):
        named = []  # "initially I only wanted in-processing changes, but any stage is fine now"
    if named:
        c.put("stages", named, "text", 1.0, stated.group(0))
        c.uncertain = [u for u in c.uncertain if u.field not in ("stages", "intervention_allowed")]
    if c.task is None:
        for task, p in TASK_PATTERNS:
            m = re.search(p, t)
            if m:
                c.put("task", task, "text", 0.9, m.group(0))
                c.uncertain = [u for u in c.uncertain if u.field != "task"]
                break
    no_fix = asks_for_no_fix(text) if c.intervention_allowed is None else None
    if no_fix and c.stages and re.search(r"\bonly\b", no_fix):
        no_fix = None  # "counterfactual audit only": the named kind of work alone, not "no intervention"
    if no_fix and not (c.stages and not set(c.stages) <= set(NON_INTERVENTION_STAGES)):
        c.put("intervention_allowed", False, "text", 0.9, no_fix)  # "an answer, not a fix"
        if c.intent is None:  # (a document when that is the only kind of work named: see below)
            documents = c.preferred_stages == [Stage.DOCUMENTATION]
            c.put("intent", "document" if documents else "audit", "text", 0.9, no_fix)
        c.uncertain = [u for u in c.uncertain if u.field != "intervention_allowed"]
    if c.intervention_allowed is False and c.stages and not set(c.stages) <= set(NON_INTERVENTION_STAGES):
        c.intervention_allowed = None  # a named intervention stage wins over "no intervention"
    usable = usable_at_decision(text) if c.sources.get("protected_at_inference_allowed") != "text" else None
    if usable:
        # "age attr usable in prod": the attribute may be used at decision time (overrides a domain default)
        c.put("protected_at_inference_allowed", True, "text", 0.85, usable)
        c.uncertain = [u for u in c.uncertain if u.field != "protected_at_inference_allowed"]
    frozen = forbids_change(text)
    if frozen and freezes_other(frozen):
        frozen = None  # "our front end is in a code freeze": the freeze is on another thing (see frozen.py)
    if frozen and c.sources.get("retraining_allowed") != "text":
        # "change freeze", "nothing about it may be altered": no retraining either
        c.put("retraining_allowed", False, "text", 0.9, frozen)
        c.uncertain = [u for u in c.uncertain if u.field != "retraining_allowed"]
    gone = means_gone(text)
    if gone and c.sources.get("retraining_allowed") == "text":
        # a reading from the text stands, except a permission stated before the means to refit went ("we were
        # told we could retrain it, but it turns out the training data is gone"); gone before it ("the data was
        # deleted, but we can rebuild it from the warehouse"), the permission stands
        granted = c.evidence.get("retraining_allowed", "") if c.retraining_allowed is True else ""
        norm = normalise(text)
        if not (granted and norm.find(gone) > norm.find(normalise(granted)) >= 0):
            gone = None
    if gone:
        # "the original training data was deleted": nothing to refit the model with
        c.put("retraining_allowed", False, "text", 0.85, gone)
        c.uncertain = [u for u in c.uncertain if u.field != "retraining_allowed"]
    thing = freezes_other(c.evidence.get("retraining_allowed", "")) if c.retraining_allowed is False else None
    if thing and c.sources.get("retraining_allowed") == "text":
        demote(c, "retraining_allowed", f"the words freeze the {thing}, not the model", doubted=True)
    reconcile(c)
    limited_stage(c)
    named_limit(c, t)
    prefs = [s for s, p in PREFERRED_STAGE_PATTERNS if _has(p, t)]
    if prefs:
        c.put("preferred_stages", list(dict.fromkeys(c.preferred_stages + prefs)), "text")
    crits = [crit for crit, p in CRITERION_PATTERNS if _has(p, t)]
    if crits:
        c.put("criteria", crits, "text")
    for fam, p in FAMILY_PATTERNS:
        if _has(p, t):
            c.put("model_family", fam, "text")
            break
    budget = accuracy_budget(text)
    if budget is not None:
        c.put("max_accuracy_loss", budget[0], "text", 1.0, budget[1])
    elif _has(
        r"(?<!rather )(?<!prefer )(can(no|')?t|cannot|must not|not) (afford to )?(lose|sacrifice|drop) (any |much )?(accuracy|performance)",
        t,
    ):
        c.put("max_accuracy_loss", 0.01, "text", 0.8, "cannot lose accuracy")
    if _has(
        r"(more than|over) two (groups|races|categories)|multiple (groups|races|ethnicit|categories)|several (groups|ethnic)"
        r"|(\b[3-9]|\b[1-9]\d+|three|four|five|six|seven|eight|many) (racial |ethnic |age )?(groups|categories|races|ethnicities)"
        r"|multi-?group|non-?binary",
        t,
    ):
        c.put("multi_group", True, "text")
    if _has(INTERSECTIONAL, t):
        c.put("intersectional", True, "text")
    m = re.search(
        r"(\d[\d,.]*)\s*(k|thousand|million|m)?\s*(rows|records|examples|samples|applicants|patients|customers|people|instances)",
        t,
    )
    if m:
        n = float(m.group(1).replace(",", "").rstrip("."))
        n *= {"k": 1e3, "thousand": 1e3, "million": 1e6, "m": 1e6}.get(m.group(2) or "", 1)
        c.put("data_size", int(n), "text")
        if n < 2000:
            c.put("small_data", True, "text")
    if _has(r"small (dataset|data|sample)|few (rows|records|examples)|limited data|tiny dataset", t):
        c.put("small_data", True, "text")
    if _has(
        r"(quick|fast|cheap|lightweight|simple) (fix|solution|to run|method|approach|win)|quickly|by tomorrow|no time|limited compute|little compute|no gpu",
        t,
    ):
        c.put("time_budget", "fast", "text")
    if c.intent is None:
        asked = DESCRIBED.sub(" ", t)  # not the mentions that describe (cues.DESCRIBED)
        for intent, p in INTENT_PATTERNS:
            if _has(p, asked):
                c.put("intent", intent, "text", 0.6)
                break
    if (
        c.stages is None
        and c.preferred_stages == [Stage.DOCUMENTATION]
        and c.intent == "document"
        and not asks_for_fix(text)
        and not _has(CHANGE_VERB, t)
    ):
        # documentation is the only kind of work the text names and nothing else is asked for ("need a model
        # card for the regressor we're open-sourcing"): the only deliverable, so the work is documentation
        c.put("stages", [Stage.DOCUMENTATION], "text", 0.8, c.evidence.get("preferred_stages", ""))
        c.uncertain = [u for u in c.uncertain if u.field != "stages"]
    elif (
        c.stages
        and set(c.stages) <= {Stage.DOCUMENTATION, Stage.MONITORING, Stage.CAUSAL}
        and c.sources.get("stages") == "text"
        and asks_for_fix(text)
    ):
        # "help us reduce the gap, and document what we did", "our dashboard shows the gap widening; how do we
        # reduce it?": documentation, monitoring or causal work beside a fix, not instead of one
        c.put("preferred_stages", list(dict.fromkeys(c.preferred_stages + c.stages)), "text")
        unset(c, "stages")
    # the model may not change (a text reading, not a domain default) and a document is the only deliverable
    # ("the model itself is certified and locked; the datasheet is the only thing I'm producing"): together,
    # nothing may change
    locked = c.retraining_allowed is False and c.sources.get("retraining_allowed") == "text"
    # ... or one kind of work that changes nothing is the whole request ("the model can't be changed; what I'm
    # after is a causal analysis", "frozen until Q3; what I need is ongoing monitoring"): the labelling rules'
    # "nothing may be changed and the user only wants to measure"
    one_kind = (
        locked
        and c.sources.get("stages") == "text"
        and c.stages is not None
        and len(c.stages) == 1
        and c.stages[0] in (Stage.CAUSAL, Stage.MONITORING, Stage.DOCUMENTATION)
        # not with a fix asked too ("a causal analysis first, then a post-processing fix")
        and not FIX_WORDS.search(t)
    )
    if (
        c.intervention_allowed is None
        and (frozen or one_kind)
        and (
            one_kind
            or c.intent
            in ("audit", "document", "causal")  # (a "monitor" intent also comes from "in production")
            or asks_to_measure(text)
        )
        and not asks_for_fix(text)
        and not (c.stages and not set(c.stages) <= set(NON_INTERVENTION_STAGES))
    ):
        # nothing may change and only measuring, explaining or documenting is asked for ("change freeze until
        # Q3; what can we still learn about the age gap?"): no intervention at all
        c.put("intervention_allowed", False, "text", 0.85, frozen or c.evidence.get("retraining_allowed", ""))
        c.uncertain = [u for u in c.uncertain if u.field != "intervention_allowed"]
    if (
        c.intervention_allowed is False
        and c.retraining_allowed is True
        and c.sources.get("retraining_allowed") == "text"
        and not asks_for_no_fix(text)
    ):
        # the text lets the model be rebuilt ("fitting a fresh model is permitted"), so it does not say that
        # nothing may change; only an explicit "no changes requested" keeps "no intervention" beside it
        demote(c, "intervention_allowed", "the text also lets the model be retrained", doubted=True)
    if (
        c.retraining_allowed is False
        and c.sources.get("retraining_allowed") == "text"
        and c.intervention_allowed is False
        and scoped(c.evidence.get("retraining_allowed", ""), text)
    ):
        # the ban was read from words that scope the request ("no changes, we only need numbers"): "nothing
        # is to change" holds, and it bars every intervention already; they forbid no retraining of their own
        unset(c, "retraining_allowed")
    if verify:
        from fairmend.recommender.binding import REASON, doubted

        for name in doubted(c, text, embedder):
            demote(c, name, REASON, doubted=True)
    for domain, p, barred in DOMAIN_PATTERNS:
        if _has(p, t):
            c.put("domain", domain, "text")
            if barred:
                c.legal_note = LEGAL_NOTES[domain]
                c.sources["legal_note"] = "domain-default"
                if c.protected_at_inference_allowed is None:
                    c.put("protected_at_inference_allowed", False, "domain-default", 0.9)
            break
    return c
