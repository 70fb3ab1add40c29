"""From the reader's findings to hard constraints, and the checks that settle one reading against another.

:func:`apply_findings` puts the reader's sure findings into a :class:`~fairmend.recommender.constraints.Constraints`
and keeps unsure ones as uncertain readings; :func:`reconcile`, :func:`attribute_rule_is_not_a_freeze`,
:func:`limited_stage` and :func:`named_limit` settle readings that rule each other out or that one sentence
states twice. :func:`demote` reports a reading as uncertain (never a hard constraint) with the reason it is set
aside. Called by :func:`fairmend.recommender.parse.parse_text`.
"""

from __future__ import annotations

import re
from typing import Any

from fairmend.catalog.types import Stage, TaskType
from fairmend.recommender.combine import FIRM
from fairmend.recommender.constraints import Constraints, Uncertain, describe_value, settling_flag
from fairmend.recommender.cues import (
    DESCRIBED,
    SCOPE_CUES,
    TASK_CUES,
    asks_for_fix,
    compares_proposals,
    framed_as_whole,
    held_elsewhere,
    names_absent_attribute,
    restricts,
    states_intent_to_retrain,
    withdrawn_scope,
)
from fairmend.recommender.statements import BELIEF, LIMITING, REVERSAL, normalise

# A reader finding at or above UNDERSTOOD is applied as stated; between FLOOR and UNDERSTOOD it is
# reported as uncertain with the flag that settles it, and is not a hard constraint.
UNDERSTOOD = FIRM
FLOOR = 0.45


_DIM_FIELD = {"retraining": "retraining_allowed", "inference": "protected_at_inference_allowed"}
_SCOPE_STAGE = {
    "pre_processing": Stage.PRE_PROCESSING,
    "in_processing": Stage.IN_PROCESSING,
    "post_processing": Stage.POST_PROCESSING,
    "causal": Stage.CAUSAL,
    "monitoring": Stage.MONITORING,
    "documentation": Stage.DOCUMENTATION,
}
_SCOPE_INTENT = {
    "pre_processing": "mitigate",
    "in_processing": "mitigate",
    "post_processing": "mitigate",
    "no_intervention": "audit",
    "causal": "causal",
    "monitoring": "monitor",
    "documentation": "document",
}


# words of a change to the model or its outputs
FIX_WORDS = re.compile(
    r"\b(?:pre|in|post)-?processing\b|\bthresholds?\b|\bcut-?offs?\b|\breweigh\w*|\bmitigat\w*|\bdebias\w*"
    r"|\bfix\w*|\bremed\w*|\bcorrect(?:ion|ing)?\b"
)


def _corroborated(dim: str, f: Any, findings: dict[str, Any], text: str | None) -> bool:
    """An unsure "cannot retrain" that a sure limit to post-processing backs ("I own the decision layer only;
    the score comes from a team whose training I can't get near"): both say the model stays as it is, and the
    text says so twice, so the reading is applied. The limit alone implies nothing about retraining."""
    scope = findings.get("scope")
    return (
        dim == "retraining"
        and f.value == "forbidden"
        and text is not None
        and scope is not None
        and scope.value == "post_processing"
        and scope.confidence >= UNDERSTOOD
        and scope.evidence != f.evidence
        and restricts(text, scope.evidence)
    )


