"""The accuracy budget a text states: the largest accuracy loss it accepts, as a fraction.

Exact rules, no model. Two kinds of statement give a budget:

* **An amount of loss with a limit** (this module): a limit or loss cue ("lose", "at most", "no more than",
  "drop", "capped at", "tolerance", "can't afford more than", ...) within a few words before an amount, or
  a limit after it ("two points, tops", "0.03 at worst", "is the ceiling", "and no more", "beyond that is a
  non-starter"), or a conditional rejection ("if accuracy falls more than 1.5 points we can't ship").
  Amounts: digits ("2", "1.5", "1,5"), number words ("two", "fifty", "twenty-five"), compounds ("two and a
  half"), fractions ("half a", "a quarter of a", "1/2 a", "three tenths of a", "4 tenths of a", "a
  hundredth"), "a" / "an" before a point or a percent. Units: "%", "percent", "per cent", "percentage
  points", "pp", "points", "pts" (hundredths), "basis points" / "bps" (ten-thousandths); a bare decimal
  below one is already a fraction ("no more than 0.02 AUC", "tolerance: 0.005"), a bare whole number
  points.
* **A floor below today's level** (:mod:`fairmend.recommender.floors`): "AUC 0.84 today; we'd accept 0.83
  but no lower", "must stay at or above 0.92 (it's 0.95 now)", "from 0.880 to 0.865 and no lower",
  "baseline minus 0.01 AUC".

What is no budget: a hedged, ranged or reported amount ("a percent or so", "roughly a point", "maybe 1-2%",
"the vendor claims less than 1% on average", "a point, maybe a bit more"), an amount in a question, an
amount of something else ("10% of applicants", "5% of the budget", "a drop of 5% in the approval rate"), a
difference between groups ("the approval gap is 12 points", "recall within 2 points across groups"), a level
("accuracy is 91%") and a past loss ("we lost 3 points last year"). A sentence that names no accuracy
metric (accuracy, AUC, F1, precision, recall, sensitivity, performance, ...) counts only with a loss word
("we can lose at most 2 points").
"""

from __future__ import annotations

import re

from fairmend.recommender.amounts import (
    AMOUNT,
    AMOUNT_UNIT,
    METRIC,
    UNIT,
    amount_value,
    is_question,
    split_sentences,
)
from fairmend.recommender.floors import floor_budget

