"""Amounts of accuracy as people write them, shared by the budget rules (:mod:`fairmend.recommender.budget`,
:mod:`fairmend.recommender.floors`): numbers in digits or words, fractions, units (percent, points, basis
points), the metrics an accuracy budget is about, and the sentence splitting both use."""

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
_SMALL |= {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_WORD = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-](?:" + _UNITS + r")\b|"
_WORD += "|".join(sorted(_SMALL, key=len, reverse=True))
_FRACTION = {"half": 0.5, "a half": 0.5, "one half": 0.5, "a quarter": 0.25, "one quarter": 0.25}
_FRACTION |= {"three quarters": 0.75, "a third": 1 / 3, "one third": 1 / 3, "two thirds": 2 / 3}
# "a half" or "a-half" ("two-and-a-half points")
_FRAC = "|".join(k.replace(" ", r"[\s-]+") for k in sorted(_FRACTION, key=len, reverse=True))
# counted fractions of one unit: "a tenth of a point", "three tenths of a percentage point", "4 tenths"
_DENOMINATOR = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4}
_DENOMINATOR |= {"fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10}
_NUMERATOR = r"a|one|two|three|four|five|six|seven|eight|nine|\d"
_DEN = "|".join(sorted(_DENOMINATOR, key=len, reverse=True))
# an amount, in one of its forms (named groups tell which)
AMOUNT = (
    r"(?:(?P<slash>\d)\s*/\s*(?P<slashden>\d{1,2})(?:\s+(?:of\s+)?(?:a|an|one))?"
    r"|(?P<num>" + _NUMERATOR + r")[\s-]+(?P<den>" + _DEN + r")(?:[\s-]+of)?(?:[\s-]+(?:a|an|one))?"
    r"|(?P<digits>\d+(?:[.,]\d+)?)(?!,\d{3})(?:\s+and\s+(?P<dfrac>" + _FRAC + r"))?"
    r"|(?P<word>" + _WORD + r")(?:[\s-]+and[\s-]+(?P<wfrac>" + _FRAC + r"))?"
    r"|(?P<frac>" + _FRAC + r")(?:\s+of)?(?:\s+(?:a|an|one))?"
    r"|(?P<one>a|an)(?:\s+single)?(?=\s+(?:percent|per\s?cent|percentage|point|pt\b|%)))"
)
UNIT = (
    r"(?:\s*|-)(?P<unit>%|(?:per\s?cent(?:age)?(?:\s+points?)?|percentage\s+points?|basis\s+points?|bps?|pp"
    r"|(?:(?:accuracy|auc|f1)\s+)?(?:points?|pts?)|auc|accuracy|f1)(?![a-z]))"
    r"(?:\s+and\s+(?P<uhalf>a\s+half)\b)?"  # "a point and a half", "two percent and a half"
)
METRIC = re.compile(
    r"accura|\bacc\b|\bauc\b|performance|\bf1\b|precision|recall|sensitivity|specificity|discriminatory\s+power"
    r"|match\s+rate|\bδ\s*(?:acc|auc|f1)|\bndcg\b|\bmap\b|\bgini\b"
)
AMOUNT_UNIT = re.compile(r"(?<![\w.,/])" + AMOUNT + UNIT)

_QUESTION = re.compile(
    r"^\W*(?:can|could|would|will|is|are|was|were|do|does|did|how|what|which|why|when|where|who|should|shall|may"
    r"|might|must|has|have)\b"
)
# an abbreviation's full stop ends no sentence ("2 pts of bal. acc.")
_ABBREVIATION = r"(?<!\bbal\.)(?<!\bacc\.)(?<!\bapprox\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<!\betc\.)"


def split_sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.;!?])" + _ABBREVIATION + r"\s+(?=\S)", text)


def is_question(sentence: str) -> bool:
    """A sentence that asks ("could we lose two points?"), not one with a tag ("max 1.5% ok?")."""
    return sentence.rstrip().endswith("?") and _QUESTION.match(sentence) is not None


def _fraction(words: str | None) -> float:
    return _FRACTION.get(re.sub(r"[\s-]+", " ", words or ""), 0.0)


def amount_value(m: re.Match[str]) -> float:
    g = m.groupdict()
    if g.get("hundredth"):
        return 0.01
    if "unit" not in m.re.groupindex:  # a bare number
        if g.get("bslash"):
            return int(g["bslash"]) / max(1, int(g["bslashden"]))
        v = float(g["digits"].replace(",", "."))
        return v if v < 1 else v / 100
    if g["slash"]:
        v = int(g["slash"]) / max(1, int(g["slashden"]))
    elif g["num"]:
        num = g["num"]
        v = (1 if num in ("a", "one") else int(num) if num.isdigit() else _SMALL[num]) / _DENOMINATOR[
            g["den"]
        ]
    elif g["digits"]:
        v = float(g["digits"].replace(",", ".")) + _fraction(g["dfrac"])
    elif g["word"]:
        parts = re.split(r"[\s-]", g["word"])
        v = sum(_SMALL[p] for p in parts) + _fraction(g["wfrac"])
    elif g["frac"]:
        v = _fraction(g["frac"])
    else:
        v = 1.0  # "a point", "a percent"
    if g.get("uhalf"):
        v += 0.5
    unit = re.sub(r"\s+", " ", m.group("unit"))
    if unit.startswith(("basis", "bp")):
        return v / 10_000
    if unit in ("auc", "accuracy", "f1") and v < 1:
        return v  # "0.02 AUC" is already a fraction
    return v / 100