def apply_findings(c: Constraints, findings: dict[str, Any], text: str | None = None) -> None:
    """Put sure findings into ``c``; keep unsure ones (below :data:`UNDERSTOOD`) in ``c.uncertain`` only.

    An uncertain reading is never a hard constraint, in either direction: it is reported with the flag
    that settles it, and the ranker marks and ranks lower the techniques that would break a restrictive
    one (:func:`fairmend.recommender.fit.uncertain_conflicts`)."""
    for dim, f in findings.items():
        sure = f.confidence >= UNDERSTOOD or _corroborated(dim, f, findings, text)
        if dim in _DIM_FIELD:
            if (
                f.value == "not_collected"
                and text is not None
                and not names_absent_attribute(text, f.evidence)
            ):
                continue  # an absence of something else ("there are no labels")
            if dim == "retraining" and f.value == "forbidden" and states_intent_to_retrain(f.evidence):
                continue  # "we want to retrain it with a penalty that keeps ..." forbids nothing
            if f.value == "not_collected" and text is not None and held_elsewhere(text, f.evidence):
                # "the feature store has no age column, although the warehouse does": kept from the decision
                fields_values = [("protected_at_inference_allowed", False)]
            elif f.value == "not_collected":
                fields_values = [("protected_available", False), ("protected_at_inference_allowed", False)]
            else:
                fields_values = [(_DIM_FIELD[dim], f.value == "allowed")]
            for name, value in fields_values:
                if sure:
                    c.put(name, value, "text", f.confidence, f.evidence)
                else:
                    c.uncertain.append(
                        Uncertain(
                            name, value, f.confidence, f.evidence, settling_flag(name, value), applied=False
                        )
                    )
        elif dim == "scope":
            if text is not None and not SCOPE_CUES[f.value].search(DESCRIBED.sub(" ", normalise(text))):
                continue  # no work of that kind named anywhere: no reading, not even an uncertain one
            if f.value == "no_intervention":
                if text is not None and asks_for_fix(text):
                    continue  # "... so please reduce the gap there": a fix is asked for
                if text is not None and compares_proposals(text, f.evidence):
                    continue  # "... proposed group thresholds. How do these compare?": a choice of fixes
                name, value = "intervention_allowed", False
            else:
                name, value = "stages", [_SCOPE_STAGE[f.value]]
                allowed = findings.get("retraining")
                permission = allowed.evidence if allowed is not None and allowed.value == "allowed" else None
                if text is not None and withdrawn_scope(text, f.evidence, permission):
                    continue  # "we wanted to fix the data only, but actually anything may change"
                if text is not None and not restricts(text, f.evidence):
                    # a kind of work asked for or mentioned, not a limit on the work: a preference
                    c.put("preferred_stages", value, "text", f.confidence, f.evidence)
                    continue
            # an unsure kind of work that the next sentence frames as the whole request ("..., page someone.
            # That's the whole ask.")
            sure = sure or (name == "stages" and text is not None and framed_as_whole(text, f.evidence))
            if sure:
                c.put(name, value, "text", f.confidence, f.evidence)
                c.put("intent", _SCOPE_INTENT[f.value], "text", f.confidence, f.evidence)
            else:
                c.uncertain.append(
                    Uncertain(
                        name, value, f.confidence, f.evidence, settling_flag(name, value), applied=False
                    )
                )
                if name == "stages":  # still a soft preference for the ranking
                    c.put("preferred_stages", value, "text", f.confidence, f.evidence)
        elif dim == "task":
            task = TaskType(f.value)
            if text is not None and not TASK_CUES[task].search(normalise(text)):
                continue  # nothing of that kind named: no reading, not even an uncertain one
            if sure:
                c.put("task", task, "text", f.confidence, f.evidence)
            else:
                c.uncertain.append(
                    Uncertain(
                        "task", task, f.confidence, f.evidence, settling_flag("task", task), applied=False
                    )
                )


def unset(c: Constraints, name: str) -> None:
    """Back to not read: the field's default and no source, confidence or evidence."""
    setattr(c, name, None)
    for book in (c.sources, c.confidence, c.evidence):
        book.pop(name, None)


def demote(c: Constraints, name: str, reason: str = "", doubted: bool = False) -> None:
    """A reading from the text reported as uncertain (not applied) instead of holding, with the flag that
    settles it and, when it was set aside for another reading, the ``reason`` shown to the user; ``doubted``
    when the reason is words against the reading, not a tie with another (it then lowers no technique)."""
    value = getattr(c, name)
    c.uncertain = [u for u in c.uncertain if u.field != name]
    c.uncertain.append(
        Uncertain(
            name,
            value,
            c.confidence.get(name, 0.0),
            c.evidence.get(name, ""),
            settling_flag(name, value),
            applied=False,
            reason=reason,
            doubted=doubted,
        )
    )
    unset(c, name)