# a cue before the amount: a loss, a limit or an acceptance
CUE = re.compile(
    r"\b(?:lose|loses|losing|loosing|loss|drop|drops|dropping|decrease|decreases|decline|declines|cost|costs"
    r"|sacrifice|sacrificing|give\s+up|giving\s+up|give\s+away|trade(?:\s+away|\s+down)?|shed|budget"
    r"|at\s+most|at\s+the\s+most|no\s+more\s+than|not\s+more\s+than|up\s+to|under|below|less\s+than"
    r"|within|max(?:imum)?|tolerate|tolerable|tolerated|afford|accept|accepted|acceptable|approve|approved|willing|fine\s+with"
    r"|okay\s+with|ok\s+with|hit(?!\s+rate)|dip|reduction|reduce|reduces|reducing|degrad\w*|fall|falls|worse|take|eat"
    r"|tolerance|allowance|ceiling|cap|caps|capped|limit|limited|slip|slips|slide|go\s+down|goes\s+down"
    r"|sign\s+off\s+on|signed\s+off\s+on|knocks?|exceed|exceeds|delta|allowed|spend\w*|keep|spare|appetite"
    r"|live\s+with|red\s+line)\b"
    # a comparison sign before the amount ("\u2264 0.5pp accuracy loss", "accuracy hit <= 1pp"; not an arrow)
    r"|\u2264|<=|(?<![<-])<(?![-<=])"
)
# a loss word: enough without a named metric ("we can lose at most 2 points")
_LOSS = re.compile(
    r"\b(?:lose|losing|loosing|loss|drop|dropping|sacrific\w*|give\s+up|giving\s+up|hit(?!\s+rate)|cost(?:s|ing)?|degrad\w*|worse)\b"
    # a regression's loss is a rise in its error ("a 2% increase in error", "RMSE may rise by at most 3%")
    r"|\b(?:increase|rise|growth)\s+in\s+(?:the\s+)?(?:\w+\s+)?(?:error|rmse|mae|mse)\b"
    r"|\b(?:error|rmse|mae|mse)\s+(?:may\s+|can\s+|could\s+)?(?:increase|increases|rise|rises|grow|grows|go(?:es)?\s+up)\b"
)
# not inside another number, a word or a fraction
_NUMBER_START = r"(?<![\w.,/])"
_DIGITS = _NUMBER_START + r"(?P<digits>\d+(?:[.,]\d+)?)(?!,\d{3})"
# a bare number ("keep the AUC within 0.01 of the current model", "tolerance: 0.005"): a decimal below
# one is the fraction itself, a whole number is points; a bare fraction of the metric itself ("a drop of at
# most 1/50 in accuracy") is that fraction (not "1/2 a point", an amount with its unit)
_BARE = re.compile(
    r"(?:"
    + _NUMBER_START
    + r"(?P<bslash>\d{1,2})\s*/\s*(?P<bslashden>\d{1,3})(?![\w%/]|\.\d|\s*(?:of\s+)?(?:a|an|one)\b)"
    r"|" + _DIGITS + r"(?![\w%]|\.\d|\s*(?:/|of\s+(?:a|an|one)\b)))"
)
# "a hundredth" of the metric itself
_HUNDREDTH = re.compile(r"\b(?P<hundredth>a|one)\s+hundredth\b")
# a comparison sign after a statistic's name sets a significance level, no budget ("p < 0.01", "alpha <= 0.05")
_SIGNS = frozenset({"\u2264", "<=", "<"})
_STATISTIC = re.compile(r"\b(?:p|p-?values?|alpha|\u03b1|q|fdr|significance(?:\s+level)?)\s*$")
# a limit after the amount: "two points at most", "0.03 tops", "is the ceiling", "and no more"
TRAIL = re.compile(
    r"(?:(?:\s+(?:of|in|on))?\s+(?:balanced\s+|bal\.?\s+)?(?:accuracy|acc|auc|f1|performance|precision|recall)\.?"
    r"(?:\s+(?:\(\w+\))?\s*(?:loss|drop|hit|reduction|decrease|penalty|tolerance|budget))?"
    # "a 4% drop in accuracy would be the maximum"
    r"|\s+(?:drop|loss|decrease|reduction|hit|dip|decline|fall)\s+(?:in|of|to)\s+(?:the\s+|our\s+)?(?:balanced\s+|bal\.?\s+)?"
    r"(?:accuracy|acc|auc|f1|performance|precision|recall)\b)?\s*[,;(]?\s*(?:that'?s\s+)?"
    r"(?:at\s+(?:the\s+)?(?:very\s+)?(?:most|worst)|max(?:imum)?\b|tops\b|and\s+no(?:t\s+a\s+\w+)?\s+(?:more|further)"
    r"|but\s+no\s+more"
    r"|(?:but\s+)?no\s+(?:more|further)\b|not\s+more\b|nothing\s+(?:beyond|more|past)|(?:is|are|as)\s+(?:the|our|my)\s+"
    r"(?:\w+\s+)?(?:limit|ceiling|maximum|cap|most|budget|tolerance)|is\s+(?:the\s+most|all|what\s+(?:we|i)\s+can)"
    r"|would\s+be\s+(?:the|our)\s+(?:\w+\s+)?(?:limit|maximum|ceiling|cap|most)|(?:is|would\s+be|seems)\s+(?:acceptable|fine|ok|okay|tolerable)"
    r"|or\s+(?:less|lower|under|below)\b|(?:,\s*)?beyond\s+that)"
)
# a limit named by the noun after the amount and its metric: "a 2pp accuracy allowance", "a 3% AUC budget"
_NOUN_LIMIT = re.compile(
    r"\s*-?\s*(?:of\s+)?(?:balanced\s+|bal\.?\s+)?(?:accuracy|acc|auc|f1|performance|precision|recall)\s+"
    r"(?:loss\s+|drop\s+)?(?:allowance|budget|tolerance|cap|ceiling|limit)\b"
)
# a conditional rejection after "more than X": "if accuracy falls more than 1.5 points we can't ship"
_REJECT = re.compile(
    r"\b(?:can(?:no|')?t|cannot|won'?t|\w+n't|not|no|never|unacceptable|non-?starter|reject\w*|vetoed|pulled"
    r"|rolled\s+back|roll\s+back|escalat\w*|blocked|kill\w*|uncomfortable|drawing\s+board)\b"
)
_MORE_THAN = re.compile(
    r"\b(?:by\s+)?(?:more\s+(?:than|then)|(?:greater|bigger|larger|higher)\s+than|worse\s+than|over|beyond|in\s+excess\s+of)\s*$"
)
_LEVEL = re.compile(r"\b(?:is|are|was|were|at|reaches|gap|difference|disparity)\s*[:=]?\s*$")
# a limit named before the amount makes "is" no level: "our tolerance for accuracy loss is 0.3 points"
_LIMIT = re.compile(
    r"\b(?:tolerance|budget|limit|ceiling|cap|caps|capped|allowance|maximum|max|cost|delta|hit|appetite|red\s+line"
    r"|(?:largest|biggest|greatest)\s+(?:tolerable|acceptable|allowed))\b"
)
# a hedged, reported or vague amount is no firm limit
_HEDGE_BEFORE = re.compile(
    r"(?:\b(?:roughly|about|around|approximately|approx|ballpark|something\s+like|perhaps|maybe|say"
    r"|much\s+more\s+than|hoping|hope|ideally|preferably)"
    r"|\d\s*(?:-|\u2013|to|or))\s*$"
)
_HEDGE_AFTER = re.compile(
    r"^(?:[^.;,]{0,40}?)(?:-?ish\b|(?:\s*(?:,|\(|\u2014|-))?\s*(?:\bor\s+(?:so|two|three|more|a\s+bit\s+more)"
    r"|\b(?:maybe|perhaps)(?!\s+(?:less|lower|fewer)\b)|\bgive\s+or\s+take|\bmore\s+or\s+less|(?<!not\s)\ba\s+bit\s+more"
    r"|\bdepending|\bon\s+average|\bin\s+our\s+(?:experiments|tests)))"
)
# a limit the text itself calls open to discussion ("under 1%, but that's negotiable"; not "non-negotiable")
# or calls soft ("under 1% if possible, but it's not a hard rule", "max 2%, though that's not set in stone")
_NEGOTIABLE = re.compile(
    r"(?<!non-)(?<!non )\b(?:negotiable|up\s+for\s+discussion|open\s+to\s+discussion|if\s+(?:at\s+all\s+)?possible"
    r"|not\s+(?:a\s+)?(?:hard|firm|strict|fixed)\s+(?:rule|limit|requirement|constraint|cap|line|number)"
    r"|not\s+set\s+in\s+stone|soft\s+(?:limit|target|cap|goal|constraint))\b"
)
_REPORTED = re.compile(
    r"\b(?:claims?(?=\s+(?:that|its|their|it|the|a|an|to|less|under|no|at|only)\b)|claimed|promises?|promised"
    r"|advertis\w*|reportedly|according\s+to)\b"
)
# what an amount is of, when not accuracy: "10% of applicants", "a drop of 5% in the approval rate"
_OF_OTHER = re.compile(r"^\s*(?:of|in|on)\s+(?:the\s+|our\s+|its\s+|all\s+)?(?P<what>[a-z0-9]+)")
_METRIC_WORDS = re.compile(
    r"^(?:a|an|one|accuracy|acc|auc|f1|performance|precision|recall|sensitivity|specificity|balanced|bal"
    r"|macro|micro|discriminatory|true|overall|model|loss|drop|points?|pts?|percentage|the|our|its|mean|top"
    r"|today|current|baseline|where|what|old|validated|production|existing|original|present|it|that|them"
    r"|lost|forgone|foregone|sacrificed|reduced|decreased|additional|extra|further)$"
)
# a difference between groups is a fairness target, not a budget
_GAP = re.compile(
    r"\b(?:gap|gaps|disparity|disparities|difference|differ\w*|parity|ratio|each\s+other|between)\b"
)


