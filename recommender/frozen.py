"""What a freeze is said of: the model, or something beside it.

"We froze the rubric for the 2024 cohort", "the regulator froze our rate table", "our front end is in a code
freeze", "the backbone weights are frozen during training": each freezes something, and the reader's clause
model takes the freeze for a ban on retraining. A ban on retraining is a freeze of the model; these name another
thing as the one frozen and no model at all. :func:`freezes_other` tells such words apart, so that the reading
is reported as uncertain (with the flag that settles it) instead of applied.

The rule is exact on purpose: it needs a word of freezing or locking, a thing named that is not a model (a closed
list of the parts of an organisation's work that get frozen beside a model: tables, rubrics, budgets, front ends,
dashboards, snapshots, test sets, libraries, layers being fine-tuned, ...), and no word that names the model or
its retraining (any model noun, a pronoun that may stand for it, "everything", "nothing", a verb of retraining).
Where any of the three is missing the reading stands.
"""

from __future__ import annotations

import re

# words of freezing or locking (a state or an act)
FREEZE = re.compile(
    r"\b(?:froze|frozen|freez(?:e|es|ing)|locked|lock(?:s|ing)? (?:down|in)|set in stone|sealed|read-?only"
    r"|(?:can ?not|can't|cannot|may not|must not|won't|will not) be (?:changed|touched|edited|modified|altered"
    r"|updated))\b"
)
# things frozen beside a model (head nouns, with the words that make them one: "rate table", "test set")
OTHER_THING = re.compile(
    r"\b(?:rubrics?|(?:rate|feature|lookup|price|pricing|premium|tariff|benefit|grading|eligibility) tables?"
    r"|tariffs?|budgets?|spend(?:ing)?|headcount|hiring (?:freeze|plans?)|front[- ]?ends?|ui|user interface|website"
    r"|crm|dashboards?|reports?|snapshots?|registry|test sets?|holdout(?: set)?|benchmarks?|librar(?:y|ies)"
    r"|dependenc(?:y|ies)|packages?|schema|questionnaires?|forms?|surveys?|wording|prices|rates|premiums"
    r"|catalogu?e|taxonomy|roster|backbone|encoder|(?:lower|early|earlier|base|bottom|first \w+|pretrained)"
    r" layers|layers|campaigns?|creatives?|copy|content|database|warehouse"
    r"|data (?:feed|extract|export)s?|release schedule|roadmap|app store listing)\b"
)
# words that name the model, a part of it that is the model, or its retraining (the freeze may then be the
# model's); "backbone weights" and "... layers" are the parts of a network held still while the rest is tuned
# (removed first: they are not the model frozen)
MODEL = re.compile(
    r"\b(?:models?|classifiers?|scorers?|scoring|scorecards?|systems?|algorithms?|engines?|tools?|networks?"
    r"|nets?|predictors?|estimators?|rankers?|screeners?|recommenders?|flaggers?|detectors?|filters?|matchers?"
    r"|assistants?|assessments?|apps?|applications?|firmware|software|products?|solutions?|scores?|weights"
    r"|parameters|coefficients|pipelines?|black[- ]box|api|it|itself|they|them|everything|nothing|anything|ours|mine"
    # "this" or "that" standing alone ("that is frozen"), not before a noun ("for this survey wave")
    r"|(?:this|that)(?= (?:is|was|one|stays|remains|can|cannot|can't|may|must|will|has|had)\b)"
    r"|re-?train\w*|re-?fit\w*|re-?build\w*|re-?estimat\w*|fine-?tun\w*|re-?calibrat\w*)\b"
)
_HELD_STILL = re.compile(
    r"\b(?:backbone|encoder|embedding|base|lower|early|earlier|bottom|pretrained|first \w+) (?:weights|layers"
    r"|parameters)\b|\b(?:during|while|when) (?:(?:we|i) )?(?:train|fine-?tun)\w*(?: (?:the|a|its|our|new) (?:head|top"
    r"|last \w+|classifier|classification head))?\b"
)


# a word of scoring or of the work around a model that only says what the frozen thing is for ("the scoring
# rubric", "the ranking dashboard", "the pipeline dependencies"); "model" itself is not one: "the model
# registry", "the model snapshot" may hold the model that is frozen
_MODIFIER = re.compile(
    r"\b(?:scoring|scores?|ranking|screening|pipelines?|products?|api) (?=" + OTHER_THING.pattern + ")"
)


def freezes_other(words: str) -> str | None:
    """The thing ``words`` freeze when it is not a model and no model is named, else ``None``."""
    low = _HELD_STILL.sub(" backbone ", words.lower().replace("\u2019", "'"))
    low = _MODIFIER.sub("", low)
    if FREEZE.search(low) is None or MODEL.search(low) is not None:
        return None
    thing = OTHER_THING.search(low)
    return thing.group(0) if thing else None
