"""Exact checks of what a clause reports rather than rules, and of rules the clause model underrates.

A routine or past retraining (:func:`routine`), the writer being the vendor (:func:`writer_is_vendor`), a use
of the attribute for training alone (:func:`trained_only`), fixes that failed (:func:`failed`) and other
descriptions (:func:`described`) give no constraint; a model named as something the writer cannot change
(:func:`unchangeable`), a permission granted outright (:func:`granted`), a model never given the attribute
(:func:`not_fed`) and an absence that is the decision step's (:func:`kept_from_decision`) make the reading at
least :data:`~fairmend.recommender.clause_rules.RULED` sure.
"""

from __future__ import annotations

import re

import numpy as np
from fairmend.recommender.clause_rules import DECISION, at_least, moved, unread
from fairmend.recommender.clause_text import NEGATORS
from fairmend.recommender.cues import held_in_contrast

_MONTHS = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr"
    r"|jun|jul|aug|sep|sept|oct|nov|dec)"
)
# A routine or scheduled retraining reported as a fact ("the model is retrained quarterly by the Nairobi team",
# "a propensity model we refit monthly"): an event, not a permission (the labelling rules say so too). Without a
# word of permission, ability, plan or negation in the clause it gives no "may retrain" reading; the heads read
# the retraining verb as one.
_ROUTINE = re.compile(
    r"\b(?:re-?train\w*|re-?fit\w*|re-?buil[dt]\w*|re-?estimat\w*)\b(?:\W+\w+){0,6}?\W+(?:eve?ry (?:\w+ )?"
    r"(?:night|day|week|weekend|month|quarter|year|sprint|cycle|season|release|morning|evening|sunday"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|term|semester|intake|cohort)s?|(?:each|once a|twice a)"
    r" (?:night|day|week|month|quarter|year|sprint|cycle|season|release|term|semester|intake|cohort)|nightly|daily"
    r"|weekly|fortnightly|monthly|quarterly|annually|yearly|biweekly"
    r"|on a (?:\w+ )?(?:schedule|cadence|cycle))\b"
    r"|\b(?:nightly|daily|weekly|fortnightly|monthly|quarterly|annual|yearly|biweekly|scheduled|routine|regular)"
    r" (?:re-?train\w*|re-?fit\w*)\b"
    # a dated retraining in the past ("we retrained it in Q2 with new features", "it has been retrained twice
    # since launch", "last month we refit it"): an event as well
    r"|\b(?:re-?trained|re-?fit(?:ted)?|re-?built)\b(?:\W+\w+){0,6}?\W+(?:(?:in|during|back in) (?:q[1-4]|"
    + _MONTHS
    + r"|(?:the )?(?:spring|summer|autumn|fall|winter)|\d{4})|last (?:week|month|quarter|year|spring|summer|autumn"
    r"|fall|winter|sprint|time)|(?:once|twice|three times|several times|many times|\w+ times) since|(?:\d+|a|one"
    r"|two|three|a few|several) (?:days?|weeks?|months?|quarters?|years?) ago|yesterday)\b"
    r"|\b(?:last (?:week|month|quarter|year)|in q[1-4]|yesterday)\W+(?:\w+\W+){0,3}?(?:re-?trained|re-?fit(?:ted)?"
    r"|re-?built)\b"
)
_ROUTINE_OPEN = re.compile(
    r"\b(?:can|could|may|might|allowed|allow|allows|permitted|permit\w*|free|fine|ok|okay|possible|able"
    r"|approved|approves|sign\w* off|welcome|up for grabs|will|going to|plan\w*|want|wants|need|needs|let|lets"
    r"|open|options?)\b|" + NEGATORS.pattern + r"|n't\b"
)