# a sentence labelled as the budget ("budget: under 1.2%", "- accuracy budget: 0.5 pp"): the label names it
_BUDGET_LABEL = re.compile(
    r"^\W*(?:(?:max(?:imum)?|accuracy|acc|loss|performance)\s+)?(?:budget|tolerance)(?:\s+for\b[^:.]{0,80})?\s*:"
)
# a sentence that is only an amount, and a next one that says what it is
_AMOUNT_ONLY = re.compile(r"^\W*(?:max(?:imum)?\s+)?" + AMOUNT + UNIT + r"\W*$")
_THAT_IS = re.compile(r"^(?:that'?s|that\s+is|this\s+is)\b")
# a loss already suffered, told as an event ("the hit rate dropped 2% after the retrain")
_PAST_LOSS = re.compile(r"\b(?:dropped|fell|declined|decreased|slipped|went\s+down)\s+(?:by\s+)?$")
# part of a fraction the amounts grammar does not count ("a couple of tenths of a point"): no firm number
_PART_OF = re.compile(r"\b(?:tenths?|hundredths?|fractions?)\s+of\s*$")
# a wish, not a limit ("Ideally NDCG wouldn't drop by more than 1%"), unless a "but" turns to the limit
_WISH = re.compile(r"\b(?:ideally|preferably|hopefully|(?:would|'d)\s+rather|in\s+an\s+ideal\s+world)\b")
# a question that asks for an outcome under the writer's own limit ("can I get equal TPR with at most 1%
# accuracy loss?"), not one about the amount ("could we lose two points?")
_WITH_LIMIT = re.compile(
    r"\b(?:with|while|whilst|without)\s+(?:\w+\s+){0,3}?(?:at\s+most|at\s+the\s+most|no\s+more\s+than"
    r"|not\s+more\s+than|max(?:imum)?(?:\s+of)?|under|below|less\s+than|within)\s*$"
)
# a later sentence that withdraws a stated number ("there's no fixed number"), and the next one that takes
# back what came just before it ("max 1%. scratch that, ...": not a budget two sentences earlier)
_WITHDRAWN = re.compile(r"\bno\s+(?:fixed|firm|hard|set)\s+(?:number|limit|budget|figure|cap)\b")
_TAKEN_BACK = re.compile(r"^\W*(?:scratch|forget|ignore|disregard)\s+that\b")