def reconcile(c: Constraints) -> None:
    """Training-time stages need retraining: when the text seems to say both, the pair must not silently
    exclude everything. Pre-processing alone beside "cannot retrain" is one situation, not a contradiction:
    the user owns the data and someone else (a vendor, another team) trains on it with code the user cannot
    touch ("the training code is the vendor's, but we may change the rows we send"), so the stage holds and
    the retraining ban is reported as uncertain (not applied). In-processing beside "cannot retrain" is a
    contradiction: the surer reading wins and the other becomes uncertain. An uncertain "cannot retrain"
    still casts doubt on in-processing: the stage keeps only its margin over half the rival's confidence, and
    is not applied when that falls below :data:`UNDERSTOOD`."""
    needs_training = {Stage.PRE_PROCESSING, Stage.IN_PROCESSING}
    doubt = [u for u in c.uncertain if u.field == "retraining_allowed" and u.value is False]
    if (
        doubt
        and c.retraining_allowed is None
        and set(c.stages or ()) == {Stage.IN_PROCESSING}
        and c.sources.get("stages") == "text"
        and c.confidence["stages"] - 0.5 * doubt[0].confidence < UNDERSTOOD
    ):
        value, conf, evidence = c.stages, c.confidence["stages"], c.evidence.get("stages", "")
        c.uncertain.append(
            Uncertain("stages", value, conf, evidence, settling_flag("stages", value), applied=False)
        )
        unset(c, "stages")
        c.put("preferred_stages", value, "text", conf, evidence)
        return
    if not (
        c.retraining_allowed is False
        and c.stages
        and set(c.stages) <= needs_training
        and c.sources.get("retraining_allowed") == "text"
        and c.sources.get("stages") == "text"
    ):
        return
    if set(c.stages) == {Stage.PRE_PROCESSING}:
        demote(
            c,
            "retraining_allowed",
            "only pre-processing is stated too, so whoever trains the model retrains it on the changed data",
            doubted=True,
        )
        return
    if c.confidence["retraining_allowed"] < c.confidence["stages"]:
        demote(c, "retraining_allowed", f"it contradicts the surer '{describe_value('stages', c.stages)}'")
    else:
        demote(c, "stages", "it needs retraining, which the text rules out more surely")


# Words that say a model is (not) to change: without one of them, a clause that keeps the attribute away from
# the model ("the deployed classifier will never receive it", "it is walled off from the hiring tool") says
# nothing about retraining. Narrower than clause_rules._MODEL_CHANGE, which also counts words of the model's making
# ("deployed", "vendor", "code") because there it only decides whether a clause naming an attribute may be read
# for retraining at all; here the clause has been read for the attribute already.
_CHANGE_WORDS = re.compile(
    r"\b(?:re-?train\w*|re-?fit\w*|re-?buil\w*|fine-?tun\w*|train\w*|chang\w*|modif\w*|alter\w*|touch\w*"
    r"|updat\w*|edit\w*|froze\w*|freez\w*|lock\w*|seal\w*|fixed|redo|rework\w*"
    # or of a model that is another's product ("a black-box vendor API that never receives the renter's age"):
    # a ban on retraining of its own
    r"|vendor\w*|black[- ]box|third[- ]party|licen[cs]\w*)\b"
)


def attribute_rule_is_not_a_freeze(c: Constraints) -> None:
    """A "cannot retrain" read from the very clause that keeps the protected attribute out of the decision, in
    a clause with no word of change or training ("the deployed model is blind to race by design", "it is not
    passed on to the model that makes the call"), is the attribute rule read twice: reported as uncertain,
    not applied. "We can neither retrain the model nor use ethnicity" keeps both."""
    if not (
        c.retraining_allowed is False
        and c.protected_at_inference_allowed is False
        and c.sources.get("retraining_allowed") == "text"
        and c.sources.get("protected_at_inference_allowed") == "text"
    ):
        return
    retrain, attribute = (
        c.evidence.get("retraining_allowed", ""),
        c.evidence.get("protected_at_inference_allowed", ""),
    )
    if (
        retrain
        and (retrain in attribute or attribute in retrain)
        and not _CHANGE_WORDS.search(normalise(retrain))
    ):
        demote(
            c,
            "retraining_allowed",
            "the same words keep the protected attribute out of the decision",
            doubted=True,
        )


