"""The exact patterns of :func:`fairmend.recommender.parse.parse_text`: named criteria, tasks, stages, intents,
model families and domains (with the legal default each domain carries), and intersectional groups.

Regular expressions are kept only where they are exact; the constraints people phrase in endless ways are read
by :mod:`fairmend.recommender.reader`.
"""

from __future__ import annotations

from fairmend.catalog.types import Criterion, Stage, TaskType

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
CHANGE_VERB = (
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
INTERSECTIONAL = (
    r"intersection|combinations? of (the |protected |demographic )?(attributes|groups|characteristics|traits)"
    rf"|\b({_GROUP_ADJ}),? (({_GROUP_ADJ}) )?(wom[ae]n|females|mothers|girls|wives|widows|men|males|fathers|boys)\b"
    rf"|\b({_ATTRIBUTE}) (by|x|×|(is |are )?(crossed|combined|intersected) with) ({_ATTRIBUTE})\b"
    r"|race and (gender|sex)|(gender|sex) and race|sex and age|age and (sex|gender|race)"
    r"|subgroups? (of|defined by|across)|subgroup (fairness|guarantees?|parity|calibration|error)"
    r"|(small|tiny|rare|overlapping|fine-grained) subgroups|multicalibrat"
)