# the model the amount is measured on is not what it is of ("at most 3% on the salary model")
_ON_MODEL = re.compile(
    r"^\s*(?:on|in|for)\s+(?:the|our|its|this)\s+(?:[\w-]+\s+){0,2}(?:model|classifier|regressor|ranker)\b"
)


# the metric after a word or two that qualify it ("a loss of 1 point in pairwise ranking accuracy"), not a
# difference in it ("2 points in recall parity")
_OF_QUALIFIED_METRIC = re.compile(
    r"^\s*(?:of|in|on)\s+(?:the\s+|our\s+|its\s+)?(?:[\w-]+\s+){1,2}?"
    r"(?:accuracy|acc|auc|f1|performance|precision|recall|sensitivity|specificity|ndcg)\b"
    r"(?!\s+(?:gap|gaps|parity|difference|differences|disparity|ratio|between|across)\b)"
)


def _of_other(after: str) -> bool:
    """The amount is of something other than accuracy ("of applicants", "in the approval rate")."""
    if _ON_MODEL.match(after) or _OF_QUALIFIED_METRIC.match(after):
        return False
    m = _OF_OTHER.match(after)
    return m is not None and not _METRIC_WORDS.match(m.group("what"))


def _firm_limit(sentence: str, m: re.Match[str], bare: bool) -> tuple[int, int] | None:
    """The span of the words that make amount ``m`` a firm limit on accuracy loss, or ``None``."""
    before = sentence[max(0, m.start() - 60) : m.start()]
    after = sentence[m.end() : m.end() + 60]
    if (
        _HEDGE_BEFORE.search(before[-30:])
        or _HEDGE_AFTER.match(after)
        or _REPORTED.search(before)
        or _NEGOTIABLE.search(sentence, m.end())
    ):
        return None  # a hedged, ranged or reported amount
    if _of_other(after):
        return None  # "10% of applicants", "a drop of 5% in the approval rate"
    if _PAST_LOSS.search(before) or _PART_OF.search(before):
        return None  # a loss that happened; part of a fraction the grammar does not count
    wish = None
    for wish in _WISH.finditer(before):
        pass
    if wish is not None and not re.search(r"\bbut\b", before[wish.end() :]):
        return None  # "ideally it wouldn't drop by more than 1%"
    cue = None
    for cue in CUE.finditer(before):
        pass
    if cue is not None and cue.group(0) in _SIGNS and _STATISTIC.search(before[: cue.start()]):
        return None  # a significance level ("p < 0.01", "alpha <= 0.05"), not a loss
    trail = TRAIL.match(sentence, m.end()) or _NOUN_LIMIT.match(sentence, m.end())
    gaps = list(_GAP.finditer(before))
    # a gap named in an earlier phrase ("the gender gap in approvals, with a maximum of 1.25% accuracy lost")
    # is not what the amount limits
    if (
        gaps
        and not _LOSS.search(before[gaps[-1].end() :])
        and not re.search(r"[,;(]|\b(?:with|while|whilst|without)\b", before[gaps[-1].end() :])
    ):
        return None  # "the gap in recall should be no more than 2 points"
    if _MORE_THAN.search(before) and _REJECT.search(sentence):
        start = max(0, m.start() - 60) + (cue.start() if cue is not None else len(before) - 12)
        return start, m.end()
    if (
        bare
        and trail is None
        and not re.match(
            r"\s*(?:$|[,;:!?)(]|\.(?!\d)|(?:of|on|in|for|from|relative|compared|versus|vs|below|against|drop|decline"
            r"|reduction|decrease|loss|hit|absolute|abs)\b)",
            sentence[m.end() :],
        )
    ):
        return None  # a bare number must end its phrase ("within 0.01 of", "tolerance: 0.005.")
    between = before[cue.end() :] if cue is not None else before
    if trail is not None:
        return m.start(), trail.end()
    if cue is None:
        return None
    if _LEVEL.search(between) and (not _LIMIT.search(before) or re.search(r"\b(?:was|were)\b", between)):
        return None  # a level ("accuracy is 91%") or a gap between the cue and the amount
    if re.search(r"\b(?:than|to)\s*$", between) and not re.search(
        r"(?:more|less|fewer|worse)\s+than\s*$", between
    ):
        return None
    return max(0, m.start() - 60) + cue.start(), m.end()


