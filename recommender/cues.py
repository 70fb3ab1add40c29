"""Exact word cues that gate what the reader's classifiers say about the task and the stage.

The reader's heads score each clause by its meaning, and on texts that only sound like a task or a stage
they fire anyway: "the four-fifths rule" read as a multiclass task, "someone proposed per-group
thresholds" as a restriction to post-processing. These cues are the words without which such a reading
is not applied as a hard constraint (:mod:`fairmend.recommender.parse`).
"""

from __future__ import annotations

import re

from fairmend.catalog.types import TaskType
from fairmend.recommender.statements import BELIEF, HEDGE, normalise

__all__ = [
    "DESCRIBED",
    "SCOPE_CUES",
    "TASK_CUES",
    "asks_for_fix",
    "asks_for_no_fix",
    "forbids_change",
    "held_elsewhere",
    "names_absent_attribute",
    "restricts",
    "scoped",
    "states_intent_to_retrain",
    "withdrawn_scope",
]

# Words without which a text states no task of that kind: the reader's task head alone also fired on
# texts that merely sound numeric or grouped ("the four-fifths rule", "a 20% prediction", "race by
# gender"), so a task it reads is kept only when the text names something of that kind (an amount or a
# duration predicted, an ordering, groups found without labels, several named classes).
_WITHIN_GROUP = r"(?:within|inside|among)\s+(?:(?:each|every|their|its)\b|(?:a|the) (?:group|class)\b)"
_N = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|many|multiple)"
TASK_CUES: dict[TaskType, re.Pattern[str]] = {
    TaskType.REGRESSION: re.compile(
        r"regress|continuous|amount|estimat|forecast|\bcosts?\b|price|pricing|premium|\bfares?\b|salar"
        r"|\bwages?\b|bonus|\bdays\b|\bhours\b|\bweeks\b|length of (?:\w+ )?stay|(?<!by )how (?:much|many|long)\b(?!\s+of\b)"
        r"|number of|dollars?|euros?|\bgbp\b|\busd\b|[$\u20ac\u00a3]|consumption|valuation|\brents?\b"
        r"|\brmse\b|\bmae\b|squared error|absolute error|r-?squared|\blimits?\b|quantit|demand|revenue"
        r"|\bspend|delay|duration|expected loss|\bvalues?\b"
    ),
    TaskType.RANKING: re.compile(
        # (an order kept within each group is a property of a repair, not an ordering produced: "while keeping
        # people's order within each group")
        r"\brank(?!\w*\s+" + _WITHIN_GROUP + r")|re-?rank"
        r"|(?<!in )\b(?:re-?)?order(?:s|ed|ing)?\b(?!\s+" + _WITHIN_GROUP + r")"
        r"|\bsort(?!\w*\s+(?:[\w-]+\s+){0,3}into\b)"
        r"|\btop[- ]?(?:\d+|ten|twenty|five)"
        r"|first page|page (?:one|\d)|\bfeeds?\b|search|results|listings?|\blists?\b|shortlist|exposure"
        r"|position|league table|recommend|carousel"
    ),
    TaskType.CLUSTERING: re.compile(
        r"cluster|segment|unsupervised|k-?means|k-?medians|no labels|without labels|unlabel|partition"
        r"|group(?:s|ed|ing)? (?:\w+ ){0,3}into|groupings|communit"
    ),
    TaskType.MULTICLASS_CLASSIFICATION: re.compile(
        r"multi-?class|multinomial|several classes|categor|\b"
        + _N
        # "four age bands" groups people for reporting; it names no classes predicted
        + r"[- ](?!(?:age|income|salary|ethnic|population|postcode|zip)\b)(?:\w+[- ]){0,2}(?:classes|levels"
        r"|tiers|tracks|labels|grades|bands|outcomes|buckets|types|ratings|categories|priorities|values)\b"
        r"|\b(?:urgency|priority|risk|severity|supervision) (?:levels?|tiers?|classes|categories)"
        r"|\b(?:labels|classifies|sorts|assigns|puts) (?:each|every) \w+ (?:as|into|to)\b"
        r"|from \d+ to \d+|\d+-way|three-way|four-way|one of \w+ (?:classes|labels|categories|levels|tiers)"
        # "one of 9 teams" (not "one of the 40 features", "one of three candidate models")
        r"|\bone of (?:the )?"
        + _N
        + r" (?!(?:features|columns|inputs|variables|fields|predictors|attributes|covariates"
        r"|rows|models|candidate|options|reasons|factors)\b)[\w-]+s\b"
    ),
}

# Mentions of audits, monitoring, reports or alerts that describe the situation instead of asking for that
# work (fairmend.recommender.parse skips them in its intent patterns and its scope gate): the purpose a
# protected attribute is held for ("kept for monitoring", "for auditing purposes", "for the equality report
# only"), a finding already made ("our audit shows", "the last review found"), an assessment named as a
# procedure ("a fresh conformity assessment") and a product that is an alert ("the sepsis alert fires less").
DESCRIBED = re.compile(
    r"\b(?:kept|keep|held|hold|holds|recorded|collected|stored|used|retained|gathered|logged)\s+(?:[\w-]+\s+){0,4}?"
    r"for\s+(?:the\s+|our\s+)?(?:[\w-]+\s+){0,2}"
    r"(?:monitoring|auditing|audits?|reporting|reports?|evaluation)(?:\s+purposes)?"
    r"|\bfor\s+(?:the\s+|our\s+)?(?:[\w-]+\s+){0,2}(?:monitoring|auditing|audits?|reporting|reports?|evaluation)"
    r"\s+(?:purposes|only)\b"
    r"|\b(?:our|the|an|last|latest|recent|internal|external|annual|this|that)\s+(?:[\w-]+\s+){0,2}"
    r"(?:audit|review|analysis|assessment)\s+(?:shows?|showed|found|finds|revealed|reveals|flagged|says|said)\b"
    r"|\baudit(?:s|ed)?\s+(?:on|with)\s+(?:it|them)\b"
    r"|\b(?:conformity|impact|risk|credit|needs|regulatory|clinical)\s+assessments?\b"
    r"|\b(?:the|an|our|its)\s+(?:[\w-]+\s+){0,2}alert\b(?!\s+(?:us|me|when|if|whenever))"
)


