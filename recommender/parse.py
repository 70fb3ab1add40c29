"""Read a :class:`~fairmend.recommender.constraints.Constraints` from a practitioner's text.

Hard constraints that people phrase in endless ways (may the model be retrained, may the protected
attribute be used at decision time, which stage of work is possible, which task) are read by
:mod:`fairmend.recommender.reader` (clauses, negation scope, classifiers over MiniLM embeddings
trained on labelled exemplars). Regular expressions are kept only where they are exact: numbers
(the accuracy budget, the data size), named criteria, named stages, named tasks and model families,
and the domain (whose legal default on the protected attribute yields to anything the text says).
"""

from __future__ import annotations

import re
from typing import Any

from fairmend.catalog.types import Criterion, Stage, TaskType
from fairmend.recommender.budget import accuracy_budget
from fairmend.recommender.combine import BELIEF, FIRM, LIMITING, REVERSAL, normalise
from fairmend.recommender.constraints import (
    NON_INTERVENTION_STAGES,
    Constraints,
    Uncertain,
    describe_value,
    settling_flag,
)
from fairmend.recommender.cues import (
    DESCRIBED,
    SCOPE_CUES,
    TASK_CUES,
    asks_for_fix,
    asks_for_no_fix,
    asks_to_measure,
    compares_proposals,
    forbids_change,
    framed_as_whole,
    held_elsewhere,
    means_gone,
    names_absent_attribute,
    restricts,
    scoped,
    states_intent_to_retrain,
    usable_at_decision,
    withdrawn_scope,
)
from fairmend.recommender.frozen import freezes_other

# A reader finding at or above UNDERSTOOD is applied as stated; between FLOOR and UNDERSTOOD it is
# reported as uncertain with the flag that settles it, and is not a hard constraint.
UNDERSTOOD = FIRM
FLOOR = 0.45

# Criteria the user can target, with the phrases that name them (checked in this order).
CRITERION_PATTERNS: list[tuple[Criterion, str]] = [
    (
        Criterion.EQUALIZED_ODDS,
        (
            r"equali[sz]ed odds|equal(ize|ise)? (both )?(error rates|false positive and false negative)"
            r"|(both|same) (false positive|error) rates?|average odds"
        ),
    ),
    (
        Criterion.EQUAL_OPPORTUNITY,
        (
            r"equal(ity of)? opportunit|true positive rate|\btpr\b|false negative rate"
            r"|recall (gap|parity|for)|qualified (people|applicants|candidates)"
            r"|miss(es|ing)? (more )?(qualified|sick|positive)"
            # the errors named in plain words: positives missed, deserving people turned down
            r"|miss(es|ed|ing)? (far |many |a lot )?more (\w+ )?(cancers?|cases|diagnoses|fraud|tumou?rs?|fractures?"
            r"|strokes?|infections?|patients|positives|deteriorations?)"
            r"|false (negatives?|rejects?|rejections?|non-?matches)"
            r"|(who|that) (would|will|did|do|does|actually|truly|really|in fact) (\w+ )?(repay|pay back|succeed|qualify"
            r"|show up|perform|graduate)"
            r"|\bgood (tenants|borrowers|payers|candidates|applicants|employees|students|customers|drivers)"
            r" .{0,40}(rejected|declined|denied|turned down|refused)"
        ),
    ),
    (
        Criterion.PREDICTIVE_EQUALITY,
        (
            # false positives named in plain words: people wrongly flagged, or flagged although they never did it
            r"false positive rate|\bfpr\b|false (positives?|alarms?|flags?|declines?|recalls?|alerts?|matches?"
            r"|accusations?)|wrongly (flagged|accused|labell?ed|declined|rejected|denied|classified)"
            r"|(who|that) (never|did not|didn't|do not|don't|does not|doesn't) (go on to )?(re-?offend|default"
            r"|commit|churn|fall|cheat|offend)"
        ),
    ),
    (
        Criterion.PREDICTIVE_PARITY,
        (
            r"predictive parity|precision (gap|parity)|\bppv\b|positive predictive"
            r"|false discovery rate|sufficiency|(same|equal|similar|comparable|matching) precision"
            r"|equally (trustworthy|reliable) (flags?|alerts?|positives?|predictions?)"
            r"|(flags?|alerts?|positives?) .{0,20}equally (trustworthy|reliable)"
            r"|(flag|alert|positive) (should )?means? the same"
        ),
    ),
    (
        Criterion.CALIBRATION,
        (
            r"calibrat|probabilit(y|ies) (mean|are|should)|risk scores? (mean|should)"
            r"|well[- ]calibrated|reliab(le|ility) (of )?(scores|probabilities)|over-?confident|under-?confident"
            r"|(predicted|estimated) (risks?|probabilit(y|ies)|default rates?) (are |look |run |is |come out )?"
            r"(too (low|high)|over-?estimat|under-?estimat|inflated|overstated|understated)"
            r"|(scores?|probabilit(y|ies)|risks?) means? the same (thing|risk)"
            r"|(scores?|model|predictions?|probabilities|estimates?|it) (systematically |consistently |badly )?"
            r"(over|under)-?(estimates?|states?|predicts?) (the )?(\w+ )?(risk|probabilit|likelihood|uptake|default"
            r"|mortality|chance)"
        ),
    ),
    (
        Criterion.COUNTERFACTUAL_FAIRNESS,
        (
            r"counterfactual|had (they|he|she) been|causal (effect|path|graph|dag)"
            r"|path[- ]specific|(?<!re)mediat|had (their|his|her|an? [\w-]+'s|the [\w-]+'s) [\w ]{1,30} been"
            r"|(would|wouldn't|would not) (have )?(changed?|differ|been different) (if|had)"
        ),
    ),
    (
        Criterion.INDIVIDUAL_FAIRNESS,
        (
            r"individual fairness|similar (people|individuals|applicants|candidates|cases)"
            r"|treat(ed)? (like|alike|similarly)|lipschitz|consisten(t|cy) (decisions|treatment)"
            r"|\balike\b.{0,80}\balike\b|scored alike"
            r"|similar [\w-]+s? .{0,60}similar (scores?|outcomes?|decisions?|treatment|predictions?|results?|grades?|ratings?|marks?|prices?|premiums?|offers?)"
            r"|the same (qualifications|profile|record|credentials) .{0,60}the same (score|outcome|decision)"
        ),
    ),
    (
        Criterion.DEMOGRAPHIC_PARITY,
        (
            r"demographic parity|statistical parity|disparate impact|four[- ]fifths|80 ?%"
            r"|selection rates?|approval rates?|acceptance rates?|hiring rates?|same rate"
            r"|positive rates?|independence|adverse impact|equal (share|proportion)"
        ),
    ),
]