# "sorted" meaning settled ("that part is sorted", "we got the data sorted out") orders nothing; a model said not
# to use the attribute, as a description with no rule ("the attrition model doesn't use it"), or in a concession
# ("how a model can discriminate even if it never uses race"), bans nothing at decision time (the labelling
# rules: a mention of the attribute is not labelled).
_SETTLED = re.compile(
    r"\b(?:is|are|was|were|'s|been|got|get|getting|have|has)\s+(?:(?:all|now|already|mostly|more or less)\s+)?"
    r"(?:\w+\s+)?sorted(?:\s+out)?\s*(?:[.,;:!]|$)|\bsorted\s+out\b"
    # "the head coach wants it sorted before the season starts", "need this sorted by Friday"
    r"|\b(?:wants?|wanted|needs?|needed|gets?|got|have|has|had)\s+(?:it|this|that|them|things|the\s+(?:issue|problem"
    r"|gap|bias|matter))\s+sorted\s+(?:before|by|soon|quickly|asap|now|fast|first|today|this|next|in\s+time)\b"
)
# features ranked by their importance ("the model's feature importance ranks years at address highest") is an
# explanation of the model, not an ordering it produces
_FEATURES_RANKED = re.compile(
    r"\b(?:importances?|shap(?:\s+values?)?|attributions?|feature\s+weights?)\s+(?:\w+\s+)?rank(?:s|ed|ing)?\b"
)
# the advice asked for, in order ("what would you put at the top of the list?", "top of your list?"): an ordering
# of techniques, not one the model produces
_ADVICE_ORDER = re.compile(
    r"\b(?:what|which|where)\s+(?:\w+\s+)?(?:would|should|do|will)\s+you\s+(?:put|place|rank|list|have)\s+"
    r"(?:\w+\s+)?(?:at\s+the\s+top|first|highest|on\s+top)\b|\b(?:top|first)\s+(?:of|on)\s+your\s+list\b"
)
_NOT_USED = re.compile(
    r"^(?:(?:the|our|their|its|this|that)\s+(?:[\w-]+\s+){0,3}?(?:model|scorer|classifier|ranker|system|tool"
    r"|algorithm)|it)\s+(?:doesn't|does not|didn't|did not)\s+(?:currently\s+|even\s+)?(?:use|include)\s+"
    r"(?:it|them|[\w'-]+(?:\s+[\w'-]+)?)\W*$"
    r"|\beven (?:if|though|when)\s+(?:it|the model|they)\s+(?:never|doesn't|does not)\s+(?:uses?|includes?)\b"
    # "our loan model does not have religion as a feature (but ...)": what the model is built from, no rule and no
    # word on what is collected
    r"|\b(?:doesn't|does not|didn't|did not)\s+(?:use|include|have|contain)\s+(?:[\w'-]+\s+){1,3}?as\s+(?:a|an|one)\s+"
    r"(?:\w+\s+)?(?:feature|input|variable|predictor|column)s?\b"
)

# what the model outputs, described ("the detector outputs a probability and the integrity office reviews anything
# above 0.6"): how it works, no rule about changing it ("we only ever see the probability it emits" is one, and
# keeps its reading: see _RULE and _OUTSIDE)
_OUTPUT_DESCRIBED = re.compile(
    r"^\W*(?:the|our|this|its)\s+(?:[\w-]+\s+){0,3}?(?:model|detector|classifier|scorer|system|tool|engine|network)\s+"
    r"(?:outputs|emits|returns|produces|gives|generates)\s+(?:a|an|one)\s+(?:[\w-]+\s+)?(?:probability|score|number"
    r"|value|estimate)\b"
)
# a store of data locked or frozen ("our customer database is locked and encrypted", "the data warehouse is frozen
# for the migration"), or who may query it: access to records, not the model (a clause that names the model too
# is left as read)
_STORE_LOCKED = re.compile(
    r"^\W*(?:(?:the|our|their|its|this)\s+)?(?:[\w-]+\s+){0,2}?(?:database|data\s*warehouse|warehouse|data\s+lake"
    r"|data\s*store|crm|records?\s+system|server|bucket|data\s+platform)s?\s+(?:is|are|was|were|stays?|remains?"
    r"|has\s+been|have\s+been)\s+(?:\w+\s+)?(?:locked|frozen|encrypted|read-?only|sealed)\b"
    # who may look at it ("(the database is locked,) and only two admins can query it")
    r"|^\W*(?:and\s+)?only\s+(?:\w+\s+){0,2}?(?:admins?|administrators?|people|staff|analysts|engineers|users|members"
    r"|colleagues)\s+(?:can|may|are\s+allowed\s+to)\s+(?:query|access|read|see|open|view|log\s+into)\b"
)
# a supplier of something other than the model ("catering will come from the new supplier", "we switched email
# provider", "the cleaning contractor"): no outside model, so no ban on retraining (a clause that names a model,
# a score or its outputs too is left as read)
_GOODS = (
    r"(?:catering|food|lunch(?:es)?|coffee|furniture|cleaning|laptops?|office\s+space|venue|stationery|printing"
    r"|travel|uniforms?|payroll|e-?mail|phones?|badges?|parking|electricity|printers?|desks?|security\s+guards?)"
)
_OTHER_SUPPLY = re.compile(
    r"\b" + _GOODS + r"(?:\W+\w+){0,8}?\W+(?:vendor|supplier|provider|contractor)s?\b"
    r"|\b(?:vendor|supplier|provider|contractor)s?\s+(?:of|for)\s+(?:the\s+|our\s+)?" + _GOODS + r"\b"
)
_MODEL_OR_OUTPUT = re.compile(
    r"\b(?:model|classifier|scorer|ranker|algorithm|weights|predictor|network|score|scores|scoring|predictions?"
    r"|outputs?|api)\b"
)
_MODEL_WORD = re.compile(r"\b(?:model|classifier|scorer|ranker|algorithm|weights|predictor|network|tool)\b")
_OUTSIDE = re.compile(
    r"\b(?:vendor|supplier|third[- ]party|external|black[- ]box|api|contractor|licen[cs]ed|bought)\b"
)