# Words without which a text asks for no kind of work of that scope: the scope head also fired on texts
# that name no such work at all ("approvals for women lag" read as "only monitoring"). Generous on purpose:
# they keep a reading only when the text names something of its kind, anywhere.
SCOPE_CUES: dict[str, re.Pattern[str]] = {
    "pre_processing": re.compile(
        r"\bdata|table|sample|label|feature|input|record|\brows?\b|column|re-?weigh|resampl|rebalanc|oversampl"
        r"|undersampl|augment|repair|pre-?process|training set|collect|representation|massag|instance weight"
        r"|before (?:any |the )?(?:model|training|fitting)|upstream|source|transform|suppress|impute|proxy|proxies"
        r"|csv|spreadsheet|\bfiles?\b|upload|extract"
    ),
    "in_processing": re.compile(
        r"train|\bfit|\brefit|learn|objective|\bloss\b|optimi|regulari|constrain|penalt|algorithm|in-?processing"
        r"|adversar|estimator|model itself|boost|gradient|network|architecture|hyperparam|reduction|solver"
    ),
    "post_processing": re.compile(
        r"threshold|cut-?off|\bscores?\b|scored|scoring|output|decision|decide|\bafter\b|post-?process|post-?hoc|calibrat|adjust"
        r"|probabilit|prediction|pass mark|approv|\bflag|re-?order|re-?rank|downstream|last step|final|bolt"
    ),
    "causal": re.compile(
        r"causal|causes?\b|caused|counterfactual|\bpaths?\b|pathway|mediat|direct|confound|\bdag\b|graph"
        r"|mechanism|because|\bwhy\b|effect|through|\bvia\b|channel|driv|attribut|explain"
    ),
    "monitoring": re.compile(
        r"monitor|drift|track|watch|alert|ongoing|over time|production|\blive\b|dashboard|continu|every "
        r"(?:week|month|day|quarter|year|night)|weekly|monthly|daily|quarterly|trend|stream|shift|periodic"
        r"|early warning|in the field|from now on|going forward|keep an eye|surveil|recurr|regular|tell (?:us|me) when"
        r"|notif|warn|incoming|new data|start(?:s|ing)? to|look(?:s)? different"
    ),
    "documentation": re.compile(
        r"document|model card|datasheet|fact ?sheet|report|paperwork|record|write-?up|checklist|\bfile|disclos"
        r"|\bcards?\b|dossier|statement|describ|description|memo|transparen|regulator|procurement|audit trail"
        r"|notice|register|annex|submission|summary|explain|justif"
    ),
    "no_intervention": re.compile(
        r"measur|audit|test|analy[sz]|explain|report|evaluat|assess|check|understand|quantif|significan|numbers"
        r"|describ|document|investigat|\blook|study|estimat|compar|diagnos|research|breakdown|figures|metric"
        r"|statistic|examin|review|prove|evidence|\bknow|learn|find out|whether|inspect|profil|answer|monitor"
        r"|\bsee\b|show|how (?:big|large|much|unequal|biased|fair)|is there|are there|\bdoes\b|\bdo\b|quantit"
        r"|interval|confidence|error bars?|p-?values?|bootstrap|permutation|datasheet|model card|fact ?sheet"
        r"|discover|finding|identif|explor"
    ),
}


# What makes a stage a restriction rather than a request or a mention: a word that limits ("only",
# "nothing else", "confined to", "our remit"), a prohibition of the other kinds ("can't touch the
# model", "off limits"), or a whole-request frame ("that is all we ask"). Looked for in the sentence of
# the clause the stage was read from.
_RESTRICTION = re.compile(
    r"\b(?:only|just|solely|exclusively|purely|nothing (?:else|more|upstream|downstream|beyond|past|after|before)"
    r"|no other|none other|sole|single|limited|restricted|restrict|confined|constrained|limit|limits|"
    r"all (?:we|i|that) (?:can|may|could|are|want|need|own|control|do|have)|the (?:one|only) (?:thing|lever|place)"
    r"|that is (?:it|all)|is all|full stop|period|at most|must|has to|have to|needs to|need to|required|"
    r"mandate|remit|brief|scope|in scope|out of scope|ours|our (?:part|side|job|team|lever)|belongs?|owned|owns?"
    r"|someone else|other teams?|another team|off[- ]limits|untouchable|frozen|fixed|locked|sealed|"
    r"not|no|never|cannot|without|except|but not|rather than|instead of|instead)\b"
)
# Words that open the work to every kind of change: a restriction stated before them is withdrawn.
_OPEN_SCOPE = re.compile(
    r"\b(?:any|every) (?:stage|step|part|kind of (?:change|fix|intervention)|approach|option|method)"
    r"|\b(?:change|touch|modify|fix|alter|adjust) (?:anything|everything|any part|all of it)"
    r"|\b(?:whole|entire|full) (?:pipeline|stack|system|workflow)|\banything goes\b|\bfree hand\b"
    r"|\b(?:everything|all of it|all three) (?:is|are) (?:ours|in scope|fair game|on the table|open)"
    r"|\bno (?:restrictions?|limits?|constraints?) on (?:what|where|how|the stage)"
)


