"""Constraints of a fairness problem, parsed from a practitioner's text and overridden by flags.

The parser is rule-based (regular expressions over the lower-cased text): it is predictable, it
says where each value came from (``sources``), and explicit flags always win over the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from typing import Any

from fairmend.catalog.types import Criterion, Stage, TaskType

# Criteria the user can target, with the phrases that name them (checked in this order).
CRITERION_PATTERNS: list[tuple[Criterion, str]] = [
    (Criterion.EQUALIZED_ODDS, r"equali[sz]ed odds|equal(ize|ise)? (both )?(error rates|false positive and false negative)"
                               r"|(both|same) (false positive|error) rates?|average odds"),
    (Criterion.EQUAL_OPPORTUNITY, r"equal(ity of)? opportunit|true positive rate|\btpr\b|false negative rate"
                                  r"|recall (gap|parity|for)|qualified (people|applicants|candidates)"
                                  r"|miss(es|ing)? (more )?(qualified|sick|positive)"),
    (Criterion.PREDICTIVE_PARITY, r"predictive parity|precision (gap|parity)|\bppv\b|positive predictive"
                                  r"|false discovery rate|sufficiency"),
    (Criterion.CALIBRATION, r"calibrat|probabilit(y|ies) (mean|are|should)|risk scores? (mean|should)"
                            r"|well[- ]calibrated|reliab(le|ility) (of )?(scores|probabilities)"),
    (Criterion.COUNTERFACTUAL_FAIRNESS, r"counterfactual|had (they|he|she) been|causal (effect|path|graph|dag)"
                                        r"|path[- ]specific|mediat"),
    (Criterion.INDIVIDUAL_FAIRNESS, r"individual fairness|similar (people|individuals|applicants|candidates|cases)"
                                    r"|treat(ed)? (like|alike|similarly)|lipschitz|consisten(t|cy) (decisions|treatment)"),
    (Criterion.DEMOGRAPHIC_PARITY, r"demographic parity|statistical parity|disparate impact|four[- ]fifths|80 ?%"
                                   r"|selection rates?|approval rates?|acceptance rates?|hiring rates?|same rate"
                                   r"|positive rates?|independence|adverse impact|equal (share|proportion)"),
]

TASK_PATTERNS: list[tuple[TaskType, str]] = [
    (TaskType.RANKING, r"\b(we|to|they) rank\b|\brank(ing|ings|er|ers)\b|search results|top[- ]k|recommendation list|shortlist order|exposure"),
    (TaskType.CLUSTERING, r"cluster|segmentation of (users|customers)|k-?means"),
    (TaskType.REGRESSION, r"regression|predict(s|ing)? (a )?(continuous|salary|salaries|price|amount|income|cost|length of stay)"
                          r"|continuous (outcome|target|score)"),
    (TaskType.MULTICLASS_CLASSIFICATION, r"multi-?class|several classes|more than two classes"),
    (TaskType.BINARY_CLASSIFICATION, r"classif|approve|approval|reject|accept|hire|hiring|admit|default|fraud"
                                     r"|diagnos|recidiv|loan|credit|binary"),
]

STAGE_PATTERNS: list[tuple[Stage, str]] = [
    (Stage.PRE_PROCESSING, r"pre-?process|(fix|change|repair|transform) the (training )?data"),
    (Stage.IN_PROCESSING, r"in-?process|during training|fairness constraint in training|constrained (training|optimi)"),
    (Stage.POST_PROCESSING, r"post-?process|adjust (the )?(thresholds|scores|outputs|decisions)"),
]

PREFERRED_STAGE_PATTERNS: list[tuple[Stage, str]] = [
    (Stage.PRE_PROCESSING, r"(training|the) data (before|first)|before (training|fitting)|re-?weight|resampl|oversampl|relabel"),
    (Stage.IN_PROCESSING, r"(re)?train(ing)? (it |the model |a model )?with a (fairness )?(constraint|penalty|regulari)"
                          r"|during training|in the loss|built into training|fairness constraint"),
    (Stage.POST_PROCESSING, r"post-?process|after training|(trained|existing|deployed) (model|classifier)|threshold"),
]

INTENT_PATTERNS: list[tuple[str, str]] = [
    ("document", r"document|model card|datasheet|factsheet|governance|checklist|transparen|accountab|internal audit"),
    ("monitor", r"monitor|drift|over time|in production|alert|dashboard|stream"),
    ("causal", r"causal|dag\b|confound|mediat|path[- ]specific|back-?door|direct effect|indirect effect|decompos"),
    ("audit", r"\baudit|measure|compare (fairness|the )?(gaps|metrics|models)|false discover|quantify|assess|evaluat|check (whether|if)|is (there|it) (bias|significant)"
              r"|significan|confidence interval|report (the )?(gap|disparit)|which groups|find (the )?subgroups"),
    ("mitigate", r"fix|reduce|mitigat|remove|debias|de-bias|make .* fair|correct|improve fairness|close the gap"
                 r"|equali[sz]e|enforce|satisfy|achieve"),
]

FAMILY_PATTERNS: list[tuple[str, str]] = [
    ("gradient_boosting", r"xgboost|lightgbm|catboost|gradient[- ]boost|\bgbm\b|boosted trees"),
    ("neural_network", r"neural|deep learning|pytorch|tensorflow|\bbert\b|transformer model|\bcnn\b|\bmlp\b"),
    ("logistic_regression", r"logistic regression|\blogit\b|scorecard"),
    ("tree", r"decision tree|random forest"),
    ("black_box", r"black[- ]box|vendor|third[- ]party model|api we (call|use)|can(no|')t (see|access) the model"),
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


@dataclass
class Constraints:
    """What the recommender knows about the user's situation. ``None`` means "not stated"."""

    retraining_allowed: bool | None = None
    protected_at_inference_allowed: bool | None = None
    protected_available: bool | None = None  # is A available at all (to fit / audit)?
    stages: list[Stage] | None = None
    criteria: list[Criterion] = field(default_factory=list)
    task: TaskType | None = None
    model_family: str | None = None
    max_accuracy_loss: float | None = None
    multi_group: bool | None = None
    intersectional: bool = False
    data_size: int | None = None
    small_data: bool = False
    time_budget: str | None = None  # "fast" | "moderate" | None
    domain: str | None = None
    legal_note: str | None = None
    intent: str | None = None  # mitigate | audit | monitor | document | causal
    preferred_stages: list[Stage] = field(default_factory=list)  # soft preference
    sources: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list):
                value = [getattr(v, "value", v) for v in value]
            elif hasattr(value, "value"):
                value = value.value
            out[f.name] = value
        return out

    def describe(self) -> list[str]:
        """Human-readable lines for the parsed constraints (only the stated ones)."""
        lines = []
        for name, value in self.to_dict().items():
            if name == "sources" or value is None or value == [] or value is False and name in {
                    "intersectional", "small_data"}:
                continue
            src = self.sources.get(name)
            lines.append(f"{name.replace('_', ' ')}: {value}" + (f"  (from {src})" if src else ""))
        return lines