# a field missing for part of the rows ("the language-preference field is missing for half the records"): held, if
# patchily, so not "not collected"
_PARTLY_MISSING = re.compile(
    r"\b(?:missing|blank|empty|unknown|unrecorded|absent|not recorded)\s+(?:for|in|from|on)\s+(?:about\s+|around\s+"
    r"|roughly\s+|over\s+|nearly\s+|almost\s+|only\s+)?(?:half|some|many|most|a\s+(?:third|quarter|fifth|lot|chunk)"
    r"|\d+\s*%|\d+\s+percent|part)\b"
)


def described(probs: dict[str, np.ndarray], text: str) -> dict[str, np.ndarray]:
    """``probs`` with no "ranking" task read from "sorted" meaning settled (:data:`_SETTLED`), from features
    ranked by importance (:data:`_FEATURES_RANKED`) or from the advice asked for in order
    (:data:`_ADVICE_ORDER`), no ban at decision time read from a described non-use (:data:`_NOT_USED`), no
    attribute "not collected" read from a field missing in part (:data:`_PARTLY_MISSING`), and no ban on
    retraining read from a locked store of data (:data:`_STORE_LOCKED`), a supplier of something other than the
    model (:data:`_OTHER_SUPPLY`) or a described output (:data:`_OUTPUT_DESCRIBED`)."""
    norm = text.lower().strip()
    if (
        (_SETTLED.search(norm) and not re.search(r"\bsorted\s+(?:by|into|in|list|order|results?)\b", norm))
        or _FEATURES_RANKED.search(norm)
        or _ADVICE_ORDER.search(norm)
    ):
        probs = moved(probs, "task", "ranking", "none")
    if _NOT_USED.search(norm):
        probs = moved(moved(probs, "inference", "forbidden", "none"), "inference", "not_collected", "none")
    if _PARTLY_MISSING.search(norm):
        probs = moved(probs, "inference", "not_collected", "none")
    if _STORE_LOCKED.search(norm) and not _MODEL_WORD.search(norm):
        probs = moved(probs, "retraining", "forbidden", "none")
    if _OTHER_SUPPLY.search(norm) and not _MODEL_OR_OUTPUT.search(norm):
        probs = moved(probs, "retraining", "forbidden", "none")
    if _OUTPUT_DESCRIBED.search(norm) and not _RULE.search(norm) and not _OUTSIDE.search(norm):
        probs = moved(probs, "retraining", "forbidden", "none")
    return probs


# the writer as the one who retrains ("our own overlay model, which we retrain monthly")
_OWN_ROUTINE = re.compile(r"\b(?:we|i)\s+(?:still\s+|also\s+|just\s+)?re-?(?:train|fit)\w*\b")


