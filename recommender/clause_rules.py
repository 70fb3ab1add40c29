"""Exact rules that correct what the clause model reads from one clause: its polarity, its topic, its scope.

:func:`ruled` sets the forbidden/allowed split of a plain statement where the polarity rule applies;
:func:`topical` drops a retraining reading from a clause about the protected attribute that names no change of
the model; :func:`scope_words` drops or moves scope readings that words of the clause rule out. :func:`unread`,
:func:`moved` and :func:`at_least` are the three ways a rule changes a clause's probabilities.
"""

from __future__ import annotations

import re

import numpy as np
from fairmend.recommender.clause_model import DIMENSIONS
from fairmend.recommender.cues import names_attribute
from fairmend.recommender.statements import STAGES

# How sure a plain statement's polarity is when the rule settles it (fairmend.recommender.polarity), as a share
# of the probability the classifiers give the clause's being about that dimension at all.
RULED = 0.95


def unread(probs: dict[str, np.ndarray], dim: str) -> dict[str, np.ndarray]:
    """``probs`` with dimension ``dim`` read as not addressed at all ("none" certain)."""
    p = np.zeros_like(probs[dim])
    p[0] = 1.0
    return {**probs, dim: p}


# The decision step denied access to a store ("the decision service cannot access the archive"): when the
# sentence before names the attribute in that same store ("religion is kept in the archive"), the attribute is
# kept from the decision.
_NO_ACCESS = re.compile(
    r"\b(?:cannot|can't|can not|could not|does not|doesn't|do not|don't|never|has no|have no)\s+(?:\w+\s+)?"
    r"(?:access|see|reach|query|read|open|connect to)\s+(?:to\s+)?(?:the |that |this |our |their |its )?"
    r"(?:[\w-]+ ){0,2}?(?P<store>[\w-]+)\s*[.;,]?\s*$"
)
# Words of the decision step: "at inference", "the scoring service", "in production"
DECISION = re.compile(
    r"\b(?:inference|decisions?|decid\w*|scor\w*|serv\w*|production|prod|deploy\w*|live|runtime|run time"
    r"|predict\w*|prediction time)\b"
)
# ... and the parts that decide: "the decision service", "the scoring engine", "the deployed model"
_DECIDER = re.compile(
    DECISION.pattern + r"|\b(?:model|engine|api|classifier|algorithm|predictor|screener|ranker)\b"
)


def ruled(probs: dict[str, np.ndarray], text: str, context: str = "") -> dict[str, np.ndarray]:
    """``probs`` with the forbidden/allowed split of the polar dimensions set by
    :func:`~fairmend.recommender.polarity.stated_polarity` where it applies; what the clause is about stays
    the classifiers' call."""
    from fairmend.recommender.polarity import stated_polarity

    ruled = stated_polarity(text)
    if ruled is None:
        return probs
    value, dims = ruled
    out = dict(probs)
    if value == "none":  # access to something other than the attribute: no reading of it
        if names_attribute(context.lower()):  # "... can't access the TRE": where the attribute just named is
            denied = _NO_ACCESS.search(text.lower())
            if (
                denied
                and _DECIDER.search(text.lower()[: denied.start()])
                and re.search(rf"\b{re.escape(denied.group('store'))}\b", context.lower())
            ):
                # "Religion is kept in the archive. The decision service cannot access the archive."
                values = DIMENSIONS["inference"]
                p = np.zeros_like(probs["inference"])
                p[values.index("none")], p[values.index("forbidden")] = 1.0 - RULED, RULED
                return {**probs, "inference": p}
            return probs
        return unread(probs, "inference")
    access = dims == ("inference",)  # "never receives religion": kept from the decision, not uncollected
    for dim in dims:
        p = probs[dim].copy()
        if access:
            p[1] += p[3]
            p[3] = 0.0
        mass = p[1] + p[2]  # forbidden + allowed
        if mass < 0.5:
            continue
        chosen, other = (1, 2) if value == "forbidden" else (2, 1)
        p[chosen] = max(p[chosen], RULED * mass)  # never less sure of the side the rule takes
        p[other] = mass - p[chosen]
        out[dim] = p
    return out


