"""An accuracy budget stated as a floor below today's level (exact rules, no model).

* **Floor and level:** a floor ("must stay at or above 0.92", "anything under 79 percent gets rejected",
  "the floor is 0.72", "we'd accept it going to 0.83 but no lower") and today's level in the same or the
  next sentence ("it's 0.95 now", "we're at 81 percent", "currently 0.735 AUC", "AUC 0.94", "the model
  sits at an AUC of 0.84 today") give the budget level - floor.
* **From level to floor:** "we'd accept F1 down to 0.71 from 0.74", "the AUC may decline from 0.912 to
  0.905, but that's the floor", "willing to go from 0.880 to 0.865 and no lower".
* **Baseline minus an amount:** "accuracy >= baseline - 1pp", "performance floor = baseline minus 0.01 AUC".

Both numbers must be on one scale (two decimals below one, or two percentages), the text must name an
accuracy metric (accuracy, AUC, F1, precision, recall, sensitivity, ...), and the difference must be a
plausible budget (above 0, at most 0.2). A floor without today's level ("accuracy cannot go below 85%")
states no budget.
"""

from __future__ import annotations

import re

from fairmend.recommender.amounts import AMOUNT_UNIT, METRIC, amount_value, is_question, split_sentences

# a level: a decimal below one or a percentage, with its scale
_NUM = r"(?P<n>\d{1,3}(?:[.,]\d+)?)\s*(?P<pct>%|\s?percent\b|\s?per\s?cent\b)?"
# the floor: "at or above X", "below X" (with a limit word), "down to X", "floor of X", "X but no lower"
_FLOOR_BEFORE = re.compile(
    r"(?:\bfloor\s*(?:is|of|=|:|at)?|\bfloor\b[\w\s]{0,40}?\b(?:is|of|=|:|at)|\bat\s+or\s+above|\bat\s+least|\bminimum\s*(?:is|of|=|:)?|\bno\s+lower\s+than"
    r"|\bnot\s+(?:go\s+|fall\s+|drop\s+)?(?:below|under|lower\s+than)|\banything\s+(?:below|under|lower\s+than)"
    r"|\b(?:must|has\s+to|have\s+to|needs?\s+to|should)\s+(?:stay|remain|be|end\s+up)\s+(?:at\s+or\s+)?(?:above"
    r"|over|no\s+lower\s+than)|\b(?:takes?|take\s+it|bring\w*\s+it|push\w*\s+it)\s+below|\bgo(?:es)?\s+under"
    r"|\b(?:down|go|going|slip|fall|drop|decline)\s+to|\bthreshold\s+(?:for\s+[\w\s]{0,30}?)?(?:is|of|=|:)"
    r"|\b(?:is|are)\s+\w*\s*(?:fine|ok|okay|acceptable)\s+down\s+to|>=|\u2265|\bfall\s+below|\bdrop\s+below)"
    r"\s*(?:an?\s+|the\s+)?(?:(?:auc|f1|accuracy|recall|precision)\s+(?:of\s+)?)?$"
)
_FLOOR_AFTER = re.compile(
    r"^\s*(?:[,;(]\s*)?(?:but\s+|and\s+)?(?:no\s+(?:lower|further|less)|not\s+(?:lower|below)|at\s+the\s+(?:very\s+)?lowest"
    r"|(?:but\s+)?that'?s\s+the\s+floor|is\s+the\s+floor|minimum)"
)
# "below/under/lower than X" is a floor only when the sentence says it is a limit
_BELOW = re.compile(
    r"\b(?:below|under|lower\s+than)\s*(?:an?\s+|the\s+)?(?:(?:auc|f1|accuracy)\s+(?:of\s+)?)?$"
)
_LIMIT_WORDS = re.compile(
    r"\b(?:must|never|not|no|won'?t|can'?t|cannot|reject\w*|pulled|veto\w*|unacceptable|floor|limit"
    r"|approve\w*|allowed|may\s+not|under\s+no)\b"
)
# today's level: "currently 0.735", "0.95 now", "we're at 81 percent", "auc 0.94", "sits at an auc of 0.84"
_LEVEL_BEFORE = re.compile(
    r"(?:\bcurrent(?:ly)?\s*(?:is|at|=|:)?|\btoday(?:'s)?\s*(?:is|at)?|\bright\s+now|\bnow\s+(?:at|is)|\bpresently"
    r"|\b(?:we'?re|we\s+are|it'?s|it\s+is|is|sits|stands|stand|runs?)\s+(?:currently\s+|now\s+|today\s+)?at"
    r"|\bstands?\s+at|\bsits?\s+at|\bscores?|\bhas\s+an?\s+[\w\s-]{0,30}?\s+of|\bat\s+an?\s+[\w\s-]{0,20}?\s+of"
    r"|\b(?:is|of|=|:)|\baccurate|\bauc|\bf1|\baccuracy|\bprecision|\brecall|\bsensitivity|\bfrom)"
    r"\s*(?:an?\s+|the\s+)?(?:(?:auc|f1|accuracy)\s+(?:of\s+)?)?$"
)
_LEVEL_AFTER = re.compile(
    r"^\s*(?:\)?\s*(?:auc|f1|accuracy|bal\.?\s*acc\w*)?\s*)?(?:today|now|right\s+now|currently|at\s+present)\b"
)
_FROM_TO = re.compile(
    r"\bfrom\s+"
    + _NUM.replace("?P<n>", "?P<a>").replace("?P<pct>", "?P<apct>")
    + r"\s+(?:down\s+)?to\s+"
    + _NUM.replace("?P<n>", "?P<b>").replace("?P<pct>", "?P<bpct>")
)
_TO_FROM = re.compile(
    r"\bto\s+"
    + _NUM.replace("?P<n>", "?P<b>").replace("?P<pct>", "?P<bpct>")
    + r"\s+from\s+"
    + _NUM.replace("?P<n>", "?P<a>").replace("?P<pct>", "?P<apct>")
)
_ACCEPT = re.compile(
    r"\b(?:accept\w*|may|can|could|willing|fine|ok|okay|let|happy|go|no\s+lower|floor|tolerat\w*|allow\w*)\b"
)
_BASELINE_MINUS = re.compile(r"\bbaseline\s*(?:-|minus|less)\s*")
_NUM_RE = re.compile(r"(?<![\w.,])" + _NUM + r"(?![\w]|[.,]\d)")