def routine(probs: dict[str, np.ndarray], text: str) -> dict[str, np.ndarray]:
    """``probs`` with no "may retrain" reading when ``text`` only reports a routine retraining (:data:`_ROUTINE`);
    and no "cannot retrain" either when the writer is the one who routinely retrains and the clause states no
    rule ("the bureau score is bought, but it feeds our own overlay model, which we retrain monthly": the
    purchase is another model's)."""
    norm = text.lower()
    if not _ROUTINE.search(norm):
        return probs
    if not _ROUTINE_OPEN.search(norm):
        probs = moved(probs, "retraining", "allowed", "none")
    if _OWN_ROUTINE.search(norm) and not _RULE.search(norm):
        probs = moved(probs, "retraining", "forbidden", "none")
    return probs


# The writer as the vendor ("I'm the supplier: we sell a churn-prediction API to telecom operators", "we are the
# vendor of this scorer"): the model is theirs to change, so the word names no ban on retraining.
_WRITER_IS_VENDOR = re.compile(
    r"^\W*(?:and |but |so )?(?:i|we)(?:'m|'re| am| are) (?:the|its|their|a|an) (?:[\w-]+ )?(?:supplier|vendor|provider"
    r"|developer|maker|builder|manufacturer)s?(?: of (?:it|this|the|that)\b[\w\s-]*)?\W*$"
)


def writer_is_vendor(probs: dict[str, np.ndarray], text: str) -> dict[str, np.ndarray]:
    """``probs`` with no "cannot retrain" reading when ``text`` calls the writer the vendor
    (:data:`_WRITER_IS_VENDOR`)."""
    if not _WRITER_IS_VENDOR.match(text.lower()):
        return probs
    return moved(probs, "retraining", "forbidden", "none")


# A use of the attribute granted for training alone ("gender may go into the loss", "the researchers may use
# it during estimation", "race can be used to train the model"), or for an offline purpose ("it can be used for
# reporting and monitoring"): no permission to use it when deciding. With
# "but not at inference" / "never to score anyone" in the same words it is a ban at decision time; a clause
# that also speaks of the decision otherwise is left to the classifiers.
_TRAINING_USE = re.compile(
    r"\b(?:during|in|for|at|while) (?:the )?(?:training|estimation|fitting|model fitting)\b"
    r"|\b(?:into|in) (?:the )?(?:training )?(?:loss|objective)\b|\bto (?:train|fit|estimate)\b|\bwhile training\b"
    r"|\b(?:when|while|in|for) (?:building|developing|fitting|training|estimating) (?:the |our |a |its )?(?:[\w-]+ )?"
    r"(?:model|classifier|scorer|ranker)\b"
    r"|\b(?:used|use\s+it|use\s+them)\s+(?:only\s+)?(?:for|in)\s+(?:the\s+|our\s+)?(?:reporting|monitoring|auditing|audits?"
    r"|evaluation|analytics|research|statistics)\b"
)
_NOT_AT_DECISION = re.compile(
    r"\b(?:but|and|yet|though)\s+(?:not|never)\s+(?:at|in|into|during|for|when|to)\s+(?:the\s+)?(?:[\w-]+\s+)?"
    r"(?:inference|decisions?|deciding|scoring|serving|production|deployment|predictions?|runtime|score)\b"
    r"|\bnever\s+(?:at|in|into|for|to)\s+(?:inference|decisions?|scor\w*|serv\w*|production|deploy\w*)"
)


def trained_only(probs: dict[str, np.ndarray], text: str) -> dict[str, np.ndarray]:
    """``probs`` with no "may use it at decision time" reading when ``text`` grants its use for training alone
    (:data:`_TRAINING_USE`), and with that reading turned into a ban when it also says "but not at inference"."""
    norm = text.lower()
    if not _TRAINING_USE.search(norm):
        return probs
    if _NOT_AT_DECISION.search(norm):
        return moved(probs, "inference", "allowed", "forbidden")
    if DECISION.search(norm):
        return probs
    return moved(probs, "inference", "allowed", "none")


# A report that fixes tried so far failed ("no fix has worked so far", "nothing we tried has helped", "none of
# the mitigations worked"): it states no rule about retraining and does not rule fixing out (it asks for
# another). The classifiers read the "no" of it as a ban or as "no intervention".
_FAILED = re.compile(
    r"\b(?:no|none of (?:the|our|them|those)|nothing)\s+(?:[\w-]+\s+){0,3}?(?:has|have|had|ever)\s+(?:really\s+|yet\s+)?"
    r"(?:worked|helped|succeeded|stuck|closed (?:it|the gap))\b"
)
# words of a rule beside the report ("no fix has worked and we cannot retrain"): the clause is left as read
_RULE = re.compile(
    r"\b(?:can ?not|can't|cannot|may not|must not|not allowed|forbid\w*|prohibit\w*|frozen|locked|only)\b"
)