# Pieces of the exact task patterns. An amount a model can predict (regression):
_AMOUNT = (
    r"(?:prices?|wages?|salar(?:y|ies)|premiums?|rents?|amounts?|costs?|incomes?|revenues?|fares?|earnings"
    r"|spend(?:ing)?|sales|durations?|length of stay|losses|(?:credit )?limits?|valuations?|fees?|bonus(?:es)?"
    r"|payouts?|percentages?|gpas?|doses?|dosages?)\b"
)
# A verb of assigning each case to a label (multiclass), and a count of at least three.
_ASSIGNS = (
    r"(?:assign|suggest|put|sort|classif|label|categori[sz]|route|triage|allocat|place|bucket|grade|predict"
    r"|choose|pick|map|code)\w*"
)
# what data, people or time are split into, not labels a model assigns ("three folds", "four age groups")
_NOT_LABELS = (
    r"(?:folds|sets|splits|batches|parts|halves|phases|stages|waves|rounds|teams|groups|cohorts|samples|segments|clusters"
    r"|chunks|years|months|weeks|days|hours"
    # what a person chooses among, not what a model assigns ("one of three candidate models to ship")
    r"|models|candidates|vendors|options|approaches|methods|techniques|versions|variants|metrics|definitions)\b"
)
_MANY = (
    r"(?:three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen"
    r"|nineteen|twenty|thirty|forty|fifty|a dozen|dozens of|several dozen|hundreds of|[3-9]|[1-9]\d)"
)
# Three or more short labels written out with slashes: "approve / refer / deny" (commas list attributes
# and groups as often as labels: "across married, single and widowed claimants").
_LABEL = r"'?[a-z][\w-]*'?(?: [a-z][\w-]*'?){0,2}"
# a preposition before a list of groups, not labels ("for men / women / other")
_GROUPED_BY = r"(?:for|across|by|among|between|of|in|per)\b"
_ENUMERATION = r"(?:" + _LABEL + r"\s*/\s*){2,}" + _LABEL + r"\b"

# A verb of changing the model or its outcomes anywhere in the text ("fix the grader so it stops ...", "make it
# fairer"): with one, documentation is not the only work asked for.
_CHANGE_VERB = (
    r"\b(?:fix|reduc|clos(?:e|ing)\b|mitigat|correct|remed|de-?bias|rebalanc|re-?weigh|adjust|re-?train|re-?fit"
    r"|lower|rais(?:e|ing)\b|narrow|shrink|remov|equali[sz]|fairer|improv)"
)