# A limit stated and later replaced or dropped: "the board later raised it to 3 points", "the VP set the limit at 2
# points", "that cap has since been scrapped", "the 1% rule no longer applies". What the text settles on is the
# last word: the replacement, or no budget at all.
_LIMIT_NOUN = r"(?:cap|limit|budget|ceiling|tolerance|allowance|constraint|requirement|threshold|target|rule|red\s+line)"
_REVISED = re.compile(
    r"\b(?:raised|lowered|increased|decreased|reduced|cut|changed|moved|revised|relaxed|tightened|loosened|updated"
    r"|reset|set|put|fixed|bumped|pushed|dropped|brought|widened|narrowed)\s+(?:it|that|this|the\s+(?:[\w-]+\s+){0,2}?"
    + _LIMIT_NOUN
    + r"|(?:our|their|its)\s+(?:[\w-]+\s+){0,2}?"
    + _LIMIT_NOUN
    + r")\s+(?:up\s+|down\s+)?(?:to|at)\s+(?:a\s+(?:new\s+)?(?:limit\s+of\s+)?)?$"
)
_DROPPED = re.compile(
    r"\b(?:that|the|this|which|our|their|its)\s+(?:[\w.%-]+\s+){0,2}?"
    + _LIMIT_NOUN
    + r"\s+(?:has|have|had|was|were|is|got)?\s*(?:since\s+|now\s+|later\s+|subsequently\s+|since\s+then\s+)?"
    r"(?:been\s+)?(?:scrapped|dropped|lifted|removed|abandoned|withdrawn|waived|rescinded|cancell?ed|retired|gone"
    r"|axed|binned|shelved|overturned|revoked)\b"
    r"|\b(?:that|the|this|which)\s+(?:[\w.%-]+\s+){0,2}?"
    + _LIMIT_NOUN
    + r"\s+no\s+longer\s+(?:applies|holds|stands|exists)\b"
    r"|\b(?:scrapped|dropped|lifted|removed|abandoned|withdrew|waived|rescinded|cancell?ed|axed|revoked)\s+"
    r"(?:that|the|this|any)\s+(?:[\w.%-]+\s+){0,2}?" + _LIMIT_NOUN + r"\b"
)


