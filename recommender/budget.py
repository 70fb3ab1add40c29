"""The accuracy budget a text states: the largest accuracy loss it accepts, as a fraction.

Exact rules, no model: a loss cue ("lose", "at most", "no more than", "drop", "accept", ...), then within a
few words an amount with its unit. Amounts: digits ("2", "1.5", "0.02"), number words up to twenty,
compounds ("two and a half", "one and a quarter"), fractions of one ("half a", "a quarter of a",
"three quarters of a", "a" / "an" as one), or a bare number right after the cue ("within 0.01 of the
current model": a decimal below one is the fraction, a whole number points). Units: "%", "percent", "per cent", "percentage points", "pp",
"points" (hundredths), "basis points" / "bps" (ten-thousandths), and a bare decimal before "AUC",
"accuracy" or "F1" (already a fraction: "no more than 0.02 AUC"); counted fractions ("three tenths of a
point"). A cue may also follow the amount ("0.01 at most", "a 0.2% accuracy hit at most"), and a named limit
makes "is" no level ("our tolerance for accuracy loss is 0.3 points"). A hedged or ranged amount ("a percent
or so", "roughly a point", "maybe 1-2%", "half a point, perhaps a bit more") is no firm limit, so no
budget. A sentence that names no metric
(accuracy, AUC, F1, performance, points) states no accuracy budget, and a difference between groups
("the approval gap is 12 points") or a level ("accuracy is 91%") is not a loss.
"""

from __future__ import annotations

import re