# What each intervention stage works on, named right after a limiting word ("purely at the threshold level",
# "solely on the training data", "only the loss function") or right before one ("the cut-off and nothing else").
_STAGE_OBJECTS: list[tuple[Stage, str]] = [
    (
        Stage.PRE_PROCESSING,
        r"training (?:data|set|table|records|sample|corpus|extract)|data side|re-?weight\w*|re-?sampl\w*|relabel\w*",
    ),
    (
        Stage.IN_PROCESSING,
        # "the loss", not "an accuracy loss" or "the loss of accuracy" (a budget)
        (
            r"(?:training|learning) (?:objective|algorithm|procedure)|the loss\b(?!\s+(?:of|in)\b)|loss (?:function|term)"
            r"|the learner|objective function"
            # "whatever we change has to live in how the model is fitted"
            r"|how (?:the|our|a|this) (?:[\w-]+ )?(?:model|classifier|scorer|regressor) is (?:trained|fitted|fit|learned"
            r"|learnt|estimated)"
        ),
    ),
    (Stage.POST_PROCESSING, r"thresholds?|cut-?offs?|decision rules?|threshold level|score-to-decision"),
]
_LIMIT_WORD = (
    r"\b(?:only|solely|purely|exclusively|(?:has|have|must|needs?) to (?:live|sit|happen|be done|come|be) (?:in|through"
    r"|on|at|via|from|part of)|must be part of)\b"
)
_LIMIT_AFTER = r"(?:,?\s+(?:and\s+)?nothing else|,?\s+only)\b"


def named_limit(c: Constraints, t: str) -> None:
    """A limiting word right before or after what one stage works on ("I'd like to solve this purely at the
    threshold level", "fix it solely through the training data", "the loss function and nothing else"), and
    nothing of another stage in the text: that stage is the limit. Not against "no intervention", nor for a
    training-time stage against "cannot retrain"."""
    if c.stages is not None or c.intervention_allowed is False:
        return
    named = set()
    for stage, obj in _STAGE_OBJECTS:
        m = re.search(
            rf"{_LIMIT_WORD}(?:\W+[\w'-]+){{0,4}}?\W+(?:{obj})\b|\b(?:{obj})\b(?:\W+[\w'-]+){{0,2}}?{_LIMIT_AFTER}",
            t,
        )
        if m:
            named.add((stage, m.group(0)))
    if len(named) != 1:
        return
    stage, evidence = named.pop()
    sentence = next((x for x in re.split(r"(?<=[.!?;])\s+", t) if evidence in x), "")
    if BELIEF.search(sentence) or REVERSAL.search(sentence):
        return  # "I assumed only the thresholds could be touched, but actually ...": a belief withdrawn
    others = [obj for s, obj in _STAGE_OBJECTS if s != stage]
    if any(re.search(rf"\b(?:{obj})\b", t) for obj in others):
        return
    if c.retraining_allowed is False and stage in (Stage.PRE_PROCESSING, Stage.IN_PROCESSING):
        return
    c.uncertain = [x for x in c.uncertain if x.field != "stages"]
    c.put("stages", [stage], "text", 0.85, evidence)


# what the data holds, told with "just" or "only" ("the dataset is just transactions"): a description of the
# data, no limit of the work to it
_DATA_DESCRIBED = re.compile(
    r"\b(?:data|dataset|data set|table|file|csv|columns?)\s+(?:is|are|has|have|contains?|holds?)\s+"
    r"(?:just|only|purely|entirely|solely)\b"
)


def limited_stage(c: Constraints) -> None:
    """An unsure stage reading whose own clause limits the work to it ("we control the input data only", "all
    we can touch is what happens downstream of its output", "our remit is transforming the outputs") is a
    limit, not a guess: the clause says the work is that kind and no other. Applied only when it is the one
    stage read and nothing read from the text contradicts it (no intervention; no retraining against a
    training-time stage)."""
    if c.stages is not None or c.intervention_allowed is False:
        return
    limited = [
        u
        for u in c.uncertain
        if u.field == "stages"
        and not u.applied
        and LIMITING.search(normalise(u.evidence))
        and not _DATA_DESCRIBED.search(normalise(u.evidence))
    ]
    if len({tuple(u.value) for u in limited}) != 1:
        return
    u = limited[0]
    if c.retraining_allowed is False and set(u.value) & {Stage.PRE_PROCESSING, Stage.IN_PROCESSING}:
        return
    c.uncertain = [x for x in c.uncertain if x.field != "stages"]
    c.put("stages", list(u.value), "text", u.confidence, u.evidence)
