"""Sentences and clauses of a practitioner's text, as the reader sees them.

:func:`marked_sentences` and :func:`split_sentences` cut a text into sentences (a line wrapped inside a sentence
is joined, a heading kept apart); :func:`marked_clauses` cuts a sentence into clauses with the conjunction that
opened each; :func:`asking` says how a clause asks rather than states; :func:`scoped_tokens` marks every word in
a negation's scope; :func:`repair` writes out contractions typed without an apostrophe and note-style
abbreviations; :func:`without_belief_lead` drops a lead-in that frames a clause as a belief.
"""

from __future__ import annotations

import re

from fairmend.recommender.amounts import is_question
from fairmend.recommender.negation import distribute_negation
from fairmend.recommender.statements import normalise

NEGATORS = re.compile(
    r"\b(not|no|never|nobody|none|nothing|neither|nor|without|unable|impossible|prohibit\w*|"
    r"forbid\w*|ban|banned|bans|barred|bar|unlawful|illegal|off-limits|refuse\w*|lack|lacks)\b"
)
PERMISSION = re.compile(
    r"\b(can|could|may|allowed|allow|allows|permitted|permits|permit|free|fine|ok|okay|"
    r"possible|able|legal|lawful|acceptable|happy|approved|lets?)\b"
)
_MODALS = r"(?:can|could|may|might|must|will|would|shall|is|are|was|were|be|being)"
DENIED = re.compile(
    rf"\b(?:{_MODALS} )?not (?:be )?(?:allowed|permitted|possible|able|legal|lawful|acceptable"
    rf"|an option)\b|\b{_MODALS} not\b"
)
RESTRICT = re.compile(r"\b(only|just|solely|exclusively|nothing else|nowhere else|except)\b")
# Negation scope ends at punctuation or at a word that starts a new proposition.
_SCOPE_END = re.compile(r"^(but|however|although|though|yet|whereas|while|and|so|because|since|or)$")
_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|[.,;:!?]")

# A sentence also ends after a closing quote or bracket when a new one begins ("From the VP: 'No more than
# 1%.' The team owns it"; not "asking me 'can we retrain?' and I said").
_SENTENCE = re.compile(
    r"(?<=[.!?;])\s+|(?<=[.!?;][\'\"\u2019\u201d)\]])\s+(?=[A-Z0-9\"\'\u201c\u2018(])|\s*\n+\s*"
)
# A colon ends a statement ("Two things: the model is frozen ...") unless it joins a label of a few words to a
# short value ("Retraining: not permitted (vendor)", "Model: frozen"): the two are one statement, and the
# value read alone ("not permitted") no longer says what it is about.
# A label that only announces what follows ("Ask: what should we do?", "Context: ...") is not its subject.
_COLON = re.compile(r"(?<=:)\s+")
LABEL_WORDS = 5
VALUE_WORDS = 4  # a longer value is a statement of its own ("Read-only access: we can query the system ...")
_META_LABEL = re.compile(
    r"^(?:the\s+)?(?:ask|question|request|goal|aim|issue|problem|context|background|situation|note|update|edit|ps"
    r"|fyi|tl;?dr|summary|bottom line|details?|story|concern|observation|finding|symptom|help|q|a)\s*:$",
    re.IGNORECASE,
)
_CLAUSE = re.compile(
    # not after "as": "as though" and "as yet" belong to the clause they stand in ("it isn't as though
    # retraining is off-limits" is one statement, and it grants); "so far" is no "so"
    r"(?<!\bas)\s*,?\s+\b(?:but|however|although|though|whereas|yet|so that|so(?!\s+far\b)|because|since|while|"
    r"which means)\b\s+|\s*,\s+(?:and\s+)?|\s+[-\u2013\u2014]+\s+|\s*[()]\s*"
    # "and" starts a new clause only before a subject, a modal or a negation
    r"|\s+and\s+(?=(?:we|i|you|they|it|he|she|there|nobody|no one|can|cannot|can't|could|"
    r"may|must|might|should|will|won't|not|never|no|our|their|its|using|use)\b)"
    # an adverbial "without" + gerund is a statement of its own ("..., without retraining it")
    r"|\s+(?=without\s+[a-z]+ing\b)"
)