def failed(probs: dict[str, np.ndarray], text: str) -> dict[str, np.ndarray]:
    """``probs`` with no retraining or scope reading when ``text`` only reports that fixes failed (:data:`_FAILED`)."""
    norm = text.lower()
    if not _FAILED.search(norm) or _RULE.search(norm):
        return probs
    return unread(unread(probs, "retraining"), "scope")


# The model or its code named as something the writer cannot change ("... with code we cannot change", "a
# scorer that we are not allowed to touch"): a ban on retraining in so many words, however long the clause
# around it (the classifiers read such a relative clause inside a longer statement weakly).
_UNCHANGEABLE = re.compile(
    r"\b(?:code|model|weights|pipeline|software|scorer|algorithm|classifier|system)s? (?:that |which )?(?:we|i)"
    r" (?:cannot|can't|can not|could not|may not|must not|are not allowed to|am not allowed to|have no right to)"
    r" (?:change|modify|touch|alter|edit|retrain|refit)\b"
    # the model called frozen or locked beside a second property ("eligibility model, frozen and gender-blind
    # at scoring time"): the classifiers read only the second
    r"|(?:^|\b(?:model|scorer|classifier|algorithm|system)s?,?\s+(?:(?:is|are|stays|remains)\s+)?)"
    r"(?:frozen|locked(?:\s+down)?)\s+and\s+(?!(?:then|later|now)\b)"
    # the model called an outside product ("the recommender behind our job board is an external SaaS"; the
    # labelling rules: a vendor model)
    r"|\b(?:model|recommender|ranker|ranking|classifier|scorer|filter|tool|engine|algorithm|screener|detector"
    r"|predictor)s?\b(?:\s+[\w'-]+){0,5}?\s+(?:is|are)\s+(?:an?\s+)?(?:external|third-party|third party"
    r"|off-the-shelf|proprietary|licensed|vendor(?:'s)?|commercial)\s+(?:[\w-]+\s+)?(?:saas|api|product|service)\b"
    # the code to rebuild it gone ("there's no code left to re-run it"; the labelling rules: code or data gone)
    r"|\bno (?:training |source |model )?(?:code|pipeline|scripts?|notebooks?) (?:left|remaining|anymore|any more"
    r"|available|to re-?(?:run|train|fit|build))\b"
    # "there's nothing (left) to rebuild it from": what it would be rebuilt from is gone
    r"|\bnothing (?:left )?to re-?(?:build|train|fit|run|create)(?: (?:it|them|(?:the|our|this) (?:[\w-]+ )?"
    r"(?:model|scorer|classifier|system|tool)))? (?:from|with|on)\b"
    # every new version to be approved, validated or certified again (the labelling rules: re-approval needed):
    # "every version of our scorecard has to pass the central bank's model validation unit before going live"
    r"|\b(?:every|each|any)\s+(?:new\s+|future\s+)?(?:version|change|update|retrain\w*|refit\w*|release|modification)s?"
    r"\s+(?:(?:of|to)\s+(?:the|our|this|its|their)\s+(?:[\w-]+\s+){0,3}?)?(?:has\s+to|must|needs?\s+to|have\s+to"
    r"|would\s+(?:have|need)\s+to|requires?|would\s+require)\s+(?:be\s+)?(?:pass|go\s+through|clear|re-?approv|approv"
    r"|re-?validat|validat|re-?certif|certif)\w*"
    # the model called final ("the house-price model is final and signed off", "the scorer has been finalised
    # and signed off by validation"); "signed off on" a budget or a plan is another matter
    r"|\b(?:model|scorer|classifier|algorithm|ranker|predictor|scorecard)s?\s+(?:is|are|has\s+been|have\s+been)"
    r"\s+(?:now\s+)?(?:final|finali[sz]ed)(?:\s+and\s+(?:signed[- ]off|approved|locked|sealed|frozen)(?!\s+on\b))?"
    r"(?=\s*(?:[.,;:!\u2014-]|$|\s+(?:and|so|now|until)\b))"
)