# A stage only mentioned: proposed by someone, or reported as done.
_MENTION = re.compile(
    r"\b(?:someone|somebody|they|people|colleagues?|consultants?|he|she) (?:else )?(?:proposed|suggested"
    r"|said|recommended|wants?|thinks?)\b|\b(?:was|were|had been|has been|got) (?:\w+ )?(?:lowered|raised|tuned"
    r"|set|chosen|changed|picked|moved|adjusted|retrained|reweighted)\b"
)


_WISH = re.compile(r"\b(?:first|at first)\b|\b(?:wanted|planned|intended|hoped|meant|preferred) to\b")


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+|\n+", normalise(text))


def _sentence_at(sentences: list[str], evidence: str) -> int | None:
    """The index of the first of ``sentences`` (from :func:`_sentences`) holding ``evidence``, or ``None``."""
    ev = normalise(evidence)
    return next((i for i, s in enumerate(sentences) if ev in s), None)


def sentence_of(text: str, evidence: str) -> str:
    sentences = _sentences(text)
    at = _sentence_at(sentences, evidence)
    return sentences[at] if at is not None else normalise(evidence)


# Options put side by side for the writer to choose from ("one lead says retrain on balanced data, the other says
# thresholds. Who's right?", "half the team want to drop race from the training data, half want constraints",
# "should we reweight the rows or set group thresholds?"): each is a proposal, none a limit on the work.
_DEBATE = re.compile(
    r"\bthe other(?: one| half| camp| lead| group| team| side)? (?:says?|wants?|thinks?|suggests?|prefers?|argues?"
    r"|pushes?|favou?rs?)\b|\bhalf (?:of (?:us|them|the team) |the team )?(?:want|say|think|prefer|argue|favou?r)s?\b"
    r"|\bwho(?:'s| is) right\b"
)
_EITHER_OR = re.compile(r"\bshould (?:we|i)\b[^.?!;]*\bor\b")


def restricts(text: str, evidence: str) -> bool:
    """Whether the sentence that states a kind of work asks for it or limits the work to it; one that only
    reports it, relays someone's proposal or sets it beside another option (:data:`_DEBATE`) states a
    preference."""
    sentence = sentence_of(text, evidence)
    if _DEBATE.search(normalise(text)) or _EITHER_OR.search(normalise(evidence)):
        return False
    return _RESTRICTION.search(sentence) is not None or _MENTION.search(sentence) is None


# A sentence that frames what came just before as the whole request ("That's the whole ask.", "Nothing else -
# we're happy with the model itself.", "That is all we need."): not "that's all I know so far".
_WHOLE_REQUEST = re.compile(
    r"^\W*(?:that is|this is|that's|this's)\s+(?:the\s+whole\s+(?:ask|request|job|scope|deliverable|brief)\b"
    r"|all\s+(?:we|i|they)\s+(?:want|need|ask|are asking|am asking|require)\b|(?:all|it)\W*$)"
    r"|^\W*nothing\s+(?:else|more)\b(?!\s+(?:is|was)\s+known)"
)


# A question that compares options someone proposed ("A colleague proposed adversarial debiasing, another group
# thresholds. How do these compare?"): a choice between fixes, not a request to measure only.
_COMPARES = re.compile(
    r"\bhow (?:do|would|does) (?:these|they|the two|both|those|the options|the approaches)\s+(?:\w+\s+)?compare\b"
    r"|\bwhich (?:one |of (?:these|them|the two|those) )?(?:is|would be|works) better\b"
)
_PROPOSALS = re.compile(
    r"\b(?:proposed|suggested|recommended|options|approaches|methods|techniques|alternatives|candidates)\b"
)


def compares_proposals(text: str, evidence: str) -> bool:
    """Whether ``evidence`` asks how options proposed earlier in ``text`` compare."""
    t, ev = normalise(text), normalise(evidence)
    at = t.find(ev)
    return _COMPARES.search(ev) is not None and at > 0 and _PROPOSALS.search(t[:at]) is not None


def framed_as_whole(text: str, evidence: str) -> bool:
    """Whether the sentence right after the one ``evidence`` comes from frames it as the whole request."""
    sentences = _sentences(text)
    at = _sentence_at(sentences, evidence)
    return at is not None and at + 1 < len(sentences) and _WHOLE_REQUEST.search(sentences[at + 1]) is not None


def withdrawn_scope(text: str, evidence: str, permission: str | None = None) -> bool:
    """A restriction framed as a past belief or wish ("we first wanted to fix the data only", "we were told
    not to touch the model") and followed by words that open every stage ("but any stage is fine") or by
    the permission to retrain the text settles on (``permission``: the words it came from)."""
    t, ev = normalise(text), normalise(evidence)
    at = t.find(ev)
    sentence = sentence_of(text, evidence)
    if at < 0 or not (BELIEF.search(sentence) or _WISH.search(sentence)):
        return False
    after = t[at + len(ev) :]
    return _OPEN_SCOPE.search(after) is not None or bool(permission and normalise(permission) in after)


# "Not collected" is about a protected attribute being absent: the clause's sentence must name one (or
# demographics in general) and an absence. Without that, "there are no labels", "no weights, no access"
# or "creators get no exposure" are about something else.
_ATTRIBUTE = re.compile(
    r"\b(?:race|racial|ethnic\w*|gender|sex|sexes|age|ages|religio\w*|disab\w*|nationalit\w*|citizenship"
    r"|national origin|origin|marital|pregnan\w*|orientation|lgbt\w*|caste|colou?r|skin|language\w*|accent\w*"
    r"|postcode|zip|immigra\w*|indigenous|demographic\w*|protected|sensitive|attribute\w*|veteran|health"
    r"|women|men|female|male|black|white|hispanic|latin[oax]|asian|muslim|jewish|roma|trans|minorit\w*)\b"
)
_ABSENT = re.compile(
    r"\b(?:not|no|zero|never|none|nothing|nobody|no-one|nowhere|neither|nor|without|lack\w*|delete[ds]?|deleting"
    r"|discard\w*|drop\w*|purge\w*|erase[ds]?|anonymi[sz]\w*|unknown|missing|absent|unavailable|blind"
    r"|stop(?:ped)? (?:asking|collecting))\b"
)


