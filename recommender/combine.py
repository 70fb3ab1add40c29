"""Combine the reader's clause readings into one finding per dimension.

Each clause read by :mod:`fairmend.recommender.reader` gives, per dimension, a value and a confidence.
A text settles a dimension as follows:

- a statement that is later withdrawn gives way to the later one: the earlier clause is framed as a
  belief ("we thought", "we were told", "used to", "originally") or the later one reverses it
  ("actually", "turns out", "since the merger", "now");
- of two statements joined by a contrast, the one after "but"/"however"/"yet" prevails, and a
  concessive clause ("although ...", "even though ...") gives way to the main clause;
- a clause with no content of its own that negates or reverses ("it is not", "scratch that, we can")
  flips the statement just made;
- a belief stated as past ("we thought we could not retrain") that nothing later takes up is read as
  withdrawn (the permission or prohibition it denies), with less confidence;
- any other disagreement is settled by confidence; against a firm rival the winner keeps only its margin,
  so a close call falls below :data:`~fairmend.recommender.settle.UNDERSTOOD` and is reported as uncertain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fairmend.recommender.statements import (
    APART,
    ASKED_SPAN,
    BELIEF,
    CLEARED,
    COGNITIVE,
    CONCESSIVE,
    CONFIRM,
    CONTRAST,
    CONTRAST_LEAD,
    ENDED,
    ENDED_SPAN,
    FLIP,
    FUNCTION_WORDS,
    HEDGE,
    HEDGED,
    IMAGINED,
    JOINS_IN,
    MEASURING_KINDS,
    MOVED_ON,
    NOT_AT_DECISION,
    NOT_OURS,
    NOT_OURS_ALONE,
    NOT_THIS_ONE,
    OTHER_PARTY,
    OTHER_SUBJECT,
    PURPOSE_MARKERS,
    REPORTED,
    REPORTED_ANSWER,
    REQUIRED_OR_GRANTED,
    RETRAIN_TOPIC,
    REVERSAL,
    STAYS,
    SUPPOSITION,
    THIS_ONE,
    USE_TOPIC,
    WANTED_FIX,
    WISH,
    WRITER,
    kept_as_is,
    normalise,
    reply_answer,
    stated_in_past,
)

PREVAIL = 0.8
# A whole sentence read this surely overrides a less sure (< PREVAIL) opposite reading of one of its clauses.
SENTENCE_OVERRIDES = 0.9
FIRM = 0.6  # the reader's threshold for a reading it applies (fairmend.recommender.settle.UNDERSTOOD)


@dataclass
class Finding:
    """The reader's value for one dimension, its confidence and the clause it came from."""

    value: str
    confidence: float
    evidence: str


@dataclass
class Reading:
    """What one clause says about one dimension, with the discourse cues around it."""

    value: str
    confidence: float
    evidence: str
    position: int
    believed: bool  # framed as a past belief ("we thought ...")
    reversal: bool  # withdraws what came before ("actually ...")
    prevails: bool  # after a contrast ("but ...")
    concedes: bool  # a concessive clause ("although ...")
    reported: bool = False  # framed only as what someone said ("we were told ..."), not as a belief


def _contentless(words: str) -> bool:
    return len([w for w in re.findall(r"[a-z]+", words) if w not in FUNCTION_WORDS]) <= 1