def unchangeable(probs: dict[str, np.ndarray], text: str) -> dict[str, np.ndarray]:
    """``probs`` with "cannot retrain" at least :data:`RULED` sure when ``text`` names the model or its code as
    something the writer cannot change (:data:`_UNCHANGEABLE`) or calls a change of it someone else's decision
    (:data:`_NOT_OUR_CALL`)."""
    low = text.lower()
    if not _UNCHANGEABLE.search(low) and not _NOT_OUR_CALL.search(low):
        return probs
    return at_least(probs, "retraining", "forbidden")


# A permission to change the model granted outright: a go-ahead ("the CRO has given the green light to retrain
# the collections model") or nobody objecting ("nobody objects to changing the method").
_GRANTED = re.compile(
    r"\b(?:green[- ]?light|go-?ahead)\s+(?:[\w-]+\s+){0,3}?(?:to|for)\s+(?:a\s+|the\s+|an\s+)?(?:full\s+)?"
    r"(?:re-?train|re-?fit|re-?build|re-?run|chang|modif|alter)\w*"
    r"|\b(?:nobody|no one|no-one)\s+(?:objects|minds|is against|opposes|would object|would mind)(?:\s+to)?\s+"
    r"(?:re-?train|re-?fit|re-?build|re-?run|chang|modif|alter|updat)\w*"
    # a permission in the passive: "the ranking model may be retrained", "it can be refitted"
    r"|\b(?:model|it|classifier|ranker|regressor|scorer)(?:\s+(?:for|of)(?:\s+[\w-]+){1,3}?)?\s+(?:may|can)\s+(?:also\s+|still\s+|now\s+|freely\s+)?be\s+"
    r"(?:re-?train|re-?fit|re-?buil)\w*"
)
# a rule against retraining named as lifted ('the "no retraining" rule I mentioned has been lifted by model risk',
# "the ban on refitting was withdrawn in May", "risk lifted the retraining freeze"): retraining is allowed
_LIFTED_VERB = (
    r"(?:(?:has|have|had)\s+(?:now\s+|since\s+)?been|was|were|is|got)\s+(?:now\s+|since\s+|officially\s+|finally\s+)?"
    r"(?:lifted|withdrawn|rescinded|revoked|dropped|scrapped|waived|removed|overturned|cancell?ed)\b"
)
_RULE_WORD = r"(?:rule|ban|freeze|moratorium|restriction|prohibition|embargo|block)"
_LIFTED = re.compile(
    r"\b(?:no[- ]?re-?(?:train|fit)\w*|no[- ]model[- ]changes?|re-?(?:train|fit)\w*)['\"\u201d\u2019]?\s+"
    + _RULE_WORD
    + r"\b(?:\s+[\w'-]+){0,4}?\s+"
    + _LIFTED_VERB
    + r"|\b"
    + _RULE_WORD
    + r"\s+on\s+(?:re-?train|re-?fit|model\s+change|changing\s+the\s+model)\w*(?:\s+[\w'-]+){0,4}?\s+"
    + _LIFTED_VERB
    + r"|\b(?:lifted|rescinded|revoked|scrapped|waived|withdrew)\s+(?:the|its|their|our|that)\s+(?:(?:no[- ]?)?re-?(?:train|fit)"
    r"\w*\s+" + _RULE_WORD + r"|" + _RULE_WORD + r"\s+on\s+(?:re-?train|re-?fit|model\s+change)\w*)\b"
)
# words before the grant that withhold it ("we have no green light to retrain", "waiting for the go-ahead")
_WITHHELD = re.compile(
    r"\b(?:not|no|never|without|waiting|awaiting|if|unless|until|before|pending|whether|unsure|unclear|asked|ask)\b|n't\b"
)


# A change of the model called someone else's decision ("retraining isn't our call", "changing the model is not
# up to us"): the writer may not retrain. The classifiers read the negation as lifting a ban.
_NOT_OUR_CALL = re.compile(
    r"\b(?:(?:re-?train|re-?fit|re-?build)\w*(?:\s+(?:the|our|its|this)\s+[\w-]+)?|(?:chang|modify|touch|alter)\w*\s+the\s+model"
    r"|the\s+model)\s+(?:is|was|are)(?:\s+not|n't)\s+(?:our|my|the\s+team's)\s+(?:call|decision|choice|department)\b"
    r"|\b(?:re-?train\w*|re-?fit\w*|re-?build\w*|(?:chang|modify|touch|alter)\w*\s+the\s+model)\s+"
    r"(?:is|are)(?:\s+not|n't)\s+up\s+to\s+(?:us|me)\b"
)