# Task names that are exact (the reader's classifier handles paraphrases).
TASK_PATTERNS: list[tuple[TaskType, str]] = [
    (
        TaskType.RANKING,
        (
            r"learning[- ]to[- ]rank|\brank(ing|ings|er|ers)\b|search results|top[- ]k\b|recommendation lists?"
            # an ordering as the model's output: "returns ranked item IDs", "a ranked shortlist" (not "a ranked
            # list", which may list features)
            r"|\branked\s+(?:[\w-]+\s+){0,2}?(?:items?|ids|results|candidates|feeds?|products|listings|shortlists?)\b"
            # a short ordered row the model fills: "our top-10 row on the home screen", "the top 5 slots"
            r"|\btop[- ](?:\d{1,2}|three|five|ten|twenty)\s+(?:rows?|lists?|slots?|results|positions|recommendations|picks"
            r"|spots|carousels?)\b"
        ),
    ),
    (
        TaskType.CLUSTERING,
        (
            # (not a computing cluster, nor values that "cluster around the threshold")
            r"(?<!compute )(?<!computing )(?<!temporary )(?<!gpu )(?<!hpc )(?<!spark )(?<!kubernetes )(?<!hadoop )"
            r"\bclusters?\b(?!\s+(?:tightly|closely|around|near|together|at|torn|was|is being|were))|\bclustering\b"
            r"|k-?means|k-?medians|k-?medoids|\bunsupervised (?:grouping|segmentation|partition)"
            # groups found without labels: "phenotype groups are discovered from EHR data with no outcome labels"
            r"|\b(?:groups?|segments?|cohorts?|groupings?)\b[^.;?!]{0,60}\b(?:with no|without|no) (?:outcome |target )?"
            r"(?:labels?|target)\b"
        ),
    ),
    (
        TaskType.REGRESSION,
        r"(?<!logistic )\b(regression|regressors?)\b|continuous (outcome|target|value)"
        # an amount the model predicts: "it predicts each home's sale price", "the wage predictor"
        r"|\bpredict(?:s|ed|ing)?\s+(?:(?:the|each|a|an|every|their|its|our)\s+)?(?:[\w'-]+\s+){0,3}?"
        + _AMOUNT
        + r"|\b"
        + _AMOUNT
        + r"\s+(?:predictor|regressor|estimator|forecaster)s?\b"
        # an estimated amount as the output: "we send property attributes and get back an estimated market value"
        r"|\b(?:returns?|outputs?|produces?|gives?(?:\s+back)?|gets?\s+back|emits?|spits\s+out)\s+(?:an?\s+|the\s+|its\s+)?"
        r"(?:estimated|predicted|forecast)\s+(?:[\w-]+\s+){0,2}?(?:values?\b|" + _AMOUNT + r")"
        # an estimate with its unit: "the delivery-time estimate (in minutes)"
        r"|\b(?:estimate|prediction|forecast)s?\s*\(?in (?:minutes|hours|days|weeks|dollars|euros|pounds)\b"
        # a predictor with its unit, a predicted amount in a currency, a predicted time or mark: "wait-time
        # predictor (minutes)", "predicts each pupil's need in pounds", "predicts the final exam mark"
        r"|\b(?:predictor|model|estimator|forecaster|prediction|estimate|forecast|eta)s?\s*\((?:in\s+)?(?:minutes|hours"
        r"|days|weeks|dollars|euros|pounds)\)"
        r"|\bpredict(?:s|ed|ing)?\s+[^.;?!]{0,50}?\bin\s+(?:pounds|dollars|euros|minutes|hours|mg|milligrams|kg|km|kwh)\b"
        # a time as the output: "it predicts minutes to door", "predicts the number of days until discharge"
        r"|\bpredict(?:s|ed|ing)?\s+(?:the\s+)?(?:number\s+of\s+)?(?:minutes|hours|days|weeks)\b"
        # a predicted mark or grade on a numeric scale: "final exam scores on a 0-100 scale", "grades (0-100)"
        r"|\bpredict\w*\s+[^.;?!]{0,40}?\b(?:scores?|grades?|marks?) on an? \d+\s*(?:-|\u2013|to)\s*\d+ scale\b"
        r"|\bpredict\w*\s+(?:[\w-]+\s+){0,2}?(?:grades?|marks?)\s*\(\d+\s*(?:-|\u2013|to)\s*\d+\)"
        r"|\((?:score|scored|grade|rating) [0-9]+\s*(?:-|\u2013|to)\s*[0-9]+, (?:treated|used|modelled|modeled) as a number\)"
        # "an income-prediction model", "a predictive model of first-year GPA"
        r"|\b" + _AMOUNT + r"[- ](?:prediction|estimation|forecasting) (?:model|system|tool|engine)\b"
        r"|\b(?:predictive\s+model|predictor|prediction|forecast)s?\s+(?:of|for)\s+(?:(?:the|each|a|an|every|their|its|our)\s+)?"
        r"(?:[\w'-]+\s+){0,2}?"
        + _AMOUNT
        + r"|\b(?:wait(?:ing)?|delivery|travel|response|arrival|processing|turnaround)[- ]times?\s+"
        r"(?:predictor|model|estimator|forecaster)s?\b"
        r"|\bpredict(?:s|ed|ing)?\s+(?:(?:the|each|a|an|every|their|its|our)\s+)?(?:[\w'-]+\s+){0,3}?(?:exam\s+)?marks?\b"
        # the amount a model puts out: "it outputs the expected repair cost", "the limit amounts it produces",
        # "the predicted delivery times"
        r"|\b(?:it|model|system|tool|engine|which|that|regressor|network)\s+(?:outputs|forecasts|quotes|returns)\s+"
        r"(?:(?:the|each|a|an|every|their|its|our)\s+)?(?:[\w'-]+\s+){0,3}?"
        + _AMOUNT
        + r"|\b"
        + _AMOUNT
        + r"\s+(?:it|the model|they)\s+(?:produces|outputs|predicts|returns|generates|sets)\b"
        r"|\b(?:predicted|forecast(?:ed)?)\s+(?:[\w'-]+\s+){0,2}?(?:"
        + _AMOUNT
        + r"|(?:delivery|wait(?:ing)?|travel"
        r"|response|arrival) times\b)",
    ),
    (
        TaskType.MULTICLASS_CLASSIFICATION,
        (
            # a named set of more than two classes: "grades A to E", "one of five products", "into six categories"
            r"multi-?class|several classes|more than two classes"
            r"|\bgrades?\s+(?:from\s+)?[a-f]\s*(?:to|through|-|\u2013)\s*[c-g]\b"
            # "assigns A, B, C, D or E": a letter scale of four or more named as what the model gives
            r"|\b(?:assigns?|gives?|outputs?|predicts?|awards?|returns?|produces?)\s+(?:an?\s+|one\s+of\s+)?"
            r"[a-f](?:,\s*[a-f]){2,},?\s+(?:or|and)\s+[a-f]\b"
            r"|\bone of (?:the )?(?:three|four|five|six|seven|eight|nine|ten|[3-9]|\d\d) (?:[\w-]+ ){0,2}"
            r"(?:categories|classes|tiers|grades|labels|products|types|outcomes|diagnoses|codes|queues|buckets"
            r"|levels|ratings|priorities|tracks|dispositions)\b"
            r"|\binto (?:one of )?(?:three|four|five|six|seven|eight|nine|ten|[3-9]|\d\d) (?:[\w/-]+ ){0,2}"
            r"(?:categories|classes|tiers|grades|labels|types|outcomes|diagnoses)\b"
            # "a 4-class model", "grades A-E", "tier A, B, C or D", "probabilities for four loan products"
            r"|\b(?:three|four|five|six|seven|eight|nine|ten|[3-9]|\d\d)-class\b"
            # a count of what only a classifier's outputs are called: "intent classifier for a bank's chatbot, 7
            # intents", "nine possible diagnoses"
            r"|\b(?:three|four|five|six|seven|eight|nine|ten|eleven|twelve|[3-9]|\d\d) (?:possible |distinct "
            r"|different |output )?(?:intents|classes|emotions|genres|diagnoses|topics)\b"
            r"|\b[a-f]\s*(?:-|\u2013|to|through)\s*[c-g] grades\b"
            r"|\b(?:tiers?|grades?|classes|bands|levels|categories) [a-f](?:, [a-f])+,? (?:or|and) [a-f]\b"
            r"|\bprobabilit(?:y|ies) (?:for|over|across) (?:each of )?(?:the )?(?:three|four|five|six|seven|eight"
            r"|nine|ten|[3-9]|\d\d) "
            # a model that assigns one of several labels, whatever they are called: "assigns one of six
            # emotions", "sorts each request into one of 9 topics", "puts claims into approve / refer / deny"
            r"|\b"
            + _ASSIGNS
            + r"[^.;?!]{0,60}?\b(?:one of|which of|into|to|as|among) (?:the )?"
            + _MANY
            + r" (?:[\w/-]+ ){0,2}(?!"
            + _NOT_LABELS
            + r")[\w-]+s\b"
            r"|\b"
            + _ASSIGNS
            + r"[^.;?!]{0,60}?\b(?:into|to|as|among)\s+"
            + _ENUMERATION
            # "labels each post ok / review / remove": the labels right after the verb's object (not groups
            # after "for", "across", "by": "predicts default for men / women / other")
            + r"|\b"
            + _ASSIGNS
            + r"\s+(?:(?!"
            + _GROUPED_BY
            + r")[\w'-]+\s+){1,4}?(?!"
            + _GROUPED_BY
            + r")"
            + _ENUMERATION
            # three or more named classes with their noun: "puts students in remedial, standard or honours tracks"
            + r"|\b"
            + _ASSIGNS
            + r"[^.;?!]{0,40}?\b(?:in|into|to)\s+(?:[\w-]+,\s+)+[\w-]+,?\s+(?:or|and)\s+[\w-]+\s+"
            r"(?:tracks|tiers|bands|levels|classes|streams|queues|categories|grades|buckets|lanes)\b"
            # "a four-level priority classifier", "our 5-tier triage model"
            + r"|\b"
            + _MANY
            + r"[- ](?:level|tier|grade|category|class|way|band|bucket)\s+(?:[\w-]+\s+){0,2}?"
            + r"(?:classifier|classification|model|triage|scor(?:e|er|ing)|rating|system)\b"
            # a set of three or more labels written out: "labels {ok, insult, threat}", "classifier, 12 intents"
            + r"|\{\s*[\w' -]+(?:,\s*[\w' -]+){2,}\s*\}"
            # ... or in brackets after the model that gives them: "the document classifier from our vendor (ID
            # card / passport / visa / other)", "tier assignment (bronze / silver / gold)"
            r"|\b(?:classifier|model|assignment|tiers?|levels?|grades?|grading|routing|triage|router)\b[^.;?!()]{0,40}?"
            r"\(\s*[\w' -]+(?:\s*/\s*[\w' -]+){2,}\s*\)"
            # an output or a decision among three or more outcomes written out: "returns genuine / suspicious /
            # forged", "decides between approve, refer and decline"
            # numbered classes: "assigns priority 1, 2, 3 or 4", "ESI levels 1 to 5", "P1, P2, P3, P4"
            r"|\b(?:priority|priorities|levels?|tiers?|classes|categories|bands?|esi(?: levels?)?)\s+[1-9]"
            r"(?:\s*,\s*[1-9]){1,}\s*,?\s*(?:or|and)\s+[1-9]\b"
            r"|\b(?:priority|priorities|levels|tiers|classes|categories|bands|esi(?: levels)?)\s+(?:from\s+)?[0-9]\s*"
            r"(?:to|-|\u2013|through)\s*[3-9]\b"
            r"|\bp1\s*,\s*p2\s*,\s*p3\b"
            # a classifier with a count of classes: "intent classifier with 23 intents", "~40 occupational codes"
            r"|\bclassif\w*\b[^.;?!]{0,40}?(?:with|of|into|across|among|\() ?(?:~|about |around |some )?"
            + _MANY
            + r" (?:[\w/-]+ ){0,2}(?:intents|classes|categories|labels|codes|topics|options)\b"
            # a model with its count of classes: "speech-to-intent model with 40 intents"
            r"|\b(?:model|system|bot|engine|network|tagger)\s+with\s+(?:~|about |around |some )?"
            + _MANY
            + r" (?:[\w/-]+ ){0,2}(?:intents|classes|categories|labels|codes|topics)\b"
            r"|\b(?:returns?|outputs?|emits?|gives?|says?|answers?|produces?|receive)\s+(?:only\s+)?(?:one of:?\s+|either\s+)?"
            + _ENUMERATION
            + r"|\b(?:decid|choos|pick|select)\w*\s+(?:between|among)\s+(?:"
            + _LABEL
            + r",\s*){1,}"
            + _LABEL
            + r",?\s+(?:and|or)\s+"
            + _LABEL
            + r"\b"
            # "a classifier with twelve outcomes", not "with twenty features" (what it reads, not what it assigns)
            r"|\bclassifier\b\s*[,:(]?\s*(?:with\s+|over\s+|of\s+)?"
            + _MANY
            + r" (?!(?:[\w-]+ )?(?:features|inputs"
            r"|variables|columns|predictors|signals|fields|attributes|rules|trees|layers|parameters|rows|records"
            r"|examples|samples)\b)[\w-]+s\b"
            # "sorts applications into approve, refer and decline"
            r"|\b"
            + _ASSIGNS
            + r"[^.;?!]{0,60}?\binto\s+(?!"
            + _GROUPED_BY
            + r")"
            + _LABEL
            + r",\s*(?:"
            + _LABEL
            + r",\s*)*"
            + _LABEL
            + r",?\s+(?:and|or)\s+"
            + _LABEL
            + r"\b"
            # labels written out in brackets after what assigns them: "triage CNN (benign / follow-up / urgent)"
            + r"|\b(?:classifier|model|cnn|network|triage|tool)\s*\(\s*"
            + _ENUMERATION
            # "priority P1 to P4", "levels L1-L5"; "it has three outcomes"
            + r"|\b(?:p|l|tier |level |grade |cat(?:egory)? )1\s*(?:to|-|\u2013|through)\s*(?:p|l|tier |level |grade "
            r"|cat(?:egory)? )?[3-9]\b"
            r"|\b(?:has|have|with) " + _MANY + r" (?:possible )?(?:outcomes?|classes|categories|labels)\b"
            # alternatives written out with commas and "or" as what a case is put down as ("routes each ticket
            # to billing, technical, sales or legal", "claims come out as pay, investigate, or deny", "marked
            # green, amber or red", "sorted into a level: junior, mid, senior or principal"); "or" rather than
            # "and", which lists the groups compared ("for Black, Hispanic and Asian applicants")
            r"|\b(?:(?:" + _ASSIGNS + r"|mark\w*|rat(?:e|es|ed|ing)|flag\w*|tag\w*|comes? out|ends? up)"
            r"(?:(?!\bby\b)[^.;?!]){0,40}?(?:\b(?:as|to|into)\s+|:\s*)|\b(?:marked|label+ed|tagged|coded|graded|rated)\s+)"
            r"(?:(?:a|an|the|one of)\s+)?"
            + _LABEL
            + r",\s*(?:"
            + _LABEL
            + r",\s*)*"
            + _LABEL
            + r",?\s+or\s+"
            + _LABEL
            + r"\b"
            # "recognises which of twelve languages a voice note is in"
            r"|\b(?:recogni[sz]|identif|detect|predict|decid|determin|guess)\w*\s+which of (?:the )?"
            + _MANY
            + r" (?:[\w/-]+ ){0,2}(?!"
            + _NOT_LABELS
            + r")[\w-]+s\b"
        ),
    ),
]

