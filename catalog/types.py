"""Typed technique metadata: :class:`Technique`, :class:`Citation`, :class:`Parameter` and enums.

Everything here is plain data. Nothing imports an implementation: a technique names its
implementation as ``"module:object"`` and :meth:`Technique.load` imports it on demand, so that
listing the catalog never pays for torch, fairlearn or aif360.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from fairmend.catalog.params import Parameter, parameters_of


class Stage(StrEnum):
    """Where in the ML lifecycle a technique intervenes (seed 001's components)."""

    CAUSAL = "causal"
    PRE_PROCESSING = "pre_processing"
    IN_PROCESSING = "in_processing"
    POST_PROCESSING = "post_processing"
    EVALUATION = "evaluation"
    MONITORING = "monitoring"
    DOCUMENTATION = "documentation"


class Criterion(StrEnum):
    """Fairness criteria a technique targets or measures."""

    DEMOGRAPHIC_PARITY = "demographic_parity"
    CONDITIONAL_DEMOGRAPHIC_PARITY = "conditional_demographic_parity"
    STRONG_DEMOGRAPHIC_PARITY = "strong_demographic_parity"
    STATISTICAL_PARITY_REGRESSION = "statistical_parity_regression"
    EQUAL_OPPORTUNITY = "equal_opportunity"
    PREDICTIVE_EQUALITY = "predictive_equality"
    EQUALIZED_ODDS = "equalized_odds"
    ERROR_RATE_PARITY = "error_rate_parity"
    ACCURACY_PARITY = "accuracy_parity"
    PREDICTIVE_PARITY = "predictive_parity"
    SUFFICIENCY = "sufficiency"
    CALIBRATION = "calibration"
    CALIBRATION_WITHIN_GROUPS = "calibration_within_groups"
    MULTICALIBRATION = "multicalibration"
    BOUNDED_GROUP_LOSS = "bounded_group_loss"
    MINIMAX_GROUP_FAIRNESS = "minimax_group_fairness"
    SUBGROUP_FAIRNESS = "subgroup_fairness"
    INTERSECTIONAL_FAIRNESS = "intersectional_fairness"
    INDIVIDUAL_FAIRNESS = "individual_fairness"
    COUNTERFACTUAL_FAIRNESS = "counterfactual_fairness"
    PATH_SPECIFIC_FAIRNESS = "path_specific_fairness"
    UNRESOLVED_DISCRIMINATION = "unresolved_discrimination"
    PROXY_DISCRIMINATION = "proxy_discrimination"
    FAIRNESS_THROUGH_UNAWARENESS = "fairness_through_unawareness"
    EXPOSURE_PARITY = "exposure_parity"
    DISPARATE_TREATMENT_EXPOSURE = "disparate_treatment_exposure"
    DISPARATE_IMPACT_EXPOSURE = "disparate_impact_exposure"
    REPRESENTATION_PARITY = "representation_parity"
    REPRESENTATION_PARITY_TOP_K = "representation_parity_top_k"
    BALANCE = "balance"
    EQUALIZED_COVERAGE = "equalized_coverage"
    RECOURSE_FAIRNESS = "recourse_fairness"
    GROUP_FAIRNESS_DECOMPOSITION = "group_fairness_decomposition"
    DRIFT = "drift"
    TRANSPARENCY = "transparency"
    ACCOUNTABILITY = "accountability"
    ANY = "any"


class TaskType(StrEnum):
    """Prediction tasks a technique applies to."""

    BINARY_CLASSIFICATION = "binary_classification"
    MULTICLASS_CLASSIFICATION = "multiclass_classification"
    REGRESSION = "regression"
    RANKING = "ranking"
    CLUSTERING = "clustering"


class RuntimeClass(StrEnum):
    """Rough cost: fast (one pass / one extra fit), moderate (repeated fits), slow (NN, LP, search)."""

    FAST = "fast"
    MODERATE = "moderate"
    SLOW = "slow"


class Contract(StrEnum):
    """The one calling convention an implementation follows (see :mod:`fairmend.catalog.contracts`)."""

    PREPROCESSOR = "preprocessor"
    ESTIMATOR = "estimator"
    POSTPROCESSOR = "postprocessor"
    RANKER = "ranker"
    CLUSTERER = "clusterer"
    ANALYSIS = "analysis"


@dataclass(frozen=True)
class Citation:
    """A structured reference; ``authors`` holds one ``"Last, F."`` string per author."""

    authors: tuple[str, ...]
    year: int
    title: str
    venue: str
    doi: str | None = None
    url: str | None = None

    def short(self) -> str:
        """``"Feldman et al. 2015"`` style label."""
        first = self.authors[0].split(",")[0].strip() if self.authors else "Anon."
        if len(self.authors) == 1:
            return f"{first} {self.year}"
        if len(self.authors) == 2:
            second = self.authors[1].split(",")[0].strip()
            return f"{first} & {second} {self.year}"
        return f"{first} et al. {self.year}"

    def is_complete(self) -> bool:
        return bool(self.authors) and self.year >= 1800 and bool(self.title) and bool(self.venue)

    def to_dict(self) -> dict[str, Any]:
        return {
            "authors": list(self.authors),
            "year": self.year,
            "title": self.title,
            "venue": self.venue,
            "doi": self.doi,
            "url": self.url,
        }

    def bibtex(self, key: str) -> str:
        fields = [
            f"  author = {{{' and '.join(self.authors)}}}",
            f"  title = {{{self.title}}}",
            f"  year = {{{self.year}}}",
            f"  howpublished = {{{self.venue}}}",
        ]
        if self.doi:
            fields.append(f"  doi = {{{self.doi}}}")
        if self.url:
            fields.append(f"  url = {{{self.url}}}")
        return "@misc{" + key + ",\n" + ",\n".join(fields) + "\n}"


@dataclass(frozen=True)
class AccuracyCost:
    """Expected accuracy loss (absolute, 0.01 = one point) reported in the literature."""

    low: float
    high: float
    source: str = ""


@dataclass(frozen=True)
class Technique:
    """One catalog entry. Built-in and third-party techniques are the same type."""

    key: str
    name: str
    stage: Stage
    summary: str
    description: str
    criteria: tuple[Criterion, ...]
    needs_retraining: bool
    needs_protected_attribute_at_inference: bool
    model_agnostic: bool
    supports_multiple_groups: bool
    task_types: tuple[TaskType, ...]
    runtime_class: RuntimeClass
    citation: Citation
    technique_id: int | tuple[int, ...] | None = None
    needs_protected_attribute_for_fit: bool = True
    contract: Contract | None = None
    implementation: str | None = None
    expected_accuracy_cost: AccuracyCost | None = None
    extras: tuple[str, ...] = ()
    reference_implementations: tuple[str, ...] = ()
    use_cases: tuple[str, ...] = ()
    also_cite: tuple[Citation, ...] = ()
    notes: str = ""
    plugin: str = field(default="", compare=False)

    @property
    def executable(self) -> bool:
        """True when fairmend can run this technique (an implementation is declared)."""
        return self.implementation is not None

    @property
    def technique_ids(self) -> tuple[int, ...]:
        if self.technique_id is None:
            return ()
        if isinstance(self.technique_id, int):
            return (self.technique_id,)
        return tuple(self.technique_id)

    @property
    def parameters(self) -> tuple[Parameter, ...]:
        """The parameters declared on the implementation class's ``__init__`` (:mod:`fairmend.catalog.params`)."""
        if self.implementation is None:
            return ()
        return parameters_of(self.load())

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        from fairmend.errors import InvalidParameterError

        known = ", ".join(p.name for p in self.parameters) or "none"
        raise InvalidParameterError(f"technique {self.key!r} has no parameter {name!r} (known: {known})")

    def load(self) -> Any:
        """Import and return the implementation object (a class or factory)."""
        from fairmend.errors import MissingDependencyError, NotExecutableError

        if self.implementation is None:
            raise NotExecutableError(f"technique {self.key!r} has no executable implementation")
        module_name, _, attr = self.implementation.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            hint = f" (install fairmend[{','.join(self.extras)}])" if self.extras else ""
            raise MissingDependencyError(
                f"technique {self.key!r} needs {exc.name or module_name}{hint}: {exc}"
            ) from exc
        obj: Any = module
        for part in attr.split("."):
            obj = getattr(obj, part)
        return obj

    def to_dict(self, *, parameters: bool = True) -> dict[str, Any]:
        """JSON-ready view used by ``--json`` and the recommender; ``parameters=False`` leaves out the parameters
        (reading them imports the implementation)."""
        return {
            "key": self.key,
            "name": self.name,
            "stage": self.stage.value,
            "technique_id": list(self.technique_id)
            if isinstance(self.technique_id, tuple)
            else self.technique_id,
            "summary": self.summary,
            "description": self.description,
            "criteria": [c.value for c in self.criteria],
            "needs_retraining": self.needs_retraining,
            "needs_protected_attribute_at_inference": self.needs_protected_attribute_at_inference,
            "needs_protected_attribute_for_fit": self.needs_protected_attribute_for_fit,
            "model_agnostic": self.model_agnostic,
            "supports_multiple_groups": self.supports_multiple_groups,
            "task_types": [t.value for t in self.task_types],
            "runtime_class": self.runtime_class.value,
            "expected_accuracy_cost": (
                None
                if self.expected_accuracy_cost is None
                else {
                    "low": self.expected_accuracy_cost.low,
                    "high": self.expected_accuracy_cost.high,
                    "source": self.expected_accuracy_cost.source,
                }
            ),
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "default": p.default,
                    "range": list(p.range) if p.range else None,
                    "choices": list(p.choices) if p.choices else None,
                    "help": p.help,
                    "tunable": p.tunable,
                }
                for p in (self.parameters if parameters else ())
            ]
            if parameters
            else None,
            "citation": self.citation.to_dict(),
            "also_cite": [c.to_dict() for c in self.also_cite],
            "contract": self.contract.value if self.contract else None,
            "implementation": self.implementation,
            "reference_implementations": list(self.reference_implementations),
            "extras": list(self.extras),
            "use_cases": list(self.use_cases),
            "notes": self.notes,
            "plugin": self.plugin,
            "executable": self.executable,
        }