# A topic asked as a question and answered at once ("Retraining? Not happening", "Sensitive attributes at
# scoring? No.") is one statement, like a label and its value.
_ANSWER = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|no|nope|nah|not|never|absolutely|sure|of course|impossible|allowed|forbidden"
    r"|permitted|fine|ok|okay|out of the question|off the table|n/a)\b",
    re.IGNORECASE,
)
# A question that asks for a yes or a no ("could we retrain it?", "can't we just use age?"): it states no
# permission; an answer after it ("yes we can", "no") does (see fairmend.recommender.combine).
_YES_NO = re.compile(
    r"^\W*(?:(?:so|and|but|then|also|or|ok|okay|now|hey|quick q)\W+)?(?:(?:ca|wo)n['\u2019]t|cannot|(?:can|could"
    r"|may|might|should|would|will|shall|is|are|am|do|does|did|have|has)(?:n['\u2019]t| not)?)\s+\w",
    re.IGNORECASE,
)
# A yes/no question without its verb, led by what it asks about ("Retraining?", "Using gender at decision
# time?", "And refitting it?", "Race usable when scoring?"; eight words at most); not "Anything we can do?",
# "Having been told we may use age, ...?".
_VERBLESS = re.compile(
    r"^\W*(?:(?:so|and|but|also|or|what about|how about)\W+)?(?!\w*thing\b|having\b|being\b)[a-z-]+ing\b"
    # or by what it asks about and the state asked of it ("Race usable when scoring?", "Retraining an option?")
    r"|^\W*(?:(?:so|and|but|also|or)\W+)?(?:the\s+)?[a-z-]+(?:\s+[a-z-]+)?\s+(?:usable|allowed|permitted|ok|okay"
    r"|possible|an\s+option|on\s+the\s+table|off\s+the\s+table|off[- ]limits)\b",
    re.IGNORECASE,
)
# "Whether" that opens the decision the model makes ("we can't use sex when deciding whether to offer the
# policy", "the model predicts whether a claim is paid") asks nothing of the writer; one before a step of the
# work ("we haven't decided whether to retrain") still does.
_WHETHER = (
    r"(?<!predicts )(?<!predict )(?<!predicting )(?<!predicted )whether\b(?!\s+to\s+(?!(?:re-?train|re-?fit|re-?build"
    r"|use|using|include|drop|keep|allow|permit|change|touch|modify|alter|fine-?tune|collect|store|retire"
    r"|replace)\b)\w)"
)
# A question reported inside a statement ("we don't know yet whether legal will let us retrain"): no
# permission and no prohibition, whatever follows.
_INDIRECT = re.compile(
    r"^\W*"
    + _WHETHER
    + r"|\b(?:"
    + _WHETHER
    + r"|not sure if|unsure if|(?:don't|do not|doesn't|does not|didn't|did not) know if"
    r"|unclear if|wonder(?:ing)? if|ask(?:ed|ing)? (?:them |legal |compliance )?if|no idea if|not certain if"
    # "nobody knew if we could refit it": a question nobody could answer, no statement
    r"|(?:nobody|no one|no-one|none of us) (?:knew|knows|was sure|is sure|could say|could tell us) if"
    # a question left open ("nothing has been decided yet about what we can change")
    r"|^\W*(?:about|on|as to|regarding)\s+(?:what|which|whether|how much|how far)"
    r"|\b(?:decided|agreed|settled|clear|known|determined)\s+(?:yet\s+)?(?:about|on|as to)\s+(?:what|which|whether))\b",
    re.IGNORECASE,
)


# A line broken inside a sentence (text wrapped by hand or by a mail client: "... and we retrain it" / "each
# season."): a line of some length that ends without a stop, then a line that goes on in lower case. A short line
# (a list item, "no retraining" / "no race") still ends a statement.
_WRAPPED = re.compile(r"(?<=[^\n.!?;:]{40})(?<![.!?;:])[ \t]*\n[ \t]*(?=[a-z0-9(])")


