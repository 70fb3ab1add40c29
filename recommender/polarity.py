"""Whether a plain statement forbids or permits, by exact rule: one predicate and its negations.

The reader's classifiers (:mod:`fairmend.recommender.reader`) tell well what a clause is about, but whether it
forbids or permits comes from sentence embeddings that score "retraining is forbidden" and "retraining is not
forbidden" almost alike, and from exemplar neighbours that include the double negatives: the shipped model
read "Retraining is forbidden" as a permission (0.85). A statement built from one predicate of permission
("can", "allowed", "possible", "free to", "an option") or prohibition ("forbidden", "banned", "impossible",
"locked", "off the table") and its negations ("not", "never", "no", "nobody" before it, or "not" right after
a modal: "can not") is exact: an even number of negations keeps the predicate's sense, an odd number reverses
it ("isn't something we're barred from" permits). Anything else is left to the classifiers: two predicates,
a restriction or condition ("only", "unless", "if", "except"), a question.
"""

from __future__ import annotations

import re

from fairmend.recommender.cues import names_attribute
from fairmend.recommender.statements import normalise

# Multi-word predicates first, as single tokens.
_PHRASES = (
    (re.compile(r"\b(?:off the table|out of the question|ruled out|off-limits|off limits)\b"), " FORBIDS "),
    (re.compile(r"\b(?:on the table|an option|free to)\b"), " PERMITS "),
    (re.compile(r"\bno longer\b"), " not "),
)
PERMIT = frozenset(
    {
        "can",
        "could",
        "may",
        "allowed",
        "allow",
        "allows",
        "permitted",
        "permit",
        "permits",
        "possible",
        "able",
        "let",  # "they don't let us retrain", "the contract lets us refit it"
        "lets",
    }
    | {"fine", "ok", "okay", "acceptable", "lawful", "usable", "PERMITS"}
)
FORBID = frozenset(
    {
        "forbidden",
        "forbid",
        "forbids",
        "prohibited",
        "prohibit",
        "prohibits",
        "banned",
        "ban",
        "bans",
        "barred",
    }
    | {"bars", "impossible", "disallowed", "illegal", "unlawful", "locked", "frozen", "immutable", "unable"}
    | {"unchangeable", "untouchable", "vetoed", "blocked", "blocks", "prevents", "prevented", "FORBIDS"}
    | {"unusable", "breach", "breaches"}
)
# what the decision step is given: "the scorer never sees race", "the ranking service does receive gender"
ACCESS = frozenset({"receive", "receives", "received", "see", "sees", "access", "accesses"})
# ("or" is left out: under a negation it joins two nouns or verbs, "no retraining or fine-tuning is possible")
_CONJUNCTIONS = ("and", "so", "because")
NEGATIONS = frozenset({"not", "no", "never", "nobody", "nothing", "none", "neither", "nor"})
# a restriction, a condition, an exception or a reported question: the rule does not apply
_COMPLEX = re.compile(r"\b(?:only|unless|except|if|whether|until|once|after|before|but|either)\b")
_TOKEN = re.compile(r"[a-z]+(?:-[a-z]+)*|[A-Z]+")


def stated_polarity(clause: str) -> tuple[str, tuple[str, ...]] | None:
    """ "forbidden" or "allowed" when ``clause`` is a plain statement of one predicate with its negations, and
    the reader's dimensions it settles (a predicate of access, "receives", "sees", speaks only of the
    attribute at decision time, and "none" of it when it names no attribute: "the court cannot see inside");
    else ``None``."""
    t = normalise(clause)
    if _COMPLEX.search(t) or re.search(r"[,;:]", t):
        return None
    for pattern, token in _PHRASES:
        t = pattern.sub(token, t)
    t = re.sub(r"\bneither\b(?=.*\bnor\b)", "not", t)  # "can neither change it nor see it": one negation each
    t = re.sub(r"\bnor\b", "not", t)
    tokens = _TOKEN.findall(t)
    predicates = [i for i, tok in enumerate(tokens) if tok in PERMIT or tok in FORBID or tok in ACCESS]
    # a modal that only helps a verb of access ("cannot see", "can receive") is no predicate of its own
    predicates = [
        i
        for i in predicates
        if not (
            tokens[i] in ("can", "could", "may")
            and any(j in predicates and tokens[j] in ACCESS for j in (i + 1, i + 2))
            and (tokens[i + 1 : i + 2] in (["not"], ["never"]) or tokens[i + 1] in ACCESS)
        )
    ]
    if len(predicates) != 1:
        return None
    at = predicates[0]
    after = tokens[at + 1 : at + 3]
    possibility = after[:1] == ["be"] and not (
        len(after) > 1 and (after[1].endswith(("ed", "en")) or after[1] in PERMIT | FORBID)
    )
    if tokens[at] in ("can", "could", "may") and possibility:
        return (
            None  # a possibility ("there could be a change freeze"), not a permission ("could be retrained")
        )
    # a negation before a conjunction belongs to the verb it negates ("we no longer have the data and a refit
    # is impossible")
    start = max([i + 1 for i, tok in enumerate(tokens[:at]) if tok in _CONJUNCTIONS], default=0)
    tokens, at = tokens[start:], at - start
    # the negations before it, and one right after a modal ("can not", "may never")
    negations = sum(tok in NEGATIONS for tok in tokens[:at]) + (tokens[at : at + 2][-1] in ("not", "never"))
    # a bare answer closing a question of permission joined to it ("Race usable when scoring? No."): it negates
    # the permission (not "the ban means no", which answers with the ban)
    negations += tokens[at] in PERMIT and at < len(tokens) - 1 and tokens[-1] in ("no", "nope", "nah")
    forbids = (tokens[at] in FORBID) != (negations % 2 == 1)
    if tokens[at] in ACCESS and not names_attribute(t):
        return "none", ("inference",)  # "the court cannot see inside": access to something else
    dims = ("inference",) if tokens[at] in ACCESS else ("retraining", "inference")
    return ("forbidden" if forbids else "allowed"), dims