def _settled(sentences: list[str], i: int, end: int, found: tuple[float, str]) -> tuple[float, str] | None:
    """The budget once what follows a limit ``found`` (in sentence ``i``, ending at ``end``) has revised or
    dropped it: the last word wins."""
    for j in range(i, len(sentences)):
        rest = sentences[j][end:] if j == i else sentences[j]
        events: list[tuple[int, tuple[float, str] | None]] = [
            (m.start(), None) for m in _DROPPED.finditer(rest)
        ]
        for m in AMOUNT_UNIT.finditer(rest):
            before = max(0, m.start() - 60)
            revised, value = _REVISED.search(rest[before : m.start()]), amount_value(m)
            if revised is not None and 0 < value <= 0.5 and not _of_other(rest[m.end() : m.end() + 60]):
                events.append((m.start(), (value, rest[before + revised.start() : m.end()].strip())))
        for _, event in sorted(events, key=lambda e: e[0]):
            found = event
    return found


def accuracy_budget(text: str) -> tuple[float, str] | None:
    """The largest accuracy loss ``text`` accepts, as a fraction, and the words it came from (``None``: the
    text states no budget)."""
    t = text.lower().replace("\u2011", "-").replace("\u2212", "-").replace("\u2019", "'")
    sentences = split_sentences(t)
    for i, sentence in enumerate(sentences):
        if any(_WITHDRAWN.search(later) for later in sentences[i + 1 :]) or (
            i + 1 < len(sentences) and _TAKEN_BACK.search(sentences[i + 1])
        ):
            continue  # a number taken back later ("max 1%; scratch that, there's no fixed number")
        question = is_question(sentence)
        label = _BUDGET_LABEL.match(sentence)
        if label is not None:  # "accuracy budget for the approval model: 0.7 pp"
            rest = sentence[label.end() :]
            m = AMOUNT_UNIT.match(sentence, len(sentence) - len(rest.lstrip()))
            if m is not None and 0 < amount_value(m) <= 0.5 and not _HEDGE_AFTER.match(sentence[m.end() :]):
                return amount_value(m), sentence[label.start() : m.end()].strip()
        if i + 1 < len(sentences) and _AMOUNT_ONLY.match(sentence) and _THAT_IS.match(sentences[i + 1]):
            nxt = sentences[i + 1]  # "two percent. that's the accuracy loss we'd tolerate"
            m = _AMOUNT_ONLY.match(sentence)
            if METRIC.search(nxt) and CUE.search(nxt) and 0 < amount_value(m) <= 0.5:
                return amount_value(m), f"{sentence.strip()} {nxt.strip()}"
        # the metric may be named by the question this sentence answers ("how much accuracy may we lose?")
        asked = i > 0 and is_question(sentences[i - 1]) and METRIC.search(sentences[i - 1]) is not None
        metric = asked or METRIC.search(sentence) is not None or _BUDGET_LABEL.match(sentence) is not None
        # or by the sentence before, when this one speaks of a loss ("AUC is 0.81 today. The max acceptable
        # drop is 0.01.")
        metric = metric or (
            i > 0 and METRIC.search(sentences[i - 1]) is not None and bool(_LOSS.search(sentence))
        )
        found = [
            *((m, False) for m in AMOUNT_UNIT.finditer(sentence)),
            *((m, True) for m in _BARE.finditer(sentence)),
            *((m, False) for m in _HUNDREDTH.finditer(sentence)),
        ]
        for m, bare in sorted(found, key=lambda f: f[0].start()):
            if not metric and not _LOSS.search(sentence):
                break
            if bare and not metric:
                continue  # a bare number needs the metric it is a fraction of
            if question and not _WITH_LIMIT.search(sentence[: m.start()]):
                continue  # a question states no limit, unless it asks for something within one
            span = _firm_limit(sentence, m, bare)
            if span is None:
                continue
            value = amount_value(m)
            if 0 < value <= 0.5:
                return _settled(sentences, i, span[1], (value, sentence[span[0] : span[1]].strip()))
    return floor_budget(t)