# A stage named outright with a restriction ("only post-processing", "must be in-processing").
STAGE_PATTERNS: list[tuple[Stage, str]] = [
    (Stage.PRE_PROCESSING, r"pre-?process(ing)?"),
    (Stage.IN_PROCESSING, r"in-?process(ing)?"),
    (Stage.POST_PROCESSING, r"post-?process(ing)?"),
]
PREFERRED_STAGE_PATTERNS: list[tuple[Stage, str]] = [
    (
        Stage.PRE_PROCESSING,
        r"(training|the) data (before|first)|before (training|fitting)|re-?weight|resampl|oversampl|relabel",
    ),
    (
        Stage.IN_PROCESSING,
        (
            r"(re)?train(ing)? (it |the model |a model )?with a (fairness )?(constraint|penalty|regulari)"
            r"|during training|in the loss|built into training|fairness constraint"
        ),
    ),
    (
        Stage.POST_PROCESSING,
        r"post-?process|after training|(trained|existing|deployed) (model|classifier)|threshold",
    ),
]

INTENT_PATTERNS: list[tuple[str, str]] = [
    (
        "document",
        # (not documents as the data: "the document classifier", "documents from African countries")
        (
            r"document(?!s?\s+(?:classifier|classification|verification|scanner|scanning|processing|types?|images?"
            r"|recognition|checks?|reader|ocr|fraud|routing|review|intake|understanding|model)\b|s\s+from\b)"
            r"|model card|datasheet|factsheet|governance|checklist|transparen|accountab|internal audit"
        ),
    ),
    # a stream of data or events, not "six processing streams" or "the slow-track stream"
    (
        "monitor",
        (
            # (not a model that raises alerts: "a sepsis alert model", "the alerting system")
            r"monitor|drift|over time|in production|dashboard|\bstreaming\b"
            r"|alert(?!(?:s|ing)? (?:model|system|classifier|tool|algorithm|engine|score)s?\b)"
            r"|\b(?:data|event|transaction|click|live|incoming|input|real-time|score) streams?\b"
        ),
    ),
    (
        "causal",
        r"causal|dag\b|confound|(?<!re)mediat|path[- ]specific|back-?door|direct effect|indirect effect|decompos",
    ),
    (
        "audit",
        (
            r"\baudit|measure|compare (fairness|the )?(gaps|metrics|models)|false discover|quantify|assess|evaluat|check (whether|if)|is (there|it) (bias|significant)"
            r"|significan|confidence interval|report (the )?(gap|disparit)|which groups|find (the )?subgroups"
            # "how would I check that?", "is the model fair to Black patients?"
            r"|how (would|do|can|could|should|might) (i|we|one) (check|test|tell|verify|detect|find out|investigate)\b"
            r"|\b(is|are) (it|the model|our model|the tool|the system|they) (fair|biased|unfair)\b"
        ),
    ),
    (
        "mitigate",
        (
            r"fix|reduce|mitigat|remove|debias|de-bias|make .* fair|correct|improve fairness|close the gap"
            r"|equali[sz]e|enforce|satisfy|achieve"
        ),
    ),
]

FAMILY_PATTERNS: list[tuple[str, str]] = [
    ("gradient_boosting", r"xgboost|lightgbm|catboost|gradient[- ]boost|\bgbm\b|boosted trees"),
    ("neural_network", r"neural|deep learning|pytorch|tensorflow|\bbert\b|transformer model|\bcnn\b|\bmlp\b"),
    ("logistic_regression", r"logistic regression|\blogit\b|scorecard"),
    ("tree", r"decision tree|random forest"),
    (
        "black_box",
        r"black[- ]box|vendor|third[- ]party model|api we (call|use)|can(no|')t (see|access) the model",
    ),
]