# "almost no sites in majority-Black neighbourhoods", "virtually no women are approved": how few of something the
# model gives a group, not the attribute's absence
_FEW = re.compile(
    r"\b(?:almost|nearly|virtually|practically|next to|close to)\s+(?:no|none|nobody|nothing|zero)\b"
)


def names_attribute(text: str) -> bool:
    """Whether ``text`` (lower case) names a protected attribute or a group it defines."""
    return _ATTRIBUTE.search(text) is not None


# The attribute held somewhere after all, in its plainest form: another store named as holding it, in contrast
# ("..., although the HR database does"; the reader counts a "not collected" reading beside it as "not at
# decision time").
HELD_IN_CONTRAST = re.compile(
    r"\b(?:although|but|though|whereas)\s+(?:the|our)\s+[\w -]{0,30}?\b(?:does|do|has|have)\b\s*(?:[.;,]|$)"
)
# ... and in every form ("it is available for analysis", "the university holds students' demographics", "we do
# collect it at application"): a "not collected" reading then says only that the decision step lacks it.
_HELD = re.compile(
    r"\b(?:we|they|the [\w-]+|our [\w-]+|it|which|that)\s+(?:do\s+|does\s+|also\s+|still\s+)?"
    r"(?:holds?|collects?|records?|stores?|keeps?|captures?)\b"
    r"|\b(?:is|are)\s+(?:still\s+|also\s+)?(?:held|collected|recorded|stored|kept|captured|available)\b"
    r"|" + HELD_IN_CONTRAST.pattern
)


def _outside(text: str, evidence: str) -> str:
    """``text`` normalised, without the words ``evidence``."""
    return normalise(text).replace(normalise(evidence), " ")


def held_elsewhere(text: str, evidence: str) -> bool:
    """Whether ``text`` says, outside the clause ``evidence``, that the attribute is held after all."""
    return _HELD.search(_outside(text, evidence)) is not None


def held_in_contrast(text: str, evidence: str) -> bool:
    """Whether ``text`` names, outside the clause ``evidence``, another store holding it (:data:`HELD_IN_CONTRAST`)."""
    return HELD_IN_CONTRAST.search(_outside(text, evidence)) is not None


def names_absent_attribute(text: str, evidence: str) -> bool:
    """Whether the sentence a "not collected" reading came from names a protected attribute and its absence;
    the attribute may be named by the sentence just before and referred to by a pronoun ("Should we start
    collecting ethnicity data? Right now we don't have it at all.")."""
    sentences = _sentences(text)
    at = _sentence_at(sentences, evidence)
    sentence = sentences[at] if at is not None else normalise(evidence)
    if _ABSENT.search(_FEW.sub(" ", sentence)) is None:
        return False
    if _ATTRIBUTE.search(sentence) is not None:
        return True
    return (
        at is not None
        and at > 0
        and re.search(r"\b(?:it|them|that|those|this|these)\b", sentence) is not None
        and _ATTRIBUTE.search(sentences[at - 1]) is not None
    )


# A clause that says the user means to retrain ("we want to retrain the classifier with a penalty", "we
# plan to refit it next sprint") states no prohibition, whatever else it resembles; a negation anywhere in
# it ("we wanted to retrain but can't", "we'd like to retrain, which the vendor forbids") leaves the
# reading to the model.
_INTENT_TO_RETRAIN = re.compile(
    r"\b(?:we|i|they|the team)\s*(?:'d|'ll|'re|would|will|are|am|plan|want|intend|need|mean|hope|aim)?\s*"
    r"(?:like|want|wants|plan|plans|planning|intend|intends|intending|going|need|needs|aim|hope|love)\s+to\s+"
    r"(?:re-?train|re-?fit|rebuild|re-?build|re-?estimate)\b"
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|can't|won't|isn't|aren't|don't|doesn't|didn't|wouldn't|couldn't|shouldn't"
    r"|unable|forbid\w*|prohibit\w*|impossible|but|however|if|unless|although|though|wish|hoped|wanted)\b|n't\b"
)


# The user's own choice not to change the model ("I'm not planning to change the model", "we'd rather not
# rebuild it", "we don't intend to retrain"): a scoping of the request or a preference, no prohibition.
_NO_INTENT = re.compile(
    r"\b(?:we|i|the team)(?:'m|'re|\s+(?:are|am|is|would|do|does))?\s+(?:not|never|rather not)\s+"
    r"(?:(?:planning|going|intending|looking|trying|aiming|hoping|keen|wanting)\s+to\s+|(?:plan|intend|want|need"
    r"|wish|mean|aim|care)\s+to\s+)?(?:change|modify|alter|touch|retrain|re-train|refit|re-fit|rebuild|re-build)\b"
)
_IMPOSED = re.compile(
    r"\b(?:can|could|may|allowed|permitted|able|authori[sz]ed|forbidden|prohibited|banned|must|impossible|frozen"
    r"|locked|vendor|contract|regulat\w*|law|legal|compliance)\b"
)


def states_intent_to_retrain(evidence: str) -> bool:
    """Whether ``evidence`` states the user's plan to retrain, or their own choice not to change the model
    (with nothing imposed: no modal of permission, no rule, no owner): neither forbids retraining."""
    ev = normalise(evidence)
    if _NO_INTENT.search(ev) and _IMPOSED.search(ev) is None:
        return True
    return _INTENT_TO_RETRAIN.search(ev) is not None and _NEGATION.search(ev) is None


