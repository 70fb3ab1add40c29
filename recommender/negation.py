"""Negations written out before the clause classifiers read a sentence (:func:`distribute_negation`).

One negation shared by two verbs or two subjects becomes a statement for each, and a denied denial becomes
the permission it amounts to, so that each clause the reader scores says one thing plainly. Exact rewrites
of a few constructions only; everything else is left as written.
"""

from __future__ import annotations

import re

# One negation over two verbs ("we can neither refit it nor use race", "can't retrain it or feed it age"): two
# statements, each with the subject and the negated modal, so that each is read for what it is about. A bare
# first verb shares its object with the second ("we can't see or store race") and is left whole.
_HEAD = (
    r"(?P<head>\b(?:we|i|you|they|it|he|she|the [\w-]+(?: [\w-]+)?)\s+"
    r"(?:can|could|may|must|will|should|(?:are|is) (?:allowed|able|permitted) to))"
)
_NEITHER = re.compile(
    _HEAD + r"\s+neither\s+(?P<a>[^,;:\s]+\s+[^,;:]+?)\s+nor\s+(?P<b>[^,;:.]+)", re.IGNORECASE
)
_NEGATED_MODAL = (
    r"(?P<neg>\b(?:can't|cannot|can not|may not|must not|won't|will not|couldn't|could not|mustn't"
    r"|(?:are|is)(?: not|n't) (?:allowed|able|permitted) to))"
)
_VERB = (
    r"(?:use|give|feed|show|pass|send|see|include|collect|store|keep|retrain|re-train|refit|re-fit|change|modify"
    r"|touch|alter|add|train|fine-tune|update|rebuild|access|consider|record|infer|input|tweak|replace)"
)
_NOT_EITHER = re.compile(
    r"(?P<subject>\b(?:we|i|you|they|it|he|she)\s+)?"
    + _NEGATED_MODAL
    + r"\s+(?P<a>(?:[\w'-]+\s+){1,4}?[\w'-]+)\s+or\s+(?P<b>"
    + _VERB
    + r"\b[^,;:.]*)",
    re.IGNORECASE,
)


# Two subjects denied one predicate ("neither retraining nor using sex at decision time is allowed", "neither
# refitting nor a new cut-off is an option"): written out as a denial of each.
_NEITHER_SUBJECTS = re.compile(
    r"\bneither\s+(?P<a>[^,;:.]+?)\s+nor\s+(?P<b>[^,;:.]+?)\s+(?P<be>is|are|was|were|would be|will be)\s+"
    r"(?P<pred>allowed|permitted|possible|an option|acceptable|ok|okay|on the table|available to us|feasible)\b",
    re.IGNORECASE,
)


# Two agents denied one act ("neither we nor the vendor may alter the classifier"): a denial for each.
_NEITHER_AGENTS = re.compile(
    r"\bneither\s+(?P<a>[^,;:.]+?)\s+nor\s+(?P<b>[^,;:.]+?)\s+"
    r"(?P<modal>may|can|could|will|should|must|(?:is|are) (?:allowed|permitted|able) to)\s+(?P<rest>[^,;:.]+)",
    re.IGNORECASE,
)


# an agent named by a noun phrase or a pronoun, never by a verb ("neither records it nor may use it")
_ACTOR = (
    r"(?:(?:the|our|their|its|his|her|a|an|this|that|any|each)\s+(?:(?!(?:may|can|could|must|will|should|would)\b)"
    r"[\w'-]+\s+){0,3}?[\w'-]+|we|i|they|you|he|she|it)"
)
# Two agents denied one plain act ("neither the model nor the caseworker sees the applicant's status"): a denial
# for each, in the words the classifiers read ("the model does not see ...").
_NEITHER_ACTORS = re.compile(
    r"\bneither\s+(?P<a>"
    + _ACTOR
    + r")\s+nor\s+(?P<b>"
    + _ACTOR
    + r")\s+(?P<verb>sees|gets|receives|knows|uses|has|touches"
    r"|accesses|is (?:told|shown|given|sent)|see|get|receive|know|use|have|touch|access|are (?:told|shown|given|sent))"
    r"\s+(?P<rest>[^,;:.]+)",
    re.IGNORECASE,
)
_BASE = {"sees": "see", "gets": "get", "receives": "receive", "knows": "know", "uses": "use", "has": "have"}
_BASE |= {"touches": "touch", "accesses": "access"}


def _deny_actors(m: re.Match[str]) -> str:
    verb = m["verb"].lower()
    if verb.startswith(("is ", "are ")):
        be, participle = verb.split(" ", 1)
        denied = f"{'is' if be == 'is' else 'are'} not {participle}"
    else:
        denied = f"does not {_BASE.get(verb, verb)}"
    return f"{m['a']} {denied} {m['rest']}, {m['b']} {denied} {m['rest']}"


def _deny_agents(m: re.Match[str]) -> str:
    words = m["modal"].split(" ", 1)
    denied = f"{words[0]} not {words[1]}" if len(words) == 2 else f"{words[0]} not"
    return f"{m['a']} {denied} {m['rest']}, {m['b']} {denied} {m['rest']}"


def _deny_each(m: re.Match[str]) -> str:
    be = m["be"].lower()
    # each subject on its own is singular
    denied = {"are": "is not", "were": "was not", "would be": "would not be", "will be": "will not be"}
    denied = denied.get(be, f"{be} not")
    return f"{m['a']} {denied} {m['pred']}, {m['b']} {denied} {m['pred']}"


# A denied denial ("it is not true that we cannot retrain", "it isn't the case that we may not refit it"): the
# permission it amounts to.
_DENIED_DENIAL = re.compile(
    r"\bit(?:\s+is|'s|\s+was)(?:\s+not|n't)\s+(?:true|the case|so)\s+that\s+(?P<subject>we|i|they|you)\s+"
    r"(?P<neg>cannot|can't|can\s+not|couldn't|could\s+not|may\s+not|might\s+not)\s+",
    re.IGNORECASE,
)


_PERMITTED = {"can": "can", "cannot": "can", "ca": "can", "could": "could", "couldn": "could", "may": "may"}


def _permit(m: re.Match[str]) -> str:
    modal = re.match(r"[a-z]+", m["neg"].lower()).group(0)
    return f"{m['subject']} {_PERMITTED.get(modal, modal)} "


def distribute_negation(sentence: str) -> str:
    """``sentence`` with a denied denial written as the permission it is (:data:`_DENIED_DENIAL`) and a negation
    shared by two subjects or two verbs written out for each (:data:`_NEITHER_SUBJECTS`, :data:`_NEITHER_AGENTS`,
    :data:`_NEITHER_ACTORS`, :data:`_NEITHER`, :data:`_NOT_EITHER`)."""
    sentence = _DENIED_DENIAL.sub(_permit, sentence)
    sentence = _NEITHER_SUBJECTS.sub(_deny_each, sentence)
    sentence = _NEITHER_AGENTS.sub(_deny_agents, sentence)
    sentence = _NEITHER_ACTORS.sub(_deny_actors, sentence)
    sentence = _NEITHER.sub(lambda m: f"{m['head']} not {m['a']}, {m['head']} not {m['b']}", sentence)
    return _NOT_EITHER.sub(
        lambda m: f"{m['subject'] or ''}{m['neg']} {m['a']}, {m['subject'] or ''}{m['neg']} {m['b']}",
        sentence,
    )