def marked_sentences(text: str) -> list[tuple[str, bool]]:
    """The statements of ``text`` (see :func:`split_sentences`), each with whether it ends with a question
    mark."""
    pieces = [p for p in _SENTENCE.split(_WRAPPED.sub(" ", text.strip())) if p.strip()]
    joined: list[str] = []
    for piece in pieces:
        prev = joined[-1] if joined else ""
        if (
            prev.rstrip().endswith("?")
            and len(prev.split()) <= LABEL_WORDS
            and not is_question(prev.lower())  # a real question ("Why?") asks; a topic ("Retraining?") labels
            and _ANSWER.match(piece)
        ):
            joined[-1] = f"{prev.rstrip(' ?')} {piece}"  # "Retraining? Not happening" -> one statement
        else:
            joined.append(piece)
    out = []
    for sentence in joined:
        parts = _COLON.split(sentence)
        if (
            len(parts) > 1
            and len(parts[0].split()) <= LABEL_WORDS
            and len(re.sub(r"\([^)]*\)", "", parts[1]).split()) <= VALUE_WORDS
            and not _META_LABEL.match(parts[0].lstrip("*-\u2022 "))
        ):
            parts = [f"{parts[0]} {parts[1]}", *parts[2:]]
        asked = sentence.rstrip(" '\"\u2019\u201d)").endswith("?")  # a quoted question asks too
        parts = [p for p in parts if p.strip(" .;:!?")]
        out += [(p.strip(" .;:!?"), asked and i == len(parts) - 1) for i, p in enumerate(parts)]
    return out


def split_sentences(text: str) -> list[str]:
    return [s for s, _ in marked_sentences(text)]


def asking(clause: str, first: bool, question: bool) -> str:
    """How ``clause`` asks rather than states: "indirect" for a question reported in it ("whether legal will
    let us retrain"), "yes_no" for the opening clause of a yes/no question ("could we retrain it"), else ""."""
    if _INDIRECT.search(clause):
        return "indirect"
    return (
        "yes_no"
        if question
        and first
        and (_YES_NO.match(clause) or (_VERBLESS.match(clause) and len(clause.split()) <= 8))
        else ""
    )


def split_clauses(sentence: str) -> list[str]:
    """Clauses of one sentence: split at conjunctions, commas and dashes (empty pieces dropped)."""
    return [text for text, _ in marked_clauses(sentence)]


_MARKED = re.compile(f"({_CLAUSE.pattern})")


def marked_clauses(sentence: str) -> list[tuple[str, str]]:
    """``(clause, marker)`` pairs: the marker is the conjunction that introduced the clause ("but",
    "although", ...; "" for none), so that combining knows which statement concedes and which prevails.
    A fragment of one or two words is no clause: a lone connective ("however") becomes the marker of the
    next clause, and a bare noun phrase ("the deployment") is joined to the clause after it. A negation
    shared by two verbs is distributed first (:func:`distribute_negation`)."""
    pieces = _MARKED.split(distribute_negation(sentence))
    raw: list[tuple[str, str]] = []
    marker = ""
    for i, piece in enumerate(pieces):
        if i % 2:  # a delimiter
            marker = re.sub(r"[^a-z ]", "", piece.lower()).strip() or marker
            continue
        text = piece.strip(" ,.;:!?")
        if text:
            raw.append((text, marker))
            marker = ""
    out: list[tuple[str, str]] = []
    carry, carry_marker = "", ""
    for text, marker in raw:
        if len(text.split()) <= 2 and text.lower() in _CONNECTIVES:
            carry_marker = carry_marker or text.lower()
            continue
        joins = (len(text.split()) <= 2 and _DETERMINER.match(text.lower())) or _BARE_MODAL.fullmatch(
            text.lower()
        )
        if joins and (text, marker) != raw[-1]:
            carry = f"{carry} {text}".strip()
            carry_marker = carry_marker or marker
            continue
        out.append((f"{carry} {text}".strip(), carry_marker or marker))
        carry, carry_marker = "", ""
    if carry:
        out.append((carry, carry_marker))
    return out or [(sentence, "")]