# What follows "no changes (to the tool)" when it scopes the request: "are on the table", "requested", "for now"
_SCOPE_TAIL = (
    r"\s+(?:(?:is|are)\s+)?(?:on the table|in scope|within scope|part of (?:this|the) (?:\w+ )?(?:brief|scope|work"
    r"|ask|request)|part of (?:this|it)(?!\s+\w)|requested|planned|wanted|needed|expected|asked for|right now"
    r"|for now|at this (?:stage|point)|this (?:round|time|quarter|year|phase|sprint))\b"
)
# A request scoped to measuring ("no changes, we only need numbers", "no changes to the tool are on the
# table", "they don't want any changes right now, just the picture", "we are not changing anything in this
# round"): it says what this piece of work is, not that the model may not be retrained (the labelling rules'
# "mere scoping of the request"). Exact, on the normalised clause a retraining ban was read from.
SCOPED = re.compile(
    r"\bno\s+(?:[\w-]+\s+)?(?:changes?|modifications?)\b(?:\s+(?:to|in|on)\s+(?:the|our|this|its|their|any)\s+"
    r"(?:[\w-]+\s+){0,3}?[\w-]+)?"
    + _SCOPE_TAIL
    + r"|\b(?:do|does|did) not\s+want\s+(?:any\s+|us\s+to\s+make\s+(?:any\s+)?)?changes\s*(?:right now|for now|yet"
    r"|at this (?:stage|point)|this (?:round|time|quarter|phase)|[,;:\u2014-]+\s*(?:just|only)\b)"
    r"|\bno\s+(?:[\w-]+\s+)?changes?\s*[,;:\u2014.-]+\s*(?:just|only|simply|purely)\b"
    r"|\b(?:just|only|simply|purely)\b[^.;]{0,60}?,\s*no\s+changes?\s*$"
    r"|\b(?:we|i) (?:are|am) not changing anything (?:in|for|during|this) (?:this |the )?"
    r"(?:round|time|phase|sprint|quarter|now|moment)\b"
)


# A request that says in so many words that nothing will be fixed ("an answer, not a fix", "no mitigation",
# "remediation is outside our mandate", "we're not fixing anything", "nothing to deploy"): only measuring,
# explaining or documenting is asked for. Exact, so it is applied even where the reader's scope head is
# unsure; a report of a fix that failed ("no fix has worked so far") does not count. A request scoped to
# measuring (SCOPED) is one too.
NO_FIX = re.compile(
    r"(?:^|[.;:,?!(\u2014-]\s*|\b(?:and|but|so)\s+)(?:no|not an?|not|without)\s+(?:(?:proposed|actual|technical)\s+)?"
    r"(?:mitigation|remediation|fix|fixes|fixing)\b(?!\s+(?:has|have|had|was|were|is|worked|helped|so far|yet))"
    r"|\b(?:mitigation|remediation|(?:fixing|altering|changing|modifying|retraining|touching) (?:it|anything|the"
    r" (?:[\w-]+ )?(?:model|system|tool|scorer|classifier)))\s+(?:is|are)\s+(?:out of|outside(?: of)?|beyond"
    r"|not (?:in|part of|our))\s+(?:our\s+|the\s+|this\s+)?(?:scope|mandate|remit|brief|piece of work|project"
    r"|engagement|exercise|assignment)"
    r"|\bwe\s+(?:are|will)\s+not\s+(?:fix|chang|mitigat|remediat)(?:e|ing)?\s+(?:anything|it|the model)"
    # "nothing is being changed", "nothing in the model or its data is being changed"
    r"|\bnothing(?:\s+(?:in|about|of)\s+(?:the|it|its|our)\b(?:\s+[\w-]+){0,5}?)?\s+(?:is being|will be|gets|to be)"
    r"\s+(?:changed|deployed|fixed|modified)|\bnothing to deploy\b"
    # "the model is not being modified in this project"
    r"|\b(?:is|are)\s+not\s+being\s+(?:changed|modified|touched|altered|fixed)\s+(?:in|for|as part of|during)\s+"
    r"(?:this|the)\s+(?:project|work|exercise|review|audit|engagement|assignment|piece of work)\b"
    r"|\bwe do not (?:intend|plan|want) to (?:change|fix|modify|touch) (?:it|anything|the model)"
    r"|\bwithout proposing (?:any )?(?:changes|fixes|remedies)"
    # a fix not wanted: "we don't need any fixes, only the document"
    r"|\b(?:we|i|they)\s+(?:do|did|does)\s+not\s+(?:need|want|require|expect)\s+(?:any\s+)?"
    r"(?:fix(?:es)?|mitigations?|remediation|remedies)\b"
    # fixing is somebody else's job; understanding instead of changing; analysis and nothing else
    r"|\b(?:fixing|fix|remediation|mitigation|remedying|changing)\s+(?:it\s+|them\s+|that\s+)?(?:is|are|will be)\s+"
    r"(?:someone|somebody|some other team|another team)(?:'s| else's| else is| is)\s+(?:job|problem|call|responsibility|task)"
    r"|\b(?:understand|measure|analy[sz]e|assess|evaluate|quantify|diagnose|document|explain)\w*,?\s+(?:not|rather than"
    r"|instead of)\s+(?:to\s+)?(?:change|fix|alter|modify|mitigate|intervene|remediate)\b"
    r"|\b(?:understand|measure|analy[sz]e|quantify|explain|assess|estimate|describe|document|report)\s+(?:it|the"
    r" (?:gap|disparity|bias|difference)(?:\s+[\w-]+){0,6}?)\s+(?:rather than|instead of)"
    r"\s+(?:change|fix|alter|modify|correct|close|remove|mitigate)"
    r"|\bno\s+(?:[\w-]+\s+)?(?:changes?|modifications?|interventions?|mitigation|remediation|fix(?:es)?)"
    # "no changes to it are planned"
    r"(?:\s+to\s+(?:it|them|(?:the|our|its)\s+[\w-]+(?:\s+[\w-]+)?))?\s+(?:is\s+|are\s+)?(?:being\s+)?"
    r"(?:requested|asked for|wanted|sought|planned|expected)\b"
    r"|\b(?:analysis|diagnosis|measurement|assessment|evaluation|check|audit|review)\s+only\s*(?:$|[.;:,!)]|for\b"
    r"|at this stage|for now"
    r"|this (?:time|round|phase))"
    r"|\b(?:purely|strictly|only)\s+(?:diagnostic|descriptive|analytical|exploratory)\b"
    r"|\bwe(?:'re| are)\s+not\s+(?:going\s+to\s+)?(?:change|fix|alter|touch)(?:ing)?\s+(?:anything|it|the model)\b"
    # a mandate to describe "..., not to fix it" (not "instructed not to change the model": a prohibition); a fix
    # nobody asked for ("nobody is asking me to fix it")
    r"|(?<!can)(?<!cannot),?\s+not to (?:fix|correct|mitigate|remediate|repair) (?:it|them|anything|the (?:[\w-]+ ){0,2}?"
    r"(?:model|system|tool|scorer|classifier|gaps?|disparity|bias))\b"
    r"|\b(?:nobody|no one|no-one)\s+(?:is|was|has|had)?\s*(?:asking|asked|requested|requesting)\s+(?:me|us|the team|them)?"
    r"\s*(?:to|that (?:we|i|they))\s+(?:fix|correct|change|mitigate|remediate|repair|modify)\b"
    + "|"
    + SCOPED.pattern
)