DOMAIN_PATTERNS: list[tuple[str, str, bool]] = [
    # (domain, pattern, protected attribute barred from decisions by law)
    ("lending", r"\bloan|lending|credit|mortgage|underwrit|\becoa\b", True),
    ("hiring", r"hiring|recruit|job applicant|candidates? for|resume|cv screen|employment|title vii", True),
    ("housing", r"housing|tenant|rental application|fair housing", True),
    ("insurance", r"insurance|premium|underwrit", True),
    ("healthcare", r"patient|clinical|hospital|diagnos|medical|health", False),
    ("criminal_justice", r"recidiv|parole|bail|pretrial|criminal|police", False),
    ("education", r"admission|student|school|universit|grading", False),
    ("advertising", r"\bads?\b|advertis|marketing", False),
]

LEGAL_NOTES = {
    "lending": "credit decisions (ECOA / Regulation B in the US, EU anti-discrimination law): the protected "
    "attribute may not be used to make the decision",
    "hiring": "employment decisions (Title VII, EU equal-treatment directives): the protected attribute may "
    "not be used to make the decision",
    "housing": "housing decisions (Fair Housing Act): the protected attribute may not be used to make the decision",
    "insurance": "insurance pricing and underwriting (EU Test-Achats ruling for sex): the protected attribute "
    "may not be used to make the decision",
}


_DIM_FIELD = {"retraining": "retraining_allowed", "inference": "protected_at_inference_allowed"}
_SCOPE_STAGE = {
    "pre_processing": Stage.PRE_PROCESSING,
    "in_processing": Stage.IN_PROCESSING,
    "post_processing": Stage.POST_PROCESSING,
    "causal": Stage.CAUSAL,
    "monitoring": Stage.MONITORING,
    "documentation": Stage.DOCUMENTATION,
}
_SCOPE_INTENT = {
    "pre_processing": "mitigate",
    "in_processing": "mitigate",
    "post_processing": "mitigate",
    "no_intervention": "audit",
    "causal": "causal",
    "monitoring": "monitor",
    "documentation": "document",
}


# words of a change to the model or its outputs
_FIX_WORDS = re.compile(
    r"\b(?:pre|in|post)-?processing\b|\bthresholds?\b|\bcut-?offs?\b|\breweigh\w*|\bmitigat\w*|\bdebias\w*"
    r"|\bfix\w*|\bremed\w*|\bcorrect(?:ion|ing)?\b"
)


def _corroborated(dim: str, f: Any, findings: dict[str, Any], text: str | None) -> bool:
    """An unsure "cannot retrain" that a sure limit to post-processing backs ("I own the decision layer only;
    the score comes from a team whose training I can't get near"): both say the model stays as it is, and the
    text says so twice, so the reading is applied. The limit alone implies nothing about retraining."""
    scope = findings.get("scope")
    return (
        dim == "retraining"
        and f.value == "forbidden"
        and text is not None
        and scope is not None
        and scope.value == "post_processing"
        and scope.confidence >= UNDERSTOOD
        and scope.evidence != f.evidence
        and restricts(text, scope.evidence)
    )


def _apply_findings(c: Constraints, findings: dict[str, Any], text: str | None = None) -> None:
    """Put sure findings into ``c``; keep unsure ones (below :data:`UNDERSTOOD`) in ``c.uncertain`` only.

    An uncertain reading is never a hard constraint, in either direction: it is reported with the flag
    that settles it, and the ranker marks and ranks lower the techniques that would break a restrictive
    one (:func:`fairmend.recommender.fit.uncertain_conflicts`)."""
    for dim, f in findings.items():
        sure = f.confidence >= UNDERSTOOD or _corroborated(dim, f, findings, text)
        if dim in _DIM_FIELD:
            if (
                f.value == "not_collected"
                and text is not None
                and not names_absent_attribute(text, f.evidence)
            ):
                continue  # an absence of something else ("there are no labels")
            if dim == "retraining" and f.value == "forbidden" and states_intent_to_retrain(f.evidence):
                continue  # "we want to retrain it with a penalty that keeps ..." forbids nothing
            if f.value == "not_collected" and text is not None and held_elsewhere(text, f.evidence):
                # "the feature store has no age column, although the warehouse does": kept from the decision
                fields_values = [("protected_at_inference_allowed", False)]
            elif f.value == "not_collected":
                fields_values = [("protected_available", False), ("protected_at_inference_allowed", False)]
            else:
                fields_values = [(_DIM_FIELD[dim], f.value == "allowed")]
            for name, value in fields_values:
                if sure:
                    c.put(name, value, "text", f.confidence, f.evidence)
                else:
                    c.uncertain.append(
                        Uncertain(
                            name, value, f.confidence, f.evidence, settling_flag(name, value), applied=False
                        )
                    )
        elif dim == "scope":
            if text is not None and not SCOPE_CUES[f.value].search(DESCRIBED.sub(" ", normalise(text))):
                continue  # no work of that kind named anywhere: no reading, not even an uncertain one
            if f.value == "no_intervention":
                if text is not None and asks_for_fix(text):
                    continue  # "... so please reduce the gap there": a fix is asked for
                if text is not None and compares_proposals(text, f.evidence):
                    continue  # "... proposed group thresholds. How do these compare?": a choice of fixes
                name, value = "intervention_allowed", False
            else:
                name, value = "stages", [_SCOPE_STAGE[f.value]]
                allowed = findings.get("retraining")
                permission = allowed.evidence if allowed is not None and allowed.value == "allowed" else None
                if text is not None and withdrawn_scope(text, f.evidence, permission):
                    continue  # "we wanted to fix the data only, but actually anything may change"
                if text is not None and not restricts(text, f.evidence):
                    # a kind of work asked for or mentioned, not a limit on the work: a preference
                    c.put("preferred_stages", value, "text", f.confidence, f.evidence)
                    continue
            # an unsure kind of work that the next sentence frames as the whole request ("..., page someone.
            # That's the whole ask.")
            sure = sure or (name == "stages" and text is not None and framed_as_whole(text, f.evidence))
            if sure:
                c.put(name, value, "text", f.confidence, f.evidence)
                c.put("intent", _SCOPE_INTENT[f.value], "text", f.confidence, f.evidence)
            else:
                c.uncertain.append(
                    Uncertain(
                        name, value, f.confidence, f.evidence, settling_flag(name, value), applied=False
                    )
                )
                if name == "stages":  # still a soft preference for the ranking
                    c.put("preferred_stages", value, "text", f.confidence, f.evidence)
        elif dim == "task":
            task = TaskType(f.value)
            if text is not None and not TASK_CUES[task].search(normalise(text)):
                continue  # nothing of that kind named: no reading, not even an uncertain one
            if sure:
                c.put("task", task, "text", f.confidence, f.evidence)
            else:
                c.uncertain.append(
                    Uncertain(
                        "task", task, f.confidence, f.evidence, settling_flag("task", task), applied=False
                    )
                )


def _unset(c: Constraints, name: str) -> None:
    """Back to not read: the field's default and no source, confidence or evidence."""
    setattr(c, name, None)
    for book in (c.sources, c.confidence, c.evidence):
        book.pop(name, None)


def _demote(c: Constraints, name: str, reason: str = "") -> None:
    """A reading from the text reported as uncertain (not applied) instead of holding, with the flag that
    settles it and, when it was set aside for another reading, the ``reason`` shown to the user."""
    value = getattr(c, name)
    c.uncertain = [u for u in c.uncertain if u.field != name]
    c.uncertain.append(
        Uncertain(
            name,
            value,
            c.confidence.get(name, 0.0),
            c.evidence.get(name, ""),
            settling_flag(name, value),
            applied=False,
            reason=reason,
        )
    )
    _unset(c, name)