def _has(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


_NEG_RETRAIN = (r"(can(no|')?t|cannot|not allowed to|unable to|no way to|won't|will not|must not|do not|don't|"
                r"not able to|without) (re-?train|retrain(ing)?|touch the model|change the model|modify the model)"
                r"|no re-?training|(model|ranker|classifier|scorer|system) is (frozen|fixed|locked|given)|(frozen|fixed|locked|deployed) model"
                r"|retrain(ing)? is (not|out)|only (have|get) (the )?(scores|predictions|outputs)|vendor|black[- ]box"
                r"|we don't own the model|third[- ]party model")
_POS_RETRAIN = r"(can|could|may|are able to|willing to|happy to|free to) re-?train|retraining is (fine|ok|possible|allowed)|training from scratch|train a new"
_NEG_INFER = (r"(can(no|')?t|cannot|not allowed to|must not|may not|do not|don't|can not|won't|without) (use|see|collect|"
              r"access|have|store|rely on|ask for)[a-z ]{0,25}(protected|gender|sex|race|ethnicity|religion|age|"
              r"attribute)[a-z ]{0,30}(at|in|during|for)? ?(inference|prediction|decision|deploy|scoring|serving|run ?time|production)"
              r"|(protected attribute|gender|sex|race|ethnicity)s? (is|are)n?'?t? (not )?(available|allowed|used) (at|in|during) "
              r"(inference|prediction|decision|deploy|scoring|serving|production)"
              r"|(blind|unaware) (at|to) (inference|decision)|disparate treatment|not (legally )?(allowed|permitted) to use (race|gender|sex)")
_POS_INFER = r"(can|may|are allowed to|is allowed to) use (the )?(protected attribute|group|gender|sex|race)[a-z ]{0,20}(at|in|during) (inference|prediction|decision)"
_NO_DEMOGRAPHICS = (r"(don't|do not|never) (collect|have|record|know)[a-z ]{0,20}(race|gender|sex|ethnicity|demographic|protected)"
                    r"|without demographics|no (demographic|protected attribute) (data|labels|information)"
                    r"|(race|gender|demographics?|protected attributes?) (is|are) (not|never) (collected|recorded|available)")


def parse_text(text: str) -> Constraints:
    """Extract constraints from free text."""
    t = " " + text.lower().replace("’", "'") + " "
    c = Constraints()
    src = c.sources

    def put(name: str, value: Any, where: str = "text") -> None:
        setattr(c, name, value)
        src[name] = where

    if _has(_NEG_RETRAIN, t):
        put("retraining_allowed", False)
    elif _has(_POS_RETRAIN, t):
        put("retraining_allowed", True)
    if _has(_NO_DEMOGRAPHICS, t):
        put("protected_available", False)
        put("protected_at_inference_allowed", False)
    elif _has(_NEG_INFER, t):
        put("protected_at_inference_allowed", False)
    elif _has(_POS_INFER, t):
        put("protected_at_inference_allowed", True)
    stages = [s for s, p in STAGE_PATTERNS if _has(r"(only|must be|has to be|prefer|want|need) (a |an )?[a-z -]{0,12}" + p, t)]
    if stages:
        put("stages", stages)
    prefs = [s for s, p in PREFERRED_STAGE_PATTERNS if _has(p, t)]
    if prefs:
        put("preferred_stages", prefs)
    crits = [crit for crit, p in CRITERION_PATTERNS if _has(p, t)]
    if crits:
        put("criteria", crits)
    for task, p in TASK_PATTERNS:
        if _has(p, t):
            put("task", task)
            break
    for fam, p in FAMILY_PATTERNS:
        if _has(p, t):
            put("model_family", fam)
            break
    m = re.search(r"(?:lose|loss of|cost|drop|sacrifice|give up|budget of|at most|more than|no more than)[a-z ]{0,25}?"
                  r"(\d+(?:\.\d+)?)\s*(%|percent|percentage points?|points?|pp)(?![a-z])[a-z ]{0,12}(?:of )?(?:accuracy|auc|performance)?", t)
    if m and _has(r"accura|auc|performance|f1", t):
        put("max_accuracy_loss", float(m.group(1)) / 100.0)
    elif _has(r"(can(no|')?t|cannot|must not|not) (afford to )?(lose|sacrifice|drop) (any |much )?(accuracy|performance)", t):
        put("max_accuracy_loss", 0.01)
    if _has(r"(more than|over) two (groups|races|categories)|multiple (groups|races|ethnicit|categories)|several (groups|ethnic)"
            r"|(\b[3-9]|\b[1-9]\d+|three|four|five|six|seven|eight|many) (racial |ethnic |age )?(groups|categories|races|ethnicities)|multi-?group|non-?binary", t):
        put("multi_group", True)
    if _has(r"intersection|(black|hispanic|asian) wom[ae]n|combinations? of (attributes|groups)|subgroups? (of|defined by|across)"
            r"|race and (gender|sex)|(gender|sex) and race|sex and age|age and (sex|gender|race)", t):
        put("intersectional", True)
    m = re.search(r"(\d[\d,.]*)\s*(k|thousand|million|m)?\s*(rows|records|examples|samples|applicants|patients|customers|people|instances)", t)
    if m:
        n = float(m.group(1).replace(",", ""))
        n *= {"k": 1e3, "thousand": 1e3, "million": 1e6, "m": 1e6}.get(m.group(2) or "", 1)
        put("data_size", int(n))
        if n < 2000:
            put("small_data", True)
    if _has(r"small (dataset|data|sample)|few (rows|records|examples)|limited data|tiny dataset", t):
        put("small_data", True)
    if _has(r"(quick|fast|cheap|lightweight|simple) (fix|solution|to run|method|approach|win)|quickly|by tomorrow|no time|limited compute|little compute|no gpu", t):
        put("time_budget", "fast")
    for intent, p in INTENT_PATTERNS:
        if _has(p, t):
            put("intent", intent)
            break
    for domain, p, barred in DOMAIN_PATTERNS:
        if _has(p, t):
            put("domain", domain)
            if barred:
                put("legal_note", LEGAL_NOTES[domain])
                if c.protected_at_inference_allowed is None:
                    put("protected_at_inference_allowed", False, f"legal context: {domain}")
            break
    return c


def merge_flags(c: Constraints, *, retraining: bool | None = None, protected_at_inference: bool | None = None,
                stages: list[str] | None = None, criteria: list[str] | None = None,
                max_accuracy_loss: float | None = None, task: str | None = None) -> Constraints:
    """Return ``c`` with explicit flags applied; flags always override the text."""
    from fairmend.errors import InvalidParameterError

    out = replace(c, sources=dict(c.sources), stages=list(c.stages) if c.stages else c.stages,
                  criteria=list(c.criteria))
    if retraining is not None:
        out.retraining_allowed = retraining
        out.sources["retraining_allowed"] = "flag"
    if protected_at_inference is not None:
        out.protected_at_inference_allowed = protected_at_inference
        out.sources["protected_at_inference_allowed"] = "flag"
    try:
        if stages:
            out.stages = [Stage(s.replace("-", "_")) for s in stages]
            out.sources["stages"] = "flag"
        if criteria:
            out.criteria = [Criterion(x.replace("-", "_").replace(" ", "_")) for x in criteria]
            out.sources["criteria"] = "flag"
        if task:
            alias = {"classification": "binary_classification", "binary": "binary_classification",
                     "multiclass": "multiclass_classification"}
            out.task = TaskType(alias.get(task, task))
            out.sources["task"] = "flag"
    except ValueError as exc:
        raise InvalidParameterError(f"invalid constraint flag: {exc}") from None
    if max_accuracy_loss is not None:
        if not 0 <= max_accuracy_loss <= 1:
            raise InvalidParameterError(
                f"--max-accuracy-loss must be a fraction in [0, 1] (0.02 = two points), got {max_accuracy_loss}")
        out.max_accuracy_loss = max_accuracy_loss
        out.sources["max_accuracy_loss"] = "flag"
    return out