# A request for a fix ("please reduce the gap", "what can we do?", "how do we correct it"): a text that asks
# for one, and says nowhere that nothing will be fixed (NO_FIX), is not measure-only, whatever its other
# clauses sound like ("the assessment only covers approvals, so please reduce the gap there").
ASKS_FOR_FIX = re.compile(
    r"(?<!not )(?<!n't )(?<!never )(?<!than )(?<!of )\b(?:fix|reduce|close|mitigate|correct|remedy|shrink|narrow|remove)"
    r"\s+(?:it|them|this|that|the (?:[\w-]+ ){0,2}?(?:gaps?|disparity|disparities|bias|difference|imbalance))\b"
    r"|\bwhat (?:can|should|could) (?:we|i) do\b|\bwhat would you (?:do|recommend|suggest|try)\b"
    r"|\bhow (?:do|can|could|should) (?:we|i) (?:fix|reduce|close|mitigate|correct|remove|shrink|narrow)\b"
    r"|\brecommend (?:a |the |some )?(?:fix|mitigation|remediation|remedy)"
    r"|\bwhich (?:method|technique|approach|fix)(?:e?s)? (?:do |would |should |could )?(?:you|we) (?:recommend|suggest|use|try)\b"
    # "we want it gone", "management needs the gap closed by June"
    r"|(?<!not )(?<!never )(?<!no )\b(?:want|wants|need|needs|would like|'d like)\s+(?:it|them|this|that|the (?:[\w-]+ )?(?:gaps?|disparity"
    r"|disparities|bias|difference|imbalance))\s+(?:gone|fixed|closed|removed|reduced|narrowed|eliminated"
    r"|corrected|shrunk)\b"
    # "correct the grader so that it no longer marks older staff down": a fix of the model's behaviour
    r"|(?<!not )(?<!n't )\b(?:fix|correct|repair|debias|de-bias|change|adjust) (?:the|our|this|their) (?:[\w-]+ ){0,2}?"
    r"(?:model|grader|scorer|classifier|tool|system|algorithm|ranker|engine) so (?:that )?(?:it|they) (?:stops?"
    r"|no longer|does not|do not|doesn't|don't|treats?)\b"
    # "which adjustments on its output are possible now?", "what fixes remain open to us?"
    r"|\b(?:which|what) (?:[\w-]+ )?(?:adjustments?|fixes|interventions|corrections|remedies|mitigations)\b"
    r"[^.?!]{0,40}?\b(?:possible|available|feasible|can (?:we|i)|could (?:we|i)|remain|open to)\b"
    # "the Client wishes to understand the technical remedies available", "the fixes open to us"
    r"|(?<!\bno )\b(?:remedies|fixes|mitigations|interventions|corrections)\s+(?:(?:that are|which are|are)\s+)?"
    r"(?:available|open to|at (?:our|its|their|the client's) disposal|on offer)\b"
    # "what are our options?", "what would our technical options look like?"
    r"|\bwhat (?:would|are|could|might|will) (?:be )?(?:our|the|my) (?:[\w-]+ )?(?:options|choices|alternatives)\b"
    r"|\bwhat (?:options|choices) (?:do|would|could) (?:we|i) have\b"
    # "is there a way to make the errors comparable?", "any method to even out the approval rates?"
    r"|\b(?:is there|are there|any) (?:a |an |any )?(?:way|method|technique|approach|fix)e?s? (?:to|that|of) "
    r"(?:make|get|bring|even|equali[sz]e|balance|close|reduce|fix|correct|remove|narrow|shrink|level)\b"
    # an accuracy cost accepted is a cost of a fix: "a little accuracy loss is fine", "we can live with some
    # accuracy drop"
    r"|\b(?:some|a little|a bit of|a small|a slight|minor) (?:accuracy|performance|auc) (?:loss|drop|hit|cost|dip)"
    r" (?:is|would be) (?:fine|ok|okay|acceptable|tolerable|allowed)\b"
    r"|\b(?:can|could) (?:live with|accept|afford|tolerate|take) (?:some|a little|a bit of|a small|a slight|minor) "
    r"(?:loss of )?(?:accuracy|performance|auc)\b"
)