# A clause that names a protected attribute and no part of the model or its making speaks of the attribute
# ("gender never reaches the promotion model", "the scholarship algorithm has to remain unaware of caste"),
# not of whether the model may be retrained: the classifiers, which learned "the model never changes" and
# "the model never sees race" from neighbouring sentences, may not read a retraining rule from it.
_MODEL_CHANGE = re.compile(
    r"\b(?:re-?train\w*|re-?fit\w*|train\w*|re-?build\w*|re-?estimat\w*|fine-?tun\w*|modif\w*|chang\w*"
    r"|touch\w*|alter\w*|updat\w*|edit\w*|tweak\w*|weights?|coefficients?|parameters?|frozen|freeze|locked"
    r"|fixed|as-is|certif\w*|recertif\w*|approv\w*|vendor\w*|supplier\w*|licen[cs]\w*|third-party|black[- ]box"
    r"|own|owns|owned|ours|theirs|internals|code|pipeline|version\w*|redeploy\w*|deploy\w*|validat\w*"
    r"|as (?:it|they) (?:is|are|was|were|stands?))\b"
)


# Words without which a clause states no rule about the protected attribute at decision time: what the
# decision step may use, see or be given, what is held or collected, what law or policy says, a modal or a
# negation. The classifier also read outcome statements as rules ("the model rarely selects women", "their
# phenotypes are noisier", "performance broken out by sex"): those describe the problem.
_RULE_WORDS = re.compile(
    r"\b(?:us(?:e|es|ed|ing|age)|input\w*|features?|see|sees|seen|receiv\w*|access\w*|know\w*|availab\w*"
    r"|allow\w*|permi\w*|forbid\w*|prohibit\w*|ban\w*|bar|bars|barred|laws?|legal\w*|lawful\w*|unlawful\w*"
    r"|illegal\w*|regulat\w*|polic\w*|rules?|consent\w*|collect\w*|record\w*|hold\w*|held|stor\w*|keep\w*"
    r"|kept|ask\w*|declar\w*|pass\w*|fed|feed\w*|enter\w*|blind\w*|aware\w*|unaware|strip\w*|remov\w*"
    r"|exclud\w*|off[- ]limits|consider\w*|condition\w*|factor\w*|part|role|time|scor\w*|runtime"
    r"|production|infer\w*|sent|send\w*|visible|invisible|hidden|given|retain\w*|captur\w*|gather\w*"
    r"|sources?|fields?|columns?|attributes?|variables?|data|inform\w*|includ\w*|may|can|cannot|must|should"
    r"|not|no|never|nothing|none|out of|reach\w*|told|touch\w*|thresholds?|acceptabl\w*|exist\w*|info"
    r"|lives?|authori[sz]\w*|tables?|warehouse|schemes?|misunderstand\w*|yes|firewall\w*|walled|withh\w*"
    r"|shield\w*|mask\w*|redact\w*|suppress\w*|conceal\w*|handed|provid\w*|expos\w*|agnostic)\b|n't\b"
)


# The attribute firewalled (the labelling rules: kept from the decision), also in a clause without a subject
# ("Disability status is captured in our HR system but is firewalled"), which the classifiers read weakly
_FIREWALLED = re.compile(
    r"\bfirewalled\b|\bwalled off\b"
    # taken out before the model sees it ("so it's stripped out upstream", "race is removed before scoring")
    r"|\b(?:stripped|removed|scrubbed|filtered|masked|dropped|redacted)(?:\s+out)?\s+(?:upstream|before\s+(?:scoring"
    r"|the\s+(?:model|scorer|decision)|it\s+(?:reaches|gets\s+to)))\b"
)
_PRONOUN_SUBJECT = re.compile(r"(?:it|it's|it is|they|they're|they are|this|that)\b")


# A coordinated clause that begins without a subject ("... and never reaches the model") shares the subject
# of the clause before it.
_NO_SUBJECT = re.compile(
    r"(?:never|not|also|only|still|then|is|are|was|were|has|have|had|must|can|cannot|can't|may|will|won't"
    r"|should|stays?|remains?|goes|gets|reaches|enters)\b"
)


def topical(
    probs: dict[str, np.ndarray], text: str, before: str = "", marker: str = ""
) -> dict[str, np.ndarray]:
    """``probs`` without a retraining reading when ``text`` names a protected attribute and nothing of the
    model's making (see :data:`_MODEL_CHANGE`); a clause without a subject is read with the one before it.
    Without a word of a rule (:data:`_RULE_WORDS`) no reading of the attribute at decision time either; the
    attribute called firewalled (:data:`_FIREWALLED`) is kept from the decision at least :data:`RULED` sure."""
    norm = text.lower()
    if not _RULE_WORDS.search(f"{before.lower()} {norm}" if marker else norm):
        probs = unread(probs, "inference")
    subject = norm
    if marker in ("and", "but", "or") and _NO_SUBJECT.match(norm):
        subject = f"{before.lower()} {norm}"
    elif marker and _FIREWALLED.search(norm) and _PRONOUN_SUBJECT.match(norm):
        subject = (
            f"{before.lower()} {norm}"  # "(... saw pregnancy status ...), so it's stripped out upstream"
        )
    if (
        _FIREWALLED.search(norm)
        and names_attribute(subject)
        and not re.search(r"\b(?:not|never)\b|n't\b", norm)
    ):
        probs = at_least(probs, "inference", "forbidden")  # "... but is firewalled"
    if not names_attribute(subject) or _MODEL_CHANGE.search(norm):
        return probs
    return unread(probs, "retraining")