def _scaled(n: str, pct: str | None) -> float | None:
    v = float(n.replace(",", "."))
    if pct:
        return v / 100 if 0 < v <= 100 else None
    return v if 0 < v <= 1 else None


def _plausible(level: float | None, floor: float | None) -> float | None:
    if level is None or floor is None:
        return None
    diff = round(level - floor, 6)
    return diff if 0 < diff <= 0.2 else None


def floor_budget(text: str) -> tuple[float, str] | None:
    """The budget a floor below today's level states, and the words it came from (``text`` lower-cased)."""
    if not METRIC.search(text):
        return None
    sentences = [s for s in split_sentences(text) if not is_question(s)]
    for s in sentences:
        for pattern in (_FROM_TO, _TO_FROM):
            for m in pattern.finditer(s):
                if not _ACCEPT.search(s):
                    continue
                pct = m.group("apct") or m.group("bpct")
                diff = _plausible(_scaled(m.group("a"), pct), _scaled(m.group("b"), pct))
                if diff is not None:
                    return diff, m.group(0).strip()
        m = _BASELINE_MINUS.search(s)
        if m:
            a = AMOUNT_UNIT.match(s, m.end())
            if a:
                value = amount_value(a)
                if 0 < value <= 0.2:
                    return value, s[m.start() : a.end()].strip()
    floors, levels = [], []
    for i, s in enumerate(sentences):
        for m in _NUM_RE.finditer(s):
            before, after = s[max(0, m.start() - 60) : m.start()], s[m.end() : m.end() + 40]
            v = _scaled(m.group("n"), m.group("pct"))
            if v is None:
                continue
            kind = "%" if m.group("pct") else "."
            if (
                _FLOOR_BEFORE.search(before)
                or _FLOOR_AFTER.match(after)
                or _BELOW.search(before)
                and _LIMIT_WORDS.search(s)
            ):
                floors.append((i, v, kind, m))
            elif _LEVEL_BEFORE.search(before) or _LEVEL_AFTER.match(after):
                levels.append((i, v, kind, m))
    for i, floor, kind, fm in floors:
        near = [lv for lv in levels if abs(lv[0] - i) <= 1 and lv[2] == kind]
        near.sort(key=lambda lv: (abs(lv[0] - i), abs(lv[3].start() - fm.start())))
        for _, level, _, _ in near:
            diff = _plausible(level, floor)
            if diff is not None:
                return diff, sentences[i][max(0, fm.start() - 30) : fm.end()].strip()
    return None