def _reconcile(c: Constraints) -> None:
    """Training-time stages need retraining: when the text seems to say both, the pair must not silently
    exclude everything. Pre-processing alone beside "cannot retrain" is one situation, not a contradiction:
    the user owns the data and someone else (a vendor, another team) trains on it with code the user cannot
    touch ("the training code is the vendor's, but we may change the rows we send"), so the stage holds and
    the retraining ban is reported as uncertain (not applied). In-processing beside "cannot retrain" is a
    contradiction: the surer reading wins and the other becomes uncertain. An uncertain "cannot retrain"
    still casts doubt on in-processing: the stage keeps only its margin over half the rival's confidence, and
    is not applied when that falls below :data:`UNDERSTOOD`."""
    needs_training = {Stage.PRE_PROCESSING, Stage.IN_PROCESSING}
    doubt = [u for u in c.uncertain if u.field == "retraining_allowed" and u.value is False]
    if (
        doubt
        and c.retraining_allowed is None
        and set(c.stages or ()) == {Stage.IN_PROCESSING}
        and c.sources.get("stages") == "text"
        and c.confidence["stages"] - 0.5 * doubt[0].confidence < UNDERSTOOD
    ):
        value, conf, evidence = c.stages, c.confidence["stages"], c.evidence.get("stages", "")
        c.uncertain.append(
            Uncertain("stages", value, conf, evidence, settling_flag("stages", value), applied=False)
        )
        _unset(c, "stages")
        c.put("preferred_stages", value, "text", conf, evidence)
        return
    if not (
        c.retraining_allowed is False
        and c.stages
        and set(c.stages) <= needs_training
        and c.sources.get("retraining_allowed") == "text"
        and c.sources.get("stages") == "text"
    ):
        return
    if set(c.stages) == {Stage.PRE_PROCESSING}:
        _demote(
            c,
            "retraining_allowed",
            "only pre-processing is stated too, so whoever trains the model retrains it on the changed data",
        )
        return
    if c.confidence["retraining_allowed"] < c.confidence["stages"]:
        _demote(c, "retraining_allowed", f"it contradicts the surer '{describe_value('stages', c.stages)}'")
    else:
        _demote(c, "stages", "it needs retraining, which the text rules out more surely")


# Words that say a model is (not) to change: without one of them, a clause that keeps the attribute away from
# the model ("the deployed classifier will never receive it", "it is walled off from the hiring tool") says
# nothing about retraining. Narrower than reader._MODEL_CHANGE, which also counts words of the model's making
# ("deployed", "vendor", "code") because there it only decides whether a clause naming an attribute may be read
# for retraining at all; here the clause has been read for the attribute already.
_CHANGE_WORDS = re.compile(
    r"\b(?:re-?train\w*|re-?fit\w*|re-?buil\w*|fine-?tun\w*|train\w*|chang\w*|modif\w*|alter\w*|touch\w*"
    r"|updat\w*|edit\w*|froze\w*|freez\w*|lock\w*|seal\w*|fixed|redo|rework\w*"
    # or of a model that is another's product ("a black-box vendor API that never receives the renter's age"):
    # a ban on retraining of its own
    r"|vendor\w*|black[- ]box|third[- ]party|licen[cs]\w*)\b"
)


def _attribute_rule_is_not_a_freeze(c: Constraints) -> None:
    """A "cannot retrain" read from the very clause that keeps the protected attribute out of the decision, in
    a clause with no word of change or training ("the deployed model is blind to race by design", "it is not
    passed on to the model that makes the call"), is the attribute rule read twice: reported as uncertain,
    not applied. "We can neither retrain the model nor use ethnicity" keeps both."""
    if not (
        c.retraining_allowed is False
        and c.protected_at_inference_allowed is False
        and c.sources.get("retraining_allowed") == "text"
        and c.sources.get("protected_at_inference_allowed") == "text"
    ):
        return
    retrain, attribute = (
        c.evidence.get("retraining_allowed", ""),
        c.evidence.get("protected_at_inference_allowed", ""),
    )
    if (
        retrain
        and (retrain in attribute or attribute in retrain)
        and not _CHANGE_WORDS.search(normalise(retrain))
    ):
        _demote(c, "retraining_allowed", "the same words keep the protected attribute out of the decision")


# What each intervention stage works on, named right after a limiting word ("purely at the threshold level",
# "solely on the training data", "only the loss function") or right before one ("the cut-off and nothing else").
_STAGE_OBJECTS: list[tuple[Stage, str]] = [
    (
        Stage.PRE_PROCESSING,
        r"training (?:data|set|table|records|sample|corpus|extract)|data side|re-?weight\w*|re-?sampl\w*|relabel\w*",
    ),
    (
        Stage.IN_PROCESSING,
        # "the loss", not "an accuracy loss" or "the loss of accuracy" (a budget)
        (
            r"(?:training|learning) (?:objective|algorithm|procedure)|the loss\b(?!\s+(?:of|in)\b)|loss (?:function|term)"
            r"|the learner|objective function"
            # "whatever we change has to live in how the model is fitted"
            r"|how (?:the|our|a|this) (?:[\w-]+ )?(?:model|classifier|scorer|regressor) is (?:trained|fitted|fit|learned"
            r"|learnt|estimated)"
        ),
    ),
    (Stage.POST_PROCESSING, r"thresholds?|cut-?offs?|decision rules?|threshold level|score-to-decision"),
]
_LIMIT_WORD = (
    r"\b(?:only|solely|purely|exclusively|(?:has|have|must|needs?) to (?:live|sit|happen|be done|come|be) (?:in|through"
    r"|on|at|via|from|part of)|must be part of)\b"
)
_LIMIT_AFTER = r"(?:,?\s+(?:and\s+)?nothing else|,?\s+only)\b"


def _named_limit(c: Constraints, t: str) -> None:
    """A limiting word right before or after what one stage works on ("I'd like to solve this purely at the
    threshold level", "fix it solely through the training data", "the loss function and nothing else"), and
    nothing of another stage in the text: that stage is the limit. Not against "no intervention", nor for a
    training-time stage against "cannot retrain"."""
    if c.stages is not None or c.intervention_allowed is False:
        return
    named = set()
    for stage, obj in _STAGE_OBJECTS:
        m = re.search(
            rf"{_LIMIT_WORD}(?:\W+[\w'-]+){{0,4}}?\W+(?:{obj})\b|\b(?:{obj})\b(?:\W+[\w'-]+){{0,2}}?{_LIMIT_AFTER}",
            t,
        )
        if m:
            named.add((stage, m.group(0)))
    if len(named) != 1:
        return
    stage, evidence = named.pop()
    sentence = next((x for x in re.split(r"(?<=[.!?;])\s+", t) if evidence in x), "")
    if BELIEF.search(sentence) or REVERSAL.search(sentence):
        return  # "I assumed only the thresholds could be touched, but actually ...": a belief withdrawn
    others = [obj for s, obj in _STAGE_OBJECTS if s != stage]
    if any(re.search(rf"\b(?:{obj})\b", t) for obj in others):
        return
    if c.retraining_allowed is False and stage in (Stage.PRE_PROCESSING, Stage.IN_PROCESSING):
        return
    c.uncertain = [x for x in c.uncertain if x.field != "stages"]
    c.put("stages", [stage], "text", 0.85, evidence)