# A clause that withdraws the rule just stated by naming it ("she withdrew that objection", "the ban was lifted
# in May"): it flips that statement as "it is not" does, whatever else the clause tells.
_RULE_NOUN = (
    r"(?:objections?|restrictions?|bans?|rules?|prohibitions?|requirements?|conditions?|vetos?|vetoes|freezes?"
    r"|limitations?|constraints?|rulings?|advice|guidance|stance|verdict)"
)
_WITHDRAWN_RULE = re.compile(
    r"\b(?:withdr[ae]w|withdrawn|withdrawing|lift(?:ed|s)?|rescind(?:ed|s)?|revok(?:ed|es)|waiv(?:ed|es)"
    r"|overturn(?:ed|s)?|retract(?:ed|s)?|reversed|dropped|scrapped) (?:(?:that|the|this|those|these|her|his|their|its|our)"
    r" )?(?:[\w-]+ )?" + _RULE_NOUN + r"\b"
    # the statement just made, by its pronoun at the clause's end ("after a review they reversed that")
    r"|\b(?:withdr[ae]w|rescinded|revoked|overturned|retracted|reversed) (?:that|this|it)\W*$"
    r"|\b(?:that|the|this|those|these|her|his|their|its|our) (?:[\w-]+ )?"
    + _RULE_NOUN
    + r" (?:(?:has|have|had) (?:since |now |officially )?been|was|were|is|are|got) (?:since |now |officially )?"
    r"(?:withdrawn|lifted|rescinded|revoked|waived|overturned|reversed|dropped|retracted|scrapped)\b"
)


_BARE_NOT = re.compile(r"(it|that|this|they) (is|are|was|were) not")


def elliptical(text: str) -> bool:
    """A withdrawal or bare negation with no content of its own ("it is not", "actually we can"), also
    after a lead-in ("after talking to compliance we learned that it can be": what follows the reversal
    cue says nothing new)."""
    norm = normalise(text)
    if _BARE_NOT.fullmatch(norm) or _WITHDRAWN_RULE.search(norm):
        return True
    cue = REVERSAL.search(norm)
    if cue is None:
        return False
    # a cue that closes the clause ("so we can retrain it after all") leaves the clause its own content
    rest = norm[cue.end() :].strip(" ,.;:!?")
    return _contentless(norm) or (bool(rest) and _contentless(rest))


def _wins(later: Reading, earlier: Reading) -> bool | None:
    """Whether ``later`` withdraws or overrides ``earlier`` by discourse alone (``None``: cannot tell).
    A contrast ("..., but ...") overrides only a confident reading: the clause after "but" is often about
    something else, and a weak reading of it is more likely the classifier's error than a withdrawal. For the
    same reason a reversal or a contrast holds off a later opposite statement only when it is read confidently
    ("Turns out the policy treats any refit as a new model ... So: no refit": the weak permission read from
    the first does not outrank the second)."""
    contrast = later.prevails and later.confidence >= PREVAIL
    withdraws = earlier.believed or later.reversal or contrast or earlier.concedes
    if withdraws and not (later.believed or later.concedes):
        return True
    if (
        later.believed
        or later.concedes
        or ((earlier.reversal or earlier.prevails) and earlier.confidence >= PREVAIL)
    ):
        return False
    return None


def _challenge(confidence: float) -> float:
    """How much a contradicting reading takes off the winner's confidence: half its own, when it is firm
    (at least :data:`FIRM`); a weak contradiction is more likely the classifier's noise than a real doubt."""
    return 0.5 * confidence if confidence >= FIRM else 0.0


def settle(readings: list[Reading]) -> Finding | None:
    """One dimension's finding from its readings, in text order (see the module docstring)."""
    if not readings:
        return None
    current = readings[0]
    conf = current.confidence
    for r in readings[1:]:
        if r.value == current.value:
            if r.confidence > conf:
                current, conf = r, r.confidence
            continue
        if current.value in MEASURING_KINDS and r.value == "no_intervention":
            continue  # "monitoring only pls ... what tests?": changing nothing agrees with the kind of work stated
        if {current.value, r.value} == NOT_AT_DECISION:
            # "religion at inference = no; the claims system has never had that field": both keep the attribute
            # from the decision, so neither weakens the other; the surer one says how
            if r.confidence > conf:
                current, conf = r, r.confidence
            continue
        decided = _wins(r, current)
        if decided is True:
            current, conf = r, r.confidence
        elif decided is None:  # the surer reading wins, keeping only its margin over a firm rival
            if r.confidence > conf:
                current, conf = r, r.confidence - _challenge(conf)
            else:
                conf -= _challenge(r.confidence)
        # decided is False: the earlier statement stands
    if current.believed and not current.reported and current.value in FLIP and current is readings[-1]:
        # "we thought we could not retrain", with nothing after it: a belief stated as past is withdrawn
        return Finding(FLIP[current.value], conf * 0.8, current.evidence)
    return Finding(current.value, conf, current.evidence)


