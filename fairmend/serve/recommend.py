"""``POST /recommend``: the recommender over the API, answering what ``fairmend recommend --json`` prints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from fairmend.errors import InvalidParameterError
from fairmend.serve.auth import Principal
from fairmend.serve.store import Store, fingerprint

Criterion = Literal["demographic_parity", "equal_opportunity", "equalized_odds", "calibration", "predictive_parity",
                    "individual_fairness", "counterfactual_fairness"]
Stage = Literal["causal", "pre_processing", "in_processing", "post_processing", "evaluation", "monitoring",
                "documentation"]
Task = Literal["classification", "binary_classification", "multiclass_classification", "regression", "ranking",
               "clustering"]


class RecommendRequest(BaseModel):
    """The body of ``POST /recommend``: the CLI's TEXT and flags; ``dataset_id`` stands for ``--data``."""

    text: str = Field(min_length=1, max_length=5000)
    top: int = Field(default=5, ge=1, le=50)
    retraining: bool | None = None
    protected_at_inference: bool | None = None
    intervention: bool | None = None
    stages: list[Stage] = Field(default_factory=list)
    criteria: list[Criterion] = Field(default_factory=list)
    max_accuracy_loss: float | None = Field(default=None, ge=0, le=1)
    task: Task | None = None
    dataset_id: str | None = None
    protected: list[str] = Field(default_factory=list)
    outcome: str | None = None
    favourable_label: str | int | float | bool | None = None


class EvaluationRequest(RecommendRequest):
    """The body of ``POST /evaluations``: ``fairmend recommend TEXT --data ... --evaluate K --json`` as a job."""

    k: int = Field(default=3, ge=1, le=10)
    dataset_id: str
    protected: list[str] = Field(min_length=1)
    outcome: str


def evaluate_args(body: EvaluationRequest, data: str) -> list[str]:
    """The command line of ``fairmend recommend`` for an evaluation request."""
    args = [body.text, "--data", data, "--protected", ",".join(body.protected), "--outcome", body.outcome,
            "--evaluate", str(body.k), "--top", str(body.top), "--json"]
    for flag, value in (("retraining", body.retraining), ("protected-at-inference", body.protected_at_inference),
                        ("intervention", body.intervention)):
        if value is not None:
            args.append(f"--{'' if value else 'no-'}{flag}")
    args += [a for stage in body.stages for a in ("--stage", stage)]
    args += [a for criterion in body.criteria for a in ("--criterion", criterion)]
    valued: tuple[tuple[str, Any], ...] = (("--max-accuracy-loss", body.max_accuracy_loss), ("--task", body.task),
                                           ("--favourable-label", body.favourable_label))
    args += [a for flag, value in valued if value is not None for a in (flag, str(value))]
    return args


def recommend_router(store: Store, dataset_path: Callable[[str], Path], viewer: Any) -> APIRouter:
    router = APIRouter()

    @router.post("/recommend")
    def recommend(body: RecommendRequest, who: Principal = viewer) -> dict[str, Any]:
        from fairmend._json import finite
        from fairmend.cli.recommend import complete_command
        from fairmend.recommender import Recommender, apply_audit, audit_data, merge_flags, parse_text

        if not body.text.strip():
            raise InvalidParameterError("text is empty: describe the model, the data and what may change")
        if body.dataset_id is not None and not (body.protected and body.outcome):
            raise InvalidParameterError("dataset_id, protected and outcome go together")
        constraints = merge_flags(parse_text(body.text), retraining=body.retraining,
                                  protected_at_inference=body.protected_at_inference,
                                  intervention=body.intervention, stages=list(body.stages) or None,
                                  criteria=list(body.criteria) or None, max_accuracy_loss=body.max_accuracy_loss,
                                  task=body.task)
        data = audit = None
        if body.dataset_id is not None:
            data = str(dataset_path(body.dataset_id))
            audit = audit_data(data, protected=body.protected, outcome=body.outcome or "")
            constraints = apply_audit(constraints, audit)
        result = Recommender().recommend(body.text, constraints=constraints, top=body.top, audit=audit, data=data,
                                         protected=body.protected or None, outcome=body.outcome)
        user = {"favourable_label": body.favourable_label, "scores": None, "predictions": None, "base_model": "logreg"}
        for rec in result.recommendations:
            rec.run_command = complete_command(rec, constraints, None, body.protected,
                                               body.outcome, user)
        store.log(actor=who.label, action="POST /recommend", target=body.dataset_id, outcome=200,
                  fingerprint=fingerprint(body))
        return dict(finite(result.to_dict()))

    return router