# what the data holds, told with "just" or "only" ("the dataset is just transactions"): a description of the
# data, no limit of the work to it
_DATA_DESCRIBED = re.compile(
    r"\b(?:data|dataset|data set|table|file|csv|columns?)\s+(?:is|are|has|have|contains?|holds?)\s+"
    r"(?:just|only|purely|entirely|solely)\b"
)


def _limited_stage(c: Constraints) -> None:
    """An unsure stage reading whose own clause limits the work to it ("we control the input data only", "all
    we can touch is what happens downstream of its output", "our remit is transforming the outputs") is a
    limit, not a guess: the clause says the work is that kind and no other. Applied only when it is the one
    stage read and nothing read from the text contradicts it (no intervention; no retraining against a
    training-time stage)."""
    if c.stages is not None or c.intervention_allowed is False:
        return
    limited = [
        u
        for u in c.uncertain
        if u.field == "stages"
        and not u.applied
        and LIMITING.search(normalise(u.evidence))
        and not _DATA_DESCRIBED.search(normalise(u.evidence))
    ]
    if len({tuple(u.value) for u in limited}) != 1:
        return
    u = limited[0]
    if c.retraining_allowed is False and set(u.value) & {Stage.PRE_PROCESSING, Stage.IN_PROCESSING}:
        return
    c.uncertain = [x for x in c.uncertain if x.field != "stages"]
    c.put("stages", list(u.value), "text", u.confidence, u.evidence)


# Intersectional groups, by structure: a group adjective of one attribute on a gendered noun ("older women",
# "young Black men", "disabled mothers"); two attributes crossed ("gender by race", "age x ethnicity"; of
# two joined by "and" only the pairs below: "we hold age and ethnicity" lists data, it crosses nothing);
# subgroups asked about as such ("subgroup guarantees", "small subgroups", "combinations of
# groups", "intersections").
_GROUP_ADJ = (
    r"older|elderly|younger|young|senior|middle-aged|black|white|hispanic|latin[oa]s?|latinx|asian|indigenous"
    r"|native|aboriginal|muslim|jewish|hindu|sikh|immigrant|migrant|foreign-born|disabled|deaf|blind|gay|lesbian"
    r"|trans|transgender|minority|low-income|roma|arab"
)
_ATTRIBUTE = r"race|ethnicity|gender|sex|age|religion|disability|nationality|national origin"
_INTERSECTIONAL = (
    r"intersection|combinations? of (the |protected |demographic )?(attributes|groups|characteristics|traits)"
    rf"|\b({_GROUP_ADJ}),? (({_GROUP_ADJ}) )?(wom[ae]n|females|mothers|girls|wives|widows|men|males|fathers|boys)\b"
    rf"|\b({_ATTRIBUTE}) (by|x|×|(is |are )?(crossed|combined|intersected) with) ({_ATTRIBUTE})\b"
    r"|race and (gender|sex)|(gender|sex) and race|sex and age|age and (sex|gender|race)"
    r"|subgroups? (of|defined by|across)|subgroup (fairness|guarantees?|parity|calibration|error)"
    r"|(small|tiny|rare|overlapping|fine-grained) subgroups|multicalibrat"
)