def asks_for_fix(text: str) -> str | None:
    """The words asking for a fix, when the text does not also rule fixing out, or ``None``."""
    t = normalise(text)
    if NO_FIX.search(t):
        return None
    m = ASKS_FOR_FIX.search(t)
    return m.group(0) if m else None


def asks_for_no_fix(text: str) -> str | None:
    """The words saying nothing will be fixed, or ``None``."""
    m = NO_FIX.search(normalise(text))
    return m.group(0).strip(" ,.;:(-\u2014") if m else None


# a "no change" clause with nothing else in it ("No model changes", read apart from ", just the write-up")
_BARE_NO_CHANGE = re.compile(r"\W*no\s+(?:[\w-]+\s+)?(?:changes?|modifications?)\W*")


def scoped(evidence: str, text: str = "") -> bool:
    """Whether the words a "no change" was read from only scope the request (see :data:`SCOPED`); a bare "no
    model changes" is judged with the rest of its sentence in ``text``."""
    ev = normalise(evidence)
    if SCOPED.search(ev):
        return True
    return (
        bool(text)
        and _BARE_NO_CHANGE.fullmatch(ev) is not None
        and SCOPED.search(sentence_of(text, evidence)) is not None
    )


# A statement that nothing may be changed, model included ("change freeze", "nothing about it may be altered",
# "we can't change anything", "no changes to the model until Q3", "read-only access"): a constraint, not a
# scoping of the request ("no changes requested"); it rules out retraining too. Exact, on the normalised text.
FORBIDS_CHANGE = re.compile(
    r"\bchange freeze\b|\bfreeze on (?:all )?changes\b|\b(?:regulatory|legal) hold\b"
    r"|\bread-?only (?:[\w-]+ )?(?:access|mode|copy|sandbox|snapshot)\b"
    r"|\bis read-?only to us\b|\bforbidden from (?:modifying|changing|altering|touching)\b"
    r"|\b(?:nothing|none of (?:it|them|the \w+))(?: (?:about|in|of|on) (?:it|them|the (?:[\w-]+ )?\w+)"
    r"(?: or (?:its|the|their) (?:[\w-]+ )?\w+)?)?"
    r" (?:can|may|must|will|is allowed to)"
    r" (?:not )?(?:be )?(?:change[sd]?|modif(?:y|ied)|alter(?:ed)?|touch(?:ed)?|update[sd]?)\b"
    r"|\b(?:we|i|they) (?:can not|could not|may not|must not|are not allowed to|are not authori[sz]ed to|are unable to"
    r"|have no way to) (?:change|modify|alter|touch|update) (?:anything|any of|it\b|them\b"
    r"|the (?:[\w-]+ )?(?:model|system|scorer|tool|classifier|engine|product|algorithm)\b)"
    r"|\bno changes? (?:to|on|in|of) (?:the |any |our |their )?(?:[\w-]+ ){0,2}?"
    r"(?:model|system|scorer|classifier|algorithm|tool|engine)s?\b(?!"
    + _SCOPE_TAIL  # (not "no changes to the tool are on the table": a scoping of the request, see SCOPED)
    + r")"
    r"|\bno changes (?:are |will be )?(?:allowed|permitted|possible|until)\b"
    # the change named, then the rule left elliptical ("Not changing anything, we're not allowed to")
    r"|\b(?:not|no) (?:changing|touching|modifying|altering) (?:anything|it|them|the model)\b,? (?:because |as |since )?"
    r"(?:we|i|they)(?:'re|'m| are| am)? (?:not (?:allowed|permitted|authori[sz]ed)|forbidden|barred) to\b"
    # "nobody may alter it this cycle", "no one can touch the model": a ban on anyone changing it
    r"|\b(?:nobody|no one|no-one) (?:can|may|is allowed to|is permitted to|gets to) (?:change|modify|alter|touch"
    r"|update|edit) (?:anything|it\b|them\b|the (?:[\w-]+ )?(?:model|system|scorer|tool|classifier|engine|product"
    r"|algorithm)\b)"
    # "we have zero ability to change anything in their system", "no power to alter the tool"
    r"|\b(?:zero|no) (?:ability|power|authority|means|say) (?:whatsoever )?(?:to|over) (?:change|modify|alter|touch)"
    r" (?:anything|any of|the model|it\b|them\b|the system|the scorer|the tool|the product)"
    # "the agreement forbids me from deploying any modification", "the licence bars us from altering the product"
    r"|\b(?:forbids?|forbidden|bars?|barred|prohibits?|prohibited|prevents?|precludes?) (?:\w+ )?from"
    r" (?:deploying|making|applying|altering|changing|modifying|touching) (?:any\b|it\b|them\b|the (?:[\w-]+ )?"
    r"(?:model|system|scorer|classifier|algorithm|tool|engine|product|software)\b)"
    r"|\bno (?:deploy|deployment|write|change) (?:rights|access|permissions?)\b"
    # "the screening model is read-only for our team", "the engine is untouchable until the appeal", "it sits
    # under a supervisory freeze", "neither we nor the vendor may alter the classifier"
    r"|\b(?:is|are|stays?|remains?) (?:completely |entirely |strictly )?(?:read-?only|untouchable|immutable"
    r"|set in stone)\b|\bread-?only (?:to|for) (?:us|me|our|the)\b|\band (?:completely |entirely )?(?:untouchable"
    r"|immutable)\b"
    r"|\b(?:supervisory|regulatory|regulator-imposed|legal|model) freeze\b"
    r"|\bneither (?:we|i|they|[\w-]+) nor (?:[\w-]+ ){1,3}(?:may|can|is allowed to|are allowed to)"
    r" (?:change|modify|alter|touch|update)\b"
    # both the data and the model frozen ("the training data and the model are both locked", "model and
    # dataset stay frozen"): nothing left to change
    r"|\b(?:the |our )?(?:training )?(?:data(?:set)?|model) and (?:the |our |its )?(?:training )?(?:data(?:set)?|model)"
    r" (?:are|were|stay|remain|have been) (?:both )?(?:frozen|locked|fixed|off-?limits)\b"
)