# A subject and its modal cut off by an aside ("We can, however, decide on the threshold"): joined to what follows.
_BARE_MODAL = re.compile(r"(?:we|i|you|they|he|she|it)\s+(?:can|could|may|might|must|will|would|should)")
_DETERMINER = re.compile(r"(the|a|an|our|their|its|this|that|these|those|his|her|my|your)\b")
_CONNECTIVES = frozenset(
    {
        "however",
        "but",
        "yet",
        "though",
        "although",
        "still",
        "also",
        "so",
        "then",
        "and",
        "too",
        "instead",
        "actually",
        "in fact",
        "of course",
        "sadly",
        "luckily",
        "fortunately",
    }
)


def scoped_tokens(text: str) -> list[str]:
    """Tokens of ``text`` with every word in a negation's scope prefixed by ``NOT_``."""
    out: list[str] = []
    negated = False
    for tok in _TOKEN.findall(normalise(text)):
        if tok in ".,;:!?" or _SCOPE_END.match(tok):
            negated = False
            if tok not in ".,;:!?":
                out.append(tok)
            continue
        if NEGATORS.fullmatch(tok):
            negated = not negated
            out.append(tok)
            continue
        out.append("NOT_" + tok if negated else tok)
    return out


# Contractions typed without the apostrophe ("we cant retrain", "it isnt ours"): the models learned the
# negation from "can't" / "cannot", and "cant" alone reads as a different word.
_BARE_CONTRACTION = re.compile(
    r"\b(ca|wo|do|does|did|is|are|was|were|could|should|would|must|has|have|had|need)nt\b", re.IGNORECASE
)


# Abbreviations of terse notes, written out ("protected attr not usable in prod", "retrain w/o the vendor").
_ABBREVIATIONS = {
    "attr": "attribute",
    "attrs": "attributes",
    "prod": "production",
    "w/o": "without",
    "w/": "with",
    "b/c": "because",
    "govt": "government",
    "dept": "department",
    "mgmt": "management",
    "reqs": "requirements",
    "thresh": "threshold",
    "preds": "predictions",
    "approx": "approximately",
    "acc": "accuracy",
}
_ABBREVIATION = re.compile(
    r"(?<![\w/])("
    + "|".join(re.escape(a) for a in sorted(_ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w/])",
    re.IGNORECASE,
)


def repair(text: str) -> str:
    """``text`` with apostrophe-less contractions restored ("cant" -> "can't") and the abbreviations of terse
    notes written out ("attr" -> "attribute"); what the models read."""
    text = _BARE_CONTRACTION.sub(lambda m: m.group(1) + "n't", text)
    return _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group(1).lower()], text)


# The lead-in that frames a clause as someone's belief or report ("we thought that ...", "earlier I said
# ..."). The clause is read without it, for what it states; combining then treats the statement as a belief
# that later words may withdraw (fairmend.recommender.combine). Read with it, the exemplars that state a
# belief and its withdrawal in one breath would pull the reading of the belief alone to the withdrawal.
_BELIEF_LEAD = re.compile(
    r"^\s*(?:(?:earlier|initially|originally|at first|first|previously|before),?\s+)?(?:we|i|they|everyone|people"
    r"|the team|management|legal|compliance)\s+(?:had\s+|used\s+to\s+)?(?:thought|think|believed|believe|assumed|assume"
    r"|said|wrote|were told"
    r"|was told|had been told|were under the impression)\s+(?:that\s+)?(?=\w)"
    # "having been told we may use age ...": what was said is read for itself
    r"|^\s*(?:having been told|after being told|once told)\s+(?:that\s+)?(?=\w)",
    re.IGNORECASE,
)


def without_belief_lead(clause: str) -> str:
    """``clause`` without a lead-in that frames it as a belief, when something is left."""
    stripped = _BELIEF_LEAD.sub("", clause)
    return stripped if len(stripped.split()) >= 2 else clause