def _has(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


def parse_text(text: str, *, embedder: Any = None, verify: bool = True) -> Constraints:
    """Extract constraints from free text (``embedder``: the reader's, default all-MiniLM-L6-v2; ``verify``:
    let the second reading of the whole text doubt a prohibition, :mod:`fairmend.recommender.binding`)."""
    from fairmend.recommender.reader import read_parts

    t = " " + text.lower().replace("\u2019", "'") + " "
    c = Constraints()
    findings, c.goal_text = read_parts(text, embedder, floor=FLOOR)
    _apply_findings(c, findings, text)
    _attribute_rule_is_not_a_freeze(c)

    # exact rules: a stage named with a restriction, a task named outright
    named = [
        s
        for s, p in STAGE_PATTERNS
        if _has(
            r"\b(only|must be|has to be|have to be|exclusively)\b[a-z -]{0,12}"
            + p
            + r"|"
            + p
            + r"[a-z -]{0,6}\bonly\b",
            t,
        )
    ]
    stated = re.search("|".join(p for _, p in STAGE_PATTERNS), t)  # found whenever `named` is not empty
    if named and withdrawn_scope(text, stated.group(0)):
        named = []  # "initially I only wanted in-processing changes, but any stage is fine now"
    if named:
        c.put("stages", named, "text", 1.0, stated.group(0))
        c.uncertain = [u for u in c.uncertain if u.field not in ("stages", "intervention_allowed")]
    if c.task is None:
        for task, p in TASK_PATTERNS:
            m = re.search(p, t)
            if m:
                c.put("task", task, "text", 0.9, m.group(0))
                c.uncertain = [u for u in c.uncertain if u.field != "task"]
                break
    no_fix = asks_for_no_fix(text) if c.intervention_allowed is None else None
    if no_fix and c.stages and re.search(r"\bonly\b", no_fix):
        no_fix = None  # "counterfactual audit only": the named kind of work alone, not "no intervention"
    if no_fix and not (c.stages and not set(c.stages) <= set(NON_INTERVENTION_STAGES)):
        c.put("intervention_allowed", False, "text", 0.9, no_fix)  # "an answer, not a fix"
        if c.intent is None:  # (a document when that is the only kind of work named: see below)
            documents = c.preferred_stages == [Stage.DOCUMENTATION]
            c.put("intent", "document" if documents else "audit", "text", 0.9, no_fix)
        c.uncertain = [u for u in c.uncertain if u.field != "intervention_allowed"]
    if c.intervention_allowed is False and c.stages and not set(c.stages) <= set(NON_INTERVENTION_STAGES):
        c.intervention_allowed = None  # a named intervention stage wins over "no intervention"
    usable = usable_at_decision(text) if c.sources.get("protected_at_inference_allowed") != "text" else None
    if usable:
        # "age attr usable in prod": the attribute may be used at decision time (overrides a domain default)
        c.put("protected_at_inference_allowed", True, "text", 0.85, usable)
        c.uncertain = [u for u in c.uncertain if u.field != "protected_at_inference_allowed"]
    frozen = forbids_change(text)
    if frozen and freezes_other(frozen):
        frozen = None  # "our front end is in a code freeze": the freeze is on another thing (see frozen.py)
    if frozen and c.sources.get("retraining_allowed") != "text":
        # "change freeze", "nothing about it may be altered": no retraining either
        c.put("retraining_allowed", False, "text", 0.9, frozen)
        c.uncertain = [u for u in c.uncertain if u.field != "retraining_allowed"]
    gone = means_gone(text)
    if gone and c.sources.get("retraining_allowed") == "text":
        # a reading from the text stands, except a permission stated before the means to refit went ("we were
        # told we could retrain it, but it turns out the training data is gone"); gone before it ("the data was
        # deleted, but we can rebuild it from the warehouse"), the permission stands
        granted = c.evidence.get("retraining_allowed", "") if c.retraining_allowed is True else ""
        norm = normalise(text)
        if not (granted and norm.find(gone) > norm.find(normalise(granted)) >= 0):
            gone = None
    if gone:
        # "the original training data was deleted": nothing to refit the model with
        c.put("retraining_allowed", False, "text", 0.85, gone)
        c.uncertain = [u for u in c.uncertain if u.field != "retraining_allowed"]
    thing = freezes_other(c.evidence.get("retraining_allowed", "")) if c.retraining_allowed is False else None
    if thing and c.sources.get("retraining_allowed") == "text":
        _demote(c, "retraining_allowed", f"the words freeze the {thing}, not the model")
    _reconcile(c)
    _limited_stage(c)
    _named_limit(c, t)
    prefs = [s for s, p in PREFERRED_STAGE_PATTERNS if _has(p, t)]
    if prefs:
        c.put("preferred_stages", list(dict.fromkeys(c.preferred_stages + prefs)), "text")
    crits = [crit for crit, p in CRITERION_PATTERNS if _has(p, t)]
    if crits:
        c.put("criteria", crits, "text")
    for fam, p in FAMILY_PATTERNS:
        if _has(p, t):
            c.put("model_family", fam, "text")
            break
    budget = accuracy_budget(text)
    if budget is not None:
        c.put("max_accuracy_loss", budget[0], "text", 1.0, budget[1])
    elif _has(
        r"(?<!rather )(?<!prefer )(can(no|')?t|cannot|must not|not) (afford to )?(lose|sacrifice|drop) (any |much )?(accuracy|performance)",
        t,
    ):
        c.put("max_accuracy_loss", 0.01, "text", 0.8, "cannot lose accuracy")
    if _has(
        r"(more than|over) two (groups|races|categories)|multiple (groups|races|ethnicit|categories)|several (groups|ethnic)"
        r"|(\b[3-9]|\b[1-9]\d+|three|four|five|six|seven|eight|many) (racial |ethnic |age )?(groups|categories|races|ethnicities)"
        r"|multi-?group|non-?binary",
        t,
    ):
        c.put("multi_group", True, "text")
    if _has(_INTERSECTIONAL, t):
        c.put("intersectional", True, "text")
    m = re.search(
        r"(\d[\d,.]*)\s*(k|thousand|million|m)?\s*(rows|records|examples|samples|applicants|patients|customers|people|instances)",
        t,
    )
    if m:
        n = float(m.group(1).replace(",", "").rstrip("."))
        n *= {"k": 1e3, "thousand": 1e3, "million": 1e6, "m": 1e6}.get(m.group(2) or "", 1)
        c.put("data_size", int(n), "text")
        if n < 2000:
            c.put("small_data", True, "text")
    if _has(r"small (dataset|data|sample)|few (rows|records|examples)|limited data|tiny dataset", t):
        c.put("small_data", True, "text")
    if _has(
        r"(quick|fast|cheap|lightweight|simple) (fix|solution|to run|method|approach|win)|quickly|by tomorrow|no time|limited compute|little compute|no gpu",
        t,
    ):
        c.put("time_budget", "fast", "text")
    if c.intent is None:
        asked = DESCRIBED.sub(" ", t)  # not the mentions that describe (cues.DESCRIBED)
        for intent, p in INTENT_PATTERNS:
            if _has(p, asked):
                c.put("intent", intent, "text", 0.6)
                break
    if (
        c.stages is None
        and c.preferred_stages == [Stage.DOCUMENTATION]
        and c.intent == "document"
        and not asks_for_fix(text)
        and not _has(_CHANGE_VERB, t)
    ):
        # documentation is the only kind of work the text names and nothing else is asked for ("need a model
        # card for the regressor we're open-sourcing"): the only deliverable, so the work is documentation
        c.put("stages", [Stage.DOCUMENTATION], "text", 0.8, c.evidence.get("preferred_stages", ""))
        c.uncertain = [u for u in c.uncertain if u.field != "stages"]
    elif (
        c.stages
        and set(c.stages) <= {Stage.DOCUMENTATION, Stage.MONITORING, Stage.CAUSAL}
        and c.sources.get("stages") == "text"
        and asks_for_fix(text)
    ):
        # "help us reduce the gap, and document what we did", "our dashboard shows the gap widening; how do we
        # reduce it?": documentation, monitoring or causal work beside a fix, not instead of one
        c.put("preferred_stages", list(dict.fromkeys(c.preferred_stages + c.stages)), "text")
        _unset(c, "stages")
    # the model may not change (a text reading, not a domain default) and a document is the only deliverable
    # ("the model itself is certified and locked; the datasheet is the only thing I'm producing"): together,
    # nothing may change
    locked = c.retraining_allowed is False and c.sources.get("retraining_allowed") == "text"
    # ... or one kind of work that changes nothing is the whole request ("the model can't be changed; what I'm
    # after is a causal analysis", "frozen until Q3; what I need is ongoing monitoring"): the labelling rules'
    # "nothing may be changed and the user only wants to measure"
    one_kind = (
        locked
        and c.sources.get("stages") == "text"
        and c.stages is not None
        and len(c.stages) == 1
        and c.stages[0] in (Stage.CAUSAL, Stage.MONITORING, Stage.DOCUMENTATION)
        # not with a fix asked too ("a causal analysis first, then a post-processing fix")
        and not _FIX_WORDS.search(t)
    )
    if (
        c.intervention_allowed is None
        and (frozen or one_kind)
        and (
            one_kind
            or c.intent
            in ("audit", "document", "causal")  # (a "monitor" intent also comes from "in production")
            or asks_to_measure(text)
        )
        and not asks_for_fix(text)
        and not (c.stages and not set(c.stages) <= set(NON_INTERVENTION_STAGES))
    ):
        # nothing may change and only measuring, explaining or documenting is asked for ("change freeze until
        # Q3; what can we still learn about the age gap?"): no intervention at all
        c.put("intervention_allowed", False, "text", 0.85, frozen or c.evidence.get("retraining_allowed", ""))
        c.uncertain = [u for u in c.uncertain if u.field != "intervention_allowed"]
    if (
        c.intervention_allowed is False
        and c.retraining_allowed is True
        and c.sources.get("retraining_allowed") == "text"
        and not asks_for_no_fix(text)
    ):
        # the text lets the model be rebuilt ("fitting a fresh model is permitted"), so it does not say that
        # nothing may change; only an explicit "no changes requested" keeps "no intervention" beside it
        _demote(c, "intervention_allowed", "the text also lets the model be retrained")
    if (
        c.retraining_allowed is False
        and c.sources.get("retraining_allowed") == "text"
        and c.intervention_allowed is False
        and scoped(c.evidence.get("retraining_allowed", ""), text)
    ):
        # the ban was read from words that scope the request ("no changes, we only need numbers"): "nothing
        # is to change" holds, and it bars every intervention already; they forbid no retraining of their own
        _unset(c, "retraining_allowed")
    if verify:
        from fairmend.recommender.binding import REASON, doubted

        for name in doubted(c, text, embedder):
            _demote(c, name, REASON)
    for domain, p, barred in DOMAIN_PATTERNS:
        if _has(p, t):
            c.put("domain", domain, "text")
            if barred:
                c.legal_note = LEGAL_NOTES[domain]
                c.sources["legal_note"] = "domain-default"
                if c.protected_at_inference_allowed is None:
                    c.put("protected_at_inference_allowed", False, "domain-default", 0.9)
            break
    return c