def moved(probs: dict[str, np.ndarray], dim: str, source: str, target: str) -> dict[str, np.ndarray]:
    """``probs`` with the mass of ``dim``'s value ``source`` given to its value ``target`` (``probs`` itself when
    ``source`` has none)."""
    values = DIMENSIONS[dim]
    i, j = values.index(source), values.index(target)
    if probs[dim][i] == 0.0:
        return probs
    p = probs[dim].copy()
    p[j] += p[i]
    p[i] = 0.0
    return {**probs, dim: p}


# Documentation said to be missing ("there's no documentation", "the docs are gone") or quoted as a source ("the
# model card says ...") is no request for a document; work after deployment ("post-deployment only",
# "post-market") is watching the model, not changing its outputs (the heads read both by their words).
_NO_DOCUMENTS = re.compile(
    r"\b(?:no|without|lack of|missing|never any|zero)\s+(?:\w+\s+)?(?:documentation|docs|documents|write-?ups?)\b"
    r"|\b(?:documentation|docs)\s+(?:is|are|was|were|has been|have been|got)\s+(?:\w+\s+)?(?:missing|lost|gone"
    r"|deleted|never written)\b|\bundocumented\b"
    # an existing document quoted as a source ("the model card for our claims model says it was validated on
    # 2021 data only")
    r"|\b(?:model\s+card|datasheet|documentation|fact\s?sheet|docs)\b[^.;]{0,50}?\b(?:says|said|states|stated|shows"
    r"|showed|notes|noted|lists|listed|mentions|mentioned|claims|claimed)\b"
)
# A measurement turned down ("we don't need a report", "no more dashboards"), a question whether a fix is needed
# at all ("do we need any fixes if the gap is within the four-fifths rule?") or a loss wished to be nothing is no
# request to measure only (the heads read "no report", "any fixes?" and "nothing" as one).
_NOT_MEASURING = re.compile(
    r"\b(?:don't|do not|doesn't|does not|no)\s+(?:need|want)\s+(?:(?:a|an|another|any|more|yet another)\s+)?"
    r"(?:[\w-]+\s+)?(?:reports?|audits?|analys[ie]s|assessments?|dashboards?|numbers|metrics|write-?ups?|stud(?:y|ies)"
    r"|reviews?)\b"
    r"|^(?:do|does|would|will|should)\s+(?:we|i|they|you)\s+(?:even\s+)?need\s+(?:any\s+|a\s+|to\s+)?"
    r"(?:fix|fixes|mitigations?|interventions?|remed(?:y|ies)|changes?)\b"
    # an amount wished for, in answer to a question about cost ("Accuracy hit? Ideally nothing, realistically a
    # little"): nothing is the loss, not the work
    r"|\b(?:ideally|realistically|hopefully)\s+(?:nothing|zero|none)\b"
    # the explanation turned down, not the fix ("I don't need the maths, just which approach to ask for")
    r"|\b(?:don't|do not)\s+(?:need|want)\s+(?:the\s+|any\s+|all\s+the\s+)?(?:maths?|theory|equations|jargon"
    r"|(?:technical\s+|gory\s+)?details)\b"
    # a change asked about ("I'd like to understand what we should be doing differently", "just tell me which fix
    # to try")
    r"|\b(?:which|what)\s+(?:fix|fixes|mitigations?|interventions?|remed(?:y|ies)|corrections?)\s+(?:to\s+(?:try|use"
    r"|apply|pick|choose)|(?:we|i)\s+(?:should|could|can|ought\s+to))\b"
    r"|\bwhat\s+(?:we|i|they)\s+(?:should|could|ought\s+to|need\s+to)\s+(?:be\s+)?(?:do|doing|change|changing)\s+"
    r"differently\b"
    # a hedge about an amount ("give up a tiny bit of precision, nothing specific"): nothing is not the work
    r"|\bnothing\s+(?:specific|in\s+particular|particular|concrete|definite|formal|firm|precise)\b"
    # fixes to be tried and compared ("compare several mitigation approaches and show the trade-off"): the
    # comparison is of interventions, so they are run
    r"|\b(?:compar\w*|benchmark\w*|try|trying|test|testing|evaluat\w*)\s+(?:several|different|various|multiple|a\s+few"
    r"|some|two|three|four|five|the\s+main)\s+(?:[\w-]+\s+)?(?:mitigation|debiasing|de-biasing|bias[- ]mitigation"
    r"|fairness[- ]intervention|remediation)\s+(?:approaches|methods|techniques|algorithms|strategies|options)\b"
)
_AFTER_DEPLOYMENT = re.compile(r"\bpost-?(?:deployment|launch|market|release|go-live)\b")
# the work limited to what comes after the model's output ("we can only work downstream of the model's softmax",
# "anything I change has to sit downstream of the model output"): post-processing, however the heads read it
_ONLY_DOWNSTREAM = re.compile(
    r"\b(?:only|just|solely|has to|have to|must|needs? to)\s+(?:[\w-]+\s+){0,2}?downstream\s+of\s+(?:the\s+|its\s+|our\s+)?"
    r"(?:model'?s?\s+)?(?:[\w'-]+\s+)?(?:outputs?|scores?|softmax|logits|predictions?|probabilit\w*|model)\b"
    # "change must be post-hoc on the scores", "any fix has to happen after the model"
    r"|\b(?:changes?|fix|fixes|interventions?|mitigations?|adjustments?|corrections?)\s+(?:must|has\s+to|have\s+to"
    r"|needs?\s+to|can\s+only|may\s+only)\s+(?:be|happen|sit|come|take\s+place)\s+(?:\w+\s+)?(?:post-?hoc"
    r"|post-?processing|after\s+the\s+model|on\s+the\s+(?:scores|outputs|predictions))\b"
)
# the one thing the writer may change, named ("the one thing we control is the cut-off used to invite people", "the
# only thing in our hands is the pass mark", "my remit is the feature table feeding the premium model"): the kind of
# work that changes it, however the heads read the clause
_LEVER = (
    r"(?:[\w-]+\s+){0,2}?(?P<lever>thresholds?|cut-?offs?|pass\s+marks?|decision\s+rules?|cut\s+points?"
    r"|(?:training\s+)?data(?:set)?|(?:training\s+|feature\s+)?table|features|labels|training\s+set"
    r"|objective|loss(?:\s+function)?|training\s+(?:algorithm|procedure|code))\b"
)
_ONLY_LEVER = re.compile(
    r"^\W*(?:(?:the\s+(?:one|only|single)|all)\s+(?:thing|lever|part|knob|piece|bit|place)s?\s+(?:that\s+)?"
    r"(?:(?:we|i)\s+(?:\w+\s+)?(?:control|own|touch|change|adjust|set|tune|move|have|get\s+to\s+\w+)"
    r"|(?:is\s+|that's\s+)?(?:in|within)\s+(?:our|my)\s+(?:hands|control|remit|gift))"
    r"|(?:my|our)\s+(?:remit|brief|patch|responsibility))\s+is\s+(?:the|our|its|a)\s+" + _LEVER
)
_LEVER_STAGE = (
    ("pre_processing", r"data|table|features|labels|set"),
    ("in_processing", r"objective|loss|algorithm|procedure|code"),
)
# the one place the work is to happen, or the one thing asked for, named another way ("gender balance fixed purely
# in the final reordering of that slate and nowhere upstream", "build individual fairness directly into how our
# classifier is trained", "just the sensitivity analysis, please", "all the association wants from us is a
# documented record of what is known"): that kind of work, however the heads read the clause
_ONLY_WHERE = (
    (
        "post_processing",
        re.compile(
            r"\b(?:purely|only|solely|just|entirely|exclusively)\s+(?:in|at|on|through|via)\s+(?:the\s+|its\s+|our\s+)?"
            r"(?:final\s+|last\s+)?(?:re-?order\w*|re-?rank\w*|thresholds?|cut-?offs?|post-?processing|output\s+layer"
            r"|decision\s+rules?)\b|\bnowhere\s+upstream\b"
        ),
    ),
    (
        "in_processing",
        re.compile(
            r"\b(?:directly|right)\s+into\s+how\s+(?:[\w'-]+\s+){0,6}?(?:is|are|gets?)\s+(?:trained|fitted|fit|learned)\b"
            r"|\b(?:build|bake|put|embed|integrate)\w*\s+(?:[\w-]+\s+){0,4}?(?:directly\s+)?into\s+the\s+(?:training"
            r"|learning)\s+(?:itself|procedure|process|algorithm|objective|loss)\b"
        ),
    ),
    (
        "causal",
        re.compile(
            r"^\W*(?:just|only)\s+(?:the|a|an)\s+(?:[\w-]+\s+)?(?:sensitivity|mediation|causal|counterfactual)"
            r"\s+analys[ie]s\b"
        ),
    ),
    (
        "documentation",
        re.compile(
            r"\ball\s+(?:[\w'-]+\s+){0,5}?(?:wants?|needs?|asks?\s+for|requires?|expects?)\s+(?:from\s+(?:us|me)\s+)?"
            r"is\s+(?:a|an|the)\s+(?:[\w-]+\s+)?(?:documented\s+record|write-?up|documentation|model\s+card"
            r"|datasheet|factsheet)\b"
        ),
    ),
)
_OUTPUT_WORDS = re.compile(
    r"\b(?:thresholds?|cut-?offs?|scores?|outputs?|decisions?|predictions?|calibrat\w*)\b"
)