_SMALL = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_WORD = "|".join(sorted(_SMALL, key=len, reverse=True))
_FRACTION = {"half": 0.5, "a half": 0.5, "one half": 0.5, "a quarter": 0.25, "one quarter": 0.25}
_FRACTION |= {"three quarters": 0.75, "a third": 1 / 3, "one third": 1 / 3, "two thirds": 2 / 3}
_FRAC = "|".join(sorted(_FRACTION, key=len, reverse=True))
# counted fractions of one unit: "a tenth of a point", "three tenths of a percentage point", "one-fifth"
_DENOMINATOR = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4}
_DENOMINATOR |= {"fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10}
_NUMERATOR = "a|one|two|three|four|five|six|seven|eight|nine"
_DEN = "|".join(sorted(_DENOMINATOR, key=len, reverse=True))
# an amount, in one of its forms (named groups tell which)
AMOUNT = (
    r"(?:(?P<digits>\d+(?:\.\d+)?)(?:\s+and\s+(?P<dfrac>" + _FRAC + r"))?"
    r"|(?P<word>" + _WORD + r")(?:[\s-]+and[\s-]+(?P<wfrac>" + _FRAC + r"))?"
    r"|(?P<num>" + _NUMERATOR + r")[\s-]+(?P<den>" + _DEN + r")(?:\s+of)?(?:\s+(?:a|an|one))?"
    r"|(?P<frac>" + _FRAC + r")(?:\s+of)?(?:\s+(?:a|an|one))?"
    r"|(?P<one>a|an))"
)
UNIT = (
    r"\s*(?P<unit>%|(?:per\s?cent(?:age)?(?:\s+points?)?|percentage\s+points?|basis\s+points?|bps?|pp"
    r"|(?:accuracy\s+|auc\s+|f1\s+)?points?|auc|accuracy|f1)\b)"
)
CUE = re.compile(
    r"\b(?:lose|losing|loss|drop|dropping|decrease|decline|cost|costs|sacrifice|sacrificing|give\s+up|"
    r"giving\s+up|give\s+away|shed|budget|at\s+most|no\s+more\s+than|not\s+more\s+than|up\s+to|under|below|"
    r"less\s+than|within|max(?:imum)?|tolerate|tolerable|afford|accept|acceptable|willing|fine\s+with|"
    r"okay\s+with|ok\s+with|hit|dip|reduction|reduce|reduces|reducing|degrad\w*|fall|worse|take|"
    r"tolerance|allowance|ceiling|cap|slip|slips|slide)\b"
)
METRIC = re.compile(
    r"accura|\bauc\b|performance|\bf1\b|precision|recall|points?\b|percent|per cent|%|\bbps?\b|\bpp\b"
)
_AMOUNT_UNIT = re.compile(r"(?<![\w.])" + AMOUNT + UNIT)
# a bare number after a loss cue in a sentence that names the metric ("keep the AUC within 0.01 of the
# current model"): a decimal below one is the fraction itself, a whole number is points
_BARE = re.compile(
    r"(?<![\w.])(?P<digits>\d+(?:\.\d+)?)(?![\w.%])"
    r"(?=\s*(?:$|[,;:!?)]|\.(?!\d)|(?:of|on|in|from|relative|compared|versus|vs|below|against|tops|max"
    r"|maximum|at\s+(?:the\s+)?most|or\s+less)\b))"
)
# a cue after the amount: "two points at most", "half a point of accuracy is the most we can give up"
TRAIL = re.compile(
    r"(?:(?:\s+(?:of|in|on))?\s+(?:balanced\s+)?(?:accuracy|auc|f1|performance)"
    r"(?:\s+(?:loss|drop|hit|reduction|decrease|penalty))?)?\s*,?\s*(?:at\s+(?:the\s+)?most|max(?:imum)?\b|tops\b"
    r"|is\s+(?:the\s+most|all|our\s+(?:limit|budget|ceiling|maximum|cap))|would\s+be\s+(?:the|our)\s+(?:limit|maximum))"
)
_BARE_TRAIL = re.compile(r"\s*(?:at\s+(?:the\s+)?most|tops|max(?:imum)?|or\s+less)\b")
_LEVEL = re.compile(r"\b(?:is|are|was|were|at|reaches|gap|difference|disparity)\s*$")
# a limit named before the amount makes "is" no level: "our tolerance for accuracy loss is 0.3 points"
_LIMIT = re.compile(r"\b(?:tolerance|budget|limit|ceiling|cap|allowance|maximum|max)\b")
# a hedged or vague amount is no firm limit: "a percent or so", "maybe 1-2%", "roughly a point"
_HEDGE_BEFORE = re.compile(
    r"(?:\b(?:roughly|about|around|approximately|approx|ballpark|something\s+like|perhaps|maybe|say)"
    r"|\d\s*(?:-|\u2013|to|or))\s*$"
)
_HEDGE_AFTER = re.compile(
    r"^(?:\s+(?:of|in|on)\s+(?:accuracy|auc|f1|performance)(?:\s+(?:loss|drop|hit))?)?"
    r"\s*(?:-?ish\b|(?:\s*(?:,|\(|\u2014|-))?\s*(?:or\s+(?:so|two|three|more|a\s+bit\s+more)|(?:maybe|perhaps)(?!\s+(?:less|lower|fewer)\b)"
    r"|give\s+or\s+take|more\s+or\s+less|a\s+bit\s+more|depending)\b)"
)


def _value(m: re.Match[str]) -> float:
    if "unit" not in m.re.groupindex:  # a bare number
        v = float(m.group("digits"))
        return v if v < 1 else v / 100
    if m.group("digits"):
        v = float(m.group("digits")) + _FRACTION.get(m.group("dfrac") or "", 0.0)
    elif m.group("word"):
        v = _SMALL[m.group("word")] + _FRACTION.get(m.group("wfrac") or "", 0.0)
    elif m.group("num"):
        v = (1 if m.group("num") in ("a", "one") else _SMALL[m.group("num")]) / _DENOMINATOR[m.group("den")]
    elif m.group("frac"):
        v = _FRACTION[m.group("frac")]
    else:
        v = 1.0  # "a point", "an AUC point"
    unit = re.sub(r"\s+", " ", m.group("unit"))
    if unit.startswith(("basis", "bp")):
        return v / 10_000
    if unit in ("auc", "accuracy", "f1") and v < 1:
        return v  # "0.02 AUC" is already a fraction
    return v / 100


def accuracy_budget(text: str) -> tuple[float, str] | None:
    """The largest accuracy loss ``text`` accepts, as a fraction, and the words it came from (``None``: the
    text states no budget)."""
    t = text.lower().replace("\u2011", "-")
    for sentence in re.split(r"(?<=[.;!?])\s+", t):
        if not METRIC.search(sentence):
            continue
        for m in [*_AMOUNT_UNIT.finditer(sentence), *_BARE.finditer(sentence)]:
            before = sentence[max(0, m.start() - 60) : m.start()]
            cue = None
            for cue in CUE.finditer(before):
                pass
            bare = "unit" not in m.re.groupindex
            trail = (_BARE_TRAIL if bare else TRAIL).match(sentence, m.end())
            if trail is None and (
                cue is None or (_LEVEL.search(before[cue.end() :]) and not _LIMIT.search(before))
            ):
                continue  # no loss cue around the amount, or a level / a gap between the cue and it
            if _HEDGE_BEFORE.search(before[-30:]) or _HEDGE_AFTER.match(sentence[m.end() : m.end() + 40]):
                continue  # a hedged or vague amount
            value = _value(m)
            if 0 < value <= 0.5:
                start = (
                    m.start() if trail is not None or cue is None else max(0, m.start() - 60) + cue.start()
                )
                return value, sentence[start : trail.end() if trail is not None else m.end()].strip()
    return None