def granted(probs: dict[str, np.ndarray], text: str) -> dict[str, np.ndarray]:
    """``probs`` with "may retrain" at least :data:`RULED` sure when ``text`` grants a change of the model
    outright (:data:`_GRANTED`) and nothing before the grant withholds it, or names a rule against retraining as
    lifted (:data:`_LIFTED`)."""
    low = text.lower()
    if _LIFTED.search(low):
        return at_least(probs, "retraining", "allowed")
    m = _GRANTED.search(low)
    if m is None or _WITHHELD.search(low[: m.start()]):
        return probs
    return at_least(probs, "retraining", "allowed")


# The model or the service said never to receive the attribute ("a hosted API that we can't retrain and that
# never receives the sender's nationality", "can neither be retrained nor be fed the applicant's disability
# status"): the attribute is kept from the decision. The classifiers read such a relative clause weakly beside a
# second statement in the same clause. The attribute is named as such (not a group it defines), right after the
# verb, with at most a determiner and a possessive between.
_NOT_FED = re.compile(
    r"(?:\b(?:never|not|nor|neither)|n't)\s+(?:be\s+|been\s+|is\s+|are\s+|gets?\s+|ever\s+)?(?:receives?|received"
    r"|sees?|seen|fed|given|sent|shown|passed|told)\s+(?:(?:the|an?|any|its|their|his|her)\s+)?(?:[\w-]+(?:'s?)?\s+)?"
    r"(?:self-reported\s+|declared\s+|stated\s+|recorded\s+)?(?:race|ethnicity|gender|sex|age|religion"
    r"|disability(?:\s+status)?|nationality|citizenship(?:\s+status)?|national\s+origin|marital\s+status"
    r"|pregnancy(?:\s+status)?|sexual\s+orientation|caste|veteran\s+status|immigration\s+status|date\s+of\s+birth"
    r"|ethnic\s+origin|skin\s+colou?r)\b"
)


def not_fed(probs: dict[str, np.ndarray], text: str) -> dict[str, np.ndarray]:
    """``probs`` with "not at decision time" at least :data:`RULED` sure when ``text`` says the model is never
    given the attribute (:data:`_NOT_FED`)."""
    if _NOT_FED.search(text.lower().replace("\u2019", "'")) is None:
        return probs
    return at_least(probs, "inference", "forbidden")


def kept_from_decision(probs: dict[str, np.ndarray], clause: str, text: str) -> dict[str, np.ndarray]:
    """``probs`` with "not collected" counted as "not at decision time" when the text names, outside ``clause``,
    another store that holds the attribute after all ("the feature store has no gender column, although the HR
    database does"; :func:`~fairmend.recommender.cues.held_in_contrast`): the absence is the decision step's,
    and both readings say so."""
    counted = moved(probs, "inference", "not_collected", "forbidden")
    if counted is probs or not held_in_contrast(text, clause):
        return probs
    return counted


# A heading: a short phrase that a colon introduces the content of ("Objective: similar approval rates",
# "Constraint from the CFO: AUC cannot drop more than 0.03"): four words at most, with no modal, negation,
# "only", request or pronoun of its own ("Implement it within training please:" and "Need a model card:" say
# what is wanted).
# It names a topic, not the kind of work allowed (the scope classifier read "objective" and "constraint" as
# in-processing); the content after the colon is read as a statement of its own.
_HEADING_WORDS = 4
_STATES = re.compile(
    r"\b(?:can|could|may|might|must|should|shall|will|would|only|not|no|never|cannot|allowed|permitted|have to"
    r"|has to|need|needs|needed|want|wants|wanted|please|nothing|i|we|you|our|my)\b|n't\b"
)


def heading(sentence: str, text: str) -> bool:
    words = sentence.split()
    if not words or len(words) > _HEADING_WORDS or _STATES.search(sentence.lower()):
        return False
    return re.search(re.escape(sentence) + r"\s*:", text) is not None