# What the writer owns or is willing to change, said without limiting the work to it ("We own the learning-to-rank
# pipeline behind our search", "we build and retrain that model ourselves and are happy to change its training
# objective"): a freedom, not a restriction to one stage ("we only own the feature table" keeps its reading).
_OWNED = re.compile(
    r"^\W*(?:and\s+)?(?:we|i)\s+(?:own|built|build|run|maintain|operate|control|have\s+full\s+control\s+(?:of|over))"
    r"(?:\s+and\s+(?:retrain|maintain|run|own|operate))?\s+(?:the|our|this|that|a|an)\b"
    r"|\b(?:happy|willing|open|glad|free|ready)\s+to\s+(?:change|modify|alter|adjust|rework|touch|tweak|update"
    r"|redesign)\b"
)
_LIMITS_WORK = re.compile(
    r"\b(?:only|just|solely|exclusively|purely|entirely|nothing\s+else|the\s+one|all\s+we|remit|not|never|but)\b"
)


def scope_words(probs: dict[str, np.ndarray], text: str) -> dict[str, np.ndarray]:
    """``probs`` with no "documentation" reading where documentation is said to be missing or is quoted as a
    source (:data:`_NO_DOCUMENTS`), no "no intervention" reading where measuring is turned down or a fix asked about
    (:data:`_NOT_MEASURING`), and "post-processing" read from work after deployment moved to "monitoring"
    (:data:`_AFTER_DEPLOYMENT`, unless the clause names outputs, scores or thresholds); work limited to what
    comes after the model's output is post-processing (:data:`_ONLY_DOWNSTREAM`), and the one lever named is the
    stage that changes it (:data:`_ONLY_LEVER`), as is the one place named (:data:`_ONLY_WHERE`); what the
    writer owns or is willing to change limits no stage (:data:`_OWNED`)."""
    norm = text.lower()
    if _NO_DOCUMENTS.search(norm):
        probs = moved(probs, "scope", "documentation", "none")
    if _NOT_MEASURING.search(norm):
        probs = moved(probs, "scope", "no_intervention", "none")
    if _AFTER_DEPLOYMENT.search(norm) and not _OUTPUT_WORDS.search(norm):
        probs = moved(probs, "scope", "post_processing", "monitoring")
    if _ONLY_DOWNSTREAM.search(norm):
        probs = at_least(probs, "scope", "post_processing")
    if lever := _ONLY_LEVER.search(norm):
        stage = next((k for k, words in _LEVER_STAGE if re.search(words, lever["lever"])), "post_processing")
        probs = at_least(probs, "scope", stage)
    elif where := next((stage for stage, words in _ONLY_WHERE if words.search(norm)), None):
        probs = at_least(probs, "scope", where)
    elif _OWNED.search(norm) and not _LIMITS_WORK.search(norm):
        for stage in sorted(STAGES):
            probs = moved(probs, "scope", stage, "none")
    return probs


def at_least(probs: dict[str, np.ndarray], dim: str, value: str) -> dict[str, np.ndarray]:
    """``probs`` with ``value`` of ``dim`` at least :data:`RULED` sure, the other values scaled to the rest."""
    i = DIMENSIONS[dim].index(value)
    if probs[dim][i] >= RULED:
        return probs
    p = probs[dim] * (1.0 - RULED) / max(1.0 - probs[dim][i], 1e-9)
    p[i] = RULED
    return {**probs, dim: p}