# A request for measurement, analysis or evidence ("the union wants evidence on whether ...", "counsel needs an
# analysis of ...", "what can we still learn about the gap?"): with a statement that nothing may change
# (FORBIDS_CHANGE), only measuring is asked for.
ASKS_TO_MEASURE = re.compile(
    r"\b(?:wants?|needs?|asks? for|asked for|requests?|requested|would like|like|looking for|require[sd]?)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:evidence|an? (?:[\w-]+ ){0,2}?(?:analysis|report|assessment|evaluation|audit|comparison"
    r"|explanation|description|breakdown|estimate|account|view on|picture of)|numbers|figures|statistics|to (?:see"
    r"|know|understand|learn|measure|quantify|compare|test|check|find out|establish|show|assess|evaluate|watch"
    r"|track|analy[sz]e|investigate|examine|determine|verify))\b"
    r"|\bwhat (?:can|could) (?:we|i) (?:still )?(?:learn|find out|measure|say|show|tell|establish)\b"
    # "we have to report whether it rejects older applicants more often"
    r"|\b(?:have|has|had|is|are) to (?:report|measure|establish|assess|evaluate|quantify|find out|analy[sz]e"
    r"|investigate|examine|determine|check|test|verify) (?:whether|if|how)\b"
    # the one thing permitted is an analysis: "we may publish a report", "we are allowed to write up an audit"
    r"|\b(?:we|i) (?:can|may|are allowed to|am allowed to|are permitted to) (?:only )?(?:publish|write(?: up)?"
    r"|produce|share|release) an? (?:[\w-]+ ){0,2}?(?:analysis|report|assessment|audit|evaluation|review)\b"
)


def asks_to_measure(text: str) -> str | None:
    """The words asking for measurement or evidence, or ``None``."""
    m = ASKS_TO_MEASURE.search(normalise(text))
    return m.group(0) if m else None


# The means to refit are gone ("the original training data was deleted", "we don't have the training data",
# "the training code was lost"): no retraining, unless the text says otherwise. Exact, on the normalised text.
MEANS_GONE = re.compile(
    r"\b(?:original |historical )?training (?:data|set|code|pipeline|scripts?)(?: [\w-]+){0,4}? (?:was|were"
    r"|(?:has|have|had) (?:since |now |already |long )?been|got|is|are) (?:permanently |accidentally |since |now |long )?"
    r"(?:deleted|wiped|lost|purged|destroyed|gone"
    r"|discarded|erased)\b"
    r"|\b(?:do not|does not|no longer|never) (?:have|had|hold|keep|kept) (?:the|any|its|their) (?:original )?"
    r"training (?:data|set|code)\b"
    r"|\bno (?:one|body) (?:has|holds|kept) (?:the|its) training (?:data|code)\b"
)


# A sentence that only guesses ("there may be a change freeze next quarter, we'll see"): the hedges, a possibility
# ("may be", not "may be altered") or a wait-and-see.
GUESS = re.compile(HEDGE.pattern + r"|\b(?:may|could) be\b(?! \w+(?:ed|en)\b)|\bwe will see\b")


def _stated(pattern: re.Pattern[str], text: str, guess: re.Pattern[str]) -> str | None:
    """The first words of ``text`` matching ``pattern`` in a sentence that ``guess`` does not find, or ``None``."""
    t = normalise(text)
    for m in pattern.finditer(t):
        if not guess.search(sentence_of(t, m.group(0))):
            return m.group(0)
    return None


def means_gone(text: str) -> str | None:
    """The words saying the data or code to refit the model with are gone, or ``None`` (also in a guess)."""
    return _stated(MEANS_GONE, text, HEDGE)


def forbids_change(text: str) -> str | None:
    """The words saying that nothing, the model included, may be changed, or ``None`` (also when the sentence
    only guesses: "there may be a change freeze next quarter, we'll see")."""
    return _stated(FORBIDS_CHANGE, text, GUESS)


# An attribute stated usable where decisions are made ("age attr usable in prod", "gender is permitted at
# decision time"), in a sentence that does not ask: a permission to use it at decision time. Exact, on the
# lower-cased text (no negation may stand between the attribute and "usable").
USABLE_AT_DECISION = re.compile(
    r"\b(?:race|ethnicity|gender|sex|age|religion|disability|nationality|marital status)"
    r"(?: (?:attr|attribute|field|column|flag|variable|band|group))?(?: (?:is|are|stays|remains))?"
    r" (?:usable|allowed|permitted|fine to use|ok to use|okay to use)"
    r" (?:in prod(?:uction)?|at decision time|at serving time|at inference(?: time)?|in live (?:scoring|decisions))\b"
)


# A sentence that asks ("age usable in prod; is that right?"): what it names is not granted.
_QUESTION = re.compile(r"\?\s*$")


def usable_at_decision(text: str) -> str | None:
    """The words stating a protected attribute usable at decision time, outside a question, or ``None``."""
    return _stated(USABLE_AT_DECISION, text, _QUESTION)