def combine(
    clauses: list[Any], sentences: list[Any], dimensions: dict[str, tuple[str, ...]], *, floor: float
) -> dict[str, Finding]:
    """Per dimension, the value the text settles on. ``clauses`` carry ``text``, ``marker``, ``best(dim)``;
    ``sentences`` are whole multi-clause sentences, read only for dimensions no clause settled."""
    readings: dict[str, list[Reading]] = {d: [] for d in dimensions}
    last: list[str] = []
    asked: list[str] = []  # what the question just asked is about, until it is answered or left behind
    waited = 0  # clauses since that question that stated nothing
    turned = -1  # the last sentence about another model (see THIS_ONE)
    others: set[int] = set()  # sentences that state another party's rule (see OTHER_PARTY)
    norms = [normalise(u.text) for u in clauses]
    sentence_norms = [normalise(u.text) for u in sentences]
    imagined = {
        getattr(u, "sentence", -1)
        for u, norm in zip((*clauses, *sentences), (*norms, *sentence_norms))
        if IMAGINED.search(norm)
    }
    said: dict[int, list[str]] = {}
    for u, norm in zip(clauses, norms):
        said.setdefault(getattr(u, "sentence", -1), []).append(norm)
    elsewhere = {  # (see OTHER_SUBJECT)
        i
        for i, words in said.items()
        if OTHER_SUBJECT.match(words[0])
        and (not JOINS_IN.search(" ".join(words)) or APART.search(" ".join(words)))
    }
    others.update(elsewhere)
    for pos, unit in enumerate(clauses):
        norm = norms[pos]
        if getattr(unit, "sentence", -1) in elsewhere:
            continue
        if norm in ("a", "answer", "q", "question", "reply", "response"):
            continue  # the label of a question or its answer ("Q: can we retrain? A: yes") says nothing itself
        ended = ENDED.match(norm) is not None or (  # "that review has | since ended": split at "since"
            unit.marker == "since" and pos > 0 and ENDED.match(f"{norms[pos - 1]} since {norm}") is not None
        )
        if ended:  # the period a past rule held for is over (see ENDED)
            for dim, rs in readings.items():
                gone = [
                    r
                    for r in rs
                    if r.value in FLIP and r.position >= pos - ENDED_SPAN and stated_in_past(r.evidence)
                ]
                readings[dim] = [r for r in rs if r not in gone]
                others.update(getattr(clauses[r.position], "sentence", -1) for r in gone)
                if gone:  # perhaps lifted with it: an uncertain permission, for the writer to confirm
                    value = FLIP[gone[-1].value]
                    readings[dim].append(Reading(value, HEDGED, unit.text, pos, False, False, False, False))
        here = getattr(unit, "sentence", -1)
        moved = MOVED_ON.match(norm) is not None
        if moved or NOT_OURS_ALONE.search(norm):
            # the rules of the sentence before are another party's (see NOT_OURS_ALONE), or the past ones of an
            # employer the writer has left (see MOVED_ON)
            for dim, rs in readings.items():
                gone = [
                    r
                    for r in rs
                    if getattr(clauses[r.position], "sentence", -1) == here - 1
                    and (not moved or stated_in_past(r.evidence))
                ]
                readings[dim] = [r for r in rs if r not in gone]
                others.update(getattr(clauses[r.position], "sentence", -1) for r in gone)
        purpose = unit.marker in PURPOSE_MARKERS and pos > 0 and WANTED_FIX.search(norms[pos - 1]) is not None
        asks = getattr(unit, "asks", "")
        reply = REPORTED_ANSWER.sub("", norm) if asked else norm
        answer = reply_answer(reply)
        if answer is None and asked and unit.marker:
            # "Of course, the code is ours", "of course not": the splitter takes "of course" as the clause's
            # connective; after a question it is (part of) the answer
            answer = reply_answer(f"{unit.marker} {reply}")
        if asked and answer and not asks:
            for dim in asked:
                own, own_conf = unit.best(dim)
                conf = max(own_conf if own == answer else 0.0, 0.8)
                readings[dim].append(Reading(answer, conf, unit.text, pos, False, True, False, False))
            last = list(asked)
        answered = asked if answer and not asks else []
        still_asked = [] if answer else asked
        asked = []
        if unit.marker in CONTRAST and pos and WRITER.search(norm):
            before = norms[pos - 1]
            own = re.sub(
                r"^(?:i|we) (?:know|understand|am aware|are aware|realise|realize|hear|heard|read)(?: that)? ",
                "",
                before,
            )
            if (OTHER_PARTY.search(before) or NOT_OURS.search(norm)) and not WRITER.search(own):
                for dim, rs in readings.items():  # another party's rule (see OTHER_PARTY)
                    readings[dim] = [r for r in rs if r.position != pos - 1]
                others.add(getattr(clauses[pos - 1], "sentence", -1))
        away = NOT_THIS_ONE.search(norm) is not None
        if away or THIS_ONE.search(norm):
            # what came before is about another model (see THIS_ONE); a NOT_THIS_ONE clause is about it too
            turned = getattr(unit, "sentence", 0) - (0 if away else 1)
            readings = {d: [] for d in readings}
            last = []
            if away:
                continue
        if CONFIRM.match(norm):  # "..., and that is right": what was reported is no withdrawn belief
            for dim in last:
                if readings[dim]:
                    readings[dim][-1].believed = False
            continue
        if elliptical(unit.text):  # "it is not", "scratch that, we can": flip the statement just made
            kept = unit.marker == "and" and _BARE_NOT.fullmatch(norm) is not None
            # with nothing said before, a withdrawal that names what it withdraws ("Model risk lifted the
            # retraining freeze") says what it means
            for dim in last or [d for d in dimensions if unit.best(d)[0] in FLIP and unit.best(d)[1] >= FIRM]:
                prev = readings[dim][-1] if readings[dim] else None
                own, own_conf = unit.best(dim)
                if kept and prev is not None and prev.value == "forbidden":
                    continue  # "X must never be an input, and it isn't": the rule kept, nothing withdrawn
                if own in FLIP and own_conf >= FIRM:  # "actually we can retrain": it says what it means
                    readings[dim].append(Reading(own, own_conf, unit.text, pos, False, True, False, False))
                elif prev is not None and prev.value in FLIP:
                    # "(that's been) cleared with legal", "the scheme actually requires it": a clearance, a
                    # requirement or a grant permits, whatever came before
                    permits = CLEARED.search(norm) or REQUIRED_OR_GRANTED.search(norm)
                    granted = "allowed" if permits else FLIP[prev.value]
                    readings[dim].append(
                        Reading(
                            granted,
                            max(prev.confidence, 0.8),
                            unit.text,
                            pos,
                            False,
                            True,
                            False,
                            False,
                        )
                    )
            continue
        cues = {
            "believed": bool(BELIEF.search(norm)),
            "reversal": bool(REVERSAL.search(norm)),
            "prevails": unit.marker in CONTRAST or CONTRAST_LEAD.match(norm) is not None,
            "concedes": bool(CONCESSIVE.match(norm)) or unit.marker in ("although", "though", "whereas"),
        }
        # "compliance told us race must not enter the decision": what someone said stands unless withdrawn later
        reported = cues["believed"] and not COGNITIVE.search(norm) and bool(REPORTED.search(norm))
        stated = []
        wish = (
            WISH.search(norm) is not None and pos + 1 < len(clauses) and clauses[pos + 1].marker in CONTRAST
        )
        for dim in dimensions:
            value, conf = unit.best(dim)
            if dim == "scope" and kept_as_is(norm, value):
                continue
            if ended and value == "forbidden":
                continue  # "the freeze ended in January" states no rule
            if value in FLIP and purpose:
                continue  # the goal of a wanted fix (see PURPOSE_MARKERS)
            supposition = SUPPOSITION.match(norm) is not None
            if supposition and value in FLIP and getattr(unit, "sentence", -1) in imagined:
                continue  # an imagined rule (see IMAGINED)
            supposed = value == "allowed" and supposition
            if (
                value == "none"
                or conf < floor
                or ((wish or supposed) and value == "allowed")
                or dim in answered
            ):
                continue
            if value in FLIP and HEDGE.search(norm):
                conf = min(conf, HEDGED)
            if value in FLIP and asks:
                # a question states no permission ("could we retrain it?"), a reported one nothing at all
                # ("we don't know whether legal will let us retrain"); a prohibition inside a yes/no question
                # stands ("can we do anything if the scorer can't be touched?")
                asked.append(dim)
                if value == "allowed" or asks == "indirect":
                    continue
            stated.append(dim)
            readings[dim].append(Reading(value, conf, unit.text, pos, **cues, reported=reported))
        if asks and RETRAIN_TOPIC.search(norm) and "retraining" not in asked:
            asked.append("retraining")
        if (
            asks == "yes_no"
            and "inference" in dimensions
            and "inference" not in asked
            and getattr(unit, "names_attribute", False)
            and USE_TOPIC.search(norm)
        ):
            asked.append("inference")
        if stated:
            last = stated
        if asked:
            waited = 0  # a new question
        elif still_asked and not stated and waited < ASKED_SPAN:
            asked, waited = still_asked, waited + 1  # "Asked my manager": the question still waits
    found = {dim: f for dim, rs in readings.items() if (f := settle(rs)) is not None}
    # a sentence read whole settles a dimension none of its clauses did,
    for unit, norm in zip(sentences, sentence_norms):
        sentence = getattr(unit, "sentence", 0)
        if sentence <= turned or sentence in others or THIS_ONE.search(norm):
            continue  # (one about another model settles nothing)
        for dim in dimensions:  # and vouches for a clause's reading it agrees with
            value, conf = unit.best(dim)
            if value == "none" or conf < floor:
                continue
            if dim == "scope" and kept_as_is(norm, value, STAYS):
                continue  # as for a clause: the part named is the one that stays as it is
            asks = getattr(unit, "asks", "")
            if value in FLIP and (asks == "indirect" or (asks and value == "allowed")):
                continue  # a question states no permission (see above)
            if value in FLIP and sentence in imagined and SUPPOSITION.match(norm):
                continue  # an imagined rule (see IMAGINED)
            if value in FLIP and HEDGE.search(norm):
                conf = min(conf, HEDGED)  # a guess (see HEDGE)
            if dim not in found:
                found[dim] = Finding(value, conf, unit.text)
            elif (
                value in FLIP
                and found[dim].value == FLIP[value]
                and found[dim].evidence in unit.text
                and conf >= SENTENCE_OVERRIDES
                and found[dim].confidence < PREVAIL
            ):
                # "we wanted to retrain but the vendor forbids it": the clauses split the statement so that
                # neither half says it firmly; the sentence read whole does
                found[dim] = Finding(value, conf, unit.text)
            elif (
                found[dim].value == value
                and found[dim].evidence in unit.text
                and conf > found[dim].confidence
            ):
                found[dim] = Finding(value, conf, found[dim].evidence)
    return found
